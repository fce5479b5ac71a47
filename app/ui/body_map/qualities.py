"""What a mark feels like on the map: its symbol, its key, the menu and the legend line (the words live in
app.domain.records.QUALITY_WORDS)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from app.domain.records import QUALITY_WORDS, Quality

# Drawn as text under the number: the symbols of the classic pain-drawing legend (Ransford AO et al., Spine 1976),
# so a quality reads without colour, in any palette and on paper.
QUALITY_SYMBOLS: dict[Quality, str] = {
    "aching": "^^^",
    "burning": "xxx",
    "sharp": "///",
    "pins_and_needles": "ooo",
    "numbness": "===",
}
# On the map, after selecting a region: its first letter; X (not Delete, which clears the tension) takes the
# quality away again, leaving plain tension.
QUALITY_KEYS: dict[Qt.Key, Quality] = {
    Qt.Key.Key_A: "aching",
    Qt.Key.Key_B: "burning",
    Qt.Key.Key_S: "sharp",
    Qt.Key.Key_P: "pins_and_needles",
    Qt.Key.Key_N: "numbness",
}
PLAIN_TENSION_KEY = Qt.Key.Key_X
PLAIN_TENSION = ""  # what a choice of "no quality" carries in a signal


def _key_name(key: Qt.Key) -> str:
    return QKeySequence(key).toString()


def quality_keys_help() -> str:
    """The keys in words ("A aching, ..., X plain tension"), as descriptions and tooltips say them."""
    keys = [f"{_key_name(key)} {QUALITY_WORDS[quality]}" for key, quality in QUALITY_KEYS.items()]
    return ", ".join([*keys, f"{_key_name(PLAIN_TENSION_KEY)} plain tension"])


class QualityMenu(QMenu):
    """The region's right-click menu: plain tension or one of the qualities, with its key beside it."""

    chosen = Signal(str)  # a Quality, or PLAIN_TENSION

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("What it feels like")
        self.addSection("Feels like")
        choices = [(PLAIN_TENSION, "Plain tension", PLAIN_TENSION_KEY)]
        choices += [(quality, QUALITY_WORDS[quality].capitalize(), key) for key, quality in QUALITY_KEYS.items()]
        for quality, words, key in choices:
            # The key after the tab is a hint, not a binding: the map's own shortcuts take it.
            action = self.addAction(f"{words}\t{_key_name(key)}")
            action.triggered.connect(lambda _checked=False, quality=quality: self.chosen.emit(quality))


class QualityLegend(QLabel):
    """The line under the tension legend: each symbol and what it means (text, so a screen reader reads it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        # No-break spaces inside an entry: a narrow column wraps between entries only.
        entries = [
            f"{symbol} {QUALITY_WORDS[quality]}".replace(" ", "\u00a0") for quality, symbol in QUALITY_SYMBOLS.items()
        ]
        super().__init__("Feels like:   " + "   ".join(entries), parent)
        self.setWordWrap(True)
        self.setAccessibleName("What the symbols under the numbers mean")
        self.setToolTip(
            f"What it feels like, on the map after selecting a region: {quality_keys_help()}; or right-click the "
            "region. In brackets: the other layer's."
        )
