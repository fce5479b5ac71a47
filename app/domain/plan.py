"""The plan: the marks, screened and capped, turned into ordered steps the client can read.

Shape and JSON are DESIGN.md's `plan --format json` (a contract; version 2 adds the urgent tier, the client's and
the therapist's words apart, and how soon to see someone; version 3 why a doctor is asked). Deterministic: the
same marks, intake, minutes, override, position and date give the same plan. Safety comes from app.domain.safety
and app.domain.mark_review: every level passes through their caps, and each change is listed on the step with the
rule that made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from app.domain.allergies import MediumChoice
from app.domain.home_routine import home_routine
from app.domain.mark_review import review_marks
from app.domain.plan_dose import region_doses
from app.domain.plan_model import Plan, PlanError, plan_from_json
from app.domain.plan_shape import shape_steps
from app.domain.protocol import NO_MASSAGE, OUTCOMES, Protocol
from app.domain.records import Intake, Mark, PressureOverride
from app.domain.region_specs import MAP_VERSION
from app.domain.safety import screen

__all__ = ["Plan", "PlanError", "build_plan", "plan_from_json"]  # the plan's one door for its callers

SESSION_MINUTES_MAX = 480


def build_plan(
    marks: Iterable[Mark],
    intake: Intake | None,
    minutes: int,
    protocol: Protocol,
    *,
    override: PressureOverride | None = None,
    on: dt.date,
    position: str | None = None,
) -> Plan:
    """The plan for these marks (therapist's layer winning for the dose, the client's 8-10 always heard), this
    intake screened on `on`, in `minutes`, in the session's recorded `position` unless a flag forces another."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= SESSION_MINUTES_MAX:
        raise PlanError(f"minutes: must be a whole number from 1 to {SESSION_MINUTES_MAX}, not {minutes!r}")
    marks = tuple(marks)
    screening = screen(intake, protocol, on)
    recorded = position or protocol.session.default_position
    chosen = screening.position_for(recorded)
    notes = list(screening.therapist_notes)
    if chosen != recorded:
        notes.append(f"Position: {chosen}, not {recorded} as recorded (a screening flag asks for it).")
    if screening.outcome in NO_MASSAGE:
        return Plan(
            outcome=screening.outcome,
            requires_clearance=screening.requires_clearance,
            clearance_reasons=screening.clearance_reasons,
            position=chosen,
            medium=MediumChoice("none", "No massage today."),
            for_client=tuple(reason.reason for reason in screening.reasons),
            therapist_notes=tuple(dict.fromkeys(notes)),
            refer=screening.refer,
            refer_urgency=screening.urgency,
            steps=(),
            aftercare=(),
            home_routine=(),
            protocol_version=protocol.version,
            map_version=MAP_VERSION,
        )
    review = review_marks(marks, intake, protocol, screening.left_alone())
    notes.extend(review.therapist_notes)
    doses = region_doses(marks, screening, review, protocol, override, notes)
    steps = shape_steps(doses, minutes, chosen, screening, protocol, override, notes)
    aftercare = [item.text for item in protocol.aftercare]
    aftercare.extend(item for item in screening.aftercare if item not in aftercare)
    outcome = max(screening.outcome, review.outcome, key=OUTCOMES.index)
    # A flag that only asks for the doctor's go-ahead changed nothing else: the clearance box names it instead.
    changes = [reason for reason in screening.reasons if not protocol.flags[reason.rule].only_asks_for_clearance]
    return Plan(
        outcome=outcome,
        requires_clearance=screening.requires_clearance,
        clearance_reasons=screening.clearance_reasons,
        position=chosen,
        medium=screening.medium,
        for_client=tuple(dict.fromkeys(reason.reason for reason in (*changes, *review.reasons))),
        therapist_notes=tuple(dict.fromkeys(notes)),
        refer=None,
        refer_urgency=None,
        steps=steps,
        aftercare=tuple(aftercare),
        home_routine=home_routine(intake, screening, protocol),
        protocol_version=protocol.version,
        map_version=MAP_VERSION,
    )
