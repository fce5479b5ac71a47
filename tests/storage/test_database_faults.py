"""Files that are not ours, newer, damaged, full or read-only: a clear message, and not one byte changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.records import Consent
from app.storage import migrations
from app.storage.database import OpenDatabase
from app.storage.driver import sqlite3
from app.storage.errors import DamagedDatabaseError, ReadOnlyError, StorageError
from app.storage.schema import APPLICATION_ID, SCHEMA_VERSION
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import START, damage_schema, db_path, fill, fingerprint

pytestmark = pytest.mark.local_file(reason="a full disk, read-only files and other faults of the file")

NEXT_VERSION = SCHEMA_VERSION + 1  # a made-up next migration


def test_the_latest_migration_is_the_schema_version() -> None:
    assert migrations.latest_version() == SCHEMA_VERSION


def test_a_file_that_is_not_sqlite_is_left_untouched(data_dir: Path) -> None:
    data_dir.mkdir()
    db_path(data_dir).write_bytes(b"my shopping list\n" * 100)
    before = fingerprint(data_dir)
    with pytest.raises(StorageError, match="is not a Backmap database \\(it is not an SQLite file\\)"):
        SqliteStore.open(data_dir)
    assert fingerprint(data_dir) == before


def test_someone_elses_sqlite_file_is_left_untouched(data_dir: Path) -> None:
    data_dir.mkdir()
    other = sqlite3.connect(db_path(data_dir))
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    before = fingerprint(data_dir)
    with pytest.raises(StorageError, match="an SQLite database, but not Backmap's"):
        SqliteStore.open(data_dir)
    assert fingerprint(data_dir) == before


def test_an_empty_file_is_a_new_database(data_dir: Path) -> None:
    data_dir.mkdir()
    db_path(data_dir).touch()
    with SqliteStore.open(data_dir) as repository:
        assert repository.list_clients() == []
        assert repository.read_only_reason is None


def test_a_newer_database_opens_read_only_and_stays_byte_identical(data_dir: Path) -> None:
    client_id = fill(data_dir, sessions=3)
    raw = sqlite3.connect(db_path(data_dir))
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    before = fingerprint(data_dir)
    assert set(before) == {"backmap.sqlite3"}

    with SqliteStore.open(data_dir) as repository:
        assert repository.read_only_reason is not None
        assert "newer Backmap (database version 99" in (repository.read_only_reason or "")
        assert len(repository.list_sessions(client_id)) == 3  # still readable
        with pytest.raises(ReadOnlyError, match="open read-only and left unchanged"):
            repository.create_client("Ben")
        with pytest.raises(ReadOnlyError):
            repository.local_folder.backup()
        assert fingerprint(data_dir) == before  # no -wal or -shm appeared
    assert fingerprint(data_dir) == before


def test_a_damaged_schema_is_reported_on_opening_and_left_untouched(data_dir: Path) -> None:
    fill(data_dir)
    damage_schema(db_path(data_dir))
    before = fingerprint(data_dir)
    with pytest.raises(DamagedDatabaseError, match=r"is damaged .*left untouched.*backmap restore"):
        SqliteStore.open(data_dir)
    assert fingerprint(data_dir) == before


def test_a_full_disk_loses_nothing(data_dir: Path) -> None:
    client_id = fill(data_dir, sessions=2)
    before = fingerprint(data_dir)
    with SqliteStore.open(data_dir) as repository:
        session = repository.list_sessions(client_id)[0]
        connection = repository._connection  # simulate a full disk: no more pages than now
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageError, match=r"the disk is full .*nothing was saved"):
            repository.set_shared_note(session.id, "x" * 1_000_000)
        assert repository.get_session(session.id) == session
        record = repository.history(client_id)
        bigger = dataclasses.replace(record.sessions[0], shared_note="y" * 1_000_000)
        with pytest.raises(StorageError, match="the disk is full"):
            repository.import_records([dataclasses.replace(record, sessions=(bigger,))], replace=True)
        assert repository.history(client_id) == record  # the replace was rolled back whole
    assert fingerprint(data_dir) == before


def test_a_read_only_database_file_is_reported(data_dir: Path) -> None:
    client_id = fill(data_dir, sessions=1)
    before = fingerprint(data_dir)
    path = db_path(data_dir)
    # Tests run as root, so chmod proves nothing: a read-only connection stands in for a read-only file.
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    with SqliteStore(OpenDatabase(connection, path, None, ())) as repository:
        with pytest.raises(StorageError, match="is read-only: nothing was saved"):
            repository.rename_client(client_id, "Ben")
        assert repository.get_client(client_id).name == "Ana Example"
    # A mode=ro connection to a WAL file makes an empty -wal and a -shm itself (SQLite's rule, not ours).
    assert fingerprint(data_dir)["backmap.sqlite3"] == before["backmap.sqlite3"]


def test_a_megabyte_note_is_stored_whole(repository: SqliteStore) -> None:
    client = repository.create_client("Ana")
    repository.record_consent(client.id, Consent(dt.date(2026, 11, 20), "1"))
    session = repository.start_session(client.id, start=START)
    note = ("Zoë ✋🏽 שלום " * 80_000)[:1_000_000]
    repository.set_mark(session.id, "neck_l", "client", 5, note)
    saved = repository.set_shared_note(session.id, note)
    assert saved.shared_note == note
    assert repository.get_session(session.id).marks[0].note == note


def test_an_older_database_is_backed_up_then_migrated(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id = fill(data_dir, sessions=2)

    def add_room(connection: sqlite3.Connection) -> None:
        connection.execute("ALTER TABLE sessions ADD COLUMN room TEXT NOT NULL DEFAULT ''")

    monkeypatch.setitem(migrations.MIGRATIONS, NEXT_VERSION, add_room)
    with SqliteStore.open(data_dir) as repository:
        (backup,) = repository.local_folder.migration_backups
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (NEXT_VERSION,)
        assert len(repository.list_sessions(client_id)) == 2
    assert backup.parent == data_dir
    assert backup.name.startswith(f"backmap.sqlite3.v{SCHEMA_VERSION}-")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert old.execute("SELECT count(*) FROM sessions").fetchone() == (2,)
    finally:
        old.close()


def test_a_failed_migration_leaves_the_database_at_its_version(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(data_dir, sessions=1)

    def broken(connection: sqlite3.Connection) -> None:
        connection.execute("ALTER TABLE sessions ADD COLUMN room TEXT")
        connection.execute("ALTER TABLE nowhere ADD COLUMN room TEXT")

    monkeypatch.setitem(migrations.MIGRATIONS, NEXT_VERSION, broken)
    with pytest.raises(StorageError, match="no such table: nowhere"):
        SqliteStore.open(data_dir)
    monkeypatch.delitem(migrations.MIGRATIONS, NEXT_VERSION)
    with SqliteStore.open(data_dir) as repository:
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        columns = [row[1] for row in repository._connection.execute("PRAGMA table_info(sessions)")]
        assert "room" not in columns


def _in_child(code: str) -> None:
    # A process that ends with os._exit: no close, no checkpoint, as after a crash or a kill.
    subprocess.run([sys.executable, "-c", code + "\nimport os; os._exit(0)"], check=True, cwd=Path(__file__).parents[2])


def test_the_file_identifies_itself_as_soon_as_it_is_created(data_dir: Path) -> None:
    _in_child(
        "from pathlib import Path\nfrom app.storage.sqlite_store import SqliteStore\n"
        f"SqliteStore.open(Path({str(data_dir)!r})).create_client('Ana Example')"
    )
    header = db_path(data_dir).read_bytes()[:100]
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID  # in the file, not only in its WAL
    with SqliteStore.open(data_dir) as repository:
        assert [client.name for client in repository.list_clients()] == ["Ana Example"]


def test_a_header_left_only_in_the_wal_by_a_crash_is_still_recognised(data_dir: Path) -> None:
    # Our schema and header committed to the WAL, never checkpointed into the file (the file says id 0).
    _in_child(
        "import sqlite3\nfrom app.storage import migrations\nfrom app.storage.location import ensure_private_dir\n"
        f"from pathlib import Path\nensure_private_dir(Path({str(data_dir)!r}))\n"
        f"c = sqlite3.connect({str(db_path(data_dir))!r}, isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode = WAL'); c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute('BEGIN'); migrations.MIGRATIONS[1](c)\n"
        f"c.execute('PRAGMA application_id = {APPLICATION_ID}'); c.execute('PRAGMA user_version = 1')\n"
        "c.execute('COMMIT')"
    )
    assert int.from_bytes(db_path(data_dir).read_bytes()[68:72], "big") == 0
    with SqliteStore.open(data_dir) as repository:
        assert repository.read_only_reason is None
        assert repository.list_clients() == []
