"""The plan of a stored session: the one given to the client if recorded, else built from its marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.domain.plan import Plan, build_plan, plan_from_json
from app.domain.protocol import Protocol
from app.domain.records import Intake, Session


def intake_on(intakes: Sequence[Intake], day: dt.date) -> Intake | None:
    """The screening in force on `day`: the latest one dated on or before it."""
    earlier = [intake for intake in intakes if intake.date <= day]
    return max(earlier, key=lambda intake: intake.date) if earlier else None


def plan_for_session(session: Session, intakes: Sequence[Intake], protocol: Protocol) -> Plan:
    """A session's plan: as given (a finalised record is never re-computed), else from its marks today's way."""
    if session.plan is not None:
        return plan_from_json(session.plan)
    day = session.start.date()
    return build_plan(
        session.marks,
        intake_on(intakes, day),
        session.minutes,
        protocol,
        override=session.override,
        on=day,
        position=session.position,
    )
