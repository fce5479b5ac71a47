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
from app.storage.repository import Repository
from tests.storage.conftest import START


def test_a_session_needs_recorded_consent(repository: Repository) -> None:
    client = repository.create_client("Ben")
    with pytest.raises(ConsentRequiredError, match="Ben has no recorded consent"):
        repository.start_session(client.id)
    assert repository.list_sessions(client.id) == []
    repository.record_consent(client.id, Consent(dt.date(2026, 11, 20), "2"))
    assert repository.start_session(client.id, start=START).start == START


def test_every_session_field_is_stored_and_read_back(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START, therapist="Thandi", medium="jojoba")
    repository.set_mark(session.id, "neck_l", "client", 7, "sore")
    repository.set_mark(session.id, "neck_l", "therapist", 5)
    repository.set_mark(session.id, "neck_l", "client", 8, "worse")  # replaces the client's mark
    repository.set_mark(session.id, "sacrum", "client", 0)
    repository.clear_mark(session.id, "sacrum", "client")
    repository.add_stroke(session.id, Stroke("therapist", 6, 14.0, ((101.5, 220.0), (130.0, 228.5))))
    repository.log_hold(session.id, Hold("suboccipital_l", 12.4))
    repository.log_hold(session.id, Hold("suboccipital_r", 11.0))
    repository.set_soap(session.id, Soap(subjective="stiff", pain_before=6, pain_after=3))
    repository.set_shared_note(session.id, "Stretch your neck every hour.")
    repository.set_minutes(session.id, 45)
    repository.set_position(session.id, "side-lying")
    repository.set_medium(session.id, "none")
    repository.set_override(session.id, PressureOverride(5, "asked for deep work"))
    saved = repository.save_plan(session.id, {"outcome": "proceed", "steps": [], "warnings": ["Zoë"]})

    assert saved == repository.get_session(session.id)
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


def test_a_finalised_session_changes_only_by_a_dated_amendment(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "client", 7, "sore")
    final = repository.finalise(session.id, at=START + dt.timedelta(hours=1))
    assert final.is_final

    for edit in (
        lambda: repository.set_mark(session.id, "neck_l", "client", 3),
        lambda: repository.clear_mark(session.id, "neck_l", "client"),
        lambda: repository.set_shared_note(session.id, "rewritten"),
        lambda: repository.log_hold(session.id, Hold("neck_l", 10)),
        lambda: repository.finalise(session.id),
    ):
        with pytest.raises(SessionLockedError, match="finalised on 2026-11-20T11:00:00\\+02:00"):
            edit()
    assert repository.get_session(session.id) == final

    when = START + dt.timedelta(days=1)
    corrected = dataclasses.replace(final, marks=(Mark("neck_l", "client", 6, "sore"),), minutes=50)
    amended = repository.amend(session.id, corrected, "misheard the client", at=when)
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
    again = repository.amend(session.id, dataclasses.replace(amended, minutes=55), "second look", at=when)
    assert [a.field for a in again.amendments] == ["minutes", "marks.neck_l.client", "minutes"]
    assert again.amendments[2].before == 50  # the original 60 is still in the first amendment

    with pytest.raises(StorageError, match="changes nothing"):
        repository.amend(session.id, again, "no change")
    with pytest.raises(StorageError, match="needs a reason"):
        repository.amend(session.id, dataclasses.replace(again, minutes=30), " ")
    actions = [(action, what) for _, action, _, what in repository.audit_entries(client.id)]
    assert ("finalise", f"session {session.id}") in actions
    assert ("amend", f"session {session.id}: minutes, marks.neck_l.client") in actions


def test_the_database_refuses_edits_of_amendments_and_the_audit_log(repository: Repository, client: Client) -> None:
    session = repository.finalise(repository.start_session(client.id, start=START).id)
    repository.amend(session.id, dataclasses.replace(session, minutes=30), "typo")
    connection = sqlite3.connect(repository.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="never edited"):
            connection.execute("UPDATE amendments SET reason = 'quiet'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET what = 'nothing'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
    finally:
        connection.close()


def test_the_audit_log_never_carries_note_text(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "client", 7, "SECRET-NOTE")
    final = repository.finalise(session.id)
    repository.amend(session.id, dataclasses.replace(final, shared_note="SECRET-SHARED"), "SECRET-REASON")
    repository.log_export(client.id, to_file=False)
    text = repr(repository.audit_entries())
    assert "SECRET" not in text
    assert [entry[1] for entry in repository.audit_entries()] == [
        "create_client",
        "consent",
        "finalise",
        "amend",
        "export",
    ]


def test_search_ignores_case_and_accents_and_names_resolve(repository: Repository) -> None:
    zoe = repository.create_client("Zoë Ångström")
    zoey = repository.create_client("Zoey Smith")
    percent = repository.create_client("100% Sure")
    assert repository.search_clients("ZOE ANG") == [zoe]
    assert repository.search_clients("zoe") == [zoe, zoey]
    assert repository.search_clients("%") == [percent]  # LIKE wildcards are literal
    assert repository.search_clients("  ") == [percent, zoe, zoey]  # a blank search lists everyone, by name
    assert repository.search_clients("xavier") == []
    renamed = repository.rename_client(zoey.id, "Zoey Jones")
    assert repository.get_client(zoey.id) == renamed
    updated = repository.update_contact(zoey.id, phone="+27 21 000 0000", email="z@example.org")
    assert (updated.phone, updated.email, updated.name) == ("+27 21 000 0000", "z@example.org", "Zoey Jones")
    assert repository.set_born(zoey.id, dt.date(1990, 5, 1)).born == dt.date(1990, 5, 1)
    assert [client.name for client in repository.list_clients()] == [
        "100% Sure",
        "Zoë Ångström",
        "Zoey Jones",
    ]


def test_intakes_are_one_per_date(repository: Repository, client: Client) -> None:
    assert repository.latest_intake(client.id) is None
    first = Intake(dt.date(2026, 11, 1), allergies=("almond",))
    repository.save_intake(client.id, first)
    later = repository.save_intake(client.id, Intake(dt.date(2026, 11, 20), conditions="asthma"))
    replaced = repository.save_intake(client.id, Intake(dt.date(2026, 11, 1), allergies=("coconut",)))
    assert repository.list_intakes(client.id) == [replaced, later]
    assert repository.latest_intake(client.id) == later


def test_history_is_whole_and_lists_are_newest_first(repository: Repository, client: Client) -> None:
    ids = []
    for day in range(3):
        session = repository.start_session(client.id, start=START + dt.timedelta(days=day))
        repository.set_mark(session.id, "rhomboid_r", "client", day)
        ids.append(session.id)
    assert [session.id for session in repository.list_sessions(client.id)] == ids[::-1]
    record = repository.history(client.id)
    assert [session.id for session in record.sessions] == ids
    assert [session.marks[0].tension for session in record.sessions] == [0, 1, 2]
    assert repository.client_of_session(ids[1]) == client


def test_bad_values_raise_before_anything_is_written(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    with pytest.raises(RecordError, match="tension"):
        repository.set_mark(session.id, "neck_l", "client", 11)
    with pytest.raises(RecordError, match="minutes"):
        repository.set_minutes(session.id, 0)
    with pytest.raises(NotFoundError, match="no session with id 'nope'"):
        repository.set_mark("nope", "neck_l", "client", 1)
    assert repository.get_session(session.id) == session


def test_a_write_is_committed_when_the_call_returns(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "therapist", 4)
    other = sqlite3.connect(repository.path)  # another connection sees it at once
    try:
        assert other.execute("SELECT tension FROM marks WHERE session_id = ?", (session.id,)).fetchall() == [(4,)]
    finally:
        other.close()


def test_files_are_owner_only_and_the_settings_are_as_designed(repository: Repository, client: Client) -> None:
    repository.start_session(client.id, start=START)
    backup = repository.backup()
    folder = repository.path.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (repository.path, Path(f"{repository.path}-wal"), Path(f"{repository.path}-shm"), backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    connection = repository._connection  # the settings of the live connection
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_screens_queries_use_indexes(repository: Repository) -> None:
    connection = repository._connection
    plans = {
        "sessions": "SELECT id FROM sessions WHERE client_id = 'c' ORDER BY start_utc DESC",
        "marks": "SELECT * FROM marks WHERE session_id = 's'",
    }
    for table, query in plans.items():
        detail = " ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + query))
        assert detail.startswith(f"SEARCH {table} USING"), detail  # an index (or the clustered key), no scan
        assert "TEMP B-TREE" not in detail, (table, detail)


def test_a_backup_is_a_whole_standalone_copy(
    repository: Repository, client: Client, data_dir: Path, tmp_path: Path
) -> None:
    session = repository.start_session(client.id, start=START)
    repository.set_mark(session.id, "neck_l", "client", 3)
    backup = repository.backup(tmp_path / "copy.sqlite3")
    with pytest.raises(StorageError, match="already exists"):
        repository.backup(backup, replace=False)
    copy = Repository.open(data_dir / "restored")
    copy.close()
    restored_path = data_dir / "restored" / DB_FILENAME
    restored_path.write_bytes(backup.read_bytes())
    with Repository.open(restored_path.parent) as restored:
        assert restored.get_session(session.id) == repository.get_session(session.id)
    assert repository.audit_entries()[-1][1] == "backup"
