"""The safety screening for one date: flags (local ones with a region and an onset), allergies, conditions, and
a clearance. Opening it with an Intake pre-fills everything; it returns an Intake record and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.flag_info import FlagInfo
from app.domain.intake_rules import COMMON_ALLERGIES, clearance_problem, flag_problem
from app.domain.records import Clearance, FlagEntry, Intake
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID
from app.ui.accessible_names import name_inner_parts
from app.ui.clients.allergy_editor import AllergyEditor
from app.ui.clients.date_field import DateField
from app.ui.clients.problem_label import ProblemLabel
from app.ui.display_dates import day_text
from app.ui.wheel_guard import guard_wheel

UNREVIEWED = "Nothing is ticked: go through the list with the client, then tick “none of these apply”."


class FlagRow(QWidget):
    """One flag: a checkbox and its explanation; a local flag also asks where (region), since when, and when it
    settled (from then on it no longer changes the plan)."""

    changed = Signal()

    def __init__(self, info: FlagInfo, onset_start: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.checkbox = QCheckBox(info.label, self)
        self.checkbox.setAccessibleDescription(info.explanation)
        explanation = QLabel(info.explanation, self)
        explanation.setWordWrap(True)
        secondary = explanation.palette()  # the placeholder colour: visibly secondary in light and dark mode
        secondary.setColor(QPalette.ColorRole.WindowText, secondary.color(QPalette.ColorRole.PlaceholderText))
        explanation.setPalette(secondary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(2)
        layout.addWidget(self.checkbox)
        indent = QHBoxLayout()
        indent.setContentsMargins(24, 0, 0, 0)
        indent.addWidget(explanation)
        layout.addLayout(indent)
        self.region_combo: QComboBox | None = None
        self.onset_edit: DateField | None = None
        self.settled_edit: DateField | None = None
        self.problem = ProblemLabel(self)
        if info.local:
            self.region_combo = QComboBox(self)
            self.region_combo.addItem("Choose a region…", None)
            for spec in REGION_SPECS:
                self.region_combo.addItem(spec.name, spec.id)
            self.region_combo.setAccessibleName(f"Region of: {info.label}")
            self.onset_edit = DateField(onset_start, parent=self)
            self.onset_edit.set_accessible_name(f"Since when: {info.label}")
            self.settled_edit = DateField(onset_start, parent=self)
            self.settled_edit.set_accessible_name(f"Settled on: {info.label}")
            self.local_box = QWidget(self)
            local_form = QFormLayout(self.local_box)
            local_form.setContentsMargins(24, 2, 0, 0)
            local_form.addRow("Region:", self.region_combo)
            local_form.addRow("Since:", self.onset_edit)
            local_form.addRow("Settled on:", self.settled_edit)
            layout.addWidget(self.local_box)
            self.local_box.setVisible(False)
            self.region_combo.currentIndexChanged.connect(self.changed)
            self.onset_edit.valueChanged.connect(self.changed)
            self.settled_edit.valueChanged.connect(self.changed)
            self.checkbox.toggled.connect(self.local_box.setVisible)
        problem_indent = QHBoxLayout()
        problem_indent.setContentsMargins(24, 0, 0, 0)
        problem_indent.addWidget(self.problem)
        layout.addLayout(problem_indent)
        self.checkbox.toggled.connect(self.changed)

    def region(self) -> str | None:
        return None if self.region_combo is None else self.region_combo.currentData()

    def since(self) -> dt.date | None:
        return None if self.onset_edit is None else self.onset_edit.value()

    def settled(self) -> dt.date | None:
        return None if self.settled_edit is None else self.settled_edit.value()

    def fill(self, entry: FlagEntry) -> None:
        self.checkbox.setChecked(True)
        if self.region_combo is not None and entry.region is not None:
            self.region_combo.setCurrentIndex(self.region_combo.findData(entry.region))
        if self.onset_edit is not None:
            self.onset_edit.set_value(entry.since)
        if self.settled_edit is not None:
            self.settled_edit.set_value(entry.settled)

    def fits(self, entry: FlagEntry) -> bool:
        """Whether this row can hold `entry` without losing anything."""
        return self.info.local or (entry.region is None and entry.since is None and entry.settled is None)

    def entry(self) -> FlagEntry | None:
        """The flag as entered; only after `check` found no problem (a flag cannot settle before it began)."""
        if not self.checkbox.isChecked():
            return None
        return FlagEntry(self.info.id, self.region(), self.since(), self.settled())

    def check(self, intake_date: dt.date | None) -> str | None:
        """The row's problem (None: fine); a mistyped date is shown by its own field, the rest under the row."""
        typed = next((edit.problem() for edit in (self.onset_edit, self.settled_edit) if edit and edit.problem()), None)
        if not self.checkbox.isChecked() or typed is not None:
            self.problem.show_problem(None)
            return f"{self.info.label}: {typed}" if self.checkbox.isChecked() else None
        problem = flag_problem(self.info, self.region(), self.since(), intake_date, self.settled())
        self.problem.show_problem(problem)
        return problem


class IntakeDialog(QDialog):
    """`intake_record()` after accept. `flags` is the controlled list: app.domain.flag_info.flag_infos(protocol)."""

    def __init__(
        self,
        flags: Sequence[FlagInfo],
        intake: Intake | None = None,
        day: dt.date | None = None,
        allergy_suggestions: Sequence[str] = COMMON_ALLERGIES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        start = day or dt.date.today()
        # A new visit's screening is a new dated one that starts from the last; only today's is edited in place.
        editing_today = intake is not None and intake.date == start
        self.setWindowTitle("Screening of today (editing)" if editing_today else "Screening")
        self.date_edit = DateField(start, start, required=True, parent=self)
        self.date_edit.set_accessible_name("Date of the screening")
        self.carried_label = QLabel(self)
        self.carried_label.setWordWrap(True)
        self.carried_label.setVisible(intake is not None and not editing_today)
        if intake is not None and not editing_today:
            self.carried_label.setText(
                f"A new screening for today, filled in from the one of {day_text(intake.date)}: "
                "go through each item with the client; the earlier screening stays on file as it was."
            )

        self.flag_rows = [FlagRow(info, start, self) for info in flags]
        flag_list = QWidget(self)
        flag_layout = QVBoxLayout(flag_list)
        for row in self.flag_rows:
            flag_layout.addWidget(row)
        flag_layout.addStretch(1)
        self.flag_scroll = QScrollArea(self)
        self.flag_scroll.setAccessibleName("Screening questions")
        self.flag_scroll.setWidget(flag_list)
        self.flag_scroll.setWidgetResizable(True)
        self.flag_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        flags_group = QGroupBox("Tick what applies today", self)
        QVBoxLayout(flags_group).addWidget(self.flag_scroll)

        self.allergies = AllergyEditor(allergy_suggestions, self)
        allergy_group = QGroupBox("Allergies (oils, lotions, fragrance)", self)
        QVBoxLayout(allergy_group).addWidget(self.allergies)
        self.conditions_edit = QPlainTextEdit(self)
        self.conditions_edit.setAccessibleName("Conditions")
        self.conditions_edit.setPlaceholderText("Anything else the client mentions, in their words")
        self.conditions_edit.setTabChangesFocus(True)
        self.conditions_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        conditions_group = QGroupBox("Conditions", self)
        QVBoxLayout(conditions_group).addWidget(self.conditions_edit)

        self.clearance_group = QGroupBox("Clearance from a doctor or other clinician", self)
        self.clearance_group.setCheckable(True)
        self.clearance_group.setChecked(False)
        self.clearance_by = QLineEdit(self)
        self.clearance_by.setAccessibleName("Clearance given by")
        self.clearance_by.setPlaceholderText("e.g. Dr N. Example")
        self.clearance_date = DateField(start, start, required=True, parent=self)
        self.clearance_date.set_accessible_name("Clearance given on")
        self.clearance_limits = QLineEdit(self)
        self.clearance_limits.setAccessibleName("Limits of the clearance")
        self.clearance_limits.setPlaceholderText("e.g. light pressure only")
        self.clearance_expires = DateField(start, parent=self)
        self.clearance_expires.set_accessible_name("Clearance expires on")
        self.clearance_problem = ProblemLabel(self)
        clearance_form = QFormLayout(self.clearance_group)
        clearance_form.addRow("Given by:", self.clearance_by)
        clearance_form.addRow("On:", self.clearance_date)
        clearance_form.addRow("Limits:", self.clearance_limits)
        clearance_form.addRow("Expires:", self.clearance_expires)
        clearance_form.addRow(self.clearance_problem)

        self.kept_label = QLabel(self)
        self.kept_label.setWordWrap(True)
        self.kept_label.hide()
        self.none_apply = QCheckBox("Reviewed with the client: none of these apply", self)
        self.none_apply.setToolTip("An empty screening is saved only once you have gone through it with the client")
        self.blank_problem = ProblemLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save screening")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        date_row = QHBoxLayout()
        date_row.addWidget(QLabel("Screening on:", self), 0, Qt.AlignmentFlag.AlignTop)
        date_row.addWidget(self.date_edit)
        date_row.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(allergy_group)
        right.addWidget(conditions_group)
        right.addWidget(self.clearance_group)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(flags_group, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(date_row)
        layout.addWidget(self.carried_label)
        layout.addLayout(columns, 1)
        layout.addWidget(self.kept_label)
        layout.addWidget(self.none_apply)
        layout.addWidget(self.blank_problem)
        layout.addWidget(self.buttons)
        self.resize(1080, 760)

        # Where each entry stood in the intake being edited, so saving does not reorder what was on file.
        self._position: dict[str, int] = {}
        self._kept: list[tuple[int, FlagEntry]] = []
        self._original_count = 0
        if intake is not None:
            self._fill(intake)
        for row in self.flag_rows:
            row.changed.connect(self._update)
        for signal in (
            self.date_edit.valueChanged,
            self.clearance_group.toggled,
            self.clearance_by.textChanged,
            self.clearance_date.valueChanged,
            self.clearance_expires.valueChanged,
            self.conditions_edit.textChanged,
            self.allergies.list_widget.model().rowsInserted,
            self.allergies.list_widget.model().rowsRemoved,
            self.none_apply.toggled,
        ):
            signal.connect(self._update)
        self._update()
        guard_wheel(self)
        name_inner_parts(self)

    def _fill(self, intake: Intake) -> None:
        self._original_count = len(intake.flags)
        rows = {row.info.id: row for row in self.flag_rows}
        for index, entry in enumerate(intake.flags):
            row = rows.get(entry.flag)
            if row is None or entry.flag in self._position or not row.fits(entry):
                # Not on this form (a second entry of one flag, e.g. two injuries): kept as it was, never dropped.
                self._kept.append((index, entry))
                continue
            row.fill(entry)
            self._position[entry.flag] = index
        if self._kept:
            described = ", ".join(_describe_entry(entry) for _, entry in self._kept)
            self.kept_label.setText(f"Also on file, kept unchanged (not on this form): {described}.")
            self.kept_label.show()
        self.allergies.set_allergies(intake.allergies)
        self.conditions_edit.setPlainText(intake.conditions)
        if intake.clearance is not None:
            self.clearance_group.setChecked(True)
            self.clearance_by.setText(intake.clearance.by)
            self.clearance_date.set_value(intake.clearance.date)
            self.clearance_limits.setText(intake.clearance.limits)
            self.clearance_expires.set_value(intake.clearance.expires)

    def intake_date(self) -> dt.date | None:
        return self.date_edit.value()

    def problems(self) -> list[str]:
        """What keeps the screening from being saved; each is shown next to its field."""
        day = self.intake_date()
        found = [self.date_edit.problem(), *(row.check(day) for row in self.flag_rows)]
        clearance = None
        if self.clearance_group.isChecked():
            typed = self.clearance_date.problem() or self.clearance_expires.problem()
            clearance = typed or clearance_problem(
                self.clearance_by.text(), self.clearance_date.value(), self.clearance_expires.value(), day
            )
            self.clearance_problem.show_problem(None if typed else clearance)  # a mistyped date says so itself
        else:
            self.clearance_problem.show_problem(None)
        # An untouched form is not a screening: saving one says the therapist went through it with the client.
        blank = not any(row.checkbox.isChecked() for row in self.flag_rows) and not (
            self._kept or self.allergies.allergies() or self.conditions_edit.toPlainText().strip()
        )
        blank = blank and not self.clearance_group.isChecked()
        self.none_apply.setEnabled(blank)
        if not blank:
            self.none_apply.setChecked(False)
        unreviewed = UNREVIEWED if blank and not self.none_apply.isChecked() else None
        self.blank_problem.show_problem(unreviewed)
        return [problem for problem in [*found, clearance, unreviewed] if problem]

    def _update(self) -> None:
        self.ok_button.setEnabled(not self.problems())

    def flag_entries(self) -> tuple[FlagEntry, ...]:
        """The ticked flags; those already on file keep their places, new ones follow in the form's order."""
        keyed = list(self._kept)
        for form_index, row in enumerate(self.flag_rows):
            ticked = row.entry()
            if ticked is not None:
                keyed.append((self._position.get(ticked.flag, self._original_count + form_index), ticked))
        keyed.sort(key=lambda pair: pair[0])
        return tuple(entry for _, entry in keyed)

    def clearance(self) -> Clearance | None:
        given = self.clearance_date.value()
        if not self.clearance_group.isChecked() or given is None:
            return None
        return Clearance(
            by=self.clearance_by.text().strip(),
            date=given,
            limits=self.clearance_limits.text().strip(),
            expires=self.clearance_expires.value(),
        )

    def intake_record(self) -> Intake:
        """The screening as entered; only after accept (its date is then a date)."""
        day = self.intake_date()
        assert day is not None, "intake_record() before the dialog was accepted"
        return Intake(
            date=day,
            flags=self.flag_entries(),
            allergies=self.allergies.allergies(),
            conditions=self.conditions_edit.toPlainText().strip(),
            clearance=self.clearance(),
        )

    def accept(self) -> None:
        if self.problems():
            return  # the messages are already shown next to the fields
        super().accept()


def _describe_entry(entry: FlagEntry) -> str:
    parts = [entry.flag]
    if entry.region:
        parts.append(f"at {SPECS_BY_ID[entry.region].name}")
    if entry.since:
        parts.append(f"since {day_text(entry.since)}")
    if entry.settled:
        parts.append(f"settled {day_text(entry.settled)}")
    return " ".join(parts)
