"""Right to erasure: after delete_client the client's words are in no byte of the database, its -wal or -shm."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.storage.driver import sqlite3
from app.storage.local_folder import WAL_LEFTOVER_NOTE
from app.storage.sqlite_store import SqliteStore
from tests.storage.privacy_records import database_files, fill_client, found_in_bytes

pytestmark = pytest.mark.local_file(reason="an erasure's backups and the -wal of the local file")


def test_the_markers_are_in_the_files_before_deletion(data_dir: Path) -> None:
    """The check below can see the data: every field's marker is on disk while the client exists."""
    with SqliteStore.open(data_dir) as repository:
        target = fill_client(repository, "Gone")
        repository._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it into the main file
    found = found_in_bytes(database_files(data_dir), target.markers)
    assert sorted(found["backmap.sqlite3"]) == sorted(target.markers)


def test_a_deleted_client_is_in_no_byte_of_the_database_files(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        kept = fill_client(repository, "Kept")
        target = fill_client(repository, "Gone")
        kept_before = repository.history(kept.client_id)
        backup = repository.local_folder.backup()
        # Edits after the backup leave older versions of the rows in the -wal and in freed pages.
        for round_number in range(20):
            repository.set_mark(target.session_ids[1], "neck_r", "therapist", round_number % 10, "x" * 3000)
        erasure = repository.delete_client(target.client_id)

        assert erasure.client_id == target.client_id
        assert erasure.backups_holding_client == (backup,)
        assert found_in_bytes(database_files(data_dir), target.markers) == {}
        assert repository.history(kept.client_id) == kept_before
        assert [client.id for client in repository.list_clients()] == [kept.client_id]
        audit_text = repr(repository.audit_entries()).lower()
        assert not [field for field, marker in target.markers.items() if marker.lower() in audit_text]
        assert repository.audit_entries()[-1][1:3] == ("delete_client", target.client_id)
    # After closing (SQLite checkpoints and removes the -wal) nothing comes back either.
    assert found_in_bytes(database_files(data_dir), target.markers) == {}
    with SqliteStore.open(data_dir) as reopened:
        assert reopened.history(kept.client_id) == kept_before
    # The kept client's words are all still there: the check is not blind.
    assert sorted(found_in_bytes(database_files(data_dir), kept.markers)["backmap.sqlite3"]) == sorted(kept.markers)
    # The backup made before still holds the client, as the erasure said.
    assert set(found_in_bytes([backup], target.markers)[backup.name]) == set(target.markers)


def test_only_backups_that_hold_the_client_are_listed(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        before = repository.local_folder.backup()
        target = fill_client(repository, "Gone")
        holding = repository.local_folder.backup()
        # A copy kept before a migration sits beside the database; an unreadable one might hold anybody.
        migration_copy = data_dir / "backmap.sqlite3.v0-20261101T000000Z.backup"
        migration_copy.write_bytes(holding.read_bytes())
        damaged = data_dir / "backups" / "damaged.sqlite3"
        damaged.write_bytes(b"not a database at all" * 10)
        erasure = repository.delete_client(target.client_id)
        after = repository.local_folder.backup()
    assert set(erasure.backups_holding_client) == {holding, migration_copy, damaged}
    assert {before, holding, after} <= set((data_dir / "backups").iterdir())


def test_a_reader_holding_an_old_snapshot_is_reported_and_the_last_close_clears_the_wal(data_dir: Path) -> None:
    """Another program reading the file keeps the -wal from being emptied: the erasure says so, not silently."""
    with SqliteStore.open(data_dir) as repository:
        target = fill_client(repository, "Gone")
        repository._connection.execute("PRAGMA busy_timeout = 50")  # the checkpoint waits for readers: not 5 s here
        other = sqlite3.connect(repository.local_folder.database_path, isolation_level=None)
        try:
            other.execute("BEGIN")
            other.execute("SELECT count(*) FROM clients").fetchone()  # holds a read snapshot
            erasure = repository.delete_client(target.client_id)
            assert erasure.traces_left == WAL_LEFTOVER_NOTE
            assert "name" in found_in_bytes(database_files(data_dir), target.markers)["backmap.sqlite3-wal"]
            assert repository.list_clients() == []  # the rows themselves are gone
            other.execute("COMMIT")
        finally:
            other.close()
    assert found_in_bytes(database_files(data_dir), target.markers) == {}  # as WAL_LEFTOVER_NOTE promises


def test_without_other_readers_the_erasure_is_complete(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        target = fill_client(repository, "Gone")
        assert repository.delete_client(target.client_id).traces_left is None


def test_erasure_settings_of_the_live_connection(data_dir: Path) -> None:
    """Freed pages are overwritten, and VACUUM's transient copy of the file is made in memory, not in /tmp."""
    with SqliteStore.open(data_dir) as repository:
        connection = repository._connection
        assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
        assert connection.execute("PRAGMA temp_store").fetchone() == (2,)  # MEMORY
