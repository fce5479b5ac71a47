"""Copies of the database made with SQLite's online backup API, checked before they are kept."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path

from app.storage.errors import DamagedDatabaseError, StorageError
from app.storage.files import PRIVATE_FILE_MODE, create_private_file, fsync_dir, temporary_sibling
from app.storage.location import ensure_private_dir

BACKUPS_FOLDER = "backups"  # in the data folder
BACKUP_SUFFIX = ".sqlite3"


def restore_advice(path: Path) -> str:
    """What to do about a damaged database; both ways keep the damaged files."""
    folder = path.parent / BACKUPS_FOLDER
    backups = sorted(folder.glob(f"*{BACKUP_SUFFIX}"))
    which = (
        f"`backmap restore {backups[-1]}` (the latest backup)"
        if backups
        else (f"`backmap restore BACKUP` with your latest backup (there is none in {folder})")
    )
    return (
        f"Close Backmap and run {which}: it checks the backup, then moves the damaged files aside. "
        f"Or by hand: move {path.name} and its -wal and -shm files out of {path.parent}, "
        f"then copy the backup in as {path.name}."
    )


def damaged(path: Path, detail: str, state: str = "it was left untouched") -> DamagedDatabaseError:
    return DamagedDatabaseError(f"the database {path} is damaged ({detail}); {state}. {restore_advice(path)}", detail)


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem+suffix`, or with -2, -3... when a backup of the same second exists."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def backup_to(source: sqlite3.Connection, destination: Path) -> Path:
    """Copies the database to `destination` (0600, a standalone file without WAL), after integrity_check."""
    if destination.exists():
        raise StorageError(f"{destination} already exists; choose another file name")
    temporary = temporary_sibling(destination)
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        create_private_file(temporary)
        target = sqlite3.connect(temporary, isolation_level=None)
        try:
            source.backup(target)
            # The copy carries the source's WAL flag; a backup is one self-contained file.
            target.execute("PRAGMA journal_mode = DELETE")
            verdict = target.execute("PRAGMA integrity_check").fetchall()
        finally:
            target.close()
        if verdict != [("ok",)]:
            # The copy holds the very pages of the source: the source is damaged, and no backup is kept.
            source_path = Path(source.execute("PRAGMA database_list").fetchone()[2])
            problems = "; ".join(row[0] for row in verdict[:3])
            raise damaged(source_path, f"found by the integrity check of a backup, which was not kept: {problems}")
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, destination)
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            raise damaged(Path(source.execute("PRAGMA database_list").fetchone()[2]), str(error)) from error
        raise StorageError(f"could not back up the database to {destination}: {error}") from error
    except OSError as error:
        raise StorageError(f"could not write the backup {destination}: {error.strerror}") from error
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    fsync_dir(destination.parent)
    return destination


def backup_beside(source: sqlite3.Connection, db_path: Path, label: str) -> Path:
    """The backup taken before a migration: next to the database, named by the old version and the time."""
    destination = free_name(db_path.parent, f"{db_path.name}.{label}-{timestamp()}", ".backup")
    return backup_to(source, destination)


def backup_into(source: sqlite3.Connection, folder: Path) -> Path:
    """A timestamped backup in `folder` (e.g. <data>/backups)."""
    ensure_private_dir(folder)
    return backup_to(source, free_name(folder, f"backmap-{timestamp()}", BACKUP_SUFFIX))
