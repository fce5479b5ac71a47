"""The plan: the marks, screened and capped, turned into ordered steps the client can read.

Shape and JSON are DESIGN.md's `plan --format json` (a contract). Deterministic: the same marks, intake,
minutes, override and date give the same plan. Safety comes from app.domain.safety: every level passes
through its caps, and each change is listed on the step as an adjustment with the rule that made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.domain.protocol import OUTCOMES, PRESSURE_MAX, Outcome, Protocol, Technique, pressure_label
from app.domain.records import Intake, Mark, PressureOverride, effective_marks
from app.domain.region_specs import MAP_VERSION, REGION_IDS, REGION_SPECS, SPECS_BY_ID, RegionSpec
from app.domain.safety import BACK, Adjustment, MediumChoice, Pressure, Screening, cap_pressure, screen
from app.errors import BackmapError

SESSION_MINUTES_MAX = 480
WARM_UP_LEVEL = 2  # "gentle, broad strokes"
FINISH_LEVEL = 1  # "gradually reduce the intensity"
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
    warnings: tuple[str, ...]
    refer: str | None
    steps: tuple[Step, ...]
    aftercare: tuple[str, ...]
    protocol_version: str
    map_version: str

    @property
    def minutes(self) -> int:
        return sum(step.minutes for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "requires_clearance": self.requires_clearance,
            "position": self.position,
            "medium": {"name": self.medium.name, "why": self.medium.why},
            "warnings": list(self.warnings),
            "refer": self.refer,
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
) -> Plan:
    """The plan for these marks (therapist's layer winning), this intake screened on `on`, in `minutes`."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= SESSION_MINUTES_MAX:
        raise PlanError(f"minutes: must be a whole number from 1 to {SESSION_MINUTES_MAX}, not {minutes!r}")
    screening = screen(intake, protocol, on)
    warnings = list(screening.warnings)
    if screening.outcome == "postpone":
        return Plan(
            outcome="postpone",
            requires_clearance=screening.requires_clearance,
            position=screening.position,
            medium=MediumChoice("none", "No massage today."),
            warnings=tuple(warnings),
            refer=screening.refer,
            steps=(),
            aftercare=(),
            protocol_version=protocol.version,
            map_version=MAP_VERSION,
        )
    candidates = _regional_candidates(effective_marks(marks), screening, protocol, override, warnings)
    steps = _timed_steps(candidates, minutes, screening, protocol, override, warnings)
    aftercare = [item.text for item in protocol.aftercare]
    aftercare.extend(item for item in screening.aftercare if item not in aftercare)
    return Plan(
        outcome=screening.outcome,
        requires_clearance=screening.requires_clearance,
        position=screening.position,
        medium=screening.medium,
        warnings=tuple(dict.fromkeys(warnings)),
        refer=None,
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


def _tension_words(mark: Mark) -> str:
    if mark.by == "client":
        return f"which you rated {mark.tension} out of 10"
    feel = "a little tight" if mark.tension <= 3 else "tight" if mark.tension <= 6 else "very tight"
    return f"which felt {feel} ({mark.tension} out of 10)"


def _regional_candidates(
    marks: Mapping[str, Mark],
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None,
    warnings: list[str],
) -> list[_Candidate]:
    dropped = screening.dropped()
    high = protocol.client_high_tension
    phases = {technique: index for index, technique in enumerate(protocol.session.order)}
    candidates: list[_Candidate] = []
    for region_index, spec in enumerate(REGION_SPECS):
        mark = marks.get(spec.id)
        if mark is None or mark.tension == 0:  # not assessed, or nothing to treat
            continue
        region = protocol.regions[spec.id]
        if not region.techniques:
            warnings.append(f"{_place(spec)} ({mark.tension}/10): noted, never pressed. {' '.join(region.cautions)}")
            continue
        if screening.avoided(spec.id) is not None:
            continue  # the screening's warning already says so
        irritated = mark.by == "client" and mark.tension >= high.min_tension
        if irritated:
            warnings.append(f"{_place(spec)}: you rated it {mark.tension}/10, so we check first and start gentle.")
        techniques = [
            protocol.techniques[t]
            for t in protocol.session.order
            if t in region.techniques and t not in dropped and mark.tension >= protocol.techniques[t].min_tension
        ]
        if not techniques:
            left_out = sorted(protocol.techniques[t].name for t in region.techniques if t in dropped)
            warnings.append(f"{_place(spec)}: nothing today ({', '.join(left_out) or 'no technique'} left out).")
            continue
        warnings.extend(f"{_place(spec)}: {caution}" for caution in protocol.cautions_for(spec.id))
        for technique in techniques:
            target = min(_target_level(region.default_pressure, mark.tension), technique.max_pressure)
            level, adjustments = cap_pressure(target, spec.id, screening, protocol, override)
            why = f"{technique.plain_name.capitalize()} on {spec.plain}, {_tension_words(mark)}: "
            why += f"{technique.purpose}."
            if irritated and level > high.start_level:
                adjustments += (Adjustment("client_high_tension", level, high.start_level, high.reason),)
                level = high.start_level
            if irritated:
                why += f" {high.reason}"
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


def _fit_to_time(candidates: list[_Candidate], free: int, warnings: list[str]) -> list[_Candidate]:
    """Keeps at most `free` steps (one minute each at least), dropping the least important first."""
    if len(candidates) <= free:
        return candidates
    by_importance = sorted(candidates, key=lambda c: (-c.technique.importance, -c.tension, c.rank))
    kept = by_importance[: max(free, 0)]
    left_out = sorted((c for c in candidates if c not in kept), key=lambda c: c.rank)
    warnings.append(
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
    warnings: list[str],
) -> tuple[Step, ...]:
    warm_up = max(1, min(10, minutes // 10))
    finish = 0 if minutes < 2 else max(1, min(5, minutes // 20))
    if finish == 0:
        warnings.append("Short on time, left out: the finishing strokes.")
    kept = _fit_to_time(sorted(candidates, key=lambda c: c.rank), minutes - warm_up - finish, warnings)
    spare = minutes - warm_up - finish - len(kept)
    extra = [
        min(share, STEP_MINUTES_MAX - 1) for share in _share(spare, [c.technique.weight * c.tension for c in kept])
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
    around = [SPECS_BY_ID[avoid.region].plain for avoid in screening.avoid]
    if part == "warm-up":
        why = f"{technique.plain_name.capitalize()} over your whole back, {technique.purpose}."
        repetitions = technique.repetitions[1] if technique.repetitions else None
    else:
        why = f"{technique.plain_name.capitalize()} over your whole back, lighter and lighter, to finish."
        repetitions = technique.repetitions[0] if technique.repetitions else None
    if around:
        why += f" The strokes go around {' and '.join(around)}."
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
    """A plan read back from its JSON (e.g. the snapshot stored with a session); PlanError names the field."""
    if not isinstance(data, Mapping):
        raise PlanError("plan: must be an object")
    outcome = _field(data, "outcome", str, "")
    if outcome not in OUTCOMES:
        raise PlanError(f"outcome: must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    medium = _field(data, "medium", dict, "")
    refer = data.get("refer")
    if refer is not None and not isinstance(refer, str):
        raise PlanError("refer: must be text or null")
    return Plan(
        outcome=outcome,
        requires_clearance=_field(data, "requires_clearance", bool, ""),
        position=_field(data, "position", str, ""),
        medium=MediumChoice(_field(medium, "name", str, "medium."), _field(medium, "why", str, "medium.")),
        warnings=tuple(str(item) for item in _field(data, "warnings", list, "")),
        refer=refer,
        steps=tuple(_step_from_json(step, index) for index, step in enumerate(_field(data, "steps", list, ""))),
        aftercare=tuple(str(item) for item in _field(data, "aftercare", list, "")),
        protocol_version=_field(data, "protocol_version", str, ""),
        map_version=_field(data, "map_version", str, ""),
    )


def _place(spec: RegionSpec) -> str:
    """A region in the client's words, to start a sentence ("The top of your left shoulder")."""
    return spec.plain[0].upper() + spec.plain[1:]
