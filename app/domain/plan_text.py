"""A plan in plain words for the terminal (`backmap plan --format text`): the client's part, then the therapist's.

The client's part is laid out from `wording_for`, the same wording as the screen and the PDF, so it says what they
say and cannot hold a therapist's note; the therapist's part adds the notes, the rules behind each change and
the sources.
"""

from __future__ import annotations

from app.domain.plain_words import capitalised
from app.domain.plan import Plan
from app.domain.plan_wording import (
    CLOSING,
    PlanWording,
    clearance_missing,
    clearance_text,
    postpone_text,
    wording_for,
)

THERAPIST_HEADING = "For the therapist only (not for the client)"

_OUTCOME_WORDS = {
    "proceed": "Go ahead as planned.",
    "modify": "Go ahead, with changes for your safety (see below).",
    "postpone": "No massage today.",
    "urgent": "No massage today: please get emergency help now.",
}


def _client_part(plan: PlanWording, clearance_on_record: bool) -> list[str]:
    lines = ["Your massage plan", "", _OUTCOME_WORDS[plan.outcome]]
    if plan.refer:
        lines += ["", postpone_text("", plan.outcome), plan.refer]
    if clearance_missing(plan, clearance_on_record):
        lines += ["", clearance_text(plan, "")]
    if plan.steps:
        lines += ["", f"Steps (about {round(plan.minutes)} minutes):"]
        for step in plan.steps:
            if step.turn:
                lines.append(f"    {step.turn}")
            lines.append(f"{step.order:>2}. {step.where}: {step.technique}")
            lines.append(f"    {step.pressure.capitalize()} pressure. {capitalised(step.dose)}")
            lines.append(f"    Why: {step.why}")
            if step.finishing:
                lines.append(f"    {step.finishing}")
    if plan.for_client:
        lines += ["", "What we changed for your safety:"]
        lines.extend(f" - {reason}" for reason in plan.for_client)
    if plan.steps:
        lines += ["", f"Position: {plan.position}", f"Oil or lotion: {plan.medium}. {plan.medium_why}"]
    for title, items in (("After your massage:", plan.aftercare), ("Your home routine:", plan.home_routine)):
        if items:
            lines += ["", title]
            lines.extend(f" - {item}" for item in items)
    if plan.steps:
        lines += ["", CLOSING]
    return lines


def _therapist_part(plan: Plan) -> list[str]:
    lines = [THERAPIST_HEADING]
    if plan.therapist_notes:
        lines += ["", "Notes:"]
        lines.extend(f" - {note}" for note in plan.therapist_notes)
    for step in plan.steps:
        lines.append(f"Step {step.order} ({', '.join(step.regions)}, {step.technique}, level {step.pressure.level}):")
        for change in step.adjustments:
            after = "left out" if change.after is None else change.after
            lines.append(f"    {change.rule}: {change.before} -> {after}")
        lines.append(f"    Source: {step.source}")
    lines += ["", f"Protocol version {plan.protocol_version}, map version {plan.map_version}."]
    return lines


def render_plan_text(plan: Plan, *, clearance_on_record: bool) -> str:
    client = _client_part(wording_for(plan), clearance_on_record)
    return "\n".join([*client, "", "-" * 60, *_therapist_part(plan)]) + "\n"
