"""What History shows of a client's past without loading it whole: one line per session for the timeline, and
every mark as columns for trends, the heat map and comparisons. Computed without Qt or numpy.

The repository reads these straight from its tables (columns only, no plans or strokes), so History costs the
same whatever the sessions hold: a line's own columns for every session, and what its marks add up to (a tally)
only for the lines on screen. `line_of`, `tally_of` and `MarkTable.from_sessions` say what they must equal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from app.domain.records import Quality, Session


class SessionLine(NamedTuple):
    """A session's timeline line from its own columns: cheap to read for every session of ten years (a named tuple:
    a thousand made in a fraction of a frozen dataclass's time)."""

    session_id: str
    start: dt.datetime
    pain_before: int | None
    pain_after: int | None
    shared_note: str
    finalised: bool
    amendments: int

    @property
    def pain_text(self) -> str:
        def show(value: int | None) -> str:
            return "—" if value is None else str(value)

        return f"{show(self.pain_before)} → {show(self.pain_after)}"


@dataclass(frozen=True, slots=True)
class MarksTally:
    """What a session's marks add up to on its line: the regions marked and the highest effective tension."""

    regions_marked: int
    highest: int | None  # None: nothing assessed


NOTHING_MARKED = MarksTally(0, None)


def line_of(session: Session) -> SessionLine:
    return SessionLine(
        session_id=session.id,
        start=session.start,
        pain_before=session.soap.pain_before,
        pain_after=session.soap.pain_after,
        shared_note=session.shared_note,
        finalised=session.is_final,
        amendments=len(session.amendments),
    )


def tally_of(session: Session) -> MarksTally:
    tension = session.effective_tension()
    return MarksTally(len(tension), max(tension.values())) if tension else NOTHING_MARKED


@dataclass(frozen=True, slots=True)
class MarkTable:
    """Every mark of a client's sessions as columns; sessions oldest first (by time, then id).

    `dates` is each session's local date in the offset it was recorded with; the mark columns are parallel,
    `session_rows` giving each mark's session as a row number in `session_ids`.
    """

    session_ids: tuple[str, ...]
    dates: tuple[dt.date, ...]
    session_rows: tuple[int, ...]
    regions: tuple[str, ...]
    layers: tuple[str, ...]
    tensions: tuple[int, ...]
    qualities: tuple[Quality | None, ...]  # what each mark felt like (None: plain tension)

    @classmethod
    def from_sessions(cls, sessions: Sequence[Session]) -> MarkTable:
        ordered = sorted(sessions, key=lambda session: (session.start, session.id))
        marks = [(row, mark) for row, session in enumerate(ordered) for mark in session.marks]
        return cls(
            session_ids=tuple(session.id for session in ordered),
            dates=tuple(session.start.date() for session in ordered),
            session_rows=tuple(row for row, _ in marks),
            regions=tuple(mark.region for _, mark in marks),
            layers=tuple(mark.by for _, mark in marks),
            tensions=tuple(mark.tension for _, mark in marks),
            qualities=tuple(mark.quality for _, mark in marks),
        )

    def feeling(self, quality: Quality) -> MarkTable:
        """The same sessions with only the marks that felt like `quality`: a trend of "numbness in the lower back
        over time" is the TensionMatrix of these (as analytics.marks_feeling for whole sessions)."""
        kept = [index for index, felt in enumerate(self.qualities) if felt == quality]
        return MarkTable(
            session_ids=self.session_ids,
            dates=self.dates,
            session_rows=tuple(self.session_rows[index] for index in kept),
            regions=tuple(self.regions[index] for index in kept),
            layers=tuple(self.layers[index] for index in kept),
            tensions=tuple(self.tensions[index] for index in kept),
            qualities=(quality,) * len(kept),
        )
