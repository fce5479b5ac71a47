"""The window's part in encryption: the screen lock, the File menu's key actions, and the warning that stays
in the status bar while the records are plain."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QMessageBox

from app.ui.encryption.screen_lock import LOCK_SHORTCUT, ScreenLock, passphrase_check

if TYPE_CHECKING:
    from pathlib import Path

    from app.ui.settings import AppSettings
    from app.ui.workspace.widget import Workspace


def install(
    window: QMainWindow, file_menu: QMenu, workspace: Workspace, settings: AppSettings, *, demo: bool
) -> ScreenLock:
    """Adds the lock and the key actions to `window` (before the File menu's last entry, Quit)."""
    from app.ui.encryption.dialogs import NOT_ENCRYPTED_WARNING

    # The key file and the encryption belong to a local data folder; without one the lock unlocks with a button.
    folder = workspace.repository.local_folder
    check = passphrase_check(folder.path) if folder is not None else None
    screen_lock = ScreenLock(window, settings.lock_after_minutes, check, workspace.flush_pending)
    screen_lock.follow_desktop_lock()
    quit_action = file_menu.actions()[-1]  # the workspace filled the menu

    def add(text: str, slot: Callable[[], object]) -> None:
        action = QAction(text, window)
        action.triggered.connect(lambda _checked=False: slot())
        file_menu.insertAction(quit_action, action)

    add(f"Lock the screen ({LOCK_SHORTCUT})", screen_lock.lock)
    if folder is not None and folder.encrypted:
        add("Change passphrase…", lambda: _change_passphrase(window, folder.path))
        add("Forget the keyring copy of the key", lambda: _forget_keyring(window, folder.path))
    elif folder is not None and not demo:
        add("Encrypt records…", lambda: _encrypt_now(window, workspace, folder.path))
        warning = QLabel(NOT_ENCRYPTED_WARNING)
        warning.setAccessibleName("Records not encrypted")
        warning.setStyleSheet("QLabel { background: #fff3cd; color: #3d2e00; padding: 2px 6px; }")
        window.statusBar().addPermanentWidget(warning)
    file_menu.insertSeparator(quit_action)
    return screen_lock


def _change_passphrase(window: QMainWindow, data_dir: Path) -> None:
    from app.ui.encryption.dialogs import change_passphrase_from_ui

    change_passphrase_from_ui(data_dir, window)


def _forget_keyring(window: QMainWindow, data_dir: Path) -> None:
    from app.errors import BackmapError
    from app.storage.keys import forget_keyring

    try:
        removed = forget_keyring(data_dir)
    except BackmapError as error:
        QMessageBox.warning(window, "Backmap", str(error))
        return
    QMessageBox.information(
        window,
        "Backmap",
        "The keyring no longer keeps the key: Backmap asks for the passphrase when it starts."
        if removed
        else "The keyring did not keep the key.",
    )


def _encrypt_now(window: QMainWindow, workspace: Workspace, data_dir: Path) -> None:
    """Encrypts the open records: they are closed first (the file is replaced), and Backmap ends afterwards, to
    be started again with the passphrase."""
    from app.errors import BackmapError
    from app.ui.encryption.dialogs import set_up_encryption

    def close_records() -> None:
        workspace.flush_pending()
        workspace.repository.close()

    try:
        key = set_up_encryption(data_dir, window, can_put_off=False, before_encrypting=close_records)
    except BackmapError as error:
        QMessageBox.critical(window, "Backmap", f"The records were not encrypted: {error}. Backmap closes now.")
        QApplication.quit()
        return
    if key is not None:
        QMessageBox.information(window, "Backmap", "The records are encrypted. Backmap closes now: start it again.")
        QApplication.quit()
