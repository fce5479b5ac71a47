"""Plan mode's page: the PlanView and its bar, showing what the PlanController decides (a PlanPageView).

The controller (app.ui.plan_view.controller) holds every decision; this page shows screens and messages, and asks
the user for a file or a printer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QPagedPaintDevice
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.protocol import Protocol
from app.domain.records import Client, Session
from app.ui.plan_view.controller import PlanController, PlanScreen, PlanStore
from app.ui.plan_view.plan_pdf import new_printer
from app.ui.plan_view.plan_view import PlanView
from app.ui.settings import AppSettings, PageSizeName


class PlanMode(QWidget):
    clearanceRequested = Signal()  # the main window opens the screening, where the clearance is recorded
    sessionWritten = Signal(object)  # the Session as stored after a write here (the consult adopts its version)

    def __init__(
        self,
        store: PlanStore,
        protocol: Protocol,
        settings: AppSettings,
        today: Callable[[], dt.date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
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
        self.controller = PlanController(store, self, protocol, settings, today=today, written=self.sessionWritten.emit)
        self.view.set_zoom(settings.plan_zoom())
        self.view.zoomChanged.connect(settings.set_plan_zoom)
        self.view.markedAsGiven.connect(self.controller.mark_given)
        self.view.holdLogged.connect(self.controller.log_hold)
        self.view.printRequested.connect(self.controller.print_plan)
        self.view.savePdfRequested.connect(self.controller.save_pdf)
        self.view.letterRequested.connect(self.controller.save_letter)
        self.show_for(None, None)

    def show_for(self, client: Client | None, session: Session | None, *, held: bool = False) -> None:
        """The plan of `session`; a `held` session (open since an earlier day, not yet continued) shows its plan
        but gives nothing and times nothing."""
        self.controller.show_for(client, session, held=held)

    # PlanPageView ------------------------------------------------------------------------------------------

    def show_screen(self, screen: PlanScreen) -> None:
        self.view.show_handout(screen.handout, clearance_on_record=screen.clearance_on_record)
        self.view.set_given(screen.given)
        self.view.set_finalised(screen.final, held=screen.held)
        self.clearance_button.setVisible(screen.offer_clearance)
        self.view.letter_button.setEnabled(screen.letter_needed)
        self.view.letter_button.setToolTip(
            "For the client's doctor: why we ask, what we propose, and lines for their reply"
            if screen.letter_needed
            else "Not needed: the massage goes ahead and no doctor's clearance is missing"
        )
        self._stack.setCurrentWidget(self.view)

    def show_message(self, text: str) -> None:
        self.clearance_button.setVisible(False)
        self.view.letter_button.setEnabled(False)
        self.message.setText(text)
        self._stack.setCurrentWidget(self.message)

    def show_given(self) -> None:
        self.view.set_given(True)

    def show_warning(self, message: str) -> None:
        QMessageBox.warning(self, "Backmap", message)

    def ask_save_path(self, title: str, suggested_name: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, suggested_name, "PDF (*.pdf)")
        return Path(path) if path else None

    def ask_printer(self, title: str, page_size: PageSizeName) -> QPagedPaintDevice | None:
        printer = new_printer(title, page_size)
        dialog = QPrintDialog(printer, self)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None
