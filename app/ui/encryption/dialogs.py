"""The passphrase dialogs: setting it up (or putting it off), typing it at start, and the recovery key shown once.

They only ask and tell, as the EncryptionController's view; the decisions are the controller's (controller.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
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

from app.ui.encryption.controller import EncryptionController, NewPassphrase

if TYPE_CHECKING:
    from app.storage.keys import DatabaseKey
    from app.ui.settings import AppSettings

NOT_ENCRYPTED_WARNING = (
    "Your records are not encrypted: anyone who gets this computer's disk can read them. "
    "File → Encrypt records… sets a passphrase."
)


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


class EncryptionDialogs:
    """The EncryptionView (controller.py) as dialogs over `parent`: None at start, before the window is made."""

    def __init__(self, data_dir: Path, parent: QWidget | None) -> None:
        self._data_dir = data_dir
        self._parent = parent

    def ask_new_passphrase(self, *, can_put_off: bool) -> NewPassphrase | None:
        dialog = SetUpDialog(self._parent, can_put_off=can_put_off)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return NewPassphrase(dialog.passphrase.text(), dialog.keep_in_keyring.isChecked())

    def ask_replacement_passphrase(self) -> str | None:
        dialog = SetUpDialog(self._parent, can_put_off=False)
        dialog.setWindowTitle("A new passphrase")
        dialog.keep_in_keyring.hide()
        return dialog.passphrase.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_key(self) -> DatabaseKey | None:
        return self._unlocked(UnlockDialog(self._data_dir, self._parent))

    def ask_current_key(self) -> DatabaseKey | None:
        dialog = UnlockDialog(self._data_dir, self._parent)
        dialog.message.setText("Type the current passphrase, or the recovery key if it is lost.")
        return self._unlocked(dialog)

    @staticmethod
    def _unlocked(dialog: UnlockDialog) -> DatabaseKey | None:
        return dialog.key if dialog.exec() == QDialog.DialogCode.Accepted else None

    def show_recovery_key(self, recovery_key: str) -> None:
        RecoveryKeyDialog(recovery_key, self._parent).exec()

    def show_info(self, text: str) -> None:
        QMessageBox.information(self._parent, "Backmap", text)

    def show_warning(self, text: str, *, title: str = "Backmap") -> None:
        QMessageBox.warning(self._parent, title, text)

    def show_error(self, text: str) -> None:
        QMessageBox.critical(self._parent, "Backmap", text)

    def quit(self) -> None:
        QApplication.quit()


def key_at_start(
    data_dir: Path, settings: AppSettings, parent: QWidget | None, *, offer_set_up: bool = True
) -> DatabaseKey | None:
    """EncryptionController.key_at_start with these dialogs (UnlockCancelled if the passphrase dialog is closed)."""
    return EncryptionController(EncryptionDialogs(data_dir, parent), data_dir).key_at_start(
        settings, offer_set_up=offer_set_up
    )


def ask_for_key(data_dir: Path, parent: QWidget | None) -> DatabaseKey:
    """EncryptionController.ask_for_key with these dialogs: from the keyring if it keeps it, else typed;
    UnlockCancelled if not given."""
    return EncryptionController(EncryptionDialogs(data_dir, parent), data_dir).ask_for_key()
