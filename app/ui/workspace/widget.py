"""The workspace's widget: clients on the left; Consult, Plan and History in the middle; the menus' clinic duties.

It shows and asks what the WorkspaceController (controller.py) decides: it is that controller's view
(view.WorkspaceView), as the consult page is the ConsultController's. The main window shows it once the records
are open (after the window's first paint). QSettings never hold a client's name (privacy). numpy, shapely and
pyqtgraph are not loaded with it: History is built on first use, the map's locator (plain Python over the cached
outlines) is attached by warm_up before the first click, and shapely loads with the first brush stroke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from html import escape
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
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.flag_info import FlagInfo
from app.domain.map_outlines import RegionOutline
from app.domain.privacy_notice import PrivacyNotice, load_privacy_notice
from app.domain.protocol import Protocol
from app.domain.records import Client, Intake, Session
from app.errors import BackmapError
from app.storage.record_store import RecordStore
from app.ui.body_map.view import NOT_ASSESSED_KEY_VALUE, RegionLocator
from app.ui.clients.client_list import ClientListPane, beside
from app.ui.clients.safety_banner import SafetyBanner
from app.ui.consult.controller import ConsultController
from app.ui.consult.open_session_prompt import (
    FinaliseChoice,
    OpenSessionChoice,
    ask_about_open_session,
    ask_before_finalising_without_plan,
)
from app.ui.consult.page import ConsultPage
from app.ui.display_dates import day_text
from app.ui.settings import AppSettings
from app.ui.workspace.controller import FrontDesk, Reception, WorkspaceController
from app.ui.workspace.view import MODES, ClientShown, Mode

# Dialogs and the Plan and History pages are imported when first used: the first paint does without them
# (History needs numpy and pyqtgraph).
if TYPE_CHECKING:
    from app.ui.background import RecordsJob, RecordsWork
    from app.ui.consult.amend_dialog import AmendmentRequest
    from app.ui.history.page import HistoryPage
    from app.ui.plan_view.mode import PlanMode

START_TIP = "Start a new session for this client (Ctrl+N)"
RECEPTION_LINE = "Reception sees names, contact details and consent. Treatment records are for the client's therapist."


class _CheckResult(QObject):
    """Carries the background integrity check's result from its thread to the GUI thread (a queued signal)."""

    done = Signal(list)  # the problems found; empty: sound


class Workspace(QWidget):
    statusMessage = Signal(str, int)  # text, milliseconds to show it (0: until the next message)
    recordsChecked = Signal(list)  # the background integrity check's problems (empty: no damage found)

    def __init__(
        self,
        repository: RecordStore,
        protocol: Protocol,
        svg_path: Path,
        outlines: Sequence[RegionOutline],
        locator: Callable[[], RegionLocator],
        settings: AppSettings,
        *,
        demo: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
        clients: ClientListPane | None = None,
    ) -> None:
        super().__init__()
        self.repository = repository
        self.protocol = protocol
        self.settings = settings
        self._svg_path = svg_path
        self._outlines = outlines
        self._locator = locator
        self._today = today
        self.undo_group = QUndoGroup(self)
        self._job: RecordsJob | None = None  # a backup or export running in the background

        # The client list the window already shows (start-up paints it before the rest), else a new one.
        self.clients = clients if clients is not None else ClientListPane(repository.search_clients)
        self.client_header = QLabel("Choose a client, or create one")
        header_font = self.client_header.font()
        header_font.setPointSizeF(header_font.pointSizeF() * 1.5)
        header_font.setBold(True)
        self.client_header.setFont(header_font)
        self.client_header.setAccessibleName("Current client")
        self.start_button = QPushButton("Start session")
        self.start_button.setToolTip(START_TIP)
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
        # The workspace's decisions, shown and asked through this widget (its WorkspaceView).
        desk = _front_desk(repository)
        self.decisions = WorkspaceController(
            repository,
            protocol,
            settings,
            self.controller,
            self,
            demo=demo,
            today=today,
            reception=None if desk is None else Reception(desk, self),
        )
        # A receptionist's page: the client's details and what reception does not see (issue 19, point 3).
        self.reception_details = QLabel()
        self.reception_details.setWordWrap(True)
        self.reception_details.setAccessibleName("Client details")
        self.reception_note = QLabel(RECEPTION_LINE)
        self.reception_note.setWordWrap(True)
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
        centre_layout.addWidget(self.reception_details)
        centre_layout.addWidget(self.reception_note)
        centre_layout.addStretch(0 if self.decisions.treats else 1)
        for treating in (self.start_button, self.first_run_box, self.banner, self.mode_bar, self.pages):
            treating.setHidden(not self.decisions.treats)
        for receiving in (self.reception_details, self.reception_note):
            receiving.setVisible(not self.decisions.treats)
        self.splitter = beside(self.clients, centre)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._connect()
        self._show_first_run()  # the list read the clients when it was made
        self.decisions.show_nobody()

    # ---- wiring --------------------------------------------------------------------------------------
    def fill_menus(self, menus: Mapping[str, QMenu]) -> None:
        """Puts the workspace's actions into the window's menus (empty until the records are open)."""

        def add(menu_name: str, text: str, slot: Callable[[], object], shortcut: str | None = None) -> None:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False: slot())
            menus[menu_name].addAction(action)

        decide = self.decisions
        treats = decide.treats  # reception: names, contact and consent only
        add("File", "New client…", decide.new_client, "Ctrl+Shift+N")
        if treats:
            add("File", "Start session", decide.start_session, "Ctrl+N")
            add("File", "Export client…", decide.export_client, "Ctrl+E")
        if self.repository.local_folder is not None:  # a store without a local file is backed up where it is kept
            add("File", "Back up now…", decide.back_up)
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
        add("Client", "Details and consent…", decide.edit_client)
        if treats:
            add("Client", "Safety screening…", decide.edit_screening, "Ctrl+I")
        menus["Client"].addSeparator()
        if treats:
            add("Client", "Delete client for good…", decide.delete_client)
            add("Session", "Finalise session", decide.finalise_session)
            add("Session", "Amend finalised session…", decide.amend_session)
            for index, mode in enumerate(MODES):
                add("View", mode, partial(self.mode_bar.setCurrentIndex, index), f"Ctrl+{index + 1}")
        add("Help", "How-to and keyboard shortcuts", self.show_help, "F1")
        add("Help", "Privacy notice", self.show_privacy_notice)
        if treats:
            add("Help", "Audit log", self.show_audit_log)

    def _connect(self) -> None:
        decide = self.decisions
        self.start_button.clicked.connect(decide.start_session)
        self.first_run_new.clicked.connect(decide.new_client)
        self.clients.clientChosen.connect(decide.open_client)
        self.clients.newClientRequested.connect(decide.new_client)
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
        page.session_panel.finaliseRequested.connect(decide.finalise_session)
        page.session_panel.amendRequested.connect(decide.amend_session)
        page.session_panel.continueRequested.connect(controller.continue_session)
        page.session_panel.discardRequested.connect(decide.discard_session)
        page.undo_shortcut.activated.connect(self.undo_group.undo)
        page.redo_shortcut.activated.connect(self.undo_group.redo)

    def warm_up(self) -> None:
        """After the first paint: attach the map's locator (hit test, label anchors) before the first click."""
        self.consult.map_view.attach_locator()

    def _coverage(self, points: Sequence[tuple[float, float]], width: float) -> dict[str, float]:
        return self.consult.map_view.attach_locator().coverage(points, width)

    def _show_first_run(self) -> None:
        """While there is no client yet: what to do first, and the practice details if they are still empty."""
        if not self.decisions.treats:
            return  # reception's page has no welcome: the clinic's therapists start its records
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

    # ---- the WorkspaceView: what the controller shows -------------------------------------------------
    def show_client(self, shown: ClientShown | None) -> None:
        if shown is None:
            self.client_header.setText("Choose a client, or create one")
            self.banner.show_outcome("proceed", [], None)
            self.banner.setVisible(False)
            self.consult.show_withheld({})
            self.start_button.setEnabled(False)
            # Every page that showed a client forgets them, shown or not (after a deletion, nothing of them stays).
            if self._plan_page is not None:
                self._plan_page.show_for(None, None)
            if self._history_page is not None:
                self._history_page.show_nothing()
            return
        screening = shown.screening
        self.client_header.setText(shown.client.name)
        self.banner.show_outcome(
            screening.outcome, shown.reasons, screening.refer, clearance_needed=shown.clearance_needed
        )
        self.consult.show_withheld(screening.left_alone())
        self.banner.setVisible(True)
        self.start_button.setEnabled(shown.may_start)
        self.start_button.setToolTip(
            START_TIP if shown.may_start else "Record the client's consent first (Client → Details and consent)"
        )

    def show_reception(self, client: Client | None) -> None:
        if client is None:
            self.reception_details.setText("")
            return
        self.client_header.setText(client.name)
        consent = client.consent
        lines = [
            ("Date of birth", day_text(client.born) if client.born else "not recorded"),
            ("Phone", client.phone or "not recorded"),
            ("Email", client.email or "not recorded"),
            ("Consent", f"given on {day_text(consent.date)}" if consent else "not recorded yet"),
        ]
        self.reception_details.setText("<br>".join(f"<b>{label}:</b> {escape(value)}" for label, value in lines))

    def ask_therapist(self, therapists: Sequence[tuple[str, str]]) -> str | None:
        names = [f"{name} ({login})" for login, name in therapists]
        if not names:
            self.show_info("New client", "The clinic has no therapist yet: a client is booked for a therapist.")
            return None
        chosen, ok = QInputDialog.getItem(self, "New client", "The client's therapist:", names, 0, False)
        return therapists[names.index(chosen)][0] if ok else None

    def refresh_clients(self) -> None:
        self.clients.refresh()
        self._show_first_run()

    def select_client(self, client_id: str) -> None:
        self._show_first_run()
        self.clients.select(client_id)

    def show_mode(self, mode: Mode) -> None:
        self.mode_bar.setCurrentIndex(MODES.index(mode))

    def show_read_only(self, reason: str | None) -> None:
        self.read_only_banner.setText(f"Read-only: {reason.rstrip('.')}." if reason else "")
        self.read_only_banner.setVisible(reason is not None)

    def show_status(self, text: str, milliseconds: int) -> None:
        self.statusMessage.emit(text, milliseconds)

    def flush_typing(self) -> None:
        self.consult.flush_pending()

    # ---- the WorkspaceView: messages and questions (the only static dialogs of the workspace) -------
    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def show_warning(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_warning_later(self, title: str, text: str) -> None:
        QTimer.singleShot(0, partial(QMessageBox.warning, self, title, text))

    def show_damage(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def confirm(self, title: str, question: str) -> bool:
        return QMessageBox.question(self, title, question) == QMessageBox.StandardButton.Yes

    def ask_text(self, title: str, prompt: str) -> str | None:
        typed, ok = QInputDialog.getText(self, title, prompt)
        return typed if ok else None

    def ask_save_path(self, title: str, suggested_name: str, file_filter: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, suggested_name, file_filter)
        return Path(path) if path else None

    def ask_client_details(self, notice: PrivacyNotice, client: Client | None, today: dt.date) -> Client | None:
        from app.ui.clients.client_dialog import ClientDialog

        dialog = ClientDialog(notice, client=client, today=today, parent=self)
        return dialog.client_record() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_screening(self, flags: Sequence[FlagInfo], latest: Intake | None, day: dt.date) -> Intake | None:
        from app.ui.clients.intake_dialog import IntakeDialog

        dialog = IntakeDialog(flags, intake=latest, day=day, parent=self)
        return dialog.intake_record() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_amendment(self, session: Session) -> AmendmentRequest | None:
        from app.ui.consult.amend_dialog import AmendDialog

        dialog = AmendDialog(session, self)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_about_open_session(self, session: Session, today: dt.date) -> OpenSessionChoice:
        return ask_about_open_session(self, session, today)

    def ask_before_finalising_without_plan(self) -> FinaliseChoice:
        return ask_before_finalising_without_plan(self)

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
        self.decisions.refresh_other_modes()

    def plan_page(self) -> PlanMode:
        """Plan mode's page, built on first use."""
        if self._plan_page is None:
            from app.ui.plan_view.mode import PlanMode

            self._plan_page = PlanMode(self.repository, self.protocol, self.settings, self._today)
            self._plan_page.clearanceRequested.connect(self.decisions.edit_screening)
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

    def show_other_modes(self, client: Client | None, intake: Intake | None) -> None:
        current = self.pages.currentWidget()
        if current is self._history_page and self._history_page is not None:
            if client is None:
                self._history_page.show_nothing()
            else:
                self._history_page.show_history(
                    self.repository.session_lines(client.id),
                    partial(self.repository.marks_tallies, client.id),
                    partial(self.repository.mark_table, client.id),
                    self.repository.get_session,
                )
        elif current is self._plan_page and self._plan_page is not None:
            self._plan_page.show_for(client, self.controller.session, held=self.controller.held)

    # ---- the WorkspaceView: work in the background ---------------------------------------------------
    @property
    def busy(self) -> bool:
        """A backup or an export is under way (in the background)."""
        return self._job is not None

    def run_in_background(
        self,
        label: str,
        work: RecordsWork,
        done: Callable[[Any], object],
        failed: Callable[[BackmapError], object],
    ) -> None:
        from app.ui.background import run_with_progress

        if self._job is not None:
            return  # the progress dialog is window-modal: only a script could ask for a second one now

        def finished(result: Any) -> None:
            self._job = None
            done(result)

        def stopped(error: BackmapError) -> None:
            self._job = None
            failed(error)

        self._job = run_with_progress(self, label, self.repository, work, finished, stopped)

    # ---- the window's own duties ---------------------------------------------------------------------
    def edit_practice(self) -> None:
        from app.ui.dialogs.practice import PracticeDialog

        PracticeDialog(self.settings, self).exec()
        self._show_first_run()

    def show_help(self) -> None:
        from app.ui.dialogs.help import HelpDialog

        HelpDialog(self).exec()

    def show_privacy_notice(self) -> None:
        from app.ui.clients.privacy_notice import PrivacyNoticeDialog

        PrivacyNoticeDialog(load_privacy_notice(self.settings.practice().practice_name), self).exec()

    def show_audit_log(self) -> None:
        from app.ui.dialogs.audit_log import AuditLogDialog
        from app.ui.error_text import plain_error

        try:
            entries = self.repository.audit_entries()
        except BackmapError as error:  # e.g. a clinic server's log, which only the clinic's owner reads
            self.show_warning("Audit log", plain_error(error))
            return
        AuditLogDialog(entries, self).exec()

    def check_records_in_background(self) -> None:
        """PRAGMA integrity_check of the whole local file in a thread, on its own read-only connection.

        Sound: a word in the status bar. Damaged: nothing more is written, the banner and a dialog say what to do.
        A store without a local file has nothing here to check.
        """
        import contextlib
        import threading

        folder = self.repository.local_folder
        if folder is None:
            return
        result = _CheckResult(self)  # lives in the GUI thread: its signal reaches the workspace queued
        result.done.connect(self._records_checked)

        def run() -> None:
            try:
                problems = folder.check_integrity()
            except (BackmapError, OSError) as error:  # not ours any more, or gone: the therapist must know
                problems = [str(error)]
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile: nobody to tell
                result.done.emit(problems)

        threading.Thread(target=run, name="integrity check", daemon=True).start()

    def _records_checked(self, problems: list[str]) -> None:
        self.decisions.records_checked(problems)
        self.recordsChecked.emit(problems)

    def flush_pending(self) -> None:
        """Typed text not yet saved is written now, and a backup or export under way ends (the window is closing)."""
        self.consult.flush_pending()
        self.finish_background()

    def finish_background(self) -> None:
        """Waits for a backup or export under way to end; its result reaches the screen with the next events."""
        if self._job is not None:
            self._job.wait()


def _front_desk(store: RecordStore) -> FrontDesk | None:
    """`store` as a receptionist's on the clinic server; None for anyone who treats clients (or local records,
    which never load the server's code)."""
    if store.local_folder is not None:
        return None
    from app.storage.postgres.store import PostgresStore

    return store if isinstance(store, PostgresStore) and store.kind == "receptionist" else None
