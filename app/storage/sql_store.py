"""The record rules every SQL store keeps, said once: SqlRecordStore, the base of the SQLite store
(app.storage.sqlite_store) and the PostgreSQL one (app.storage.postgres.store). The contract is RecordStore's
(app.storage.record_store); records become rows through app.storage.rows on either connection.

Here: versions and stale writes, the open-session edit path, finalising and amending, imports, the reads. Each
store says how it runs a transaction (and explains its errors), how it opens a client's or session's record (a
clinic server logs that), whether it locks the rows it reads for a write, and whether it writes the audit log
itself (the server's triggers do).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

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
from app.storage.client_file import document_parts, utf8_parts
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

if TYPE_CHECKING:
    from app.storage.driver import sqlite3
    from app.storage.local_folder import LocalDataFolder

_NOTICE_VERSION = re.compile(r"[vV]?[0-9][0-9A-Za-z.-]{0,19}")
_UPSERT_MARK = (
    "INSERT INTO marks (session_id, region, by, tension, note, quality) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (session_id, region, by) DO UPDATE SET tension = excluded.tension, note = excluded.note, "
    "quality = excluded.quality"
)


def now() -> dt.datetime:
    """This machine's local time with its offset, to the second."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


class SqlRecordStore(ABC):
    """RecordStore on a SQL database whose rows app.storage.rows writes; a store gives the hooks below.

    The connection a hook yields is typed as SQLite's: rows.py asks only execute and executemany of it.
    """

    # Appended to a SELECT that reads a row about to be written, so that two writers of it take turns ("": the
    # store's write transaction already holds the whole database).
    _LOCKING: ClassVar[str]
    # Whether the store refuses a client or session id already taken itself (else the database's keys do).
    _CHECKS_IDS: ClassVar[bool]
    # Whether the store writes the audit log itself (else the database does, from triggers and functions).
    _WRITES_AUDIT_LOG: ClassVar[bool]
    # Who else may have written a record, for the "changed elsewhere" message.
    _OTHER_WRITERS: ClassVar[str]
    # The id of a client's latest session and of their latest open one (`?`: the client's id), as the database
    # finds them fastest.
    _LATEST_SESSION: ClassVar[str]
    _LATEST_OPEN_SESSION: ClassVar[str]

    def __init__(self) -> None:
        # (kind, id) -> the version last handed out: what a write without `based_on` is based on.
        self._seen: dict[tuple[str, str], object] = {}

    # -- what each store gives -------------------------------------------------------------------------

    @abstractmethod
    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One transaction, committed on leaving; on any error rolled back and the error explained."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        """Reads, their errors explained."""

    @abstractmethod
    def _snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        """Reads that all see one moment."""

    @abstractmethod
    def _open_client_record(self, connection: sqlite3.Connection, client_id: str) -> None:
        """Opens the client's record before reading its intakes or sessions (a server logs it); NotFoundError."""

    @abstractmethod
    def _open_session_record(self, connection: sqlite3.Connection, session_id: str) -> None:
        """Opens the record of the session's client before reading the session (a server logs it)."""

    @property
    @abstractmethod
    def local_folder(self) -> LocalDataFolder | None: ...

    def _session_lines(self, connection: sqlite3.Connection, client_id: str) -> list[SessionLine]:
        """The client's timeline lines (a store may keep the last ones read while nothing changed)."""
        return history_reads.load_session_lines(connection, client_id)

    def _mark_table(self, connection: sqlite3.Connection, client_id: str) -> MarkTable:
        """The client's marks as columns (a store may keep the last table read while its marks are unchanged)."""
        return history_reads.load_mark_table(connection, client_id)

    @property
    def _default_therapist(self) -> str:
        """Whose a new session is when it names no therapist."""
        return ""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
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
        import uuid  # here, not at import: uuid loads `platform`, which reading the client list at start does without

        client = Client(client_id or str(uuid.uuid4()), nfc(name), born, nfc(phone), nfc(email), consent)
        with self._write() as connection:
            if self._CHECKS_IDS and self._find_client(connection, client.id) is not None:
                raise StorageError(f"a client with id {client.id} already exists")
            rows.insert_client(connection, client)
            self._audit(connection, "create_client", client.id, "client created")
            if consent is not None:
                self._audit(connection, "consent", client.id, _consent_summary(consent))
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
        return self._change_client(
            client_id,
            lambda client: dataclasses.replace(client, consent=consent),
            ("consent", _consent_summary(consent)),
        )

    def get_client(self, client_id: str) -> Client:
        with self._read() as connection:
            return self._handed_out(self._client_in(connection, client_id))

    def list_clients(self) -> list[Client]:
        with self._read() as connection:
            return rows.load_clients(connection)

    def search_clients(self, text: str) -> list[Client]:
        pattern = "%" + rows.name_key(text.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._read() as connection:
            return rows.load_clients(connection, "name_key LIKE ? ESCAPE '\\'", (pattern,))

    # -- intakes ---------------------------------------------------------------------------------------

    def save_intake(self, client_id: str, intake: Intake) -> Intake:
        with self._write() as connection:
            self._open_client(connection, client_id, lock=True)
            self._check_intakes_current(connection, client_id)
            rows.save_intake(connection, client_id, intake)
            self._audit(connection, "screening", client_id, f"screening of {intake.date.isoformat()}")
            saved = rows.load_intakes(connection, client_id)
        self._saw_intakes(client_id, saved)
        return next(stored for stored in saved if stored.date == intake.date)

    def latest_intake(self, client_id: str) -> Intake | None:
        intakes = self.list_intakes(client_id)
        return intakes[-1] if intakes else None

    def list_intakes(self, client_id: str) -> list[Intake]:
        with self._read() as connection:
            self._open_client(connection, client_id)
            intakes = rows.load_intakes(connection, client_id)
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
        import uuid

        session = Session(
            id=str(uuid.uuid4()),
            start=start or now(),
            minutes=minutes,
            therapist=nfc(therapist or self._default_therapist),
            position=nfc(position),
            medium=nfc(medium),
        )
        return self.add_session(client_id, session)

    def add_session(self, client_id: str, session: Session) -> Session:
        with self._write() as connection:
            client = self._open_client(connection, client_id)
            if client.consent is None:
                raise ConsentRequiredError(
                    f"{client.name} has no recorded consent: record it before starting a session"
                )
            if self._CHECKS_IDS and connection.execute("SELECT 1 FROM sessions WHERE id = ?", (session.id,)).fetchone():
                raise StorageError(f"a session with id {session.id} already exists")
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

    def write_marks(self, shown: Session, states: Sequence[MarkState]) -> Session:
        written = [MarkState(state.region, state.by, state.tension, nfc(state.note), state.quality) for state in states]
        with self._edit_open(shown.id, shown.version) as connection:
            for state in written:
                _write_mark(connection, shown.id, state)
        return _with_marks(shown, written, shown.version + 1)

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
        """Writes one scalar field of an open session ("minutes", "soap.pain_after": app.domain.session_fields)."""
        return self._change_open(session_id, based_on, **{name: scalar_field(name).checked(value)})

    def write_field(self, shown: Session, name: str, value: Any) -> Session:
        checked = scalar_field(name).checked(value)
        changed = shown.with_field(name, checked)  # checked as a Session checks it, before anything is written
        with self._edit_open(shown.id, shown.version) as connection:
            rows.update_session_fields(connection, changed, (name,))
        return dataclasses.replace(changed, version=shown.version + 1)

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
        with self._edit_open(session_id, based_on) as connection:
            rows.update_session_fields(connection, dataclasses.replace(_PROBE, id=session_id, plan=plan), ("plan",))
            rows.drop_unused_plans(connection)
            if plan is not None:
                self._audit_session(connection, "plan_given", session_id, f"session {session_id}")
            return self._session_in(connection, session_id)

    def finalise(self, session_id: str, at: dt.datetime | None = None, *, based_on: int | None = None) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            finalised = dataclasses.replace(_PROBE, id=session_id, finalised=at or now())
            rows.update_session_fields(connection, finalised, ("finalised",))
            self._audit_session(connection, "finalise", session_id, f"session {session_id}")
            return self._session_in(connection, session_id)

    def discard_session(self, session_id: str, *, based_on: int | None = None) -> None:
        with self._edit_open(session_id, based_on) as connection:
            self._audit_session(connection, "discard_session", session_id, f"open session {session_id} discarded")
            connection.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            rows.drop_unused_plans(connection)

    # -- sessions: finalised ones ----------------------------------------------------------------------

    def amend(self, session_id: str, corrected: Session, reason: str, at: dt.datetime | None = None) -> Session:
        if not reason.strip():
            raise StorageError("an amendment needs a reason")
        if corrected.id != session_id:
            raise StorageError(f"the corrected session has id {corrected.id}, not {session_id}")
        when = at or now()
        with self._write() as connection:
            self._open_session_record(connection, session_id)
            if self._LOCKING:
                connection.execute(f"SELECT 1 FROM sessions WHERE id = ?{self._LOCKING}", (session_id,))
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
            fields = ", ".join(name for name, _, _ in changes)
            self._audit_session(connection, "amend", session_id, f"session {session_id}: {fields}")
            _raise_version(connection, session_id)
            return self._handed_out(self._session_in(connection, session_id))

    # -- reading sessions ------------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        with self._read() as connection:
            self._open_session_record(connection, session_id)
            return self._handed_out(self._session_in(connection, session_id))

    def client_of_session(self, session_id: str) -> Client:
        with self._read() as connection:
            self._open_session_record(connection, session_id)
            return self._handed_out(self._client_in(connection, self._owner(connection, session_id)))

    def list_sessions(self, client_id: str) -> list[Session]:
        with self._read() as connection:
            self._open_client(connection, client_id)
            sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
        for session in sessions:
            self._handed_out(session)
        return sessions

    def latest_session(self, client_id: str) -> Session | None:
        return self._latest(client_id, self._LATEST_SESSION)

    def latest_open_session(self, client_id: str) -> Session | None:
        return self._latest(client_id, self._LATEST_OPEN_SESSION)

    def _latest(self, client_id: str, session_id_query: str) -> Session | None:
        with self._read() as connection:
            self._open_client(connection, client_id)
            found = rows.load_sessions(connection, f"id = ({session_id_query})", (client_id,))
        return self._handed_out(found[0]) if found else None

    def session_lines(self, client_id: str) -> list[SessionLine]:
        with self._read() as connection:
            self._open_client(connection, client_id)
            return self._session_lines(connection, client_id)

    def marks_tallies(self, client_id: str, session_ids: Sequence[str]) -> dict[str, MarksTally]:
        with self._read() as connection:
            self._open_client(connection, client_id)
            return history_reads.load_marks_tallies(connection, client_id, session_ids)

    def mark_table(self, client_id: str) -> MarkTable:
        with self._read() as connection:
            self._open_client(connection, client_id)
            return self._mark_table(connection, client_id)

    def history(self, client_id: str) -> ClientRecord:
        with self._snapshot() as connection:
            client = self._open_client(connection, client_id)
            intakes = rows.load_intakes(connection, client_id)
            sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
        self._handed_out(client)
        self._saw_intakes(client_id, intakes)
        for session in sessions:
            self._handed_out(session)
        return ClientRecord(client, tuple(intakes), tuple(reversed(sessions)))

    # -- whole clients in and out ----------------------------------------------------------------------

    def import_records(self, records: Sequence[ClientRecord], *, replace: bool = False) -> list[str]:
        with self._write() as connection:
            return import_each(records, lambda record: self._import_one(connection, record, replace=replace))

    def _import_one(self, connection: sqlite3.Connection, record: ClientRecord, *, replace: bool) -> None:
        client = record.client
        existing = self._find_client(connection, client.id, lock=True)
        if existing is not None and not replace:
            raise StorageError(f"client {client.id} ({existing.name}) is already here; use --replace to overwrite it")
        carried: list[tuple[str, list[Any]]] = []
        if existing is not None:
            self._open_client_record(connection, client.id)
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
        if self._CHECKS_IDS:
            for session in record.sessions:
                owner = connection.execute("SELECT client_id FROM sessions WHERE id = ?", (session.id,)).fetchone()
                if owner is not None:
                    raise StorageError(f"session {session.id} already belongs to client {owner[0]}")
        rows.insert_client(connection, client)
        for intake in record.intakes:
            rows.save_intake(connection, client.id, intake)
        for session in record.sessions:
            rows.insert_session(connection, client.id, session)
        for statement, values in carried:
            connection.executemany(statement, values)
        what = f"{len(record.intakes)} intakes, {len(record.sessions)} sessions"
        self._audit(connection, "import", client.id, what + (", replaced the earlier record" if existing else ""))

    def client_file_parts(self, client_id: str) -> list[str]:
        # From the rows: no Session is built to be encoded again (a long history exports in a fraction).
        with self._snapshot() as connection:
            client = self._open_client(connection, client_id)
            intakes = rows.load_intakes(connection, client_id)
            sessions = rows.load_session_objects(connection, client_id)
        return document_parts(client, intakes, sessions)

    def export_client(self, client_id: str, destination: Path, *, replace: bool = True) -> Path:
        parts = self.client_file_parts(client_id)
        folder = None if self.local_folder is None else self.local_folder.path
        with output_file(destination, folder, replace=replace) as temporary, temporary.open("wb") as file:
            file.writelines(utf8_parts(parts))
        logged_or_removed(destination, lambda: self.log_export(client_id, to_file=True))
        return destination

    @abstractmethod
    def log_export(self, client_id: str, *, to_file: bool) -> None: ...

    # -- the audit log -----------------------------------------------------------------------------------

    def _audit(self, connection: sqlite3.Connection, action: str, client_id: str | None, what: str) -> None:
        if self._WRITES_AUDIT_LOG:
            connection.execute(
                "INSERT INTO audit_log (at, action, client_id, what) VALUES (?, ?, ?, ?)",
                (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), action, client_id, what),
            )

    def _audit_session(self, connection: sqlite3.Connection, action: str, session_id: str, what: str) -> None:
        if self._WRITES_AUDIT_LOG:
            self._audit(connection, action, self._owner(connection, session_id), what)

    # -- writes inside a transaction -------------------------------------------------------------------

    def _change_client(
        self, client_id: str, change: Callable[[Client], Client], audit: tuple[str, str] | None = None
    ) -> Client:
        with self._write() as connection:
            stored = self._client_in(connection, client_id, lock=True)
            self._check_current("client", client_id, stored.version, f"client {stored.name}")
            rows.update_client(connection, change(stored))
            if audit is not None:
                self._audit(connection, audit[0], client_id, audit[1])
            return self._handed_out(self._client_in(connection, client_id))

    @contextmanager
    def _edit_open(self, session_id: str, based_on: int | None) -> Iterator[sqlite3.Connection]:
        """A write transaction on a session that must still be open and unchanged since `based_on`; where the
        store locks rows, the session's is locked until it ends, so two writers take turns and the second sees
        the first."""
        with self._write() as connection:
            self._open_session_record(connection, session_id)
            # The version and the lock only: an edit reads nothing of the session's marks, strokes or plan.
            found = connection.execute(
                f"SELECT version, finalised FROM sessions WHERE id = ?{self._LOCKING}", (session_id,)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"no session with id {session_id!r}")
            version, finalised = found
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
            raise StaleWriteError(self._changed_elsewhere(f"the safety screening of client {client_id}"))

    def _check_current(self, kind: str, key: str, stored: int, what: str, based_on: int | None = None) -> None:
        expected = based_on if based_on is not None else self._seen.get((kind, key))
        if expected is not None and expected != stored:
            raise StaleWriteError(self._changed_elsewhere(what))

    def _changed_elsewhere(self, what: str) -> str:
        return (
            f"{what} was changed elsewhere ({self._OTHER_WRITERS}) — reloaded. Nothing was saved: look at it "
            "again and redo the change if it is still needed."
        )

    # -- reads inside a transaction --------------------------------------------------------------------

    def _open_client(self, connection: sqlite3.Connection, client_id: str, *, lock: bool = False) -> Client:
        """The client, their record opened for this transaction."""
        self._open_client_record(connection, client_id)
        return self._client_in(connection, client_id, lock=lock)

    def _find_client(self, connection: sqlite3.Connection, client_id: str, *, lock: bool = False) -> Client | None:
        # Locked: the client's row, so that two writers of one client (or its screening) take turns.
        found = rows.load_clients(connection, "id = ?", (client_id,), locking=self._LOCKING if lock else "")
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

    def _owner(self, connection: sqlite3.Connection, session_id: str) -> str:
        row = connection.execute("SELECT client_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no session with id {session_id!r}")
        return str(row[0])


RecordT = TypeVar("RecordT", Client, Session)
# What changed fields are checked against: only the fields a change names are taken from it.
_PROBE = Session("", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def _consent_summary(consent: Consent) -> str:
    """Consent as the audit log names it."""
    given_by = ", by a guardian" if consent.guardian else ""
    # The notice version is free text in a client file: the log keeps it only if it looks like a version.
    version = consent.notice_version if _NOTICE_VERSION.fullmatch(consent.notice_version) else "(not a version)"
    return f"notice version {version}, given {consent.date.isoformat()}{given_by}"


def _raise_version(connection: sqlite3.Connection, session_id: str) -> None:
    connection.execute("UPDATE sessions SET version = version + 1 WHERE id = ?", (session_id,))


def _with_marks(session: Session, states: Sequence[MarkState], version: int) -> Session:
    """`session` with `states` in place of its marks of the same region and layer, in the order a read gives."""
    changed = {(state.region, state.by) for state in states}
    marks = [mark for mark in session.marks if (mark.region, mark.by) not in changed]
    marks += [Mark(s.region, s.by, s.tension, s.note, s.quality) for s in states if s.tension is not None]
    marks.sort(key=lambda mark: (mark.region, mark.by))
    return dataclasses.replace(session, marks=tuple(marks), version=version)


def _write_mark(connection: sqlite3.Connection, session_id: str, state: MarkState) -> None:
    if state.tension is None:
        connection.execute(
            "DELETE FROM marks WHERE session_id = ? AND region = ? AND by = ?", (session_id, state.region, state.by)
        )
        return
    mark = Mark(state.region, state.by, state.tension, nfc(state.note), state.quality)
    connection.execute(_UPSERT_MARK, (session_id, mark.region, mark.by, mark.tension, mark.note, mark.quality))
