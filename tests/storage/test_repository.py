from __future__ import annotations

import dataclasses
import datetime as dt
import stat
from pathlib import Path

import pytest

from app.domain.records import (
    Client,
    Consent,
    Hold,
    Intake,
    Mark,
    PressureOverride,
    RecordError,
    Soap,
    Stroke,
)
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3
from app.storage.errors import ConsentRequiredError, NotFoundError, SessionLockedError, StorageError
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore
from tests.storage.conftest import START, consenting_client


def test_a_session_needs_recorded_consent(store: RecordStore) -> None:
    client = store.create_client("Ben")
    with pytest.raises(ConsentRequiredError, match="Ben has no recorded consent"):
        store.start_session(client.id)
    assert store.list_sessions(client.id) == []
    store.record_consent(client.id, Consent(dt.date(2026, 11, 20), "2"))
    assert store.start_session(client.id, start=START).start == START


def test_every_session_field_is_stored_and_read_back(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START, therapist="Thandi", medium="jojoba")
    store.set_mark(session.id, "neck_l", "client", 7, "sore")
    store.set_mark(session.id, "neck_l", "therapist", 5)
    store.set_mark(session.id, "neck_l", "client", 8, "worse")  # replaces the client's mark
    store.set_mark(session.id, "sacrum", "client", 0)
    store.clear_mark(session.id, "sacrum", "client")
    store.add_stroke(session.id, Stroke("therapist", 6, 14.0, ((101.5, 220.0), (130.0, 228.5))))
    store.log_hold(session.id, Hold("suboccipital_l", 12.4))
    store.log_hold(session.id, Hold("suboccipital_r", 11.0))
    store.set_soap(session.id, Soap(subjective="stiff", pain_before=6, pain_after=3))
    store.set_shared_note(session.id, "Stretch your neck every hour.")
    store.set_minutes(session.id, 45)
    store.set_position(session.id, "side-lying")
    store.set_medium(session.id, "none")
    store.set_override(session.id, PressureOverride(5, "asked for deep work"))
    saved = store.save_plan(session.id, {"outcome": "proceed", "steps": [], "warnings": ["Zoë"]})

    assert saved == store.get_session(session.id)
    assert saved.marks == (Mark("neck_l", "client", 8, "worse"), Mark("neck_l", "therapist", 5))
    assert [hold.region for hold in saved.holds] == ["suboccipital_l", "suboccipital_r"]
    assert saved.strokes[0].points == ((101.5, 220.0), (130.0, 228.5))
    assert (saved.minutes, saved.position, saved.medium, saved.therapist) == (
        45,
        "side-lying",
        "none",
        "Thandi",
    )
    assert saved.override == PressureOverride(5, "asked for deep work")
    assert saved.soap.pain_after == 3
    assert saved.plan == {"outcome": "proceed", "steps": [], "warnings": ["Zoë"]}
    assert "sacrum" not in saved.effective_tension()  # cleared = not assessed, not 0


@pytest.mark.app_audit_entries(reason="the SQLite store's own audit entries")
def test_a_finalised_session_changes_only_by_a_dated_amendment(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    store.set_mark(session.id, "neck_l", "client", 7, "sore")
    final = store.finalise(session.id, at=START + dt.timedelta(hours=1))
    assert final.is_final

    for edit in (
        lambda: store.set_mark(session.id, "neck_l", "client", 3),
        lambda: store.clear_mark(session.id, "neck_l", "client"),
        lambda: store.set_shared_note(session.id, "rewritten"),
        lambda: store.log_hold(session.id, Hold("neck_l", 10)),
        lambda: store.finalise(session.id),
    ):
        with pytest.raises(SessionLockedError, match="finalised on 2026-11-20T11:00:00\\+02:00"):
            edit()
    assert store.get_session(session.id) == final

    when = START + dt.timedelta(days=1)
    corrected = dataclasses.replace(final, marks=(Mark("neck_l", "client", 6, "sore"),), minutes=50)
    amended = store.amend(session.id, corrected, "misheard the client", at=when)
    assert amended.minutes == 50
    assert amended.finalised == final.finalised
    assert [(a.field, a.before, a.after, a.reason, a.at) for a in amended.amendments] == [
        ("minutes", 60, 50, "misheard the client", when),
        (
            "marks.neck_l.client",
            {"tension": 7, "note": "sore"},
            {"tension": 6, "note": "sore"},
            "misheard the client",
            when,
        ),
    ]
    again = store.amend(session.id, dataclasses.replace(amended, minutes=55), "second look", at=when)
    assert [a.field for a in again.amendments] == ["minutes", "marks.neck_l.client", "minutes"]
    assert again.amendments[2].before == 50  # the original 60 is still in the first amendment

    with pytest.raises(StorageError, match="changes nothing"):
        store.amend(session.id, again, "no change")
    with pytest.raises(StorageError, match="needs a reason"):
        store.amend(session.id, dataclasses.replace(again, minutes=30), " ")
    actions = [(action, what) for _, action, _, what in store.audit_entries(client.id)]
    assert ("finalise", f"session {session.id}") in actions
    assert ("amend", f"session {session.id}: minutes, marks.neck_l.client") in actions


@pytest.mark.local_file(reason="the SQLite file's own triggers, seen through a raw connection")
def test_the_database_refuses_edits_of_amendments_and_the_audit_log(repository: SqliteStore) -> None:
    client = consenting_client(repository)
    session = repository.finalise(repository.start_session(client.id, start=START).id)
    repository.amend(session.id, dataclasses.replace(session, minutes=30), "typo")
    connection = sqlite3.connect(repository.local_folder.database_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never edited"):
            connection.execute("UPDATE amendments SET reason = 'quiet'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET what = 'nothing'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
    finally:
        connection.close()


@pytest.mark.app_audit_entries(reason="the SQLite store's own audit entries")
def test_the_audit_log_never_carries_note_text(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    store.set_mark(session.id, "neck_l", "client", 7, "SECRET-NOTE")
    final = store.finalise(session.id)
    store.amend(session.id, dataclasses.replace(final, shared_note="SECRET-SHARED"), "SECRET-REASON")
    store.log_export(client.id, to_file=False)
    text = repr(store.audit_entries())
    assert "SECRET" not in text
    assert [entry[1] for entry in store.audit_entries()] == [
        "create_client",
        "consent",
        "finalise",
        "amend",
        "export",
    ]


def test_search_ignores_case_and_accents_and_names_resolve(store: RecordStore) -> None:
    zoe = store.create_client("Zoë Ångström")
    zoey = store.create_client("Zoey Smith")
    percent = store.create_client("100% Sure")
    assert store.search_clients("ZOE ANG") == [zoe]
    assert store.search_clients("zoe") == [zoe, zoey]
    assert store.search_clients("%") == [percent]  # LIKE wildcards are literal
    assert store.search_clients("  ") == [percent, zoe, zoey]  # a blank search lists everyone, by name
    assert store.search_clients("xavier") == []
    renamed = store.rename_client(zoey.id, "Zoey Jones")
    assert store.get_client(zoey.id) == renamed
    updated = store.update_contact(zoey.id, phone="+27 21 000 0000", email="z@example.org")
    assert (updated.phone, updated.email, updated.name) == ("+27 21 000 0000", "z@example.org", "Zoey Jones")
    assert store.set_born(zoey.id, dt.date(1990, 5, 1)).born == dt.date(1990, 5, 1)
    assert [client.name for client in store.list_clients()] == [
        "100% Sure",
        "Zoë Ångström",
        "Zoey Jones",
    ]


def test_intakes_are_one_per_date(store: RecordStore, client: Client) -> None:
    assert store.latest_intake(client.id) is None
    first = Intake(dt.date(2026, 11, 1), allergies=("almond",))
    store.save_intake(client.id, first)
    later = store.save_intake(client.id, Intake(dt.date(2026, 11, 20), conditions="asthma"))
    replaced = store.save_intake(client.id, Intake(dt.date(2026, 11, 1), allergies=("coconut",)))
    assert store.list_intakes(client.id) == [replaced, later]
    assert store.latest_intake(client.id) == later


def test_history_is_whole_and_lists_are_newest_first(store: RecordStore, client: Client) -> None:
    ids = []
    for day in range(3):
        session = store.start_session(client.id, start=START + dt.timedelta(days=day))
        store.set_mark(session.id, "rhomboid_r", "client", day)
        ids.append(session.id)
    assert [session.id for session in store.list_sessions(client.id)] == ids[::-1]
    record = store.history(client.id)
    assert [session.id for session in record.sessions] == ids
    assert [session.marks[0].tension for session in record.sessions] == [0, 1, 2]
    assert store.client_of_session(ids[1]) == client


@pytest.mark.app_audit_entries(reason="the SQLite store's own audit entries")
def test_a_deleted_client_is_gone_from_every_read_and_the_log_keeps_only_their_id(
    store: RecordStore, client: Client
) -> None:
    kept = store.create_client("Ben Kept")
    session = store.start_session(client.id, start=START)
    store.save_intake(client.id, Intake(dt.date(2026, 11, 20), conditions="asthma"))

    erasure = store.delete_client(client.id)

    assert erasure.client_id == client.id
    assert store.list_clients() == [kept]
    for read in (
        lambda: store.get_client(client.id),
        lambda: store.get_session(session.id),
        lambda: store.list_intakes(client.id),
        lambda: store.history(client.id),
    ):
        with pytest.raises(NotFoundError):
            read()
    assert store.audit_entries(client.id)[-1][1:] == ("delete_client", client.id, "client erased with 1 sessions")


def test_a_store_opened_like_this_one_reads_and_writes_the_same_records(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    with store.opener()() as other:  # e.g. the background job of a backup or an export
        assert other.get_session(session.id) == session
        other.set_shared_note(session.id, "Drink water.")
    assert store.get_session(session.id).shared_note == "Drink water."


def test_bad_values_raise_before_anything_is_written(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    with pytest.raises(RecordError, match="tension"):
        store.set_mark(session.id, "neck_l", "client", 11)
    with pytest.raises(RecordError, match="minutes"):
        store.set_minutes(session.id, 0)
    with pytest.raises(NotFoundError, match="no session with id 'nope'"):
        store.set_mark("nope", "neck_l", "client", 1)
    assert store.get_session(session.id) == session


@pytest.mark.local_file(reason="a second raw connection to the file")
def test_a_write_is_committed_when_the_call_returns(repository: SqliteStore) -> None:
    client = consenting_client(repository)
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "therapist", 4)
    other = sqlite3.connect(repository.local_folder.database_path)  # another connection sees it at once
    try:
        assert other.execute("SELECT tension FROM marks WHERE session_id = ?", (session.id,)).fetchall() == [(4,)]
    finally:
        other.close()


@pytest.mark.local_file(reason="file modes and the connection's WAL settings")
def test_files_are_owner_only_and_the_settings_are_as_designed(repository: SqliteStore) -> None:
    client = consenting_client(repository)
    repository.start_session(client.id, start=START)
    backup = repository.local_folder.backup()
    folder = repository.local_folder.path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (
        repository.local_folder.database_path,
        Path(f"{repository.local_folder.database_path}-wal"),
        Path(f"{repository.local_folder.database_path}-shm"),
        backup,
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    connection = repository._connection  # the settings of the live connection
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)


@pytest.mark.local_file(reason="SQLite's query plans")
def test_screens_queries_use_indexes(repository: SqliteStore) -> None:
    connection = repository._connection
    plans = {
        "sessions": "SELECT id FROM sessions WHERE client_id = 'c' ORDER BY start_utc DESC",
        "marks": "SELECT * FROM marks WHERE session_id = 's'",
    }
    for table, query in plans.items():
        detail = " ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + query))
        assert detail.startswith(f"SEARCH {table} USING"), detail  # an index (or the clustered key), no scan
        assert "TEMP B-TREE" not in detail, (table, detail)


@pytest.mark.local_file(reason="a backup is a copy of the file")
def test_a_backup_is_a_whole_standalone_copy(repository: SqliteStore, data_dir: Path, tmp_path: Path) -> None:
    client = consenting_client(repository)
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "client", 3)
    backup = repository.local_folder.backup(tmp_path / "copy.sqlite3")
    with pytest.raises(StorageError, match="already exists"):
        repository.local_folder.backup(backup, replace=False)
    copy = SqliteStore.open(data_dir / "restored")
    copy.close()
    restored_path = data_dir / "restored" / DB_FILENAME
    restored_path.write_bytes(backup.read_bytes())
    with SqliteStore.open(restored_path.parent) as restored:
        assert restored.get_session(session.id) == repository.get_session(session.id)
    assert repository.audit_entries()[-1][1] == "backup"
