"""New client / client details: name, date of birth, contact, and consent to record health information.

A client under 18 (at `today`) consents through a parent or guardian, who is named. The dialog returns a Client
record; it stores nothing itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake_rules import age_on, birth_date_problem, email_problem, guardian_problem, is_minor
from app.domain.privacy_notice import PrivacyNotice
from app.domain.records import Client, Consent
from app.ui.clients.date_field import DateField
from app.ui.clients.privacy_notice import PrivacyNoticeDialog
from app.ui.clients.problem_label import ProblemLabel
from app.ui.display_dates import day_text
from app.ui.wheel_guard import guard_wheel

ADULT_CONSENT = "The client has read the privacy notice and consents to their health information being recorded."
GUARDIAN_CONSENT = (
    "The client is under 18: their parent or guardian has read the privacy notice and consents to the client's "
    "health information being recorded."
)
DATE_OF_BIRTH_START_YEARS = 40  # where the calendar opens on an empty date of birth


def new_client_id() -> str:
    return str(uuid.uuid4())


class ClientDialog(QDialog):
    """A new client when `client` is None, else that client's details; `client_record()` after accept."""

    def __init__(
        self,
        notice: PrivacyNotice,
        client: Client | None = None,
        today: dt.date | None = None,
        new_id: Callable[[], str] = new_client_id,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._notice = notice
        self._existing = client
        self._today = today or dt.date.today()
        self._new_id = new_id
        self._notice_dialog: PrivacyNoticeDialog | None = None
        self.setWindowTitle("Client details" if client else "New client")

        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Name")
        self.name_edit.setPlaceholderText("As the client likes to be called")
        born_start = self._today.replace(year=self._today.year - DATE_OF_BIRTH_START_YEARS, month=1, day=1)
        self.born_edit = DateField(born_start, parent=self)
        self.born_edit.set_accessible_name("Date of birth")
        self.age_label = QLabel(self)
        self.born_problem = ProblemLabel(self)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setAccessibleName("Phone")
        self.email_edit = QLineEdit(self)
        self.email_edit.setAccessibleName("Email")
        self.email_problem = ProblemLabel(self)

        born_row = QHBoxLayout()
        born_row.addWidget(self.born_edit, 1)
        born_row.addWidget(self.age_label, 0, Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self.name_edit)
        born_label = QLabel("Date of &birth:", self)
        born_label.setBuddy(self.born_edit.line_edit)  # a row holding a layout gets no buddy of its own
        form.addRow(born_label, born_row)
        form.addRow("", self.born_problem)
        form.addRow("&Phone:", self.phone_edit)
        form.addRow("&Email:", self.email_edit)
        form.addRow("", self.email_problem)

        self.consent_box = QCheckBox(self)
        self.consent_text = QLabel(self)
        self.consent_text.setWordWrap(True)
        self.consent_text.installEventFilter(self)  # a click on the words ticks the box, as on a checkbox's text
        self.consent_record_label = QLabel(self)
        self.consent_record_label.setWordWrap(True)
        self.guardian_label = QLabel("Parent or &guardian:", self)
        self.guardian_edit = QLineEdit(self)
        self.guardian_edit.setAccessibleName("Name of the parent or guardian who consents")
        self.guardian_label.setBuddy(self.guardian_edit)
        self.guardian_problem = ProblemLabel(self)
        self.notice_button = QPushButton("Show privacy notice", self)
        self.notice_button.setAccessibleName("Show the privacy notice")
        notice_row = QHBoxLayout()
        notice_row.addWidget(QLabel(f"Privacy notice version {notice.version}", self), 1)
        notice_row.addWidget(self.notice_button)
        consent_row = QHBoxLayout()
        consent_row.addWidget(self.consent_box, 0, Qt.AlignmentFlag.AlignTop)
        consent_row.addWidget(self.consent_text, 1)
        guardian_row = QHBoxLayout()
        guardian_row.addWidget(self.guardian_label)
        guardian_row.addWidget(self.guardian_edit, 1)
        consent_group = QGroupBox("Consent", self)
        consent_layout = QVBoxLayout(consent_group)
        consent_layout.addLayout(notice_row)
        consent_layout.addLayout(consent_row)
        consent_layout.addLayout(guardian_row)
        consent_layout.addWidget(self.guardian_problem)
        consent_layout.addWidget(self.consent_record_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save client")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(consent_group)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

        if client is not None:
            self._fill(client)
        # Once the box is unticked (consent withdrawn), ticking it again records a new consent, dated today.
        self._consent_on_file = client.consent if client else None
        self.consent_box.toggled.connect(self._on_consent_toggled)
        for signal in (
            self.name_edit.textChanged,
            self.email_edit.textChanged,
            self.guardian_edit.textChanged,
            self.consent_box.toggled,
            self.born_edit.valueChanged,
        ):
            signal.connect(self._update)
        self.notice_button.clicked.connect(self.show_notice)
        self._update()
        guard_wheel(self)

    def _fill(self, client: Client) -> None:
        self.name_edit.setText(client.name)
        self.born_edit.set_value(client.born)
        self.phone_edit.setText(client.phone)
        self.email_edit.setText(client.email)
        if client.consent is not None:
            self.consent_box.setChecked(True)
            self.guardian_edit.setText(client.consent.guardian)

    def minor(self) -> bool:
        return is_minor(self.born_edit.value(), self._today)

    def problems(self) -> list[str]:
        """What keeps the dialog from returning a client, as shown next to the fields."""
        found = [
            self.born_edit.problem(),
            birth_date_problem(self.born_edit.value(), self._today),
            email_problem(self.email_edit.text()),
            guardian_problem(self.minor(), self.consent_box.isChecked(), self.guardian_edit.text()),
        ]
        return [problem for problem in found if problem]

    def _update(self) -> None:
        born = self.born_edit.value()
        minor = self.minor()
        self.age_label.setText(f"age {age_on(born, self._today)}" if born and born <= self._today else "")
        self.consent_text.setText(GUARDIAN_CONSENT if minor else ADULT_CONSENT)
        self.consent_box.setAccessibleName(self.consent_text.text())
        self.guardian_label.setVisible(minor)
        self.guardian_edit.setVisible(minor)
        self.born_problem.show_problem(birth_date_problem(born, self._today))
        self.email_problem.show_problem(email_problem(self.email_edit.text()))
        self.guardian_problem.show_problem(
            guardian_problem(minor, self.consent_box.isChecked(), self.guardian_edit.text())
        )
        self.consent_record_label.setText(self._consent_status())
        self.ok_button.setEnabled(bool(self.name_edit.text().strip()) and not self.problems())

    def _consent_status(self) -> str:
        kept = self._kept_consent()
        if kept is not None:
            status = f"Consent recorded on {day_text(kept.date)} (notice version {kept.notice_version})"
            if kept.guardian:
                status += f", given by {kept.guardian}"
            status += "."
            if kept.notice_version != self._notice.version:
                status += f" The notice has changed since (now version {self._notice.version}): show it again."
            return status
        if self.consent_box.isChecked():
            return f"Consent will be recorded as given today, {day_text(self._today)}."
        return "Without consent, record no health information for this client."

    def _kept_consent(self) -> Consent | None:
        """The consent on file, while the box has stayed ticked and the same guardian stands behind it."""
        existing = self._consent_on_file
        if existing is None or not self.consent_box.isChecked():
            return None
        if self.minor() and existing.guardian != self.guardian_edit.text().strip():
            return None
        return existing

    def _on_consent_toggled(self, checked: bool) -> None:
        if not checked:
            self._consent_on_file = None

    def consent(self) -> Consent | None:
        if not self.consent_box.isChecked():
            return None
        kept = self._kept_consent()
        if kept is not None:
            return kept
        guardian = self.guardian_edit.text().strip() if self.minor() else ""
        return Consent(date=self._today, notice_version=self._notice.version, guardian=guardian)

    def client_record(self) -> Client:
        """The client as entered (RecordError, a BackmapError, if the name is blank)."""
        return Client(
            id=self._existing.id if self._existing else self._new_id(),
            name=self.name_edit.text().strip(),
            born=self.born_edit.value(),
            phone=self.phone_edit.text().strip(),
            email=self.email_edit.text().strip(),
            consent=self.consent(),
        )

    def show_notice(self) -> None:
        if self._notice_dialog is None:
            self._notice_dialog = PrivacyNoticeDialog(self._notice, self)
        self._notice_dialog.open()

    def accept(self) -> None:
        if not self.ok_button.isEnabled():
            return  # Enter in a field must not get round the checks
        super().accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.consent_text and event.type() == QEvent.Type.MouseButtonRelease:
            self.consent_box.toggle()
            return True
        return super().eventFilter(watched, event)
