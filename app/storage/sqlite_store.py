"""The client records in a local SQLite file: the SQLite build of RecordStore (app.storage.record_store), which
holds the contract; the rules every SQL store keeps are SqlRecordStore's (app.storage.sql_store); its file duties
are its LocalDataFolder (app.storage.local_folder).

`SqliteStore.open(data_dir)` is the one way the app and the commands open the records of a data folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import ClassVar

from app.domain.session_summary import MarkTable, SessionLine
from app.storage import history_reads, rows
from app.storage.database import DB_FILENAME, NotEncryptedError, OpenDatabase, open_database
from app.storage.driver import sqlite3
from app.storage.errors import NotFoundError, ReadOnlyError, StorageError
from app.storage.keys import DatabaseKey
from app.storage.local_folder import FullChecks, LocalDataFolder
from app.storage.record_store import Erasure
from app.storage.sql_store import SqlRecordStore


class SqliteStore(SqlRecordStore):
    """Client records in `<data folder>/backmap.sqlite3`: SqliteStore.open(data_dir); close when done."""

    _LOCKING: ClassVar[str] = ""  # a write transaction (BEGIN IMMEDIATE) holds the whole file
    _CHECKS_IDS: ClassVar[bool] = True
    _WRITES_AUDIT_LOG: ClassVar[bool] = True
    _OTHER_WRITERS: ClassVar[str] = "another Backmap window or a command"
    # The newest instant through the index, then the last id among its sessions: never a sort of them all.
    _LATEST_SESSION: ClassVar[str] = (
        "SELECT id FROM sessions WHERE client_id = ?1 AND start_utc = "
        "(SELECT max(start_utc) FROM sessions WHERE client_id = ?1) ORDER BY id DESC LIMIT 1"
    )
    _LATEST_OPEN_SESSION: ClassVar[str] = (
        "SELECT id FROM sessions INDEXED BY sessions_open WHERE client_id = ? AND finalised IS NULL "
        "ORDER BY start_utc DESC, id DESC LIMIT 1"
    )

    def __init__(self, database: OpenDatabase, checks: FullChecks | None = None) -> None:
        super().__init__()
        self._database = database
        self._connection = database.connection
        self._lines_kept = history_reads.LinesKept()
        self._marks_kept = history_reads.MarksKept()
        self._folder = LocalDataFolder(database, self._log, checks)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        create: bool = True,
        read_only_reason: str | None = None,
        key: DatabaseKey | None = None,
        checks: FullChecks | None = None,
    ) -> SqliteStore:
        """Opens the records in `data_dir`; create=False: a missing database is an error.

        `read_only_reason`: open them read-only, saying why (e.g. another Backmap window has them open).
        `key`: the database key of an encrypted folder (app.storage.keys); a plain database left behind by an
        interrupted encryption is encrypted with it first. `checks`: another open store's (`opener`).
        """
        path = data_dir / DB_FILENAME
        if not create and not path.exists():
            raise NotFoundError(f"there are no Backmap records in {data_dir} (no {DB_FILENAME})")
        try:
            return cls(open_database(path, read_only_reason=read_only_reason, key=key), checks)
        except NotEncryptedError:
            if key is None or read_only_reason is not None:
                raise
        # Told by the header that opening reads anyway: an open pays nothing extra for this rare case.
        from app.storage.encryption import finish_encryption

        finish_encryption(data_dir, key)
        return cls(open_database(path, key=key), checks)

    # -- the store itself ------------------------------------------------------------------------------

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written (e.g. a newer Backmap's file, damage found), for the UI; None: writable."""
        return self._folder.read_only_reason

    @property
    def open_warnings(self) -> tuple[str, ...]:
        """What the user should hear once about this open (e.g. a new database beside old backups)."""
        return self._database.warnings

    @property
    def local_folder(self) -> LocalDataFolder:
        return self._folder

    def opener(self) -> Callable[[], SqliteStore]:
        """The same folder, read-only for the same reason, with the same key and checks; the database must exist."""
        return partial(
            SqliteStore.open,
            self._folder.path,
            create=False,
            read_only_reason=self.read_only_reason,
            key=self._database.key,
            checks=self._folder.checks,
        )

    def close(self) -> None:
        self._folder.close()

    # -- the audit log, exports, erasure ---------------------------------------------------------------

    def log_export(self, client_id: str, *, to_file: bool) -> None:
        """Never the path: a file or folder name may well be the client's name, and the log outlives erasure.
        On read-only media nothing can be logged: the export goes ahead (the records are the client's), and the
        read-only notice given on opening says so. A newer Backmap's file is not exported (its format is unknown).
        """
        if self.read_only_reason is not None and self._database.newer_version is None:
            return
        with self._write() as connection:
            self._client_in(connection, client_id)
            place = "a file outside the data folder" if to_file else "standard output"
            self._audit(connection, "export", client_id, f"to {place}")

    def log_pdf(self, client_id: str, document: str) -> None:
        if self.read_only_reason is not None:
            return  # nothing can be logged on read-only media; the PDF is the client's all the same
        with self._write() as connection:
            self._client_in(connection, client_id)
            self._audit(connection, "pdf", client_id, f"{document}, to a file")

    def delete_client(self, client_id: str) -> Erasure:
        """Erases every row about the client for good (secure_delete, then the file compacted: app.storage.
        local_folder). Backups made before still hold the client: they are listed for the therapist."""
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason)
        with self._write() as connection:
            self._client_in(connection, client_id)
            sessions = connection.execute("SELECT count(*) FROM sessions WHERE client_id = ?", (client_id,)).fetchone()
            connection.execute("DELETE FROM clients WHERE id = ?", (client_id,))  # cascades to everything else
            rows.drop_unused_plans(connection)  # the plans only this client was given
            self._audit(connection, "delete_client", client_id, f"client erased with {sessions[0]} sessions")
        traces_left = self._folder.compact_after_erasure()
        return Erasure(client_id, self._folder.backups_holding(client_id), traces_left)

    def _log(self, client_id: str | None, action: str, what: str) -> None:
        with self._write() as connection:
            self._audit(connection, action, client_id, what)

    def audit_entries(self, client_id: str | None = None) -> list[tuple[str, str, str | None, str]]:
        where, parameters = ("WHERE client_id = ?", (client_id,)) if client_id is not None else ("", ())
        with self._read() as connection:
            found = connection.execute(
                f"SELECT at, action, client_id, what FROM audit_log {where} ORDER BY id", parameters
            )
            return [tuple(row) for row in found]

    # -- transactions and errors -----------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on leaving; on any error rolled back and the error explained."""
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason)
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                connection.rollback()
            if isinstance(error, sqlite3.Error):
                raise StorageError(self._folder.explain(error)) from error
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection
        except sqlite3.Error as error:
            raise StorageError(self._folder.explain(error, writing=False)) from error

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        with self._read() as connection:
            connection.execute("BEGIN")  # one snapshot across the queries
            try:
                yield connection
            finally:
                connection.execute("COMMIT")

    def _session_lines(self, connection: sqlite3.Connection, client_id: str) -> list[SessionLine]:
        return self._lines_kept.session_lines(connection, client_id)

    def _mark_table(self, connection: sqlite3.Connection, client_id: str) -> MarkTable:
        return self._marks_kept.mark_table(connection, client_id)

    def _open_client_record(self, connection: sqlite3.Connection, client_id: str) -> None:
        """Nothing to open: whoever has the file may read every record in it."""

    def _open_session_record(self, connection: sqlite3.Connection, session_id: str) -> None:
        """Nothing to open: whoever has the file may read every record in it."""
