"""One line of a client's session timeline (History mode), computed without Qt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.records import Session


@dataclass(frozen=True, slots=True)
class SessionSummary:
    session_id: str
    start: dt.datetime
    regions_marked: int
    highest: int | None  # None: nothing assessed
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


def summarise(session: Session) -> SessionSummary:
    tension = session.effective_tension()
    return SessionSummary(
        session_id=session.id,
        start=session.start,
        regions_marked=len(tension),
        highest=max(tension.values()) if tension else None,
        pain_before=session.soap.pain_before,
        pain_after=session.soap.pain_after,
        shared_note=session.shared_note,
        finalised=session.is_final,
        amendments=len(session.amendments),
    )
