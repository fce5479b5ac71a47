"""Opening the one SQLite file: ours, a newer one of ours, or someone else's (DESIGN.md, "Storage").

A file that is not ours, or from a newer Backmap, is looked at without being written: its header is read as
plain bytes first, and a newer file is opened with `immutable=1`, which creates no -wal or -shm file. Only a
file that is ours and current (or older: it is backed up, then migrated) gets a read-write connection.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from app.storage import migrations
from app.storage.errors import StorageError
from app.storage.files import PRIVATE_FILE_MODE, create_private_file
from app.storage.location import ensure_private_dir
from app.storage.schema import APPLICATION_ID

DB_FILENAME = "backmap.sqlite3"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class OpenDatabase:
    connection: sqlite3.Connection
    path: Path
    read_only_reason: str | None  # why nothing may be written, or None
    backups: tuple[Path, ...]  # taken before a migration on this open


@dataclass(frozen=True, slots=True)
class _Header:
    user_version: int
    application_id: int


def _read_header(path: Path) -> _Header | None:
    """The header fields we decide on, read as bytes (no SQLite involved); None for an empty file."""
    with path.open("rb") as file:
        header = file.read(100)
    if not header:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StorageError(
            f"{path} is not a Backmap database (it is not an SQLite file); it was left untouched. "
            "Move it away, or use --data-dir to choose another folder."
        )
    return _Header(
        user_version=int.from_bytes(header[60:64], "big"),
        application_id=int.from_bytes(header[68:72], "big"),
    )


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file or create -wal/-shm next to it."""
    uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


def connect_read_write(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StorageError(f"{path}: could not switch the database to WAL mode (it is in {mode!r} mode)")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten, not just unlinked: erased health data must not linger in free pages.
        connection.execute("PRAGMA secure_delete = ON")
        # VACUUM's transient copy of the whole file and large sorts stay in memory, never in the shared /tmp.
        connection.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        connection.close()
        raise
    return connection


def _header_through_wal(path: Path) -> _Header | None:
    """The header as SQLite sees it with the -wal applied (a crash can leave the real one only in the WAL).

    Read-only and not immutable, so the WAL is read but never folded into the file; None if it cannot be read.
    """
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error:
        return None
    return _Header(user_version=version, application_id=application_id)


def _is_empty_database(path: Path) -> bool:
    """A SQLite file with no tables: a first start that stopped before the schema was committed."""
    if Path(f"{path}-wal").exists():
        return False
    connection = connect_read_only(path)
    try:
        count: int = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return count == 0
    finally:
        connection.close()


def _newer_reason(path: Path, version: int) -> str:
    return (
        f"{path} was written by a newer Backmap (database version {version}; this one knows up to "
        f"{migrations.latest_version()}). It is open read-only and left unchanged: update Backmap to edit it."
    )


def _make_private(path: Path) -> None:
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            os.chmod(file, PRIVATE_FILE_MODE)


def _damaged(path: Path, detail: str) -> StorageError:
    return StorageError(
        f"the database {path} is damaged ({detail}); it was left untouched. "
        "Restore the latest backup (in the backups folder next to it)."
    )


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA quick_check").fetchall()
    if verdict != [("ok",)]:
        raise _damaged(path, verdict[0][0])


def open_database(path: Path) -> OpenDatabase:
    """Opens (creating, migrating) the database at `path`; StorageError naming the problem otherwise."""
    try:
        return _open(path)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            raise _damaged(path, str(error)) from error
        raise StorageError(f"cannot open the database {path}: {error}; it was left untouched") from error
    except OSError as error:
        raise StorageError(f"cannot open the database {path}: {error.strerror}") from error


def _open(path: Path) -> OpenDatabase:
    ensure_private_dir(path.parent)
    if not path.exists():
        create_private_file(path)
    header = _read_header(path)
    if header is not None and header.application_id == 0 and Path(f"{path}-wal").exists():
        header = _header_through_wal(path) or header
    if header is not None and header.application_id != APPLICATION_ID:
        if header.application_id != 0 or not _is_empty_database(path):
            raise StorageError(
                f"{path} is an SQLite database, but not Backmap's "
                f"(application id {header.application_id:#x}); "
                "it was left untouched. Move it away, or use --data-dir to choose another folder."
            )
        header = None
    if header is not None and header.user_version > migrations.latest_version():
        reason = _newer_reason(path, header.user_version)
        return OpenDatabase(connect_read_only(path), path, reason, ())
    connection = connect_read_write(path)
    try:
        _make_private(path)
        # The header may be older than a WAL that a crash left behind: ask SQLite for the real values.
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > migrations.latest_version():
            connection.close()
            return OpenDatabase(connect_read_only(path), path, _newer_reason(path, version), ())
        if header is not None:
            _check_integrity(connection, path)
        backups = migrations.migrate(connection, path, version)
    except BaseException:
        connection.close()
        raise
    return OpenDatabase(connection, path, None, tuple(backups))
