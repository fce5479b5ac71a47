"""The window's part in encryption: the screen lock, the File menu's key actions (decided by the
EncryptionController, asked and told by its dialogs), and the warning that stays in the status bar while the
records are plain."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from app.ui.encryption.screen_lock import LOCK_SHORTCUT, ScreenLock, passphrase_check

if TYPE_CHECKING:
    from app.ui.settings import AppSettings
    from app.ui.workspace.widget import Workspace


def install(
    window: QMainWindow, file_menu: QMenu, workspace: Workspace, settings: AppSettings, *, demo: bool
) -> ScreenLock:
    """Adds the lock and the key actions to `window` (before the File menu's last entry, Quit)."""
    from app.ui.encryption.controller import EncryptionController
    from app.ui.encryption.dialogs import NOT_ENCRYPTED_WARNING, EncryptionDialogs

    # The key file and the encryption belong to a local data folder; without one the lock unlocks with a button.
    folder = workspace.repository.local_folder
    check = passphrase_check(folder.path) if folder is not None else None
    screen_lock = ScreenLock(window, settings.lock_after_minutes, check, workspace.flush_pending)
    screen_lock.follow_desktop_lock()
    quit_action = file_menu.actions()[-1]  # the workspace filled the menu

    def close_records() -> None:  # before encrypting: the conversion replaces the file
        workspace.flush_pending()
        workspace.repository.close()

    def add(text: str, slot: Callable[[], object]) -> None:
        action = QAction(text, window)
        action.triggered.connect(lambda _checked=False: slot())
        file_menu.insertAction(quit_action, action)

    add(f"Lock the screen ({LOCK_SHORTCUT})", screen_lock.lock)
    if folder is not None:
        encryption = EncryptionController(EncryptionDialogs(folder.path, window), folder.path)
        if folder.encrypted:
            add("Change passphrase…", encryption.change_passphrase)
            add("Forget the keyring copy of the key", encryption.forget_keyring)
        elif not demo:
            add("Encrypt records…", lambda: encryption.encrypt_now(close_records))
            warning = QLabel(NOT_ENCRYPTED_WARNING)
            warning.setAccessibleName("Records not encrypted")
            warning.setStyleSheet("QLabel { background: #fff3cd; color: #3d2e00; padding: 2px 6px; }")
            window.statusBar().addPermanentWidget(warning)
    file_menu.insertSeparator(quit_action)
    return screen_lock
