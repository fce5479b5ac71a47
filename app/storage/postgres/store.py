"""The client records on a clinic's PostgreSQL server: the PostgreSQL build of RecordStore
(app.storage.record_store holds the contract; docs/clinic.md says who may read and write what; the rules every
SQL store keeps are SqlRecordStore's, app.storage.sql_store).

`PostgresStore.connect(conninfo)` logs in as the person the connection string (or libpq's environment, pass file
or service) names. Every call is one transaction; one that touches a client's clinical record starts by opening
it (backmap.open_client / open_session), which the server logs when the person does not treat the client. The
server writes the audit log itself (triggers and functions: app.storage.postgres.access), so this store never
writes to it directly. Records are encoded into rows by app.storage.rows, as the SQLite store's are
(app.storage.postgres.dialect runs it here), so both stores read back the same records.

A ChangeFeed hears what others change (the server announces every change: access.ANNOUNCING) on a login of its
own; ConnectionLostError says the server went away mid-call, the change whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

from app.domain.records import Client, Consent
from app.storage import rows
from app.storage.codec import nfc
from app.storage.errors import NotFoundError, StorageError
from app.storage.postgres.access import CHANGES_CHANNEL, OWNER
from app.storage.postgres.connection import ClinicConnectionError, connect, first_line
from app.storage.postgres.dialect import RowConnection, read_json_as_text
from app.storage.postgres.schema import SCHEMA, SCHEMA_VERSION
from app.storage.record_store import Erasure
from app.storage.sql_store import SqlRecordStore

if TYPE_CHECKING:
    import psycopg

    from app.storage.driver import sqlite3
    from app.storage.local_folder import LocalDataFolder

ERASURE_TRACES = (
    "The clinic server's backups made before the erasure (pg_dump files, base backups) still hold this client "
    "until they age out: the clinic's retention policy says when (docs/clinic.md, Backups)."
)


class ConnectionLostError(StorageError):
    """The connection to the clinic server broke (network, a server restart); what was being written was saved
    whole or not at all. The next call logs in again."""


class PostgresStore(SqlRecordStore):
    """Client records on a clinic server: PostgresStore.connect(conninfo); close when done."""

    _LOCKING: ClassVar[str] = " FOR UPDATE"
    # A row a person may not read is invisible to them (row-level security): the server's keys refuse a taken id.
    _CHECKS_IDS: ClassVar[bool] = False
    _WRITES_AUDIT_LOG: ClassVar[bool] = False
    _OTHER_WRITERS: ClassVar[str] = "another Backmap window, a command or a colleague"
    _LATEST_SESSION: ClassVar[str] = (
        "SELECT id FROM sessions WHERE client_id = ? ORDER BY start_utc DESC, id DESC LIMIT 1"
    )
    _LATEST_OPEN_SESSION: ClassVar[str] = (
        "SELECT id FROM sessions WHERE client_id = ? AND finalised IS NULL ORDER BY start_utc DESC, id DESC LIMIT 1"
    )

    def __init__(self, connection: psycopg.Connection[tuple[Any, ...]], conninfo: str, display_name: str) -> None:
        super().__init__()
        self._connection = connection
        self._conninfo = conninfo
        self._rows = RowConnection(connection)
        self._display_name = display_name  # the person's name in the clinic (people.name)

    @classmethod
    def connect(cls, conninfo: str) -> PostgresStore:
        """Logs in to the clinic database; StorageError when it has no clinic, or one of a newer Backmap."""
        connection, display_name = _login(conninfo)
        return cls(connection, conninfo, display_name)

    # -- the store itself -------------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        return None  # what a person may not write, the server refuses write by write

    @property
    def open_warnings(self) -> tuple[str, ...]:
        return ()

    @property
    def local_folder(self) -> LocalDataFolder | None:
        return None

    def opener(self) -> Callable[[], PostgresStore]:
        """Another login with the same connection string (the password from the same pass file or keyring)."""
        return partial(PostgresStore.connect, self._conninfo)

    def close(self) -> None:
        self._connection.close()

    @property
    def backend_pid(self) -> int:
        """The server process this store writes through: a Change with it is this store's own."""
        return self._connection.info.backend_pid

    def change_feed(self) -> ChangeFeed:
        """What others change, heard on a login of its own (open it, then wait on it on a thread of its own)."""
        return ChangeFeed(self._conninfo)

    @property
    def _default_therapist(self) -> str:
        """A session without a therapist's name is the logged-in person's (people.name)."""
        return self._display_name

    @property
    def kind(self) -> str:
        """What the person logged in is in the clinic: owner, therapist or receptionist (people.kind); "" for a
        login the clinic does not list."""
        with self._transaction() as connection:
            found = connection.execute("SELECT kind FROM people WHERE role = session_user").fetchone()
        return "" if found is None else str(found[0])

    def create_client_for(
        self,
        therapist: str,
        name: str,
        *,
        born: dt.date | None = None,
        phone: str = "",
        email: str = "",
        consent: Consent | None = None,
    ) -> Client:
        """A new client of `therapist` (a therapist's or owner's login): how reception books a client, whose
        record only their therapist reads. The server logs it."""
        import uuid

        client = Client(str(uuid.uuid4()), nfc(name), born, nfc(phone), nfc(email), consent)
        with self._transaction() as connection:
            rows.insert_client(connection, client, therapist=therapist)
        return client

    # -- the audit log, exports, erasure ---------------------------------------------------------------

    def log_export(self, client_id: str, *, to_file: bool) -> None:
        self._log_export(client_id, "to a file" if to_file else "to standard output")

    def log_pdf(self, client_id: str, document: str) -> None:
        self._log_export(client_id, f"{document} PDF, to a file")

    def _log_export(self, client_id: str, what: str) -> None:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            connection.execute("SELECT backmap.log_export(?, ?)", (client_id, what))

    def delete_client(self, client_id: str) -> Erasure:
        """Erases the client on the server (backmap.erase_client, which logs it); the server's backups still
        hold them, as the Erasure says."""
        with self._transaction() as connection:
            try:
                connection.execute("SELECT backmap.erase_client(?)", (client_id,))
            except _no_data_found() as error:
                raise NotFoundError(f"no client with id {client_id!r}") from error
            rows.drop_unused_plans(connection)
        return Erasure(client_id, (), ERASURE_TRACES)

    def audit_entries(self, client_id: str | None = None) -> list[tuple[str, str, str | None, str]]:
        """The server's log (changes by table and column, openings, exports, erasures): the owner's to read."""
        where, parameters = ("WHERE client_id = ?", (client_id,)) if client_id is not None else ("", ())
        with self._transaction() as connection:
            owner = connection.execute("SELECT pg_has_role(session_user, ?, 'MEMBER')", (OWNER,)).fetchone()
            if not owner[0]:
                raise StorageError("the clinic's audit log is read by its owner only (docs/clinic.md, Who sees what)")
            found = connection.execute(
                f"SELECT at, action, client_id, what FROM audit_log {where} ORDER BY id", parameters
            )
            return [(str(at), str(action), client, str(what)) for at, action, client, what in found]

    # -- sharing a client with a colleague (clinic only: not part of RecordStore) --------------------------

    def colleagues(self) -> tuple[Colleague, ...]:
        """The clinic's therapists and owners but oneself: whom a client can be shared with."""
        with self._transaction() as connection:
            found = connection.execute(
                "SELECT role, name, kind FROM people WHERE kind IN ('therapist', 'owner') AND role <> session_user "
                "ORDER BY name, role"
            )
            return tuple(Colleague(str(role), str(name), str(kind)) for role, name, kind in found)

    def shared_with(self, client_id: str) -> tuple[Colleague, ...]:
        """The colleagues the client is shared with, as far as this person may know (row security): all of them
        for the client's therapist and the owner, oneself alone for a colleague it is shared with."""
        with self._transaction() as connection:
            found = connection.execute(
                "SELECT people.role, people.name, people.kind FROM client_shares JOIN people "
                "ON people.role = client_shares.therapist WHERE client_shares.client_id = ? "
                "ORDER BY people.name, people.role",
                (client_id,),
            )
            return tuple(Colleague(str(role), str(name), str(kind)) for role, name, kind in found)

    def may_share(self, client_id: str) -> bool:
        """Whether this person may share the client: their therapist or the owner (as backmap.share_client asks)."""
        with self._transaction() as connection:
            found = connection.execute(
                "SELECT pg_has_role(session_user, ?, 'MEMBER') OR EXISTS "
                "(SELECT 1 FROM clients WHERE id = ? AND therapist = session_user)",
                (OWNER, client_id),
            ).fetchone()
            return bool(found[0])

    def share_client(self, client_id: str, colleague: str) -> None:
        """Lets `colleague` find the client and open their record (the server logs both); by the client's
        therapist or the owner only, to a therapist or owner of the clinic."""
        self._sharing("share_client", client_id, colleague)

    def unshare_client(self, client_id: str, colleague: str) -> None:
        self._sharing("unshare_client", client_id, colleague)

    def _sharing(self, function: str, client_id: str, colleague: str) -> None:
        import psycopg

        with self._transaction() as connection:
            try:
                connection.execute(f"SELECT backmap.{function}(?, ?)", (client_id, colleague))
            except psycopg.errors.ForeignKeyViolation as error:  # only the owner gets this far with a wrong id
                raise NotFoundError(f"no client with id {client_id!r}") from error

    # -- transactions and errors -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on leaving; on any error rolled back and the error explained.

        The row encoding (app.storage.rows) is typed for SQLite's connection and asks only execute and
        executemany of it, which RowConnection gives on PostgreSQL. `snapshot`: every read sees one moment.
        """
        import psycopg

        if self._server_ended_login():  # since the last call: log in again
            try:
                self._connection, self._display_name = _login(self._conninfo)
            except ClinicConnectionError as error:
                raise ConnectionLostError(
                    f"the connection to the clinic server is lost, and logging in again failed ({error}); nothing "
                    "was saved"
                ) from error
            self._rows = RowConnection(self._connection)
        try:
            with self._connection.transaction():
                if snapshot:
                    self._connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield cast("sqlite3.Connection", self._rows)
        except psycopg.errors.InsufficientPrivilege as error:
            raise StorageError(_refusal(error)) from error
        except psycopg.errors.UniqueViolation as error:
            raise StorageError(_already_there(error)) from error
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise ConnectionLostError(
                f"the connection to the clinic server failed ({first_line(error)}). A change is saved whole or not "
                "at all, never in part: open the client again to see which, once the network is back."
            ) from error
        except psycopg.Error as error:
            raise StorageError(f"the clinic server refused this: {first_line(error)}; nothing was changed") from error

    def _server_ended_login(self) -> bool:
        """Whether the login is gone (network, a server restart), as far as can be known without asking: a
        server that shuts down or ends the login says so, and reading what it said never waits."""
        import psycopg
        from psycopg.pq import ConnStatus

        if self._connection.broken:
            return True
        if self._connection.closed:
            return False  # closed by whoever opened the store: the call fails, as on a closed file
        try:  # twice: the first reads the server's last words, the second finds the connection closed after them
            self._connection.pgconn.consume_input()
            self._connection.pgconn.consume_input()
        except psycopg.OperationalError:
            return True
        return self._connection.pgconn.status != ConnStatus.OK

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._transaction()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._transaction()

    def _snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._transaction(snapshot=True)

    def _open_client_record(self, connection: sqlite3.Connection, client_id: str) -> None:
        """Opens the client's record for this transaction (logged by the server when not theirs)."""
        try:
            connection.execute("SELECT backmap.open_client(?)", (client_id,))
        except _no_data_found() as error:
            raise NotFoundError(f"no client with id {client_id!r}") from error

    def _open_session_record(self, connection: sqlite3.Connection, session_id: str) -> None:
        """Opens the record of the session's client for this transaction (logged by the server when not theirs)."""
        try:
            connection.execute("SELECT backmap.open_session(?)", (session_id,))
        except _no_data_found() as error:
            raise NotFoundError(f"no session with id {session_id!r}") from error


@dataclass(frozen=True, slots=True)
class Change:
    """The server's word that a client's record changed (any of its rows, by anyone, committed)."""

    client_id: str
    by_backend: int  # the server process that wrote it: PostgresStore.backend_pid of the writer


@dataclass(frozen=True, slots=True)
class Colleague:
    """A therapist or owner of the clinic, someone a client can be shared with."""

    role: str  # their login
    name: str  # as the clinic says it
    kind: str  # therapist or owner


class ChangeFeed:
    """The changes the clinic server announces, as they are committed. Waiting blocks: a feed belongs on a
    thread of its own, used by that thread alone."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._connection: psycopg.Connection[tuple[Any, ...]] | None = None

    def open(self) -> None:
        """Logs in and listens (again, after a lost connection); ClinicConnectionError while the server is away.
        Changes made while the feed was not listening are not told: whoever opens it reads afresh after."""
        self.close()
        connection = connect(self._conninfo, autocommit=True)
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        self._connection = connection

    def changes(self, timeout_s: float) -> Iterator[Change]:
        """The changes announced within `timeout_s`; ConnectionLostError when the server went away."""
        import psycopg

        if self._connection is None:
            raise ConnectionLostError("the change feed is not open")
        try:
            for notice in self._connection.notifies(timeout=timeout_s):
                yield Change(notice.payload, notice.pid)
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            self.close()
            raise ConnectionLostError(f"the connection to the clinic server broke ({first_line(error)})") from error

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _login(conninfo: str) -> tuple[psycopg.Connection[tuple[Any, ...]], str]:
    """A connection as the person `conninfo` names, checked to be a clinic of this schema version; their name."""
    connection = connect(conninfo, autocommit=True)
    try:
        read_json_as_text(connection)
        connection.execute(f"SET search_path = {SCHEMA}")
        found = connection.execute("SELECT to_regclass('backmap.schema_version') IS NOT NULL").fetchone()
        if found is None or not found[0]:
            raise StorageError("this database holds no clinic: set it up with `backmap clinic init`")
        version = connection.execute("SELECT version FROM schema_version").fetchone()
        if version is None or int(str(version[0])) != SCHEMA_VERSION:
            raise StorageError(
                f"the clinic database has schema version {None if version is None else version[0]}, and this "
                f"Backmap works with version {SCHEMA_VERSION}: the clinic's administrator runs `backmap clinic "
                "init` with the newer Backmap, and everyone uses that one"
            )
        named = connection.execute("SELECT name FROM people WHERE role = session_user").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection, "" if named is None else str(named[0])


def _no_data_found() -> type[Exception]:
    import psycopg

    return psycopg.errors.NoDataFound


def _refusal(error: psycopg.Error) -> str:
    said = error.diag.message_primary or first_line(error)
    if "row-level security" in said:
        said = "that record is not yours, nor shared with you"
    return f"the clinic server refused this: {said}; nothing was changed"


def _already_there(error: psycopg.Error) -> str:
    table = error.diag.table_name or "record"
    what = {"clients": "a client", "sessions": "a session"}.get(table, f"a {table} row")
    return f"{what} with that id already exists; nothing was saved"
