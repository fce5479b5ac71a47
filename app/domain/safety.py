"""Safety screening: an intake's flags and allergies, read against protocol.toml, on one date.

The rules are data (protocol.toml); this module only applies them. A screening says proceed, modify or
postpone, and why (rule id, plain reason, source); the plan and the consult panel take every cap, dropped
technique, avoided region, position and medium from it, so one place decides what is safe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.protocol import (
    DEFAULT_CAP,
    FLAG_IDS,
    OUTCOMES,
    PRESSURE_MAX,
    FlagRule,
    Outcome,
    Protocol,
    pressure_label,
)
from app.domain.records import FlagEntry, Intake, PressureOverride
from app.domain.region_specs import SPECS_BY_ID, RegionKind

BACK = "back"  # the region of whole-back steps (warm-up, finish)
DEFAULT_CAP_RULE = "default_cap"
OVERRIDE_RULE = "override"


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Cap:
    """A pressure ceiling set by a rule: for one region, or for the whole body when `region` is None."""

    rule: str
    level: int
    reason: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Drop:
    """A technique left out by a rule (everywhere)."""

    rule: str
    technique: str
    reason: str


@dataclass(frozen=True, slots=True)
class Avoid:
    """A region left alone today (a local flag: injury, skin)."""

    rule: str
    region: str
    reason: str


@dataclass(frozen=True, slots=True)
class MediumChoice:
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class Pressure:
    level: int
    label: str

    @classmethod
    def of(cls, level: int) -> Pressure:
        return cls(level, pressure_label(level))


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change a rule made, e.g. pressure 4 -> 2 because of blood thinners."""

    rule: str
    before: int | str | None
    after: int | str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Screening:
    on: dt.date
    outcome: Outcome
    reasons: tuple[Reason, ...]
    refer: str | None  # to whom, kindly worded; only when postponed
    caps: tuple[Cap, ...]
    drops: tuple[Drop, ...]
    avoid: tuple[Avoid, ...]
    position: str
    requires_clearance: bool
    clearance_on_record: bool  # a clearance valid on `on`
    medium: MediumChoice
    warnings: tuple[str, ...]  # for the therapist
    aftercare: tuple[str, ...]  # extra aftercare the flags ask for

    @property
    def may_be_given(self) -> bool:
        """Whether a plan may be marked as given: shown before a clearance, given only with it."""
        return self.outcome != "postpone" and (not self.requires_clearance or self.clearance_on_record)

    def caps_for(self, region_id: str) -> tuple[Cap, ...]:
        """The rule caps that apply to a region; for the whole back, every region's cap applies."""
        if region_id == BACK:
            return self.caps
        return tuple(cap for cap in self.caps if cap.region in (None, region_id))

    def dropped(self) -> dict[str, Drop]:
        """Technique id -> the first rule that drops it."""
        dropped: dict[str, Drop] = {}
        for drop in self.drops:
            dropped.setdefault(drop.technique, drop)
        return dropped

    def avoided(self, region_id: str) -> Avoid | None:
        return next((avoid for avoid in self.avoid if avoid.region == region_id), None)


def region_max_rule(region_id: str) -> str:
    return f"regions.{region_id}.max_pressure"


def is_area_limit(rule: str, protocol: Protocol) -> bool:
    """Whether an adjustment's rule holds for everyone (an area's maximum, a standing rule, the default cap),
    as opposed to one that comes from this client's screening or the therapist's override."""
    standing = {standing_rule.id for standing_rule in protocol.standing_rules}
    return rule == DEFAULT_CAP_RULE or rule in standing or rule in {region_max_rule(r) for r in protocol.regions}


def cap_pressure(
    level: int,
    region_id: str,
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None = None,
) -> tuple[int, tuple[Adjustment, ...]]:
    """`level` lowered by every cap on the region (its own maximum, the default cap or the therapist's
    override, the screening's rules), with one Adjustment per cap that changed it."""
    caps: list[tuple[str, int, str]] = []
    if region_id != BACK:
        region = protocol.regions[region_id]
        standing = protocol.standing_rule_capping(region_id)
        if standing is not None:
            caps.append((standing.id, region.max_pressure, standing.reason))
        else:
            caps.append((region_max_rule(region_id), region.max_pressure, "the most this area takes"))
    if override is None:
        caps.append((DEFAULT_CAP_RULE, DEFAULT_CAP, f"{PRESSURE_MAX} (deep) only with the therapist's override"))
    else:
        caps.append((OVERRIDE_RULE, override.max_level, f"the therapist's override: {override.reason}"))
    caps.extend((cap.rule, cap.level, cap.reason) for cap in screening.caps_for(region_id))
    adjustments: list[Adjustment] = []
    for rule, ceiling, reason in caps:
        if level > ceiling:
            adjustments.append(Adjustment(rule, level, ceiling, reason))
            level = ceiling
    return level, tuple(adjustments)


_PLURAL = re.compile(r"(?<=[a-z])s\b")


def _allergy_words(allergy: str) -> str:
    """Lower case and singular ("Tree Nuts" -> "tree nut"), so it matches the protocol's ingredient words."""
    return _PLURAL.sub("", " ".join(allergy.lower().split()))


def _matches(allergy: str, allergens: frozenset[str]) -> bool:
    words = _allergy_words(allergy)
    padded = f" {words} "
    return any(f" {allergen} " in padded or allergen == words for allergen in allergens)


def choose_medium(allergies: tuple[str, ...], protocol: Protocol) -> tuple[MediumChoice, tuple[str, ...]]:
    """The first medium with none of the client's allergens, and warnings for allergies nobody lists."""
    listed = [allergy for allergy in allergies if allergy.strip()]
    warnings = tuple(
        f"Allergy to {allergy!r} is on no ingredient list here: check the label before use."
        for allergy in listed
        if not any(_matches(allergy, medium.allergens) for medium in protocol.media)
    )
    left_out: list[str] = []
    for medium in protocol.media:
        clashes = [allergy for allergy in listed if _matches(allergy, medium.allergens)]
        if clashes:
            left_out.append(f"{medium.name} ({', '.join(clashes)})")
            continue
        if medium.name == "none":
            why = "No oil or lotion: every one we use contains something you are allergic to"
            why += f": {'; '.join(left_out)}." if left_out else "."
        elif left_out:
            why = f"Chosen because it avoids your allergies; left out: {'; '.join(left_out)}."
        elif listed:
            why = "None of your listed allergies is in it."
        else:
            why = "No allergies recorded; ask again before use."
        return MediumChoice(medium.name, why), warnings
    raise AssertionError("protocol.media ends with 'none', which has no allergens")  # checked on loading


def _severity(outcome: Outcome) -> int:
    return OUTCOMES.index(outcome)


def _expanded_flags(intake: Intake, protocol: Protocol) -> list[FlagEntry]:
    """The intake's flags plus the ones they imply, in the controlled list's order (deterministic)."""
    entries = list(intake.flags)  # FlagEntry admits only the controlled list (app.domain.flags)
    present = {entry.flag for entry in entries}
    for entry in list(entries):
        for implied in protocol.flags[entry.flag].implies:
            if implied not in present:
                entries.append(FlagEntry(implied))
                present.add(implied)
    return sorted(entries, key=lambda e: (FLAG_IDS.index(e.flag), e.region or "", e.since or dt.date.min))


def _clearance_warnings(intake: Intake, on: dt.date, required: bool) -> list[str]:
    clearance = intake.clearance
    if clearance is not None and clearance.valid_on(on):
        limits = f"; limits: {clearance.limits}" if clearance.limits.strip() else ""
        until = f", valid until {clearance.expires.isoformat()}" if clearance.expires else ""
        return [f"Clearance on record from {clearance.by} ({clearance.date.isoformat()}{until}){limits}."]
    if not required:
        return []
    if clearance is not None and clearance.expires is not None and clearance.expires < on:
        lapsed = f" (the one from {clearance.by} expired on {clearance.expires.isoformat()})"
    else:
        lapsed = ""
    return [f"Clearance needed: the plan can be shown but not given until one is on record{lapsed}."]


def _unscreened(protocol: Protocol, on: dt.date) -> Screening:
    medium, _ = choose_medium((), protocol)
    return Screening(
        on=on,
        outcome="proceed",
        reasons=(),
        refer=None,
        caps=(),
        drops=(),
        avoid=(),
        position=protocol.session.default_position,
        requires_clearance=False,
        clearance_on_record=False,
        medium=medium,
        warnings=("No safety screening on record: ask the intake questions (health, allergies) first.",),
        aftercare=(),
    )


def screen(intake: Intake | None, protocol: Protocol, on: dt.date) -> Screening:
    """The screening of `intake` on the date `on` (clearances and injury ages depend on it)."""
    if intake is None:
        return _unscreened(protocol, on)
    entries = _expanded_flags(intake, protocol)
    clearance_on_record = intake.clearance is not None and intake.clearance.valid_on(on)
    outcome: Outcome = "proceed"
    reasons: list[Reason] = []
    refer: list[str] = []
    caps: list[Cap] = []
    drops: list[Drop] = []
    avoid: list[Avoid] = []
    positions: list[str] = []
    warnings: list[str] = []
    aftercare: list[str] = []
    requires_clearance = False
    settled: set[str] = set()

    def apply(rule: FlagRule, result: Outcome, reason: str) -> None:
        nonlocal outcome
        reasons.append(Reason(rule.id, reason, rule.source))
        if _severity(result) > _severity(outcome):
            outcome = result

    for entry in entries:
        rule = protocol.flags[entry.flag]
        if rule.local:
            _screen_local(rule, entry, on, apply, avoid, refer, warnings)
            continue
        if rule.resolved_by_clearance and clearance_on_record:
            reasons.append(Reason(rule.id, "Settled by the clearance on record.", rule.source))
            settled.add(rule.id)
            continue
        apply(rule, rule.outcome, rule.reason)
        if rule.outcome == "postpone":
            refer.append(rule.refer or "")
            continue
        if rule.cap is not None:
            caps.append(Cap(rule.id, rule.cap, rule.reason))
        caps.extend(Cap(rule.id, level, rule.reason, region) for region, level in rule.region_caps.items())
        drops.extend(Drop(rule.id, technique, rule.reason) for technique in rule.drop)
        if rule.position is not None:
            positions.append(rule.position)
        requires_clearance = requires_clearance or rule.clearance
        warnings.extend(rule.warnings)
        if rule.id == "medical_condition" and intake.conditions.strip():
            warnings.append(f"Condition as written: {intake.conditions.strip()!r}.")
        aftercare.extend(item for item in rule.aftercare if item not in aftercare)

    # Every rule that changed or stopped the session says why, first.
    # The plan's warnings are printed for the client: plain reasons, no rule ids (the reasons keep those).
    warnings[:0] = [reason.reason for reason in reasons if reason.rule not in settled]
    if drops:
        names = sorted({protocol.techniques[drop.technique].name for drop in drops})
        warnings.append(f"Left out today: {', '.join(names)}.")
    position = positions[0] if positions else protocol.session.default_position
    if positions:
        warnings.append(f"Position: {position}.")
    warnings.extend(_clearance_warnings(intake, on, requires_clearance))
    medium, allergy_warnings = choose_medium(intake.allergies, protocol)
    warnings.extend(allergy_warnings)
    return Screening(
        on=on,
        outcome=outcome,
        reasons=tuple(reasons),
        refer=" ".join(dict.fromkeys(refer)) if outcome == "postpone" else None,
        caps=tuple(caps),
        drops=tuple(drops),
        avoid=tuple(avoid),
        position=position,
        requires_clearance=requires_clearance,
        clearance_on_record=clearance_on_record,
        medium=medium,
        warnings=tuple(dict.fromkeys(warnings)),
        aftercare=tuple(aftercare),
    )


def _screen_local(
    rule: FlagRule,
    entry: FlagEntry,
    on: dt.date,
    apply: Callable[[FlagRule, Outcome, str], None],
    avoid: list[Avoid],
    refer: list[str],
    warnings: list[str],
) -> None:
    """A local flag: avoid its region; postpone when it is fresh (acute window) and on the back."""
    if entry.region is None:
        apply(rule, "modify", rule.reason)
        warnings.append(
            f"{rule.id.replace('_', ' ').capitalize()}: no place recorded. If it is on the back, mark where; "
            "the back work goes ahead elsewhere."
        )
        return
    plain = SPECS_BY_ID[entry.region].plain
    age = None if entry.since is None else (on - entry.since).days
    if rule.acute_days is not None and (age is None or age <= rule.acute_days):
        when = "the date is not recorded" if age is None else f"{max(age, 0)} day(s) ago"
        apply(rule, "postpone", f"A fresh injury at {plain} ({when}) needs to settle before massage there.")
        refer.append(rule.refer or "")
        return
    since = f" since {entry.since.isoformat()}" if entry.since else ""
    reason = f"{rule.reason} Area: {plain}{since}."
    apply(rule, "modify", reason)
    avoid.append(Avoid(rule.id, entry.region, reason))  # the reason above already tells the client where


@dataclass(frozen=True, slots=True)
class TechniqueGuidance:
    id: str
    name: str
    plain_name: str
    description: str


@dataclass(frozen=True, slots=True)
class RegionGuidance:
    """What the consult panel shows for one region, with this client's adjustments applied and listed."""

    region: str
    name: str
    plain: str
    kind: RegionKind
    techniques: tuple[TechniqueGuidance, ...]
    pressure: Pressure  # where to start
    max_pressure: Pressure
    hold_seconds: tuple[int, int] | None
    cautions: tuple[str, ...]
    adjustments: tuple[Adjustment, ...]
    withheld: str | None  # why nothing is done here today, if so


def region_guidance(
    region_id: str,
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None = None,
) -> RegionGuidance:
    """The region's techniques, pressure, hold seconds and cautions, adjusted for this client."""
    spec = SPECS_BY_ID[region_id]
    region = protocol.regions[region_id]
    dropped = screening.dropped()
    adjustments: list[Adjustment] = [
        Adjustment(drop.rule, technique, None, drop.reason)
        for technique, drop in dropped.items()
        if technique in region.techniques
    ]
    kept = [technique for technique in region.techniques if technique not in dropped]
    start, start_adjustments = cap_pressure(region.default_pressure, region_id, screening, protocol, override)
    top, top_adjustments = cap_pressure(PRESSURE_MAX, region_id, screening, protocol, override)
    adjustments.extend(start_adjustments)
    adjustments.extend(a for a in top_adjustments if a.rule not in {b.rule for b in start_adjustments})
    cautions = protocol.cautions_for(region_id)
    withheld: str | None = None
    avoided = screening.avoided(region_id)
    if screening.outcome == "postpone":
        withheld = "No massage today: the session is postponed."
    elif avoided is not None:
        withheld = avoided.reason
    elif not region.techniques:
        withheld = "Never pressed. " + " ".join(region.cautions)
    elif not kept:
        withheld = "Every technique for this area is left out today."
    if withheld is not None:
        kept = []
    return RegionGuidance(
        region=region_id,
        name=spec.name,
        plain=spec.plain,
        kind=spec.kind,
        techniques=tuple(
            TechniqueGuidance(
                t,
                protocol.techniques[t].name,
                protocol.techniques[t].plain_name,
                protocol.techniques[t].description,
            )
            for t in kept
        ),
        pressure=Pressure.of(start if kept else 0),
        max_pressure=Pressure.of(top if kept else 0),
        hold_seconds=region.hold_seconds if "pressure_point_hold" in kept else None,
        cautions=cautions,
        adjustments=tuple(adjustments),
        withheld=withheld,
    )
