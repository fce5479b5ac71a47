"""The file duties of records kept in a local SQLite file (docs/design.md, "Storage"): its data folder, its key,
backups, compaction after an erasure, the integrity check, why it is read-only, the cloud-sync warning.

Only the SQLite store has one (`RecordStore.local_folder`); a store without a local file has none of these.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from time import monotonic

from app.storage.backup import (
    BACKUPS_FOLDER,
    backup_into,
    copy_database,
    damaged,
    may_hold_client,
    remember_backup,
    remembered_backups,
    restore_advice,
)
from app.storage.database import DB_FILENAME, OpenDatabase, check_integrity, companion, connect_read_only
from app.storage.driver import sqlite3
from app.storage.errors import DamagedDatabaseError, ReadOnlyError, StorageError
from app.storage.files import output_file
from app.storage.keys import DatabaseKey
from app.storage.location import cloud_sync_warning
from app.storage.restore import ASIDE_INFIX

# Writes one audit entry (client id or None, action, what) in a transaction of its own.
AuditWriter = Callable[[str | None, str, str], None]

# How long a full check that found the records sound vouches for their pages: a backup within it checks only that
# its copy is whole instead of reading every page again; a later one checks every page (and vouches anew).
# The desktop checks the whole file in the background at every start, so a day's backups read the file once.
CHECK_VOUCHES_FOR_S = 24 * 3600

# What the therapist reads when an erasure could not empty the -wal: SQLite empties it when its last user closes.
WAL_LEFTOVER_NOTE = (
    "Another program had the records open, so traces of the client stay in the database's -wal file for now. "
    "Close every Backmap window (and any other program that opens the records): the last one to close clears them."
)


def holds_records(data_dir: Path) -> bool:
    """Whether `data_dir` holds a database (else opening it creates one)."""
    path = data_dir / DB_FILENAME
    return path.exists() and path.stat().st_size > 0


class FullChecks:
    """When a check of every page last found one file's records sound: shared by the stores this process opens
    on the file (the window's and a background duty's, `SqliteStore.opener`), so either's check counts for both."""

    def __init__(self) -> None:
        self._found_sound_at: float | None = None  # monotonic() when the check began

    def found_sound(self, began: float) -> None:
        self._found_sound_at = began

    def vouch_at(self, now: float) -> bool:
        """Whether a check lately (CHECK_VOUCHES_FOR_S) found the records sound."""
        return self._found_sound_at is not None and now - self._found_sound_at <= CHECK_VOUCHES_FOR_S


class LocalDataFolder:
    """`<data folder>/backmap.sqlite3` as a file: made by the SQLite store when it opens the records.

    `checks`: those of the process's other stores on the same file, if any."""

    def __init__(self, database: OpenDatabase, audit: AuditWriter, checks: FullChecks | None = None) -> None:
        self._database = database
        self._audit = audit
        self._stopped_reason: str | None = None
        self.checks = checks or FullChecks()

    @property
    def path(self) -> Path:
        """The data folder."""
        return self._database.path.parent

    @property
    def database_path(self) -> Path:
        return self._database.path

    @property
    def key(self) -> DatabaseKey | None:
        """The key the records were opened with (None: not encrypted), for a second connection to them."""
        return self._database.key

    @property
    def encrypted(self) -> bool:
        return self._database.key is not None

    @property
    def migration_backups(self) -> tuple[Path, ...]:
        """The backups taken before migrating the file on this open."""
        return self._database.backups

    @property
    def read_only_reason(self) -> str | None:
        """Why the file cannot be written (not ours to write, read-only media, damage found); None: writable."""
        return self._stopped_reason or self._database.read_only_reason

    def stop_writing(self, problems: list[str]) -> str:
        """After a check found damage: refuse every write from now on; returns the message for the user."""
        self._stopped_reason = str(
            damaged(self.database_path, "; ".join(problems[:3]), "nothing more is written to it")
        )
        return self._stopped_reason

    def cloud_sync_warning(self) -> str | None:
        """A warning for the therapist when the data folder is synced to a cloud, else None."""
        return cloud_sync_warning(self.path)

    def check_integrity(self) -> list[str]:
        """The whole file checked on a read-only connection of its own (any thread): the problems, [] if sound."""
        began = monotonic()
        problems = check_integrity(self.database_path, self.key)
        if not problems:
            self.checks.found_sound(began)
        return problems

    def backup(self, destination: Path | None = None, *, replace: bool = True) -> Path:
        """A checked copy (0600) timestamped in <data>/backups, or in `destination`.

        Checked (copy_database): that the copy is whole, and every page of it unless a full check found the
        records sound within CHECK_VOUCHES_FOR_S.

        `destination` is checked as files.checked_output_path says (replace=False: an existing file is refused)
        and remembered, so that erasing a client lists it. The audit log says where only as inside or outside
        the data folder. If the backup cannot be logged, it is removed again. Damage found stops every write.
        """
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason)
        connection = self._database.connection
        began = monotonic()
        every_page = not self.checks.vouch_at(began)
        try:
            if destination is None:
                made = backup_into(
                    connection, self.path / BACKUPS_FOLDER, journal=self.path, key=self.key, every_page=every_page
                )
            else:
                with output_file(destination, self.path, replace=replace) as copy:
                    copy_database(connection, copy, self.key, every_page=every_page)
                made = destination
        except DamagedDatabaseError as error:
            self._stopped_reason = str(error)
            raise
        except sqlite3.Error as error:
            raise StorageError(self.explain(error)) from error
        if every_page:  # the copy's every page was the records' too
            self.checks.found_sound(began)
        if destination is not None:
            try:
                remember_backup(self.path, made)
            except OSError as error:
                raise StorageError(f"backup {made} written but not noted in {self.path}: {error.strerror}") from None
        place = "the backups folder of the data folder" if destination is None else "a file outside the data folder"
        logged_or_removed(made, lambda: self._audit(None, "backup", f"to {place}"))
        return made

    def compact_after_erasure(self) -> str | None:
        """Rebuilds the file without the freed pages and empties the -wal; what still holds traces, if anything."""
        connection = self._database.connection
        try:
            # Fold the WAL into the file, rebuild the file without the freed pages, then empty the WAL again.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("VACUUM")
            # (busy, frames, checkpointed): busy means a reader kept the -wal from being emptied.
            busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error as error:
            raise StorageError(
                f"the client was deleted, but compacting the file failed: {self.explain(error)}"
            ) from error
        return WAL_LEFTOVER_NOTE if busy else None

    def backups_holding(self, client_id: str) -> tuple[Path, ...]:
        """Backups in the data folder and those made elsewhere that hold the client (or may: unreadable ones)."""
        here = sorted(
            {
                *self.path.glob(f"{DB_FILENAME}.*.backup"),
                *self.path.glob(f"{DB_FILENAME}{ASIDE_INFIX}*"),  # set aside by a restore
                *(self.path / BACKUPS_FOLDER).glob("*"),
            }
        )
        elsewhere = [backup for backup in remembered_backups(self.path) if backup not in here]
        return tuple(
            backup
            for backup in [*(path for path in here if path.is_file()), *elsewhere]
            if may_hold_client(backup, client_id, self.key)
        )

    def explain(self, error: sqlite3.Error, *, writing: bool = True) -> str:
        """What an SQLite error means for the therapist, naming the file and what to do."""
        code = getattr(error, "sqlite_errorname", "")
        outcome = "nothing was saved" if writing else "nothing was read"
        path = self.database_path
        if code == "SQLITE_FULL":
            return f"the disk is full (or the database reached its size limit): {outcome}. Free space, retry."
        if code.startswith("SQLITE_READONLY"):
            return f"the database {path} is read-only: {outcome}. Check the file and its folder."
        if code.startswith("SQLITE_CORRUPT") or code == "SQLITE_NOTADB":
            return f"the database {path} is damaged ({error}): {outcome}. {restore_advice(path)}"
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return f"the database {path} is busy (another Backmap is writing): {outcome}. Retry soon."
        if code.startswith("SQLITE_IOERR"):
            return f"the disk could not be read or written ({error}): {outcome}."
        return f"the database {path} refused the change ({error}): {outcome}."

    def close(self) -> None:
        """Closes the connection; after damage was found, without folding the -wal into the file."""
        connection = self._database.connection
        wal = companion(self.database_path, "-wal")
        if self._stopped_reason is None or not wal.exists() or wal.stat().st_size == 0:
            connection.close()  # an empty -wal has nothing to fold in: it goes, with the -shm of this open
            return
        # Damaged: the last connection to close would fold the -wal into the file. A read-only one stays open
        # meanwhile, so the writer is not the last, and the read-only one cannot fold anything.
        with closing(connect_read_only(self.database_path, key=self.key)) as reader:
            reader.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()  # takes its shared lock now
            connection.close()


def logged_or_removed(written: Path, log: Callable[[], None]) -> None:
    """Audit-logs a file once it is in place; removes it if that fails, so nothing is handed out unlogged."""
    try:
        log()
    except BaseException:
        with suppress(OSError):
            written.resolve().unlink()  # the file, not a symbolic link to it
        raise
