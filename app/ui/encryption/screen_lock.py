"""The screen lock: after the idle time, or on Ctrl+L, the window shows nothing of any client until unlocked.

Locking saves typed text first, closes every dialog (a half-filled one is cancelled, as Escape would), and takes
the workspace out of the window altogether (it is kept, hidden and parentless, to be put back): what is left is
the locked view, an empty menu bar and an empty status bar, so neither the screen nor the accessibility tree
holds a client's name, map or notes. Unlocking needs the passphrase of encrypted records; plain records (the
therapist put encryption off) unlock with a button, and the locked view says why that protects little.

When the desktop's own screen lock starts, Backmap locks too: on Linux where the desktop says so on D-Bus (the
freedesktop, GNOME and KDE screen savers, and logind's session Lock); on Windows and macOS as app.ui.encryption.
session_lock hears it. Where none answers, the idle time and Ctrl+L are what lock it (docs/privacy.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

LOCK_SHORTCUT = "Ctrl+L"
SYSTEM_BUS_SOCKET = "/run/dbus/system_bus_socket"
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


def _menu_actions(menu_bar: QWidget) -> list[QAction]:
    """Every action in the menus of `menu_bar`, submenus included."""
    found: list[QAction] = []
    pending = list(menu_bar.actions())
    while pending:
        action = pending.pop()
        found.append(action)
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            pending.extend(submenu.actions())
    return found


def passphrase_check(data_dir: Path) -> Callable[[str], bool] | None:
    """Whether a typed passphrase (or recovery key) opens `data_dir`'s records; None for plain records."""
    from app.storage.keys import WrongPassphraseError, is_encrypted, unlock_with_passphrase, unlock_with_recovery_key

    if not is_encrypted(data_dir):
        return None

    def check(typed: str) -> bool:
        for unlock in (unlock_with_passphrase, unlock_with_recovery_key):
            try:
                unlock(data_dir, typed)
            except WrongPassphraseError:
                continue
            return True
        return False

    return check


class LockedView(QWidget):
    """What the window shows while locked: only how to unlock it."""

    unlockRequested = Signal()

    def __init__(self, check: Callable[[str], bool] | None) -> None:
        from app.storage.keys import AttemptPacer

        super().__init__()
        self._check = check
        self._pacer = AttemptPacer()
        self.message = QLabel(
            "Backmap is locked. Type the passphrase to go on."
            if check is not None
            else "Backmap is locked. The records are not encrypted, so this hides only the screen: "
            "File → Encrypt records… sets a passphrase."
        )
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setVisible(check is not None)
        self.passphrase.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.clicked.connect(self.try_unlock)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.passphrase, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def try_unlock(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        if self._check is None or self._check(self.passphrase.text()):
            self.unlockRequested.emit()
            return
        wait_s = self._pacer.failed()
        self.passphrase.clear()
        self.message.setText(f"That passphrase does not unlock Backmap. Try again in {wait_s:.0f} s.")
        self.unlock_button.setEnabled(False)
        QTimer.singleShot(int(wait_s * 1000), self.unlock_button, lambda: self.unlock_button.setEnabled(True))


class ScreenLock(QObject):
    """Locks `window` after `idle_minutes()` without keyboard or mouse, and on Ctrl+L."""

    lockedChanged = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        idle_minutes: Callable[[], int],
        check: Callable[[str], bool] | None,
        before_locking: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._check = check
        self._before_locking = before_locking
        self._held: QWidget | None = None
        self._disabled: list[QAction] = []  # the menu actions locking disabled, enabled again on unlocking
        self._session_filter: QAbstractNativeEventFilter | None = None  # Windows': kept alive while installed
        self._idle_minutes = idle_minutes  # read at each restart: a change in the practice settings applies at once
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self.shortcut = QShortcut(QKeySequence(LOCK_SHORTCUT), window)
        self.shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.shortcut.activated.connect(self.lock)
        # Keyboard and mouse come from the desktop to a window first, then to its widgets: watching the focused
        # window sees every key and click and none of the paint, layout and timer events that an application-wide
        # filter would be handed (hundreds for one switch of mode, each a call into Python).
        if isinstance(app := QApplication.instance(), QApplication):
            app.focusWindowChanged.connect(self._watch)
            self._watch(app.focusWindow())
        self._restart_idle()

    def _watch(self, window: QWindow | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # again on the same window: still one filter, moved first

    def _restart_idle(self) -> None:
        self.idle.start(self._idle_minutes() * 60_000)

    @property
    def locked(self) -> bool:
        return self._held is not None

    @Slot(bool)
    def on_screen_saver_active(self, active: bool) -> None:
        if active:
            self.lock()

    @Slot()
    def on_session_locked(self) -> None:
        self.lock()

    def follow_desktop_lock(self) -> bool:
        """Locks with the desktop's or the session's lock, as this platform tells it; whether it listens."""
        if sys.platform == "win32":
            from app.ui.encryption.session_lock import follow_windows_session

            self._session_filter = follow_windows_session(self._window, self.on_session_locked)
            return self._session_filter is not None
        if sys.platform == "darwin":
            from app.ui.encryption.session_lock import SessionLockPoller, macos_screen_is_locked

            return SessionLockPoller(macos_screen_is_locked, self.on_session_locked, self).start()
        if not sys.platform.startswith("linux"):
            return False
        from PySide6.QtDBus import QDBusConnection

        listening = False
        if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):  # without it Qt would try to start a bus of its own
            session = QDBusConnection.sessionBus()
            for interface in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
                # PySide6 takes the slot as SLOT()'s text; its type stubs say bytes, which it refuses.
                listening |= session.connect(  # type: ignore[call-overload]
                    "", "", interface, "ActiveChanged", self, SLOT("on_screen_saver_active(bool)")
                )
        if Path(SYSTEM_BUS_SOCKET).exists():
            system = QDBusConnection.systemBus()
            listening |= system.connect(  # type: ignore[call-overload]
                "org.freedesktop.login1",
                "",
                "org.freedesktop.login1.Session",
                "Lock",
                self,
                SLOT("on_session_locked()"),
            )
        return listening

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and not self.locked:
            self._restart_idle()
        return False

    def lock(self) -> None:
        if self.locked:
            return
        self._before_locking()  # typed text is saved before anything is closed
        for widget in QApplication.topLevelWidgets():
            if widget is not self._window and widget.isVisible():
                widget.close()  # a dialog's close() is its Cancel; its exec() returns
        self._held = self._window.takeCentralWidget()
        view = LockedView(self._check)
        view.unlockRequested.connect(self.unlock)
        self._window.setCentralWidget(view)
        view.passphrase.setFocus()
        # Hidden menus still answer shortcuts on some desktops (macOS's own menu bar): their actions are off too.
        self._disabled = [action for action in _menu_actions(self._window.menuBar()) if action.isEnabled()]
        for action in self._disabled:
            action.setEnabled(False)
        self._window.menuBar().hide()
        self._window.statusBar().clearMessage()
        self._window.statusBar().hide()
        self.idle.stop()
        self.lockedChanged.emit(True)

    def unlock(self) -> None:
        if self._held is None:
            return
        self._window.setCentralWidget(self._held)  # the locked view is deleted with it
        self._held.show()
        self._held = None
        for action in self._disabled:
            action.setEnabled(True)
        self._disabled = []
        self._window.menuBar().show()
        self._window.statusBar().show()
        self._restart_idle()
        self.lockedChanged.emit(False)
