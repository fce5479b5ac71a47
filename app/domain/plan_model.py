"""The plan as data: its steps, and its JSON (docs/design.md, `plan --format json`: a contract), written and read.

This is the one reader of a stored plan: Plan mode, the PDF, History and `backmap plan` all take a plan through
`plan_from_json`, with the strictest rules, so a plan that shows in one place shows in all of them. Version 1
plans (before `plan_version`) still read: one "warnings" list whose voice nobody can tell (read as therapist
notes), one region per step, no urgent tier. Version 2 plans (before `clearance_reasons`) read with none: their
clearance is asked for without naming why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.allergies import MediumChoice
from app.domain.protocol import NO_MASSAGE, OUTCOMES, PRESSURE_MAX, URGENCIES, Outcome, Urgency, pressure_label
from app.domain.region_specs import ALIASES, REGION_IDS
from app.domain.safety import BACK, Adjustment, Pressure
from app.errors import BackmapError

PLAN_VERSION = 3
SIDES = ("left", "right")


class PlanError(BackmapError):
    """A plan that cannot be built or read; the message names the field (e.g. steps[2].why)."""


@dataclass(frozen=True, slots=True)
class Finishing:
    """A finishing touch of an area's step: tapping, shaking or a stretch, with how it is done."""

    technique: str
    pressure: Pressure
    regions: tuple[str, ...]
    how: str  # for the client: a stretch's position and method; "" for the others


@dataclass(frozen=True, slots=True)
class Step:
    order: int
    regions: tuple[str, ...]  # region ids in map order, or ("back",) for whole-back steps
    technique: str
    pressure: Pressure
    hold_seconds: tuple[int, int] | None
    holds: int | None  # how many holds on each point
    repetitions: int | None
    minutes: int
    why: str  # plain words for the client
    source: str
    adjustments: tuple[Adjustment, ...]
    side: str | None = None  # lying on one's side: the side worked ("left"/"right"); else None
    finishing: tuple[Finishing, ...] = ()

    @property
    def region(self) -> str:
        """The step's first region (what a version 1 step had alone)."""
        return self.regions[0]


@dataclass(frozen=True, slots=True)
class Plan:
    outcome: Outcome
    requires_clearance: bool
    clearance_reasons: tuple[str, ...]  # why the doctor is asked, in the client's words; () before version 3
    position: str
    medium: MediumChoice
    for_client: tuple[str, ...]  # what changed for the client's safety, in their words
    therapist_notes: tuple[str, ...]  # never shown to the client
    refer: str | None
    refer_urgency: Urgency | None
    steps: tuple[Step, ...]
    aftercare: tuple[str, ...]
    home_routine: tuple[str, ...]  # for the client, to do at home
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
            "clearance_reasons": list(self.clearance_reasons),
            "position": self.position,
            "medium": {"name": self.medium.name, "why": self.medium.why},
            "for_client": list(self.for_client),
            "therapist_notes": list(self.therapist_notes),
            "refer": self.refer,
            "refer_urgency": self.refer_urgency,
            "steps": [_step_json(step) for step in self.steps],
            "aftercare": list(self.aftercare),
            "home_routine": list(self.home_routine),
            "protocol_version": self.protocol_version,
            "map_version": self.map_version,
        }


def _pressure_json(pressure: Pressure) -> dict[str, Any]:
    return {"level": pressure.level, "label": pressure.label}


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "order": step.order,
        "regions": list(step.regions),
        "side": step.side,
        "technique": step.technique,
        "pressure": _pressure_json(step.pressure),
        "hold_seconds": list(step.hold_seconds) if step.hold_seconds else None,
        "holds": step.holds,
        "repetitions": step.repetitions,
        "minutes": step.minutes,
        "why": step.why,
        "finishing": [
            {
                "technique": touch.technique,
                "pressure": _pressure_json(touch.pressure),
                "regions": list(touch.regions),
                "how": touch.how,
            }
            for touch in step.finishing
        ],
        "source": step.source,
        "adjustments": [
            {"rule": a.rule, "from": a.before, "to": a.after, "reason": a.reason} for a in step.adjustments
        ],
    }


# Reading ------------------------------------------------------------------------------------------------------


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, Mapping):
        raise PlanError(f"{where.rstrip('.') or 'plan'}: must be an object")
    if name not in data:
        raise PlanError(f"{where}{name}: is missing")
    value = data[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
        raise PlanError(f"{where}{name}: has the wrong type ({type(value).__name__})")
    return value


def _optional_int(data: Mapping[str, Any], name: str, where: str, low: int = 0) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if type(value) is not int or value < low:
        raise PlanError(f"{where}{name}: must be a whole number from {low} up, or null")
    return value


def _pressure(data: Mapping[str, Any], where: str) -> Pressure:
    pressure = _field(data, "pressure", Mapping, where)
    level = pressure.get("level")
    if type(level) is not int or not 0 <= level <= PRESSURE_MAX:
        raise PlanError(f"{where}pressure.level: must be a whole number from 0 to {PRESSURE_MAX}, not {level!r}")
    return Pressure(level, pressure_label(level))


def _region(region: Any, where: str) -> str:
    if not isinstance(region, str):
        raise PlanError(f"{where}: must be a region id")
    if region == BACK:
        return region
    current = ALIASES.get(region, region)
    if current not in REGION_IDS:
        raise PlanError(f"{where}: unknown region id {region!r}")
    return current


def _regions(data: Mapping[str, Any], where: str) -> tuple[str, ...]:
    if "regions" not in data:  # version 1: one region a step
        return (_region(_field(data, "region", str, where), f"{where}region"),)
    raw = _field(data, "regions", list, where)
    if not raw:
        raise PlanError(f"{where}regions: a step works at least one region")
    regions = tuple(_region(region, f"{where}regions[{i}]") for i, region in enumerate(raw))
    if BACK in regions and len(regions) > 1:
        raise PlanError(f"{where}regions: the whole back is a step of its own")
    return regions


def _hold(data: Mapping[str, Any], where: str) -> tuple[int, int] | None:
    hold = data.get("hold_seconds")
    if hold is None:
        return None
    if not (isinstance(hold, list) and len(hold) == 2 and all(type(v) is int for v in hold) and 0 < hold[0] <= hold[1]):
        raise PlanError(f"{where}hold_seconds: must be [min, max] seconds with 0 < min <= max, or null")
    return (hold[0], hold[1])


def _finishing(data: Mapping[str, Any], where: str) -> tuple[Finishing, ...]:
    touches = []
    for index, raw in enumerate(_field(data, "finishing", list, where) if "finishing" in data else []):
        at = f"{where}finishing[{index}]."
        touches.append(
            Finishing(
                technique=_field(raw, "technique", str, at),
                pressure=_pressure(raw, at),
                regions=_regions(raw, at),
                how=_field(raw, "how", str, at),
            )
        )
    return tuple(touches)


def _step_from_json(data: Any, index: int) -> Step:
    where = f"steps[{index}]."
    if not isinstance(data, Mapping):
        raise PlanError(f"steps[{index}]: must be an object")
    adjustments = []
    for number, item in enumerate(_field(data, "adjustments", list, where)):
        if not isinstance(item, Mapping) or not {"rule", "from", "to", "reason"} <= item.keys():
            raise PlanError(f"{where}adjustments[{number}]: needs rule, from, to and reason")
        adjustments.append(Adjustment(str(item["rule"]), item["from"], item["to"], str(item["reason"])))
    side = data.get("side")
    if side is not None and side not in SIDES:
        raise PlanError(f"{where}side: must be left, right or null, not {side!r}")
    minutes = _field(data, "minutes", int, where)
    if minutes < 0:
        raise PlanError(f"{where}minutes: must be 0 or more")
    return Step(
        order=_field(data, "order", int, where),
        regions=_regions(data, where),
        technique=_field(data, "technique", str, where),
        pressure=_pressure(data, where),
        hold_seconds=_hold(data, where),
        holds=_optional_int(data, "holds", where, low=1),
        repetitions=_optional_int(data, "repetitions", where, low=1),
        minutes=minutes,
        why=_field(data, "why", str, where),
        source=_field(data, "source", str, where),
        adjustments=tuple(adjustments),
        side=side,
        finishing=_finishing(data, where),
    )


def _texts(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = _field(data, name, list, "")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise PlanError(f"{name}[{index}]: must be text")
    return tuple(items)


def plan_from_json(data: Any) -> Plan:
    """A plan read back from its JSON (e.g. the snapshot stored with a session); PlanError names the field."""
    if not isinstance(data, Mapping):
        raise PlanError(f"plan: must be a JSON object, not {type(data).__name__}")
    version = data.get("plan_version", 1)
    if type(version) is not int or not 1 <= version <= PLAN_VERSION:
        raise PlanError(f"plan_version: must be a whole number from 1 to {PLAN_VERSION}, not {version!r}")
    requires_clearance = _field(data, "requires_clearance", bool, "")
    clearance_reasons = _texts(data, "clearance_reasons") if version >= 3 else ()
    if version >= 3 and requires_clearance != bool(clearance_reasons):
        raise PlanError("clearance_reasons: a plan that requires a clearance says why, and only such a plan")
    outcome = _field(data, "outcome", str, "")
    if outcome not in OUTCOMES:
        raise PlanError(f"outcome: must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    medium = _field(data, "medium", Mapping, "")
    refer = data.get("refer")
    if refer is not None and not isinstance(refer, str):
        raise PlanError("refer: must be text or null")
    if outcome in NO_MASSAGE and not (refer or "").strip():
        raise PlanError("refer: a postponed plan says whom to see")
    urgency = data.get("refer_urgency")
    if urgency is not None and urgency not in URGENCIES:
        raise PlanError(f"refer_urgency: must be one of {', '.join(URGENCIES)} or null, not {urgency!r}")
    steps = tuple(_step_from_json(step, index) for index, step in enumerate(_field(data, "steps", list, "")))
    if outcome in NO_MASSAGE and steps:
        raise PlanError("steps: a postponed plan has no steps")
    orders = [step.order for step in steps]
    if len(set(orders)) != len(orders):
        raise PlanError("steps: two steps share an order number")
    if version == 1:
        for_client: tuple[str, ...] = ()
        notes = _texts(data, "warnings")
        home: tuple[str, ...] = ()
    else:
        for_client, notes = _texts(data, "for_client"), _texts(data, "therapist_notes")
        home = _texts(data, "home_routine")
    return Plan(
        outcome=outcome,
        requires_clearance=requires_clearance,
        clearance_reasons=clearance_reasons,
        position=_field(data, "position", str, ""),
        medium=MediumChoice(_field(medium, "name", str, "medium."), _field(medium, "why", str, "medium.")),
        for_client=for_client,
        therapist_notes=notes,
        refer=refer,
        refer_urgency=urgency,
        steps=tuple(sorted(steps, key=lambda step: step.order)),
        aftercare=_texts(data, "aftercare"),
        home_routine=home,
        protocol_version=_field(data, "protocol_version", str, ""),
        map_version=_field(data, "map_version", str, ""),
    )
