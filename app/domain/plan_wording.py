"""A plan (the `plan --format json` shape of DESIGN.md) put into the client's words, for the screen and paper.

`read_plan` checks the plan dict and returns every client-facing string the plan view, the PDF and the client's
part of `backmap plan --format text` lay out, so all say exactly the same thing. It reads only the client's keys
of the contract: the therapist's notes (and a version 1 plan's "warnings", whose voice is unknown) are never read,
so they cannot be rendered. A `Handout` is everything a printed plan may show; it has no field for
therapist-only text (SOAP notes, region notes, therapist notes), so that text cannot reach the client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.plain_words import long_date
from app.domain.practice import PracticeSettings
from app.domain.protocol import NO_MASSAGE, OUTCOMES, PRESSURE_LABELS, PRESSURE_MAX, URGENCIES, Outcome, Urgency
from app.domain.region_specs import ALIASES, REGION_SPECS, SPECS_BY_ID
from app.domain.safety import BACK as WHOLE_BACK
from app.errors import BackmapError

# Regions that are never pressed (DESIGN.md, "Pressure scale"): never drawn as worked on the map.
NEVER_WORKED: frozenset[str] = frozenset(spec.id for spec in REGION_SPECS if spec.kind in ("no_pressure", "caution"))

# The app's own 0–5 scale (DESIGN.md, "Pressure scale": a contract); its words are what the client reads.
PRESSURE_WORDS: dict[int, str] = dict(enumerate(PRESSURE_LABELS))

# Each technique as the seeds describe it, in the client's words, for every id of the knowledge base.
TECHNIQUE_WORDS: dict[str, str] = {
    "effleurage": "Long, gliding strokes",
    "petrissage": "Kneading: gently lifting and rolling the muscle",
    "friction": "Small, deep circles on a tight spot",
    "tapotement": "Light, rhythmic tapping",
    "vibration": "Gentle shaking with flat hands",
    "pressure_point_hold": "Steady pressure on one point, held still",
    "stretching": "A gentle stretch",
}

# Short names, for "what changed" lines ("Technique: deep circles → gliding strokes").
SHORT_TECHNIQUE_WORDS: dict[str, str] = {
    "effleurage": "gliding strokes",
    "petrissage": "kneading",
    "friction": "deep circles",
    "tapotement": "tapping",
    "vibration": "gentle shaking",
    "pressure_point_hold": "a held point",
    "stretching": "a stretch",
}
NAMED_TECHNIQUES = frozenset({"effleurage", "petrissage", "friction", "tapotement", "vibration"})

POSITION_WORDS: dict[str, str] = {
    "prone": "Lying face down",
    "side-lying": "Lying on your side",
    "supine": "Lying on your back",
    "seated": "Sitting, leaning forward onto a support",
}


class PlanFormatError(BackmapError):
    """A plan dict not in the contract's shape; the message names the field (e.g. steps[2].why)."""


@dataclass(frozen=True, slots=True)
class HoldRange:
    """How long a point is held, in seconds: count to `minimum`, stop by `maximum`."""

    minimum: float
    maximum: float

    def label(self) -> str:
        if self.minimum == self.maximum:
            return f"{_number(self.minimum)} seconds"
        return f"{_number(self.minimum)}–{_number(self.maximum)} seconds"


@dataclass(frozen=True, slots=True)
class SafetyChange:
    """One thing changed for the client's safety: where, what (from -> to) and why."""

    where: str
    what: str
    reason: str


@dataclass(frozen=True, slots=True)
class StepText:
    order: int
    region: str  # region id, or "back" for whole-back steps
    where: str
    technique: str
    pressure_level: int
    pressure: str
    dose: str  # "Hold 10–15 seconds, 3 times · about 2 minutes"
    why: str
    hold: HoldRange | None  # only point holds get a timer
    repetitions: int | None
    minutes: float
    changes: tuple[SafetyChange, ...]


@dataclass(frozen=True, slots=True)
class MapMark:
    """A planned region as the map shows it: tinted by its firmest pressure, badged with its first step.

    Only the first number: the small regions of a printed map have no room for "3,9,11,15", and the step list
    names the place of every step anyway.
    """

    region: str
    orders: tuple[int, ...]
    level: int

    @property
    def badge(self) -> str:
        return str(min(self.orders))


@dataclass(frozen=True, slots=True)
class PlanWording:
    outcome: Outcome
    requires_clearance: bool
    position: str
    medium: str
    medium_why: str
    for_client: tuple[str, ...]  # what changed for their safety, in their words
    refer: str | None
    refer_urgency: Urgency | None
    steps: tuple[StepText, ...]
    aftercare: tuple[str, ...]
    map_marks: tuple[MapMark, ...]
    minutes: float  # the timed steps' minutes together (holds not counted)

    @property
    def safety_changes(self) -> tuple[SafetyChange, ...]:
        return tuple(change for step in self.steps for change in step.changes)

    @property
    def levels_used(self) -> tuple[int, ...]:
        """The pressure levels on the map, for its key."""
        return tuple(sorted({mark.level for mark in self.map_marks}))


@dataclass(frozen=True, slots=True)
class Handout:
    """Everything a client's plan may show; nothing else can reach the screen or the page."""

    plan: PlanWording
    client_first_name: str
    date: dt.date
    shared_note: str
    practice: PracticeSettings

    @property
    def title(self) -> str:
        if self.plan.outcome == "urgent":
            return "Please get help now"
        return "No massage today" if self.plan.outcome == "postpone" else "Your massage plan"

    @property
    def subtitle(self) -> str:
        parts = [f"For {self.client_first_name}" if self.client_first_name else "", long_date(self.date)]
        if self.practice.therapist_name.strip():
            parts.append(f"with {self.practice.therapist_name.strip()}")
        return " · ".join(part for part in parts if part)


def make_handout(
    plan: Mapping[str, Any],
    *,
    client_first_name: str,
    date: dt.date,
    shared_note: str,
    practice: PracticeSettings,
) -> Handout:
    """Checks the inputs of a printed or shown plan; PlanFormatError names a bad plan field."""
    if not isinstance(client_first_name, str) or not isinstance(shared_note, str):
        raise TypeError("client_first_name and shared_note must be plain text")
    if not isinstance(date, dt.date) or not isinstance(practice, PracticeSettings):
        raise TypeError("date must be a datetime.date and practice a PracticeSettings")
    return Handout(read_plan(plan), client_first_name.strip(), date, shared_note.strip(), practice)


def clearance_missing(plan: PlanWording, clearance_on_record: bool) -> bool:
    """True when the plan may be shown but must wait for the doctor's clearance before it is given."""
    return plan.outcome not in NO_MASSAGE and plan.requires_clearance and not clearance_on_record


def can_mark_as_given(plan: PlanWording, clearance_on_record: bool) -> bool:
    return plan.outcome not in NO_MASSAGE and not clearance_missing(plan, clearance_on_record)


def clearance_text(first_name: str) -> str:
    return _addressed(
        first_name,
        "Because of your health, we need your doctor's go-ahead before this massage. You can take this plan "
        "with you to show them. Once we have their note (who, when, and any limits), your therapist will go "
        "ahead with it.",
    )


def postpone_heading(plan: PlanWording) -> str:
    if plan.outcome == "urgent":
        return "Emergency: please get help now"
    return "Not today: please see someone first"


def postpone_text(first_name: str, outcome: Outcome = "postpone") -> str:
    if outcome == "urgent":
        return _addressed(
            first_name,
            "What you told us needs emergency care now, before anything else. Please do what the box below "
            "says straight away. We will be glad to see you again once you have been checked.",
        )
    return _addressed(
        first_name,
        "We are not doing a massage today. This is to keep you safe, not because anything you did was wrong. "
        "Please follow the advice below first; we will be glad to see you again once it is safe.",
    )


def steps_heading(plan: PlanWording) -> str:
    if not plan.minutes:
        return "Step by step"
    return f"Step by step · about {_number(round(plan.minutes))} minutes"


def _addressed(first_name: str, sentence: str) -> str:
    """ "Ana, we are ..." when the name is known, else the sentence as it is."""
    return f"{first_name}, {sentence[0].lower()}{sentence[1:]}" if first_name else sentence


def read_plan(plan: Mapping[str, Any]) -> PlanWording:
    """The plan in the client's words; PlanFormatError names the first field that breaks the contract."""
    if not isinstance(plan, Mapping):
        raise PlanFormatError(f"plan: expected a JSON object, not {type(plan).__name__}")
    outcome = _field(plan, "outcome", str, "plan")
    if outcome not in OUTCOMES:
        raise PlanFormatError(f"outcome: must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    medium = _field(plan, "medium", Mapping, "plan")
    raw_steps = _field(plan, "steps", list, "plan")
    if outcome in NO_MASSAGE and raw_steps:
        raise PlanFormatError("steps: a postponed plan has no steps")
    steps = tuple(sorted((_read_step(raw, f"steps[{i}]") for i, raw in enumerate(raw_steps)), key=_order))
    orders = [step.order for step in steps]
    if len(set(orders)) != len(orders):
        raise PlanFormatError("steps: two steps share an order number")
    refer = plan.get("refer")
    if refer is not None and not isinstance(refer, str):
        raise PlanFormatError("refer: must be text or null")
    if outcome in NO_MASSAGE and not (refer or "").strip():
        raise PlanFormatError("refer: a postponed plan says whom to see")
    urgency = plan.get("refer_urgency")
    if urgency is not None and urgency not in URGENCIES:
        raise PlanFormatError(f"refer_urgency: must be one of {', '.join(URGENCIES)} or null, not {urgency!r}")
    position = _field(plan, "position", str, "plan")
    return PlanWording(
        outcome=outcome,
        requires_clearance=_field(plan, "requires_clearance", bool, "plan"),
        position=POSITION_WORDS.get(position, _humanise(position)),
        medium=_humanise(_field(medium, "name", str, "medium")),
        medium_why=_field(medium, "why", str, "medium").strip(),
        # A version 1 plan had one "warnings" list of unknown voice: none of it is the client's to read.
        for_client=_texts(plan, "for_client") if "plan_version" in plan else (),
        refer=refer.strip() if refer else None,
        refer_urgency=urgency,
        steps=steps,
        aftercare=_texts(plan, "aftercare"),
        map_marks=_map_marks(steps),
        minutes=sum(step.minutes for step in steps),
    )


def _order(step: StepText) -> int:
    return step.order


def _read_step(raw: Any, where: str) -> StepText:
    if not isinstance(raw, Mapping):
        raise PlanFormatError(f"{where}: expected an object")
    order = _field(raw, "order", int, where)
    region = _region(_field(raw, "region", str, where), f"{where}.region")
    technique = _field(raw, "technique", str, where)
    pressure = _field(raw, "pressure", Mapping, where)
    level = _field(pressure, "level", int, f"{where}.pressure")
    if not 0 <= level <= PRESSURE_MAX:
        raise PlanFormatError(f"{where}.pressure.level: must be 0 to {PRESSURE_MAX}, not {level}")
    hold = _hold(raw.get("hold_seconds"), f"{where}.hold_seconds")
    repetitions = raw.get("repetitions")
    if repetitions is not None and (isinstance(repetitions, bool) or not isinstance(repetitions, int)):
        raise PlanFormatError(f"{where}.repetitions: must be a whole number or null")
    minutes = _step_minutes(raw, where)
    place = plain_place(region)
    changes = tuple(
        _change(change, place, f"{where}.adjustments[{i}]")
        for i, change in enumerate(_field(raw, "adjustments", list, where))
    )
    return StepText(
        order=order,
        region=region,
        where=place[0].upper() + place[1:],
        technique=_technique_words(technique),
        pressure_level=level,
        pressure=PRESSURE_WORDS[level],
        dose=_dose(hold, repetitions, minutes),
        why=_field(raw, "why", str, where).strip(),
        hold=hold,
        repetitions=repetitions,
        minutes=minutes,
        changes=changes,
    )


def plain_place(region: str) -> str:
    """Where on the body, in the client's words ("the top of your left shoulder")."""
    return "your whole back" if region == WHOLE_BACK else SPECS_BY_ID[region].plain


def _region(region: str, where: str) -> str:
    if region == WHOLE_BACK:
        return region
    current = ALIASES.get(region, region)
    if current not in SPECS_BY_ID:
        raise PlanFormatError(f"{where}: unknown region id {region!r}")
    return current


def _hold(raw: Any, where: str) -> HoldRange | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, Sequence)
        or isinstance(raw, str)
        or len(raw) != 2
        or not all(_is_number(value) for value in raw)
        or not 0 < raw[0] <= raw[1]
    ):
        raise PlanFormatError(f"{where}: must be [min, max] seconds with 0 < min <= max, or null")
    return HoldRange(float(raw[0]), float(raw[1]))


def _step_minutes(raw: Mapping[str, Any], where: str) -> float:
    minutes = raw.get("minutes")
    if minutes is None:
        return 0.0
    if not _is_number(minutes) or minutes < 0:
        raise PlanFormatError(f"{where}.minutes: must be a number of minutes (0 or more) or null")
    return float(minutes)


def _dose(hold: HoldRange | None, repetitions: int | None, minutes: float) -> str:
    how = []
    if hold is not None:
        how.append(f"hold {hold.label()}")
    if repetitions:
        how.append("once" if repetitions == 1 else f"{repetitions} times")
    parts = [", ".join(how)] if how else []
    if minutes:
        parts.append(f"about {_number(minutes)} minute{'' if minutes == 1 else 's'}")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def _change(raw: Any, place: str, where: str) -> SafetyChange:
    if not isinstance(raw, Mapping):
        raise PlanFormatError(f"{where}: expected an object")
    rule = _field(raw, "rule", str, where)
    before, after = raw.get("from"), raw.get("to")
    kind = _change_kind(rule, before, after)
    return SafetyChange(
        where=place[0].upper() + place[1:],
        what=f"{kind}: {_value_words(kind, before)} → {_value_words(kind, after)}",
        reason=_field(raw, "reason", str, where).strip(),
    )


def _change_kind(rule: str, before: Any, after: Any) -> str:
    """What an adjustment changed, from its values (the rule id is the knowledge base's, not the client's)."""
    values = [value for value in (before, after) if value is not None]
    if values and all(_is_level(value) for value in values) and ("pressure" in rule or "cap" in rule):
        return "Pressure"
    if values and all(_is_hold(value) for value in values):
        return "Hold"
    names = [value for value in values if isinstance(value, str)]
    if names and all(name in TECHNIQUE_WORDS for name in names):
        return "Technique"
    for word, kind in (("position", "Position"), ("medium", "Oil or lotion"), ("hold", "Hold")):
        if word in rule:
            return kind
    return _humanise(rule.split(".")[-1])


def _value_words(kind: str, value: Any) -> str:
    """An adjustment's from/to value as a client reads it (pressure levels as words, holds as seconds)."""
    if value is None:
        return "left out"
    if kind == "Pressure" and _is_level(value):
        return PRESSURE_WORDS[value]
    if _is_hold(value):
        return HoldRange(float(value[0]), float(value[1])).label()
    if isinstance(value, str):
        text = SHORT_TECHNIQUE_WORDS.get(value) or POSITION_WORDS.get(value) or _humanise(value)
        return text[:1].lower() + text[1:]
    return str(value)


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in PRESSURE_WORDS


def _is_hold(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)


def _map_marks(steps: Sequence[StepText]) -> tuple[MapMark, ...]:
    by_region: dict[str, list[StepText]] = {}
    for step in steps:
        if step.region != WHOLE_BACK and step.region not in NEVER_WORKED:
            by_region.setdefault(step.region, []).append(step)
    return tuple(
        MapMark(region, tuple(step.order for step in group), max(step.pressure_level for step in group))
        for region, group in by_region.items()
    )


def _technique_words(technique: str) -> str:
    words = TECHNIQUE_WORDS.get(technique, _humanise(technique))
    # The seeds' technique names follow the plain words, so the client can look them up or ask about them.
    return f"{words} ({technique})" if technique in NAMED_TECHNIQUES else words


def _texts(plan: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = _field(plan, key, list, "plan")
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise PlanFormatError(f"{key}[{i}]: must be text")
    return tuple(value.strip() for value in values if value.strip())


def _field(container: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in container:
        raise PlanFormatError(f"{where}: missing {key!r}")
    value = container[key]
    wrong_bool = kind is int and isinstance(value, bool)
    if wrong_bool or not isinstance(value, kind):
        name = "true/false" if kind is bool else kind.__name__
        raise PlanFormatError(f"{_path(where, key)}: must be {name}, not {value!r}")
    return value


def _path(where: str, key: str) -> str:
    return key if where == "plan" else f"{where}.{key}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _humanise(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
