"""The screen lock: once locked, no widget of the window (nor any dialog), nor its accessibility tree, holds a
client's text; and it locks when the session locks, as each platform tells it."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.storage.encryption import set_up_new_folder
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_application, create_main_window
from app.ui.encryption.screen_lock import ScreenLock
from app.ui.encryption.session_lock import (
    WINDOWS_MESSAGE_EVENT,
    WM_WTSSESSION_CHANGE,
    WTS_SESSION_LOCK,
    SessionLockPoller,
    WindowsMessage,
    WindowsSessionLockFilter,
    macos_screen_is_locked,
)
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings
from tests.storage.privacy_records import fill_client, found_in_bytes

PASSPHRASE = "correct horse battery staple"
WTS_SESSION_UNLOCK = 0x8
WM_PAINT = 0x000F


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    texts: list[str] = []
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            while index.isValid():  # columnCount is private on list models: walk the columns instead
                texts.append(str(model.data(index, Qt.ItemDataRole.DisplayRole) or ""))
                texts.append(str(model.data(index, Qt.ItemDataRole.AccessibleTextRole) or ""))
                pending.append(index)
                index = index.siblingAtColumn(index.column() + 1)
    return texts


def _texts_of(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle(), widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        texts.append(widget.toPlainText())
    if isinstance(widget, QAbstractItemView):
        texts.extend(_model_texts(widget))
    return texts


SPOKEN = (QAccessible.Text.Name, QAccessible.Text.Description, QAccessible.Text.Value)


def accessible_text(window: QWidget) -> str:
    """Every name, description and value in the accessibility tree of `window` and of the other visible
    windows: what a screen reader (or any program reading that tree) gets."""
    found: list[str] = []
    pending = [QAccessible.queryAccessibleInterface(window)]
    pending += [QAccessible.queryAccessibleInterface(w) for w in QApplication.topLevelWidgets() if w.isVisible()]
    while pending:
        node = pending.pop()
        if node is None or not node.isValid():
            continue
        found += [
            node.text(kind) for kind in (QAccessible.Text.Name, QAccessible.Text.Description, QAccessible.Text.Value)
        ]
        pending += [node.child(index) for index in range(node.childCount())]
    return "\n".join(found).casefold()


def what_can_be_seen(window: MainWindow) -> str:
    """Every text of the window, its children (menus too) and any other visible window, in one string."""
    # A closed dialog may live on as a hidden child until it is deleted: it shows nothing, so it is skipped.
    widgets: list[QWidget] = [w for w in window.findChildren(QWidget) if w.window() is window or w.window().isVisible()]
    widgets.append(window)
    widgets += [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    for top in list(widgets):
        if top.isWindow() and top is not window:
            widgets += top.findChildren(QWidget)
    texts = [text for widget in widgets for text in _texts_of(widget)]
    texts += [action.text() for action in window.menuBar().actions()]
    texts.append(window.statusBar().currentMessage())
    return "\n".join(texts).casefold()


def test_a_key_or_a_click_in_the_window_restarts_the_idle_time_and_its_repaints_do_not(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Input reaches a window from the desktop before its widgets: QTest given the QWindow sends it that way.
    create_application([])
    window = create_main_window(data_dir, demo=False, settings=ini_settings(tmp_path))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    lock = window.screen_lock
    handle = window.windowHandle()
    assert lock is not None
    assert handle is not None
    lock.idle.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer's remaining time is only within 5 %
    lock.idle.start()
    full = lock.idle.interval()

    def after(activity: Callable[[], object]) -> int:
        qtbot.wait(60)
        activity()
        return lock.idle.remainingTime()

    assert after(lambda: (window.update(), window.repaint())) < full - 50  # drawing is not the therapist
    assert after(lambda: QTest.keyClick(handle, Qt.Key.Key_Shift)) > full - 50
    assert after(lambda: window.repaint()) < full - 50
    assert after(lambda: QTest.mouseClick(handle, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))) > full - 50
    assert not lock.locked
    # Nor is it asked about them: the widgets' paints never pass through Python to reach the lock.
    asked: list[QEvent.Type] = []
    watch = ScreenLock.eventFilter

    def counted(self: ScreenLock, seen: QObject, event: QEvent) -> bool:
        asked.append(event.type())
        return watch(self, seen, event)

    monkeypatch.setattr(ScreenLock, "eventFilter", counted)
    window.repaint()
    assert asked == []


def test_a_locked_window_shows_nothing_of_any_client_until_the_passphrase(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    with SqliteStore.open(data_dir, key=key) as repository:
        filled = fill_client(repository, "L")
    create_application([])
    settings = ini_settings(tmp_path)
    window = create_main_window(data_dir, demo=False, settings=settings, key=key)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.workspace.decisions.open_client(filled.client_id)
    name = filled.name.casefold()
    assert name in what_can_be_seen(window)  # the walk finds the client while unlocked
    assert name in accessible_text(window)  # and so does a screen reader
    dialog = QDialog(window)
    dialog.setWindowTitle(filled.markers["conditions"])
    dialog.show()
    assert window.screen_lock is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.screen_lock.locked
    assert not dialog.isVisible()
    export = next(action for action in window.menus["File"].actions() if action.text().startswith("Export client"))
    assert not export.isEnabled()  # no menu shortcut reaches the records while locked
    seen = what_can_be_seen(window)
    assert [field for field, marker in filled.markers.items() if marker.casefold() in seen] == []
    heard = accessible_text(window)
    assert [field for field, marker in filled.markers.items() if marker.casefold() in heard] == []

    locked_view = window.centralWidget()
    assert locked_view is not None
    line = locked_view.findChild(QLineEdit)
    button = locked_view.findChild(QAbstractButton)
    assert button is not None
    assert line is not None
    line.setText("not the passphrase")
    line.returnPressed.emit()
    assert window.screen_lock.locked
    assert "does not unlock" in what_can_be_seen(window)
    qtbot.waitUntil(button.isEnabled)  # the pause after a wrong try ends
    line.setText(PASSPHRASE)
    line.returnPressed.emit()
    assert not window.screen_lock.locked
    assert export.isEnabled()
    assert name in what_can_be_seen(window)

    window.close()
    settings.sync()
    assert found_in_bytes([tmp_path / "settings.ini"], filled.markers) == {}


def test_plain_records_say_so_in_the_window_until_encrypted(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    create_application([])
    window = create_main_window(data_dir, demo=False, settings=ini_settings(tmp_path))
    qtbot.addWidget(window)
    assert "records are not encrypted" in what_can_be_seen(window)
    assert any(action.text() == "Encrypt records…" for action in window.menus["File"].actions())
    assert window.screen_lock is not None
    window.screen_lock.lock()
    assert "not encrypted, so this hides only the screen" in what_can_be_seen(window)
    locked_view = window.centralWidget()
    assert locked_view is not None
    unlock_button = locked_view.findChild(QAbstractButton)
    assert unlock_button is not None
    unlock_button.click()
    assert not window.screen_lock.locked


DESKTOP_LOCKS = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from app.ui.application import create_application, create_main_window
from app.ui.encryption.screen_lock import ScreenLock
from app.ui.settings import AppSettings
from PySide6.QtCore import QSettings

app = create_application([])
folder = Path(sys.argv[1])
window = create_main_window(folder / "data", demo=False,
                            settings=AppSettings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)))
window.show()  # the window listens from here on (app.ui.encryption.actions)
signal = QDBusMessage.createSignal("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged")
signal.setArguments([True])
QTimer.singleShot(0, lambda: QDBusConnection.sessionBus().send(signal))
window.screen_lock.lockedChanged.connect(lambda locked: (print("locked", locked), app.quit()))
QTimer.singleShot(20_000, app.quit)  # a bound on a hung run, not a measurement
app.exec()
"""


def test_the_window_locks_when_the_desktop_says_its_screen_locked(tmp_path: Path) -> None:
    # A session bus of its own, as a desktop has; ./scripts/test installs D-Bus, and without it this fails, not skips.
    assert shutil.which("dbus-run-session") is not None, "no dbus-run-session: install dbus (./scripts/test does)"
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", DESKTOP_LOCKS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert "locked True" in result.stdout, result.stderr


def a_window_on_plain_records(qtbot: QtBot, tmp_path: Path, data_dir: Path) -> MainWindow:
    create_application([])
    window = create_main_window(data_dir, demo=False, settings=ini_settings(tmp_path))
    qtbot.addWidget(window)
    return window


def windows_message(message: int, w_param: int) -> WindowsMessage:
    return WindowsMessage(hwnd=None, message=message, wParam=w_param, lParam=0, time=0)


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="the layout checked is 64-bit Windows'")
def test_the_message_is_read_where_64_bit_windows_puts_its_fields() -> None:
    offsets = {name: getattr(WindowsMessage, name).offset for name in ("message", "wParam", "lParam", "time", "pt")}
    assert offsets == {"message": 8, "wParam": 16, "lParam": 24, "time": 32, "pt": 36}  # as in WinUser.h's MSG
    assert ctypes.sizeof(WindowsMessage) == 48


def test_the_window_locks_when_windows_says_the_session_locked(qtbot: QtBot, tmp_path: Path, data_dir: Path) -> None:
    window = a_window_on_plain_records(qtbot, tmp_path, data_dir)
    screen_lock = window.screen_lock
    assert screen_lock is not None
    session_filter = WindowsSessionLockFilter(screen_lock.on_session_locked)
    app = QApplication.instance()
    assert app is not None
    app.installNativeEventFilter(session_filter)  # as on Windows; offscreen, only the calls below reach it
    try:
        not_a_lock = [
            (WINDOWS_MESSAGE_EVENT, windows_message(WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK)),
            (WINDOWS_MESSAGE_EVENT, windows_message(WM_PAINT, WTS_SESSION_LOCK)),
            (b"xcb_generic_event_t", windows_message(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)),  # not Windows'
        ]
        for event_type, message in not_a_lock:
            assert session_filter.nativeEventFilter(QByteArray(event_type), ctypes.addressof(message)) == (False, 0)
        QApplication.processEvents()
        assert not screen_lock.locked
        locked = windows_message(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
        assert session_filter.nativeEventFilter(QByteArray(WINDOWS_MESSAGE_EVENT), ctypes.addressof(locked)) == (
            False,
            0,
        )  # the message goes on to Windows' own handling
        qtbot.waitUntil(lambda: screen_lock.locked)  # in the next turn of the event loop, not inside the message
        assert "hides only the screen" in what_can_be_seen(window)
    finally:
        app.removeNativeEventFilter(session_filter)


def test_the_window_locks_when_the_mac_screen_locks(qtbot: QtBot, tmp_path: Path, data_dir: Path) -> None:
    window = a_window_on_plain_records(qtbot, tmp_path, data_dir)
    screen_lock = window.screen_lock
    assert screen_lock is not None
    readings = iter([True, True, False, False, True])  # the first as Backmap started: the screen was locked then
    locks: list[bool] = []

    def lock_and_note() -> None:
        screen_lock.on_session_locked()
        locks.append(screen_lock.locked)

    poller = SessionLockPoller(lambda: next(readings), lock_and_note, screen_lock)
    assert poller.start()
    assert poller.timer.isActive()
    for _ in range(3):
        poller.poll()
    assert locks == []  # locked already at start, then unlocked: nothing to lock
    poller.poll()
    assert locks == [True]


def test_where_the_mac_cannot_tell_the_idle_time_and_ctrl_l_lock_alone(
    qtbot: QtBot, tmp_path: Path, data_dir: Path
) -> None:
    window = a_window_on_plain_records(qtbot, tmp_path, data_dir)
    assert window.screen_lock is not None
    never_told = SessionLockPoller(lambda: None, window.screen_lock.lock, window.screen_lock)
    assert not never_told.start()
    assert not never_told.timer.isActive()
    readings = iter([False, None])
    stops = SessionLockPoller(lambda: next(readings), window.screen_lock.lock, window.screen_lock)
    assert stops.start()
    stops.poll()  # the session dictionary went away (e.g. the user logged out of the console)
    assert not stops.timer.isActive()
    assert not window.screen_lock.locked


@pytest.mark.skipif(sys.platform == "darwin", reason="on a Mac the session dictionary answers")
def test_the_mac_reading_says_it_cannot_tell_where_there_is_no_quartz() -> None:
    assert macos_screen_is_locked() is None
