"""WorkspaceController: the workspace's decisions, on the records and through a small view (view.py).

It owns the client shown, their latest intake and today's screening of it, and decides what happens when the
therapist creates, edits or deletes a client, records a screening, starts, finalises, discards or amends a
session, and backs up or exports. It imports no widget: every message and question goes through the view, so it
is tested with a fake view (tests/ui/test_workspace_controller.py). The consult's own edits are the
ConsultController's. A receptionist on a clinic server (a Reception given) sees and edits names, contact and
consent alone, and books new clients for a therapist: nothing of a treatment record is read for her.

The refresh rule (what is read again after a change, so the screen stays true to the disk):
- a client made, edited or deleted: the client list, then the client (or nobody);
- a screening recorded, a session started, discarded or amended: the client (banner, consult, other mode);
- a session finalised: the other mode (the consult already shows what it wrote);
- a write refused (stale, or the records damaged): the user is told, and a stale write reloads the client as
  stored now;
- the mode shown changes: that mode.
Reading the client again shows their newest session in the consult and refreshes Plan or History, whichever
shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from app.domain.flag_info import flag_infos
from app.domain.intake_rules import screening_is_due
from app.domain.privacy_notice import PrivacyNotice, load_privacy_notice
from app.domain.protocol import NO_MASSAGE
from app.domain.protocol import Protocol as KnowledgeBase
from app.domain.records import Client, Consent, Intake, Session
from app.domain.safety import Screening, screen
from app.errors import BackmapError
from app.storage.errors import DamagedDatabaseError, StaleWriteError, StorageError
from app.storage.record_store import RecordStore
from app.ui.consult.controller import Guidance
from app.ui.consult.guidance import guidance_html
from app.ui.consult.open_session_prompt import FinaliseChoice, OpenSessionChoice
from app.ui.display_dates import day_text, days_ago_text
from app.ui.error_text import plain_error
from app.ui.settings import AppSettings
from app.ui.workspace.view import ClientShown, ReceptionView, WorkspaceView

if TYPE_CHECKING:
    from app.storage.postgres.store import Colleague

T = TypeVar("T")

SCREENING_MENU = "Client → Safety screening (Ctrl+I)"


class ConsultSessions(Protocol):
    """What the workspace asks of the consult (app.ui.consult.controller.ConsultController)."""

    @property
    def session(self) -> Session | None: ...

    def open_session(self, client_id: str, session: Session | None, guidance: Guidance | None = None) -> None: ...

    def continue_session(self) -> None: ...

    def finalise(self) -> bool: ...

    def discard_session(self) -> bool: ...

    def forget_client(self, client_id: str) -> None: ...


def _no_guidance(_region: str, _override: object) -> str:
    return ""


class FrontDesk(Protocol):
    """What reception does on a clinic server (app.storage.postgres.store.PostgresStore)."""

    def colleagues(self) -> Sequence[Colleague]: ...

    def create_client_for(
        self,
        therapist: str,
        name: str,
        *,
        born: dt.date | None = None,
        phone: str = "",
        email: str = "",
        consent: Consent | None = None,
    ) -> Client: ...


@dataclass(frozen=True, slots=True)
class Reception:
    """A receptionist's workspace: names, contact and consent only, read and written through the front desk and
    shown on the reception view; no treatment record is read (the server would refuse it)."""

    desk: FrontDesk
    view: ReceptionView


class WorkspaceController:
    def __init__(
        self,
        store: RecordStore,
        protocol: KnowledgeBase,
        settings: AppSettings,
        consult: ConsultSessions,
        view: WorkspaceView,
        *,
        demo: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
        reception: Reception | None = None,
    ) -> None:
        self._store = store
        self._protocol = protocol
        self._settings = settings
        self._consult = consult
        self._view = view
        self._demo = demo
        self._today = today
        self._client: Client | None = None
        self._intake: Intake | None = None
        self._screening: Screening | None = None
        self._reception = reception

    @property
    def client(self) -> Client | None:
        """The client shown, if any."""
        return self._client

    @property
    def treats(self) -> bool:
        """Whether this person may see and write treatment records (screening, sessions): not reception."""
        return self._reception is None

    # ---- the client shown ----------------------------------------------------------------------------
    def _guard(self, action: Callable[[], T]) -> T | None:
        """`action`'s result; None when it failed, after telling the user (a stale write shows what is stored)."""
        try:
            return action()
        except BackmapError as error:
            self._view.show_warning("Backmap", plain_error(error))
            if isinstance(error, StaleWriteError) and self._client is not None:
                self.open_client(self._client.id)
            return None

    def open_last_client(self) -> None:
        """The client open when the app last closed, if it still exists (never in the demo)."""
        last = self._settings.last_client_id()
        if not last or self._demo:
            return
        try:
            self._store.get_client(last)
        except BackmapError:
            return  # the remembered client was deleted: start empty
        self.open_client(last)

    def open_client(self, client_id: str) -> None:
        self._view.flush_typing()
        client = self._guard(lambda: self._store.get_client(client_id))
        if client is None:
            return
        if self._reception is not None:
            self._client = client
            self._reception.view.show_reception(client)
        else:
            self._guard(lambda: self._show_client(client))  # damaged rows: say so and what to do
        self._view.select_client(client_id)
        self._settings.set_last_client_id(client_id)

    def show_nobody(self) -> None:
        self._client, self._intake, self._screening = None, None, None
        self._view.show_client(None)
        self._consult.open_session("", None, guidance=_no_guidance)
        if self._reception is not None:
            self._reception.view.show_reception(None)

    def _show_client(self, client: Client) -> None:
        self._client = client
        self._intake = self._store.latest_intake(client.id)
        today = self._today()
        self._screening = screen(self._intake, self._protocol, on=today)
        reasons = [reason.reason for reason in self._screening.reasons]
        if self._intake is None:
            reasons.insert(0, f"No safety screening on record yet: {SCREENING_MENU}.")
        elif screening_is_due(self._intake.date, today, self._settings.screening_recheck_days()):
            reasons.insert(
                0,
                f"Re-check the screening with the client: it is from {day_text(self._intake.date)} "
                f"({days_ago_text(self._intake.date, today)}). {SCREENING_MENU}.",
            )
        self._view.show_client(ClientShown(client, self._screening, tuple(reasons)))
        # The newest session only: opening a client costs the same whatever its history holds.
        self._show_session(client.id, self._store.latest_session(client.id))
        self.refresh_other_modes()

    def _show_session(self, client_id: str, session: Session | None) -> None:
        """The consult shows `session` of the current client, with this client's guidance."""
        screening, protocol = self._screening, self._protocol
        if screening is None:
            self._consult.open_session(client_id, session)
            return
        self._consult.open_session(
            client_id, session, guidance=lambda region, override: guidance_html(region, screening, protocol, override)
        )

    def refresh_other_modes(self) -> None:
        """Plan or History, whichever is showing, read again (reception has neither)."""
        if self._reception is not None:
            return
        self._view.show_other_modes(self._client, self._intake)

    # ---- clients -------------------------------------------------------------------------------------
    def new_client(self) -> None:
        """A new client; with their consent on record, today's screening is asked next."""
        record = self._view.ask_client_details(self._notice(), None, self._today())
        if record is None:
            return
        if self._reception is not None:
            created = self._book(self._reception, record)
        else:
            created = self._guard(
                lambda: self._store.create_client(
                    record.name, born=record.born, phone=record.phone, email=record.email, consent=record.consent
                )
            )
        if created is None:
            return
        self._view.refresh_clients()
        self.open_client(created.id)
        if created.consent is not None and self.treats:
            self.edit_screening()

    def _book(self, reception: Reception, record: Client) -> Client | None:
        """Reception's new client, for the therapist she chooses (the client's record is theirs)."""
        colleagues = self._guard(reception.desk.colleagues)
        if colleagues is None:
            return None
        therapist = reception.view.ask_therapist([(colleague.role, colleague.name) for colleague in colleagues])
        if therapist is None:
            return None
        return self._guard(
            lambda: reception.desk.create_client_for(
                therapist, record.name, born=record.born, phone=record.phone, email=record.email, consent=record.consent
            )
        )

    def edit_client(self) -> None:
        client = self._client
        if client is None:
            return
        record = self._view.ask_client_details(self._notice(), client, self._today())
        if record is None:
            return

        def save() -> Client:
            store = self._store
            if record.name != client.name:
                store.rename_client(client.id, record.name)
            if (record.phone, record.email) != (client.phone, client.email):
                store.update_contact(client.id, phone=record.phone, email=record.email)
            if record.born != client.born:
                store.set_born(client.id, record.born)
            if record.consent is not None and record.consent != client.consent:
                store.record_consent(client.id, record.consent)
            return store.get_client(client.id)

        if self._guard(save) is not None:
            self._view.refresh_clients()
            self.open_client(client.id)

    def edit_screening(self) -> None:
        """Today's screening: a new dated one that starts from the last; none without the client's consent."""
        client = self._client
        if client is None:
            return
        if client.consent is None:
            self._view.show_info(
                "Safety screening",
                "Without the client's consent no health information is recorded: record their consent first "
                "(Client → Details and consent).",
            )
            return
        # The screening as stored now (another window may have added to it): what the save is based on.
        latest = self._guard(lambda: self._store.latest_intake(client.id))
        intake = self._view.ask_screening(flag_infos(self._protocol), latest, self._today())
        if intake is None:
            return
        if self._guard(lambda: self._store.save_intake(client.id, intake)) is not None:
            self.open_client(client.id)

    def delete_client(self) -> None:
        """Erases the client for good once their name is typed; then says which backups may still hold them."""
        client = self._client
        if client is None:
            return
        typed = self._view.ask_text(
            "Delete client for good",
            "This erases every record of this client from this computer and cannot be undone.\n"
            "Backups made earlier still hold the client; they are listed afterwards.\n\n"
            "Type the client's name to confirm:",
        )
        if typed is None:
            return
        if typed.strip() != client.name:
            self._view.show_info("Backmap", "The name did not match: nothing was deleted.")
            return
        result = self._guard(lambda: self._store.delete_client(client.id))
        if result is None:
            return
        self._consult.forget_client(client.id)
        self._settings.set_last_client_id("")
        self._view.refresh_clients()
        self.show_nobody()
        backups = "\n".join(str(path) for path in result.backups_holding_client) or "none"
        leftover = f"\n\n{result.traces_left}" if result.traces_left else ""
        self._view.show_info(
            "Client deleted",
            f"The client's records were erased.\n\nBackups that may still hold them:\n{backups}{leftover}",
        )

    def _notice(self) -> PrivacyNotice:
        return load_privacy_notice(self._settings.practice().practice_name)

    # ---- sessions ------------------------------------------------------------------------------------
    def start_session(self) -> None:
        """Today's session; an open one is continued, finalised or discarded first (an empty one quietly)."""
        client = self._client
        if client is None:
            return
        self._view.flush_typing()
        reason = self._store.read_only_reason
        if reason is not None:  # nothing can be started: said before any question
            self._view.show_warning("Backmap", reason)
            return
        # In a tuple, so that "none open" (None inside) differs from a failed read (None from _guard).
        found = self._guard(lambda: (self._store.latest_open_session(client.id),))
        if found is None:
            return
        (still_open,) = found
        if still_open is not None and not self._end_open_session(client, still_open):
            return
        if self._screening is not None and self._screening.outcome in NO_MASSAGE:
            urgent = self._screening.outcome == "urgent"
            if not self._view.confirm(
                "Urgent: emergency care" if urgent else "Postpone and refer",
                ("The safety screening says the client needs emergency care now. " if urgent else "")
                + "The safety screening says to postpone massage and refer the client. Start a session anyway, "
                "to record the consultation?",
            ):
                return
        default = self._protocol.session.default_position
        position = self._screening.position_for(default) if self._screening is not None else default
        therapist = self._settings.practice().therapist_name
        started = self._guard(lambda: self._store.start_session(client.id, therapist=therapist, position=position))
        if started is not None:
            self._view.show_mode("Consult")
            self.open_client(client.id)

    def _end_open_session(self, client: Client, still_open: Session) -> bool:
        """Whether `still_open` was finalised or discarded, so a new session may start (the therapist chooses)."""
        self._show_session(client.id, still_open)
        empty = still_open.is_empty
        choice = OpenSessionChoice.DISCARD if empty else self._view.ask_about_open_session(still_open, self._today())
        if choice is OpenSessionChoice.CONTINUE:
            self._consult.continue_session()
            self._view.show_mode("Consult")
            return False
        if choice is OpenSessionChoice.CANCEL:
            return False
        if choice is OpenSessionChoice.FINALISE:
            return self._consult.finalise()
        return (empty or self._confirm_discard(still_open)) and self._consult.discard_session()

    def finalise_session(self) -> None:
        shown = self._consult.session
        if shown is None or shown.is_final:
            return
        self._view.flush_typing()
        session = self._guard(lambda: self._store.get_session(shown.id))  # Plan mode may have given it since
        if session is None:
            return
        if self._plan_due(session):
            # Giving the plan and timing holds belong to the visit: once finalised, neither can be recorded.
            choice = self._view.ask_before_finalising_without_plan()
            if choice is FinaliseChoice.SHOW_PLAN:
                self._view.show_mode("Plan")
                return
            if choice is FinaliseChoice.CANCEL:
                return
        elif not self._view.confirm(
            "Finalise session",
            "Lock this session? Later changes will be dated amendments, and the original stays on record.",
        ):
            return
        if self._consult.finalise():
            self.refresh_other_modes()

    def _plan_due(self, session: Session) -> bool:
        """The plan of this open session is still to be given (a postponed visit has none to give)."""
        postponed = self._screening is not None and self._screening.outcome == "postpone"
        return session.plan is None and not postponed

    def _confirm_discard(self, session: Session) -> bool:
        return self._view.confirm(
            "Discard session",
            f"Erase the open session of {day_text(session.start.astimezone().date())} for good? "
            "Its marks and notes cannot be brought back.",
        )

    def discard_session(self) -> None:
        """Erases the open session shown: asked first unless nothing was recorded in it."""
        shown, client = self._consult.session, self._client
        if shown is None or shown.is_final or client is None:
            return
        self._view.flush_typing()
        session = self._guard(lambda: self._store.get_session(shown.id))  # notes just flushed count too
        if session is None:
            return
        if not session.is_empty and not self._confirm_discard(session):
            return
        if self._consult.discard_session():
            self._view.show_status("The open session was discarded.", 5000)
            self.open_client(client.id)

    def amend_session(self) -> None:
        """A dated correction of the finalised session shown, with its reason; the original stays on record."""
        session = self._consult.session
        if session is None or not session.is_final:
            return
        request = self._view.ask_amendment(session)
        if request is None:
            return
        corrected = session.with_field(request.field, request.after)
        amended = self._guard(lambda: self._store.amend(session.id, corrected, request.reason))
        if amended is not None and self._client is not None:
            self.open_client(self._client.id)

    # ---- clinic duties -------------------------------------------------------------------------------
    def export_client(self) -> None:
        client = self._client
        if client is None:
            return
        path = self._view.ask_save_path(
            "Export client (everything held about them)", "client.json", "Client file (*.json)"
        )
        if path is None:
            return
        self._view.run_in_background(
            "Exporting the client's records…",
            lambda records: records.export_client(client.id, path),
            lambda _path: self._view.show_status("Client exported.", 5000),
            self._background_failed,
        )

    def back_up(self) -> None:
        reason = self._store.read_only_reason
        if reason is not None:  # damaged or not ours to write: said before any work
            self._view.show_warning("Backmap", reason)
            return
        self._view.run_in_background(
            "Backing up and checking the copy…",
            _back_up,
            lambda made: self._view.show_info("Backup", f"Backup written and checked:\n{made}"),
            self._background_failed,
        )

    def _background_failed(self, error: BackmapError) -> None:
        folder = self._store.local_folder
        if isinstance(error, DamagedDatabaseError) and folder is not None:  # found by the backup's check:
            folder.stop_writing([error.detail])  # nothing more is written
            self._view.show_read_only(self._store.read_only_reason)
        self._view.show_warning("Backmap", str(error))

    def report_data_folder(self) -> None:
        """Says which folder the records are in; warns when it is read-only or in a cloud-synced folder."""
        folder = self._store.local_folder
        reason = self._store.read_only_reason
        self._view.show_read_only(reason)
        place = str(folder.path) if folder is not None else "not kept on this computer"
        self._view.show_status(f"Data: {place}" + (" — read-only" if reason else ""), 0)
        for warning in self._store.open_warnings:
            self._view.show_warning_later("Backmap", warning)
        cloud = folder.cloud_sync_warning() if folder is not None else None
        if cloud:
            self._view.show_warning_later("Data folder in a cloud folder", cloud)

    def records_checked(self, problems: list[str]) -> None:
        """The background integrity check's result: damage found stops every write and says what to do."""
        folder = self._store.local_folder  # the check ran on it
        if problems and folder is not None:
            message = folder.stop_writing(problems)
            self._view.show_read_only(self._store.read_only_reason)
            self._view.show_damage("The records are damaged", message)
        else:
            self._view.show_status("Records checked: no damage found.", 10_000)


def _back_up(records: RecordStore) -> Path:
    """A checked backup of records in a local data folder (the menu offers it only for those)."""
    folder = records.local_folder
    if folder is None:
        raise StorageError("these records are not kept on this computer: they are backed up where they are kept")
    return folder.backup()
