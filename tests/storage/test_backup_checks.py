"""How a backup is checked: every page of the copy when the records have not lately been checked in full (each
page is read once a day, not once a backup); always, a copy cut short is refused and not kept."""

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

    def traced(database: Path, *args: Any, **options: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(database, *args, **options)
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


def test_after_the_start_check_a_backup_checks_only_that_its_copy_is_whole(
    folder: LocalDataFolder, statements: list[str]
) -> None:
    assert folder.check_integrity() == []
    statements.clear()
    made = folder.backup()
    assert not _reads_every_page(statements)
    assert "PRAGMA page_count" in statements
    assert _rows_of(made, "marks") == 6 * 12


def test_a_background_duty_backup_counts_on_the_window_check(data_dir: Path, statements: list[str]) -> None:
    # The desktop backs up on a store of the duty's own (RecordStore.opener), after the start's check on the window's.
    fill(data_dir, sessions=2)
    with SqliteStore.open(data_dir) as window:
        assert window.local_folder.check_integrity() == []
        with window.opener()() as duty:
            statements.clear()
            duty.local_folder.backup()
    assert not _reads_every_page(statements)


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


def _copied_short(monkeypatch: pytest.MonkeyPatch, name: str, kept_bytes: int) -> None:
    """The file `name` copied short, as a disk that said nothing would: the copy still opens, older or torn."""
    copyfile: Callable[[Path, Path], object] = shutil.copyfile

    def short(source: Path, target: Path) -> None:
        copyfile(source, target)
        if Path(source).name == name:
            with open(target, "r+b") as copied:
                copied.truncate(kept_bytes)

    monkeypatch.setattr(backup_module.shutil, "copyfile", short)


@pytest.mark.parametrize("checked_first", [False, True], ids=["every page", "after the start check"])
@pytest.mark.parametrize(("file", "kept_bytes"), [("backmap.sqlite3", 4096), ("backmap.sqlite3-wal", 32)])
def test_a_copy_cut_short_is_refused_and_not_kept(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, checked_first: bool, file: str, kept_bytes: int
) -> None:
    # Kept: the first page; the -wal's header alone (SQLite would read the copy without the newest client).
    fill(data_dir, sessions=2)
    with SqliteStore.open(data_dir) as repository:
        folder = repository.local_folder
        assert folder is not None
        if checked_first:
            assert folder.check_integrity() == []
        repository.create_client("Ben Example")  # in the -wal, not yet in the file
        assert (data_dir / "backmap.sqlite3-wal").stat().st_size > 32
        _copied_short(monkeypatch, file, kept_bytes)
        with pytest.raises(StorageError, match=f"the copy of {file} holds {kept_bytes} of its .* bytes; it was not"):
            folder.backup()
        assert list((data_dir / "backups").glob("*")) == []
        assert folder.read_only_reason is None  # the records are sound: nothing stops writing
