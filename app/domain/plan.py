"""The plan: the marks, screened and capped, turned into ordered steps the client can read.

Shape and JSON are DESIGN.md's `plan --format json` (a contract; version 2 adds the urgent tier, the client's and
the therapist's words apart, and how soon to see someone). Deterministic: the same marks, intake, minutes,
override, position and date give the same plan. Safety comes from app.domain.safety and app.domain.mark_review:
every level passes through their caps, and each change is listed on the step with the rule that made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.domain.mark_review import CLIENT_HIGH_TENSION_RULE, MarkReview, review_marks
from app.domain.protocol import (
    NO_MASSAGE,
    OUTCOMES,
    PRESSURE_MAX,
    URGENCIES,
    Outcome,
    Protocol,
    Technique,
    Urgency,
    pressure_label,
)
from app.domain.records import Intake, Mark, PressureOverride, effective_marks
from app.domain.region_specs import MAP_VERSION, REGION_IDS, REGION_SPECS, SPECS_BY_ID, RegionSpec
from app.domain.safety import (
    BACK,
    Adjustment,
    MediumChoice,
    Pressure,
    Screening,
    cap_pressure,
    screen,
    techniques_today,
)
from app.errors import BackmapError

PLAN_VERSION = 2  # 1: no "plan_version" key, one "warnings" list for everyone, no urgent tier
SESSION_MINUTES_MAX = 480
WARM_UP_LEVEL = 2  # "gentle, broad strokes"
FINISH_LEVEL = 1  # "gradually reduce the intensity"
STROKING = "effleurage"  # the gentle substitute where nothing else may be done
STROKING_LEVEL = 2  # light
# One area never takes the whole session: time beyond this goes to the whole-back strokes.
STEP_MINUTES_MAX = 10


class PlanError(BackmapError):
    """A plan that cannot be built or read; the message names the field."""


@dataclass(frozen=True, slots=True)
class Step:
    order: int
    region: str  # a region id, or "back" for whole-back steps
    technique: str
    pressure: Pressure
    hold_seconds: tuple[int, int] | None
    repetitions: int | None
    minutes: int
    why: str  # plain words for the client
    source: str
    adjustments: tuple[Adjustment, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    outcome: Outcome
    requires_clearance: bool
    position: str
    medium: MediumChoice
    for_client: tuple[str, ...]  # what changed for the client's safety, in their words
    therapist_notes: tuple[str, ...]  # never shown to the client
    refer: str | None
    refer_urgency: Urgency | None
    steps: tuple[Step, ...]
    aftercare: tuple[str, ...]
    protocol_version: str
    map_version: str

    @property
    def minutes(self) -> int:
        return sum(step.minutes for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_version": PLAN_VERSION,
            "outcome": self.outcome,
            "requires_clearance": self.requires_clearance,
            "position": self.position,
            "medium": {"name": self.medium.name, "why": self.medium.why},
            "for_client": list(self.for_client),
            "therapist_notes": list(self.therapist_notes),
            "refer": self.refer,
            "refer_urgency": self.refer_urgency,
            "steps": [_step_json(step) for step in self.steps],
            "aftercare": list(self.aftercare),
            "protocol_version": self.protocol_version,
            "map_version": self.map_version,
        }


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "order": step.order,
        "region": step.region,
        "technique": step.technique,
        "pressure": {"level": step.pressure.level, "label": step.pressure.label},
        "hold_seconds": list(step.hold_seconds) if step.hold_seconds else None,
        "repetitions": step.repetitions,
        "minutes": step.minutes,
        "why": step.why,
        "source": step.source,
        "adjustments": [
            {"rule": a.rule, "from": a.before, "to": a.after, "reason": a.reason} for a in step.adjustments
        ],
    }


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A regional step before its minutes are known."""

    region: str
    technique: Technique
    tension: int
    level: int
    adjustments: tuple[Adjustment, ...]
    why: str
    source: str
    hold_seconds: tuple[int, int] | None
    rank: tuple[int, int]  # (phase in the session order, region in map order): the step order


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
            position=chosen,
            medium=MediumChoice("none", "No massage today."),
            for_client=tuple(reason.reason for reason in screening.reasons),
            therapist_notes=tuple(dict.fromkeys(notes)),
            refer=screening.refer,
            refer_urgency=screening.urgency,
            steps=(),
            aftercare=(),
            protocol_version=protocol.version,
            map_version=MAP_VERSION,
        )
    review = review_marks(marks, intake, protocol)
    notes.extend(review.therapist_notes)
    candidates = _regional_candidates(marks, screening, review, protocol, override, notes)
    steps = _timed_steps(candidates, minutes, screening, protocol, override, notes)
    aftercare = [item.text for item in protocol.aftercare]
    aftercare.extend(item for item in screening.aftercare if item not in aftercare)
    outcome = max(screening.outcome, review.outcome, key=OUTCOMES.index)
    return Plan(
        outcome=outcome,
        requires_clearance=screening.requires_clearance,
        position=chosen,
        medium=screening.medium,
        for_client=tuple(dict.fromkeys(reason.reason for reason in (*screening.reasons, *review.reasons))),
        therapist_notes=tuple(dict.fromkeys(notes)),
        refer=None,
        refer_urgency=None,
        steps=steps,
        aftercare=tuple(aftercare),
        protocol_version=protocol.version,
        map_version=MAP_VERSION,
    )


def _target_level(default: int, tension: int) -> int:
    """Firmer where tension is higher: around the region's default, before any cap."""
    if tension <= 3:
        offset = -1
    elif tension <= 6:
        offset = 0
    elif tension <= 8:
        offset = 1
    else:
        offset = 2
    return max(1, min(PRESSURE_MAX, default + offset))


def _tension_words(mark: Mark, client_tension: int | None) -> str:
    """How tight the region is, in words that never pass the therapist's number off as the client's feeling."""
    if mark.by == "client":
        return f"which you rated {mark.tension} out of 10"
    if client_tension is not None and client_tension != mark.tension:
        return f"which you rated {client_tension} out of 10 and your therapist found {mark.tension}"
    feel = "a little tight" if mark.tension <= 3 else "tight" if mark.tension <= 6 else "very tight"
    return f"which felt {feel} to your therapist ({mark.tension} out of 10)"


def _regional_candidates(
    marks: Sequence[Mark],
    screening: Screening,
    review: MarkReview,
    protocol: Protocol,
    override: PressureOverride | None,
    notes: list[str],
) -> list[_Candidate]:
    effective = effective_marks(marks)
    client = {mark.region: mark.tension for mark in marks if mark.by == "client"}
    high = protocol.client_high_tension
    phases = {technique: index for index, technique in enumerate(protocol.session.order)}
    left_alone = screening.left_alone()
    candidates: list[_Candidate] = []
    for region_index, spec in enumerate(REGION_SPECS):
        region = protocol.regions[spec.id]
        mark = effective.get(spec.id)
        beside_bone = review.beside_bone.get(spec.id)
        if not region.techniques or spec.id in left_alone:
            continue  # bone (the review notes it) or left alone today (the screening says why)
        if mark is None or mark.tension == 0:
            if beside_bone is not None and screening.allowed_here(spec.id, STROKING):
                stroking = _stroking(spec, beside_bone, 0, (), screening, protocol, override, region_index)
                candidates.extend([stroking] if stroking else [])
            continue
        irritated = spec.id in review.irritated
        kept, left_out = techniques_today(spec.id, screening, protocol)
        if irritated:
            kept = [t for t in kept if t not in high.drop]
        techniques = [
            protocol.techniques[t]
            for t in protocol.session.order
            if t in kept and mark.tension >= protocol.techniques[t].min_tension
        ]
        notes.extend(f"{spec.name}: {caution}" for caution in protocol.cautions_for(spec.id))
        if not techniques:
            if screening.allowed_here(spec.id, STROKING) and STROKING not in screening.dropped(spec.id):
                why = beside_bone or next((a.reason for a in left_out), "")
                left = tuple(left_out)
                stroking = _stroking(spec, why, mark.tension, left, screening, protocol, override, region_index)
                candidates.extend([stroking] if stroking else [])
            else:
                notes.append(f"{spec.name}: nothing today; every technique for it is left out.")
            continue
        for technique in techniques:
            target = min(_target_level(region.default_pressure, mark.tension), technique.max_pressure)
            level, adjustments = cap_pressure(target, spec.id, screening, protocol, override)
            why = f"{technique.plain_name.capitalize()} on {spec.plain}, {_tension_words(mark, client.get(spec.id))}: "
            why += f"{technique.purpose}."
            if irritated and level > high.start_level:
                adjustments += (Adjustment(CLIENT_HIGH_TENSION_RULE, level, high.start_level, _high_reason(spec)),)
                level = high.start_level
            if irritated:
                why += " We check with you first and start gently."
            if beside_bone is not None and review.bone_pain and level > STROKING_LEVEL:
                adjustments += (Adjustment("bone_pain", level, STROKING_LEVEL, beside_bone),)
                level = STROKING_LEVEL
            if level < 1:
                continue
            candidates.append(
                _Candidate(
                    region=spec.id,
                    technique=technique,
                    tension=mark.tension,
                    level=level,
                    adjustments=adjustments,
                    why=why,
                    source=f"{technique.source}; {region.source}",
                    hold_seconds=(region.hold_seconds or technique.hold_seconds) if technique.hold_seconds else None,
                    rank=(phases[technique.id], region_index),
                )
            )
    return candidates


def _high_reason(spec: RegionSpec) -> str:
    return f"You told us {spec.plain} is very sore, so we start gently there."


def _stroking(
    spec: RegionSpec,
    reason: str,
    tension: int,
    left_out: tuple[Adjustment, ...],
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None,
    region_index: int,
) -> _Candidate | None:
    """Light strokes on one region: the gentle substitute where nothing stronger may be done today."""
    technique = protocol.techniques[STROKING]
    target = min(STROKING_LEVEL, technique.max_pressure)
    level, adjustments = cap_pressure(target, spec.id, screening, protocol, override)
    if level < 1:
        return None
    why = f"Light strokes on {spec.plain}, to ease it without pressing. {reason}".strip()
    return _Candidate(
        region=spec.id,
        technique=technique,
        tension=tension,
        level=level,
        adjustments=left_out + adjustments,
        why=why,
        source=f"{technique.source}; {protocol.regions[spec.id].source}",
        hold_seconds=None,
        rank=(-1, region_index),  # before the regional techniques, like the seeds' warm strokes
    )


def _fit_to_time(candidates: list[_Candidate], free: int, notes: list[str]) -> list[_Candidate]:
    """Keeps at most `free` steps (one minute each at least), dropping the least important first."""
    if len(candidates) <= free:
        return candidates
    by_importance = sorted(candidates, key=lambda c: (-c.technique.importance, -c.tension, c.rank))
    kept = by_importance[: max(free, 0)]
    left_out = sorted((c for c in candidates if c not in kept), key=lambda c: c.rank)
    notes.append(
        "Short on time, left out: "
        + "; ".join(f"{c.technique.name} on {SPECS_BY_ID[c.region].plain}" for c in left_out)
        + "."
    )
    return sorted(kept, key=lambda c: c.rank)


def _share(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder; ties to the earlier one)."""
    whole = sum(weights)
    if whole == 0 or total <= 0:
        return [0] * len(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _timed_steps(
    candidates: list[_Candidate],
    minutes: int,
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None,
    notes: list[str],
) -> tuple[Step, ...]:
    warm_up = max(1, min(10, minutes // 10))
    finish = 0 if minutes < 2 else max(1, min(5, minutes // 20))
    if finish == 0:
        notes.append("Short on time, left out: the finishing strokes.")
    kept = _fit_to_time(sorted(candidates, key=lambda c: c.rank), minutes - warm_up - finish, notes)
    spare = minutes - warm_up - finish - len(kept)
    extra = [
        min(share, (c.technique.max_minutes or STEP_MINUTES_MAX) - 1)
        for c, share in zip(kept, _share(spare, [c.technique.weight * c.tension for c in kept]), strict=True)
    ]
    spare -= sum(extra)  # what no regional step takes goes to the relaxing whole-back strokes
    to_finish = spare // 3 if finish else 0
    warm_up += spare - to_finish
    finish += to_finish
    steps: list[Step] = []
    first = _back_step(protocol, screening, override, "warm-up", warm_up, protocol.session.warm_up)
    if first is not None:
        steps.append(first)
    steps.extend(_regional_step(c, 1 + share) for c, share in zip(kept, extra, strict=True))
    last = _back_step(protocol, screening, override, "finish", finish, protocol.session.finish)
    if last is not None and finish > 0:
        steps.append(last)
    return tuple(replace(step, order=order) for order, step in enumerate(steps, start=1))


def _regional_step(candidate: _Candidate, minutes: int) -> Step:
    return Step(
        order=0,
        region=candidate.region,
        technique=candidate.technique.id,
        pressure=Pressure.of(candidate.level),
        hold_seconds=candidate.hold_seconds,
        repetitions=None,
        minutes=minutes,
        why=candidate.why,
        source=candidate.source,
        adjustments=candidate.adjustments,
    )


def _back_step(
    protocol: Protocol,
    screening: Screening,
    override: PressureOverride | None,
    part: str,
    minutes: int,
    technique_id: str,
) -> Step | None:
    """The whole-back warm-up or finish; None when a rule drops its technique."""
    if technique_id in screening.dropped():
        return None
    technique = protocol.techniques[technique_id]
    target = min(WARM_UP_LEVEL if part == "warm-up" else FINISH_LEVEL, technique.max_pressure)
    level, adjustments = cap_pressure(target, BACK, screening, protocol, override)
    around = screening.left_alone()
    if part == "warm-up":
        why = f"{technique.plain_name.capitalize()} over your whole back, {technique.purpose}."
        repetitions = technique.repetitions[1] if technique.repetitions else None
    else:
        why = f"{technique.plain_name.capitalize()} over your whole back, lighter and lighter, to finish."
        repetitions = technique.repetitions[0] if technique.repetitions else None
    if around:
        why += " The strokes go around the places left alone today."
    return Step(
        order=0,
        region=BACK,
        technique=technique.id,
        pressure=Pressure.of(level),
        hold_seconds=None,
        repetitions=repetitions,
        minutes=minutes,
        why=why,
        source=f"{technique.source}; {protocol.session.source}",
        adjustments=adjustments,
    )


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise PlanError(f"{where}{name}: is missing")
    value = data[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise PlanError(f"{where}{name}: has the wrong type ({type(value).__name__})")
    return value


def _level(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= PRESSURE_MAX:
        raise PlanError(f"{where}: must be a whole number from 0 to {PRESSURE_MAX}, not {value!r}")
    return value


def _step_from_json(data: Any, index: int) -> Step:
    where = f"steps[{index}]."
    if not isinstance(data, dict):
        raise PlanError(f"steps[{index}]: must be an object")
    region = _field(data, "region", str, where)
    if region != BACK and region not in REGION_IDS:
        raise PlanError(f"{where}region: unknown region id {region!r}")
    pressure = _field(data, "pressure", dict, where)
    level = _level(pressure.get("level"), f"{where}pressure.level")
    hold = data.get("hold_seconds")
    if hold is not None and not (isinstance(hold, list) and len(hold) == 2 and all(type(v) is int for v in hold)):
        raise PlanError(f"{where}hold_seconds: must be [min, max] or null")
    repetitions = data.get("repetitions")
    if repetitions is not None and type(repetitions) is not int:
        raise PlanError(f"{where}repetitions: must be a whole number or null")
    adjustments = []
    for number, item in enumerate(_field(data, "adjustments", list, where)):
        if not isinstance(item, dict) or not {"rule", "from", "to", "reason"} <= item.keys():
            raise PlanError(f"{where}adjustments[{number}]: needs rule, from, to and reason")
        adjustments.append(Adjustment(str(item["rule"]), item["from"], item["to"], str(item["reason"])))
    return Step(
        order=_field(data, "order", int, where),
        region=region,
        technique=_field(data, "technique", str, where),
        pressure=Pressure(level, pressure_label(level)),
        hold_seconds=(hold[0], hold[1]) if hold is not None else None,
        repetitions=repetitions,
        minutes=_field(data, "minutes", int, where),
        why=_field(data, "why", str, where),
        source=_field(data, "source", str, where),
        adjustments=tuple(adjustments),
    )


def plan_from_json(data: Mapping[str, Any]) -> Plan:
    """A plan read back from its JSON (e.g. the snapshot stored with a session); PlanError names the field.

    A version 1 plan (no "plan_version") had one "warnings" list for everyone; it is read as therapist notes,
    so nothing of unknown voice reaches the client.
    """
    if not isinstance(data, Mapping):
        raise PlanError("plan: must be an object")
    version = data.get("plan_version", 1)
    if version not in (1, PLAN_VERSION) or isinstance(version, bool):
        raise PlanError(f"plan_version: must be 1 or {PLAN_VERSION}, not {version!r}")
    outcome = _field(data, "outcome", str, "")
    if outcome not in OUTCOMES:
        raise PlanError(f"outcome: must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    medium = _field(data, "medium", dict, "")
    refer = data.get("refer")
    if refer is not None and not isinstance(refer, str):
        raise PlanError("refer: must be text or null")
    urgency = data.get("refer_urgency")
    if urgency is not None and urgency not in URGENCIES:
        raise PlanError(f"refer_urgency: must be one of {', '.join(URGENCIES)} or null, not {urgency!r}")
    if version == 1:
        for_client: tuple[str, ...] = ()
        notes = _texts(data, "warnings")
    else:
        for_client, notes = _texts(data, "for_client"), _texts(data, "therapist_notes")
    return Plan(
        outcome=outcome,
        requires_clearance=_field(data, "requires_clearance", bool, ""),
        position=_field(data, "position", str, ""),
        medium=MediumChoice(_field(medium, "name", str, "medium."), _field(medium, "why", str, "medium.")),
        for_client=for_client,
        therapist_notes=notes,
        refer=refer,
        refer_urgency=urgency,
        steps=tuple(_step_from_json(step, index) for index, step in enumerate(_field(data, "steps", list, ""))),
        aftercare=tuple(str(item) for item in _field(data, "aftercare", list, "")),
        protocol_version=_field(data, "protocol_version", str, ""),
        map_version=_field(data, "map_version", str, ""),
    )


def _texts(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = _field(data, name, list, "")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise PlanError(f"{name}[{index}]: must be text")
    return tuple(items)


def _place(spec: RegionSpec) -> str:
    """A region in the client's words, to start a sentence ("The top of your left shoulder")."""
    return spec.plain[0].upper() + spec.plain[1:]
