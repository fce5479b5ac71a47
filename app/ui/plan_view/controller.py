"""PlanController: Plan mode's decisions. It drives a PlanPageView and writes through a PlanStore.

What plan a session shows (as given for a finalised or given session, never rebuilt silently; else built from
its marks now), whether the clearance button and the letter are offered, marking as given (based on the session
version shown: a plan built from marks changed elsewhere is never stored as given), holds, printing, the PDF
and the letter. Questions and messages go through the view, so this is tested with a fake view
(tests/ui/test_plan_controller.py); the page (app.ui.plan_view.mode.PlanMode) is the Qt side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtGui import QPagedPaintDevice

from app.domain.doctor_letter import letter_for_session, needs_letter
from app.domain.plan_wording import Handout, clearance_missing
from app.domain.practice import PracticeSettings
from app.domain.protocol import Protocol as SafetyProtocol
from app.domain.records import Client, Hold, Intake, Session
from app.domain.session_plan import SessionHandout, handout_for
from app.errors import BackmapError
from app.storage.errors import StaleWriteError
from app.ui.error_text import plain_error
from app.ui.plan_view.letter_pdf import write_letter_pdf
from app.ui.plan_view.plan_pdf import paint_handout, write_handout_pdf
from app.ui.settings import PageSizeName

NO_SESSION = "Choose a client and start a session; their plan shows here."
CHANGED_ELSEWHERE = (
    "Not saved: this session was changed elsewhere since its plan was shown. The plan now shows the latest "
    "marks: check it, then mark it as given."
)


@dataclass(frozen=True, slots=True)
class PlanScreen:
    """What Plan mode shows for a session."""

    handout: Handout
    clearance_on_record: bool
    given: bool  # stored as given to the client
    final: bool  # the session is finalised: nothing is given or timed any more
    held: bool  # open since an earlier day, not yet continued: shown, but nothing given or timed
    offer_clearance: bool  # "Record the doctor's clearance…": a clearance is missing and the session is open
    letter_needed: bool


class PlanPageView(Protocol):
    def show_screen(self, screen: PlanScreen) -> None: ...

    def show_message(self, text: str) -> None: ...

    def show_given(self) -> None: ...

    def show_warning(self, message: str) -> None: ...

    def ask_save_path(self, title: str, suggested_name: str) -> Path | None: ...

    def ask_printer(self, title: str, page_size: PageSizeName) -> QPagedPaintDevice | None: ...


class PlanStore(Protocol):
    """What Plan mode needs from the records (app.storage.record_store.RecordStore); each call commits."""

    def list_intakes(self, client_id: str) -> list[Intake]: ...

    def get_session(self, session_id: str) -> Session: ...

    def save_plan(self, session_id: str, plan: dict[str, Any] | None, *, based_on: int | None = None) -> Session: ...

    def log_hold(self, session_id: str, hold: Hold, *, based_on: int | None = None) -> Session: ...

    def log_pdf(self, client_id: str, document: str) -> None: ...


class PlanSettings(Protocol):
    def practice(self) -> PracticeSettings: ...

    def page_size(self) -> PageSizeName: ...


class PlanController:
    def __init__(
        self,
        store: PlanStore,
        view: PlanPageView,
        protocol: SafetyProtocol,
        settings: PlanSettings,
        *,
        today: Callable[[], dt.date],
        written: Callable[[Session], None],
    ) -> None:
        self._store = store
        self._view = view
        self._protocol = protocol
        self._settings = settings
        self._today = today
        self._written = written  # the consult adopts the version of every session written here
        self._client: Client | None = None
        self._session: Session | None = None
        self._held = False
        self._shown: SessionHandout | None = None

    @property
    def shown(self) -> SessionHandout | None:
        """The plan on screen, as printed and saved."""
        return self._shown

    def show_for(self, client: Client | None, session: Session | None, *, held: bool = False) -> None:
        """The plan of `session`, or a message when there is none or it cannot be read."""
        self._client, self._session, self._held, self._shown = client, session, held, None
        if client is None or session is None:
            self._view.show_message(NO_SESSION)
            return
        try:
            shown = handout_for(
                client,
                session,
                self._store.list_intakes(client.id),
                self._protocol,
                practice=self._settings.practice(),
            )
            missing = clearance_missing(shown.handout.plan, shown.clearance_on_record)
            self._view.show_screen(  # may fail too: a map that cannot be drawn
                PlanScreen(
                    handout=shown.handout,
                    clearance_on_record=shown.clearance_on_record,
                    given=session.plan is not None,
                    final=session.is_final,
                    held=held,
                    offer_clearance=missing and not session.is_final,
                    letter_needed=needs_letter(shown.plan, shown.clearance_on_record),
                )
            )
        except BackmapError as error:
            self._view.show_message(f"The plan cannot be shown: {plain_error(error)}")
            return
        self._shown = shown

    def mark_given(self) -> None:
        """Stores the plan on screen as given, if the session is still the one it was built from."""
        session, shown = self._session, self._shown
        if session is None or shown is None:
            return
        try:
            written = self._store.save_plan(session.id, shown.plan.to_json(), based_on=session.version)
        except StaleWriteError:
            self._view.show_warning(CHANGED_ELSEWHERE)
            self._reload(session)
            return
        except BackmapError as error:
            self._view.show_warning(f"Not saved: {plain_error(error)}")
            return
        self._adopt(written)
        self._view.show_given()

    def log_hold(self, region: str, seconds: float) -> None:
        """A hold timed on a point: logged whatever else changed (it happened)."""
        session = self._session
        if session is None:
            return
        try:
            written = self._store.log_hold(session.id, Hold(region, round(seconds, 1)))
        except BackmapError as error:
            self._view.show_warning(f"Not saved: {plain_error(error)}")
            return
        self._adopt(written)

    def print_plan(self) -> None:
        shown = self._shown
        if shown is None:
            return
        printer = self._view.ask_printer(shown.handout.title, self._settings.page_size())
        if printer is None:
            return
        try:
            paint_handout(printer, shown.handout, clearance_on_record=shown.clearance_on_record)
        except BackmapError as error:
            self._view.show_warning(plain_error(error))

    def save_pdf(self) -> None:
        shown, client = self._shown, self._client
        if shown is None or client is None:
            return
        path = self._view.ask_save_path("Save the plan as PDF", "plan.pdf")
        if path is None:
            return
        try:
            write_handout_pdf(
                shown.handout,
                path,
                page_size=self._settings.page_size(),
                clearance_on_record=shown.clearance_on_record,
            )
            self._store.log_pdf(client.id, "the plan")
        except BackmapError as error:
            self._view.show_warning(plain_error(error))

    def save_letter(self) -> None:
        client, session = self._client, self._session
        if client is None or session is None:
            return
        try:
            letter = letter_for_session(
                client,
                session,
                self._store.list_intakes(client.id),
                self._protocol,
                practice=self._settings.practice(),
                written_on=self._today(),
            )
        except BackmapError as error:
            self._view.show_warning(plain_error(error))
            return
        if letter is None:
            return  # the button is offered only when the plan needs a letter
        path = self._view.ask_save_path("Save the letter for the doctor", "letter for the doctor.pdf")
        if path is None:
            return
        try:
            write_letter_pdf(letter, path, page_size=self._settings.page_size())
            self._store.log_pdf(client.id, "the letter for the doctor")
        except BackmapError as error:
            self._view.show_warning(plain_error(error))

    def _adopt(self, session: Session) -> None:
        self._session = session
        self._written(session)

    def _reload(self, session: Session) -> None:
        try:
            latest = self._store.get_session(session.id)
        except BackmapError as error:
            self._view.show_message(f"The plan cannot be shown: {plain_error(error)}")
            return
        self._written(latest)
        self.show_for(self._client, latest, held=self._held)
