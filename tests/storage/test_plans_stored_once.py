"""Schema 3 (issue 22): each distinct plan as given is stored once, compressed, and read back byte for byte; a
database made by the release before (schema 2) is backed up and converted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import zlib
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

import pytest

from app.domain.records import Consent, Session
from app.storage import rows
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3  # the app's own SQLite: two libraries on one -wal in one process disagree
from app.storage.schema import SCHEMA_VERSION
from app.storage.sqlite_store import SqliteStore

pytestmark = pytest.mark.local_file(
    reason="how the SQLite file keeps plans (one row per text), read raw, and a release file migrated"
)

real_plan_text = rows.plan_text

# The demo client with a plan given in every other session, and a second client given the same plan as the
# first session's: made by Backmap at schema 2 (the release before this one).
RELEASE_SCHEMA_2 = Path(__file__).with_name("release_schema2.sqlite3.gz")
START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _plans(path: Path) -> dict[str, str]:
    """Each session's plan text as stored, by session id (schema 3)."""
    with closing(sqlite3.connect(path)) as raw:
        found = raw.execute(
            "SELECT sessions.id, plans.json FROM sessions JOIN plans ON plans.sha256 = sessions.plan_sha256"
        ).fetchall()
    return {session_id: zlib.decompress(data).decode("utf-8") for session_id, data in found}


def _plan_rows(path: Path) -> int:
    with closing(sqlite3.connect(path)) as raw:
        count: int = raw.execute("SELECT count(*) FROM plans").fetchone()[0]
    return count


def test_a_release_database_is_backed_up_and_every_plan_kept_byte_for_byte(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / DB_FILENAME).write_bytes(gzip.decompress(RELEASE_SCHEMA_2.read_bytes()))
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as raw:
        before = dict(raw.execute("SELECT id, plan FROM sessions WHERE plan IS NOT NULL").fetchall())
        sessions_before = raw.execute("SELECT count(*) FROM sessions").fetchone()[0]
    assert len(before) == 8
    assert len(set(before.values())) == 7  # the twin client was given the first session's plan

    with SqliteStore.open(data_dir) as repository:
        (backup,) = repository.local_folder.migration_backups
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        columns = {row[1] for row in repository._connection.execute("PRAGMA table_info(sessions)")}
        read_back = {
            session.id: session.plan
            for client in repository.list_clients()
            for session in repository.list_sessions(client.id)
            if session.plan is not None
        }
    assert "plan" not in columns
    assert _plans(data_dir / DB_FILENAME) == before  # the very text, byte for byte
    assert _plan_rows(data_dir / DB_FILENAME) == 7
    assert read_back.keys() == before.keys()
    with closing(sqlite3.connect(backup)) as old:
        assert old.execute("PRAGMA user_version").fetchone() == (2,)
        assert old.execute("SELECT count(*) FROM sessions").fetchone()[0] == sessions_before


def test_the_same_plan_in_many_sessions_is_stored_once(repository: SqliteStore) -> None:
    client = repository.create_client("Regular Client", consent=Consent(dt.date(2026, 11, 20), "1"))
    plan = {"plan_version": 2, "outcome": "proceed", "for_client": ["Warm up the back, then the shoulders."]}
    for week in range(12):
        repository.add_session(client.id, Session(f"s{week}", START + dt.timedelta(weeks=week), plan=plan))
    assert _plan_rows(repository.local_folder.database_path) == 1
    assert {session.plan == plan for session in repository.list_sessions(client.id)} == {True}


def test_a_plan_no_session_gives_any_more_is_deleted(repository: SqliteStore) -> None:
    consent = Consent(dt.date(2026, 11, 20), "1")
    shared = {"outcome": "proceed", "aftercare": ["Drink some water."]}
    own = {"outcome": "modify", "aftercare": ["Only this client's words."]}
    first = repository.create_client("First Client", consent=consent)
    second = repository.create_client("Second Client", consent=consent)
    repository.add_session(first.id, Session("first-a", START, plan=shared))
    replaced = repository.add_session(first.id, Session("first-b", START + dt.timedelta(days=7)))
    repository.save_plan(replaced.id, own)
    repository.add_session(second.id, Session("second-a", START, plan=shared))
    assert sorted(_plans(repository.local_folder.database_path).values()) == sorted(
        [_text(shared), _text(own), _text(shared)]
    )

    repository.save_plan(replaced.id, None)  # an ungiven plan dropped: its text goes with it
    assert _plan_rows(repository.local_folder.database_path) == 1
    repository.save_plan(replaced.id, own)
    repository.discard_session(replaced.id)  # an open session erased: the plan only it gave goes too
    assert set(_plans(repository.local_folder.database_path).values()) == {_text(shared)}
    repository.delete_client(first.id)
    assert set(_plans(repository.local_folder.database_path).values()) == {
        _text(shared)
    }  # the other client still gives it
    repository.delete_client(second.id)
    assert _plan_rows(repository.local_folder.database_path) == 0


def test_an_amendment_that_changes_the_plan_keeps_the_given_one_only_in_its_record(repository: SqliteStore) -> None:
    client = repository.create_client("Amended Client", consent=Consent(dt.date(2026, 11, 20), "1"))
    session = repository.add_session(client.id, Session("amended", START, plan={"outcome": "proceed"}))
    finalised = repository.finalise(session.id, START + dt.timedelta(hours=1))
    amended = repository.amend(session.id, dataclasses.replace(finalised, plan={"outcome": "modify"}), "wrong plan")
    assert amended.plan == {"outcome": "modify"}
    assert amended.amendments[0].before == {"outcome": "proceed"}  # the amendment keeps what was given
    assert _plan_rows(repository.local_folder.database_path) == 1


def _text(plan: Mapping[str, object]) -> str:
    """A plan's JSON text as the repository stores it."""
    return json.dumps(plan, ensure_ascii=False, allow_nan=False)


def test_reading_a_history_decodes_each_distinct_plan_once(
    repository: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client given the same few plans for years: the export reads each plan once, however many sessions."""
    client = repository.create_client("Regular Client", consent=Consent(dt.date(2026, 11, 20), "1"))
    plans = [{"outcome": "proceed", "week": "even"}, {"outcome": "proceed", "week": "odd"}]
    for week in range(6):
        repository.add_session(client.id, Session(f"s{week}", START + dt.timedelta(weeks=week), plan=plans[week % 2]))
    decoded: list[bytes] = []

    def plan_text(compressed: bytes) -> str:
        decoded.append(compressed)
        return real_plan_text(compressed)

    monkeypatch.setattr(rows, "plan_text", plan_text)
    sessions = repository.history(client.id).sessions
    assert [session.plan for session in sessions] == [plans[week % 2] for week in range(6)]
    assert len(decoded) == 2
