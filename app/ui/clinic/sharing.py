"""Client → Share with a colleague… (on a clinic server only): the clinic's therapists and owner, each with a
box, ticked when the client is shared with them; OK shares with those newly ticked and takes the client back from
those unticked. The server decides who may (the client's therapist or the owner) and logs each; a refusal shows
in one line and the dialog stays open, what was done before it kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.errors import BackmapError
from app.ui.error_text import plain_error

if TYPE_CHECKING:
    from app.domain.records import Client
    from app.storage.postgres.store import PostgresStore


class SharingDialog(QDialog):
    def __init__(self, store: PostgresStore, client: Client, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Share {client.name} with a colleague")
        self._store = store
        self._client_id = client.id
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What went wrong")
        self.error.setStyleSheet("QLabel { color: #8b0000; }")
        self.error.setVisible(False)
        self.boxes: dict[str, QCheckBox] = {}  # colleague's login -> their box
        self._shared: set[str] = set()  # the logins the client is shared with on the server, as far as known
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"A colleague ticked here finds {client.name} in their client list and can open the whole record; "
                "each opening is written to the clinic's audit log."
            )
        )
        try:
            colleagues = store.colleagues()
            self._shared = {colleague.role for colleague in store.shared_with(client.id)}
        except BackmapError as error:
            colleagues = ()
            self.show_error(plain_error(error))
        for colleague in colleagues:
            box = QCheckBox(f"{colleague.name} ({colleague.kind}, {colleague.role})")
            box.setChecked(colleague.role in self._shared)
            self.boxes[colleague.role] = box
            layout.addWidget(box)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_error(self, line: str) -> None:
        self.error.setText(line)
        self.error.setVisible(True)

    def apply(self) -> None:
        """Shares and takes back as the boxes say, then closes; on a refusal, says why and stays open."""
        try:
            for role, box in self.boxes.items():
                if box.isChecked() and role not in self._shared:
                    self._store.share_client(self._client_id, role)
                    self._shared.add(role)
                elif not box.isChecked() and role in self._shared:
                    self._store.unshare_client(self._client_id, role)
                    self._shared.discard(role)
        except BackmapError as error:
            self.show_error(plain_error(error))
            return
        self.accept()
