"""Consent, the right of access, the audit log and owner-only files, proved on the repository."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from contextlib import closing
from pathlib import Path

import pytest

from app.domain.records import Consent, Session
from app.storage.client_file import parse
from app.storage.driver import sqlite3
from app.storage.errors import ConsentRequiredError
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore
from tests.storage.privacy_records import START, database_files, fill_client

# Every table of the schema. A new table must be covered by the export (and this test) before it is added here.
CLIENT_TABLES = {"clients", "intakes", "sessions", "plans", "marks", "strokes", "holds", "amendments"}
OTHER_TABLES = {"audit_log"}


# -- consent ------------------------------------------------------------------------------------------


@pytest.mark.app_audit_entries(reason="the SQLite store's own audit entries")
def test_no_session_of_any_kind_before_consent(store: RecordStore) -> None:
    client = store.create_client("Ben Other")
    with pytest.raises(ConsentRequiredError, match="record it before starting a session"):
        store.start_session(client.id)
    with pytest.raises(ConsentRequiredError):
        store.add_session(client.id, Session("written-up-later", START))
    assert store.list_sessions(client.id) == []
    store.record_consent(client.id, Consent(dt.date(2026, 11, 20), "1"))
    assert store.start_session(client.id, start=START).start == START
    assert [entry[1] for entry in store.audit_entries(client.id)] == ["create_client", "consent"]


@pytest.mark.local_file(reason="the consent's column in the SQLite file, read raw")
def test_a_guardian_is_stored_and_survives_export_and_import(
    repository: SqliteStore, tmp_path: Path, data_dir: Path
) -> None:
    minor = fill_client(repository, "Minor")
    adult = repository.create_client("Ada Adult", consent=Consent(dt.date(2026, 11, 20), "1"))
    with closing(sqlite3.connect(repository.local_folder.database_path)) as raw:
        stored = dict(raw.execute("SELECT id, consent_guardian FROM clients").fetchall())
    assert stored == {minor.client_id: minor.markers["guardian"], adult.id: ""}

    minor_file = repository.export_client(minor.client_id, tmp_path / "minor.json")
    adult_file = repository.export_client(adult.id, tmp_path / "adult.json")
    assert json.loads(minor_file.read_text("utf-8"))["client"]["consent"]["guardian"] == minor.markers["guardian"]
    assert "guardian" not in json.loads(adult_file.read_text("utf-8"))["client"]["consent"]  # only when non-empty

    with SqliteStore.open(tmp_path / "elsewhere") as other:
        other.import_records([parse(minor_file.read_text("utf-8"))])
        assert other.history(minor.client_id) == repository.history(minor.client_id)
        consent = other.get_client(minor.client_id).consent
        assert consent is not None
        assert consent.guardian == minor.markers["guardian"]


# -- the right of access ------------------------------------------------------------------------------


def _rows_of(connection: sqlite3.Connection, client_id: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row about the client, table by table, straight from the file."""
    sessions = [row[0] for row in connection.execute("SELECT id FROM sessions WHERE client_id = ?", (client_id,))]
    marks = ",".join("?" * len(sessions))
    found: dict[str, list[tuple[object, ...]]] = {
        "clients": connection.execute("SELECT * FROM clients WHERE id = ?", (client_id,)).fetchall(),
        "intakes": connection.execute("SELECT * FROM intakes WHERE client_id = ?", (client_id,)).fetchall(),
        "sessions": connection.execute("SELECT * FROM sessions WHERE client_id = ?", (client_id,)).fetchall(),
    }
    for table in ("marks", "strokes", "holds", "amendments"):
        found[table] = connection.execute(f"SELECT * FROM {table} WHERE session_id IN ({marks})", sessions).fetchall()
    return found


@pytest.mark.local_file(reason="every row of the SQLite file about the client, read raw")
def test_the_export_holds_every_row_about_the_client(repository: SqliteStore, tmp_path: Path) -> None:
    target = fill_client(repository, "Asked")
    other = fill_client(repository, "Other")
    exported = repository.export_client(target.client_id, tmp_path / "everything.json")
    text = exported.read_text("utf-8")
    data = json.loads(text)

    with closing(sqlite3.connect(repository.local_folder.database_path)) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == CLIENT_TABLES | OTHER_TABLES  # a new table needs a place in the export first
        held = _rows_of(raw, target.client_id)

    sessions = data["sessions"]
    assert len(held["clients"]) == 1
    assert len(data["intakes"]) == len(held["intakes"]) == 1
    assert len(sessions) == len(held["sessions"]) == 2
    for table, key in (("marks", "marks"), ("strokes", "strokes"), ("holds", "holds"), ("amendments", "amendments")):
        assert sum(len(session[key]) for session in sessions) == len(held[table]) > 0, table
    first = sessions[0]
    assert first["soap"] == {
        "subjective": target.markers["subjective"],
        "objective": target.markers["objective"],
        "assessment": target.markers["assessment"],
        "plan": target.markers["soap_plan"],
        "pain_before": 6,
        "pain_after": 3,
    }
    assert first["plan"] == {"outcome": "proceed", "aftercare": [target.markers["plan_text"]]}  # as given
    assert first["shared_note"] == target.markers["amended_note"]
    assert first["amendments"][0]["before"] == target.markers["shared_note"]
    assert first["amendments"][0]["reason"] == target.markers["amend_reason"]
    assert first["finalised"] is not None
    # Every free text held about the client is in the file, and nothing of anyone else.
    assert [field for field, marker in target.markers.items() if marker not in text] == []
    assert [field for field, marker in other.markers.items() if marker in text] == []
    # Read back, the file is the record: nothing held was left out or changed on the way.
    assert parse(text) == repository.history(target.client_id)


# -- the audit log ------------------------------------------------------------------------------------


@pytest.mark.local_file(reason="a backup of the local file is among the duties")
def test_duties_are_logged_with_time_and_what_but_no_names_or_notes(repository: SqliteStore, tmp_path: Path) -> None:
    target = fill_client(repository, "Logged")
    named_folder = tmp_path / f"{target.markers['name']} files"  # a folder named after the client
    named_folder.mkdir()
    repository.export_client(target.client_id, named_folder / f"{target.markers['name']}.json")
    plain_folder = tmp_path / "exports"
    plain_folder.mkdir()
    repository.export_client(target.client_id, plain_folder / f"{target.markers['name']}.json")
    repository.local_folder.backup()
    repository.finalise(target.session_ids[1])
    repository.delete_client(target.client_id)

    entries = repository.audit_entries()
    actions = [action for _at, action, _client, _what in entries]
    assert actions == [
        "create_client",
        "consent",
        "screening",
        "plan_given",
        "finalise",
        "amend",
        "export",
        "export",
        "backup",
        "finalise",
        "delete_client",
    ]
    for at, _action, _client, what in entries:
        assert dt.datetime.fromisoformat(at).tzinfo is not None
        assert what
    whats = {action: what for _at, action, _client, what in entries}
    assert whats["amend"] == f"session {target.session_ids[0]}: shared_note"
    exports = [what for _at, action, _client, what in entries if action == "export"]
    assert exports == ["to a file outside the data folder"] * 2  # never the path: it may name the client
    assert whats["backup"] == "to the backups folder of the data folder"
    assert whats["delete_client"] == "client erased with 2 sessions"
    text = repr(entries).lower()
    assert [field for field, marker in target.markers.items() if marker.lower() in text] == []


# -- owner-only files ---------------------------------------------------------------------------------


@pytest.mark.local_file(reason="the modes of the files in the data folder")
def test_files_stay_owner_only_whatever_the_umask(data_dir: Path, tmp_path: Path) -> None:
    previous = os.umask(0)  # the most permissive umask: every mode below is set by Backmap itself
    try:
        with SqliteStore.open(data_dir) as repository:
            target = fill_client(repository, "Private")
            backup = repository.local_folder.backup()
            exported = repository.export_client(target.client_id, tmp_path / "export.json")
            repository.delete_client(target.client_id)
            kept = fill_client(repository, "Kept")
            assert kept.client_id
            files = [*database_files(data_dir), backup, exported]
            assert len(files) == 5  # db, -wal, -shm, backup, export
            for path in files:
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
            for folder in (data_dir, backup.parent):
                assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    finally:
        os.umask(previous)
