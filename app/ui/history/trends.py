"""Tension over time for one region or the whole back, each layer its own line (pyqtgraph); optionally only the
marks that felt a certain way ("numbness in the lower back over time")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.analytics import (
    HIGH_TENSION,
    MatrixLayer,
    TensionMatrix,
    back_mean,
    most_improved,
    most_persistent,
)
from app.domain.records import QUALITIES, QUALITY_WORDS
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID
from app.domain.session_summary import MarkTable

WHOLE_BACK = "back"
ANY_FEELING = ""
# Blue and orange stay apart for every common colour-vision deficiency; the symbols differ too.
LAYER_STYLES: dict[MatrixLayer, tuple[str, str, str]] = {
    "client": ("#e08214", "o", "Client's rating"),
    "therapist": ("#2166ac", "s", "Therapist's rating"),
}


def _timestamps(dates: Sequence[dt.date]) -> np.ndarray:
    return np.array([dt.datetime(d.year, d.month, d.day, 12, tzinfo=dt.UTC).timestamp() for d in dates], dtype=float)


def _tension(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def history_story(matrix: TensionMatrix) -> str:
    """The regions that eased most (first → last assessed tension) and those that stay tense, in words."""
    improved = [
        f"{SPECS_BY_ID[change.region].name} {_tension(change.first)} → {_tension(change.last)}"
        for change in most_improved(matrix)
    ]
    persistent = [
        f"{SPECS_BY_ID[region.region].name} ({_tension(HIGH_TENSION)} or more in {region.high_sessions} of "
        f"{region.assessed_sessions} sessions)"
        for region in most_persistent(matrix)
    ]
    parts = []
    if improved:
        parts.append("Most improved: " + "; ".join(improved) + ".")
    if persistent:
        parts.append("Still tense: " + "; ".join(persistent) + ".")
    return " ".join(parts)


class TrendsChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._region = QComboBox()
        self._region.addItem("Whole back (mean of assessed regions)", WHOLE_BACK)
        for spec in REGION_SPECS:
            if spec.kind not in ("no_pressure", "caution"):
                self._region.addItem(spec.name, spec.id)
        self._region.setAccessibleName("Region for the trend")
        self._region.setToolTip("The region whose tension is drawn over time")
        self._feeling = QComboBox()
        self._feeling.addItem("however it felt", ANY_FEELING)
        for quality in QUALITIES:
            self._feeling.addItem(f"only where it felt {QUALITY_WORDS[quality]}", quality)
        self._feeling.setAccessibleName("Feeling for the trend")
        self._feeling.setToolTip("Only the sessions in which the region felt like this (others are gaps)")
        self._plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._plot.setBackground("w")
        self._plot.showGrid(x=True, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            # The axes draw the grid across the whole plot, so every new line repaints them: kept as pixmaps, they
            # are drawn again only when the span or the size changes, not for each region chosen.
            self._plot.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._plot.setYRange(0, 10, padding=0.05)
        self._plot.setLabel("left", "Tension (0–10)")
        self._plot.getPlotItem().setMouseEnabled(x=True, y=False)
        self._legend = self._plot.addLegend(offset=(10, 10))
        self._plot.setAccessibleName("Tension over time")
        self._summary = QLabel()
        self._summary.setWordWrap(True)
        self.story = QLabel()  # the whole history in a line: what eased most, what stays tense
        self.story.setWordWrap(True)
        self.story.setAccessibleName("Most improved and still tense regions")
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self._region, 1)
        row.addWidget(self._feeling)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._summary)
        layout.addWidget(self.story)
        self._marks = MarkTable.from_sessions([])
        # One line per layer, made once: choosing a region gives them new data (no items made or dropped).
        self._lines: dict[MatrixLayer, pg.PlotDataItem] = {}
        for layer, (colour, symbol, label) in LAYER_STYLES.items():
            line = pg.PlotDataItem(
                pen=pg.mkPen(colour, width=2),
                symbol=symbol,
                symbolBrush=colour,
                symbolPen=colour,
                symbolSize=8,
                name=label,
            )
            line.setVisible(False)
            self._plot.addItem(line)
            self._lines[layer] = line
        self._legend.clear()  # a layer is in the legend only while it has a line
        self._matrices: dict[MatrixLayer, TensionMatrix] = {}
        self._x = _timestamps(())  # the sessions' days as timestamps, shared by every layer and region
        self._region.currentIndexChanged.connect(self._redraw)
        self._feeling.currentIndexChanged.connect(self._filter)

    def show_marks(self, marks: MarkTable, effective: TensionMatrix) -> None:
        """A client's marks as columns (sessions oldest first), and their effective matrix (the page has it)."""
        self._marks = marks
        self._x = _timestamps(marks.dates)
        if len(self._x):
            # The client's whole history, the same for every region: choosing one redraws its lines only (the
            # date axis and the grid stay as drawn), and regions are read against the same span.
            day = 86_400.0
            self._plot.setXRange(self._x[0] - day, self._x[-1] + day, padding=0.02)
        self.story.setText(history_story(effective))
        self._filter()

    def choose_region(self, region_id: str) -> None:
        index = self._region.findData(region_id)
        if index >= 0:
            self._region.setCurrentIndex(index)

    def choose_feeling(self, quality: str) -> None:
        """A Quality, or ANY_FEELING for every mark."""
        self._feeling.setCurrentIndex(self._feeling.findData(quality))

    def _filter(self) -> None:
        quality = self._feeling.currentData()
        marks = self._marks.feeling(quality) if quality else self._marks
        self._matrices = TensionMatrix.layers_from_marks(marks, LAYER_STYLES)
        self._redraw()

    def plotted(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The x (timestamps) and y of each layer's line as drawn: what the tests read."""
        return {line.name(): line.getData() for line in self._lines.values() if line.isVisible()}

    def date_span(self) -> tuple[float, float]:
        """The first and last instant (timestamps) the date axis shows."""
        first, last = self._plot.getPlotItem().viewRange()[0]
        return float(first), float(last)

    def _redraw(self) -> None:
        region = self._region.currentData()
        notes = []
        for layer, (_colour, _symbol, label) in LAYER_STYLES.items():
            line = self._lines[layer]
            matrix = self._matrices.get(layer)
            values = np.empty(0)
            if matrix is not None and matrix.session_ids:
                if region == WHOLE_BACK:
                    values = np.asarray(back_mean(matrix).values, dtype=float)
                else:
                    values = np.asarray(matrix.values[:, matrix.regions.index(region)], dtype=float)
            assessed = ~np.isnan(values)
            felt = self._feeling.currentText().removeprefix("only where it ") if self._feeling.currentData() else ""
            shown = bool(assessed.any())
            if shown:
                # Not-assessed sessions are gaps, never zeros: only assessed points are joined.
                line.setData(self._x[assessed], values[assessed])
                how = felt or "assessed"
                notes.append(f"{label}: {how} in {int(assessed.sum())} of {len(values)} sessions.")
            elif len(values):
                notes.append(f"{label}: never {felt}." if felt else f"{label}: not assessed in any session.")
            if shown != line.isVisible():
                line.setVisible(shown)
                if shown:
                    self._legend.addItem(line, label)
                else:
                    self._legend.removeItem(line)
        self._summary.setText(" ".join(notes) or "No sessions yet.")
