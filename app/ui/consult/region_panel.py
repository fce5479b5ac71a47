"""The selected region's panel: tension slider, "not assessed", what it feels like, the region's note, and its
guidance."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import QUALITIES, QUALITY_WORDS
from app.ui.body_map.qualities import PLAIN_TENSION, QUALITY_SYMBOLS, quality_keys_help
from app.ui.consult.controller import NOTHING_SELECTED, RegionSelection
from app.ui.debounce import DebouncedText

NOTE_HINT = "Therapist's note for this region (never shown to the client)"
NOTE_FIRST_RATE = "Give this region a tension first (0-10), then add a note"
NOT_RATED_HINT = "Not assessed yet; the slider rests at 0 until you rate it (Home or a click sets 0)"


class RegionPanel(QWidget):
    tensionChanged = Signal(int, bool)  # value, and whether a drag is under way (its steps merge into one undo)
    tensionCleared = Signal()
    noteEdited = Signal(str)
    qualityChosen = Signal(str)  # a Quality, or PLAIN_TENSION for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Selected region")
        self._title = QLabel("Select a region on the map or in the list")
        self._title.setWordWrap(True)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self._title.setFont(font)
        self._kind_note = QLabel()
        self._kind_note.setWordWrap(True)
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, 10)
        self._slider.setPageStep(1)
        self._slider.setTickInterval(1)
        self._slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self._slider.setAccessibleName("Tension, 0 to 10")
        self._slider.setToolTip("Tension 0 (relaxed) to 10 (very tight) in the layer you are editing")
        self._value = QLabel()
        self._value.setObjectName("tensionShown")
        self._fit_value()
        self._clear = QPushButton("Not assessed")
        self._clear.setToolTip("Remove this region's tension in the layer you are editing (Delete on the map)")
        self._clear.setAccessibleName("Mark as not assessed")
        self._quality = QComboBox()
        self._quality.addItem("plain tension", PLAIN_TENSION)
        for quality in QUALITIES:
            self._quality.addItem(f"{QUALITY_WORDS[quality]}  {QUALITY_SYMBOLS[quality]}", quality)
        self._quality.setAccessibleName("What it feels like")
        self._quality.setToolTip(
            "What the tension feels like in the layer you are editing (on the map: "
            f"{quality_keys_help()}; or right-click the region)"
        )
        self._note = QPlainTextEdit()
        self._note.setPlaceholderText(NOTE_HINT)
        self._note.setAccessibleName("Region note, therapist only")
        self._note.setToolTip("Therapist-only note about this region")
        self._note.setMaximumHeight(80)
        self._note.setTabChangesFocus(True)
        self._note_saver = DebouncedText(self._note)
        self._guidance = QLabel()
        self._guidance.setWordWrap(True)
        self._guidance.setTextFormat(Qt.TextFormat.RichText)
        self._guidance.setAccessibleName("Techniques and cautions for this region")
        self._guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # The slider gets the column's whole width; what it says and the way back to "not assessed" sit below it.
        rating_row = QHBoxLayout()
        rating_row.addWidget(self._value)
        rating_row.addStretch(1)
        rating_row.addWidget(self._clear)
        form = QFormLayout()
        form.addRow("Tension", self._slider)
        form.addRow("", rating_row)
        form.addRow("Feels like", self._quality)
        form.addRow("Note", self._note)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._kind_note)
        layout.addLayout(form)
        layout.addWidget(self._guidance)
        layout.addStretch(1)

        self._loading = False
        self._tension: int | None = None  # what the panel shows; None: not assessed (the handle then rests at 0)
        self._slider.valueChanged.connect(self._on_slider)
        self._slider.actionTriggered.connect(self._on_slider_action)
        self._slider.sliderReleased.connect(self._on_slider_released)
        self._clear.clicked.connect(self.tensionCleared)
        self._note_saver.edited.connect(self.noteEdited)
        self._quality.activated.connect(lambda index: self.qualityChosen.emit(self._quality.itemData(index)))
        self.show_region(NOTHING_SELECTED)

    def show_region(self, selection: RegionSelection) -> None:
        """Fill the panel for one region (None: nothing selected) without emitting edits."""
        region_id, kind, tension, editable = selection.region_id, selection.kind, selection.tension, selection.editable
        self._loading = True
        try:
            self._title.setText(selection.name if region_id else "Select a region on the map or in the list")
            no_pressure = kind in ("no_pressure", "caution")
            self._kind_note.setText(
                "No pressure here: this is bone. It can be noted, but it is never pressed." if no_pressure else ""
            )
            self._kind_note.setVisible(no_pressure)
            self._tension = tension
            self._slider.setValue(0 if tension is None else tension)
            self._show_value(tension if region_id else None, region_id is not None)
            self._note_saver.set_text(selection.note)
            self._guidance.setText(selection.guidance_html)
            can_edit = editable and region_id is not None
            self._slider.setEnabled(can_edit)
            self._clear.setEnabled(can_edit and tension is not None)
            self._quality.setCurrentIndex(self._quality.findData(selection.quality or PLAIN_TENSION))
            # A quality belongs to a rating, as a note does.
            self._quality.setEnabled(can_edit and tension is not None)
            # A note belongs to a rating: typing one on an unrated region would only be refused and lost.
            read_only = not can_edit or tension is None
            if self._note.isReadOnly() != read_only:  # QPlainTextEdit tells its whole self of every call
                self._note.setReadOnly(read_only)
            self._note.setPlaceholderText(NOTE_FIRST_RATE if can_edit and tension is None else NOTE_HINT)
        finally:
            self._loading = False

    def flush_pending(self) -> None:
        self._note_saver.flush()

    def _value_font(self, rated: bool) -> QFont:
        """A rating reads as its number, large; "not assessed" reads as words, so 0 and no rating never look alike."""
        font = QFont(self.font())
        font.setItalic(not rated)
        font.setBold(rated)
        font.setPointSizeF(font.pointSizeF() * (1.3 if rated else 1.0))
        return font

    def _fit_value(self) -> None:
        """The rating's label as large as its longest words, fixed: a label of fixed size relays nothing out when
        its text changes, so a tension key repaints the number alone, not the panel and its guidance."""
        sizes = [
            QFontMetrics(self._value_font(rated)).size(0, text)
            for text, rated in (("10 of 10", True), ("not assessed", False))
        ]
        self._value.setFixedSize(max(size.width() for size in sizes) + 4, max(size.height() for size in sizes))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_value()

    def _show_value(self, tension: int | None, selected: bool) -> None:
        font = self._value_font(tension is not None)
        if self._value.font() != font:  # a new font, even an equal one, would lay the label out and repaint it
            self._value.setFont(font)
        self._value.setText(("not assessed" if selected else "") if tension is None else f"{tension} of 10")
        # A screen reader reads the slider's value, which is 0 for an unrated region too: say it is not a rating.
        hint = NOT_RATED_HINT if selected and tension is None else ""
        if self._slider.accessibleDescription() != hint:
            self._slider.setAccessibleDescription(hint)

    def _on_slider(self, value: int) -> None:
        if not self._loading:
            self._show_value(value, True)
            self.tensionChanged.emit(value, self._slider.isSliderDown())

    def _emit_if_unchanged_on_unrated(self) -> None:
        # An unrated region's handle rests at 0, so a gesture that lands on 0 changes no value and Qt emits nothing:
        # the gesture itself is the rating.
        if not self._loading and self._tension is None and self._slider.sliderPosition() == self._slider.value():
            self._on_slider(self._slider.value())

    def _on_slider_action(self, _action: int) -> None:
        # Emitted before the slider takes its new position as its value: Home, the arrow keys, page steps, drags.
        self._emit_if_unchanged_on_unrated()

    def _on_slider_released(self) -> None:
        # A click on the resting handle: pressed and released without moving it.
        self._emit_if_unchanged_on_unrated()
