"""Turning plain records into encrypted ones (DESIGN.md, "Storage": encryption at rest).

The order keeps the records whole whatever stops it: a plain, timestamped backup first; then an encrypted copy
built beside the database with SQLCipher's `sqlcipher_export` and verified (integrity_check and the same number
of rows in every table); then the key file; then the copy renamed into place. Only then is the plain file
overwritten and the backups in the data folder encrypted the same way, each verified before its plain bytes go.
A stop after the key file is written leaves a plain database beside it, which the next open with the key finishes
(`finish_encryption`); a stop before leaves the plain records as they were.

The plain bytes are overwritten with zeros before their file goes, which is what a program can do: an SSD or a
copy-on-write file system may still keep old blocks, so full-disk encryption stays the advice (docs/privacy.md).
"""

from __future__ import annotations

import contextlib
import os
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from app.storage import migrations
from app.storage.backup import BACKUP_SUFFIX, BACKUPS_FOLDER, backup_beside, cache_whole_file, remembered_backups
from app.storage.database import COMPANIONS, DB_FILENAME, companion, connect_read_write, open_database
from app.storage.driver import is_plain_file, sqlite3
from app.storage.errors import StorageError
from app.storage.files import create_private_file, fsync_dir, temporary_sibling
from app.storage.keys import DatabaseKey, NewKeys, is_encrypted, new_keys, write_key_file
from app.storage.location import ensure_private_dir
from app.storage.schema import APPLICATION_ID

SCRUB_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Encryption:
    """What encrypting a data folder did, for the therapist."""

    recovery_key: str  # to be shown once and printed: it is stored nowhere
    key: DatabaseKey
    encrypted_backups: tuple[Path, ...]  # backups in the data folder, encrypted in place
    plain_elsewhere: tuple[Path, ...]  # backups made to other places, still plain: the therapist's to delete
    left_plain: tuple[Path, ...] = ()  # files in the data folder that could not be read to encrypt (damaged)


def set_up_new_folder(data_dir: Path, passphrase: str) -> NewKeys:
    """Keys for a data folder with no records yet: the database is created encrypted when first opened."""
    if (data_dir / DB_FILENAME).exists() and (data_dir / DB_FILENAME).stat().st_size:
        raise StorageError(f"{data_dir} already holds records: encrypt them with `backmap key encrypt`")
    keys = new_keys(passphrase)
    ensure_private_dir(data_dir)
    write_key_file(data_dir, keys.key_file)
    return keys


def encrypt_records(data_dir: Path, passphrase: str) -> Encryption:
    """Encrypts the plain records of `data_dir` (and the backups in it) with a new key wrapped by `passphrase`."""
    if is_encrypted(data_dir):
        raise StorageError(f"the records in {data_dir} are already encrypted")
    path = data_dir / DB_FILENAME
    keys = new_keys(passphrase)
    if not path.exists() or path.stat().st_size == 0:
        ensure_private_dir(data_dir)
        write_key_file(data_dir, keys.key_file)
        return Encryption(keys.recovery_key, keys.key, (), ())
    database = open_database(path)  # migrated first, with its own backup, like any open
    if database.read_only_reason is not None:
        database.connection.close()
        raise StorageError(f"the records cannot be encrypted: {database.read_only_reason}")
    try:
        backup_beside(database.connection, path, "pre-encryption")
        encrypted_copy = _encrypted_copy(database.connection, path, keys.key)  # verified before anything changes
    finally:
        database.connection.close()
    write_key_file(data_dir, keys.key_file)
    _put_in_place(encrypted_copy, path)
    encrypted, left_plain = _encrypt_backups(data_dir, keys.key)
    return Encryption(keys.recovery_key, keys.key, encrypted, _plain_backups_elsewhere(data_dir), left_plain)


def finish_encryption(data_dir: Path, key: DatabaseKey) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Encrypts the plain database of an encrypted folder (an interrupted encryption, a restored plain backup),
    then the plain backups beside it; returns (the backups encrypted, the files that could not be)."""
    path = data_dir / DB_FILENAME
    if is_plain_file(path):
        connection = connect_read_write(path)
        try:
            if connection.execute("PRAGMA user_version").fetchone()[0] < migrations.latest_version():
                migrations.migrate(connection, path)  # its backup is plain, and encrypted below with the rest
            encrypted_copy = _encrypted_copy(connection, path, key)
        finally:
            connection.close()
        _put_in_place(encrypted_copy, path)
    return _encrypt_backups(data_dir, key)


def _put_in_place(encrypted_copy: Path, path: Path) -> None:
    """The verified encrypted copy in place of the plain database, whose connections are all closed."""
    if any(companion(path, suffix).exists() for suffix in COMPANIONS):  # the last to close removes them
        _remove_with_companions(encrypted_copy)
        raise StorageError(f"another program has {path} open: close it, then open Backmap again")
    _replace_and_scrub(encrypted_copy, path)


def _table_counts(connection: sqlite3.Connection, schema: str) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(f"SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' ORDER BY name")
    ]
    return {table: connection.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0] for table in tables}


def _encrypted_copy(plain: sqlite3.Connection, path: Path, key: DatabaseKey) -> Path:
    """An encrypted copy of the plain database on `plain`, beside `path`, verified; its path."""
    building = temporary_sibling(path.with_name(f"{path.name}.encrypting"))
    _remove_with_companions(building)
    create_private_file(building)
    try:
        plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(building), f"x'{key.raw.hex()}'"))
        try:
            plain.execute("SELECT sqlcipher_export('encrypted')")
            # sqlcipher_export copies the schema and the rows, not the header fields that say the file is ours.
            plain.execute(f"PRAGMA encrypted.user_version = {plain.execute('PRAGMA user_version').fetchone()[0]}")
            plain.execute(f"PRAGMA encrypted.application_id = {APPLICATION_ID}")
            expected = _table_counts(plain, "main")
        finally:
            plain.execute("DETACH DATABASE encrypted")
        with closing(sqlite3.connect(building, isolation_level=None)) as copy:
            copy.execute(key.pragma)
            cache_whole_file(copy)
            verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            found = _table_counts(copy, "main")
            if path.name == DB_FILENAME:
                copy.execute("PRAGMA journal_mode = WAL")  # the database opens in WAL mode; backups stay single files
        if verdict != ["ok"] or found != expected:
            raise StorageError(
                f"the encrypted copy of {path} did not verify ({'; '.join(verdict[:3])}; rows {found} against "
                f"{expected}); the plain records were left as they were"
            )
        descriptor = os.open(building, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except BaseException:
        _remove_with_companions(building)
        raise
    return building


def _remove_with_companions(path: Path) -> None:
    for leftover in (path, *(companion(path, suffix) for suffix in ("-journal", *COMPANIONS))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _replace_and_scrub(encrypted: Path, plain: Path) -> None:
    """Renames `encrypted` over `plain`, then overwrites the plain file's old bytes (still reachable through an
    open descriptor) with zeros."""
    descriptor = os.open(plain, os.O_RDWR)
    try:
        os.replace(encrypted, plain)
        fsync_dir(plain.parent)
        size = os.fstat(descriptor).st_size
        zeros = bytes(SCRUB_CHUNK)
        for offset in range(0, size, SCRUB_CHUNK):
            os.pwrite(descriptor, zeros[: min(SCRUB_CHUNK, size - offset)], offset)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _backups_in(data_dir: Path) -> list[Path]:
    return sorted({*data_dir.glob(f"{DB_FILENAME}.*.backup"), *(data_dir / BACKUPS_FOLDER).glob(f"*{BACKUP_SUFFIX}")})


def _encrypt_backups(data_dir: Path, key: DatabaseKey) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    encrypted: list[Path] = []
    left_plain: list[Path] = []
    for backup in _backups_in(data_dir):
        if not backup.is_file() or backup.stat().st_size == 0 or not is_plain_file(backup):
            continue
        try:
            with closing(sqlite3.connect(backup, isolation_level=None)) as connection:
                copy = _encrypted_copy(connection, backup, key)
            _replace_and_scrub(copy, backup)
            encrypted.append(backup)
        except (sqlite3.Error, StorageError):
            left_plain.append(backup)
    return tuple(encrypted), tuple(left_plain)


def _plain_backups_elsewhere(data_dir: Path) -> tuple[Path, ...]:
    """Backups made outside the data folder (each remembered where it was made) that are still there, plain."""
    found = []
    for backup in remembered_backups(data_dir):
        with contextlib.suppress(OSError):
            if backup.is_file() and is_plain_file(backup):
                found.append(backup)
    return tuple(found)
