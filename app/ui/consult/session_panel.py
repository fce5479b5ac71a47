"""The session's own fields, each edited as app.domain.session_fields describes it (length, position, medium, the
SOAP notes for the therapist only, the note shared with the client), and the strip to finalise or amend it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Session
from app.domain.session_fields import SCALAR_FIELDS, SOAP_PART, SessionField
from app.ui.debounce import DebouncedText
from app.ui.display_dates import day_text, moment_text

POSITIONS = ("prone", "side-lying", "seated", "supine")
NOT_RECORDED = -1
Emit = Callable[[str, object], None]


class _Editor(ABC):
    """One scalar field's widget, built and filled as its description says (app.domain.session_fields)."""

    widget: QWidget

    def __init__(self, field: SessionField, widget: QWidget) -> None:
        self.field = field
        self.widget = widget
        widget.setAccessibleName(field.spoken)
        widget.setToolTip(field.hint)

    @abstractmethod
    def show(self, value: Any) -> None: ...

    def set_editable(self, editable: bool) -> None:
        self.widget.setEnabled(editable)


class _MinutesEditor(_Editor):
    def __init__(self, field: SessionField, emit: Emit) -> None:
        self._box = QSpinBox()
        super().__init__(field, self._box)
        self._box.setRange(15, 180)
        self._box.setSingleStep(15)
        self._box.setSuffix(" min")
        self._box.valueChanged.connect(lambda value: emit(field.name, value))

    def show(self, value: Any) -> None:
        self._box.setValue(value)


class _PainEditor(_Editor):
    def __init__(self, field: SessionField, emit: Emit) -> None:
        self._box = QSpinBox()
        super().__init__(field, self._box)
        self._box.setRange(NOT_RECORDED, 10)
        self._box.setSpecialValueText("—")
        self._box.setToolTip(f"{field.spoken} (— = not recorded)")
        self._box.valueChanged.connect(lambda value: emit(field.name, None if value == NOT_RECORDED else value))

    def show(self, value: Any) -> None:
        self._box.setValue(NOT_RECORDED if value is None else value)


class _ChoiceEditor(_Editor):
    def __init__(self, field: SessionField, choices: Sequence[str], emit: Emit) -> None:
        self._combo = QComboBox()
        super().__init__(field, self._combo)
        self._combo.addItems(list(choices))
        self._combo.currentTextChanged.connect(lambda text: emit(field.name, text))

    def show(self, value: Any) -> None:
        combo = self._combo
        if value and combo.findText(value) < 0:
            combo.addItem(value)
        combo.setCurrentIndex(max(combo.findText(value), 0) if value else 0)


class _TextEditor(_Editor):
    """A line or a note; saved once typing pauses (DebouncedText)."""

    def __init__(self, field: SessionField, emit: Emit) -> None:
        self._edit: QLineEdit | QPlainTextEdit
        if field.editor == "note":
            self._edit = QPlainTextEdit()
            self._edit.setMaximumHeight(64)
            self._edit.setTabChangesFocus(True)  # Tab goes on to the next note, as in every other form
        else:
            self._edit = QLineEdit()
        super().__init__(field, self._edit)
        self._edit.setPlaceholderText(field.example or field.hint)
        self._saver = DebouncedText(self._edit)
        self._saver.edited.connect(lambda text: emit(field.name, text))

    def show(self, value: Any) -> None:
        self._saver.set_text(value)

    def set_editable(self, editable: bool) -> None:
        self._edit.setReadOnly(not editable)

    def flush(self) -> None:
        """Emits typed text not saved yet."""
        self._saver.flush()


# A field's value as shown once the therapist typed in it: equal to no value, so the next show_session sets it.
_TYPED = object()


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
        choices: Mapping[str, Sequence[str]] = {"position": POSITIONS, "medium": media}
        self._editors = [_editor(field, choices, self._emit) for field in SCALAR_FIELDS if field.editor is not None]
        # What the strip and the fields show, as show_session was last given it: which session and whether it can
        # be edited, then each field's value (_TYPED for one edited since: it shows what was typed until shown).
        self._shown_session: tuple[object, ...] | None = None
        self._shown_values: list[object] = [_TYPED] * len(self._editors)

        # The session's own values, then the pain ratings on one line, the SOAP notes, and each note of its own.
        basics = QFormLayout()
        pain_row = QHBoxLayout()
        soap_box = QGroupBox("SOAP notes (therapist only)")
        soap_form = QFormLayout(soap_box)
        layout = QVBoxLayout(self)
        layout.addLayout(basics)
        for editor in self._editors:
            field = editor.field
            if field.editor == "pain":
                pain_row.addWidget(QLabel(field.label))
                pain_row.addWidget(editor.widget)
            elif field.part == SOAP_PART:
                soap_form.addRow(field.label, editor.widget)
            elif field.editor == "note":
                box = QGroupBox(field.label)
                QVBoxLayout(box).addWidget(editor.widget)
                layout.addWidget(box)
            else:
                basics.addRow(field.label, editor.widget)
        pain_row.addStretch(1)
        basics.addRow("Pain", pain_row)
        layout.insertWidget(1, soap_box)

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

        self._finalise.clicked.connect(self.finaliseRequested)
        self._amend.clicked.connect(self.amendRequested)
        self._continue.clicked.connect(self.continueRequested)
        self._discard.clicked.connect(self.discardRequested)
        self.show_session(None, editable=False)

    def _emit(self, name: str, value: object) -> None:
        if not self._loading:
            index = next(index for index, editor in enumerate(self._editors) if editor.field.name == name)
            self._shown_values[index] = _TYPED
            self.fieldEdited.emit(name, value)

    def flush_pending(self) -> None:
        for editor in self._editors:
            if isinstance(editor, _TextEditor):  # only typed text waits
                editor.flush()

    def show_session(self, session: Session | None, editable: bool) -> None:
        """Fill every field from `session` (None: each field's default, so nothing of the previous client's
        session stays on screen) without emitting edits; read-only unless `editable`. Only what differs from what
        is shown is touched: a note saved changes its field alone, a tension key nothing (nothing relaid out or
        repainted)."""
        which = (
            editable,
            None if session is None else (session.id, session.start, session.finalised, len(session.amendments)),
        )
        values = [
            editor.field.default if session is None else session.field_value(editor.field.name)
            for editor in self._editors
        ]
        new_session = which != self._shown_session
        if not new_session and values == self._shown_values:
            return
        self._loading = True
        try:
            for index, editor in enumerate(self._editors):
                if new_session or values[index] != self._shown_values[index]:
                    editor.show(values[index])
                if new_session:
                    editor.set_editable(editable)
            if new_session:
                is_open = session is not None and not session.is_final
                self._finalise.setVisible(is_open)
                self._discard.setVisible(is_open)
                self._continue.setVisible(is_open and not editable)
                self._amend.setVisible(session is not None and session.is_final)
                self._status.setText(session_status(session, editable))
        finally:
            self._loading = False
        self._shown_session, self._shown_values = which, values


def _editor(field: SessionField, choices: Mapping[str, Sequence[str]], emit: Emit) -> _Editor:
    if field.editor == "minutes":
        return _MinutesEditor(field, emit)
    if field.editor == "pain":
        return _PainEditor(field, emit)
    if field.editor == "choice":
        return _ChoiceEditor(field, choices[field.name], emit)
    return _TextEditor(field, emit)


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
