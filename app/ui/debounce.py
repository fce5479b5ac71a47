"""Typed text is saved after a pause (and when the field loses focus), not on every key press."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

DEBOUNCE_MS = 600


class DebouncedText(QObject):
    """Emits `edited(text)` once typing pauses or focus leaves; `set_text` fills the field without emitting."""

    edited = Signal(str)

    def __init__(self, field: QPlainTextEdit | QLineEdit, delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(field)
        self._field = field
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._last = self._text()
        self._loading = False
        field.textChanged.connect(self._on_changed)
        field.installEventFilter(self)

    def _text(self) -> str:
        field = self._field
        return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()

    def set_text(self, text: str) -> None:
        if text == self._text():
            self._last = text
            return
        self._loading = True
        try:
            if isinstance(self._field, QPlainTextEdit):
                self._field.setPlainText(text)
            else:
                self._field.setText(text)
        finally:
            self._loading = False
        self._last = text
        self._timer.stop()

    def flush(self) -> None:
        self._timer.stop()
        text = self._text()
        if text != self._last:
            self._last = text
            self.edited.emit(text)

    def _on_changed(self, *_args: object) -> None:
        if not self._loading:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._field and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False
