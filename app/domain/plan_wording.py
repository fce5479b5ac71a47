"""A plan put into the client's words, for the screen and paper.

`wording_for` turns a typed Plan (read by the one reader, app.domain.plan_model.plan_from_json) into every
client-facing string the plan view, the PDF and the client's part of `backmap plan --format text` lay out, so all
say exactly the same thing. It reads only the client's fields: the therapist's notes, the rules behind each
change and the sources are never read, so they cannot be rendered. A `Handout` is everything a printed plan may
show; it has no field for therapist-only text (SOAP notes, region notes, therapist notes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.plain_words import capitalised, joined, long_date
from app.domain.plan_model import Finishing, Plan, Step, plan_from_json
from app.domain.practice import PracticeSettings
from app.domain.protocol import NO_MASSAGE, PRESSURE_LABELS, Outcome, Urgency
from app.domain.region_specs import REGION_SPECS, plain_places
from app.domain.safety import BACK as WHOLE_BACK

# Regions that are never pressed (docs/design.md, "Pressure scale"): never drawn as worked on the map.
NEVER_WORKED: frozenset[str] = frozenset(spec.id for spec in REGION_SPECS if spec.kind in ("no_pressure", "caution"))

# The app's own 0–5 scale (docs/design.md, "Pressure scale": a contract); its words are what the client reads.
PRESSURE_WORDS: dict[int, str] = dict(enumerate(PRESSURE_LABELS))

# Each technique as the seeds describe it, in the client's words, for every id of the knowledge base.
TECHNIQUE_WORDS: dict[str, str] = {
    "effleurage": "Long gliding strokes",
    "petrissage": "Kneading",
    "friction": "Small deep circles",
    "tapotement": "Light tapping",
    "vibration": "Gentle shaking",
    "pressure_point_hold": "Steady presses, held still",
    "stretching": "A gentle stretch",
}
# A finishing touch, after "Then".
FINISHING_WORDS: dict[str, str] = {
    "tapotement": "light tapping",
    "vibration": "gentle shaking",
    "stretching": "a gentle stretch",
}

POSITION_WORDS: dict[str, str] = {
    "prone": "Lying face down",
    "side-lying": "Lying on your side",
    "supine": "Lying on your back",
    "seated": "Sitting, leaning forward onto a support",
}


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
class StepText:
    order: int
    regions: tuple[str, ...]  # region ids, or ("back",) for whole-back steps
    where: str
    technique: str
    pressure_level: int
    pressure: str
    dose: str  # "3 holds of 10–15 seconds on each point · about 3 minutes"
    why: str
    hold: HoldRange | None  # only point holds get a timer
    holds: int | None  # how many on each point
    repetitions: int | None
    minutes: float
    finishing: str  # "Then gentle shaking and a gentle stretch: …", or ""
    turn: str  # lying on the side: which side, before the first step on each side ("Now turn over: …"); else ""
    side: str | None

    @property
    def region(self) -> str:
        return self.regions[0]


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
    clearance_reasons: tuple[str, ...]  # why the doctor is asked, after "because"; () for a plan before version 3
    position: str
    medium: str
    medium_why: str
    for_client: tuple[str, ...]  # what changed for their safety, in their words
    refer: str | None
    refer_urgency: Urgency | None
    steps: tuple[StepText, ...]
    aftercare: tuple[str, ...]
    home_routine: tuple[str, ...]
    map_marks: tuple[MapMark, ...]
    minutes: float  # the timed steps' minutes together

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
    plan: Plan,
    *,
    client_first_name: str,
    date: dt.date,
    shared_note: str,
    practice: PracticeSettings,
) -> Handout:
    """Checks the inputs of a printed or shown plan (the plan read by the one reader, plan_from_json)."""
    if not isinstance(client_first_name, str) or not isinstance(shared_note, str):
        raise TypeError("client_first_name and shared_note must be plain text")
    if not isinstance(date, dt.date) or not isinstance(practice, PracticeSettings):
        raise TypeError("date must be a datetime.date and practice a PracticeSettings")
    return Handout(wording_for(plan), client_first_name.strip(), date, shared_note.strip(), practice)


def clearance_missing(plan: PlanWording, clearance_on_record: bool) -> bool:
    """True when the plan may be shown but must wait for the doctor's clearance before it is given."""
    return plan.outcome not in NO_MASSAGE and plan.requires_clearance and not clearance_on_record


def can_mark_as_given(plan: PlanWording, clearance_on_record: bool) -> bool:
    return plan.outcome not in NO_MASSAGE and not clearance_missing(plan, clearance_on_record)


CLEARANCE_HEADING = "Please check with your doctor first"  # the one place a plan asks for the doctor's go-ahead


def clearance_text(plan: PlanWording, first_name: str) -> str:
    """The one request for the doctor's go-ahead, naming what the client told us; a version 2 plan, which did not
    keep why, says "because of your health"."""
    because = joined(plan.clearance_reasons) if plan.clearance_reasons else "of your health"
    return _addressed(
        first_name,
        f"Because {because}, we need your doctor's go-ahead before this massage. You can take this plan with you "
        "to show them. Once we have their note (who, when, and any limits), your therapist will go ahead with it.",
    )


def postpone_heading(plan: PlanWording) -> str:
    if plan.outcome == "urgent":
        return "Emergency"
    return "Not today: please see someone first"


def postpone_text(first_name: str, outcome: Outcome = "postpone") -> str:
    """What a plan without massage says first, under a title that already says so ("No massage today")."""
    if outcome == "urgent":
        return _addressed(
            first_name,
            "What you told us needs emergency care now, before anything else. Please do as it says below, "
            "straight away. We will be glad to see you again once you have been checked.",
        )
    return _addressed(
        first_name,
        "This is to keep you safe, not because anything you did was wrong. Please follow the advice below "
        "first; we will be glad to see you again once it is safe.",
    )


NOTE_HEADING = "A note from your therapist"  # what the session's shared note is called on the handout
# The last words of every plan: the seeds' own cues, in the client's words.
CLOSING = (
    "Tell your therapist at any moment if anything is too much: they will ease off straight away. "
    "Breathe slowly and deeply, on the table and at home: it helps your muscles relax."
)


@dataclass(frozen=True, slots=True)
class Closing:
    """The handout's last words under a heading that says what they are."""

    heading: str
    lines: tuple[str, ...]


def closing(practice: PracticeSettings) -> Closing:
    """ "Next time" over the practice's suggestion for the next visit and the closing cues; without a suggestion,
    the cues alone are not about next time."""
    when = practice.next_visit.strip()
    if when:
        return Closing("Next time", (f"We suggest your next visit in {when}.", CLOSING))
    return Closing("Remember", (CLOSING,))


def steps_heading(plan: PlanWording) -> str:
    if not plan.minutes:
        return "Step by step"
    return f"Step by step · about {_number(round(plan.minutes))} minutes"


def _addressed(first_name: str, sentence: str) -> str:
    """ "Ana, we are ..." when the name is known, else the sentence as it is."""
    return f"{first_name}, {sentence[0].lower()}{sentence[1:]}" if first_name else sentence


def read_plan(plan: Mapping[str, Any]) -> PlanWording:
    """The plan dict in the client's words; PlanError names the first field that breaks the contract."""
    return wording_for(plan_from_json(plan))


def wording_for(plan: Plan) -> PlanWording:
    steps = []
    sides_seen: list[str] = []
    said = _Said()
    for step in plan.steps:
        turn = ""
        if step.side is not None and step.side not in sides_seen:
            lying = f"lying on your {'right' if step.side == 'left' else 'left'} side"
            turn = f"Now turn over: {lying}." if sides_seen else f"First, {lying}."
            sides_seen.append(step.side)
        steps.append(_step_text(step, turn, said))
    return PlanWording(
        outcome=plan.outcome,
        requires_clearance=plan.requires_clearance,
        clearance_reasons=_clean(plan.clearance_reasons),
        position=POSITION_WORDS.get(plan.position, _humanise(plan.position)),
        medium=_humanise(plan.medium.name),
        medium_why=plan.medium.why.strip(),
        for_client=_clean(plan.for_client),
        refer=plan.refer.strip() if plan.refer else None,
        refer_urgency=plan.refer_urgency,
        steps=tuple(steps),
        aftercare=_clean(plan.aftercare),
        home_routine=_clean(plan.home_routine),
        map_marks=_map_marks(steps),
        minutes=sum(step.minutes for step in steps),
    )


def _clean(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text.strip() for text in texts if text.strip()))


class _Said:
    """The sentences a handout has said so far, so that each reason and each method is read once: the same why
    on the other side of the back, or the same stretch again, is not printed again."""

    def __init__(self) -> None:
        self._sentences: list[tuple[frozenset[str], frozenset[str]]] = []

    def new_sentences(self, text: str) -> str:
        """`text` without the sentences said before (the same, or the same words bar a side or two, with the
        same numbers); what is kept is said from now on."""
        kept = []
        for sentence in SENTENCE_END.split(text.strip()):
            words = _words(sentence)
            numbers = frozenset(word for word in words if word.isdigit())  # a set: `words` has no order
            if not any(_near_same(words, seen) and numbers == seen_numbers for seen, seen_numbers in self._sentences):
                kept.append(sentence)
                self._sentences.append((words, numbers))
        return " ".join(kept)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NEAR_SAME_SHARE = 0.8  # this share of the shorter sentence's words in the longer one: the same thing said again


def _words(sentence: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", sentence.lower()))


def _near_same(words: frozenset[str], other: frozenset[str]) -> bool:
    shorter, longer = sorted((words, other), key=len)
    return bool(shorter) and len(shorter & longer) >= NEAR_SAME_SHARE * len(shorter)


def _step_text(step: Step, turn: str, said: _Said) -> StepText:
    place = plain_place(step.regions)
    if step.side is not None and step.regions == (WHOLE_BACK,):
        place = f"the {step.side} side of your back"
    hold = HoldRange(float(step.hold_seconds[0]), float(step.hold_seconds[1])) if step.hold_seconds else None
    return StepText(
        order=step.order,
        regions=step.regions,
        where=capitalised(place),
        technique=_technique_words(step.technique),
        pressure_level=step.pressure.level,
        pressure=PRESSURE_WORDS[step.pressure.level],
        dose=_dose(hold, step.holds, step.repetitions, step.minutes),
        why=said.new_sentences(step.why),
        hold=hold,
        holds=step.holds,
        repetitions=step.repetitions,
        minutes=float(step.minutes),
        finishing=_finishing_words(step.finishing, said),
        turn=turn,
        side=step.side,
    )


def _finishing_words(touches: Sequence[Finishing], said: _Said) -> str:
    """An area's finishing touches in one sentence ("Then light tapping and a gentle stretch: …"); a method
    already described (the same stretch on the other side) is not described again."""
    if not touches:
        return ""
    words = joined([FINISHING_WORDS.get(t.technique, _humanise(t.technique).lower()) for t in touches])
    how = " ".join(touch.how for touch in touches if touch.how)
    if not how:
        return f"Then {words}."
    new = said.new_sentences(how)
    return f"Then {words}: {new}" if new else f"Then {words}, as before."


def plain_place(regions: Sequence[str]) -> str:
    """Where on the body, in the client's words ("the tops of both shoulders"), as a noun phrase."""
    if tuple(regions) == (WHOLE_BACK,):
        return "your whole back"
    return joined(plain_places(regions))


def _dose(hold: HoldRange | None, holds: int | None, repetitions: int | None, minutes: float) -> str:
    how = []
    if hold is not None:
        count = f"{holds} holds" if holds and holds > 1 else "a hold"
        how.append(f"{count} of {hold.label()} on each point, with slow breaths")
    if repetitions:
        how.append("once" if repetitions == 1 else f"{repetitions} times")
    parts = [", ".join(how)] if how else []
    if minutes:
        parts.append(f"about {_number(minutes)} minute{'' if minutes == 1 else 's'}")
    return " · ".join(parts)  # it follows the technique on one line; a line of its own capitalises it


def _map_marks(steps: Sequence[StepText]) -> tuple[MapMark, ...]:
    by_region: dict[str, list[StepText]] = {}
    for step in steps:
        for region in step.regions:
            if region != WHOLE_BACK and region not in NEVER_WORKED:
                by_region.setdefault(region, []).append(step)
    return tuple(
        MapMark(region, tuple(step.order for step in group), max(step.pressure_level for step in group))
        for region, group in by_region.items()
    )


def _technique_words(technique: str) -> str:
    return TECHNIQUE_WORDS.get(technique, _humanise(technique))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _humanise(name: str) -> str:
    return capitalised(name.replace("_", " ").strip())
