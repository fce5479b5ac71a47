"""Putting a backup in place of a damaged (or lost) database, keeping what was there aside.

The backup is checked first (ours, not newer, PRAGMA integrity_check on a connection that cannot write it); a
backup that fails is refused and nothing changes. The current database and its -wal and -shm are renamed
aside with a dated suffix, never opened (opening could fold the -wal into them), so they stay as found.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from app.storage import migrations
from app.storage.backup import free_name, timestamp
from app.storage.database import COMPANIONS, DB_FILENAME, companion, connect_read_only, open_database
from app.storage.driver import is_plain_file, sqlite3
from app.storage.encryption import finish_encryption
from app.storage.errors import StorageError
from app.storage.files import PRIVATE_FILE_MODE, fsync_dir, temporary_sibling
from app.storage.keys import DatabaseKey
from app.storage.location import ensure_private_dir
from app.storage.schema import APPLICATION_ID

ASIDE_INFIX = ".damaged-"  # backmap.sqlite3.damaged-<time>, with its -wal and -shm


@dataclass(frozen=True, slots=True)
class Restored:
    database: Path
    set_aside: tuple[Path, ...]  # what was there before, renamed


def _refuse(backup: Path, why: str) -> StorageError:
    return StorageError(f"{backup} was not restored: {why}. Nothing was changed; try an older backup.")


def verify_backup(backup: Path, key: DatabaseKey | None = None) -> None:
    """StorageError unless `backup` is a sound Backmap database this version can open.

    `key`: the data folder's, for an encrypted backup (a plain one is read without it)."""
    if not backup.is_file():
        raise _refuse(backup, "it is not a file")
    plain = is_plain_file(backup)
    if not plain and key is None:
        raise _refuse(backup, "it is not a plain SQLite file, and these records have no key to read it with")
    try:
        with closing(connect_read_only(backup, main_file_only=True, key=None if plain else key)) as connection:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        why = "it is damaged" if plain else "it is damaged, or encrypted with another key"
        raise _refuse(backup, f"{why} ({error})") from error
    if application_id != APPLICATION_ID:
        raise _refuse(backup, "it is not a Backmap database")
    if version > migrations.latest_version():
        raise _refuse(backup, f"it was written by a newer Backmap (database version {version})")
    if verdict != ["ok"]:
        raise _refuse(backup, "it failed its integrity check (" + "; ".join(verdict[:3]) + ")")


def restore_backup(data_dir: Path, backup: Path, key: DatabaseKey | None = None) -> Restored:
    """Checks `backup`, sets the database of `data_dir` aside and puts a copy of the backup in its place.

    The caller makes sure no Backmap has the records open (the desktop app's lock). `key`: the folder's, when it
    is encrypted; a plain backup restored there is encrypted with it (the plain copy is overwritten).
    """
    verify_backup(backup, key)
    ensure_private_dir(data_dir)
    path = data_dir / DB_FILENAME
    copy = temporary_sibling(path)
    try:
        shutil.copyfile(backup, copy)
        os.chmod(copy, PRIVATE_FILE_MODE)
        descriptor = os.open(copy, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        aside = _set_aside(path)
        os.replace(copy, path)
    except OSError as error:
        raise StorageError(f"could not restore {backup} into {data_dir}: {error.strerror}") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()
    fsync_dir(data_dir)
    if key is not None and is_plain_file(path):
        finish_encryption(data_dir, key)
    open_database(path, key=key).connection.close()  # an older backup is migrated now, with its own backup first
    return Restored(path, aside)


def _set_aside(path: Path) -> tuple[Path, ...]:
    stem = free_name(path.parent, f"{path.name}{ASIDE_INFIX}{timestamp()}", "").name  # never over earlier ones
    moved = []
    for suffix in ("", *COMPANIONS):
        current = companion(path, suffix)
        if current.exists():
            target = path.with_name(stem + suffix)
            os.rename(current, target)
            moved.append(target)
    return tuple(moved)
