"""The client records in a local SQLite file: the SQLite build of RecordStore (app.storage.record_store), which
holds the contract; its file duties are its LocalDataFolder (app.storage.local_folder).

`SqliteStore.open(data_dir)` is the one way the app and the commands open the records of a data folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

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
from app.storage.database import DB_FILENAME, OpenDatabase, open_database
from app.storage.driver import is_plain_file, sqlite3
from app.storage.errors import (
    ConsentRequiredError,
    NotFoundError,
    ReadOnlyError,
    SessionLockedError,
    StaleWriteError,
    StorageError,
)
from app.storage.files import output_file
from app.storage.importing import import_each
from app.storage.keys import DatabaseKey
from app.storage.local_folder import LocalDataFolder, holds_records, logged_or_removed
from app.storage.record_store import Erasure

_NOTICE_VERSION = re.compile(r"[vV]?[0-9][0-9A-Za-z.-]{0,19}")


def now() -> dt.datetime:
    """This machine's local time with its offset, to the second."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


class SqliteStore:
    """Client records in `<data folder>/backmap.sqlite3`: SqliteStore.open(data_dir); close when done."""

    def __init__(self, database: OpenDatabase) -> None:
        self._database = database
        self._connection = database.connection
        self._lines_kept = history_reads.LinesKept()
        self._folder = LocalDataFolder(database, self._log)
        # (kind, id) -> the version last handed out: what a write without `based_on` is based on.
        self._seen: dict[tuple[str, str], object] = {}

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        create: bool = True,
        read_only_reason: str | None = None,
        key: DatabaseKey | None = None,
    ) -> SqliteStore:
        """Opens the records in `data_dir`; create=False: a missing database is an error.

        `read_only_reason`: open them read-only, saying why (e.g. another Backmap window has them open).
        `key`: the database key of an encrypted folder (app.storage.keys); a plain database left behind by an
        interrupted encryption is encrypted with it first.
        """
        path = data_dir / DB_FILENAME
        if not create and not path.exists():
            raise NotFoundError(f"there are no Backmap records in {data_dir} (no {DB_FILENAME})")
        if key is not None and read_only_reason is None and holds_records(data_dir) and is_plain_file(path):
            from app.storage.encryption import finish_encryption

            finish_encryption(data_dir, key)
        return cls(open_database(path, read_only_reason=read_only_reason, key=key))

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
        """The same folder, read-only for the same reason, with the same key; the database must exist."""
        return partial(
            SqliteStore.open,
            self._folder.path,
            create=False,
            read_only_reason=self.read_only_reason,
            key=self._database.key,
        )

    def close(self) -> None:
        self._folder.close()

    def __enter__(self) -> SqliteStore:
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
        with self._write() as connection:
            if self._find_client(connection, client.id) is not None:
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
            client = self._find_client(connection, client_id)
        if client is None:
            raise NotFoundError(f"no client with id {client_id!r}")
        return self._handed_out(client)

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
            self._client_in(connection, client_id)
            self._check_intakes_current(connection, client_id)
            rows.save_intake(connection, client_id, intake)
            self._audit(connection, "screening", client_id, f"screening of {intake.date.isoformat()}")
            saved = self._intakes(connection, client_id, "", ())
        self._saw_intakes(client_id, saved)
        return next(stored for stored in saved if stored.date == intake.date)

    def latest_intake(self, client_id: str) -> Intake | None:
        intakes = self.list_intakes(client_id)
        return intakes[-1] if intakes else None

    def list_intakes(self, client_id: str) -> list[Intake]:
        with self._read() as connection:
            self._client_in(connection, client_id)
            intakes = self._intakes(connection, client_id, "", ())
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
        session = Session(
            id=str(uuid.uuid4()),
            start=start or now(),
            minutes=minutes,
            therapist=nfc(therapist),
            position=nfc(position),
            medium=nfc(medium),
        )
        return self.add_session(client_id, session)

    def add_session(self, client_id: str, session: Session) -> Session:
        with self._write() as connection:
            client = self._client_in(connection, client_id)
            if client.consent is None:
                raise ConsentRequiredError(
                    f"{client.name} has no recorded consent: record it before starting a session"
                )
            if connection.execute("SELECT 1 FROM sessions WHERE id = ?", (session.id,)).fetchone():
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

    def add_stroke(self, session_id: str, stroke: Stroke, *, based_on: int | None = None) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            position = rows.next_position(connection, "strokes", session_id)
            rows.insert_strokes(connection, session_id, (stroke,), position)
            return self._session_in(connection, session_id)

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
                self._audit(connection, "plan_given", self._owner(connection, session_id), f"session {session_id}")
            return self._session_in(connection, session_id)

    def finalise(self, session_id: str, at: dt.datetime | None = None, *, based_on: int | None = None) -> Session:
        with self._edit_open(session_id, based_on) as connection:
            finalised = dataclasses.replace(_PROBE, id=session_id, finalised=at or now())
            rows.update_session_fields(connection, finalised, ("finalised",))
            self._audit(connection, "finalise", self._owner(connection, session_id), f"session {session_id}")
            return self._session_in(connection, session_id)

    def discard_session(self, session_id: str, *, based_on: int | None = None) -> None:
        with self._edit_open(session_id, based_on) as connection:
            owner = self._owner(connection, session_id)
            connection.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            rows.drop_unused_plans(connection)
            self._audit(connection, "discard_session", owner, f"open session {session_id} discarded")

    # -- sessions: finalised ones ----------------------------------------------------------------------

    def amend(self, session_id: str, corrected: Session, reason: str, at: dt.datetime | None = None) -> Session:
        if not reason.strip():
            raise StorageError("an amendment needs a reason")
        if corrected.id != session_id:
            raise StorageError(f"the corrected session has id {corrected.id}, not {session_id}")
        when = at or now()
        with self._write() as connection:
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
            self._audit(connection, "amend", self._owner(connection, session_id), f"session {session_id}: {fields}")
            _raise_version(connection, "sessions", session_id)
            return self._handed_out(self._session_in(connection, session_id))

    # -- reading sessions ------------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        with self._read() as connection:
            return self._handed_out(self._session_in(connection, session_id))

    def client_of_session(self, session_id: str) -> Client:
        with self._read() as connection:
            return self._handed_out(self._client_in(connection, self._owner(connection, session_id)))

    def list_sessions(self, client_id: str) -> list[Session]:
        with self._read() as connection:
            self._client_in(connection, client_id)
            sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
        for session in sessions:
            self._handed_out(session)
        return sessions

    def latest_session(self, client_id: str) -> Session | None:
        with self._read() as connection:
            self._client_in(connection, client_id)
            # The newest instant through the index, then the last id among its sessions: never a sort of them all.
            found = rows.load_sessions(
                connection,
                "id = (SELECT id FROM sessions WHERE client_id = ?1 AND start_utc = "
                "(SELECT max(start_utc) FROM sessions WHERE client_id = ?1) ORDER BY id DESC LIMIT 1)",
                (client_id,),
            )
        return self._handed_out(found[0]) if found else None

    def latest_open_session(self, client_id: str) -> Session | None:
        with self._read() as connection:
            self._client_in(connection, client_id)
            found = rows.load_sessions(
                connection,
                "id = (SELECT id FROM sessions INDEXED BY sessions_open WHERE client_id = ? AND finalised IS NULL "
                "ORDER BY start_utc DESC, id DESC LIMIT 1)",
                (client_id,),
            )
        return self._handed_out(found[0]) if found else None

    def session_lines(self, client_id: str) -> list[SessionLine]:
        with self._read() as connection:
            self._client_in(connection, client_id)
            return self._lines_kept.session_lines(connection, client_id)

    def marks_tallies(self, client_id: str, session_ids: Sequence[str]) -> dict[str, MarksTally]:
        with self._read() as connection:
            self._client_in(connection, client_id)
            return history_reads.load_marks_tallies(connection, client_id, session_ids)

    def mark_table(self, client_id: str) -> MarkTable:
        with self._read() as connection:
            self._client_in(connection, client_id)
            return history_reads.load_mark_table(connection, client_id)

    def history(self, client_id: str) -> ClientRecord:
        with self._read() as connection:
            connection.execute("BEGIN")  # one snapshot across the queries
            try:
                client = self._client_in(connection, client_id)
                intakes = self._intakes(connection, client_id, "", ())
                sessions = rows.load_sessions(connection, "client_id = ?", (client_id,))
            finally:
                connection.execute("COMMIT")
        self._handed_out(client)
        self._saw_intakes(client_id, intakes)
        for session in sessions:
            self._handed_out(session)
        return ClientRecord(client, tuple(intakes), tuple(reversed(sessions)))

    # -- whole clients in and out, backups -------------------------------------------------------------

    def import_records(self, records: Sequence[ClientRecord], *, replace: bool = False) -> list[str]:
        with self._write() as connection:
            return import_each(records, lambda record: self._import_one(connection, record, replace=replace))

    def _import_one(self, connection: sqlite3.Connection, record: ClientRecord, *, replace: bool) -> None:
        client = record.client
        existing = self._find_client(connection, client.id)
        if existing is not None and not replace:
            raise StorageError(f"client {client.id} ({existing.name}) is already here; use --replace to overwrite it")
        carried: list[tuple[str, list[Any]]] = []
        if existing is not None:
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

    def export_client(self, client_id: str, destination: Path, *, replace: bool = True) -> Path:
        parts = dump_parts(self.history(client_id))
        with output_file(destination, self._folder.path, replace=replace) as temporary, temporary.open("wb") as file:
            file.writelines(utf8_parts(parts))
        logged_or_removed(destination, lambda: self.log_export(client_id, to_file=True))
        return destination

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

    def _audit(self, connection: sqlite3.Connection, action: str, client_id: str | None, what: str) -> None:
        connection.execute(
            "INSERT INTO audit_log (at, action, client_id, what) VALUES (?, ?, ?, ?)",
            (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), action, client_id, what),
        )

    # -- helpers inside a transaction ------------------------------------------------------------------

    def _change_client(
        self, client_id: str, change: Callable[[Client], Client], audit: tuple[str, str] | None = None
    ) -> Client:
        with self._write() as connection:
            stored = self._client_in(connection, client_id)
            self._check_current("client", client_id, stored.version, f"client {stored.name}")
            rows.update_client(connection, change(stored))
            if audit is not None:
                self._audit(connection, audit[0], client_id, audit[1])
            return self._handed_out(self._client_in(connection, client_id))

    @contextmanager
    def _edit_open(self, session_id: str, based_on: int | None) -> Iterator[sqlite3.Connection]:
        """A write transaction on a session that must still be open and unchanged since `based_on`."""
        with self._write() as connection:
            # The version and the lock only: an edit reads nothing of the session's marks, strokes or plan.
            found = connection.execute("SELECT version, finalised FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if found is None:
                raise NotFoundError(f"no session with id {session_id!r}")
            version, finalised = found
            self._check_current("session", session_id, version, f"session {session_id}", based_on)
            if finalised is not None:
                raise SessionLockedError(
                    f"session {session_id} was finalised on {finalised}; "
                    "change it with an amendment (a dated change with a reason)"
                )
            _raise_version(connection, "sessions", session_id)
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

    def _find_client(self, connection: sqlite3.Connection, client_id: str) -> Client | None:
        found = rows.load_clients(connection, "id = ?", (client_id,))
        return found[0] if found else None

    def _client_in(self, connection: sqlite3.Connection, client_id: str) -> Client:
        client = self._find_client(connection, client_id)
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

    def _intakes(
        self, connection: sqlite3.Connection, client_id: str, extra: str, parameters: tuple[Any, ...]
    ) -> list[Intake]:
        return rows.load_intakes(connection, client_id, extra, parameters)


RecordT = TypeVar("RecordT", Client, Session)
# What changed fields are checked against: only the fields a change names are taken from it.
_PROBE = Session("", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def _changed_elsewhere(what: str) -> str:
    return (
        f"{what} was changed elsewhere (another Backmap window or a command) — reloaded. Nothing was saved: "
        "look at it again and redo the change if it is still needed."
    )


def _raise_version(connection: sqlite3.Connection, table: str, row_id: str) -> None:
    connection.execute(f"UPDATE {table} SET version = version + 1 WHERE id = ?", (row_id,))


def _consent_summary(consent: Consent) -> str:
    given_by = ", by a guardian" if consent.guardian else ""
    # The notice version is free text in a client file: the log keeps it only if it looks like a version.
    version = consent.notice_version if _NOTICE_VERSION.fullmatch(consent.notice_version) else "(not a version)"
    return f"notice version {version}, given {consent.date.isoformat()}{given_by}"


def _write_mark(connection: sqlite3.Connection, session_id: str, state: MarkState) -> None:
    if state.tension is None:
        connection.execute(
            "DELETE FROM marks WHERE session_id = ? AND region = ? AND by = ?", (session_id, state.region, state.by)
        )
        return
    mark = Mark(state.region, state.by, state.tension, nfc(state.note), state.quality)
    connection.execute(
        "INSERT OR REPLACE INTO marks (session_id, region, by, tension, note, quality) VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, mark.region, mark.by, mark.tension, mark.note, mark.quality),
    )
