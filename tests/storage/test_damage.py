"""A damaged database is found (full check in `backmap check`, before backups) and left exactly as found; the
advice in the message works as written, and `backmap restore` does it safely."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.domain.records import Consent
from app.storage.database import check_integrity
from app.storage.driver import sqlite3
from app.storage.errors import DamagedDatabaseError, StorageError
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import damage_data, damage_schema, db_path, fill, fingerprint

pytestmark = pytest.mark.local_file(reason="a damaged file, its -wal and -shm")

ROOT = Path(__file__).resolve().parents[2]


def _leave_wal_and_shm(data_dir: Path) -> None:
    """A process that wrote, then died without closing: the -wal and -shm stay beside the file."""
    code = (
        "import os\nfrom pathlib import Path\nfrom app.storage.sqlite_store import SqliteStore\n"
        f"r = SqliteStore.open(Path({str(data_dir)!r}))\nr._connection.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "r.create_client('Ben Example')\nos._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert {"backmap.sqlite3-wal", "backmap.sqlite3-shm"} <= set(fingerprint(data_dir))


def _backup(data_dir: Path) -> Path:
    with SqliteStore.open(data_dir) as repository:
        return repository.local_folder.backup()


def test_damage_on_opening_leaves_the_file_its_wal_and_shm_as_found(data_dir: Path) -> None:
    fill(data_dir, sessions=5)
    _leave_wal_and_shm(data_dir)
    damage_schema(db_path(data_dir))
    before = fingerprint(data_dir)
    with pytest.raises(DamagedDatabaseError, match="left untouched"):
        SqliteStore.open(data_dir)
    assert fingerprint(data_dir) == before  # all three files, byte for byte


def test_the_full_check_finds_damage_in_the_rows_and_changes_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(data_dir)
    damage_data(db_path(data_dir))
    before = fingerprint(data_dir)
    assert check_integrity(db_path(data_dir)) != []
    assert main(["check"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("backmap: the database ")
    assert "is damaged" in error
    assert "backmap restore" in error
    assert "Traceback" not in error
    assert fingerprint(data_dir) == before  # immutable: no -wal or -shm appeared either


def test_the_check_reads_through_a_wal_without_folding_it_in(data_dir: Path) -> None:
    fill(data_dir, sessions=2)
    _leave_wal_and_shm(data_dir)
    before = fingerprint(data_dir)
    assert check_integrity(db_path(data_dir)) == []
    after = fingerprint(data_dir)
    # SQLite notes a reader in the -shm (its shared-memory index); the data and the -wal are untouched.
    for name in ("backmap.sqlite3", "backmap.sqlite3-wal"):
        assert after[name] == before[name]


def test_a_backup_that_finds_damage_leaves_a_wal_unfolded(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir)
    _leave_wal_and_shm(data_dir)
    damage_data(db_path(data_dir))
    before = fingerprint(data_dir)
    assert main(["backup"]) == 1
    assert "is damaged" in capsys.readouterr().err
    after = fingerprint(data_dir)
    for name in ("backmap.sqlite3", "backmap.sqlite3-wal"):  # the -shm is SQLite's index of the -wal
        assert after[name] == before[name]


def test_a_sound_database_passes_the_check(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir, sessions=2)
    assert main(["check"]) == 0
    assert "no damage found" in capsys.readouterr().out


def test_the_advice_works_as_written(data_dir: Path, tmp_path: Path) -> None:
    client_id = fill(data_dir, sessions=3)
    backup = _backup(data_dir)
    _leave_wal_and_shm(data_dir)
    damage_schema(db_path(data_dir))
    with pytest.raises(DamagedDatabaseError) as raised:
        SqliteStore.open(data_dir)
    assert f"backmap restore {backup}" in str(raised.value)
    # "by hand move backmap.sqlite3 and its -wal and -shm files out of <folder>, then copy the backup in"
    aside = tmp_path / "aside"
    aside.mkdir()
    for name in ("backmap.sqlite3", "backmap.sqlite3-wal", "backmap.sqlite3-shm"):
        shutil.move(data_dir / name, aside / name)
    shutil.copy(backup, db_path(data_dir))
    with SqliteStore.open(data_dir) as repository:
        assert len(repository.list_sessions(client_id)) == 3


def test_restore_sets_the_damaged_files_aside_as_found(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client_id = fill(data_dir, sessions=3)
    backup = _backup(data_dir)
    _leave_wal_and_shm(data_dir)
    damage_schema(db_path(data_dir))
    damaged_files = {
        name: digest for name, digest in fingerprint(data_dir).items() if name.startswith("backmap.sqlite3")
    }
    assert main(["restore", str(backup)]) == 0
    printed = capsys.readouterr().out
    after = fingerprint(data_dir)
    kept = sorted(name for name in after if name.startswith("backmap.sqlite3.damaged-"))
    assert len(kept) == 3
    for name in kept:
        original = "backmap.sqlite3" + next((end for end in ("-wal", "-shm") if name.endswith(end)), "")
        assert after[name] == damaged_files[original]
        assert f"kept aside: {data_dir / name}" in printed
    with SqliteStore.open(data_dir) as repository:
        assert len(repository.list_sessions(client_id)) == 3
        assert [client.name for client in repository.list_clients()] == ["Ana Example"]  # Ben was after it


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(data_dir)
    backup = _backup(data_dir)
    damage_data(backup)
    before = fingerprint(data_dir)
    assert main(["restore", str(backup)]) == 1
    assert "was not restored: it is damaged" in capsys.readouterr().err
    assert fingerprint(data_dir) == before


def test_an_empty_file_with_a_wal_beside_it_is_refused(data_dir: Path) -> None:
    fill(data_dir, sessions=1)
    _leave_wal_and_shm(data_dir)
    db_path(data_dir).write_bytes(b"")
    before = fingerprint(data_dir)
    with pytest.raises(StorageError, match="the file is empty but its -wal and -shm files are beside it"):
        SqliteStore.open(data_dir)
    assert fingerprint(data_dir) == before


def test_an_empty_file_beside_backups_warns(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir, sessions=1)
    backup = _backup(data_dir)
    db_path(data_dir).write_bytes(b"")
    assert main(["export", "Ana"]) == 1  # a new, empty database: Ana is not in it
    error = capsys.readouterr().err
    assert "so Backmap started a new, empty database" in error
    assert f"If your records should be there, close Backmap and run `backmap restore {backup}`" in error


def test_records_left_by_a_kill_in_the_middle_of_a_checkpoint_open_through_their_wal(tmp_path: Path) -> None:
    """The main file alone is inconsistent (a checkpoint was cut short) while the -wal still holds every page:
    those records are sound and open, not "damaged"."""
    repository = SqliteStore.open(tmp_path / "live")
    repository.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    path = repository.local_folder.database_path
    repository.close()
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE scratch (x)")  # page 1 (the schema) now has its newer copy in the -wal only
    writer.commit()
    killed = tmp_path / "killed"
    killed.mkdir(mode=0o700)
    for suffix in ("", "-wal"):  # the files as the kill left them (the writer never closed)
        shutil.copyfile(f"{path}{suffix}", killed / f"{path.name}{suffix}")
    writer.close()
    main_file = killed / path.name
    half_written = bytearray(main_file.read_bytes())
    half_written[100:4096] = b"\xff" * (4096 - 100)  # page 1 cut off mid-copy
    main_file.write_bytes(bytes(half_written))

    reopened = SqliteStore.open(killed)
    assert [client.name for client in reopened.list_clients()] == ["Ana Example"]
    reopened.close()
