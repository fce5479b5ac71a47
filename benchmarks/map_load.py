"""How long the map takes to load in a fresh process: the first-paint JSON path against the full region model.

Each variant runs in its own interpreter (imports included, as at start-up), several times; the figure is the
median wall time, and the ratio is against a bare interpreter measured in the same run.

    .venv/bin/python benchmarks/map_load.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

VARIANTS = {
    "bare interpreter (baseline)": "pass",
    "outlines from the shipped JSON": ("from app.storage.map_cache import load_map_outlines; load_map_outlines()"),
    "region model (numpy, shapely, svgelements)": ("from app.domain.regions import load_region_map; load_region_map()"),
}
HOVERS = 20_000


def median_seconds(code: str, cache_home: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            cwd=REPO_ROOT,
            env={"XDG_CACHE_HOME": cache_home, "PATH": "/usr/bin:/bin"},
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def hit_test_micros() -> tuple[float, float]:
    """In this process: one hit test (what a hover costs), against one point-in-polygon test on the largest
    region as the baseline."""
    sys.path.insert(0, str(REPO_ROOT))
    import shapely

    from app.domain.regions import load_region_map

    region_map = load_region_map()
    probes = [(150.0 + (i * 7) % 300, 150.0 + (i * 13) % 550) for i in range(HOVERS)]
    largest = max(region_map.polygons.values(), key=lambda polygon: polygon.area)
    start = time.perf_counter()
    for x, y in probes:
        shapely.intersects_xy(largest, x, y)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    for x, y in probes:
        region_map.hit_test(x, y, tolerance=12.0)
    return (time.perf_counter() - start) / HOVERS * 1e6, baseline / HOVERS * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as cache_home:
        results = {name: median_seconds(code, cache_home) for name, code in VARIANTS.items()}
    baseline = results["bare interpreter (baseline)"]
    print(f"median of {RUNS} fresh processes each")
    for name, seconds in results.items():
        print(f"{name:45} {seconds * 1000:7.1f} ms  {seconds / baseline:5.2f}x baseline")
    hit, one_polygon = hit_test_micros()
    print(
        f"{'hit test (tolerance 12 px), per call':45} {hit:7.1f} µs  "
        f"{hit / one_polygon:5.2f}x one point-in-polygon test"
    )


if __name__ == "__main__":
    main()
