"""The clinic's duties in the desktop app, driven through its menus like a user (issue 9).

Modal dialogs are answered by monkeypatching the static QMessageBox/QInputDialog/QFileDialog calls and the
`exec` of the app's own dialogs (which then record themselves instead of blocking).
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
)
from pytestqt.qtbot import QtBot

from app.storage import local_folder
from app.storage.client_file import parse
from app.ui import application
from app.ui.application import UNEXPECTED_ERROR_MESSAGE, create_main_window, install_crash_handler
from app.ui.clients.privacy_notice import PrivacyNoticeDialog
from app.ui.dialogs.audit_log import AuditLogDialog
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings
from tests.storage.privacy_records import FilledClient, database_files, fill_client, found_in_bytes
from tests.ui.answers import Answers


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.ini"


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, settings_file: Path, answers: Answers) -> Iterator[MainWindow]:
    """The main window as application.py builds it, on the test's data folder and an ini file of its own."""
    made = create_main_window(data_dir, False, AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat)))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.workspace.repository.close()


def trigger_and_wait(window: MainWindow, menu: str, text: str) -> None:
    """Chooses a menu entry and waits for the backup or export it starts in the background to end."""
    trigger(window, menu, text)
    window.workspace.finish_background()
    QApplication.processEvents()  # its result, queued from the background thread
    assert not window.workspace.busy


def trigger(window: MainWindow, menu: str, text: str) -> None:
    """Chooses a menu entry, as a click on it would."""
    for menu_action in window.menuBar().actions():
        if menu_action.text().replace("&", "") == menu:
            submenu = menu_action.menu()
            assert isinstance(submenu, QMenu)
            for action in submenu.actions():
                if action.text() == text:
                    action.trigger()
                    return
    raise AssertionError(f"no {menu} → {text} in the menus")


def add_client(window: MainWindow, tag: str) -> FilledClient:
    filled = fill_client(window.workspace.repository, tag)
    window.workspace.clients.refresh()
    return filled


def leaked(text: str, client: FilledClient) -> list[str]:
    folded = text.lower()
    return [field for field, marker in client.markers.items() if marker.lower() in folded]


def screen_text(window: MainWindow) -> str:
    """Everything the window's widgets show as text (labels, fields, notes, list rows)."""
    parts: list[str] = []
    for label in window.findChildren(QLabel):
        parts.append(label.text())
    for line in window.findChildren(QLineEdit):
        parts.append(line.text())
    for editor in window.findChildren(QPlainTextEdit):
        parts.append(editor.toPlainText())
    for rich in window.findChildren(QTextEdit):
        parts.append(rich.toPlainText())
    model = window.workspace.clients.model
    parts.extend(str(model.data(model.index(row, 0))) for row in range(model.rowCount()))
    return "\n".join(parts)


def capture_exec(monkeypatch: pytest.MonkeyPatch, dialog_class: type[Any]) -> list[Any]:
    """Makes `dialog_class.exec` record the dialog (shown, not blocking) and return Rejected."""
    opened: list[Any] = []

    def fake_exec(dialog: Any) -> int:
        dialog.show()
        opened.append(dialog)
        return 0

    monkeypatch.setattr(dialog_class, "exec", fake_exec)
    return opened


# -- consent ------------------------------------------------------------------------------------------


def test_start_session_needs_consent_on_the_button_and_in_the_repository(window: MainWindow, answers: Answers) -> None:
    client = window.workspace.repository.create_client("Ben Other")
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    assert not window.workspace.start_button.isEnabled()
    assert "consent" in window.workspace.start_button.toolTip()
    trigger(window, "File", "Start session")  # the menu entry (Ctrl+N) is not disabled: the repository refuses
    assert answers.shown[-1][0] == "warning"
    assert "no recorded consent" in answers.shown[-1][2]
    assert window.workspace.repository.list_sessions(client.id) == []

    consented = add_client(window, "Agreed")
    window.workspace.decisions.open_client(consented.client_id)
    assert window.workspace.start_button.isEnabled()
    before = len(window.workspace.repository.list_sessions(consented.client_id))
    answers.click_in_next_box("Finalise it, start a new one")  # its second session is still open
    window.workspace.start_button.click()
    assert len(window.workspace.repository.list_sessions(consented.client_id)) == before + 1


def test_the_privacy_notice_is_reachable_from_help_and_printable(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = capture_exec(monkeypatch, PrivacyNoticeDialog)
    trigger(window, "Help", "Privacy notice")
    assert len(opened) == 1
    notice = opened[0]
    assert notice.isVisible()
    assert "Your rights" in notice.browser.toPlainText()
    assert notice.print_button.isEnabled()  # on paper through the print dialog (or a PDF printer)


# -- access -------------------------------------------------------------------------------------------


def test_file_export_client_writes_everything_held(window: MainWindow, answers: Answers, tmp_path: Path) -> None:
    target = add_client(window, "Asked")
    other = add_client(window, "Other")
    window.workspace.decisions.open_client(target.client_id)
    answers.save_path = str(tmp_path / "for the client.json")
    trigger_and_wait(window, "File", "Export client…")
    text = Path(answers.save_path).read_text("utf-8")
    assert parse(text) == window.workspace.repository.history(target.client_id)
    assert len(leaked(text, target)) == len(target.markers)
    assert leaked(text, other) == []
    assert window.workspace.repository.audit_entries()[-1][1:3] == ("export", target.client_id)


# -- erasure ------------------------------------------------------------------------------------------


def test_delete_client_for_good_leaves_no_byte_and_lists_older_backups(
    window: MainWindow, answers: Answers, data_dir: Path, settings_file: Path
) -> None:
    target = add_client(window, "Gone")
    kept = add_client(window, "Kept")
    kept_before = window.workspace.repository.history(kept.client_id)
    trigger_and_wait(window, "File", "Back up now…")
    backup = Path(answers.shown[-1][2].splitlines()[-1])
    assert backup.is_file()
    window.workspace.decisions.open_client(target.client_id)
    window.workspace.controller.continue_session()  # its open session is from an earlier day: continued on purpose
    window.workspace.controller.select_region("neck_r")
    window.workspace.controller.set_tension(5)  # an edit on the undo stack
    assert window.workspace.undo_group.canUndo()
    assert len(leaked(screen_text(window), target)) > 0  # the check sees the screen

    answers.typed = ("Someone Else", True)
    trigger(window, "Client", "Delete client for good…")
    assert answers.shown[-1][2] == "The name did not match: nothing was deleted."
    assert window.workspace.repository.get_client(target.client_id).id == target.client_id

    answers.typed = (f"{target.name} Person", True)
    trigger(window, "Client", "Delete client for good…")
    kind, title, text = answers.shown[-1]
    assert (kind, title) == ("information", "Client deleted")
    assert text.endswith(f"Backups that may still hold them:\n{backup}")
    assert found_in_bytes(database_files(data_dir), target.markers) == {}
    assert [client.id for client in window.workspace.repository.list_clients()] == [kept.client_id]
    assert window.workspace.repository.history(kept.client_id) == kept_before
    assert window.workspace.clients.model.rowCount() == 1
    assert window.workspace.client_header.text() == "Choose a client, or create one"
    assert leaked(screen_text(window), target) == []  # nothing of them stays on screen
    assert not window.workspace.undo_group.canUndo()  # nor in the undo history
    assert set(found_in_bytes([backup], target.markers)[backup.name]) == set(target.markers)
    window.close()
    window.workspace.repository.close()
    assert found_in_bytes(database_files(data_dir), target.markers) == {}
    assert found_in_bytes([settings_file], target.markers) == {}
    assert target.client_id.encode() not in settings_file.read_bytes()  # not even the last client's id


# -- audit log ----------------------------------------------------------------------------------------


def test_help_audit_log_shows_the_duties_without_names_or_notes(
    window: MainWindow, answers: Answers, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = add_client(window, "Logged")
    window.workspace.decisions.open_client(target.client_id)
    answers.save_path = str(tmp_path / f"{target.name}.json")
    trigger_and_wait(window, "File", "Export client…")
    trigger_and_wait(window, "File", "Back up now…")
    answers.typed = (f"{target.name} Person", True)
    trigger(window, "Client", "Delete client for good…")

    opened = capture_exec(monkeypatch, AuditLogDialog)
    trigger(window, "Help", "Audit log")
    table = opened[0].table
    cells = [[table.item(row, column).text() for column in range(4)] for row in range(table.rowCount())]
    assert [row[1] for row in cells] == [
        "Client deleted for good",
        "Backup made",
        "Client exported",
        "Session amended",
        "Session finalised",
        "Plan marked as given",
        "Safety screening saved",
        "Consent recorded",
        "Client created",
    ]  # newest first, in plain words
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}T", row[0]) for row in cells)  # local times, not ISO
    assert {row[2] for row in cells} == {target.client_id, "—"}  # the backup is of everyone
    assert all(row[0] and row[3] for row in cells)  # when and what
    assert leaked(repr(cells), target) == []


# -- no leaks -----------------------------------------------------------------------------------------


def test_settings_titles_logs_and_messages_hold_no_client_names_or_notes(
    qtbot: QtBot,
    window: MainWindow,
    answers: Answers,
    settings_file: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    target = add_client(window, "Private")
    window.workspace.decisions.open_client(target.client_id)
    titles = {window.windowTitle()}
    for index in range(3):  # Consult, Plan, History
        window.workspace.mode_bar.setCurrentIndex(index)
        titles.add(window.windowTitle())
    answers.save_path = str(tmp_path / "export.json")
    trigger_and_wait(window, "File", "Export client…")
    trigger_and_wait(window, "File", "Back up now…")
    every_title = " ".join(widget.windowTitle() for widget in QApplication.topLevelWidgets())
    window.close()  # saves the layout and the last client
    assert titles == {"Backmap"}
    assert leaked(every_title, target) == []
    stored = settings_file.read_bytes()
    assert target.client_id.encode() in stored  # the check reads the right file: it has the last client's id
    assert found_in_bytes([settings_file], target.markers) == {}
    assert leaked(caplog.text, target) == []
    out, err = capfd.readouterr()
    assert leaked(out + err, target) == []
    assert leaked(answers.texts(), target) == []
    assert leaked(window.statusBar().currentMessage(), target) == []


def test_demo_never_touches_the_real_data_folder_or_settings(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:
    real_data = tmp_path / "real data"
    real_config = tmp_path / "real config"
    monkeypatch.setenv("BACKMAP_DATA_DIR", str(real_data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(real_config))
    # QSettings reads XDG_CONFIG_HOME once per process: point its default place there for this test too.
    previous = QSettings("Backmap", "Backmap").fileName()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(real_config))
    try:
        demo = create_main_window(None, True)
        qtbot.addWidget(demo)
        folder = demo.workspace.repository.local_folder
        assert folder is not None  # the demo's records are in a throwaway data folder
        demo_folder = folder.path
        try:
            demo.show()
            qtbot.waitExposed(demo)
            assert demo.windowTitle() == "Backmap — demo"
            assert demo_folder.name.startswith("backmap-demo-")
            assert real_data not in demo_folder.parents
            demo.close()  # writes its layout and last client to ITS settings
            assert not real_data.exists()
            assert not real_config.exists()
            assert (demo_folder / "settings.ini").is_file()
        finally:
            demo.workspace.repository.close()
            shutil.rmtree(demo_folder, ignore_errors=True)
    finally:
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(Path(previous).parent.parent))


def test_a_data_folder_in_a_cloud_sync_folder_is_warned_about(
    qtbot: QtBot, tmp_path: Path, answers: Answers, settings_file: Path
) -> None:
    synced = create_main_window(
        tmp_path / "Dropbox" / "backmap",
        False,
        AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat)),
    )
    qtbot.addWidget(synced)
    try:
        qtbot.waitUntil(lambda: any(kind == "warning" for kind, _title, _text in answers.shown))
        assert answers.shown[0][0] == "warning"
        _kind, title, text = answers.shown[0]
        assert title == "Data folder in a cloud folder"
        assert "Dropbox" in text
        assert "health data" in text
    finally:
        synced.workspace.repository.close()


def test_the_data_folder_is_checked_for_cloud_sync_at_start_and_a_plain_folder_passes(
    qtbot: QtBot, data_dir: Path, settings_file: Path, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    consulted: list[Path] = []
    real = local_folder.cloud_sync_warning

    def spy(path: Path) -> str | None:
        consulted.append(path)
        return real(path)

    monkeypatch.setattr(local_folder, "cloud_sync_warning", spy)
    plain = create_main_window(data_dir, False, AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat)))
    qtbot.addWidget(plain)
    try:
        QApplication.processEvents()  # the warning would be queued for just after start-up
        assert consulted == [data_dir]
        assert answers.shown == []
    finally:
        plain.workspace.repository.close()


# -- crash output -------------------------------------------------------------------------------------


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_error_in_the_gui_shows_a_plain_dialog_and_prints_no_data(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, answers: Answers, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_crash_handler()
    assert sys.excepthook is application._report_unexpected_error
    secret = "QzSecretClientNameXv"

    def failing_slot() -> None:
        raise ValueError(f"cannot parse note of {secret}")

    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: bool(answers.shown))
    assert answers.shown == [("critical", "Backmap", UNEXPECTED_ERROR_MESSAGE)]
    _out, err = capfd.readouterr()
    assert "builtins.ValueError" in err
    assert "failing_slot" in err  # where it happened, to find the bug
    assert secret not in err
