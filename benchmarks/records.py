"""Client records: load a 1,000-session history, save a session, open the file; each against a bare baseline.

Run: .venv/bin/python benchmarks/records.py
Then the same operations on an encrypted store against a plain one (issue 18: each at most 1.3x).
Goal (issue 4): the full history of a client with 1,000 sessions of 12 marks loads in <= 50 ms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.records import Client, ClientRecord, Consent, Mark, Session, Soap
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3
from app.storage.encryption import set_up_new_folder
from app.storage.keys import unlock_with_passphrase
from app.storage.sqlite_store import SqliteStore

SESSIONS = 1000
REGIONS = ("neck_l", "neck_r", "trapezius_upper_l", "trapezius_upper_r", "rhomboid_l", "rhomboid_r")
START = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def session_number(index: int) -> Session:
    marks = tuple(
        Mark(region, layer, (index + offset) % 11, "tight after gardening")
        for offset, region in enumerate(REGIONS)
        for layer in ("client", "therapist")
    )
    return Session(
        id=f"s{index:06d}",
        start=START + dt.timedelta(days=index),
        marks=marks,
        soap=Soap(subjective="stiff in the mornings", pain_before=index % 11, pain_after=(index + 3) % 11),
        shared_note="Stretch your neck every hour.",
        finalised=START + dt.timedelta(days=index, hours=1),
    )


def median_ms(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of `repeats` runs (on a shared machine the ratio is steadier)."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        client = Client("bench", "Bench Client", consent=Consent(dt.date(2020, 1, 1), "1"))
        with SqliteStore.open(data_dir) as repository:
            repository.import_records([ClientRecord(client, (), tuple(session_number(i) for i in range(SESSIONS)))])
        path = data_dir / DB_FILENAME
        size = path.stat().st_size

        open_ms = median_ms(lambda: SqliteStore.open(data_dir).close(), 10)
        bare = sqlite3.connect(path)
        open_base = median_ms(lambda: sqlite3.connect(path).execute("SELECT 1").fetchall(), 10)

        with SqliteStore.open(data_dir) as repository:
            history = repository.history("bench")
            assert len(history.sessions) == SESSIONS
            assert sum(len(s.marks) for s in history.sessions) == SESSIONS * 12
            load_ms = median_ms(lambda: repository.history("bench"), 15)

            def bare_select() -> None:
                bare.execute("SELECT * FROM sessions WHERE client_id = 'bench' ORDER BY start_utc").fetchall()
                bare.execute(
                    "SELECT * FROM marks WHERE session_id IN (SELECT id FROM sessions WHERE client_id = 'bench')"
                ).fetchall()

            select_ms = median_ms(bare_select, 15)

            fresh = iter(
                [dataclasses.replace(session_number(i), finalised=None) for i in range(SESSIONS, SESSIONS + 20)]
            )
            save_ms = median_ms(lambda: repository.add_session("bench", next(fresh)), 20)

        # Baseline for a save: the same rows inserted and committed by hand, same settings (WAL, FULL).
        bare.execute("PRAGMA journal_mode = WAL")
        bare.execute("PRAGMA synchronous = FULL")
        bare.isolation_level = None
        columns = bare.execute("SELECT * FROM sessions LIMIT 1")
        names = [d[0] for d in columns.description]
        row = list(columns.fetchone())

        def bare_insert() -> None:
            index = next(counter)
            values = dict(zip(names, row, strict=True), id=f"bare{index}")
            bare.execute("BEGIN IMMEDIATE")
            bare.execute(
                f"INSERT INTO sessions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                list(values.values()),
            )
            bare.executemany(
                "INSERT INTO marks (session_id, region, by, tension, note) VALUES (?, ?, ?, ?, ?)",
                [(f"bare{index}", m.region, m.by, m.tension, m.note) for m in session_number(index).marks],
            )
            bare.execute("COMMIT")

        counter = iter(range(SESSIONS + 100, SESSIONS + 200))
        insert_ms = median_ms(bare_insert, 20)
        bare.close()

    print(
        f"database: {SESSIONS} sessions x 12 marks = {size / 1e6:.2f} MB ({size / SESSIONS / 1024:.1f} KiB a session)"
    )
    print(
        f"load full history : {load_ms:7.2f} ms  (goal <= 50 ms)  baseline bare SELECT {select_ms:6.2f} ms"
        f"  ratio {load_ms / select_ms:5.1f}x"
    )
    print(
        f"save one session  : {save_ms:7.2f} ms  baseline bare INSERT+COMMIT {insert_ms:6.2f} ms"
        f"  ratio {save_ms / insert_ms:5.1f}x"
    )
    print(
        f"open              : {open_ms:7.2f} ms  baseline bare connect {open_base:6.2f} ms"
        f"  ratio {open_ms / open_base:5.1f}x"
    )


# -- issue 18: what encryption at rest costs, in the same run (goal: each at most 1.3x the plain store's) ------

ENCRYPTION_GOAL_RATIO = 1.3
OPEN_REPEATS = 201  # an open takes about a millisecond: many pairs, or one slow spell decides the ratio
SAVE_REPEATS = 61  # a save is mostly its fsync, which other programs' writes to the same disk slow at random


def _paired_ms(plain: Callable[[], object], encrypted: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median ms of each, run in turns: on a shared machine a slow spell then hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, into in ((plain, times[0]), (encrypted, times[1])):
            began = time.perf_counter()
            run()
            into.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def encryption_cost() -> None:
    """Open, save, history and backup on an SQLCipher store against a plain one, the same records in both;
    unlocking (Argon2id, once per start) on its own."""
    passphrase = "a benchmark passphrase"
    client = Client("bench", "Bench Client", consent=Consent(dt.date(2020, 1, 1), "1"))
    with tempfile.TemporaryDirectory() as plain_folder, tempfile.TemporaryDirectory() as encrypted_folder:
        folders = (Path(plain_folder), Path(encrypted_folder))
        key = set_up_new_folder(folders[1], passphrase).key
        began = time.perf_counter()
        unlock_with_passphrase(folders[1], passphrase)
        unlock_ms = (time.perf_counter() - began) * 1000
        for folder, folder_key in zip(folders, (None, key), strict=True):
            with SqliteStore.open(folder, key=folder_key) as repository:
                records = [ClientRecord(client, (), tuple(session_number(i) for i in range(SESSIONS)))]
                repository.import_records(records)
        figures = {
            "open": _paired_ms(
                lambda: SqliteStore.open(folders[0]).close(),
                lambda: SqliteStore.open(folders[1], key=key).close(),
                OPEN_REPEATS,
            )
        }
        with SqliteStore.open(folders[0]) as plain, SqliteStore.open(folders[1], key=key) as encrypted:
            figures["history"] = _paired_ms(lambda: plain.history("bench"), lambda: encrypted.history("bench"), 15)
            new_numbers = range(SESSIONS, SESSIONS + SAVE_REPEATS)
            unsaved = [dataclasses.replace(session_number(i), finalised=None) for i in new_numbers]
            fresh = [iter(unsaved) for _ in folders]  # the same sessions saved in each store
            figures["save"] = _paired_ms(
                lambda: plain.add_session("bench", next(fresh[0])),
                lambda: encrypted.add_session("bench", next(fresh[1])),
                SAVE_REPEATS,
            )
            figures["backup"] = _paired_ms(plain.local_folder.backup, encrypted.local_folder.backup, 21)
    print("encrypted store (SQLCipher 4, raw key) against plain, median ms:")
    for name, (plain_ms, encrypted_ms) in figures.items():
        ratio = encrypted_ms / plain_ms
        verdict = "ok" if ratio <= ENCRYPTION_GOAL_RATIO else f"over {ENCRYPTION_GOAL_RATIO}x"
        print(f"  {name:8}: plain {plain_ms:8.2f}  encrypted {encrypted_ms:8.2f}  ratio {ratio:4.2f}x  {verdict}")
    print(f"  unlock (Argon2id 64 MiB, 3 passes; once per start): {unlock_ms:.0f} ms")


if __name__ == "__main__":
    main()
    encryption_cost()
