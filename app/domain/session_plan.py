"""The plan of a stored session: the one given to the client if recorded, else built from its marks; and the
handout every place shows for it (Plan mode, its PDF and printout, `backmap plan`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.plan import Plan, build_plan, plan_from_json
from app.domain.plan_wording import Handout, make_handout
from app.domain.practice import PracticeSettings
from app.domain.protocol import Protocol
from app.domain.records import Client, Intake, Session


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


@dataclass(frozen=True, slots=True)
class SessionHandout:
    """A session's plan as every place shows it: typed (to store as given, to print as JSON, to decide on a
    letter), in the client's words, and whether the doctor's clearance counts as on record for it."""

    plan: Plan
    handout: Handout
    clearance_on_record: bool


def handout_for(
    client: Client, session: Session, intakes: Sequence[Intake], protocol: Protocol, *, practice: PracticeSettings
) -> SessionHandout:
    """The one way from a stored session to what its client is shown; PlanError names a bad stored plan."""
    plan = plan_for_session(session, intakes, protocol)
    day = session.start.date()
    intake = intake_on(intakes, day)
    # A plan stored as given was given with the clearance on record (it cannot be given without): shown as
    # given, it never also says the clearance is still needed.
    on_record = session.plan is not None or (
        intake is not None and intake.clearance is not None and intake.clearance.valid_on(day)
    )
    handout = make_handout(
        plan,
        client_first_name=client.name.split()[0],
        date=day,
        shared_note=session.shared_note,
        practice=practice,
    )
    return SessionHandout(plan, handout, on_record)
