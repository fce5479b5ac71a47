"""What the WorkspaceController asks of the screen: a small interface, so its decisions are tested with a fake
view (tests/ui/test_workspace_controller.py) and the widget (widget.py) only shows and asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from app.domain.flag_info import FlagInfo
from app.domain.privacy_notice import PrivacyNotice
from app.domain.records import Client, Intake, Session
from app.domain.safety import Screening
from app.errors import BackmapError
from app.ui.consult.open_session_prompt import FinaliseChoice, OpenSessionChoice

if TYPE_CHECKING:
    from app.ui.background import RecordsWork
    from app.ui.consult.amend_dialog import AmendmentRequest

Mode = Literal["Consult", "Plan", "History"]
MODES: tuple[Mode, ...] = ("Consult", "Plan", "History")


@dataclass(frozen=True, slots=True)
class ClientShown:
    """The client the workspace shows, with what their screening says today."""

    client: Client
    screening: Screening
    reasons: tuple[str, ...]  # the safety banner's lines: a missing or due screening first, then its reasons

    @property
    def clearance_needed(self) -> bool:
        """The screening asks for a doctor's clearance that is not on record."""
        return self.screening.requires_clearance and not self.screening.clearance_on_record

    @property
    def may_start(self) -> bool:
        """A session may start: the client's consent is on record."""
        return self.client.consent is not None


class WorkspaceView(Protocol):
    # -- what is shown --------------------------------------------------------------------------------------
    def show_client(self, shown: ClientShown | None) -> None:
        """The header, the safety banner and the start button; None: nobody (every page forgets the last)."""

    def show_other_modes(self, client: Client | None, intake: Intake | None) -> None:
        """Plan or History, whichever is showing, read again for `client`."""

    def refresh_clients(self) -> None:
        """The client list read again (a client made, renamed or deleted), and the first-run hint with it."""

    def select_client(self, client_id: str) -> None:
        """The client list's selection follows the client shown (a client made elsewhere ends the first run)."""

    def show_mode(self, mode: Mode) -> None: ...

    def show_read_only(self, reason: str | None) -> None:
        """Why nothing can be saved, in view (None: it can)."""

    def show_status(self, text: str, milliseconds: int) -> None: ...

    def flush_typing(self) -> None:
        """Text typed but not yet saved is written now (before anything reads the session)."""

    # -- messages and questions -----------------------------------------------------------------------------
    def show_info(self, title: str, text: str) -> None: ...

    def show_warning(self, title: str, text: str) -> None: ...

    def show_warning_later(self, title: str, text: str) -> None:
        """Once the events now queued are handled: at start-up, after the window is on screen."""

    def show_damage(self, title: str, text: str) -> None:
        """The records are damaged: the gravest message there is."""

    def confirm(self, title: str, question: str) -> bool: ...

    def ask_text(self, title: str, prompt: str) -> str | None:
        """What the user typed; None: cancelled."""

    def ask_save_path(self, title: str, suggested_name: str, file_filter: str) -> Path | None:
        """None: cancelled."""

    def ask_client_details(self, notice: PrivacyNotice, client: Client | None, today: dt.date) -> Client | None:
        """A new client (`client` None) or `client`'s details and consent as edited; None: cancelled."""

    def ask_screening(self, flags: Sequence[FlagInfo], latest: Intake | None, day: dt.date) -> Intake | None:
        """Today's safety screening, starting from `latest`; None: cancelled."""

    def ask_amendment(self, session: Session) -> AmendmentRequest | None:
        """Which field of the finalised `session` to correct, to what and why; None: cancelled."""

    def ask_about_open_session(self, session: Session, today: dt.date) -> OpenSessionChoice: ...

    def ask_before_finalising_without_plan(self) -> FinaliseChoice: ...

    # -- work in the background -----------------------------------------------------------------------------
    def run_in_background(
        self,
        label: str,
        work: RecordsWork,
        done: Callable[[Any], object],
        failed: Callable[[BackmapError], object],
    ) -> None:
        """`work` on the records off the UI thread with progress shown; then `done(result)` or `failed(error)`."""


class ReceptionView(Protocol):
    """What a receptionist's workspace shows and asks besides the WorkspaceView (issue 19, point 3)."""

    def show_reception(self, client: Client | None) -> None:
        """The client's name, date of birth, contact and consent, and what reception does not see; None: nobody."""

    def ask_therapist(self, therapists: Sequence[tuple[str, str]]) -> str | None:
        """Whose client a new client is, among (login, name); None: cancelled."""
