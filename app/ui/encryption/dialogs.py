"""The passphrase dialogs: setting it up (or putting it off), typing it at start, and the recovery key shown once.

The work is app.storage.keys and app.storage.encryption; these only ask and tell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.storage.keys import DatabaseKey
    from app.ui.settings import AppSettings

NOT_ENCRYPTED_WARNING = (
    "Your records are not encrypted: anyone who gets this computer's disk can read them. "
    "File → Encrypt records… sets a passphrase."
)


class UnlockCancelled(Exception):
    """The therapist closed the passphrase dialog: the records stay closed."""


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class UnlockDialog(QDialog):
    """Asks for the passphrase (or the recovery key) of encrypted records; wrong tries wait longer each time."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        from app.storage.keys import AttemptPacer

        super().__init__(parent)
        self.setWindowTitle("Unlock the records")
        self.key: DatabaseKey | None = None
        self._data_dir = data_dir
        self._pacer = AttemptPacer()
        self.passphrase = _password_field("Passphrase")
        self.use_recovery_key = QCheckBox("This is the recovery key")
        self.message = QLabel("The records are encrypted. Type the passphrase to open them.")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.unlock_button = self.buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.use_recovery_key)
        layout.addWidget(self.buttons)
        # Enter unlocks (not Cancel, which at start closes Backmap): set once the button is in the dialog, or
        # the dialog does not know it and takes the first button in its focus chain when shown.
        self.unlock_button.setDefault(True)

    def try_unlock(self) -> None:
        from app.storage.keys import WrongPassphraseError, unlock_with_passphrase, unlock_with_recovery_key

        if not self.unlock_button.isEnabled():  # still the pause after a wrong try
            return
        typed = self.passphrase.text()
        try:
            if self.use_recovery_key.isChecked():
                self.key = unlock_with_recovery_key(self._data_dir, typed)
            else:
                self.key = unlock_with_passphrase(self._data_dir, typed)
        except WrongPassphraseError as error:
            wait_s = self._pacer.failed()
            self.message.setText(f"{str(error)[0].upper()}{str(error)[1:]}. Try again in {wait_s:.0f} s.")
            self.passphrase.clear()
            self.unlock_button.setEnabled(False)
            # The button as context: if the dialog is closed during the pause, the call goes with it.
            QTimer.singleShot(int(wait_s * 1000), self.unlock_button, lambda: self.unlock_button.setEnabled(True))
            return
        self.accept()


def ask_for_key(data_dir: Path, parent: QWidget | None) -> DatabaseKey:
    """The key of encrypted records: from the keyring if it keeps it, else typed; UnlockCancelled if not given."""
    from app.storage.keys import keyring_key

    kept = keyring_key(data_dir)
    if kept is not None:
        return kept
    dialog = UnlockDialog(data_dir, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.key is None:
        raise UnlockCancelled
    return dialog.key


class SetUpDialog(QDialog):
    """Choosing a passphrase for the records (new or plain ones), or putting it off."""

    def __init__(self, parent: QWidget | None = None, *, can_put_off: bool = True) -> None:
        from app.storage.keys import MINIMUM_PASSPHRASE_LENGTH

        super().__init__(parent)
        self.setWindowTitle("Protect the records with a passphrase")
        explanation = QLabel(
            "Client records are health information. With a passphrase, Backmap encrypts them and their backups, "
            "so a lost or stolen computer reveals nothing. You type it when Backmap starts and to unlock the "
            f"screen. At least {MINIMUM_PASSPHRASE_LENGTH} characters; a few unrelated words are easy to "
            "remember and hard to guess. You also get a recovery key to print and keep somewhere safe."
        )
        explanation.setWordWrap(True)
        self.passphrase = _password_field("New passphrase")
        self.repeated = _password_field("The same passphrase again")
        self.keep_in_keyring = QCheckBox("Also keep the key in this computer's keyring (opens without typing)")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Again", self.repeated)
        buttons = QDialogButtonBox()
        buttons.addButton("Encrypt the records", QDialogButtonBox.ButtonRole.AcceptRole)
        if can_put_off:
            buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.keep_in_keyring)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _check(self) -> None:
        from app.storage.errors import StorageError
        from app.storage.keys import check_new_passphrase

        if self.passphrase.text() != self.repeated.text():
            self.problem.setText("The two passphrases differ.")
            return
        try:
            check_new_passphrase(self.passphrase.text())
        except StorageError as error:
            self.problem.setText(f"{str(error)[0].upper()}{str(error)[1:]}.")
            return
        self.accept()


class RecoveryKeyDialog(QDialog):
    """The recovery key, shown once, with a way to print it."""

    def __init__(self, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your recovery key")
        self.recovery_key = recovery_key
        told = QLabel(
            "The records are encrypted. If the passphrase is ever lost, this recovery key opens them. It is shown "
            "only now and stored nowhere: print it or write it down, and keep it away from this computer. "
            "Without the passphrase and this key, nobody can read the records, not even you."
        )
        told.setWordWrap(True)
        shown = QLabel(recovery_key)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setStyleSheet("QLabel { font-family: monospace; font-size: 16pt; padding: 8px; }")
        shown.setAccessibleName("Recovery key")
        print_button = QPushButton("Print…")
        print_button.clicked.connect(self.print_it)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(told)
        layout.addWidget(shown)
        layout.addWidget(print_button)
        layout.addWidget(buttons)

    def print_it(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setPlainText(
            "Backmap recovery key\n\n"
            f"{self.recovery_key}\n\n"
            "It opens the encrypted records if the passphrase is lost (backmap key recover). Keep it safe."
        )
        document.print_(printer)


def set_up_encryption(
    data_dir: Path,
    parent: QWidget | None,
    *,
    can_put_off: bool = True,
    before_encrypting: Callable[[], None] = lambda: None,
) -> DatabaseKey | None:
    """Asks for a passphrase and encrypts the records of `data_dir` (new or plain); None if put off.

    The records must not be open meanwhile (the conversion replaces the file): `before_encrypting` closes them."""
    from app.storage.encryption import encrypt_records
    from app.storage.errors import StorageError
    from app.storage.keys import keep_in_keyring

    dialog = SetUpDialog(parent, can_put_off=can_put_off)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    before_encrypting()
    done = encrypt_records(data_dir, dialog.passphrase.text())
    RecoveryKeyDialog(done.recovery_key, parent).exec()
    if dialog.keep_in_keyring.isChecked():
        try:
            keep_in_keyring(data_dir, done.key)
        except StorageError as error:
            QMessageBox.warning(parent, "Backmap", str(error))
    notes = [f"{path} could not be read, so it is still plain: delete it." for path in done.left_plain]
    notes += [f"The backup {path} outside the data folder still holds plain records." for path in done.plain_elsewhere]
    if notes:
        QMessageBox.warning(parent, "Plain copies remain", "\n".join(notes))
    return done.key


def key_at_start(
    data_dir: Path, settings: AppSettings, parent: QWidget | None, *, offer_set_up: bool = True
) -> DatabaseKey | None:
    """The key to open the records with at start: asked for when encrypted; for plain records, the set-up is
    offered (if `offer_set_up`) until the therapist puts it off (the window then warns until it is done).
    UnlockCancelled if the therapist closes the passphrase dialog."""
    from app.storage.keys import is_encrypted

    if is_encrypted(data_dir):
        return ask_for_key(data_dir, parent)
    if not offer_set_up or settings.encryption_put_off():
        return None
    key = set_up_encryption(data_dir, parent)
    if key is None:
        settings.set_encryption_put_off(True)
    return key


def change_passphrase_from_ui(data_dir: Path, parent: QWidget | None) -> None:
    """Asks for the current passphrase (or the recovery key), then a new one."""
    from app.storage.keys import change_passphrase

    unlock = UnlockDialog(data_dir, parent)
    unlock.message.setText("Type the current passphrase, or the recovery key if it is lost.")
    if unlock.exec() != QDialog.DialogCode.Accepted or unlock.key is None:
        return
    chosen = SetUpDialog(parent, can_put_off=False)
    chosen.setWindowTitle("A new passphrase")
    chosen.keep_in_keyring.hide()
    if chosen.exec() == QDialog.DialogCode.Accepted:
        change_passphrase(data_dir, unlock.key, chosen.passphrase.text())
        QMessageBox.information(parent, "Backmap", "The passphrase was changed. The recovery key stays the same.")
