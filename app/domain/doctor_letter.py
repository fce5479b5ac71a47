"""The letter for the client's doctor (GP, midwife, oncology team): what it says, built from the records.

A letter is written when a plan needs a clearance that is not on record, or when massage was postponed or the
client sent for emergency care. It tells the clinician what the client reported, what we told the client, what
massage is proposed (areas, techniques, the pressure ceiling, what is left out) and asks one question, with
reply lines that match the clearance record (`records.Clearance`: by, date, limits, expires).

`DoctorLetter` has no field for the SOAP notes, the therapist's notes or the intake's free text, and nothing here
reads them: they are the therapist's (DESIGN.md, "Safety": two voices), so they cannot reach the letter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.plain_words import capitalised, joined, long_date
from app.domain.plan import Plan
from app.domain.practice import PracticeSettings
from app.domain.protocol import FLAG_IDS, NO_MASSAGE, PRESSURE_LABELS, PRESSURE_MAX, Outcome, Protocol, Urgency
from app.domain.records import Clearance, Client, FlagEntry, Intake, Session
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID, RegionSpec
from app.domain.safety import BACK, Pressure, Screening, screen
from app.domain.session_plan import intake_on, plan_for_session

# Each screening flag as a clinician would read it (the intake form's labels are written for the therapist).
FLAG_CLINICAL_WORDS: dict[str, str] = {
    "blood_thinners": "Takes blood thinners (anticoagulant or antiplatelet medicine)",
    "bleeding_disorder": "A bleeding disorder",
    "dvt_history": "A past deep vein thrombosis, treated",
    "dvt_current": "A swollen, painful or warm leg now (a deep vein thrombosis is possible)",
    "dvt_chest_symptoms": "A swollen leg with breathlessness, chest pain or coughing up blood",
    "pregnancy": "Pregnancy",
    "pregnancy_high_risk": "A high-risk pregnancy",
    "osteoporosis": "Osteoporosis",
    "fragility_fracture": "A past fragility fracture",
    "recent_injury": "A recent soft-tissue injury",
    "skin_condition": "A non-contagious skin condition",
    "contagious_skin": "A skin condition that may be contagious",
    "fever": "A fever or an infection",
    "cancer_treatment": "Current or recent cancer treatment",
    "lymph_nodes_removed": "Axillary lymph nodes removed",
    "cauda_equina_signs": "New saddle numbness or new bladder or bowel disturbance",
    "red_flag_back_pain": "Back pain with a red flag (night or rest pain, unexplained weight loss, a history of "
    "cancer, or fever)",
    "medical_condition": "Another medical condition, which the client can tell you about",
}

# Who is asked, by the flags in force: the first group that matches (the GP or doctor otherwise).
ADDRESSEES: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"cancer_treatment", "lymph_nodes_removed"}), "the oncology team", "Dear oncology team"),
    (frozenset({"pregnancy", "pregnancy_high_risk"}), "the midwife or doctor", "Dear midwife or doctor"),
)
GP = ("the GP or doctor", "Dear doctor")

# A session's position as a clinician would read it (the plan's own words are the client's).
POSITION_CLINICAL_WORDS: dict[str, str] = {
    "prone": "lying face down",
    "side-lying": "lying on the side",
    "supine": "lying on the back",
    "seated": "seated, leaning forward onto a support",
}

URGENCY_WORDS: dict[Urgency, str] = {
    "emergency": "to seek emergency care now",
    "today": "to see a doctor today",
    "soon": "to see a doctor within the next few days",
    "routine": "to see a doctor or pharmacist",
}

# The reply's lines, one per field of the clearance record in its order, so the reply is recorded as written.
REPLY_LINES: tuple[tuple[str, str], ...] = (
    ("by", "Name and role"),
    ("date", "Date"),
    ("limits", "Limits"),
    ("expires", "Valid until"),
)


@dataclass(frozen=True, slots=True)
class Proposal:
    """The massage we would give, in a clinician's words."""

    minutes: int
    position: str
    areas: tuple[str, ...]
    techniques: tuple[str, ...]
    ceiling: Pressure | None  # the firmest step; None when no step is left
    left_out: tuple[str, ...]

    @property
    def ceiling_words(self) -> str:
        """ "light (2 of 5) at most"."""
        if self.ceiling is None:
            return "none: no step is left"
        return f"{self.ceiling.label} ({self.ceiling.level} of {PRESSURE_MAX}) at most"


@dataclass(frozen=True, slots=True)
class DoctorLetter:
    """Everything the letter may say; nothing else can reach it."""

    practice: PracticeSettings
    written_on: dt.date
    seen_on: dt.date
    addressee: str  # "the oncology team"
    greeting: str  # "Dear oncology team"
    client_name: str
    client_born: dt.date | None
    outcome: Outcome
    reported: tuple[str, ...]  # the screening flags in force, in clinical words
    lapsed_clearance: Clearance | None  # a clearance on record that expired before the session
    told_client: tuple[str, ...]  # the screening's reasons, as the client read them
    advice: str | None  # what the client was advised to do, when massage was postponed
    urgency: Urgency | None
    proposal: Proposal | None  # None when massage was postponed

    @property
    def title(self) -> str:
        return "Letter for the doctor"

    @property
    def subject(self) -> str:
        if self.outcome == "urgent":
            return "Sent for emergency care, for your information"
        if self.outcome == "postpone":
            return "Massage postponed: your advice, please"
        return "Back massage for your patient: your advice, please"

    @property
    def regarding(self) -> str:
        born = f"born {long_date(self.client_born)}" if self.client_born else "date of birth not recorded"
        return f"{self.client_name}, {born}"

    @property
    def opening(self) -> str:
        """Why we write, in one paragraph."""
        seen = f"We saw {self.client_name} on {long_date(self.seen_on)} for back massage."
        if self.outcome == "urgent":
            return (
                f"{seen} We did not give a massage: because of what they told us, we advised them "
                f"{URGENCY_WORDS['emergency']}. This letter is for your information; once they have been "
                "assessed, we would welcome your advice on massage."
            )
        if self.outcome == "postpone":
            soon = URGENCY_WORDS[self.urgency or "routine"]
            return (
                f"{seen} We postponed the massage because of what they told us at their screening, and advised "
                f"them {soon}. We would be grateful for your advice before we see them again."
            )
        return (
            f"{seen} Because of what they told us at their screening, we would like your advice before we "
            f"give the massage described below.{self._lapsed()}"
        )

    def _lapsed(self) -> str:
        clearance = self.lapsed_clearance
        if clearance is None or clearance.expires is None:
            return ""
        limits = f", with the limits “{clearance.limits.strip()}”," if clearance.limits.strip() else ""
        until = long_date(clearance.expires)
        return f" The clearance from {clearance.by} of {long_date(clearance.date)}{limits} expired on {until}."

    @property
    def question(self) -> str:
        if self.proposal is None:
            return "Once you have assessed this patient: is back massage appropriate for them? Are there any limits?"
        if self.proposal.ceiling is None:
            return "Is back massage appropriate for this patient? Are there any limits?"
        return f"Is {self.proposal.ceiling.label} back massage appropriate for this patient? Are there any limits?"

    @property
    def reply_choices(self) -> tuple[str, ...]:
        agree = "Yes, as proposed" if self.proposal is not None else "Yes"
        return (agree, "Yes, within the limits below", "Not at present")

    @property
    def signature(self) -> str:
        names = (self.practice.therapist_name.strip(), self.practice.practice_name.strip())
        return ", ".join(name for name in names if name) or "The client's massage therapist"


def needs_letter(plan: Plan, clearance_on_record: bool) -> bool:
    """Whether the plan asks for a letter: massage postponed, emergency care, or a clearance not on record."""
    return plan.outcome in NO_MASSAGE or (plan.requires_clearance and not clearance_on_record)


def addressee_for(flags: Iterable[str]) -> tuple[str, str]:
    """(who, greeting) for the flags in force: the oncology team, the midwife or doctor, else the GP."""
    present = set(flags)
    for group, who, greeting in ADDRESSEES:
        if present & group:
            return who, greeting
    return GP


def doctor_letter(
    client: Client,
    intake: Intake | None,
    screening: Screening,
    plan: Plan,
    protocol: Protocol,
    *,
    practice: PracticeSettings,
    written_on: dt.date,
) -> DoctorLetter:
    """The letter for `plan`, built for the client as screened on `screening.on`."""
    in_force = _flags_in_force(intake, screening.on)
    who, greeting = addressee_for(entry.flag for entry in in_force)
    stopped = plan.outcome in NO_MASSAGE
    return DoctorLetter(
        practice=practice,
        written_on=written_on,
        seen_on=screening.on,
        addressee=who,
        greeting=greeting,
        client_name=client.name.strip(),
        client_born=client.born,
        outcome=plan.outcome,
        reported=tuple(dict.fromkeys(_flag_words(entry) for entry in in_force)),
        lapsed_clearance=_lapsed_clearance(intake, screening.on),
        told_client=plan.for_client,
        advice=plan.refer if stopped else None,
        urgency=plan.refer_urgency if stopped else None,
        proposal=None if stopped else _proposal(plan, screening, protocol),
    )


def letter_for_session(
    client: Client,
    session: Session,
    intakes: Sequence[Intake],
    protocol: Protocol,
    *,
    practice: PracticeSettings,
    written_on: dt.date,
) -> DoctorLetter | None:
    """The letter for a session's plan, or None when that plan needs none."""
    day = session.start.date()
    intake = intake_on(intakes, day)
    screening = screen(intake, protocol, day)
    plan = plan_for_session(session, intakes, protocol)
    if not needs_letter(plan, screening.clearance_on_record):
        return None
    return doctor_letter(client, intake, screening, plan, protocol, practice=practice, written_on=written_on)


def pressure_scale() -> str:
    """The app's own 0–5 scale in one line, so the clinician can read the ceiling."""
    levels = ", ".join(f"{level} {label}" for level, label in enumerate(PRESSURE_LABELS))
    return f"Backmap's own pressure scale: {levels}."


def _flags_in_force(intake: Intake | None, on: dt.date) -> tuple[FlagEntry, ...]:
    if intake is None:
        return ()
    entries = [entry for entry in intake.flags if entry.in_force_on(on)]
    return tuple(sorted(entries, key=lambda entry: FLAG_IDS.index(entry.flag)))


def _lapsed_clearance(intake: Intake | None, on: dt.date) -> Clearance | None:
    """The intake's clearance when it expired before `on`."""
    clearance = intake.clearance if intake is not None else None
    expired = clearance is not None and clearance.expires is not None and clearance.expires < on
    return clearance if expired else None


def _flag_words(entry: FlagEntry) -> str:
    words = FLAG_CLINICAL_WORDS[entry.flag]
    if entry.region is not None:
        spec = SPECS_BY_ID[entry.region]
        words += f" on the {spec.side}" if entry.flag == "lymph_nodes_removed" else f", {_places([spec.id])[0]}"
    if entry.since is not None:
        words += f", since {long_date(entry.since)}"
    return words


def _proposal(plan: Plan, screening: Screening, protocol: Protocol) -> Proposal:
    worked = {region for step in plan.steps for region in step.regions}
    techniques = dict.fromkeys(step.technique for step in plan.steps)
    areas = ["the whole back, with gentle strokes to begin and to finish"] if BACK in worked else []
    areas += _places(worked - {BACK})
    levels = [step.pressure.level for step in plan.steps]
    return Proposal(
        minutes=plan.minutes,
        position=POSITION_CLINICAL_WORDS.get(plan.position, plan.position.replace("-", " ")),
        areas=tuple(areas),
        techniques=tuple(_technique_words(technique, protocol) for technique in techniques),
        ceiling=Pressure.of(max(levels)) if levels else None,
        left_out=_left_out(screening, worked, protocol),
    )


def _left_out(screening: Screening, worked: set[str], protocol: Protocol) -> tuple[str, ...]:
    """What the screening leaves out: techniques everywhere, techniques on the areas worked, what a local flag
    limits (areas left alone, or given only some techniques)."""
    items: list[str] = []
    everywhere = [drop.technique for drop in screening.drops if drop.region is None]
    if everywhere:
        names = [_technique_words(t, protocol) for t in dict.fromkeys(everywhere)]
        items.append(f"{capitalised(joined(names))}, everywhere")
    regions_by_technique: dict[str, set[str]] = {}
    for drop in screening.drops:
        if drop.region in worked and drop.technique not in everywhere:
            regions_by_technique.setdefault(drop.technique, set()).add(drop.region)
    # Techniques left out on the same regions are named together ("Friction and pressure-point hold, on ...").
    techniques_by_regions: dict[frozenset[str], list[str]] = {}
    for technique, regions in regions_by_technique.items():
        techniques_by_regions.setdefault(frozenset(regions), []).append(_technique_words(technique, protocol))
    for same_regions, techniques in techniques_by_regions.items():
        items.append(f"{capitalised(joined(techniques))}, {'; '.join(_places(same_regions))}")
    # A local flag's limits, by flag and what they allow: nothing there today, or only some techniques.
    limited: dict[tuple[str, frozenset[str]], set[str]] = {}
    for limit in screening.local:
        limited.setdefault((limit.rule, limit.allow), set()).add(limit.region)
    for (flag, allow), regions in limited.items():
        places = "; ".join(_places(regions))
        why = _lower(FLAG_CLINICAL_WORDS[flag])
        if allow:
            allowed = joined([_technique_words(t, protocol) for t in protocol.techniques if t in allow])
            items.append(f"Only {allowed}, {places} ({why})")
        else:
            items.append(f"No massage today {places} ({why})")
    return tuple(items)


def _technique_words(technique: str, protocol: Protocol) -> str:
    known = protocol.techniques.get(technique)
    if known is None:  # a stored plan from an older knowledge base
        return technique.replace("_", " ")
    return f"{known.name.lower()} ({known.plain_name})"


def _places(regions: Iterable[str]) -> list[str]:
    """The regions by their clinical names in map order, grouped by side: ["on both sides: neck and rhomboids",
    "on the left: lower back (quadratus lumborum)", "spine"]; a left and right pair is named once."""
    wanted = set(regions)
    by_side: dict[str, list[str]] = {}
    for spec in REGION_SPECS:
        if spec.id not in wanted:
            continue
        if spec.side == "centre":
            by_side.setdefault("", []).append(_lower(spec.name))
            continue
        twin = spec.id[:-1] + ("r" if spec.side == "left" else "l")
        if twin in wanted and spec.side == "right":
            continue  # named with its left twin
        side = "on both sides" if twin in wanted else f"on the {spec.side}"
        by_side.setdefault(side, []).append(_lower(_without_side(spec)))
    order = ("on both sides", "on the left", "on the right", "")
    return [f"{side}: {joined(names)}" if side else joined(names) for side in order if (names := by_side.get(side))]


def _without_side(spec: RegionSpec) -> str:
    """ "Upper trapezius, left" -> "Upper trapezius" (paired names end in their side: region_specs._pair)."""
    return spec.name.removesuffix(f", {spec.side}")


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
