"""A plan in plain words for the terminal (`backmap plan --format text`)."""

from __future__ import annotations

from app.domain.plan import Plan, Step
from app.domain.protocol import PRESSURE_MAX
from app.domain.region_specs import SPECS_BY_ID
from app.domain.safety import BACK

_OUTCOME_WORDS = {
    "proceed": "Go ahead as planned.",
    "modify": "Go ahead, with changes for your safety (see below).",
    "postpone": "No massage today.",
}


def _where(region: str) -> str:
    if region == BACK:
        return "Your whole back"
    plain = SPECS_BY_ID[region].plain
    return plain[0].upper() + plain[1:]


def _step_lines(step: Step) -> list[str]:
    how = [f"{step.pressure.label} pressure ({step.pressure.level} of {PRESSURE_MAX})"]
    if step.hold_seconds is not None:
        low, high = step.hold_seconds
        how.append(f"hold {low}-{high} seconds")
    if step.repetitions is not None:
        how.append(f"{step.repetitions} times")
    how.append(f"{step.minutes} min")
    lines = [
        f"{step.order:>2}. {_where(step.region)}: {step.technique.replace('_', ' ')}",
        f"    {', '.join(how)}",
        f"    Why: {step.why}",
    ]
    for change in step.adjustments:
        after = "left out" if change.after is None else change.after
        lines.append(f"    Changed by {change.rule}: {change.before} -> {after} ({change.reason})")
    lines.append(f"    Source: {step.source}")
    return lines


def render_plan_text(plan: Plan) -> str:
    lines = ["Your massage plan", "", _OUTCOME_WORDS[plan.outcome]]
    if plan.refer:
        lines.append(plan.refer)
    if plan.requires_clearance:
        lines.append("A clearance from your doctor is needed before this plan is given.")
    if plan.outcome != "postpone":
        lines += [f"Position: {plan.position}", f"Oil or lotion: {plan.medium.name} ({plan.medium.why})"]
        lines += ["", f"Steps ({plan.minutes} minutes):"]
        for step in plan.steps:
            lines.extend(_step_lines(step))
    if plan.warnings:
        lines += ["", "Notes for the therapist:"]
        lines.extend(f" - {warning}" for warning in plan.warnings)
    if plan.aftercare:
        lines += ["", "Afterwards:"]
        lines.extend(f" - {item}" for item in plan.aftercare)
    lines += ["", f"Protocol version {plan.protocol_version}, map version {plan.map_version}."]
    return "\n".join(lines) + "\n"
