"""A mark's quality (what the tension feels like) in the database and in client files (versions 1 and 2)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.records import Amendment, Consent, Mark
from app.storage.client_file import dump, parse
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3
from app.storage.errors import ClientFileError
from app.storage.schema import APPLICATION_ID, SCHEMA_V1, SCHEMA_V2, SCHEMA_VERSION
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import START

EXAMPLE = (Path(__file__).parent / "design_example.json").read_text(encoding="utf-8")


def test_a_version_1_file_reads_unchanged_and_exports_byte_identical() -> None:
    canonical = dump(parse(EXAMPLE))
    assert json.loads(canonical)["version"] == 1
    record = parse(canonical)
    assert all(mark.quality is None for session in record.sessions for mark in session.marks)
    assert dump(record) == canonical
    assert '"quality"' not in canonical


def test_a_quality_makes_the_file_version_2_and_round_trips() -> None:
    record = parse(EXAMPLE)
    session = record.sessions[0]
    numb = replace(session.marks[0], quality="numbness")
    with_quality = replace(record, sessions=(replace(session, marks=(numb,)),))
    text = dump(with_quality)
    data = json.loads(text)
    assert data["version"] == 2
    assert data["sessions"][0]["marks"][0] == {
        "region": "trapezius_upper_l",
        "by": "therapist",
        "tension": 7,
        "note": "knot near the neck",
        "quality": "numbness",
    }
    assert parse(text) == with_quality
    assert dump(parse(text)) == text
    # Taking the quality away again gives back the version 1 file, byte for byte.
    assert dump(replace(with_quality, sessions=record.sessions)) == dump(record)


def test_an_amendment_that_recorded_a_quality_needs_version_2() -> None:
    record = parse(EXAMPLE)
    change = Amendment(
        at=START,
        field="marks.neck_l.client",
        before={"tension": 5, "note": "", "quality": "burning"},
        after=None,
        reason="entered by mistake",
    )
    session = replace(record.sessions[0], amendments=(change,))
    assert json.loads(dump(replace(record, sessions=(session,))))["version"] == 2


def test_a_version_1_file_with_a_quality_is_refused_naming_version() -> None:
    data = json.loads(EXAMPLE)
    data["sessions"][0]["marks"][0]["quality"] = "burning"
    with pytest.raises(ClientFileError) as raised:
        parse(json.dumps(data))
    assert raised.value.path == "version"
    data["version"] = 2
    assert parse(json.dumps(data)).sessions[0].marks[0].quality == "burning"


@pytest.mark.parametrize("bad", ["tingling", "", None, 3, ["numbness"]])
def test_an_unknown_quality_is_refused_naming_the_field(bad: object) -> None:
    data = json.loads(EXAMPLE)
    data["version"] = 2
    data["sessions"][0]["marks"][0]["quality"] = bad
    with pytest.raises(ClientFileError) as raised:
        parse(json.dumps(data))
    assert raised.value.path == "sessions[0].marks[0].quality"


def _version_2_database(data_dir: Path) -> None:
    """A database as the Backmap before mark qualities left it: schema 2, one client, one session, one mark."""
    data_dir.mkdir()
    old = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    old.execute("PRAGMA journal_mode = WAL")
    for statement in SCHEMA_V1 + SCHEMA_V2:
        old.execute(statement)
    old.execute(
        "INSERT INTO clients (id, name, name_key, phone, email, consent_date, consent_notice_version) "
        "VALUES ('c1', 'Ana', 'ana', '', '', '2026-11-20', '1')"
    )
    old.execute(
        "INSERT INTO sessions (id, client_id, start, start_utc, minutes, therapist, position, medium, "
        "soap_subjective, soap_objective, soap_assessment, soap_plan, shared_note) "
        "VALUES ('s1', 'c1', ?, ?, 60, '', 'prone', '', '', '', '', '', '')",
        (START.isoformat(), START.astimezone(dt.UTC).isoformat()),
    )
    old.execute("INSERT INTO marks (session_id, region, by, tension, note) VALUES ('s1', 'neck_l', 'client', 6, '')")
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    old.execute("PRAGMA user_version = 2")
    old.close()


@pytest.mark.local_file(reason="a schema-2 SQLite file, written raw, migrated")
def test_a_version_2_database_is_backed_up_and_migrated_keeping_its_marks(data_dir: Path) -> None:
    _version_2_database(data_dir)
    with SqliteStore.open(data_dir) as repository:
        (backup,) = repository.local_folder.migration_backups
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert repository.get_session("s1").marks == (Mark("neck_l", "client", 6),)
        saved = repository.set_mark("s1", "neck_l", "client", 6, quality="pins_and_needles")
        assert saved.marks[0].quality == "pins_and_needles"
    assert backup.name.startswith("backmap.sqlite3.v2-")
    with SqliteStore.open(data_dir) as repository:
        assert repository.get_session("s1").marks[0].quality == "pins_and_needles"
        assert repository.set_mark("s1", "neck_l", "client", 6).marks[0].quality is None


@pytest.mark.local_file(reason="the SQLite file's own CHECK, written raw")
def test_the_database_refuses_a_quality_it_does_not_know(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        client = repository.create_client("Ana")
        repository.record_consent(client.id, Consent(dt.date(2026, 11, 20), "1"))
        session = repository.start_session(client.id, start=START)
        repository.set_mark(session.id, "neck_l", "client", 6, quality="burning")
        with pytest.raises(sqlite3.IntegrityError):
            repository._connection.execute("UPDATE marks SET quality = 'tingling'")
