"""Opening the one SQLite file: ours, a newer one of ours, or someone else's (DESIGN.md, "Storage").

Nothing is written before the file is known to be ours, current (or older: it is backed up, then migrated) and
sane: its header is read as plain bytes, its schema on a connection that cannot write or checkpoint. A damaged
file is therefore reported with its -wal and -shm exactly as found (a read-write connection would fold the -wal
into the main file when it closes). Opening reads the header and the schema only, not the whole file: the full
integrity check (`check_integrity`) runs where it costs nothing (in the background, before backups, `backmap
check`). A new database is built beside the final name and linked into place, so two first starts at once both
open the same complete file and nobody ever sees an empty one with a -wal beside it.

An encrypted database (its folder has a key file, app.storage.keys) is opened with its key: SQLCipher encrypts
every page, the header too, so there the header is read through a keyed read-only connection instead of as bytes
(each page's HMAC makes that check stricter, not weaker).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from app.storage import migrations
from app.storage.backup import BACKUPS_FOLDER, damaged
from app.storage.driver import SQLITE_MAGIC, sqlite3
from app.storage.errors import DamagedDatabaseError, NotFoundError, StorageError
from app.storage.files import PRIVATE_FILE_MODE, create_private_file, fsync_dir, temporary_sibling
from app.storage.keys import DatabaseKey, LockedError, is_encrypted
from app.storage.location import ensure_private_dir
from app.storage.schema import APPLICATION_ID, TABLES

DB_FILENAME = "backmap.sqlite3"
BUSY_TIMEOUT_MS = 5000
COMPANIONS = ("-wal", "-shm")  # SQLite's files beside the database, part of its state


@dataclass(frozen=True, slots=True)
class OpenDatabase:
    connection: sqlite3.Connection
    path: Path
    read_only_reason: str | None  # why nothing may be written, or None
    backups: tuple[Path, ...]  # taken before a migration on this open
    warnings: tuple[str, ...] = ()  # for the user, once (e.g. a new database beside old backups)
    newer_version: int | None = None  # the file's version when a newer Backmap wrote it (its format is unknown)
    key: DatabaseKey | None = None  # None: a plain (unencrypted) database


class NotEncryptedError(StorageError):
    """The database is plain, but its folder has a key file (an interrupted encryption, a restored plain backup)."""


@dataclass(frozen=True, slots=True)
class _Header:
    user_version: int
    application_id: int


def companion(path: Path, suffix: str) -> Path:
    return Path(f"{path}{suffix}")


def _read_header(path: Path, key: DatabaseKey | None = None) -> _Header | None:
    """The header fields we decide on, read as bytes (no SQLite involved); None for an empty file.

    An encrypted file's header is only readable with its key, which the keyed read-only check after this one
    (_checked_read_only) does: here it is taken as ours at version 0, which decides nothing before that check."""
    with path.open("rb") as file:
        header = file.read(100)
    if not header:
        return None
    if key is not None:
        if header.startswith(SQLITE_MAGIC):
            raise NotEncryptedError(f"{path} is not encrypted, but its folder has a key file; it was left untouched")
        return _Header(user_version=0, application_id=APPLICATION_ID)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StorageError(
            f"{path} is not a Backmap database (it is not an SQLite file); it was left untouched. "
            "Move it away, or use --data-dir to choose another folder."
        )
    return _Header(
        user_version=int.from_bytes(header[60:64], "big"),
        application_id=int.from_bytes(header[68:72], "big"),
    )


CHECK_COPY_PREFIX = ".backmap-check-"
STALE_CHECK_COPY_SECONDS = 3600  # older than any check takes: left by a killed process


def _remove_stale_check_copies(folder: Path) -> None:
    """Copies of the records that a killed check left in the data folder (they hold client data)."""
    for stale in folder.glob(f"{CHECK_COPY_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_CHECK_COPY_SECONDS:
                shutil.rmtree(stale)


def _header_through_wal_copy(path: Path, key: DatabaseKey | None) -> _Header | None:
    """The header of the database as its -wal completes it, read from a private copy; None if still unsound."""
    _remove_stale_check_copies(path.parent)
    with tempfile.TemporaryDirectory(prefix=CHECK_COPY_PREFIX, dir=path.parent) as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(companion(path, "-wal"), companion(copy, "-wal"))
        try:
            connection, header = _checked_read_only(copy, key=key)
        except DamagedDatabaseError:
            return None
        connection.close()
        return header


def _wal_has_frames(path: Path) -> bool:
    wal = companion(path, "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _has_wal(path: Path) -> bool:
    # Even an empty one: it means a connection is open (or a crash), and then immutable reads are not safe.
    return companion(path, "-wal").exists()


def _unreadable_with_key(path: Path, detail: str) -> DamagedDatabaseError:
    return damaged(path, f"{detail}: its key does not read it, so it is damaged or the key file is another folder's")


def _keyed(connection: sqlite3.Connection, key: DatabaseKey | None) -> sqlite3.Connection:
    """`connection` given its key first (before SQLite reads a page), or as it is for a plain database."""
    if key is not None:
        try:
            connection.execute(key.pragma)
        except BaseException:
            connection.close()
            raise
    return connection


def connect_read_only(
    path: Path, *, main_file_only: bool = False, key: DatabaseKey | None = None
) -> sqlite3.Connection:
    """A connection that cannot write or checkpoint. With no -wal (or `main_file_only`) it is `immutable`: it
    reads the main file alone and touches nothing, not even the -shm. With a -wal (another Backmap is open, or
    a crash left one) it reads through it; SQLite may then note its reader in the -shm, its shared-memory index,
    but the database and the -wal stay as they are."""
    options = "mode=ro" if _has_wal(path) and not main_file_only else "mode=ro&immutable=1"
    uri = f"file:{quote(str(path))}?{options}"
    return _keyed(sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False), key)


def connect_read_write(path: Path, key: DatabaseKey | None = None) -> sqlite3.Connection:
    connection = _keyed(sqlite3.connect(path, isolation_level=None, check_same_thread=False), key)
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


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _sane_header(connection: sqlite3.Connection, path: Path, *, keyed: bool = False) -> _Header:
    """The header as SQLite sees it and a look at the schema: page 1 and the schema pages, not the data."""
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            raise (_unreadable_with_key if keyed else damaged)(path, str(error)) from error
        raise
    if application_id == 0 and not tables:
        return _Header(0, APPLICATION_ID)  # an SQLite file with nothing in it yet: ours to fill
    if application_id == APPLICATION_ID and version >= 1 and not set(TABLES) <= tables:
        raise damaged(path, "tables are missing: " + ", ".join(sorted(set(TABLES) - tables)))
    return _Header(version, application_id)


def check_integrity(path: Path, key: DatabaseKey | None = None) -> list[str]:
    """The whole file through PRAGMA integrity_check, on a connection that cannot write: the problems, [] if sound.

    Reads every page (seconds on a large practice): for a background thread and `backmap check` (a backup checks
    its copy the same way). StorageError if the file is not a Backmap database at all.
    """
    try:
        _read_header(path, key)
        connection, _header = _checked_read_only(path, key=key)
    except DamagedDatabaseError as error:
        return [error.detail]
    try:
        with closing(connection):
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            return [str(error)]
        raise StorageError(f"cannot check the database {path}: {error}") from error
    return [] if verdict == ["ok"] else verdict


def read_only_media_reason(path: Path) -> str | None:
    """Why the data folder cannot be written (read-only media or permissions), or None when it can."""
    folder = path.parent
    if not folder.exists():
        return None
    if not os.access(folder, os.W_OK):
        what = f"the data folder {folder} is read-only"
    elif path.exists() and not os.access(path, os.W_OK):
        what = f"the database {path} is read-only"
    else:
        return None
    return (
        f"{what}, so the records are open read-only: they can be read, exported and planned, "
        "but nothing can be changed, backed up or logged"
    )


def open_database(path: Path, *, read_only_reason: str | None = None, key: DatabaseKey | None = None) -> OpenDatabase:
    """Opens (creating, migrating) the database at `path`; StorageError naming the problem otherwise.

    `read_only_reason`: open it read-only whatever the file allows, saying why (e.g. another window has it).
    `key`: the database key when its folder is encrypted (LockedError without it); a new database is created
    encrypted with it.
    """
    if key is None and is_encrypted(path.parent):
        raise LockedError(f"the records in {path.parent} are encrypted: they open with the passphrase")
    try:
        reason = read_only_reason or read_only_media_reason(path)
        if reason is not None:
            return _open_read_only(path, reason, key)
        return _open(path, key)
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            raise damaged(path, str(error)) from error
        raise StorageError(f"cannot open the database {path}: {error}; it was left untouched") from error
    except OSError as error:
        raise StorageError(f"cannot open the database {path}: {error.strerror}") from error


def _opened_newer(connection: sqlite3.Connection, path: Path, version: int, key: DatabaseKey | None) -> OpenDatabase:
    reason = (
        f"{path} was written by a newer Backmap (database version {version}; this one knows up to "
        f"{migrations.latest_version()}). It is open read-only and left unchanged: update Backmap to edit it."
    )
    return OpenDatabase(connection, path, reason, (), newer_version=version, key=key)


def _not_ours(path: Path, application_id: int) -> StorageError:
    return StorageError(
        f"{path} is an SQLite database, but not Backmap's (application id {application_id:#x}); "
        "it was left untouched. Move it away, or use --data-dir to choose another folder."
    )


def _checked_read_only(
    path: Path, *, main_file_only: bool = False, key: DatabaseKey | None = None
) -> tuple[sqlite3.Connection, _Header]:
    """A read-only connection and the header through it, the file known to be ours and sane."""
    connection = connect_read_only(path, main_file_only=main_file_only, key=key)
    return connection, _ours_and_sane(connection, path, keyed=key is not None)


def _ours_and_sane(connection: sqlite3.Connection, path: Path, *, keyed: bool) -> _Header:
    """The header through `connection`, the file known to be ours and sane; else `connection` is closed."""
    try:
        header = _sane_header(connection, path, keyed=keyed)
        if header.application_id != APPLICATION_ID:
            raise _not_ours(path, header.application_id)
    except BaseException:
        connection.close()
        raise
    return header


def _checked_encrypted(path: Path, key: DatabaseKey) -> sqlite3.Connection:
    """The read-write connection to encrypted records with no -wal beside them, the file known to be ours and sane
    through it: every page is authenticated under the key, so a file that reads is ours, and the look on a
    read-only connection first (for a plain file, or a -wal left by a crash) would be one keyed connection too
    many (a quarter of the open). Damage on page 1 fails before SQLite makes a -wal and -shm; damage elsewhere is
    found by the same look here, and SQLite removes the two files it made as this connection closes."""
    try:
        connection = connect_read_write(path, key)
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            raise _unreadable_with_key(path, str(error)) from error
        raise
    _ours_and_sane(connection, path, keyed=True)
    return connection


def _open_read_only(path: Path, reason: str, key: DatabaseKey | None) -> OpenDatabase:
    if not path.exists() or path.stat().st_size == 0:
        raise NotFoundError(f"there are no Backmap records in {path.parent} ({reason})")
    _read_header(path, key)
    connection, header = _checked_read_only(path, key=key)
    if header.user_version < migrations.latest_version():
        connection.close()
        raise StorageError(
            f"{path} is from an older Backmap and must be upgraded before this one can read it, which needs "
            f"a writable folder ({reason}). Copy the data folder somewhere writable and use --data-dir."
        )
    if header.user_version > migrations.latest_version():
        return _opened_newer(connection, path, header.user_version, key)
    return OpenDatabase(connection, path, reason, (), key=key)


def _make_private(path: Path) -> None:
    for file in (path, *(companion(path, suffix) for suffix in COMPANIONS)):
        if file.exists():
            os.chmod(file, PRIVATE_FILE_MODE)


def _backups_beside(path: Path) -> list[Path]:
    return sorted({*path.parent.glob(f"{path.name}.*.backup"), *(path.parent / BACKUPS_FOLDER).glob("*.sqlite3")})


def _create(path: Path, key: DatabaseKey | None) -> None:
    """A complete, current, empty database at `path`, built beside it and linked into place.

    If another process got there first, its file stays and is the one opened (both first starts succeed).
    """
    building = temporary_sibling(path)
    leftovers = (building, *(companion(building, suffix) for suffix in ("-journal", *COMPANIONS)))
    for leftover in leftovers:
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    create_private_file(building)
    try:
        with closing(_keyed(sqlite3.connect(building, isolation_level=None), key)) as connection:
            connection.execute("PRAGMA journal_mode = WAL")  # kept in the header: the file opens in WAL mode
            migrations.migrate(connection, building, key)
        descriptor = os.open(building, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(building, path)
        except FileExistsError:
            if path.stat().st_size == 0:  # an empty file from an interrupted first start: ours to fill
                os.replace(building, path)
        except OSError:  # no hard links on this file system (FAT): a rename, which a start at once could race
            if not path.exists():
                os.replace(building, path)
    finally:
        for leftover in leftovers:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    fsync_dir(path.parent)


def _open(path: Path, key: DatabaseKey | None) -> OpenDatabase:
    ensure_private_dir(path.parent)
    warnings: tuple[str, ...] = ()
    if not path.exists() or path.stat().st_size == 0:
        beside = [name for name in COMPANIONS if companion(path, name).exists()]
        if path.exists() and beside:
            raise damaged(
                path,
                f"the file is empty but its {' and '.join(beside)} {'files are' if len(beside) > 1 else 'file is'} "
                "beside it: the records may be in "
                "them, or the file was lost",
            )
        backups = _backups_beside(path)
        if backups:
            warnings = (
                f"{path} was {'empty' if path.exists() else 'missing'}, so Backmap started a new, empty database. "
                f"If your records should be there, close Backmap and run `backmap restore {backups[-1]}`.",
            )
        _create(path, key)
    header = _read_header(path, key)
    if header is None:  # emptied again since: not ours to guess about
        raise damaged(path, "the file is empty")
    if header.application_id not in (0, APPLICATION_ID):
        raise _not_ours(path, header.application_id)
    if header.user_version > migrations.latest_version():
        return _opened_newer(connect_read_only(path, key=key), path, header.user_version, key)
    if key is not None and not _has_wal(path):
        connection = _checked_encrypted(path, key)
    else:
        # On a connection that cannot checkpoint; the main file alone when it says it is ours, so that damage is
        # reported with even the -shm untouched. Otherwise through the -wal: a crash can leave the header only
        # there.
        try:
            checked, header = _checked_read_only(path, main_file_only=header.application_id == APPLICATION_ID, key=key)
            checked.close()
        except DamagedDatabaseError:
            # A kill in the middle of a checkpoint leaves the main file inconsistent on its own while the -wal
            # still holds every page. Read through the -wal on a copy (the -shm too stays as found) before calling
            # sound records damaged; the real connection below then replays the -wal.
            through_wal = _header_through_wal_copy(path, key) if _wal_has_frames(path) else None
            if through_wal is None:
                raise
            header = through_wal
        if header.user_version > migrations.latest_version():
            return _opened_newer(connect_read_only(path, key=key), path, header.user_version, key)
        connection = connect_read_write(path, key)
    try:
        _make_private(path)
        version = connection.execute("PRAGMA user_version").fetchone()[0]  # the -wal's, if newer than the file's
        if version > migrations.latest_version():
            connection.close()
            return _opened_newer(connect_read_only(path, key=key), path, version, key)
        backups = migrations.migrate(connection, path, key)
    except BaseException:
        connection.close()
        raise
    return OpenDatabase(connection, path, None, tuple(backups), warnings, key=key)
