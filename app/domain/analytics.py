"""Review analytics over a client's sessions (issue 7): trends, heat map, comparisons. Plain numpy, no Qt.

Everything starts from a TensionMatrix: sessions (oldest first) x regions (app.domain.region_specs order),
with NaN where a region was not assessed. A missing mark is never read as tension 0 (DESIGN.md, "Session
record"), so every statistic below looks at assessed cells only and says what it gives when there are none.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from app.domain.records import LAYERS, Quality, Session
from app.domain.region_specs import REGION_SPECS
from app.domain.session_summary import MarkTable
from app.errors import BackmapError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# "effective" is what the plan uses: the therapist's mark where both layers marked a region.
MatrixLayer = Literal["client", "therapist", "effective"]
MATRIX_LAYERS: tuple[MatrixLayer, ...] = ("client", "therapist", "effective")
Change = Literal["better", "worse", "same", "not_assessed"]

REGION_ORDER: tuple[str, ...] = tuple(spec.id for spec in REGION_SPECS)
# (region, layer) -> column, plus len(REGION_ORDER) for the therapist's layer.
_CELL: dict[tuple[str, str], int] = {
    (region, by): index + (len(REGION_ORDER) if by == "therapist" else 0)
    for index, region in enumerate(REGION_ORDER)
    for by in LAYERS
}
_REGION_AND_LAYER = operator.attrgetter("region", "by")
_TENSION = operator.attrgetter("tension")
_MARKS = operator.attrgetter("marks")
HIGH_TENSION = 6.0  # most_persistent's default: a region this tense or more is "still tense"


class AnalyticsError(BackmapError):
    """Input the analytics cannot use (sessions out of order, a missing region area, a bad date range)."""


def _read_only(array: npt.NDArray[np.generic]) -> None:
    # The result dataclasses are frozen; their arrays should be too.
    array.setflags(write=False)


@dataclass(frozen=True, slots=True, eq=False)
class SessionSeries:
    """One number per session, oldest first; NaN where the session gives no information."""

    session_ids: tuple[str, ...]
    dates: tuple[dt.date, ...]
    values: FloatArray

    def __post_init__(self) -> None:
        _read_only(self.values)


@dataclass(frozen=True, slots=True, eq=False)
class TensionMatrix:
    """Tension per session (rows, oldest first) and region (columns); NaN = not assessed."""

    layer: MatrixLayer
    session_ids: tuple[str, ...]
    dates: tuple[dt.date, ...]  # each session's local date, in the offset it was recorded with
    regions: tuple[str, ...]
    values: FloatArray
    # Each session's day number (proleptic ordinal), for slopes over calendar time and date ranges.
    days: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        expected = (len(self.session_ids), len(self.regions))
        if self.values.shape != expected or len(self.dates) != expected[0]:
            raise ValueError(f"values must be sessions x regions {expected}, not {self.values.shape}")
        _read_only(self.values)
        days = np.fromiter((day.toordinal() for day in self.dates), dtype=np.float64, count=len(self.dates))
        if np.any(days[1:] < days[:-1]):
            # Slopes, date ranges and first/last values rely on date order.
            raise AnalyticsError("session dates must be oldest first (a session's date is in its own offset)")
        _read_only(days)
        object.__setattr__(self, "days", days)  # derived once; the dataclass is frozen

    @classmethod
    def from_sessions(cls, sessions: Sequence[Session], layer: MatrixLayer = "effective") -> TensionMatrix:
        for earlier, later in itertools.pairwise(sessions):
            if later.start < earlier.start:
                raise AnalyticsError(
                    f"sessions must be oldest first: {later.id} ({later.start.isoformat()}) comes after "
                    f"{earlier.id} ({earlier.start.isoformat()})"
                )
        return cls(
            layer=layer,
            session_ids=tuple(session.id for session in sessions),
            dates=tuple(session.start.date() for session in sessions),
            regions=REGION_ORDER,
            values=_layer_values(sessions, layer),
        )

    @classmethod
    def from_marks(cls, table: MarkTable, layer: MatrixLayer = "effective") -> TensionMatrix:
        """The same matrix as from_sessions, from a client's marks read as columns (no sessions loaded)."""
        return cls.layers_from_marks(table, (layer,))[layer]

    @classmethod
    def layers_from_marks(cls, table: MarkTable, layers: Iterable[MatrixLayer]) -> dict[MatrixLayer, TensionMatrix]:
        """from_marks for each of `layers`, the marks' columns turned into arrays once for all of them."""
        count = len(table.regions)
        cells = np.fromiter(
            map(_CELL.__getitem__, zip(table.regions, table.layers, strict=True)), dtype=np.intp, count=count
        )
        rows = np.fromiter(table.session_rows, dtype=np.intp, count=count)
        tensions = np.fromiter(table.tensions, dtype=np.float64, count=count)
        return {
            layer: cls(
                layer=layer,
                session_ids=table.session_ids,
                dates=table.dates,
                regions=REGION_ORDER,
                values=_fill(len(table.session_ids), rows, cells, tensions, layer),
            )
            for layer in layers
        }

    @property
    def assessed(self) -> BoolArray:
        return ~np.isnan(self.values)

    def between(self, start: dt.date | None = None, end: dt.date | None = None) -> TensionMatrix:
        """The sessions from `start` to `end`, both inclusive (None = open)."""
        if start is not None and end is not None and start > end:
            raise AnalyticsError(f"date range: the start {start} is after the end {end}")
        if start is None and end is None:
            return self
        # Rows are in date order, so the range is one slice.
        first = 0 if start is None else int(np.searchsorted(self.days, start.toordinal(), side="left"))
        stop = len(self.dates) if end is None else int(np.searchsorted(self.days, end.toordinal(), side="right"))
        return TensionMatrix(
            layer=self.layer,
            session_ids=self.session_ids[first:stop],
            dates=self.dates[first:stop],
            regions=self.regions,
            values=self.values[first:stop],
        )

    def _series(self, values: FloatArray) -> SessionSeries:
        return SessionSeries(self.session_ids, self.dates, values)


def _layer_values(sessions: Sequence[Session], layer: MatrixLayer) -> FloatArray:
    # One pass over the marks with C-level map/attrgetter: the only per-mark Python work in this module.
    marks = [mark for session in sessions for mark in session.marks]
    cells = np.fromiter(map(_CELL.__getitem__, map(_REGION_AND_LAYER, marks)), dtype=np.intp, count=len(marks))
    tensions = np.fromiter(map(_TENSION, marks), dtype=np.float64, count=len(marks))
    marks_per_session = np.fromiter(map(len, map(_MARKS, sessions)), dtype=np.intp, count=len(sessions))
    rows = np.repeat(np.arange(len(sessions)), marks_per_session)
    return _fill(len(sessions), rows, cells, tensions, layer)


def _fill(
    sessions: int, rows: npt.NDArray[np.intp], cells: npt.NDArray[np.intp], tensions: FloatArray, layer: MatrixLayer
) -> FloatArray:
    """The sessions x regions matrix of one layer from the marks' rows, cells (_CELL) and tensions."""
    if layer not in MATRIX_LAYERS:
        raise AnalyticsError(f"layer: must be one of {', '.join(MATRIX_LAYERS)}, not {layer!r}")
    regions = len(REGION_ORDER)
    by_therapist = cells >= regions
    flat = rows * regions + cells % regions  # index into the flattened sessions x regions matrix
    values = np.full(sessions * regions, np.nan, dtype=np.float64)
    # Client first, then therapist over it: for "effective" the therapist's mark wins where both exist.
    wanted = (~by_therapist, by_therapist) if layer == "effective" else (by_therapist == (layer == "therapist"),)
    for chosen in wanted:
        values[flat[chosen]] = tensions[chosen]
    return values.reshape(sessions, regions)


def _sum_count(values: FloatArray, axis: int) -> tuple[FloatArray, IntArray]:
    """Sum and count of the assessed cells along `axis` (no warnings for all-NaN slices)."""
    assessed = ~np.isnan(values)
    total = np.where(assessed, values, 0.0).sum(axis=axis)
    count = assessed.sum(axis=axis).astype(np.int64)
    return total, count


def _divide_or_nan(numerator: FloatArray, denominator: npt.NDArray[np.number]) -> FloatArray:
    result = np.full(np.shape(numerator), np.nan, dtype=np.float64)
    np.divide(numerator, denominator, out=result, where=denominator != 0)
    return result


def back_mean(matrix: TensionMatrix) -> SessionSeries:
    """The mean tension over the regions assessed in each session (unweighted); NaN for a session unmarked."""
    total, count = _sum_count(matrix.values, axis=1)
    return matrix._series(_divide_or_nan(total, count))


@dataclass(frozen=True, slots=True)
class RegionChange:
    """A region's first and last assessed tension in the range; `drop` = first - last (positive = better)."""

    region: str
    first: float
    last: float
    drop: float
    first_date: dt.date
    last_date: dt.date


@dataclass(frozen=True, slots=True)
class PersistentRegion:
    region: str
    high_sessions: int  # sessions with tension >= the `high` threshold
    assessed_sessions: int
    mean: float  # mean tension over the assessed sessions
    first: float
    last: float


def _first_last(matrix: TensionMatrix) -> tuple[IntArray, IntArray, FloatArray, FloatArray, IntArray]:
    """Per region: row of the first and last assessed session, their values, and the assessed count."""
    assessed = matrix.assessed
    count = assessed.sum(axis=0).astype(np.int64)
    rows = len(matrix.session_ids)
    if rows == 0:  # argmax needs at least one row
        zeros = np.zeros(len(matrix.regions), dtype=np.int64)
        nothing = np.full(len(matrix.regions), np.nan, dtype=np.float64)
        return zeros, zeros.copy(), nothing, nothing.copy(), count
    first_row = np.argmax(assessed, axis=0).astype(np.int64)
    last_row = (rows - 1 - np.argmax(assessed[::-1], axis=0)).astype(np.int64)
    columns = np.arange(len(matrix.regions))
    first = np.where(count > 0, matrix.values[first_row, columns], np.nan)
    last = np.where(count > 0, matrix.values[last_row, columns], np.nan)
    return first_row, last_row, first, last, count


def most_improved(matrix: TensionMatrix, count: int = 3) -> tuple[RegionChange, ...]:
    """The regions whose tension dropped most from their first to their last assessed session.

    Only regions assessed at least twice with a drop above 0 qualify; the largest drop comes first, ties in
    region order (REGION_ORDER). At most `count` regions.
    """
    first_row, last_row, first, last, assessed = _first_last(matrix)
    drop = np.where(assessed >= 2, first - last, np.nan)
    qualifies = np.flatnonzero(drop > 0)
    # Stable sort on -drop keeps region order among ties.
    ranked = qualifies[np.argsort(-drop[qualifies], kind="stable")][:count]
    return tuple(
        RegionChange(
            region=matrix.regions[column],
            first=float(first[column]),
            last=float(last[column]),
            drop=float(drop[column]),
            first_date=matrix.dates[first_row[column]],
            last_date=matrix.dates[last_row[column]],
        )
        for column in ranked
    )


def most_persistent(
    matrix: TensionMatrix,
    high: float = HIGH_TENSION,
    min_sessions: int = 2,
    improvement: float = 2.0,
    count: int = 3,
) -> tuple[PersistentRegion, ...]:
    """The regions that stay tense: tension >= `high` in at least `min_sessions` sessions, and no improvement.

    "No improvement": the last assessed tension is less than `improvement` points below the first. A one-point
    wobble on a 0-10 rating is noise; 2 points is the smallest change that matters on an 11-point pain scale
    (Farrar et al., Pain 2001;94:149-158), borrowed here for tension. Ranked by the number of high-tension
    sessions, then by mean tension, then region order. At most `count` regions.
    """
    _, _, first, last, assessed = _first_last(matrix)
    high_sessions = (matrix.values >= high).sum(axis=0)
    total, _ = _sum_count(matrix.values, axis=0)
    mean = _divide_or_nan(total, assessed)
    qualifies = np.flatnonzero((high_sessions >= min_sessions) & (first - last < improvement))
    # lexsort: last key is primary; region index as the final tie-break.
    ranked = qualifies[np.lexsort((qualifies, -mean[qualifies], -high_sessions[qualifies]))][:count]
    return tuple(
        PersistentRegion(
            region=matrix.regions[column],
            high_sessions=int(high_sessions[column]),
            assessed_sessions=int(assessed[column]),
            mean=float(mean[column]),
            first=float(first[column]),
            last=float(last[column]),
        )
        for column in ranked
    )


@dataclass(frozen=True, slots=True, eq=False)
class HeatMap:
    """Mean and peak tension per region over a range of sessions; NaN for regions never assessed in it."""

    regions: tuple[str, ...]
    mean: FloatArray
    peak: FloatArray
    assessed_sessions: IntArray
    session_count: int
    start: dt.date | None  # the range asked for (None = open)
    end: dt.date | None

    def __post_init__(self) -> None:
        for array in (self.mean, self.peak, self.assessed_sessions):
            _read_only(array)


def heat_map(matrix: TensionMatrix, start: dt.date | None = None, end: dt.date | None = None) -> HeatMap:
    """The heat map over all sessions, or those from `start` to `end` (both inclusive)."""
    selected = matrix.between(start, end)
    total, count = _sum_count(selected.values, axis=0)
    peak = np.where(selected.assessed, selected.values, -np.inf).max(axis=0, initial=-np.inf)
    return HeatMap(
        regions=selected.regions,
        mean=_divide_or_nan(total, count),
        peak=np.where(count > 0, peak, np.nan),
        assessed_sessions=count,
        session_count=len(selected.session_ids),
        start=start,
        end=end,
    )


@dataclass(frozen=True, slots=True, eq=False)
class SessionComparison:
    """Two sessions side by side per region: lower tension is better; not assessed if either lacks a mark."""

    before_id: str
    after_id: str
    regions: tuple[str, ...]
    before: FloatArray
    after: FloatArray
    changes: tuple[Change, ...]

    def __post_init__(self) -> None:
        _read_only(self.before)
        _read_only(self.after)

    def change(self, region: str) -> Change:
        return self.changes[self.regions.index(region)]

    def regions_with(self, change: Change) -> tuple[str, ...]:
        pairs = zip(self.regions, self.changes, strict=True)
        return tuple(region for region, found in pairs if found == change)


_CHANGE_NAMES: tuple[Change, ...] = ("not_assessed", "better", "worse", "same")


def compare_sessions(before: Session, after: Session, layer: MatrixLayer = "effective") -> SessionComparison:
    """Compare any two sessions (usually an earlier and a later one) region by region."""
    values = _layer_values((before, after), layer)
    delta = values[1] - values[0]
    code = np.select([np.isnan(delta), delta < 0, delta > 0], [0, 1, 2], default=3)
    return SessionComparison(
        before_id=before.id,
        after_id=after.id,
        regions=REGION_ORDER,
        before=values[0].copy(),
        after=values[1].copy(),
        changes=tuple(_CHANGE_NAMES[index] for index in code),
    )


def qualities_felt(session: Session) -> dict[str, Quality]:
    """What each region felt like in `session`, from either layer (the therapist's where both name one): only the
    client can feel it, so a client's word is kept where the therapist rated the region without one."""
    felt: dict[str, Quality] = {}
    for by in LAYERS:  # client first, then the therapist over it
        felt.update({region: mark.quality for region, mark in session.layer(by).items() if mark.quality is not None})
    return felt


def marks_feeling(sessions: Sequence[Session], quality: Quality) -> list[Session]:
    """The sessions with only their marks that felt like `quality`, the others not assessed: a trend of "numbness in
    the lower back over time" is the TensionMatrix of these."""
    return [
        replace(session, marks=tuple(mark for mark in session.marks if mark.quality == quality)) for session in sessions
    ]
