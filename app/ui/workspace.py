"""The workspace: clients on the left; Consult, Plan and History in the middle; the menus' clinic duties.

It wires the feature widgets to the repository and keeps the screen true to the disk. The main window shows it
once the records are open (after the window's first paint). QSettings never hold a client's name (privacy).
numpy, shapely and pyqtgraph are not loaded with it: History is built on first use and the region map is
attached by warm_up, before the first click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.flag_info import FlagInfo, flag_infos
from app.domain.intake_rules import screening_is_due
from app.domain.map_outlines import RegionOutline
from app.domain.privacy_notice import PrivacyNotice, load_privacy_notice
from app.domain.protocol import NO_MASSAGE, Protocol
from app.domain.records import Client, Intake, Session
from app.domain.safety import Screening, screen
from app.errors import BackmapError
from app.storage.errors import DamagedDatabaseError, StaleWriteError
from app.storage.location import cloud_sync_warning
from app.storage.repository import WAL_LEFTOVER_NOTE, Repository
from app.ui.body_map.view import NOT_ASSESSED_KEY_VALUE, RegionLocator
from app.ui.clients.client_list import ClientListPane
from app.ui.clients.safety_banner import SafetyBanner
from app.ui.consult.controller import ConsultController
from app.ui.consult.guidance import guidance_html
from app.ui.consult.open_session_prompt import (
    FinaliseChoice,
    OpenSessionChoice,
    ask_about_open_session,
    ask_before_finalising_without_plan,
)
from app.ui.consult.page import ConsultPage
from app.ui.display_dates import day_text, days_ago_text
from app.ui.error_text import plain_error
from app.ui.settings import AppSettings

# Dialogs and the Plan and History pages are imported when first used: the first paint does without them
# (History needs numpy and pyqtgraph).
if TYPE_CHECKING:
    from app.ui.background import RecordsJob, RecordsWork
    from app.ui.history.page import HistoryPage
    from app.ui.plan_view.mode import PlanMode

MODES = ("Consult", "Plan", "History")


class _CheckResult(QObject):
    """Carries the background integrity check's result from its thread to the GUI thread (a queued signal)."""

    done = Signal(list)  # the problems found; empty: sound


class Workspace(QWidget):
    statusMessage = Signal(str, int)  # text, milliseconds to show it (0: until the next message)
    recordsChecked = Signal(list)  # the background integrity check's problems (empty: no damage found)

    def __init__(
        self,
        repository: Repository,
        protocol: Protocol,
        svg_path: Path,
        outlines: Sequence[RegionOutline],
        locator: Callable[[], RegionLocator],
        settings: AppSettings,
        *,
        demo: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__()
        self.repository = repository
        self.protocol = protocol
        self.settings = settings
        self._svg_path = svg_path
        self._outlines = outlines
        self._locator = locator
        self._today = today
        self._client: Client | None = None
        self._intake: Intake | None = None
        self._screening: Screening | None = None
        self.undo_group = QUndoGroup(self)
        self._job: RecordsJob | None = None  # a backup or export running in the background

        self.clients = ClientListPane(repository.search_clients)
        self.client_header = QLabel("Choose a client, or create one")
        header_font = self.client_header.font()
        header_font.setPointSizeF(header_font.pointSizeF() * 1.5)
        header_font.setBold(True)
        self.client_header.setFont(header_font)
        self.client_header.setAccessibleName("Current client")
        self.start_button = QPushButton("Start session")
        self.start_button.setToolTip("Start a new session for this client (Ctrl+N)")
        self.start_button.clicked.connect(self.start_session)
        self.banner = SafetyBanner()
        # Why nothing can be saved (another window has the records, read-only media, damage found), in view.
        self.read_only_banner = QLabel()
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setAccessibleName("Read-only")
        self.read_only_banner.setStyleSheet("QLabel { background: #fff3cd; color: #3d2e00; padding: 6px; }")
        self.read_only_banner.setVisible(False)
        # An empty first start says what to do first (it goes once there is a client).
        self.first_run = QLabel()
        self.first_run.setObjectName("firstRun")
        self.first_run.setWordWrap(True)
        self.first_run_new = QPushButton("New client…")
        self.first_run_new.setAccessibleName("Create the first client")
        self.first_run_new.clicked.connect(self.new_client)
        self.first_run_practice = QPushButton("Practice details…")
        self.first_run_practice.setAccessibleName("Enter your practice details")
        self.first_run_practice.clicked.connect(self.edit_practice)
        self.first_run_box = QWidget()
        first_run_layout = QHBoxLayout(self.first_run_box)
        first_run_layout.addWidget(self.first_run, 1)
        first_run_layout.addWidget(self.first_run_new)
        first_run_layout.addWidget(self.first_run_practice)
        self.mode_bar = QTabBar()
        for mode in MODES:
            self.mode_bar.addTab(mode)
        self.mode_bar.setAccessibleName("Mode")

        media = [medium.name for medium in protocol.media]
        self.consult = ConsultPage(str(svg_path), outlines, locator, media)
        self.controller = ConsultController(
            repository, self.consult, self.undo_group, self._coverage, lambda _region, _override: "", today=today
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.consult)
        self._plan_page: PlanMode | None = None
        self._history_page: HistoryPage | None = None

        header = QHBoxLayout()
        header.addWidget(self.client_header, 1)
        header.addWidget(self.start_button)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.addWidget(self.read_only_banner)
        centre_layout.addLayout(header)
        centre_layout.addWidget(self.first_run_box)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.mode_bar)
        centre_layout.addWidget(self.pages, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.clients)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 1200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._demo = demo
        self._connect()
        self.clients.refresh()
        self._show_first_run()
        self._show_client(None)

    def open_last_client(self) -> None:
        """The client open when the app last closed, if it still exists (never in the demo).

        Start-up calls this once the client list is on screen, so the list never waits for a client's records.
        """
        last = self.settings.last_client_id()
        if last and not self._demo:
            self._open_client_quietly(last)

    @property
    def client(self) -> Client | None:
        """The client shown, if any."""
        return self._client

    # ---- wiring --------------------------------------------------------------------------------------
    def fill_menus(self, menus: Mapping[str, QMenu]) -> None:
        """Puts the workspace's actions into the window's menus (empty until the records are open)."""

        def add(menu_name: str, text: str, slot: Callable[[], object], shortcut: str | None = None) -> None:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False: slot())
            menus[menu_name].addAction(action)

        add("File", "New client…", self.new_client, "Ctrl+Shift+N")
        add("File", "Start session", self.start_session, "Ctrl+N")
        add("File", "Export client…", self.export_client, "Ctrl+E")
        add("File", "Back up now…", self.back_up)
        add("File", "Practice details…", self.edit_practice)
        menus["File"].addSeparator()
        add("File", "Quit", lambda: self.window().close(), "Ctrl+Q")
        undo = self.undo_group.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # text fields keep their own undo
        redo = self.undo_group.createRedoAction(self, "Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        redo.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        menus["Edit"].addActions([undo, redo])
        add("Client", "Details and consent…", self.edit_client)
        add("Client", "Safety screening…", self.edit_screening, "Ctrl+I")
        menus["Client"].addSeparator()
        add("Client", "Delete client for good…", self.delete_client)
        add("Session", "Finalise session", self.finalise_session)
        add("Session", "Amend finalised session…", self.amend_session)
        for index, mode in enumerate(MODES):
            add("View", mode, partial(self.mode_bar.setCurrentIndex, index), f"Ctrl+{index + 1}")
        add("Help", "How-to and keyboard shortcuts", self.show_help, "F1")
        add("Help", "Privacy notice", self.show_privacy_notice)
        add("Help", "Audit log", self.show_audit_log)

    def _connect(self) -> None:
        self.clients.clientChosen.connect(self.open_client)
        self.clients.newClientRequested.connect(self.new_client)
        self.mode_bar.currentChanged.connect(self._show_mode)
        page, controller = self.consult, self.controller
        page.map_view.regionClicked.connect(controller.select_region)
        page.map_view.tensionKeyPressed.connect(
            lambda value: controller.set_tension(None if value == NOT_ASSESSED_KEY_VALUE else value)
        )
        page.map_view.strokeDrawn.connect(
            lambda points, width: controller.add_stroke(points, width, page.brush_tension.value())
        )
        page.layerChosen.connect(controller.choose_layer)
        page.region_panel.tensionChanged.connect(controller.set_tension)
        page.region_panel.tensionCleared.connect(lambda: controller.set_tension(None))
        page.region_panel.noteEdited.connect(controller.set_region_note)
        page.qualityChosen.connect(lambda quality: controller.set_quality(quality or None))
        page.session_panel.fieldEdited.connect(controller.set_field)
        page.session_panel.finaliseRequested.connect(self.finalise_session)
        page.session_panel.amendRequested.connect(self.amend_session)
        page.session_panel.continueRequested.connect(controller.continue_session)
        page.session_panel.discardRequested.connect(self.discard_session)
        page.undo_shortcut.activated.connect(self.undo_group.undo)
        page.redo_shortcut.activated.connect(self.undo_group.redo)

    def warm_up(self) -> None:
        """After the first paint: load the region map (numpy, shapely, svgelements) before the first click."""
        self.consult.map_view.attach_locator()

    def _coverage(self, points: Sequence[tuple[float, float]], width: float) -> dict[str, float]:
        return self.consult.map_view.attach_locator().coverage(points, width)

    def _show_first_run(self) -> None:
        """While there is no client yet: what to do first, and the practice details if they are still empty."""
        # The client list already holds every client while nothing is searched for: no second read of the records.
        first = self.clients.model.rowCount() == 0 and not self.clients.search_box.text().strip()
        practice_missing = not self.settings.practice().therapist_name
        self.first_run_box.setVisible(first)
        self.first_run_practice.setVisible(first and practice_missing)
        lines = [
            "<b>Welcome to Backmap.</b> Start with your first client: <i>New client…</i> (Ctrl+Shift+N) records "
            "their details and consent, then the safety screening."
        ]
        if practice_missing:
            lines.append("Enter your name and practice (<i>Practice details…</i>) so printed plans carry them.")
        lines.append("<i>Help → How-to and keyboard shortcuts</i> (F1) shows the rest.")
        self.first_run.setText(" ".join(lines))

    # ---- clients -------------------------------------------------------------------------------------
    def _guard(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except BackmapError as error:
            QMessageBox.warning(self, "Backmap", plain_error(error))
            if isinstance(error, StaleWriteError) and self._client is not None:
                self.open_client(self._client.id)  # show what is stored now
            return None

    def _open_client_quietly(self, client_id: str) -> None:
        try:
            self.repository.get_client(client_id)
        except BackmapError:
            return  # the remembered client was deleted: start empty
        self.open_client(client_id)

    def open_client(self, client_id: str) -> None:
        self.consult.flush_pending()
        client = self._guard(lambda: self.repository.get_client(client_id))
        if client is None:
            return
        self._guard(lambda: self._show_client(client))  # damaged rows: say so and what to do
        self._show_first_run()  # a client made elsewhere (an import) ends the first run too
        self.clients.select(client_id)
        self.settings.set_last_client_id(client_id)

    def _show_client(self, client: Client | None) -> None:
        self._client = client
        if client is None:
            self.client_header.setText("Choose a client, or create one")
            self._intake = None
            self._screening = None
            self.banner.show_outcome("proceed", [], None)
            self.banner.setVisible(False)
            self.consult.show_withheld({})
            self.start_button.setEnabled(False)
            self.controller.open_session("", None, guidance=lambda _region, _override: "")
            # Every page that showed a client forgets them, shown or not (after a deletion, nothing of them stays).
            if self._plan_page is not None:
                self._plan_page.show_for(None, None, None)
            if self._history_page is not None:
                self._history_page.show_nothing()
            return
        self.client_header.setText(client.name)
        self._intake = self.repository.latest_intake(client.id)
        self._screening = screen(self._intake, self.protocol, on=self._today())
        reasons = [reason.reason for reason in self._screening.reasons]
        today = self._today()
        if self._intake is None:
            reasons.insert(0, "No safety screening on record yet: Client → Safety screening (Ctrl+I).")
        elif screening_is_due(self._intake.date, today, self.settings.screening_recheck_days()):
            reasons.insert(
                0,
                f"Re-check the screening with the client: it is from {day_text(self._intake.date)} "
                f"({days_ago_text(self._intake.date, today)}). Client → Safety screening (Ctrl+I).",
            )
        self.banner.show_outcome(
            self._screening.outcome,
            reasons,
            self._screening.refer,
            clearance_needed=self._screening.requires_clearance and not self._screening.clearance_on_record,
        )
        self.consult.show_withheld(self._screening.left_alone())
        self.banner.setVisible(True)
        self.start_button.setEnabled(client.consent is not None)
        self.start_button.setToolTip(
            "Start a new session for this client (Ctrl+N)"
            if client.consent is not None
            else "Record the client's consent first (Client → Details and consent)"
        )
        # The newest session only: opening a client costs the same whatever its history holds.
        self._show_session(client.id, self.repository.latest_session(client.id))
        self._refresh_other_modes()

    def _show_session(self, client_id: str, session: Session | None) -> None:
        """The consult shows `session` of the current client, with this client's guidance."""
        screening = self._screening
        if screening is None:
            self.controller.open_session(client_id, session)
            return
        self.controller.open_session(
            client_id,
            session,
            guidance=lambda region, override: guidance_html(region, screening, self.protocol, override),
        )

    def new_client(self) -> None:
        from app.ui.clients.client_dialog import ClientDialog

        dialog = ClientDialog(self._notice(), today=self._today(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        record = dialog.client_record()
        created = self._guard(
            lambda: self.repository.create_client(
                record.name, born=record.born, phone=record.phone, email=record.email, consent=record.consent
            )
        )
        if created is not None:
            self.clients.refresh()
            self._show_first_run()
            self.open_client(created.id)
            if created.consent is not None:
                self.edit_screening()

    def edit_client(self) -> None:
        client = self._client
        if client is None:
            return
        from app.ui.clients.client_dialog import ClientDialog

        dialog = ClientDialog(self._notice(), client=client, today=self._today(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        record = dialog.client_record()

        def save() -> Client:
            repo = self.repository
            if record.name != client.name:
                repo.rename_client(client.id, record.name)
            if (record.phone, record.email) != (client.phone, client.email):
                repo.update_contact(client.id, phone=record.phone, email=record.email)
            if record.born != client.born:
                repo.set_born(client.id, record.born)
            if record.consent is not None and record.consent != client.consent:
                repo.record_consent(client.id, record.consent)
            return repo.get_client(client.id)

        if self._guard(save) is not None:
            self.clients.refresh()
            self.open_client(client.id)

    def edit_screening(self) -> None:
        """Today's screening: a new dated one that starts from the last; none without the client's consent."""
        client = self._client
        if client is None:
            return
        if client.consent is None:
            QMessageBox.information(
                self,
                "Safety screening",
                "Without the client's consent no health information is recorded: record their consent first "
                "(Client → Details and consent).",
            )
            return
        from app.ui.clients.intake_dialog import IntakeDialog

        # The screening as stored now (another window may have added to it): what the save is based on.
        latest = self._guard(lambda: self.repository.latest_intake(client.id))
        dialog = IntakeDialog(self._flag_infos(), intake=latest, day=self._today(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        intake = dialog.intake_record()
        if self._guard(lambda: self.repository.save_intake(client.id, intake)) is not None:
            self.open_client(client.id)

    def _notice(self) -> PrivacyNotice:
        return load_privacy_notice(self.settings.practice().practice_name)

    def _flag_infos(self) -> Sequence[FlagInfo]:
        return flag_infos(self.protocol)

    def delete_client(self) -> None:
        client = self._client
        if client is None:
            return
        typed, ok = QInputDialog.getText(
            self,
            "Delete client for good",
            "This erases every record of this client from this computer and cannot be undone.\n"
            "Backups made earlier still hold the client; they are listed afterwards.\n\n"
            "Type the client's name to confirm:",
        )
        if not ok:
            return
        if typed.strip() != client.name:
            QMessageBox.information(self, "Backmap", "The name did not match: nothing was deleted.")
            return
        result = self._guard(lambda: self.repository.delete_client(client.id))
        if result is None:
            return
        self.controller.forget_client(client.id)
        self.settings.set_last_client_id("")
        self.clients.refresh()
        self._show_first_run()
        self._show_client(None)
        backups = "\n".join(str(path) for path in result.backups_holding_client) or "none"
        leftover = f"\n\n{WAL_LEFTOVER_NOTE}" if result.wal_still_holds_client else ""
        QMessageBox.information(
            self,
            "Client deleted",
            f"The client's records were erased.\n\nBackups that may still hold them:\n{backups}{leftover}",
        )

    # ---- sessions ------------------------------------------------------------------------------------
    def start_session(self) -> None:
        """Today's session; an open one is continued, finalised or discarded first (an empty one quietly)."""
        client = self._client
        if client is None:
            return
        self.consult.flush_pending()
        if self.repository.read_only_reason is not None:  # nothing can be started: said before any question
            QMessageBox.warning(self, "Backmap", self.repository.read_only_reason)
            return
        # In a tuple, so that "none open" (None inside) differs from a failed read (None from _guard).
        found = self._guard(lambda: (self.repository.latest_open_session(client.id),))
        if found is None:
            return
        (still_open,) = found
        if still_open is not None:
            self._show_session(client.id, still_open)
            empty = still_open.is_empty
            choice = OpenSessionChoice.DISCARD if empty else ask_about_open_session(self, still_open, self._today())
            if choice is OpenSessionChoice.CONTINUE:
                self.controller.continue_session()
                self.mode_bar.setCurrentIndex(0)
                return
            if choice is OpenSessionChoice.CANCEL:
                return
            if choice is OpenSessionChoice.FINALISE:
                ended = self.controller.finalise()
            else:
                ended = (empty or self._confirm_discard(still_open)) and self.controller.discard_session()
            if not ended:
                return
        if self._screening is not None and self._screening.outcome in NO_MASSAGE:
            urgent = self._screening.outcome == "urgent"
            answer = QMessageBox.question(
                self,
                "Urgent: emergency care" if urgent else "Postpone and refer",
                ("The safety screening says the client needs emergency care now. " if urgent else "")
                + "The safety screening says to postpone massage and refer the client. Start a session anyway, "
                "to record the consultation?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        default = self.protocol.session.default_position
        position = self._screening.position_for(default) if self._screening is not None else default
        session = self._guard(
            lambda: self.repository.start_session(
                client.id, therapist=self.settings.practice().therapist_name, position=position
            )
        )
        if session is not None:
            self.mode_bar.setCurrentIndex(0)
            self.open_client(client.id)

    def finalise_session(self) -> None:
        shown = self.controller.session
        if shown is None or shown.is_final:
            return
        self.consult.flush_pending()
        session = self._guard(lambda: self.repository.get_session(shown.id))  # Plan mode may have given it since
        if session is None:
            return
        if self._plan_due(session):
            # Giving the plan and timing holds belong to the visit: once finalised, neither can be recorded.
            choice = ask_before_finalising_without_plan(self)
            if choice is FinaliseChoice.SHOW_PLAN:
                self.mode_bar.setCurrentIndex(1)
                return
            if choice is FinaliseChoice.CANCEL:
                return
        elif not self._confirm_finalise():
            return
        if self.controller.finalise():
            self._refresh_other_modes()

    def _plan_due(self, session: Session) -> bool:
        """The plan of this open session is still to be given (a postponed visit has none to give)."""
        postponed = self._screening is not None and self._screening.outcome == "postpone"
        return session.plan is None and not postponed

    def _confirm_finalise(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Finalise session",
            "Lock this session? Later changes will be dated amendments, and the original stays on record.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _confirm_discard(self, session: Session) -> bool:
        answer = QMessageBox.question(
            self,
            "Discard session",
            f"Erase the open session of {day_text(session.start.astimezone().date())} for good? "
            "Its marks and notes cannot be brought back.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def discard_session(self) -> None:
        """Erases the open session shown: asked first unless nothing was recorded in it."""
        shown, client = self.controller.session, self._client
        if shown is None or shown.is_final or client is None:
            return
        self.consult.flush_pending()
        session = self._guard(lambda: self.repository.get_session(shown.id))  # notes just flushed count too
        if session is None:
            return
        if not session.is_empty and not self._confirm_discard(session):
            return
        if self.controller.discard_session():
            self.statusMessage.emit("The open session was discarded.", 5000)
            self.open_client(client.id)

    def amend_session(self) -> None:
        session = self.controller.session
        if session is None or not session.is_final:
            return
        from app.ui.consult.amend_dialog import AmendDialog

        dialog = AmendDialog(session, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        request = dialog.request()
        corrected = session.with_field(request.field, request.after)
        amended = self._guard(lambda: self.repository.amend(session.id, corrected, request.reason))
        if amended is not None and self._client is not None:
            self.open_client(self._client.id)

    # ---- modes ---------------------------------------------------------------------------------------
    def _show_mode(self, index: int) -> None:
        self.consult.flush_pending()
        if index == 0:
            self.pages.setCurrentWidget(self.consult)
        elif index == 1:
            self.pages.setCurrentWidget(self.plan_page())
            self.plan_page().view.setFocus()  # Space times a hold at once, hands on the client
        else:
            self.pages.setCurrentWidget(self.history_page())
        self._refresh_other_modes()

    def plan_page(self) -> PlanMode:
        """Plan mode's page, built on first use."""
        if self._plan_page is None:
            from app.ui.plan_view.mode import PlanMode

            self._plan_page = PlanMode(self.repository, self.protocol, self.settings, self._today)
            self._plan_page.clearanceRequested.connect(self.edit_screening)
            self._plan_page.sessionWritten.connect(self.controller.adopt)
            self.pages.addWidget(self._plan_page)
        return self._plan_page

    def history_page(self) -> HistoryPage:
        """History mode's page, built on first use (numpy and pyqtgraph load here, not at start-up)."""
        if self._history_page is None:
            from app.domain.plan import plan_from_json
            from app.domain.plan_text import render_plan_text
            from app.ui.history.page import HistoryPage

            self._history_page = HistoryPage(
                str(self._svg_path),
                self._outlines,
                self._locator,
                lambda plan: render_plan_text(plan_from_json(plan), clearance_on_record=True),
            )
            self.pages.addWidget(self._history_page)
        return self._history_page

    def _refresh_other_modes(self) -> None:
        """Plan or History, whichever is showing."""
        current = self.pages.currentWidget()
        client = self._client
        if current is self._history_page and self._history_page is not None:
            if client is None:
                self._history_page.show_nothing()
            else:
                self._history_page.show_history(
                    self.repository.session_summaries(client.id),
                    partial(self.repository.mark_table, client.id),
                    self.repository.get_session,
                )
        elif current is self._plan_page and self._plan_page is not None:
            self._plan_page.show_for(client, self._intake, self.controller.session, held=self.controller.held)

    # ---- clinic duties -------------------------------------------------------------------------------
    def export_client(self) -> None:
        client = self._client
        if client is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export client (everything held about them)", "client.json", "Client file (*.json)"
        )
        if not path:
            return

        self._in_background(
            "Exporting the client's records…",
            lambda records: records.export_client(client.id, Path(path)),
            lambda _path: self.statusMessage.emit("Client exported.", 5000),
        )

    def back_up(self) -> None:
        if self.repository.read_only_reason is not None:  # damaged or not ours to write: said before any work
            QMessageBox.warning(self, "Backmap", self.repository.read_only_reason)
            return
        self._in_background(
            "Backing up and checking the copy…",
            Repository.backup,
            lambda made: QMessageBox.information(self, "Backup", f"Backup written and checked:\n{made}"),
        )

    @property
    def busy(self) -> bool:
        """A backup or an export is under way (in the background)."""
        return self._job is not None

    def _in_background(self, label: str, work: RecordsWork, done: Callable[[Any], object]) -> None:
        """`work` on the records off the UI thread, with progress shown; `done` with its result, or a message."""
        from app.ui.background import run_with_progress

        if self._job is not None:
            return  # the progress dialog is window-modal: only a script could ask for a second one now

        def finished(result: Any) -> None:
            self._job = None
            done(result)

        def failed(error: BackmapError) -> None:
            self._job = None
            if isinstance(error, DamagedDatabaseError):  # found by the backup's check: nothing more is written
                self.repository.stop_writing([error.detail])
                self._show_read_only()
            QMessageBox.warning(self, "Backmap", str(error))

        self._job = run_with_progress(self, label, self.repository, work, finished, failed)

    def edit_practice(self) -> None:
        from app.ui.dialogs.practice import PracticeDialog

        PracticeDialog(self.settings, self).exec()
        self._show_first_run()

    def show_help(self) -> None:
        from app.ui.dialogs.help import HelpDialog

        HelpDialog(self).exec()

    def show_privacy_notice(self) -> None:
        from app.ui.clients.privacy_notice import PrivacyNoticeDialog

        PrivacyNoticeDialog(self._notice(), self).exec()

    def show_audit_log(self) -> None:
        from app.ui.dialogs.audit_log import AuditLogDialog

        AuditLogDialog(self.repository.audit_entries(), self).exec()

    def report_data_folder(self) -> None:
        """Says which folder the records are in; warns when it is read-only or in a cloud-synced folder."""
        status = f"Data: {self.repository.path.parent}"
        if self.repository.read_only_reason:
            status += " — read-only"
        self._show_read_only()
        self.statusMessage.emit(status, 0)
        for warning in self.repository.open_warnings:
            QTimer.singleShot(0, partial(QMessageBox.warning, self, "Backmap", warning))
        cloud = cloud_sync_warning(self.repository.path.parent)
        if cloud:
            QTimer.singleShot(0, lambda: QMessageBox.warning(self, "Data folder in a cloud folder", cloud))

    def _show_read_only(self) -> None:
        reason = self.repository.read_only_reason
        self.read_only_banner.setText(f"Read-only: {reason.rstrip('.')}." if reason else "")
        self.read_only_banner.setVisible(reason is not None)

    def check_records_in_background(self) -> None:
        """PRAGMA integrity_check of the whole file in a thread, on its own read-only connection.

        Sound: a word in the status bar. Damaged: nothing more is written, the banner and a dialog say what to do.
        """
        import contextlib
        import threading

        from app.storage.database import check_integrity

        result = _CheckResult(self)  # lives in the GUI thread: its signal reaches the workspace queued
        result.done.connect(self._records_checked)
        path = self.repository.path

        def run() -> None:
            try:
                problems = check_integrity(path)
            except (BackmapError, OSError) as error:  # not ours any more, or gone: the therapist must know
                problems = [str(error)]
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile: nobody to tell
                result.done.emit(problems)

        threading.Thread(target=run, name="integrity check", daemon=True).start()

    def _records_checked(self, problems: list[str]) -> None:
        if problems:
            message = self.repository.stop_writing(problems)
            self._show_read_only()
            QMessageBox.critical(self, "The records are damaged", message)
        else:
            self.statusMessage.emit("Records checked: no damage found.", 10_000)
        self.recordsChecked.emit(problems)

    def flush_pending(self) -> None:
        """Typed text not yet saved is written now, and a backup or export under way ends (the window is closing)."""
        self.consult.flush_pending()
        self.finish_background()

    def finish_background(self) -> None:
        """Waits for a backup or export under way to end; its result reaches the screen with the next events."""
        if self._job is not None:
            self._job.wait()
