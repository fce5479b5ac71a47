"""A clinic's server under load (issue 19, point 8): 10 therapists saving sessions at once, and the heavy client's
reads on PostgreSQL against the SQLite store.

Run: .venv/bin/python benchmarks/clinic.py [--seconds 60] [--writers 10]

It starts its own PostgreSQL 15 as the tests do (tests/clinic/server.py: a throwaway cluster, fsync off, so a
commit costs no disk flush here; a real server's flush adds the same to every commit) and sets up a clinic with
one owner and WRITERS therapists, each logging in as their own role over TCP.

- **Writes**: each therapist is a process with its own connection (PostgresStore, as the app), saving whole
  sessions (24 marks, a stroke, SOAP notes: `add_session`, one transaction each) to their own clients as fast as
  the server takes them, for --seconds. The baseline, in the same run, is the same processes on the same logins
  doing a bare INSERT + COMMIT of one row into a table with no policy or trigger, for a quarter of the time. Then
  the server's rows are counted against what each therapist was told was saved: none may be missing, doubled or
  half there (a session without all its marks).
- **Reads**: the heavy client (1,000 sessions of 24 marks, strokes, a plan) opened (the client, latest screening,
  latest open session: what the workspace reads) and its History (the timeline's lines, then the tallies of its
  first screenful), by their therapist on the server against the same record in a SQLite store; medians of runs
  taken turn about.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import practice  # benchmarks/practice.py, beside this script: the heavy client, the measuring
import psycopg
from psycopg.conninfo import make_conninfo

from app.domain.records import Client, ClientRecord, Consent, Mark, Session, Soap, Stroke
from app.storage.postgres.clinic import Person, add_person, set_up
from app.storage.postgres.store import PostgresStore
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore
from tests.clinic import server as test_server

CLIENTS_PER_THERAPIST = 5
REGIONS = tuple(practice.MASSAGED[:12])  # regions that take pressure, as the practice benchmark marks
MARKS_PER_SESSION = 2 * len(REGIONS)
START = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
BARE_TABLE = "bench_bare_saves"
READ_RUNS = 15
BARRIER_TIMEOUT_S = 300  # a therapist's process that failed to start: the others stop rather than wait forever


@dataclass(frozen=True, slots=True)
class Written:
    """What one therapist was told: the ids saved, each save's milliseconds, and the saves refused."""

    writer: int
    saved: list[str]
    save_ms: list[float]
    saved_at: list[float]  # seconds into the run when each save returned
    bare_saved: list[str]
    bare_ms: list[float]
    refused: list[str]


def written_session(writer: int, number: int) -> Session:
    start = START + dt.timedelta(minutes=number)
    return Session(
        id=f"w{writer:02d}-{number:07d}",
        start=start,
        therapist="",
        marks=tuple(
            Mark(region, by, (number + index) % 11, "tender" if index % 3 == 0 else "")
            for index, region in enumerate(REGIONS)
            for by in ("client", "therapist")
        ),
        strokes=(Stroke("therapist", 5, 14.0, tuple((200.0 + i, 300.0 + 2 * i) for i in range(30))),),
        soap=Soap(
            subjective="Long days at the desk; neck and shoulders stiff by the afternoon.",
            objective="Upper trapezius guarded on the left.",
            assessment="Easing slowly.",
            plan="Next visit in 3 weeks.",
            pain_before=number % 11,
            pain_after=(number + 4) % 11,
        ),
        shared_note="Roll your shoulders back every hour.",
    )


def therapist(
    writer: int, conninfo: str, seconds: float, bare_seconds: float, ready: Any, results: Any
) -> None:  # Any: multiprocessing's Barrier and Queue of the spawn context
    """One therapist's process: their clients, then saves until the time is up, then the bare baseline."""
    refused: list[str] = []
    with PostgresStore.connect(conninfo) as store:
        consent = Consent(START.date(), "1")
        clients = [
            store.create_client(f"Client {writer}-{index}", client_id=f"w{writer:02d}-client-{index}", consent=consent)
            for index in range(CLIENTS_PER_THERAPIST)
        ]
        ready.wait(timeout=BARRIER_TIMEOUT_S)
        saved: list[str] = []
        save_ms: list[float] = []
        saved_at: list[float] = []
        number = 0
        started = time.monotonic()
        deadline = started + seconds
        while time.monotonic() < deadline:
            session = written_session(writer, number)
            began = time.perf_counter()
            try:
                store.add_session(clients[number % len(clients)].id, session)
            except Exception as error:  # a refused save is counted, not fatal: the count at the end must agree
                refused.append(f"{session.id}: {error}")
            else:
                save_ms.append((time.perf_counter() - began) * 1000)
                saved_at.append(time.monotonic() - started)
                saved.append(session.id)
            number += 1
    bare_saved: list[str] = []
    bare_ms: list[float] = []
    with psycopg.connect(conninfo) as connection:
        ready.wait(timeout=BARRIER_TIMEOUT_S)
        number = 0
        deadline = time.monotonic() + bare_seconds
        while time.monotonic() < deadline:
            row_id = f"bare-{writer:02d}-{number:07d}"
            began = time.perf_counter()
            connection.execute(f"INSERT INTO public.{BARE_TABLE} (id, body) VALUES (%s, %s)", (row_id, "x" * 400))
            connection.commit()
            bare_ms.append((time.perf_counter() - began) * 1000)
            bare_saved.append(row_id)
            number += 1
    results.put(Written(writer, saved, save_ms, saved_at, bare_saved, bare_ms, refused))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def set_up_clinic(server: test_server.ThrowawayServer, folder: Path, writers: int) -> tuple[str, list[Person]]:
    """A clinic database with an owner and `writers` therapists; their passwords in a pass file (PGPASSFILE)."""
    import os

    suffix = secrets.token_hex(3)
    database = f"clinic_bench_{suffix}"
    with psycopg.connect(server.conninfo(dbname="postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {database}")
    owner = Person(f"olga_{suffix}", "owner", "Olga Owner")
    people = [Person(f"therapist{index:02d}_{suffix}", "therapist", f"Therapist {index}") for index in range(writers)]
    passwords = {person.role: secrets.token_urlsafe(16) for person in (owner, *people)}
    with psycopg.connect(server.conninfo(dbname=database)) as connection:
        set_up(connection, owner, passwords[owner.role])
        with connection.transaction(), connection.cursor() as cursor:
            for person in people:
                add_person(cursor, person, passwords[person.role])
            cursor.execute(f"CREATE TABLE public.{BARE_TABLE} (id text PRIMARY KEY, body text NOT NULL)")
            cursor.execute(f"GRANT INSERT ON public.{BARE_TABLE} TO backmap_therapist")
    pass_file = folder / "pgpass"
    pass_file.write_text(
        "".join(f"127.0.0.1:{server.port}:*:{role}:{password}\n" for role, password in passwords.items()),
        encoding="utf-8",
    )
    pass_file.chmod(0o600)
    os.environ["PGPASSFILE"] = str(pass_file)  # inherited by the therapists' processes
    return database, people


def login(server: test_server.ThrowawayServer, database: str, person: Person) -> str:
    return make_conninfo(host="127.0.0.1", port=server.port, dbname=database, user=person.role)


def measure_writes(server: test_server.ThrowawayServer, database: str, people: list[Person], seconds: float) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(len(people))
    results = context.Queue()
    bare_seconds = max(3.0, seconds / 4)
    processes = [
        context.Process(
            target=therapist, args=(writer, login(server, database, person), seconds, bare_seconds, ready, results)
        )
        for writer, person in enumerate(people)
    ]
    for process in processes:
        process.start()
    written: list[Written] = [results.get(timeout=seconds + bare_seconds + 2 * BARRIER_TIMEOUT_S) for _ in processes]
    for process in processes:
        process.join()
    saves = [ms for each in written for ms in each.save_ms]
    bares = [ms for each in written for ms in each.bare_ms]
    print(f"{len(people)} therapists, each their own login and process, saving sessions for {seconds:.0f} s")
    print(
        f"sessions saved: {len(saves)} ({len(saves) / seconds:.1f}/s) | bare INSERT+COMMIT: {len(bares)} "
        f"({len(bares) / bare_seconds:.1f}/s) | throughput {len(saves) / seconds / (len(bares) / bare_seconds):.3f}x"
    )
    for label, share in (("median", 0.5), ("p99", 0.99)):
        real, bare = percentile(saves, share), percentile(bares, share)
        practice.report(
            f"{label} save of a session ({MARKS_PER_SESSION} marks)", real, bare, "INSERT+COMMIT of one row"
        )
    tenth = seconds / 10
    per_tenth = [0] * 10
    for at in (at for each in written for at in each.saved_at):
        per_tenth[min(9, int(at / tenth))] += 1
    print("sessions saved per second, tenth by tenth of the run:", end=" ")
    print(" ".join(f"{count / tenth:.0f}" for count in per_tenth))
    with psycopg.connect(server.conninfo(dbname=database)) as admin:
        stored = {
            str(row[0]): (str(row[1]), int(row[2]))
            for row in admin.execute(
                "SELECT s.id, c.therapist, (SELECT count(*) FROM backmap.marks m WHERE m.session_id = s.id) "
                "FROM backmap.sessions s JOIN backmap.clients c ON c.id = s.client_id"
            )
        }
        bare_stored = [str(row[0]) for row in admin.execute(f"SELECT id FROM public.{BARE_TABLE}")]
    said = [session_id for each in written for session_id in each.saved]
    lost = set(said) - set(stored)
    unsaid = set(stored) - set(said)  # stored, though its therapist was told it was not
    doubled = len(said) - len(set(said))
    wrong_owner = [
        session_id
        for each in written
        for session_id in each.saved
        if session_id in stored and stored[session_id][0] != people[each.writer].role
    ]
    incomplete = [session_id for session_id, (_, marks) in stored.items() if marks != MARKS_PER_SESSION]
    refused = [line for each in written for line in each.refused]
    bare_said = [row_id for each in written for row_id in each.bare_saved]
    print(
        f"counted on the server: {len(stored)} sessions | lost {len(lost)} | doubled {doubled} | stored though "
        f"refused {len(unsaid)} | another's client {len(wrong_owner)} | without all marks {len(incomplete)} | "
        f"refused {len(refused)} | bare rows {len(bare_stored)} of {len(bare_said)} said"
    )
    for line in refused[:5]:
        print(f"  refused: {line}")
    for each in written:
        per_writer = sum(1 for owner, _ in stored.values() if owner == people[each.writer].role)
        if per_writer != len(each.saved):
            print(f"  {people[each.writer].role}: told {len(each.saved)}, the server holds {per_writer}")


def heavy_record() -> ClientRecord:
    """The practice benchmark's heavy client (benchmarks/practice.py): 1,000 sessions of 24 marks, strokes, a plan."""
    rng = random.Random(22)
    plans = practice._plan_pool(rng)
    sessions = tuple(
        practice._session(rng, number, number * 3, 12, 3, plans) for number in range(practice.HEAVY_SESSIONS)
    )
    consent = Consent(dt.date(2016, 1, 4), "1")
    return ClientRecord(Client(practice.HEAVY_ID, "Heavy Example", dt.date(1970, 5, 1), consent=consent), (), sessions)


def measure_reads(server: test_server.ThrowawayServer, database: str, people: list[Person], folder: Path) -> None:
    from app.ui.history.timeline import TALLY_BATCH

    record = heavy_record()
    sqlite = SqliteStore.open(folder / "solo")
    sqlite.import_records([record])
    postgres = PostgresStore.connect(login(server, database, people[0]))
    postgres.import_records([record])

    def open_client(store: RecordStore) -> None:
        store.get_client(practice.HEAVY_ID)
        store.latest_intake(practice.HEAVY_ID)
        store.latest_open_session(practice.HEAVY_ID)

    def history(store: RecordStore) -> None:
        lines = store.session_lines(practice.HEAVY_ID)
        store.marks_tallies(practice.HEAVY_ID, [line.session_id for line in lines[:TALLY_BATCH]])

    def history_first_read(opener: Callable[[], RecordStore]) -> float:
        """History read on a store just opened: SQLite's first read since the file changed (the app keeps the
        timeline it read until the file changes: app.storage.history_reads.LinesKept)."""
        with opener() as fresh:
            began = time.perf_counter()
            history(fresh)
            return (time.perf_counter() - began) * 1000

    print(f"the heavy client ({len(record.sessions)} sessions of 24 marks), median of {READ_RUNS}")
    with sqlite, postgres:
        server_ms, sqlite_ms = practice.alternate(
            partial(open_client, postgres), partial(open_client, sqlite), READ_RUNS
        )
        practice.report("open the heavy client, on the server", server_ms, sqlite_ms, "the SQLite store")
        server_ms, sqlite_ms = practice.alternate(
            partial(history, postgres), partial(history_first_read, sqlite.opener()), READ_RUNS
        )
        practice.report("History of the heavy client, on the server", server_ms, sqlite_ms, "SQLite, first read")
        server_ms, sqlite_ms = practice.alternate(partial(history, postgres), partial(history, sqlite), READ_RUNS)
        practice.report("History of the heavy client, on the server", server_ms, sqlite_ms, "SQLite, read again")

    # Where the server's time goes: one session's marks, through row security and without it.
    def count_marks(connection: psycopg.Connection[tuple[Any, ...]]) -> None:
        connection.execute("SELECT count(*) FROM backmap.marks WHERE session_id = %s", (record.sessions[0].id,))

    with (
        psycopg.connect(login(server, database, people[0]), autocommit=True) as therapist_login,
        psycopg.connect(server.conninfo(dbname=database), autocommit=True) as administrator,
    ):
        (sessions,) = cast("tuple[int]", administrator.execute("SELECT count(*) FROM backmap.sessions").fetchone())
        therapist_ms, bare_ms = practice.alternate(
            partial(count_marks, therapist_login), partial(count_marks, administrator), READ_RUNS
        )
    practice.report(
        f"one session's marks ({sessions} sessions on the server)", therapist_ms, bare_ms, "no row security"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the therapists save (default 60)")
    parser.add_argument("--writers", type=int, default=10, help="how many therapists save at once (default 10)")
    args = parser.parse_args()
    began = time.monotonic()
    server = test_server.start()
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            database, people = set_up_clinic(server, folder, args.writers)
            print(f"server up and the clinic set up in {time.monotonic() - began:.1f} s (fsync off, as in the tests)")
            measure_writes(server, database, people, args.seconds)
            measure_reads(server, database, people, folder)
    finally:
        test_server.stop(server)
    print(f"total {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
