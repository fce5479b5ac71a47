"""Safety screening: an intake's flags and allergies, read against protocol.toml, on one date.

The rules are data (protocol.toml); this module only applies them. A screening says proceed, modify, postpone
or urgent, and why. It speaks in two voices kept apart by type: `reasons` and `clearance_reasons` (why a doctor
is asked) are for the client (plain, kind, once per rule, places grouped) and `therapist_notes` are for the
therapist only (cautions, clearance bookkeeping, the intake's free text); no client output is built from the
notes. The plan and the consult panel take every cap, dropped technique, local limit, position and medium from
here, so one place decides what is safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.allergies import MediumChoice, choose_medium
from app.domain.plain_words import capitalised, days, is_or_are, joined, long_date
from app.domain.protocol import (
    DEFAULT_CAP,
    FLAG_IDS,
    NO_MASSAGE,
    OUTCOMES,
    PRESSURE_MAX,
    URGENCIES,
    FlagRule,
    LocalStage,
    Outcome,
    Protocol,
    Urgency,
    pressure_label,
)
from app.domain.records import FlagEntry, Intake, PressureOverride
from app.domain.region_specs import SPECS_BY_ID, RegionKind

BACK = "back"  # the region of whole-back steps (warm-up, finish)
DEFAULT_CAP_RULE = "default_cap"
OVERRIDE_RULE = "override"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the screening changed or stopped the session, in the client's words."""

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
    """A technique left out by a rule: everywhere when `region` is None, else on that region only."""

    rule: str
    technique: str
    reason: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class LocalLimit:
    """What a local flag (injury, skin, removed lymph nodes) allows on one region today."""

    rule: str
    region: str
    allow: frozenset[str]  # techniques; empty = left alone today
    reason: str  # the client's words


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
    reasons: tuple[Reason, ...]  # for the client
    refer: str | None  # to whom and how soon, kindly worded; only when massage waits
    urgency: Urgency | None
    caps: tuple[Cap, ...]
    drops: tuple[Drop, ...]
    local: tuple[LocalLimit, ...]
    positions: tuple[str, ...]  # the positions a flag allows (empty: any)
    requires_clearance: bool
    clearance_reasons: tuple[str, ...]  # why the doctor is asked, in the client's words ("you take blood thinners")
    clearance_on_record: bool  # a clearance valid on `on`
    medium: MediumChoice
    therapist_notes: tuple[str, ...]  # never shown to the client
    aftercare: tuple[str, ...]  # extra aftercare the flags ask for

    @property
    def may_be_given(self) -> bool:
        """Whether a plan may be marked as given: shown before a clearance, given only with it."""
        return self.outcome not in NO_MASSAGE and (not self.requires_clearance or self.clearance_on_record)

    def position_for(self, recorded: str) -> str:
        """The session's recorded position, unless a flag forces another."""
        return recorded if not self.positions or recorded in self.positions else self.positions[0]

    def caps_for(self, region_id: str) -> tuple[Cap, ...]:
        """The rule caps that apply to a region; for the whole back, every region's cap applies."""
        if region_id == BACK:
            return self.caps
        return tuple(cap for cap in self.caps if cap.region in (None, region_id))

    def dropped(self, region_id: str = BACK) -> dict[str, Drop]:
        """Technique id -> the first rule that leaves it out on this region (on the whole back: everywhere)."""
        dropped: dict[str, Drop] = {}
        for drop in self.drops:
            if drop.region is None or drop.region == region_id:
                dropped.setdefault(drop.technique, drop)
        return dropped

    def limits_on(self, region_id: str) -> tuple[LocalLimit, ...]:
        return tuple(limit for limit in self.local if limit.region == region_id)

    def allowed_here(self, region_id: str, technique: str) -> bool:
        """Whether every local limit on the region allows the technique."""
        return all(technique in limit.allow for limit in self.limits_on(region_id))

    def left_alone(self) -> dict[str, str]:
        """Region -> the client's reason, for the regions no technique may touch today."""
        alone: dict[str, str] = {}
        for limit in self.local:
            if not limit.allow:
                alone.setdefault(limit.region, limit.reason)
        return alone


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


def _severity(outcome: Outcome) -> int:
    return OUTCOMES.index(outcome)


def _expanded_flags(intake: Intake, protocol: Protocol, on: dt.date) -> list[FlagEntry]:
    """The intake's flags still in force on `on` plus the ones they imply, in the controlled list's order."""
    entries = [entry for entry in intake.flags if entry.in_force_on(on)]
    present = {entry.flag for entry in entries}
    for entry in list(entries):
        for implied in protocol.flags[entry.flag].implies:
            if implied not in present:
                entries.append(FlagEntry(implied))
                present.add(implied)
    return sorted(entries, key=lambda e: (FLAG_IDS.index(e.flag), e.region or "", e.since or dt.date.min))


def _clearance_notes(intake: Intake, on: dt.date, required: bool) -> list[str]:
    clearance = intake.clearance
    if clearance is not None and clearance.valid_on(on):
        limits = f"; limits: {clearance.limits}" if clearance.limits.strip() else ""
        until = f", valid until {long_date(clearance.expires)}" if clearance.expires else ""
        return [f"Clearance on record from {clearance.by} ({long_date(clearance.date)}{until}){limits}."]
    if not required:
        return []
    if clearance is not None and clearance.expires is not None and clearance.expires < on:
        lapsed = f" (the one from {clearance.by} expired on {long_date(clearance.expires)})"
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
        urgency=None,
        caps=(),
        drops=(),
        local=(),
        positions=(),
        requires_clearance=False,
        clearance_reasons=(),
        clearance_on_record=False,
        medium=medium,
        therapist_notes=("No safety screening on record: ask the intake questions (health, allergies) first.",),
        aftercare=(),
    )


@dataclass
class _Findings:
    """What the flags of one screening add up to, while they are read."""

    outcome: Outcome = "proceed"
    reasons: list[Reason] = field(default_factory=list)
    refer: list[tuple[Urgency, str]] = field(default_factory=list)
    caps: list[Cap] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    local: list[LocalLimit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def apply(self, rule: FlagRule, result: Outcome, reason: str) -> None:
        if all(existing.reason != reason for existing in self.reasons):
            self.reasons.append(Reason(rule.id, reason, rule.source))
        if _severity(result) > _severity(self.outcome):
            self.outcome = result


def screen(intake: Intake | None, protocol: Protocol, on: dt.date) -> Screening:
    """The screening of `intake` on the date `on` (clearances and injury stages depend on it)."""
    if intake is None:
        return _unscreened(protocol, on)
    entries = _expanded_flags(intake, protocol, on)
    clearance_on_record = intake.clearance is not None and intake.clearance.valid_on(on)
    found = _Findings()
    positions: list[str] = []
    aftercare: list[str] = []
    clearance_reasons: list[str] = []

    local_entries = [entry for entry in entries if protocol.flags[entry.flag].local]
    _screen_local(local_entries, protocol, on, found)
    for entry in entries:
        rule = protocol.flags[entry.flag]
        if rule.local:
            continue
        if rule.resolved_by_clearance and clearance_on_record:
            found.notes.append(f"{rule.id.replace('_', ' ').capitalize()}: settled by the clearance on record.")
            continue
        found.apply(rule, rule.outcome, rule.reason)
        if rule.outcome in NO_MASSAGE:
            assert rule.refer is not None  # checked on loading, with the urgency
            assert rule.urgency is not None
            found.refer.append((rule.urgency, rule.refer))
            continue
        if rule.cap is not None:
            found.caps.append(Cap(rule.id, rule.cap, rule.reason))
        found.caps.extend(Cap(rule.id, level, rule.reason, region) for region, level in rule.region_caps.items())
        found.drops.extend(Drop(rule.id, technique, rule.reason) for technique in rule.drop)
        found.drops.extend(
            Drop(rule.id, technique, rule.reason, region)
            for region, techniques in rule.region_drops.items()
            for technique in sorted(techniques)
        )
        positions = [p for p in positions if p in rule.positions] if positions and rule.positions else positions
        positions = positions or list(rule.positions)
        if rule.clearance:
            assert rule.clearance_reason is not None  # checked on loading
            clearance_reasons.append(rule.clearance_reason)
        found.notes.extend(rule.therapist)
        if rule.id == "medical_condition" and intake.conditions.strip():
            found.notes.append(f"Condition as written: {intake.conditions.strip()!r}.")
        aftercare.extend(item for item in rule.aftercare if item not in aftercare)

    found.notes.extend(_clearance_notes(intake, on, bool(clearance_reasons)))
    medium, allergy_notes = choose_medium(intake.allergies, protocol)
    found.notes.extend(allergy_notes)
    stops = found.outcome in NO_MASSAGE
    refers = sorted(found.refer, key=lambda item: URGENCIES.index(item[0]))
    if found.outcome == "urgent":
        refers = [item for item in refers if item[0] == "emergency"]  # nothing may read as "it can wait"
    return Screening(
        on=on,
        outcome=found.outcome,
        reasons=tuple(found.reasons),
        refer=" ".join(dict.fromkeys(text for _, text in refers)) if stops else None,
        urgency=refers[0][0] if stops else None,
        caps=tuple(found.caps),
        drops=tuple(found.drops),
        local=tuple(found.local),
        positions=tuple(positions),
        requires_clearance=bool(clearance_reasons),
        clearance_reasons=tuple(dict.fromkeys(clearance_reasons)),
        clearance_on_record=clearance_on_record,
        medium=medium,
        therapist_notes=tuple(dict.fromkeys(found.notes)),
        aftercare=tuple(aftercare),
    )


def reached_regions(rule: FlagRule, region_id: str, protocol: Protocol) -> tuple[tuple[str, ...], str]:
    """The regions a local flag on `region_id` covers, and their name for the client."""
    spec = SPECS_BY_ID[region_id]
    site = {region_id} | set(protocol.overlaps.get(region_id, ()))
    if spec.side == "centre":
        return tuple(sorted(site)), spec.plain
    base = region_id[:-2]
    if rule.reach == "upper_quadrant":
        group = protocol.injury_groups["upper_quadrant"]
        return group.regions(spec.side), group.plain.format(side=spec.side)
    if rule.reach == "injury_group":
        for group in protocol.injury_groups.values():
            if group.id != "upper_quadrant" and base in group.bases:
                regions = set(group.regions(spec.side))
                for member in list(regions):
                    regions |= protocol.overlaps.get(member, frozenset())
                return tuple(sorted(regions | site)), group.plain.format(side=spec.side)
    return tuple(sorted(site)), spec.plain


def _screen_local(entries: Iterable[FlagEntry], protocol: Protocol, on: dt.date, found: _Findings) -> None:
    """Local flags: each stage's limits on the regions the flag reaches; one client reason per rule and stage,
    with the places grouped."""
    grouped: dict[tuple[str, int], tuple[FlagRule, LocalStage, list[str], dt.date]] = {}
    for entry in entries:
        rule = protocol.flags[entry.flag]
        if entry.region is None:
            found.apply(rule, "modify", rule.reason)
            found.notes.append(
                f"{rule.id.replace('_', ' ').capitalize()}: no place recorded. If it is on the back, mark where; "
                "the back work goes ahead elsewhere."
            )
            continue
        age = None if entry.since is None else max((on - entry.since).days, 0)
        stage = rule.stage_on(age)
        regions, places = reached_regions(rule, entry.region, protocol)
        from_date = on + dt.timedelta(days=(stage.until_days or 0) + 1 - (age or 0))
        key = (rule.id, rule.stages.index(stage))
        _, _, place_list, _ = grouped.setdefault(key, (rule, stage, [], from_date))
        if places not in place_list:
            place_list.append(places)
        spec = SPECS_BY_ID[entry.region]
        found.notes.append(
            stage.therapist.format(
                days="unknown age (no onset date: treated as new)" if age is None else days(age),
                site=spec.name,
                places=", ".join(SPECS_BY_ID[region].name for region in regions),
                from_date=long_date(from_date),
                side=spec.side,
            )
        )
        reason = _local_reason(stage, [places], from_date)
        for region in regions:
            found.local.append(LocalLimit(rule.id, region, stage.allow, reason))
            if stage.cap is not None:
                found.caps.append(Cap(rule.id, stage.cap, reason, region))
    for rule, stage, place_list, from_date in grouped.values():
        found.apply(rule, rule.outcome, _local_reason(stage, place_list, from_date))


def _local_reason(stage: LocalStage, places: list[str], from_date: dt.date) -> str:
    return capitalised(
        stage.reason.format(places=joined(places), verb=is_or_are(places), from_date=long_date(from_date))
    )


def techniques_today(region_id: str, screening: Screening, protocol: Protocol) -> tuple[list[str], list[Adjustment]]:
    """The region's techniques this client may have today, and one Adjustment per technique a rule left out
    (a flag's drop, or a local limit that does not allow it)."""
    dropped = screening.dropped(region_id)
    kept: list[str] = []
    left_out: list[Adjustment] = []
    for technique in protocol.regions[region_id].techniques:
        drop = dropped.get(technique)
        limit = next((lim for lim in screening.limits_on(region_id) if technique not in lim.allow), None)
        if drop is not None:
            left_out.append(Adjustment(drop.rule, technique, None, drop.reason))
        elif limit is not None:
            left_out.append(Adjustment(limit.rule, technique, None, limit.reason))
        else:
            kept.append(technique)
    return kept, left_out


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
    kept, adjustments = techniques_today(region_id, screening, protocol)
    start, start_adjustments = cap_pressure(region.default_pressure, region_id, screening, protocol, override)
    top, top_adjustments = cap_pressure(PRESSURE_MAX, region_id, screening, protocol, override)
    adjustments.extend(start_adjustments)
    adjustments.extend(a for a in top_adjustments if a.rule not in {b.rule for b in start_adjustments})
    cautions = protocol.cautions_for(region_id)
    withheld: str | None = None
    left_alone = screening.left_alone().get(region_id)
    if screening.outcome in NO_MASSAGE:
        withheld = "No massage today: the session is postponed."
    elif left_alone is not None:
        withheld = left_alone
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
