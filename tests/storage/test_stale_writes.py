"""Two windows (two stores on the same records) cannot undo each other: a write based on an old version is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.records import Client, Consent, Intake, MarkState, Stroke
from app.storage import migrations
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3
from app.storage.errors import StaleWriteError
from app.storage.record_store import RecordStore
from app.storage.schema import APPLICATION_ID, SCHEMA_V1
from app.storage.sqlite_store import SqliteStore
from tests.storage.conftest import START

CHANGED_ELSEWHERE = "changed elsewhere .*— reloaded"


@pytest.fixture
def other(store: RecordStore) -> Iterator[RecordStore]:
    """A second window on the same records: a store of its own."""
    with store.opener()() as second:
        yield second


def test_a_stale_session_write_is_refused_and_the_other_write_survives(
    store: RecordStore, other: RecordStore, client: Client
) -> None:
    session = store.start_session(client.id, start=START)
    shown = other.get_session(session.id)  # the second window shows the session
    store.set_medium(session.id, "jojoba")  # the first changes it
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.set_medium(session.id, "almond", based_on=shown.version)
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.set_mark(session.id, "neck_l", "client", 4)  # based on what it last read
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.write_marks(shown, [MarkState("neck_l", "client", 4)])  # the session it shows is not the stored one
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.write_field(shown, "medium", "almond")
    assert store.get_session(session.id).medium == "jojoba"
    reloaded = other.get_session(session.id)  # the view reloads: now its writes go through
    assert other.set_mark(session.id, "neck_l", "client", 4, based_on=reloaded.version).version > reloaded.version


def test_a_stale_screening_cannot_drop_an_allergy(store: RecordStore, other: RecordStore, client: Client) -> None:
    today = dt.date(2026, 11, 20)
    store.save_intake(client.id, Intake(today - dt.timedelta(days=30)))
    assert other.latest_intake(client.id) is not None  # the second window's screening dialog opens on it
    store.save_intake(client.id, Intake(today, allergies=("almond",)))
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.save_intake(client.id, Intake(today, conditions="stiff neck"))
    latest = store.latest_intake(client.id)
    assert latest is not None
    assert latest.allergies == ("almond",)


def test_a_stale_client_edit_is_refused(store: RecordStore, other: RecordStore, client: Client) -> None:
    other.get_client(client.id)
    store.rename_client(client.id, "Ana Renamed")
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.update_contact(client.id, phone="555", email="")
    assert other.get_client(client.id).name == "Ana Renamed"
    assert other.update_contact(client.id, phone="555", email="").phone == "555"


def test_a_record_replaced_by_an_import_is_not_written_over(
    store: RecordStore, other: RecordStore, client: Client
) -> None:
    session = store.start_session(client.id, start=START)  # version 1, as a re-inserted row would be
    record = other.history(client.id)
    store.import_records([record], replace=True)  # e.g. `backmap import --replace` meanwhile
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.set_mark(session.id, "neck_l", "client", 2)
    with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
        other.rename_client(client.id, "Ana B")


def test_undo_never_removes_a_stroke_it_did_not_add(store: RecordStore, other: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    mine = Stroke("therapist", 6, 14.0, ((10.0, 20.0), (30.0, 40.0)))
    theirs = Stroke("therapist", 3, 8.0, ((50.0, 60.0),))
    after_mine = store.apply_stroke(session.id, mine, [])
    other.get_session(session.id)
    other.add_stroke(session.id, theirs)
    # Even an undo that names the newest version (as after a reload) removes only its own stroke.
    newest = store.get_session(session.id)
    with pytest.raises(StaleWriteError, match="not the one this undo would remove"):
        store.undo_stroke(session.id, mine, [MarkState("neck_l", "therapist", None)], based_on=newest.version)
    assert store.get_session(session.id).strokes == (mine, theirs)
    assert after_mine.version < newest.version


def test_versions_rise_with_every_write(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    versions = [session.version]
    for write in (
        lambda: store.set_mark(session.id, "neck_l", "client", 5),
        lambda: store.clear_mark(session.id, "neck_l", "client"),
        lambda: store.set_shared_note(session.id, "Drink water."),
        lambda: store.finalise(session.id, at=START + dt.timedelta(hours=1)),
    ):
        versions.append(write().version)
    assert versions == sorted(set(versions))
    assert store.record_consent(client.id, Consent(dt.date(2026, 11, 21), "2")).version == client.version + 1


@pytest.mark.local_file(reason="a schema-1 SQLite file, written raw")
def test_an_old_database_migrates_forward_with_versions(data_dir: Path) -> None:
    data_dir.mkdir()
    old = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    old.execute("PRAGMA journal_mode = WAL")
    for statement in SCHEMA_V1:
        old.execute(statement)
    old.execute("INSERT INTO clients (id, name, name_key, phone, email) VALUES ('c1', 'Ana', 'ana', '', '')")
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    old.execute("PRAGMA user_version = 1")
    old.close()
    with SqliteStore.open(data_dir) as repository:
        assert len(repository.local_folder.migration_backups) == 1
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (migrations.latest_version(),)
        client = repository.get_client("c1")
        assert client.version == 1
        assert repository.rename_client("c1", "Ana B").version == 2
