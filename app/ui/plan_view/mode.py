"""Plan mode in the main window: the PlanView wired to the session's records (given, holds, print, PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.doctor_letter import letter_for_session, needs_letter
from app.domain.plan_wording import clearance_missing, read_plan
from app.domain.protocol import Protocol
from app.domain.records import Client, Hold, Intake, Session
from app.domain.session_plan import intake_on, plan_for_session
from app.errors import BackmapError
from app.storage.repository import Repository
from app.ui.error_text import plain_error
from app.ui.plan_view.letter_pdf import write_letter_pdf
from app.ui.plan_view.plan_pdf import print_handout, write_handout_pdf
from app.ui.plan_view.plan_view import PlanView
from app.ui.settings import AppSettings


class PlanMode(QWidget):
    clearanceRequested = Signal()  # the main window opens the screening, where the clearance is recorded
    sessionWritten = Signal(object)  # the Session as stored after a write here (the consult adopts its version)

    def __init__(
        self,
        repository: Repository,
        protocol: Protocol,
        settings: AppSettings,
        today: Callable[[], dt.date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._repository = repository
        self._protocol = protocol
        self._settings = settings
        self._today = today
        self._client: Client | None = None
        self._session: Session | None = None
        self._plan: dict[str, Any] | None = None
        self.view = PlanView()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.clearance_button = QPushButton("Record the doctor's clearance…")
        self.clearance_button.setToolTip("Who cleared the client, when, and with what limits")
        self.clearance_button.clicked.connect(self.clearanceRequested)
        bar = QHBoxLayout()
        bar.addWidget(self.clearance_button)
        bar.addStretch(1)
        self._stack = QStackedWidget()
        self._stack.addWidget(self.message)
        self._stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)
        self.view.set_zoom(settings.plan_zoom())
        self.view.zoomChanged.connect(settings.set_plan_zoom)
        self.view.markedAsGiven.connect(self._mark_given)
        self.view.holdLogged.connect(self._log_hold)
        self.view.printRequested.connect(self._print)
        self.view.savePdfRequested.connect(self._save_pdf)
        self.view.letterRequested.connect(self._save_letter)
        self.show_for(None, None, None)

    def show_for(
        self, client: Client | None, _latest_intake: Intake | None, session: Session | None, *, held: bool = False
    ) -> None:
        """The plan of `session` (as given, or built from its marks now); a message when there is none. A `held`
        session (open since an earlier day, not yet continued) shows its plan but gives nothing and times nothing."""
        self._client, self._session = client, session
        self.clearance_button.setVisible(False)
        self.view.letter_button.setEnabled(False)
        if client is None or session is None:
            self.message.setText("Choose a client and start a session; their plan shows here.")
            self._stack.setCurrentWidget(self.message)
            return
        try:
            intakes = self._repository.list_intakes(client.id)
            built = plan_for_session(session, intakes, self._protocol)
            plan = built.to_json()
            day = session.start.date()
            intake = intake_on(intakes, day)
            # A plan stored as given was given with the clearance on record (it cannot be given without): shown
            # as given, it never also says the clearance is still needed.
            on_record = session.plan is not None or (
                intake is not None and intake.clearance is not None and intake.clearance.valid_on(day)
            )
            self.view.show_plan(
                plan,
                client_first_name=client.name.split()[0],
                date=day,
                shared_note=session.shared_note,
                practice=self._settings.practice(),
                clearance_on_record=on_record,
            )
        except BackmapError as error:
            self.message.setText(f"The plan cannot be shown: {plain_error(error)}")
            self._stack.setCurrentWidget(self.message)
            return
        self._plan = plan
        self.view.set_given(session.plan is not None)
        self.view.set_finalised(session.is_final, held=held)
        self.clearance_button.setVisible(clearance_missing(read_plan(plan), on_record) and not session.is_final)
        needed = needs_letter(built, on_record)
        self.view.letter_button.setEnabled(needed)
        self.view.letter_button.setToolTip(
            "For the client's doctor: why we ask, what we propose, and lines for their reply"
            if needed
            else "Not needed: the massage goes ahead and no doctor's clearance is missing"
        )
        self._stack.setCurrentWidget(self.view)

    def _write(self, action: Callable[[], Session]) -> bool:
        try:
            self._session = action()
        except BackmapError as error:
            QMessageBox.warning(self, "Backmap", f"Not saved: {plain_error(error)}")
            return False
        self.sessionWritten.emit(self._session)
        return True

    def _mark_given(self) -> None:
        session, plan = self._session, self._plan
        if (
            session is not None
            and plan is not None
            and self._write(lambda: self._repository.save_plan(session.id, plan))
        ):
            self.view.set_given(True)

    def _log_hold(self, region: str, seconds: float) -> None:
        session = self._session
        if session is not None:
            self._write(lambda: self._repository.log_hold(session.id, Hold(region, round(seconds, 1))))

    def _print(self) -> None:
        handout = self.view.handout()
        if handout is not None:
            print_handout(
                handout,
                page_size=self._settings.page_size(),
                clearance_on_record=self.view.clearance_on_record,
                parent=self,
            )

    def _save_pdf(self) -> None:
        handout = self.view.handout()
        if handout is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, "Save the plan as PDF", "plan.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            write_handout_pdf(
                handout,
                Path(path),
                page_size=self._settings.page_size(),
                clearance_on_record=self.view.clearance_on_record,
            )
            if self._client is not None:
                self._repository.log_pdf(self._client.id, "the plan")
        except BackmapError as error:
            QMessageBox.warning(self, "Backmap", plain_error(error))

    def _save_letter(self) -> None:
        client, session = self._client, self._session
        if client is None or session is None:
            return
        try:
            letter = letter_for_session(
                client,
                session,
                self._repository.list_intakes(client.id),
                self._protocol,
                practice=self._settings.practice(),
                written_on=self._today(),
            )
        except BackmapError as error:
            QMessageBox.warning(self, "Backmap", plain_error(error))
            return
        if letter is None:
            return  # the button is enabled only when the plan needs a letter
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the letter for the doctor", "letter for the doctor.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        try:
            write_letter_pdf(letter, Path(path), page_size=self._settings.page_size())
            self._repository.log_pdf(client.id, "the letter for the doctor")
        except BackmapError as error:
            QMessageBox.warning(self, "Backmap", plain_error(error))
