"""The client records on a clinic's PostgreSQL server: the PostgreSQL build of RecordStore
(app.storage.record_store holds the contract; docs/clinic.md says who may read and write what).

`PostgresStore.connect(conninfo)` logs in as the person the connection string (or libpq's environment, pass file
or service) names. Every call is one transaction; one that touches a client's clinical record starts by opening
it (backmap.open_client / open_session), which the server logs when the person does not treat the client. The
server writes the audit log itself (triggers and functions: app.storage.postgres.access), so this store never
writes to it directly. Records are encoded into rows by app.storage.rows, as the SQLite store's are
(app.storage.postgres.dialect runs it here), so both stores read back the same records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from app.domain.records import (
    Amendment,
    Client,
    ClientRecord,
    Consent,
    Hold,
    Intake,
    Layer,
    Mark,
    MarkState,
    PressureOverride,
    Quality,
    Session,
    Soap,
    Stroke,
)
from app.domain.session_fields import scalar_field
from app.domain.session_summary import MarksTally, MarkTable, SessionLine
from app.storage import history_reads, rows
from app.storage.client_file import dump_parts, utf8_parts
from app.storage.codec import amendment_changes, nfc
from app.storage.errors import (
    ConsentRequiredError,
    NotFoundError,
    SessionLockedError,
    StaleWriteError,
    StorageError,
)
from app.storage.files import output_file
from app.storage.importing import import_each
from app.storage.local_folder import logged_or_removed
from app.storage.postgres.access import OWNER
from app.storage.postgres.connection import connect, first_line
from app.storage.postgres.dialect import RowConnection, read_json_as_text
from app.storage.postgres.schema import SCHEMA, SCHEMA_VERSION
from app.storage.record_store import Erasure
from app.storage.sqlite_store import now

if TYPE_CHECKING:
    import psycopg

    from app.storage.driver import sqlite3
    from app.storage.local_folder import LocalDataFolder

ERASURE_TRACES = (
    "The clinic server's backups made before the erasure (pg_dump files, base backups) still hold this client "
    "until they age out: the clinic's retention policy says when (docs/clinic.md, Backups)."
)
_UPSERT_MARK = (
    "INSERT INTO marks (session_id, region, by, tension, note, quality) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (session_id, region, by) DO UPDATE SET tension = excluded.tension, note = excluded.note, "
    "quality = excluded.quality"
)


class PostgresStore:
    """Client records on a clinic server: PostgresStore.connect(conninfo); close when done."""

    def __init__(self, connection: psycopg.Connection[tuple[Any, ...]], conninfo: str, display_name: str) -> None:
        self._connection = connection
        self._conninfo = conninfo
        self._rows = RowConnection(connection)
        self._display_name = display_name  # the person's name in the clinic (people.name)
        # (kind, id) -> the version last handed out: what a write without `based_on` is based on.
        self._seen: dict[tuple[str, str], object] = {}

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

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- clients ---------------------------------------------------------------------------------------

    def create_client(
        self,
        name: str,
        *,
        born: dt.date | None = None,
        phone: str = "",
        email: str = "",
        client_id: str | None = None,
        consent: Consent | None = None,
    ) -> Client:
        client = Client(client_id or str(uuid.uuid4()), nfc(name), born, nfc(phone), nfc(email), consent)
        with self._transaction() as connection:
            rows.insert_client(connection, client)
        return client

    def rename_client(self, client_id: str, name: str) -> Client:
        return self._change_client(client_id, lambda client: dataclasses.replace(client, name=nfc(name)))

    def update_contact(self, client_id: str, *, phone: str, email: str) -> Client:
        return self._change_client(
            client_id, lambda client: dataclasses.replace(client, phone=nfc(phone), email=nfc(email))
        )

    def set_born(self, client_id: str, born: dt.date | None) -> Client:
        return self._change_client(client_id, lambda client: dataclasses.replace(client, born=born))

    def record_consent(self, client_id: str, consent: Consent) -> Client:
        return self._change_client(client_id, lambda client: dataclasses.replace(client, consent=consent))

    def get_client(self, client_id: str) -> Client:
        with self._transaction() as connection:
            return self._handed_out(self._client_in(connection, client_id))

    def list_clients(self) -> list[Client]:
        with self._transaction() as connection:
            return rows.load_clients(connection)

    def search_clients(self, text: str) -> list[Client]:
        pattern = "%" + rows.name_key(text.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._transaction() as connection:
            return rows.load_clients(connection, "name_key LIKE ? ESCAPE '\\'", (pattern,))

    # -- intakes ---------------------------------------------------------------------------------------

    def save_intake(self, client_id: str, intake: Intake) -> Intake:
        with self._transaction() as connection:
            self._open_client(connection, client_id, lock=True)
            self._check_intakes_current(connection, client_id)
            rows.save_intake(connection, client_id, intake)
            saved = self._intakes(connection, client_id)
        self._saw_intakes(client_id, saved)
        return next(stored for stored in saved if stored.date == intake.date)

    def latest_intake(self, client_id: str) -> Intake | None:
        intakes = self.list_intakes(client_id)
        return intakes[-1] if intakes else None

    def list_intakes(self, client_id: str) -> list[Intake]:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            intakes = self._intakes(connection, client_id)
        self._saw_intakes(client_id, intakes)
        return intakes

    # -- sessions: open ones ---------------------------------------------------------------------------

    def start_session(
        self,
        client_id: str,
        *,
        start: dt.datetime | None = None,
        minutes: int = 60,
        therapist: str = "",
        position: str = "prone",
        medium: str = "",
    ) -> Session:
        """As the contract says; a session without a therapist's name is the logged-in person's (people.name)."""
        session = Session(
            id=str(uuid.uuid4()),
            start=start or now(),
            minutes=minutes,
            therapist=nfc(therapist or self._display_name),
            position=nfc(position),
            medium=nfc(medium),
        )
        return self.add_session(client_id, session)

    def add_session(self, client_id: str, session: Session) -> Session:
        with self._transaction() as connection:
            client = self._open_client(connection, client_id)
            if client.consent is None:
                raise ConsentRequiredError(
                    f"{client.name} has no recorded consent: record it before starting a session"
                )
            rows.insert_session(connection, client_id, session)
            return self._handed_out(self._session_in(connection, session.id))

    def set_mark(
        self,
        session_id: str,
        region: str,
        by: Layer,
        tension: int,
        note: str = "",
        *,
        quality: Quality | None = None,
        based_on: int | None = None,
    ) -> Session:
        state = MarkState(region, by, tension, note, quality)
        with self._edit_open(session_id, based_on) as connection:
            _write_mark(connection, session_id, state)
            return self._session_in(connection, session_id)

    def clear_mark(self, session_id: str, region: str, by: Layer, *, based_on: int | None = None) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            _write_mark(connection, session_id, MarkState(region, by, None))
            return self._session_in(connection, session_id)

    def add_stroke(self, session_id: str, stroke: Stroke, *, based_on: int | None = None) -> Session:
        return self.apply_stroke(session_id, stroke, (), based_on=based_on)

    def apply_stroke(
        self, session_id: str, stroke: Stroke, marks: Sequence[Mark], *, based_on: int | None = None
    ) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            rows.insert_strokes(
                connection, session_id, (stroke,), rows.next_position(connection, "strokes", session_id)
            )
            for mark in marks:
                _write_mark(
                    connection, session_id, MarkState(mark.region, mark.by, mark.tension, mark.note, mark.quality)
                )
            return self._session_in(connection, session_id)

    def undo_stroke(
        self, session_id: str, stroke: Stroke, restore: Sequence[MarkState], *, based_on: int | None = None
    ) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            last = self._session_in(connection, session_id).strokes
            if not last or last[-1] != stroke:
                raise StaleWriteError(
                    f"the last brush stroke of session {session_id} is not the one this undo would remove: "
                    "it was changed elsewhere — reloaded. Nothing was removed."
                )
            connection.execute(
                "DELETE FROM strokes WHERE session_id = ? AND position = "
                "(SELECT max(position) FROM strokes WHERE session_id = ?)",
                (session_id, session_id),
            )
            for state in restore:
                _write_mark(connection, session_id, state)
            return self._session_in(connection, session_id)

    def log_hold(self, session_id: str, hold: Hold, *, based_on: int | None = None) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            rows.insert_holds(connection, session_id, (hold,), rows.next_position(connection, "holds", session_id))
            return self._session_in(connection, session_id)

    def set_soap(self, session_id: str, soap: Soap, *, based_on: int | None = None) -> Session:
        nfc_soap = dataclasses.replace(
            soap,
            subjective=nfc(soap.subjective),
            objective=nfc(soap.objective),
            assessment=nfc(soap.assessment),
            plan=nfc(soap.plan),
        )
        return self._change_open(session_id, based_on, soap=nfc_soap)

    def set_field(self, session_id: str, name: str, value: Any, *, based_on: int | None = None) -> Session:
        return self._change_open(session_id, based_on, **{name: scalar_field(name).checked(value)})

    def set_shared_note(self, session_id: str, text: str, *, based_on: int | None = None) -> Session:
        return self.set_field(session_id, "shared_note", text, based_on=based_on)

    def set_minutes(self, session_id: str, minutes: int, *, based_on: int | None = None) -> Session:
        return self.set_field(session_id, "minutes", minutes, based_on=based_on)

    def set_position(self, session_id: str, position: str, *, based_on: int | None = None) -> Session:
        return self.set_field(session_id, "position", position, based_on=based_on)

    def set_medium(self, session_id: str, medium: str, *, based_on: int | None = None) -> Session:
        return self.set_field(session_id, "medium", medium, based_on=based_on)

    def set_override(
        self, session_id: str, override: PressureOverride | None, *, based_on: int | None = None
    ) -> Session:
        return self._change_open(session_id, based_on, override=override)

    def save_plan(self, session_id: str, plan: dict[str, Any] | None, *, based_on: int | None = None) -> Session:
        return self._change_open(session_id, based_on, plan=plan)

    def finalise(self, session_id: str, at: dt.datetime | None = None, *, based_on: int | None = None) -> Session:
        return self._change_open(session_id, based_on, finalised=at or now())

    def discard_session(self, session_id: str, *, based_on: int | None = None) -> None:
        with self._edit_open(session_id, based_on) as connection:
            connection.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            rows.drop_unused_plans(connection)

    # -- sessions: finalised ones ----------------------------------------------------------------------

    def amend(self, session_id: str, corrected: Session, reason: str, at: dt.datetime | None = None) -> Session:
        if not reason.strip():
            raise StorageError("an amendment needs a reason")
        if corrected.id != session_id:
            raise StorageError(f"the corrected session has id {corrected.id}, not {session_id}")
        when = at or now()
        with self._transaction() as connection:
            self._open_session(connection, session_id)
            connection.execute("SELECT 1 FROM sessions WHERE id = ? FOR UPDATE", (session_id,))
            stored = self._session_in(connection, session_id)
            self._check_current("session", session_id, stored.version, f"session {session_id}")
            if not stored.is_final:
                raise StorageError(f"session {session_id} is still open: edit it directly, no amendment needed")
            new = dataclasses.replace(corrected, finalised=stored.finalised, amendments=stored.amendments)
            changes = amendment_changes(stored, new)
            if not changes:
                raise StorageError(f"the amendment of session {session_id} changes nothing")
            rows.replace_session_row(connection, new)
            rows.drop_unused_plans(connection)
            rows.replace_session_parts(connection, new)
            added = [Amendment(when, name, before, after, nfc(reason)) for name, before, after in changes]
            rows.insert_amendments(connection, session_id, added, len(stored.amendments))
            _raise_version(connection, session_id)
            return self._handed_out(self._session_in(connection, session_id))

    # -- reading sessions ------------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        with self._transaction() as connection:
            self._open_session(connection, session_id)
            return self._handed_out(self._session_in(connection, session_id))

    def client_of_session(self, session_id: str) -> Client:
        with self._transaction() as connection:
            client_id = self._open_session(connection, session_id)
            return self._handed_out(self._client_in(connection, client_id))

    def list_sessions(self, client_id: str) -> list[Session]:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
        for session in sessions:
            self._handed_out(session)
        return sessions

    def latest_session(self, client_id: str) -> Session | None:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            found = rows.load_sessions(
                connection,
                "id = (SELECT id FROM sessions WHERE client_id = ? ORDER BY start_utc DESC, id DESC LIMIT 1)",
                (client_id,),
            )
        return self._handed_out(found[0]) if found else None

    def latest_open_session(self, client_id: str) -> Session | None:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            found = rows.load_sessions(
                connection,
                "id = (SELECT id FROM sessions WHERE client_id = ? AND finalised IS NULL "
                "ORDER BY start_utc DESC, id DESC LIMIT 1)",
                (client_id,),
            )
        return self._handed_out(found[0]) if found else None

    def session_lines(self, client_id: str) -> list[SessionLine]:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            return history_reads.load_session_lines(connection, client_id)

    def marks_tallies(self, client_id: str, session_ids: Sequence[str]) -> dict[str, MarksTally]:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            return history_reads.load_marks_tallies(connection, client_id, session_ids)

    def mark_table(self, client_id: str) -> MarkTable:
        with self._transaction() as connection:
            self._open_client(connection, client_id)
            return history_reads.load_mark_table(connection, client_id)

    def history(self, client_id: str) -> ClientRecord:
        with self._transaction(snapshot=True) as connection:
            client = self._open_client(connection, client_id)
            intakes = self._intakes(connection, client_id)
            sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
        self._handed_out(client)
        self._saw_intakes(client_id, intakes)
        for session in sessions:
            self._handed_out(session)
        return ClientRecord(client, tuple(intakes), tuple(reversed(sessions)))

    # -- whole clients in and out, the audit log -------------------------------------------------------

    def import_records(self, records: Sequence[ClientRecord], *, replace: bool = False) -> list[str]:
        with self._transaction() as connection:
            return import_each(records, lambda record: self._import_one(connection, record, replace=replace))

    def _import_one(self, connection: sqlite3.Connection, record: ClientRecord, *, replace: bool) -> None:
        client = record.client
        existing = self._find_client(connection, client.id, lock=True)
        if existing is not None and not replace:
            raise StorageError(f"client {client.id} ({existing.name}) is already here; use --replace to overwrite it")
        carried: list[tuple[str, list[Any]]] = []
        if existing is not None:
            self._open_client(connection, client.id)
            # The new rows go on from the old ones' versions: a window showing the old record cannot write over it.
            carried = [
                ("UPDATE clients SET version = ? + 1 WHERE id = ?", [(existing.version, client.id)]),
                (
                    "UPDATE sessions SET version = ? + 1 WHERE id = ?",
                    connection.execute("SELECT version, id FROM sessions WHERE client_id = ?", (client.id,)).fetchall(),
                ),
                (
                    "UPDATE intakes SET version = ? + 1 WHERE client_id = ? AND date = ?",
                    connection.execute(
                        "SELECT version, client_id, date FROM intakes WHERE client_id = ?", (client.id,)
                    ).fetchall(),
                ),
            ]
            connection.execute("DELETE FROM clients WHERE id = ?", (client.id,))
            rows.drop_unused_plans(connection)
        if record.sessions and client.consent is None:
            raise ConsentRequiredError(f"{client.name} has sessions but no recorded consent")
        rows.insert_client(connection, client)
        for intake in record.intakes:
            rows.save_intake(connection, client.id, intake)
        for session in record.sessions:
            rows.insert_session(connection, client.id, session)
        for statement, values in carried:
            connection.executemany(statement, values)

    def export_client(self, client_id: str, destination: Path, *, replace: bool = True) -> Path:
        parts = dump_parts(self.history(client_id))
        with output_file(destination, None, replace=replace) as temporary, temporary.open("wb") as file:
            file.writelines(utf8_parts(parts))
        logged_or_removed(destination, lambda: self.log_export(client_id, to_file=True))
        return destination

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

    # -- transactions and errors -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on leaving; on any error rolled back and the error explained.

        The row encoding (app.storage.rows) is typed for SQLite's connection and asks only execute and
        executemany of it, which RowConnection gives on PostgreSQL. `snapshot`: every read sees one moment.
        """
        import psycopg

        if self._connection.broken:  # lost since the last call (network, a server restart): log in again
            self._connection, self._display_name = _login(self._conninfo)
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
            raise StorageError(
                f"the connection to the clinic server failed ({first_line(error)}). A change is saved whole or not "
                "at all, never in part: open the client again to see which, once the network is back."
            ) from error
        except psycopg.Error as error:
            raise StorageError(f"the clinic server refused this: {first_line(error)}; nothing was changed") from error

    def _open_client(self, connection: sqlite3.Connection, client_id: str, *, lock: bool = False) -> Client:
        """Opens the client's record for this transaction (logged by the server when not theirs)."""
        try:
            connection.execute("SELECT backmap.open_client(?)", (client_id,))
        except _no_data_found() as error:
            raise NotFoundError(f"no client with id {client_id!r}") from error
        return self._client_in(connection, client_id, lock=lock)

    def _open_session(self, connection: sqlite3.Connection, session_id: str) -> str:
        """Opens the record of the session's client for this transaction; returns the client's id."""
        try:
            row = connection.execute("SELECT backmap.open_session(?)", (session_id,)).fetchone()
        except _no_data_found() as error:
            raise NotFoundError(f"no session with id {session_id!r}") from error
        return str(row[0])

    def _change_client(self, client_id: str, change: Callable[[Client], Client]) -> Client:
        with self._transaction() as connection:
            stored = self._client_in(connection, client_id, lock=True)
            self._check_current("client", client_id, stored.version, f"client {stored.name}")
            rows.update_client(connection, change(stored))
            return self._handed_out(self._client_in(connection, client_id))

    @contextmanager
    def _edit_open(self, session_id: str, based_on: int | None) -> Iterator[sqlite3.Connection]:
        """A transaction on a session that must still be open and unchanged since `based_on`; the session's
        row is locked until it ends, so two writers of one session take turns and the second sees the first."""
        with self._transaction() as connection:
            self._open_session(connection, session_id)
            version, finalised = connection.execute(
                "SELECT version, finalised FROM sessions WHERE id = ? FOR UPDATE", (session_id,)
            ).fetchone()
            self._check_current("session", session_id, version, f"session {session_id}", based_on)
            if finalised is not None:
                raise SessionLockedError(
                    f"session {session_id} was finalised on {finalised}; "
                    "change it with an amendment (a dated change with a reason)"
                )
            _raise_version(connection, session_id)
            yield connection
        self._seen[("session", session_id)] = version + 1

    def _change_open(self, session_id: str, based_on: int | None, **changes: Any) -> Session:
        """Writes the changed fields alone (checked as a Session checks them), then reads the session back."""
        checked = dataclasses.replace(_PROBE, id=session_id)
        for name, value in changes.items():  # a dotted name ("soap.pain_after") changes one SOAP field
            checked = checked.with_field(name, value)
        with self._edit_open(session_id, based_on) as connection:
            rows.update_session_fields(connection, checked, changes)
            if "plan" in changes:
                rows.drop_unused_plans(connection)
            return self._session_in(connection, session_id)

    # -- versions ----------------------------------------------------------------------------------------

    def _handed_out(self, record: RecordT) -> RecordT:
        """Notes the version of a client or session given to the caller: its next write is based on it."""
        kind = "client" if isinstance(record, Client) else "session"
        self._seen[(kind, record.id)] = record.version
        return record

    def _saw_intakes(self, client_id: str, intakes: Sequence[Intake]) -> None:
        # A screening is edited from the latest one: a new intake of today replaces it in effect.
        self._seen[("intakes", client_id)] = (intakes[-1].date, intakes[-1].version) if intakes else None

    def _check_intakes_current(self, connection: sqlite3.Connection, client_id: str) -> None:
        if ("intakes", client_id) not in self._seen:
            return
        latest = connection.execute(
            "SELECT date, version FROM intakes WHERE client_id = ? ORDER BY date DESC LIMIT 1", (client_id,)
        ).fetchone()
        stored = None if latest is None else (dt.date.fromisoformat(latest[0]), latest[1])
        if stored != self._seen[("intakes", client_id)]:
            raise StaleWriteError(_changed_elsewhere(f"the safety screening of client {client_id}"))

    def _check_current(self, kind: str, key: str, stored: int, what: str, based_on: int | None = None) -> None:
        expected = based_on if based_on is not None else self._seen.get((kind, key))
        if expected is not None and expected != stored:
            raise StaleWriteError(_changed_elsewhere(what))

    # -- reads inside a transaction --------------------------------------------------------------------

    def _find_client(self, connection: sqlite3.Connection, client_id: str, *, lock: bool = False) -> Client | None:
        # Locked: the client's row, so that two writers of one client (or its screening) take turns.
        found = rows.load_clients(connection, "id = ?", (client_id,), locking=" FOR UPDATE" if lock else "")
        return found[0] if found else None

    def _client_in(self, connection: sqlite3.Connection, client_id: str, *, lock: bool = False) -> Client:
        client = self._find_client(connection, client_id, lock=lock)
        if client is None:
            raise NotFoundError(f"no client with id {client_id!r}")
        return client

    def _session_in(self, connection: sqlite3.Connection, session_id: str) -> Session:
        found = rows.load_sessions(connection, "id = ?", (session_id,))
        if not found:
            raise NotFoundError(f"no session with id {session_id!r}")
        return found[0]

    def _intakes(self, connection: sqlite3.Connection, client_id: str) -> list[Intake]:
        return rows.load_intakes(connection, client_id)


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


RecordT = TypeVar("RecordT", Client, Session)
# What changed fields are checked against: only the fields a change names are taken from it.
_PROBE = Session("", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def _no_data_found() -> type[Exception]:
    import psycopg

    return psycopg.errors.NoDataFound


def _changed_elsewhere(what: str) -> str:
    return (
        f"{what} was changed elsewhere (another Backmap window, a command or a colleague) — reloaded. Nothing was "
        "saved: look at it again and redo the change if it is still needed."
    )


def _refusal(error: psycopg.Error) -> str:
    said = error.diag.message_primary or first_line(error)
    if "row-level security" in said:
        said = "that record is not yours, nor shared with you"
    return f"the clinic server refused this: {said}; nothing was changed"


def _already_there(error: psycopg.Error) -> str:
    table = error.diag.table_name or "record"
    what = {"clients": "a client", "sessions": "a session"}.get(table, f"a {table} row")
    return f"{what} with that id already exists; nothing was saved"


def _raise_version(connection: sqlite3.Connection, session_id: str) -> None:
    connection.execute("UPDATE sessions SET version = version + 1 WHERE id = ?", (session_id,))


def _write_mark(connection: sqlite3.Connection, session_id: str, state: MarkState) -> None:
    if state.tension is None:
        connection.execute(
            "DELETE FROM marks WHERE session_id = ? AND region = ? AND by = ?", (session_id, state.region, state.by)
        )
        return
    mark = Mark(state.region, state.by, state.tension, nfc(state.note), state.quality)
    connection.execute(_UPSERT_MARK, (session_id, mark.region, mark.by, mark.tension, mark.note, mark.quality))
