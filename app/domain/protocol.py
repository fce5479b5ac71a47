"""The knowledge base (app/data/protocol.toml) loaded and checked into frozen dataclasses.

Everything the plan and the screening know comes from here, so a mistake in the data must stop the app with a
message naming the key (e.g. `regions.neck_l.max_pressure`), never slip into a plan. The pressure scale itself
is a DESIGN.md contract and lives in code.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from app.domain.flags import FLAG_IDS
from app.domain.records import QUALITIES, Quality
from app.domain.region_specs import REGION_IDS, REGION_SPECS
from app.errors import BackmapError
from app.resources import data_path

# The app's own 0-5 scale (DESIGN.md, "Pressure scale"): not a published scale.
PRESSURE_LABELS: tuple[str, ...] = ("still hold, no pressure", "very light", "light", "moderate", "firm", "deep")
PRESSURE_MAX = len(PRESSURE_LABELS) - 1
DEFAULT_CAP = 4  # 5 only by an explicit therapist override

# In order of severity: postpone means no massage today and see someone; urgent means emergency care now.
Outcome = Literal["proceed", "modify", "postpone", "urgent"]
OUTCOMES: tuple[Outcome, ...] = ("proceed", "modify", "postpone", "urgent")
NO_MASSAGE: frozenset[Outcome] = frozenset({"postpone", "urgent"})
# How soon the client should see someone, when massage waits for it.
Urgency = Literal["emergency", "today", "soon", "routine"]
URGENCIES: tuple[Urgency, ...] = ("emergency", "today", "soon", "routine")
# What a local flag covers: its region and what overlaps it; also its same-side injury group; or that side's
# upper quadrant (protocol.toml, "flags").
Reach = Literal["site", "injury_group", "upper_quadrant"]
REACHES: tuple[Reach, ...] = ("site", "injury_group", "upper_quadrant")

TECHNIQUE_IDS: tuple[str, ...] = (
    "effleurage",
    "petrissage",
    "friction",
    "tapotement",
    "vibration",
    "stretching",
    "pressure_point_hold",
)
MEDIUM_NAMES: tuple[str, ...] = ("almond", "jojoba", "coconut oil", "unscented lotion", "none")

# A source is a seed file with a quoted phrase, or a publication with its year.
_SEED_QUOTE = re.compile(r'\d{3}_[0-9a-f]+\.txt: "[^"]+"')
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def pressure_label(level: int) -> str:
    return PRESSURE_LABELS[level]


class ProtocolError(BackmapError):
    """protocol.toml is wrong; `key` is the path of the bad entry (e.g. `regions.neck_l.max_pressure`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"protocol.toml: {key}: {message}")
        self.key = key


POSITIONS: tuple[str, ...] = ("prone", "side-lying", "seated", "supine")


@dataclass(frozen=True, slots=True)
class SessionOrder:
    """The shape of a session (protocol.toml, "session")."""

    order: tuple[str, ...]  # an area's main techniques, in the seeds' order
    finishing: tuple[str, ...]  # an area's finishing touches
    warm_up: str
    general: str  # the general work of the back that takes the time left over
    finish: str
    default_position: str
    warm_up_minutes: tuple[int, int]
    finish_minutes: tuple[int, int]
    step_minutes: tuple[int, int]  # the least a step takes; the most (an area at 10/10, a round of general work)
    general_level: int
    holds_per_point: int
    rest_seconds: int
    source: str


@dataclass(frozen=True, slots=True)
class Area:
    """Regions (names before _l/_r) worked together, in the order of the session."""

    bases: tuple[str, ...]
    plain: str


@dataclass(frozen=True, slots=True)
class HomeItem:
    """One item of the client's home routine and when it is left out."""

    text: str
    technique: str | None  # left out when a rule leaves this technique out
    regions: frozenset[str]  # left out when a local flag limits one of these regions
    not_with: frozenset[str]  # left out with any of these flags
    source: str


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    plain_name: str  # the client's words: "kneading"
    description: str
    purpose: str
    max_pressure: int  # the technique's own ceiling (tapping is light by nature)
    repetitions: tuple[int, int] | None
    hold_seconds: tuple[int, int] | None
    weight: int  # share of the free minutes per point of tension; 0 = a fixed short step
    importance: int  # when time is short, the least important steps go first
    min_tension: int  # the least tension a region needs to get it (friction: knots only)
    max_minutes: int | None  # the most on one spot (friction)
    source: str


@dataclass(frozen=True, slots=True)
class RegionProtocol:
    id: str
    techniques: tuple[str, ...]
    default_pressure: int
    max_pressure: int
    hold_seconds: tuple[int, int] | None
    cautions: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class StandingRule:
    """A rule for every client; the region entries are checked against it when loading."""

    id: str
    regions: frozenset[str]
    max_pressure: int | None
    forbid: tuple[str, ...]
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ClientHighTension:
    """A client's own 8-10: irritated tissue, so check first and start gentle."""

    min_tension: int
    start_level: int
    drop: tuple[str, ...]  # techniques too strong for irritated tissue
    reason: str  # for the client; {places} {verb}
    source: str


@dataclass(frozen=True, slots=True)
class BesideBone:
    """A mark on the spine or sacrum: gentle work on the muscles beside it instead of the bone."""

    level: int
    beside: Mapping[str, tuple[str, ...]]  # bone region -> the areas beside it
    reason: str  # for the client; {places}
    source: str


@dataclass(frozen=True, slots=True)
class BonePain:
    """Pain on the bone that asks for the red-flag questions before any massage."""

    regions: frozenset[str]
    min_client_tension: int
    with_flags: frozenset[str]  # with one of these, any mark on the bone counts
    with_qualities: frozenset[Quality]  # a mark on the bone that feels like this counts whatever its number
    reason: str  # for the client
    therapist: str  # the red-flag questions filled in
    source: str


@dataclass(frozen=True, slots=True)
class NerveSymptoms:
    """Numbness or pins and needles: light pressure at most there, and the red-flag questions in the lower back."""

    qualities: frozenset[Quality]
    max_level: int
    red_flag_regions: frozenset[str]
    reason: str  # for the client; {places} {verb}
    red_flag_reason: str  # for the client
    therapist: str  # {feelings} {names}
    red_flag_therapist: str  # {feelings}; the red-flag questions filled in
    source: str


@dataclass(frozen=True, slots=True)
class Burning:
    """A burning mark: check first and start gently, as for a client's own 8-10 (ClientHighTension)."""

    qualities: frozenset[Quality]
    reason: str  # for the client; {places} {verb}
    therapist: str  # {names}
    source: str


@dataclass(frozen=True, slots=True)
class InjuryGroup:
    """Same-side regions (names before _l/_r) that a local flag reaches together."""

    id: str
    bases: tuple[str, ...]
    plain: str  # for the client; {side}

    def regions(self, side: str) -> tuple[str, ...]:
        suffix = "_l" if side == "left" else "_r"
        return tuple(base + suffix for base in self.bases)


@dataclass(frozen=True, slots=True)
class LocalStage:
    """What a local flag allows on the regions it reaches, up to `until_days` after its onset (None: from then on)."""

    until_days: int | None
    allow: frozenset[str]  # techniques; empty = no massage there
    cap: int | None
    reason: str  # for the client: {places} {verb} {from_date}
    therapist: str  # {days} {site} {places} {from_date} {side}


@dataclass(frozen=True, slots=True)
class FlagRule:
    id: str
    explain: str  # one line for the intake screen
    local: bool  # takes a region and an onset date
    outcome: Outcome
    reason: str  # for the client: plain and kind
    cap: int | None
    region_caps: Mapping[str, int]  # region id -> level (groups expanded)
    drop: tuple[str, ...]
    region_drops: Mapping[str, frozenset[str]]  # region id -> techniques (groups expanded)
    positions: tuple[str, ...]  # the positions allowed; the first when the recorded one is not
    clearance: bool
    clearance_reason: str | None  # why the doctor is asked, for the client after "because"; with `clearance` only
    implies: tuple[str, ...]
    therapist: tuple[str, ...]  # notes for the therapist only
    aftercare: tuple[str, ...]
    refer: str | None
    urgency: Urgency | None
    reach: Reach | None  # local flags only
    stages: tuple[LocalStage, ...]  # local flags only, by days since onset
    resolved_by_clearance: bool  # a valid clearance on record settles it
    source: str

    @property
    def only_asks_for_clearance(self) -> bool:
        """Whether the doctor's go-ahead is all this flag changes for the client (its reason says nothing else)."""
        changes = self.region_caps or self.drop or self.region_drops or self.positions or self.aftercare
        stops = self.outcome in NO_MASSAGE
        return self.clearance and not (self.local or stops or self.cap is not None or changes)

    def stage_on(self, days: int | None) -> LocalStage:
        """The stage `days` after onset; an unknown onset counts as the freshest."""
        for stage in self.stages:
            if days is None or stage.until_days is None or days <= stage.until_days:
                return stage
        return self.stages[-1]


@dataclass(frozen=True, slots=True)
class Medium:
    name: str
    allergens: frozenset[str]
    pure: bool  # a single ingredient: an allergy to anything else cannot be in it
    source: str


@dataclass(frozen=True, slots=True)
class AftercareItem:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Protocol:
    version: str
    session: SessionOrder
    techniques: Mapping[str, Technique]
    regions: Mapping[str, RegionProtocol]
    standing_rules: tuple[StandingRule, ...]
    client_high_tension: ClientHighTension
    beside_bone: BesideBone
    bone_pain: BonePain
    nerve_symptoms: NerveSymptoms
    burning: Burning
    overlaps: Mapping[str, frozenset[str]]  # region id -> the regions it overlaps (both ways, same side)
    injury_groups: Mapping[str, InjuryGroup]
    areas: tuple[Area, ...]
    stretches: Mapping[str, Mapping[str, str]]  # region name (before _l/_r) -> position -> how
    home_routine: tuple[HomeItem, ...]
    flags: Mapping[str, FlagRule]
    media: tuple[Medium, ...]  # in order of preference
    aftercare: tuple[AftercareItem, ...]

    def standing_rule_capping(self, region_id: str) -> StandingRule | None:
        """The standing rule that sets this region's maximum, if any (for naming it in adjustments)."""
        for rule in self.standing_rules:
            if region_id in rule.regions and rule.max_pressure is not None:
                return rule
        return None

    def standing_rules_forbidding(self, region_id: str) -> tuple[StandingRule, ...]:
        return tuple(rule for rule in self.standing_rules if region_id in rule.regions and rule.forbid)

    def cautions_for(self, region_id: str) -> tuple[str, ...]:
        """The area's cautions for everyone: its own, then those of the standing rules that forbid a technique there."""
        forbidding = self.standing_rules_forbidding(region_id)
        return self.regions[region_id].cautions + tuple(rule.reason for rule in forbidding)


class _Table:
    """One TOML table with its key path: typed getters that raise ProtocolError naming the key."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ProtocolError(path, "must be a table")
        self.data: dict[str, Any] = data
        self.path = path
        self._allowed: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str, required: bool) -> Any:
        self._allowed.add(name)
        if name not in self.data:
            if required:
                raise ProtocolError(self.key(name), "is missing")
            return None
        return self.data[name]

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ProtocolError(self.key(name), "must be a non-empty text")
        return value

    def req_text(self, name: str) -> str:
        value = self.text(name)
        assert value is not None  # required=True raised otherwise
        return value

    def source(self) -> str:
        value = self.req_text("source")
        if not (_SEED_QUOTE.search(value) or _YEAR.search(value)):
            raise ProtocolError(
                self.key("source"),
                'must quote a seed (file.txt: "phrase") or cite a publication with its year',
            )
        return value

    def integer(self, name: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ProtocolError(self.key(name), f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    def req_integer(self, name: str, low: int, high: int) -> int:
        value = self.integer(name, low, high)
        assert value is not None
        return value

    def flag(self, name: str) -> bool:
        value = self.raw(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ProtocolError(self.key(name), f"must be true or false, not {value!r}")
        return value

    def texts(self, name: str, *, allowed: Any = None, required: bool = False) -> tuple[str, ...]:
        value = self.raw(name, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ProtocolError(self.key(name), "must be a list of non-empty texts")
        if allowed is not None:
            for item in value:
                if item not in allowed:
                    raise ProtocolError(self.key(name), f"unknown id {item!r}")
        return tuple(value)

    def span(self, name: str, low: int, high: int) -> tuple[int, int] | None:
        value = self.raw(name, False)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in value)
            or value[0] > value[1]
        ):
            raise ProtocolError(self.key(name), f"must be [min, max] with {low} <= min <= max <= {high}")
        return (value[0], value[1])

    def table(self, name: str) -> _Table:
        return _Table(self.raw(name, True), self.key(name))

    def optional_table(self, name: str) -> _Table | None:
        value = self.raw(name, False)
        return None if value is None else _Table(value, self.key(name))

    def items(self) -> list[tuple[str, Any]]:
        return list(self.data.items())

    def done(self) -> None:
        """Refuses keys nobody asked for: a typo in the data must not be silently ignored."""
        for name in self.data:
            if name not in self._allowed:
                raise ProtocolError(self.key(name), "unknown key")


def _session(table: _Table) -> SessionOrder:
    session = SessionOrder(
        order=table.texts("order", allowed=TECHNIQUE_IDS, required=True),
        finishing=table.texts("finishing", allowed=TECHNIQUE_IDS, required=True),
        warm_up=table.req_text("warm_up"),
        general=table.req_text("general"),
        finish=table.req_text("finish"),
        default_position=table.req_text("default_position"),
        warm_up_minutes=_required_span(table, "warm_up_minutes", 1, 30),
        finish_minutes=_required_span(table, "finish_minutes", 1, 30),
        step_minutes=_required_span(table, "step_minutes", 1, 30),
        general_level=table.req_integer("general_level", 1, DEFAULT_CAP),
        holds_per_point=table.req_integer("holds_per_point", 1, 10),
        rest_seconds=table.req_integer("rest_seconds", 0, 120),
        source=table.source(),
    )
    for name in ("warm_up", "general", "finish"):
        if getattr(session, name) not in TECHNIQUE_IDS:
            raise ProtocolError(table.key(name), f"unknown technique {getattr(session, name)!r}")
    if session.default_position not in POSITIONS:
        raise ProtocolError(table.key("default_position"), f"must be one of {', '.join(POSITIONS)}")
    table.done()
    return session


def _required_span(table: _Table, name: str, low: int, high: int) -> tuple[int, int]:
    span = table.span(name, low, high)
    if span is None:
        raise ProtocolError(table.key(name), "is missing")
    return span


def _areas(root: _Table) -> tuple[Area, ...]:
    areas = []
    for table in _array_of_tables(root, "areas"):
        areas.append(Area(_bases(table, "regions"), table.req_text("plain")))
        table.done()
    covered = [base for area in areas for base in area.bases]
    if sorted(covered) != sorted(_SIDED_BASES):
        raise ProtocolError("areas", "must list every sided region name once")
    return tuple(areas)


def _stretches(table: _Table) -> dict[str, Mapping[str, str]]:
    stretches: dict[str, Mapping[str, str]] = {}
    for base, _ in table.items():
        if base not in _SIDED_BASES:
            raise ProtocolError(table.key(base), "unknown region name (the id before _l/_r)")
        entry = table.table(base)
        entry.source()
        stretches[base] = MappingProxyType(
            {position: how for position in POSITIONS if (how := entry.text(position, required=False))}
        )
        entry.done()
    table.done()
    return stretches


def _home_routine(root: _Table, groups: Mapping[str, tuple[str, ...]]) -> tuple[HomeItem, ...]:
    items = []
    for table in _array_of_tables(root, "home_routine"):
        technique = table.text("technique", required=False)
        if technique is not None and technique not in TECHNIQUE_IDS:
            raise ProtocolError(table.key("technique"), f"unknown technique {technique!r}")
        items.append(
            HomeItem(
                text=table.req_text("text"),
                technique=technique,
                regions=frozenset(_regions_list(table, "regions", groups)) if "regions" in table.data else frozenset(),
                not_with=frozenset(table.texts("not_with", allowed=FLAG_IDS)),
                source=table.source(),
            )
        )
        table.done()
    return tuple(items)


def _technique(table: _Table, technique_id: str) -> Technique:
    technique = Technique(
        id=technique_id,
        name=table.req_text("name"),
        plain_name=table.req_text("plain_name"),
        description=table.req_text("description"),
        purpose=table.req_text("purpose"),
        max_pressure=table.req_integer("max_pressure", 0, PRESSURE_MAX),
        repetitions=table.span("repetitions", 1, 100),
        hold_seconds=table.span("hold_seconds", 1, 300),
        weight=table.req_integer("weight", 0, 10),
        importance=table.req_integer("importance", 1, 10),
        min_tension=table.integer("min_tension", 1, 10, required=False) or 1,
        max_minutes=table.integer("max_minutes", 1, 60, required=False),
        source=table.source(),
    )
    table.done()
    return technique


def _region(table: _Table, region_id: str) -> RegionProtocol:
    region = RegionProtocol(
        id=region_id,
        techniques=table.texts("techniques", allowed=TECHNIQUE_IDS, required=True),
        default_pressure=table.req_integer("default_pressure", 0, PRESSURE_MAX),
        max_pressure=table.req_integer("max_pressure", 0, PRESSURE_MAX),
        hold_seconds=table.span("hold_seconds", 1, 300),
        cautions=table.texts("cautions"),
        source=table.source(),
    )
    if region.default_pressure > region.max_pressure:
        raise ProtocolError(table.key("default_pressure"), "is above max_pressure")
    if region.default_pressure > DEFAULT_CAP:
        raise ProtocolError(table.key("default_pressure"), f"is above the default cap {DEFAULT_CAP}")
    if "pressure_point_hold" in region.techniques and region.hold_seconds is None:
        raise ProtocolError(table.key("hold_seconds"), "is missing for a region with pressure-point holds")
    if region.max_pressure == 0 and region.techniques:
        raise ProtocolError(table.key("techniques"), "must be empty where max_pressure is 0")
    table.done()
    return region


def _regions_list(table: _Table, name: str, groups: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    names = table.texts(name, required=True)
    regions: list[str] = []
    for item in names:
        if groups is not None and item in groups:
            regions.extend(groups[item])
        elif item in REGION_IDS:
            regions.append(item)
        else:
            raise ProtocolError(table.key(name), f"unknown region id {item!r}")
    return regions


def _standing_rule(table: _Table, rule_id: str) -> StandingRule:
    rule = StandingRule(
        id=rule_id,
        regions=frozenset(_regions_list(table, "regions")),
        max_pressure=table.integer("max_pressure", 0, PRESSURE_MAX, required=False),
        forbid=table.texts("forbid", allowed=TECHNIQUE_IDS),
        reason=table.req_text("reason"),
        source=table.source(),
    )
    if rule.max_pressure is None and not rule.forbid:
        raise ProtocolError(table.path, "a standing rule needs max_pressure or forbid")
    table.done()
    return rule


def _groups(table: _Table) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, _ in table.items():
        groups[name] = tuple(_regions_list(table, name))
    table.done()
    return groups


def _region_caps(table: _Table, groups: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    caps_table = table.optional_table("region_caps")
    if caps_table is None:
        return {}
    caps: dict[str, int] = {}
    for name, _ in caps_table.items():
        level = caps_table.req_integer(name, 0, PRESSURE_MAX)
        if name in groups:
            targets: tuple[str, ...] = groups[name]
        elif name in REGION_IDS:
            targets = (name,)
        else:
            raise ProtocolError(caps_table.key(name), "unknown region id or group")
        for region_id in targets:
            caps[region_id] = min(level, caps.get(region_id, level))
    caps_table.done()
    return caps


def _region_drops(table: _Table, groups: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    drops_table = table.optional_table("region_drops")
    if drops_table is None:
        return {}
    drops: dict[str, frozenset[str]] = {}
    for name, _ in drops_table.items():
        techniques = frozenset(drops_table.texts(name, allowed=TECHNIQUE_IDS, required=True))
        for region_id in _group_or_region(drops_table, name, groups):
            drops[region_id] = drops.get(region_id, frozenset()) | techniques
    drops_table.done()
    return drops


def _group_or_region(table: _Table, name: str, groups: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if name in groups:
        return groups[name]
    if name in REGION_IDS:
        return (name,)
    raise ProtocolError(table.key(name), "unknown region id or group")


def _stage(table: _Table) -> LocalStage:
    stage = LocalStage(
        until_days=table.integer("until_days", 0, 3650, required=False),
        allow=frozenset(table.texts("allow", allowed=TECHNIQUE_IDS)),
        cap=table.integer("cap", 0, PRESSURE_MAX, required=False),
        reason=table.req_text("reason"),
        therapist=table.req_text("therapist"),
    )
    table.done()
    return stage


def _stages(table: _Table) -> tuple[LocalStage, ...]:
    stages = tuple(_stage(item) for item in _array_of_tables(table, "stages"))
    for index, stage in enumerate(stages):
        last = index == len(stages) - 1
        if (stage.until_days is None) != last:
            raise ProtocolError(f"{table.key('stages')}[{index}].until_days", "only the last stage has none")
        if not last and index and stages[index - 1].until_days is not None:
            earlier = stages[index - 1].until_days
            if stage.until_days is not None and earlier is not None and stage.until_days <= earlier:
                raise ProtocolError(f"{table.key('stages')}[{index}].until_days", "must grow from stage to stage")
    return stages


def _flag(table: _Table, flag_id: str, groups: Mapping[str, tuple[str, ...]]) -> FlagRule:
    outcome = table.req_text("outcome")
    if outcome not in OUTCOMES:
        raise ProtocolError(table.key("outcome"), f"must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    local = table.flag("local")
    urgency = table.text("urgency", required=False)
    if urgency is not None and urgency not in URGENCIES:
        raise ProtocolError(table.key("urgency"), f"must be one of {', '.join(URGENCIES)}, not {urgency!r}")
    reach = table.text("reach", required=local)
    if reach is not None and reach not in REACHES:
        raise ProtocolError(table.key("reach"), f"must be one of {', '.join(REACHES)}, not {reach!r}")
    if reach is not None and not local:
        raise ProtocolError(table.key("reach"), "only a local flag reaches regions")
    rule = FlagRule(
        id=flag_id,
        explain=table.req_text("explain"),
        local=local,
        outcome=outcome,  # narrowed by the OUTCOMES check above
        reason=table.req_text("reason"),
        cap=table.integer("cap", 0, PRESSURE_MAX, required=False),
        region_caps=MappingProxyType(_region_caps(table, groups)),
        drop=table.texts("drop", allowed=TECHNIQUE_IDS),
        region_drops=MappingProxyType(_region_drops(table, groups)),
        positions=table.texts("positions"),
        clearance=table.flag("clearance"),
        clearance_reason=table.text("clearance_reason", required=table.flag("clearance")),
        implies=table.texts("implies", allowed=FLAG_IDS),
        therapist=table.texts("therapist"),
        aftercare=table.texts("aftercare"),
        refer=table.text("refer", required=False),
        urgency=urgency,  # narrowed by the URGENCIES check above
        reach=reach,  # narrowed by the REACHES check above
        stages=_stages(table) if local else (),
        resolved_by_clearance=table.flag("resolved_by_clearance"),
        source=table.source(),
    )
    stops = rule.outcome in NO_MASSAGE
    if stops and (rule.refer is None or rule.urgency is None):
        raise ProtocolError(table.key("refer"), "is missing: a postponement must say to whom to turn, and how soon")
    if not stops and (rule.refer is not None or rule.urgency is not None):
        raise ProtocolError(table.key("refer"), "only a postponement refers")
    if rule.clearance_reason is not None and not rule.clearance:
        raise ProtocolError(table.key("clearance_reason"), "only a flag with a clearance says why the doctor is asked")
    if (rule.outcome == "urgent") != (rule.urgency == "emergency"):
        raise ProtocolError(table.key("urgency"), "an urgent outcome is an emergency, and only it")
    table.done()
    return rule


def _medium(table: _Table) -> Medium:
    name = table.req_text("name")
    if name not in MEDIUM_NAMES:
        raise ProtocolError(table.key("name"), f"unknown medium {name!r}")
    medium = Medium(
        name=name,
        allergens=frozenset(word.lower() for word in table.texts("allergens", required=True)),
        pure=table.flag("pure"),
        source=table.source(),
    )
    table.done()
    return medium


def _array_of_tables(root: _Table, name: str) -> list[_Table]:
    value = root.raw(name, True)
    if not isinstance(value, list) or not value:
        raise ProtocolError(root.key(name), "must be a non-empty list of tables ([[...]])")
    return [_Table(item, f"{root.key(name)}[{index}]") for index, item in enumerate(value)]


def _keyed(root: _Table, name: str, wanted: tuple[str, ...]) -> list[tuple[str, _Table]]:
    """The sub-tables of `name`, refusing unknown ids and naming missing ones, in the order of `wanted`."""
    table = root.table(name)
    for key, _ in table.items():
        if key not in wanted:
            raise ProtocolError(table.key(key), "unknown id")
    missing = [key for key in wanted if key not in table.data]
    if missing:
        raise ProtocolError(table.key(missing[0]), "is missing")
    return [(key, table.table(key)) for key in wanted]


def _check_standing_rules(protocol: Protocol) -> None:
    for rule in protocol.standing_rules:
        for region_id in sorted(rule.regions):
            region = protocol.regions[region_id]
            if rule.max_pressure is not None and region.max_pressure > rule.max_pressure:
                raise ProtocolError(
                    f"regions.{region_id}.max_pressure",
                    f"is {region.max_pressure}, above the {rule.id} rule's {rule.max_pressure}",
                )
            for technique in rule.forbid:
                if technique in region.techniques:
                    raise ProtocolError(f"regions.{region_id}.techniques", f"{technique} breaks the {rule.id} rule")


_SIDED_BASES = frozenset(spec.id[:-2] for spec in REGION_SPECS if spec.side != "centre")


def _bases(table: _Table, name: str) -> tuple[str, ...]:
    bases = table.texts(name, required=True)
    for base in bases:
        if base not in _SIDED_BASES:
            raise ProtocolError(table.key(name), f"unknown region name {base!r} (the id before _l/_r)")
    return bases


def _overlaps(table: _Table) -> dict[str, frozenset[str]]:
    """Point -> areas (same side) read both ways, for both sides."""
    overlaps: dict[str, set[str]] = {}
    for point, _ in table.items():
        if point not in _SIDED_BASES:
            raise ProtocolError(table.key(point), "unknown region name (the id before _l/_r)")
        for area in _bases(table, point):
            for suffix in ("_l", "_r"):
                overlaps.setdefault(point + suffix, set()).add(area + suffix)
                overlaps.setdefault(area + suffix, set()).add(point + suffix)
    table.done()
    return {region: frozenset(others) for region, others in overlaps.items()}


def _injury_groups(table: _Table) -> dict[str, InjuryGroup]:
    groups: dict[str, InjuryGroup] = {}
    for name, _ in table.items():
        group_table = table.table(name)
        groups[name] = InjuryGroup(name, _bases(group_table, "regions"), group_table.req_text("plain"))
        group_table.done()
    table.done()
    if "upper_quadrant" not in groups:
        raise ProtocolError(table.key("upper_quadrant"), "is missing (the lymph-node rule reaches it)")
    return groups


def _beside_bone(table: _Table) -> BesideBone:
    level = table.req_integer("level", 1, DEFAULT_CAP)
    reason = table.req_text("reason")
    source = table.source()
    beside = {}
    for bone in ("spine", "sacrum"):
        beside[bone] = tuple(_regions_list(table, bone))
    table.done()
    return BesideBone(level, MappingProxyType(beside), reason, source)


def _red_flag_questions(table: _Table) -> str:
    text = table.req_text("text")
    table.source()
    table.done()
    return text


def _qualities(table: _Table, name: str) -> frozenset[Quality]:
    names = table.texts(name, allowed=QUALITIES)
    return frozenset(quality for quality in QUALITIES if quality in names)


def _bone_pain(table: _Table, questions: str) -> BonePain:
    rule = BonePain(
        regions=frozenset(_regions_list(table, "regions")),
        min_client_tension=table.req_integer("min_client_tension", 1, 10),
        with_flags=frozenset(table.texts("with_flags", allowed=FLAG_IDS)),
        with_qualities=_qualities(table, "with_qualities"),
        reason=table.req_text("reason"),
        therapist=table.req_text("therapist").format(questions=questions),
        source=table.source(),
    )
    table.done()
    return rule


def _nerve_symptoms(table: _Table, groups: Mapping[str, tuple[str, ...]], questions: str) -> NerveSymptoms:
    rule = NerveSymptoms(
        qualities=_qualities(table, "qualities"),
        max_level=table.req_integer("max_level", 1, DEFAULT_CAP),
        red_flag_regions=frozenset(_regions_list(table, "red_flag_regions", groups)),
        reason=table.req_text("reason"),
        red_flag_reason=table.req_text("red_flag_reason"),
        therapist=table.req_text("therapist"),
        # {feelings} stays for the review to fill; the questions are described once, in [red_flag_questions].
        red_flag_therapist=table.req_text("red_flag_therapist").replace("{questions}", questions),
        source=table.source(),
    )
    table.done()
    return rule


def _burning(table: _Table) -> Burning:
    rule = Burning(
        qualities=_qualities(table, "qualities"),
        reason=table.req_text("reason"),
        therapist=table.req_text("therapist"),
        source=table.source(),
    )
    table.done()
    return rule


def parse_protocol(data: Mapping[str, Any]) -> Protocol:
    """The checked protocol from parsed TOML; ProtocolError naming the first bad key."""
    root = _Table(dict(data), "")
    version = root.req_text("version")
    session = _session(root.table("session"))
    techniques = {key: _technique(table, key) for key, table in _keyed(root, "techniques", TECHNIQUE_IDS)}
    groups = _groups(root.table("groups"))
    rules_table = root.table("standing_rules")
    standing = tuple(_standing_rule(rules_table.table(key), key) for key, _ in rules_table.items())
    rules_table.done()
    high_table = root.table("client_high_tension")
    client_high = ClientHighTension(
        min_tension=high_table.req_integer("min_tension", 1, 10),
        start_level=high_table.req_integer("start_level", 1, DEFAULT_CAP),
        drop=high_table.texts("drop", allowed=TECHNIQUE_IDS),
        reason=high_table.req_text("reason"),
        source=high_table.source(),
    )
    high_table.done()
    overlaps = _overlaps(root.table("overlaps"))
    injury_groups = _injury_groups(root.table("injury_groups"))
    beside_bone = _beside_bone(root.table("beside_bone"))
    questions = _red_flag_questions(root.table("red_flag_questions"))
    bone_pain = _bone_pain(root.table("bone_pain"), questions)
    nerve_symptoms = _nerve_symptoms(root.table("nerve_symptoms"), groups, questions)
    burning = _burning(root.table("burning"))
    areas = _areas(root)
    stretches = _stretches(root.table("stretches"))
    home_routine = _home_routine(root, groups)
    flags = {key: _flag(table, key, groups) for key, table in _keyed(root, "flags", FLAG_IDS)}
    media = tuple(_medium(table) for table in _array_of_tables(root, "media"))
    if "none" not in {medium.name for medium in media} or media[-1].allergens:
        raise ProtocolError("media", 'must end with "none" (no allergens): the fallback when nothing else fits')
    aftercare: list[AftercareItem] = []
    for table in _array_of_tables(root, "aftercare"):
        aftercare.append(AftercareItem(text=table.req_text("text"), source=table.source()))
        table.done()
    region_ids = tuple(spec.id for spec in REGION_SPECS)
    regions = {key: _region(table, key) for key, table in _keyed(root, "regions", region_ids)}
    root.done()
    protocol = Protocol(
        version=version,
        session=session,
        techniques=MappingProxyType(techniques),
        regions=MappingProxyType(regions),
        standing_rules=standing,
        client_high_tension=client_high,
        beside_bone=beside_bone,
        bone_pain=bone_pain,
        nerve_symptoms=nerve_symptoms,
        burning=burning,
        overlaps=MappingProxyType(overlaps),
        injury_groups=MappingProxyType(injury_groups),
        areas=areas,
        stretches=MappingProxyType(stretches),
        home_routine=home_routine,
        flags=MappingProxyType(flags),
        media=media,
        aftercare=tuple(aftercare),
    )
    _check_standing_rules(protocol)
    return protocol


def read_protocol(path: Path) -> Protocol:
    """Reads and checks one protocol file (not cached)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ProtocolError(str(path), f"cannot be read ({error.strerror or error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(str(path), f"is not valid TOML ({error})") from error
    return parse_protocol(data)


@functools.lru_cache(maxsize=4)
def _cached(path: Path) -> Protocol:
    return read_protocol(path)


def load_protocol(path: Path | None = None) -> Protocol:
    """The bundled protocol.toml (or `path`), checked and cached per file."""
    return _cached((path or data_path("protocol.toml")).resolve())
