"""Heat map and trends over 10,000 sessions: app.domain.analytics (numpy) against the plain-Python loops.

Run: .venv/bin/python benchmarks/analytics.py [--sessions N] [--repeats R]
Prints the best of R runs for each and the ratio; the goal is <= 50 ms for the numpy path at 10,000 sessions.
Both paths start from the same Session records, and the script checks they give the same numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from app.domain.analytics import REGION_ORDER, TensionMatrix, back_mean, heat_map
from app.domain.records import Layer, Mark, Session

GOAL_SECONDS = 0.050
SAST = dt.timezone(dt.timedelta(hours=2))


def generate_sessions(count: int, seed: int = 1) -> list[Session]:
    """`count` sessions, one every 1-3 days, each with 0-10 marks per layer (0-10 tension)."""
    rng = random.Random(seed)
    start = dt.datetime(2000, 1, 3, 10, tzinfo=SAST)
    sessions = []
    for number in range(count):
        start += dt.timedelta(days=rng.randint(1, 3))
        layers: tuple[Layer, ...] = ("client", "therapist")
        marks = tuple(
            Mark(region, by, rng.randint(0, 10))
            for by in layers
            for region in rng.sample(REGION_ORDER, rng.randint(0, 10))
        )
        sessions.append(Session(id=f"s{number}", start=start, marks=marks))
    return sessions


# --- the baseline: the same statistics with plain Python loops over the records ----------------------------


def loop_heat_map(sessions: Sequence[Session]) -> tuple[list[float], list[float]]:
    totals = dict.fromkeys(REGION_ORDER, 0.0)
    counts = dict.fromkeys(REGION_ORDER, 0)
    peaks = dict.fromkeys(REGION_ORDER, -math.inf)
    for session in sessions:
        for region, tension in session.effective_tension().items():
            totals[region] += tension
            counts[region] += 1
            peaks[region] = max(peaks[region], tension)
    means = [totals[region] / counts[region] if counts[region] else math.nan for region in REGION_ORDER]
    peak = [peaks[region] if counts[region] else math.nan for region in REGION_ORDER]
    return means, peak


def loop_back_mean(sessions: Sequence[Session]) -> list[float]:
    means = []
    for session in sessions:
        tensions = session.effective_tension()
        means.append(sum(tensions.values()) / len(tensions) if tensions else math.nan)
    return means


def loop_all(sessions: Sequence[Session]) -> tuple[list[float], list[float], list[float]]:
    means, peak = loop_heat_map(sessions)
    return means, peak, loop_back_mean(sessions)


# --- the numpy path ----------------------------------------------------------------------------------------


def numpy_on_matrix(matrix: TensionMatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    heat = heat_map(matrix)
    return heat.mean, heat.peak, back_mean(matrix).values


def numpy_all(sessions: Sequence[Session]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return numpy_on_matrix(TensionMatrix.from_sessions(sessions))


def best_times(repeats: int, works: Sequence[Callable[[], object]]) -> list[float]:
    """The best time of each workload; they take turns in every round, so a busy machine slows them alike."""
    best = [math.inf] * len(works)
    for _ in range(repeats):
        for index, work in enumerate(works):
            began = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - began)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    sessions = generate_sessions(args.sessions)
    marks = sum(len(session.marks) for session in sessions)
    print(f"{len(sessions):,} sessions, {marks:,} marks, {len(REGION_ORDER)} regions; best of {args.repeats}")

    expected = loop_all(sessions)  # also the warm-up
    got = numpy_all(sessions)
    matrix = TensionMatrix.from_sessions(sessions)
    loop_time, numpy_time, build_time, matrix_time = best_times(
        args.repeats,
        (
            lambda: loop_all(sessions),
            lambda: numpy_all(sessions),
            lambda: TensionMatrix.from_sessions(sessions),
            lambda: numpy_on_matrix(matrix),
        ),
    )

    for name, want, have in zip(("heat mean", "heat peak", "back mean"), expected, got, strict=True):
        if not np.allclose(np.asarray(want), have, rtol=1e-9, atol=1e-12, equal_nan=True):
            print(f"MISMATCH: {name} differs between the loop and numpy", file=sys.stderr)
            return 1
    print("results: identical (heat map mean and peak, back mean per session)")

    rows = (
        ("plain-Python loops (baseline)", loop_time),
        ("numpy: build matrix + heat map + trends", numpy_time),
        ("  of which building the matrix", build_time),
        ("  of which heat map + trends on the matrix", matrix_time),
    )
    for label, seconds in rows:
        print(f"{label:<45} {seconds * 1000:8.2f} ms   x{loop_time / seconds:6.1f} vs baseline")
    verdict = "meets" if numpy_time <= GOAL_SECONDS else "MISSES"
    print(f"goal <= {GOAL_SECONDS * 1000:.0f} ms for the numpy path: {verdict} ({numpy_time * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
