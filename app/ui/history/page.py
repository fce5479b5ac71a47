"""History mode: the timeline of a client's sessions, one session as it was, two side by side with their
difference, trends per region, and a heat map over a date range. Read-only: history is never edited here.

It reads only what it shows: the timeline's lines for the whole history (their own columns), what the marks add up
to for the lines on screen, the marks as columns when Trends or the heat map is shown, and a session in full (its
plan, its amendments) only when it is opened or compared."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.analytics import (
    Change,
    SessionComparison,
    TensionMatrix,
    compare_sessions,
    heat_map,
    qualities_felt,
)
from app.domain.map_outlines import RegionOutline
from app.domain.records import QUALITY_WORDS, Layer, Quality, Session
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID
from app.domain.session_summary import MarkTable, SessionLine
from app.ui.body_map import palette
from app.ui.body_map.view import BodyMapView, RegionLocator
from app.ui.display_dates import moment_text, short_moment_text
from app.ui.history.timeline import TallyReader, TimelineModel, nothing_to_tally
from app.ui.history.trends import TrendsChart
from app.ui.qt_dates import qdate, to_date

PlanText = Callable[[dict[str, object]], str]
SessionReader = Callable[[str], Session]  # a session id -> the session, whole
MarksReader = Callable[[], MarkTable]  # the client's marks as columns
# Column widths come from the header and this many rows, not from every row of a ten-year history.
SAMPLED_ROWS = 50


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def comparison_overlay(comparison: SessionComparison) -> tuple[dict[str, QColor], dict[str, str]]:
    """Fills and labels of the difference map: better / worse / same, with the two numbers."""
    fills: dict[str, QColor] = {}
    labels: dict[str, str] = {}
    for index, region in enumerate(comparison.regions):
        change = comparison.changes[index]
        before, after = comparison.before[index], comparison.after[index]
        if change == "not_assessed":
            if not (math.isnan(before) and math.isnan(after)):
                labels[region] = "n/a"
            continue
        fills[region] = palette.CHANGE_COLOURS[change]
        labels[region] = f"{_number(before)}→{_number(after)}"
    return fills, labels


def _layer_qualities(session: Session, layer: Layer) -> dict[str, Quality]:
    return {region: mark.quality for region, mark in session.layer(layer).items() if mark.quality is not None}


def quality_changes(earlier: Session, later: Session) -> str:
    """What changed in how the regions felt, in words ("" when nothing did)."""
    before, after = qualities_felt(earlier), qualities_felt(later)
    changes = [
        f"{spec.name} {_felt_words(before.get(spec.id))} → {_felt_words(after.get(spec.id))}"
        for spec in REGION_SPECS
        if before.get(spec.id) != after.get(spec.id)
    ]
    return f"Felt: {'; '.join(changes)}." if changes else ""


def _felt_words(quality: Quality | None) -> str:
    return "plain" if quality is None else QUALITY_WORDS[quality]


class HistoryPage(QWidget):
    def __init__(
        self,
        svg_path: str,
        outlines: Sequence[RegionOutline],
        locator: Callable[[], RegionLocator],
        plan_text: PlanText,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._lines: Sequence[SessionLine] = ()  # newest first
        self._read_session: SessionReader = _no_session
        self._read_marks: MarksReader = _no_marks
        self._marks: MarkTable | None = None  # what Trends and the heat map show, read when either is first shown
        self._marks_read = False  # for the history shown
        self._effective: TensionMatrix | None = None  # of self._marks
        self._plan_text = plan_text
        self._plan_shown: tuple[dict[str, object], str] | None = None  # the last plan put in words, and its words
        self._opened: SessionLine | None = None  # the line of the session shown whole

        def new_map(name: str) -> BodyMapView:
            view = BodyMapView(svg_path, outlines, locator)
            view.setAccessibleName(name)
            view.setMinimumSize(180, 240)
            return view

        self.timeline = TimelineModel()
        self.table = QTableView()
        self.table.setModel(self.timeline)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setResizeContentsPrecision(SAMPLED_ROWS)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Sessions, newest first")
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._open(current.row()))

        # One session as it was.
        self.session_map = new_map("The chosen session's map")
        self.session_details = QPlainTextEdit()
        self.session_details.setReadOnly(True)
        self.session_details.setAccessibleName("The plan as given and the amendments")
        one = QWidget()
        one_layout = QHBoxLayout(one)
        one_layout.addWidget(self.session_map, 3)
        one_layout.addWidget(self.session_details, 2)

        # Two side by side, and the difference.
        self.compare_a = QComboBox()
        self.compare_b = QComboBox()
        self.compare_a.setAccessibleName("Earlier session")
        self.compare_b.setAccessibleName("Later session")
        for combo in (self.compare_a, self.compare_b):
            combo.setModel(self.timeline)  # the timeline's dates: one model, however long the history
        self.map_a = new_map("Earlier session's map")
        self.map_b = new_map("Later session's map")
        self.map_diff = new_map("Difference map")
        self.compare_summary = QLabel()
        self.compare_summary.setWordWrap(True)
        compare = QWidget()
        grid = QGridLayout(compare)
        grid.addWidget(self.compare_a, 0, 0)
        grid.addWidget(self.compare_b, 0, 1)
        grid.addWidget(QLabel("Difference: blue better · orange worse · grey same"), 0, 2)
        grid.addWidget(self.map_a, 1, 0)
        grid.addWidget(self.map_b, 1, 1)
        grid.addWidget(self.map_diff, 1, 2)
        grid.addWidget(self.compare_summary, 2, 0, 1, 3)
        grid.setRowStretch(1, 1)
        self.compare_a.currentIndexChanged.connect(self._compare)
        self.compare_b.currentIndexChanged.connect(self._compare)

        self.trends = TrendsChart()

        # Heat map over a date range.
        self.heat_mean = QRadioButton("Mean")
        self.heat_peak = QRadioButton("Peak")
        self.heat_mean.setChecked(True)
        self.heat_from = QDateEdit()
        self.heat_to = QDateEdit()
        for edit, name in ((self.heat_from, "Heat map from"), (self.heat_to, "Heat map to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._heat)
        self.heat_mean.toggled.connect(self._heat)
        self.heat_map = new_map("Heat map")
        self.heat_summary = QLabel()
        heat = QWidget()
        heat_layout = QVBoxLayout(heat)
        heat_controls = QHBoxLayout()
        heat_controls.addWidget(self.heat_mean)
        heat_controls.addWidget(self.heat_peak)
        heat_controls.addSpacing(16)
        heat_controls.addWidget(QLabel("from"))
        heat_controls.addWidget(self.heat_from)
        heat_controls.addWidget(QLabel("to"))
        heat_controls.addWidget(self.heat_to)
        heat_controls.addStretch(1)
        heat_layout.addLayout(heat_controls)
        heat_layout.addWidget(self.heat_map, 1)
        heat_layout.addWidget(self.heat_summary)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("History views")
        self.tabs.addTab(one, "Session")
        self.tabs.addTab(compare, "Side by side")
        self.tabs.addTab(self.trends, "Trends")
        self.tabs.addTab(heat, "Heat map")
        self._heat_tab = heat
        self._compare_tab = compare
        self._compare_pending = False  # the two sessions chosen are not drawn yet (their tab is not shown)
        self.tabs.currentChanged.connect(self._show_tab)
        for view in (self.session_map, self.map_a, self.map_b, self.map_diff, self.heat_map):
            view.regionClicked.connect(self._show_trend_of)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("historySplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        splitter.setSizes([220, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.show_nothing()

    def show_nothing(self) -> None:
        """No client's history (none chosen, or the one shown was deleted)."""
        self.show_history([], nothing_to_tally, _no_marks, _no_session)

    def show_history(
        self,
        lines: Sequence[SessionLine],
        read_tallies: TallyReader,
        read_marks: MarksReader,
        read_session: SessionReader,
    ) -> None:
        """The client's timeline, newest first; what a line's marks add up to is read when the line is shown, the
        marks as columns when Trends or the heat map is first shown, and a session whole when it is opened. The
        newest session is opened; side by side starts with the oldest and the newest. The very `lines` shown
        already (a store hands out the same list while its records are unchanged) keep the page as it is: going
        back to History reads and redraws nothing.
        """
        if lines is self._lines:
            return
        self._lines = lines
        self._read_session = read_session
        self._read_marks = read_marks
        self._marks_read = False
        for combo in (self.compare_a, self.compare_b):
            combo.blockSignals(True)
        changed = self.timeline.set_rows(lines, read_tallies)
        self._fit_columns(changed)
        if len(lines) >= 2:
            self.compare_a.setCurrentIndex(len(lines) - 1)  # the timeline is newest first
            self.compare_b.setCurrentIndex(0)
        for combo in (self.compare_a, self.compare_b):
            combo.blockSignals(False)
        self._compare_pending = True
        self._show_tab(self.tabs.currentIndex())
        if lines and self.table.currentIndex().row() == 0:
            self._open(0)  # the newest, still the current row (the model was updated in place)
        elif lines:
            self.table.selectRow(0)  # opens it (the current row changes)
        else:
            self._opened = None
            self.session_map.set_marks({}, {})
            self.session_details.setPlainText("No sessions yet.")

    def _fit_columns(self, changed: Sequence[int] | None) -> None:
        """Widths from the header and the newest SAMPLED_ROWS lines: the same work for any length of history.
        After lines `changed` in place (None: all new) only those lines are measured, and a column only widens."""
        metrics = self.table.fontMetrics()
        padding = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 12
        rows = [row for row in changed if row < SAMPLED_ROWS] if changed is not None else None
        if rows == []:
            return  # no line measured changed: no width would
        header = self.table.horizontalHeader()
        for column in range(self.timeline.columnCount()):
            if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
                continue
            texts = {str(self.timeline.headerData(column, Qt.Orientation.Horizontal))}
            measured = range(min(SAMPLED_ROWS, self.timeline.rowCount())) if rows is None else rows
            texts.update(self.timeline.text(row, column) for row in measured)  # each distinct text laid out once
            width = max(map(metrics.horizontalAdvance, texts)) + padding
            if rows is None or width > self.table.columnWidth(column):
                self.table.setColumnWidth(column, width)

    def _show_tab(self, index: int) -> None:
        """Side by side, Trends and the heat map are drawn when shown (the marks read once per history shown, and
        drawn again only when they are not the very table drawn: a store hands that out while the marks are as
        read, so a note changed elsewhere redraws nothing here)."""
        tab = self.tabs.widget(index)
        if tab is self._compare_tab and self._compare_pending:
            self._compare()
        if (tab is not self.trends and tab is not self._heat_tab) or self._marks_read:
            return
        marks = self._read_marks()
        self._marks_read = True
        if marks is not self._marks:
            self._marks = marks
            self._effective = TensionMatrix.from_marks(marks)
            self.trends.show_marks(marks, self._effective)
            self._reset_heat_range()

    def choose_comparison(self, earlier_id: str, later_id: str) -> None:
        self.compare_a.setCurrentIndex(self.compare_a.findData(earlier_id))
        self.compare_b.setCurrentIndex(self.compare_b.findData(later_id))

    def _open(self, row: int) -> None:
        if row < 0 or row >= self.timeline.rowCount():
            return
        line = self.timeline.line(row)
        if line is self._opened:
            return  # the very line read before: the session is unchanged and shown already
        self._opened = line
        session = self._read_session(line.session_id)
        self.session_map.attach_locator()
        therapist = {r: m.tension for r, m in session.layer("therapist").items()}
        client = {r: m.tension for r, m in session.layer("client").items()}
        self.session_map.set_marks(therapist, client)
        self.session_map.set_qualities(_layer_qualities(session, "therapist"), _layer_qualities(session, "client"))
        details = self._details(session)
        if details != self.session_details.toPlainText():
            self.session_details.setPlainText(details)  # laid out and painted again only when it changed

    def _details(self, session: Session) -> str:
        lines = [
            f"Session of {moment_text(session.start)} ({session.minutes} min, {session.position})",
            "Numbers on the map: the therapist's rating, the client's in brackets.",
        ]
        felt = [
            f"{SPECS_BY_ID[mark.region].name} ({mark.by}): {QUALITY_WORDS[mark.quality]}"
            for mark in session.marks
            if mark.quality is not None
        ]
        if felt:
            lines.append("What it felt like (the symbol under the number): " + "; ".join(felt) + ".")
        lines.append("")
        if session.plan is None:
            lines.append("No plan was recorded as given in this session.")
        else:
            if self._plan_shown is None or self._plan_shown[0] != session.plan:
                self._plan_shown = (session.plan, self._plan_text(session.plan))
            lines += ["The plan as given:", self._plan_shown[1]]  # sessions often repeat a plan
        if session.amendments:
            lines += ["", "Amendments (the original is kept):"]
            for amendment in session.amendments:
                lines.append(
                    f"  {short_moment_text(amendment.at)} · {amendment.field}: {amendment.before!r} → "
                    f"{amendment.after!r}" + (f" — {amendment.reason}" if amendment.reason else "")
                )
        return "\n".join(lines)

    def _compare(self) -> None:
        self._compare_pending = self.tabs.currentWidget() is not self._compare_tab
        if self._compare_pending:
            return  # two whole sessions are read when the comparison is in view
        a, b = self.compare_a.currentData(), self.compare_b.currentData()
        if a is None or b is None:
            self.compare_summary.setText("Two sessions are needed to compare.")
            for view in (self.map_a, self.map_b, self.map_diff):
                view.set_overlay({}, {})
                view.set_qualities({}, {})
            return
        earlier, later = self._read_session(a), self._read_session(b)
        for view, session in ((self.map_a, earlier), (self.map_b, later)):
            view.attach_locator()
            tension = session.effective_tension()
            view.set_overlay(
                {r: palette.tension_colour(t) for r, t in tension.items()}, {r: str(t) for r, t in tension.items()}
            )
            view.set_qualities(qualities_felt(session), {})
        comparison = compare_sessions(earlier, later)
        self.map_diff.attach_locator()
        fills, labels = comparison_overlay(comparison)
        self.map_diff.set_overlay(fills, labels)
        felt = quality_changes(earlier, later)
        self.compare_summary.setText(" ".join(part for part in (self._comparison_text(comparison), felt) if part))

    @staticmethod
    def _comparison_text(comparison: SessionComparison) -> str:
        parts = []
        words: tuple[tuple[Change, str], ...] = (("better", "Better"), ("worse", "Worse"), ("same", "Same"))
        for change, word in words:
            regions = comparison.regions_with(change)
            if regions:
                parts.append(f"{word}: " + ", ".join(SPECS_BY_ID[r].name for r in regions) + ".")
        return " ".join(parts) or "No region was assessed in both sessions."

    def _reset_heat_range(self) -> None:
        for edit in (self.heat_from, self.heat_to):
            edit.blockSignals(True)
        if self._lines:
            first, last = self._lines[-1].start.date(), self._lines[0].start.date()
            self.heat_from.setDate(qdate(first))
            self.heat_to.setDate(qdate(last))
        for edit in (self.heat_from, self.heat_to):
            edit.blockSignals(False)
        self._heat()

    def _heat(self) -> None:
        if self._effective is None:
            return  # not read yet: drawn when the heat map is shown
        if not self._effective.session_ids:
            self.heat_map.set_overlay({}, {})
            self.heat_summary.setText("No sessions yet.")
            return
        start = to_date(self.heat_from.date())
        end = to_date(self.heat_to.date())
        if start > end:
            self.heat_summary.setText("The start of the range is after its end.")
            return
        result = heat_map(self._effective, start, end)
        values = result.mean if self.heat_mean.isChecked() else result.peak
        fills: dict[str, QColor] = {}
        labels: dict[str, str] = {}
        for index, region in enumerate(result.regions):
            value = float(values[index])
            if math.isnan(value):
                continue
            fills[region] = palette.tension_colour(round(value))
            labels[region] = _number(value)
        self.heat_map.attach_locator()
        self.heat_map.set_overlay(fills, labels)
        which = "mean" if self.heat_mean.isChecked() else "peak"
        self.heat_summary.setText(
            f"The {which} tension per region over {result.session_count} session"
            f"{'s' if result.session_count != 1 else ''} ({start:%d %b %Y} – {end:%d %b %Y}); "
            "regions never assessed stay uncoloured."
        )

    def _show_trend_of(self, region_id: str) -> None:
        self.trends.choose_region(region_id)


def _no_session(session_id: str) -> Session:
    raise LookupError(f"no history is shown, so there is no session {session_id}")


def _no_marks() -> MarkTable:
    return MarkTable.from_sessions([])
