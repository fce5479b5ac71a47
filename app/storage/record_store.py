"""What the UI and the commands ask of the client records, whatever holds them (docs/design.md, "Storage").

The SQLite file in the data folder is one store (app.storage.sqlite_store); a clinic's server is meant to be
another. This protocol says nothing about files: the file duties of a local database (its folder, WAL, backups,
encryption, the integrity check) are on `local_folder`, which a store without a local file leaves None.

The contract every store keeps:
- Every mutating call is one transaction and has COMMITTED when it returns, so the UI pushes its undo command
  only after a successful write. A failed write raises StorageError (app.storage.errors) with a clear message and
  leaves the records as they were; a missing client or session is NotFoundError, a write while nothing may be
  written is ReadOnlyError, a session without the client's consent ConsentRequiredError. Calls return frozen
  records from app.domain.records, re-read from the store.
- A session is open while it is edited; `finalise` locks it (an edit then raises SessionLockedError). After that
  only `amend` changes it, recording a dated Amendment (field, before, after, reason) per changed field.
- Other windows, commands or people may write the same records. Clients, intakes and sessions carry a version
  that every write to them raises; a write based on an older version than the stored one is refused with
  StaleWriteError ("changed elsewhere — reloaded") and the caller reloads. A session write may name the version
  it is based on (`based_on`, what the consult screen shows); otherwise, as for clients and intakes, it is based
  on the version this store last handed out for that record (an intake: the latest screening read).
- The audit log records creating a client, consent, screenings, finalising, amending, a plan given, discarding,
  import, export, PDFs, backups and erasure. It names actions, ids and field names, never note text or a path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from app.domain.records import (
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
from app.domain.session_summary import MarksTally, MarkTable, SessionLine

if TYPE_CHECKING:
    from app.storage.local_folder import LocalDataFolder


@dataclass(frozen=True, slots=True)
class Erasure:
    """What deleting a client did: they are gone from the records; what may still hold them is said here."""

    client_id: str
    # Backups the therapist can reach that hold the client (or may: unreadable ones), to delete or re-create.
    backups_holding_client: tuple[Path, ...] = ()
    # Anything else that keeps traces of the client for now, and what ends that (for the therapist to read).
    traces_left: str | None = None


class RecordStore(Protocol):
    """Clients, intakes, sessions, amendments, the audit log, import and export; close when done."""

    # -- the store itself -----------------------------------------------------------------------------

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be written now (another window has the records, damage found…); None: writable."""

    @property
    def open_warnings(self) -> tuple[str, ...]:
        """What the user should hear once about this open."""

    @property
    def local_folder(self) -> LocalDataFolder | None:
        """The data folder's file duties (backups, encryption, integrity check); None: no local file."""

    def opener(self) -> Callable[[], RecordStore]:
        """How to open another store on the same records, as this one was opened (e.g. in another thread)."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None: ...

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
    ) -> Client: ...

    def rename_client(self, client_id: str, name: str) -> Client: ...

    def update_contact(self, client_id: str, *, phone: str, email: str) -> Client: ...

    def set_born(self, client_id: str, born: dt.date | None) -> Client: ...

    def record_consent(self, client_id: str, consent: Consent) -> Client:
        """Records the client's consent (date, privacy notice version); a later consent replaces it."""

    def get_client(self, client_id: str) -> Client: ...

    def list_clients(self) -> list[Client]:
        """All clients, by name (ignoring case and accents)."""

    def search_clients(self, text: str) -> list[Client]:
        """Clients whose name contains `text`, ignoring case and accents ("zoe" finds "Zoë"); blank: everyone."""

    # -- intakes ---------------------------------------------------------------------------------------

    def save_intake(self, client_id: str, intake: Intake) -> Intake:
        """Saves the screening of `intake.date`, replacing an earlier one of the same date."""

    def latest_intake(self, client_id: str) -> Intake | None: ...

    def list_intakes(self, client_id: str) -> list[Intake]:
        """The client's intakes, oldest first."""

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
        """A new open session; refused when the client's consent is not recorded."""

    def add_session(self, client_id: str, session: Session) -> Session:
        """Stores a whole session at once (e.g. one written up afterwards); refused without consent."""

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
        """Sets the tension (0–10) of `region` in one layer, replacing that layer's earlier mark there."""

    def clear_mark(self, session_id: str, region: str, by: Layer, *, based_on: int | None = None) -> Session:
        """Back to "not assessed" for `region` in one layer (not the same as tension 0)."""

    def write_marks(self, shown: Session, states: Sequence[MarkState]) -> Session:
        """Writes `states` (a tension None: not assessed) to the open session `shown`, which must be as stored (its
        version, else StaleWriteError), and returns `shown` with them: nothing is read back, so an edit costs the
        same whatever the session holds."""

    def write_field(self, shown: Session, name: str, value: Any) -> Session:
        """As write_marks, for one scalar field (as set_field)."""

    def add_stroke(self, session_id: str, stroke: Stroke, *, based_on: int | None = None) -> Session: ...

    def apply_stroke(
        self, session_id: str, stroke: Stroke, marks: Sequence[Mark], *, based_on: int | None = None
    ) -> Session:
        """A brush stroke and the marks it sets (app.domain.brush), in one transaction."""

    def undo_stroke(
        self, session_id: str, stroke: Stroke, restore: Sequence[MarkState], *, based_on: int | None = None
    ) -> Session:
        """Removes `stroke`, which must be the session's last, and puts back the marks it changed.

        Refused (StaleWriteError) when the last stroke is another one: an undo never removes a stroke it did not add.
        """

    def log_hold(self, session_id: str, hold: Hold, *, based_on: int | None = None) -> Session: ...

    def set_soap(self, session_id: str, soap: Soap, *, based_on: int | None = None) -> Session: ...

    def set_field(self, session_id: str, name: str, value: Any, *, based_on: int | None = None) -> Session:
        """One scalar field of an open session ("minutes", "soap.pain_after": app.domain.session_fields)."""

    def set_shared_note(self, session_id: str, text: str, *, based_on: int | None = None) -> Session: ...

    def set_minutes(self, session_id: str, minutes: int, *, based_on: int | None = None) -> Session: ...

    def set_position(self, session_id: str, position: str, *, based_on: int | None = None) -> Session: ...

    def set_medium(self, session_id: str, medium: str, *, based_on: int | None = None) -> Session: ...

    def set_override(
        self, session_id: str, override: PressureOverride | None, *, based_on: int | None = None
    ) -> Session: ...

    def save_plan(self, session_id: str, plan: dict[str, Any] | None, *, based_on: int | None = None) -> Session:
        """Keeps the plan JSON exactly as given to the client (or None to drop an ungiven one); giving is logged."""

    def finalise(self, session_id: str, at: dt.datetime | None = None, *, based_on: int | None = None) -> Session:
        """Locks the session: from now on it changes only through `amend`."""

    def discard_session(self, session_id: str, *, based_on: int | None = None) -> None:
        """Erases an open session (started by mistake, or left unfinished); a finalised one is never discarded."""

    # -- sessions: finalised ones ----------------------------------------------------------------------

    def amend(self, session_id: str, corrected: Session, reason: str, at: dt.datetime | None = None) -> Session:
        """Changes a finalised session to `corrected`, recording one dated Amendment per changed field.

        `corrected` is the stored session with the fields changed (dataclasses.replace); its id, `finalised`
        and `amendments` are taken from the stored session. Earlier values stay in `before`.
        """

    # -- reading sessions ------------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session: ...

    def client_of_session(self, session_id: str) -> Client: ...

    def list_sessions(self, client_id: str) -> list[Session]:
        """The client's sessions, newest first, each whole (marks, strokes, holds, amendments)."""

    def latest_session(self, client_id: str) -> Session | None:
        """The client's newest session, whole; None when there is none. Reads nothing of the others."""

    def latest_open_session(self, client_id: str) -> Session | None:
        """The client's newest session not finalised yet, whole; None when every one is. Reads no other."""

    def session_lines(self, client_id: str) -> list[SessionLine]:
        """The client's timeline, newest first: one line per session from its own columns (no marks, no plan)."""

    def marks_tallies(self, client_id: str, session_ids: Sequence[str]) -> dict[str, MarksTally]:
        """What these sessions' marks add up to on their timeline lines (asked for the lines on screen only)."""

    def mark_table(self, client_id: str) -> MarkTable:
        """Every mark of the client's sessions as columns (trends, the heat map, comparisons)."""

    def history(self, client_id: str) -> ClientRecord:
        """Everything about one client, read as of one moment: the client, intakes and sessions (oldest first)."""

    # -- whole clients in and out, the audit log -------------------------------------------------------

    def import_records(self, records: Sequence[ClientRecord], *, replace: bool = False) -> list[str]:
        """Stores whole clients, all or none; an existing client id is refused unless `replace`."""

    def client_file_parts(self, client_id: str) -> list[str]:
        """The client's whole record as a client file's canonical text, in parts (app.storage.client_file), read
        as of one moment; not logged: the caller that hands it out logs it (log_export)."""

    def export_client(self, client_id: str, destination: Path, *, replace: bool = True) -> Path:
        """Writes the client's whole record as a client file (0600, atomic), then audit-logs it.

        replace=False: an existing file is refused. If the export cannot be logged, the file is removed again.
        """

    def log_export(self, client_id: str, *, to_file: bool) -> None:
        """Audit-logs an export of the client's record made by the caller (right of access)."""

    def log_pdf(self, client_id: str, document: str) -> None:
        """Audit-logs a PDF of the client's plan or letter saved to a file."""

    def delete_client(self, client_id: str) -> Erasure:
        """Erases every record of the client for good; the audit log keeps that it happened, by id only."""

    def audit_entries(self, client_id: str | None = None) -> list[tuple[str, str, str | None, str]]:
        """(at, action, client id, what), oldest first; all of them or one client's."""
