"""How a backup is checked: every page of the copy when the records have not lately been checked in full, else
the copy's rows counted against the records' (each page read once a day, not once a backup); always a copy that
lost rows is refused and not kept."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.storage import backup as backup_module
from app.storage import local_folder as local_folder_module
from app.storage.driver import sqlite3
from app.storage.errors import StorageError
from app.storage.local_folder import CHECK_VOUCHES_FOR_S, LocalDataFolder
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import fill

pytestmark = pytest.mark.local_file(reason="backups of the local file")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement run on a connection the backup code opens (the copy's), in order."""
    sent: list[str] = []
    connect = sqlite3.connect

    def traced(database: Path, **options: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(database, **options)
        connection.set_trace_callback(sent.append)
        return connection

    monkeypatch.setattr(backup_module.sqlite3, "connect", traced)
    return sent


@pytest.fixture
def folder(data_dir: Path) -> Iterator[LocalDataFolder]:
    fill(data_dir, sessions=6)
    with SqliteStore.open(data_dir) as repository:
        assert repository.local_folder is not None
        yield repository.local_folder


def _rows_of(backup: Path, table: str) -> int:
    connection = sqlite3.connect(backup)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


def _reads_every_page(statements: list[str]) -> bool:
    return "PRAGMA quick_check" in statements


def test_a_backup_before_any_check_reads_every_page_of_its_copy(folder: LocalDataFolder, statements: list[str]) -> None:
    made = folder.backup()
    assert _reads_every_page(statements)
    assert _rows_of(made, "marks") == 6 * 12


def test_after_the_start_check_a_backup_counts_its_copy_rows_instead(
    folder: LocalDataFolder, statements: list[str]
) -> None:
    assert folder.check_integrity() == []
    statements.clear()
    made = folder.backup()
    assert not _reads_every_page(statements)
    assert any(statement.startswith('SELECT count(*) FROM "marks"') for statement in statements)
    assert _rows_of(made, "marks") == 6 * 12


def test_a_backup_that_read_every_page_vouches_for_the_next(folder: LocalDataFolder, statements: list[str]) -> None:
    folder.backup()
    statements.clear()
    folder.backup()
    assert not _reads_every_page(statements)


def test_a_day_after_the_last_full_check_a_backup_reads_every_page_again(
    folder: LocalDataFolder, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert folder.check_integrity() == []
    later = local_folder_module.monotonic() + CHECK_VOUCHES_FOR_S + 1
    monkeypatch.setattr(local_folder_module, "monotonic", lambda: later)
    statements.clear()
    folder.backup()
    assert _reads_every_page(statements)


def test_a_check_that_finds_damage_vouches_for_nothing(
    folder: LocalDataFolder, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_folder_module, "check_integrity", lambda path, key: ["row 3 missing from index"])
    assert folder.check_integrity() == ["row 3 missing from index"]
    statements.clear()
    folder.backup()
    assert _reads_every_page(statements)


def _wal_copied_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """The -wal copied without its frames (a copy cut short that said nothing): the copy opens, older."""
    copyfile: Callable[[Path, Path], object] = shutil.copyfile

    def short(source: Path, target: Path) -> None:
        copyfile(source, target)
        if str(source).endswith("-wal"):
            with open(target, "r+b") as wal:
                wal.truncate(32)  # the WAL header alone

    monkeypatch.setattr(backup_module.shutil, "copyfile", short)


@pytest.mark.parametrize("checked_first", [False, True], ids=["every page", "rows counted"])
def test_a_copy_that_lost_the_newest_rows_is_refused_and_not_kept(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, checked_first: bool
) -> None:
    fill(data_dir, sessions=2)
    with SqliteStore.open(data_dir) as repository:
        folder = repository.local_folder
        assert folder is not None
        if checked_first:
            assert folder.check_integrity() == []
        repository.create_client("Ben Example")  # in the -wal, not yet in the file
        assert (data_dir / "backmap.sqlite3-wal").stat().st_size > 32
        _wal_copied_short(monkeypatch)
        with pytest.raises(StorageError, match=r"the copy does not hold every row \(clients: 1 of 2"):
            folder.backup()
        assert list((data_dir / "backups").glob("*")) == []
        assert folder.read_only_reason is None  # the records are sound: nothing stops writing
