"""File → Connect to clinic server…: where the clinic's server is, as whom, and the password (or none: a pass
file or service file holds it). The dialog stays open with one line saying what went wrong until a connection
works or the therapist cancels; nothing else changes meanwhile."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.clinic.server import DEFAULT_PORT, TLS_MODES, ClinicServer

# The server, the password typed (empty: the pass file's or the keyring's), whether the keyring is to keep it;
# what went wrong in one line, or None once connected.
Connect = Callable[[ClinicServer, str, bool], str | None]

PASSWORD_HINT = "Leave it empty when a pass file (~/.pgpass) or a service file holds it, or the keyring already does."


class ConnectDialog(QDialog):
    def __init__(self, server: ClinicServer | None, connect: Connect, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to clinic server")
        self._connect = connect
        self.host = QLineEdit()
        self.host.setPlaceholderText("records.clinic.example")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit()
        self.user = QLineEdit()
        self.tls = QComboBox()
        for mode, text in TLS_MODES.items():
            self.tls.addItem(text, mode)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip(PASSWORD_HINT)
        self.remember = QCheckBox("Remember the password in this computer's keyring")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What went wrong")
        self.error.setStyleSheet("QLabel { color: #8b0000; }")
        self.error.setVisible(False)
        if server is not None:
            self.host.setText(server.host)
            self.port.setValue(server.port)
            self.database.setText(server.database)
            self.user.setText(server.user)
            self.tls.setCurrentIndex(max(self.tls.findData(server.sslmode), 0))

        form = QFormLayout()
        form.addRow("&Server:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("Your &login:", self.user)
        form.addRow("&TLS:", self.tls)
        form.addRow("Pass&word:", self.password)
        form.addRow("", self.remember)
        hint = QLabel(PASSWORD_HINT)
        hint.setWordWrap(True)
        form.addRow("", hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        buttons.accepted.connect(self.try_connect)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if server is not None else self.host).setFocus()

    def server(self) -> ClinicServer:
        return ClinicServer(
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
            str(self.tls.currentData()),
        )

    def show_error(self, line: str) -> None:
        self.error.setText(line)
        self.error.setVisible(True)

    def try_connect(self) -> None:
        server = self.server()
        named = (("the server", server.host), ("the database", server.database), ("your login", server.user))
        missing = [name for name, value in named if not value]
        if missing:
            listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
            self.show_error(f"Fill in {listed}.")
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a server far away answers in seconds
        try:
            failed = self._connect(server, self.password.text(), self.remember.isChecked())
        finally:
            QGuiApplication.restoreOverrideCursor()
        if failed is None:
            self.accept()
        else:
            self.show_error(failed)
