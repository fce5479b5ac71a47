"""The session's own fields: minutes, position, medium, SOAP notes (therapist only), the shared note, finalise."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Session
from app.ui.debounce import DebouncedText
from app.ui.display_dates import day_text, moment_text

SOAP_FIELDS = (
    ("subjective", "Subjective", "What the client tells you: where, since when, what makes it better or worse"),
    ("objective", "Objective", "What you find: posture, palpation, range of motion"),
    ("assessment", "Assessment", "Your judgement, how the session went, any adverse event such as bruising"),
    ("plan", "Plan", "Next visit and home care"),
)
POSITIONS = ("prone", "side-lying", "seated", "supine")
DEFAULT_MINUTES = 60
NOT_RECORDED = -1


class SessionPanel(QWidget):
    fieldEdited = Signal(str, object)  # ("soap.subjective", "text"), ("minutes", 60), ("soap.pain_before", None)
    finaliseRequested = Signal()
    amendRequested = Signal()
    continueRequested = Signal()  # go on with an open session of an earlier day
    discardRequested = Signal()

    def __init__(self, media: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Session notes")
        self._loading = False
        self._minutes = QSpinBox()
        self._minutes.setRange(15, 180)
        self._minutes.setSingleStep(15)
        self._minutes.setSuffix(" min")
        self._minutes.setAccessibleName("Session length in minutes")
        self._minutes.setToolTip("How long the session lasts, in minutes")
        self._position = QComboBox()
        self._position.addItems(POSITIONS)
        self._position.setAccessibleName("Client position")
        self._position.setToolTip("How the client lies or sits; the safety screening suggests one")
        self._medium = QComboBox()
        self._medium.addItems(list(media))
        self._medium.setAccessibleName("Massage medium")
        self._medium.setToolTip("The oil or lotion used (the plan suggests one that avoids the client's allergies)")
        self._pain_before = self._pain_box("Pain before the session, 0 to 10")
        self._pain_after = self._pain_box("Pain after the session, 0 to 10")

        basics = QFormLayout()
        basics.addRow("Length", self._minutes)
        basics.addRow("Position", self._position)
        basics.addRow("Medium", self._medium)
        pain_row = QHBoxLayout()
        pain_row.addWidget(QLabel("before"))
        pain_row.addWidget(self._pain_before)
        pain_row.addWidget(QLabel("after"))
        pain_row.addWidget(self._pain_after)
        pain_row.addStretch(1)
        basics.addRow("Pain", pain_row)

        self._text_fields: dict[str, DebouncedText] = {}
        soap_box = QGroupBox("SOAP notes (therapist only)")
        soap_form = QFormLayout(soap_box)
        for key, label, hint in SOAP_FIELDS:
            edit = QPlainTextEdit()
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(f"{label} note, therapist only")
            edit.setToolTip(hint)
            edit.setMaximumHeight(64)
            soap_form.addRow(label, edit)
            self._add_text(f"soap.{key}", edit)
        shared_box = QGroupBox("Note for the client (shown on their plan)")
        shared_layout = QVBoxLayout(shared_box)
        shared = QPlainTextEdit()
        shared.setPlaceholderText("e.g. Stretch your neck gently every hour; drink water if you feel thirsty.")
        shared.setAccessibleName("Note shared with the client")
        shared.setToolTip("Shown to the client on their plan")
        shared.setMaximumHeight(64)
        shared_layout.addWidget(shared)
        self._add_text("shared_note", shared)

        self._status = QLabel()
        self._status.setWordWrap(True)
        self._finalise = QPushButton("Finalise session")
        self._finalise.setToolTip("Lock this session. Later changes become dated amendments.")
        self._amend = QPushButton("Amend…")
        self._amend.setToolTip("Record a dated amendment to this finalised session")
        self._continue = QPushButton("Continue this session")
        self._continue.setToolTip("Go on recording in this open session (it keeps the date it was started)")
        self._discard = QPushButton("Discard…")
        self._discard.setToolTip("Erase this open session: it was started by mistake or will not be finished")
        # The session's state and its Finalise / Amend buttons: the page keeps this strip in view below the scrolling
        # notes (it is not in this panel's layout), so ending a session never needs a scroll first.
        self.action_strip = QWidget()
        self.action_strip.setAccessibleName("Session status and actions")
        # The session's words on a line of their own, the buttons under them: both stay readable in a narrow column.
        strip = QVBoxLayout(self.action_strip)
        strip.addWidget(self._status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._discard)
        buttons.addWidget(self._continue)
        buttons.addWidget(self._amend)
        buttons.addWidget(self._finalise)
        strip.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(basics)
        layout.addWidget(soap_box)
        layout.addWidget(shared_box)

        self._minutes.valueChanged.connect(lambda value: self._emit("minutes", value))
        self._position.currentTextChanged.connect(lambda text: self._emit("position", text))
        self._medium.currentTextChanged.connect(lambda text: self._emit("medium", text))
        self._pain_before.valueChanged.connect(lambda v: self._emit("soap.pain_before", _pain(v)))
        self._pain_after.valueChanged.connect(lambda v: self._emit("soap.pain_after", _pain(v)))
        self._finalise.clicked.connect(self.finaliseRequested)
        self._amend.clicked.connect(self.amendRequested)
        self._continue.clicked.connect(self.continueRequested)
        self._discard.clicked.connect(self.discardRequested)
        self.show_session(None, editable=False)

    def _pain_box(self, accessible: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(NOT_RECORDED, 10)
        box.setSpecialValueText("—")
        box.setAccessibleName(accessible)
        box.setToolTip(f"{accessible} (— = not recorded)")
        return box

    def _add_text(self, name: str, edit: QPlainTextEdit) -> None:
        edit.setTabChangesFocus(True)  # Tab goes on to the next note, as in every other form
        saver = DebouncedText(edit)
        saver.edited.connect(lambda text, name=name: self._emit(name, text))
        self._text_fields[name] = saver

    def _emit(self, name: str, value: object) -> None:
        if not self._loading:
            self.fieldEdited.emit(name, value)

    def flush_pending(self) -> None:
        for saver in self._text_fields.values():
            saver.flush()

    def show_session(self, session: Session | None, editable: bool) -> None:
        """Fill every field from `session` (None: empty them all) without emitting edits; read-only unless
        `editable`."""
        self._loading = True
        try:
            if session is not None:
                self._minutes.setValue(session.minutes)
                _set_combo(self._position, session.position)
                _set_combo(self._medium, session.medium)
                self._pain_before.setValue(_spin(session.soap.pain_before))
                self._pain_after.setValue(_spin(session.soap.pain_after))
                texts = {
                    "soap.subjective": session.soap.subjective,
                    "soap.objective": session.soap.objective,
                    "soap.assessment": session.soap.assessment,
                    "soap.plan": session.soap.plan,
                    "shared_note": session.shared_note,
                }
            else:
                # Nothing of the previous client's session stays on screen.
                self._minutes.setValue(DEFAULT_MINUTES)
                self._position.setCurrentIndex(0)
                self._medium.setCurrentIndex(0)
                self._pain_before.setValue(NOT_RECORDED)
                self._pain_after.setValue(NOT_RECORDED)
                texts = dict.fromkeys(self._text_fields, "")
            for name, saver in self._text_fields.items():
                saver.set_text(texts[name])
                field = saver.parent()
                assert isinstance(field, QPlainTextEdit)
                field.setReadOnly(not editable)
            for widget in (self._minutes, self._position, self._medium, self._pain_before, self._pain_after):
                widget.setEnabled(editable)
            is_open = session is not None and not session.is_final
            self._finalise.setVisible(is_open)
            self._discard.setVisible(is_open)
            self._continue.setVisible(is_open and not editable)
            self._amend.setVisible(session is not None and session.is_final)
            self._status.setText(session_status(session, editable))
        finally:
            self._loading = False


def session_status(session: Session | None, editable: bool) -> str:
    """The strip's words: which session this is (its date) and what can be done with it."""
    if session is None:
        return "No session open. Choose a client and start a session (Ctrl+N)."
    started = moment_text(session.start)
    if session.finalised is not None:
        count = len(session.amendments)
        extra = f", {count} amendment{'s' if count != 1 else ''}" if count else ""
        return f"Session of {started}. Finalised {moment_text(session.finalised)}{extra}: read-only."
    if not editable:
        return (
            f"Session of {day_text(session.start.astimezone().date())} is still open (not finalised). "
            "Continue it, finalise it, or discard it; Start session begins today's."
        )
    return f"Session of {started}. Open: every change is saved as you go."


def _pain(value: int) -> int | None:
    return None if value == NOT_RECORDED else value


def _spin(value: int | None) -> int:
    return NOT_RECORDED if value is None else value


def _set_combo(combo: QComboBox, text: str) -> None:
    if text and combo.findText(text) < 0:
        combo.addItem(text)
    combo.setCurrentIndex(max(combo.findText(text), 0) if text else 0)
