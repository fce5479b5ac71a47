"""Opening the records: the header-and-schema check of today against the full quick_check it replaced (issue 15).

Run: .venv/bin/python benchmarks/open_records.py [MEGABYTES]   (default 120; the attack measured a 264 MB practice)
Each figure is a median, against a bare sqlite3 connect + SELECT 1 in the same run. "Cold" evicts the file from
the page cache first (posix_fadvise DONTNEED: this file only, no root-wide cache drop). "Before" is today's open
followed by PRAGMA quick_check on its connection: what opening did until this change.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.records import Client, ClientRecord, Consent, Mark, Session
from app.storage.database import DB_FILENAME, check_integrity
from app.storage.driver import sqlite3
from app.storage.sqlite_store import SqliteStore

NOTE_BYTES = 16_000
START = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
REPEATS = 5


def build(data_dir: Path, megabytes: int) -> Path:
    sessions = megabytes * 1_000_000 // (NOTE_BYTES + 1_000)
    per_client = 200
    with SqliteStore.open(data_dir) as repository:
        records = []
        for number in range(0, sessions, per_client):
            client = Client(f"client-{number:06d}", f"Client {number}", consent=Consent(dt.date(2020, 1, 1), "1"))
            records.append(
                ClientRecord(
                    client,
                    (),
                    tuple(
                        Session(
                            id=f"s{number + index:07d}",
                            start=START + dt.timedelta(hours=number + index),
                            marks=(Mark("neck_l", "client", index % 11),),
                            shared_note=f"{index} " + "x" * NOTE_BYTES,
                        )
                        for index in range(min(per_client, sessions - number))
                    ),
                )
            )
        repository.import_records(records)
    return data_dir / DB_FILENAME


def evict(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def median_ms(run: Callable[[], object], cold_file: Path | None = None) -> float:
    times = []
    for _ in range(REPEATS):
        if cold_file is not None:
            evict(cold_file)
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        path = build(data_dir, megabytes)

        def bare() -> None:
            connection = sqlite3.connect(path)
            connection.execute("SELECT 1").fetchall()
            connection.close()

        def now() -> None:
            SqliteStore.open(data_dir).close()

        def before() -> None:
            repository = SqliteStore.open(data_dir)
            repository._connection.execute("PRAGMA quick_check").fetchall()
            repository.close()

        print(f"database: {path.stat().st_size / 1e6:.0f} MB, median of {REPEATS}")
        for label, cold in (("warm", None), ("cold", path)):
            base = median_ms(bare, cold)
            after_ms = median_ms(now, cold)
            before_ms = median_ms(before, cold)
            print(
                f"{label}: bare connect {base:8.2f} ms | open now {after_ms:8.2f} ms ({after_ms / base:6.1f}x) | "
                f"open before (quick_check) {before_ms:8.2f} ms ({before_ms / base:7.1f}x) | "
                f"before/now {before_ms / after_ms:6.1f}x"
            )
        began = time.perf_counter()
        assert check_integrity(path) == []
        print(f"full integrity_check (now in the background): {(time.perf_counter() - began) * 1000:.0f} ms, warm")


if __name__ == "__main__":
    main()
