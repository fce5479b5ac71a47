"""The client's records as frozen dataclasses (DESIGN.md, "Session record" and "The client file").

Records validate themselves on construction, so a bad value never gets past the door: a RecordError names the
field. A missing mark means "not assessed", which is not the same as tension 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from app.domain.flags import FLAG_IDS
from app.domain.region_specs import REGION_IDS
from app.errors import BackmapError

Layer = Literal["client", "therapist"]
LAYERS: tuple[Layer, ...] = ("client", "therapist")
# What a mark's tension feels like (the classic pain-drawing qualities); a mark without one is plain tension.
Quality = Literal["aching", "burning", "sharp", "pins_and_needles", "numbness"]
QUALITIES: tuple[Quality, ...] = ("aching", "burning", "sharp", "pins_and_needles", "numbness")
QUALITY_WORDS: dict[Quality, str] = {
    "aching": "aching",
    "burning": "burning",
    "sharp": "sharp or stabbing",
    "pins_and_needles": "pins and needles",
    "numbness": "numbness",
}
TENSION_MAX = 10
PAIN_MAX = 10
PRESSURE_LEVEL_MAX = 5


class RecordError(BackmapError):
    """A value a record cannot hold; `field` names it (e.g. "tension")."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


def _check_region(region: str) -> None:
    if region not in REGION_IDS:
        raise RecordError("region", f"unknown region id {region!r}")


def _check_layer(by: str) -> None:
    if by not in LAYERS:
        raise RecordError("by", f"must be 'client' or 'therapist', not {by!r}")


def _check_quality(quality: str | None) -> None:
    if quality is not None and quality not in QUALITIES:
        raise RecordError("quality", f"must be one of {', '.join(QUALITIES)} (or none), not {quality!r}")


def _check_scale(name: str, value: int | None, top: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise RecordError(name, f"must be a whole number from 0 to {top}, not {value!r}")


def _check_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise RecordError(name, "needs a time zone offset (ISO 8601, e.g. 2026-11-20T10:00:00+02:00)")


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent to record health information; for a minor, given by `guardian` (their name), else empty."""

    date: dt.date
    notice_version: str
    guardian: str = ""


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    born: dt.date | None = None
    phone: str = ""
    email: str = ""
    consent: Consent | None = None
    # The stored row's version (raised by every write to it); 0: not read from the records. Not part of what
    # the record says, so it does not take part in ==.
    version: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise RecordError("name", "a client needs a name")


@dataclass(frozen=True, slots=True)
class FlagEntry:
    """One screening flag (ids in protocol.toml); local flags carry a region, an onset date and when it settled."""

    flag: str
    region: str | None = None
    since: dt.date | None = None
    settled: dt.date | None = None  # from this date on the flag no longer applies (an injury has healed)

    def __post_init__(self) -> None:
        if self.flag not in FLAG_IDS:
            raise RecordError("flag", f"unknown flag {self.flag!r}")
        if self.region is not None:
            _check_region(self.region)
        if self.since is not None and self.settled is not None and self.settled < self.since:
            raise RecordError("settled", "a flag cannot settle before it began")

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the flag still applies on `day` (from its `settled` date on, it no longer does)."""
        return self.settled is None or self.settled > day


@dataclass(frozen=True, slots=True)
class Clearance:
    """A doctor's (or other clinician's) clearance for massage, with its limits."""

    by: str
    date: dt.date
    limits: str = ""
    expires: dt.date | None = None

    def __post_init__(self) -> None:
        if not self.by.strip():
            raise RecordError("clearance.by", "say who gave the clearance")
        if self.expires is not None and self.expires < self.date:
            raise RecordError("clearance.expires", "expires before it was given")

    def valid_on(self, day: dt.date) -> bool:
        return self.date <= day and (self.expires is None or day <= self.expires)


@dataclass(frozen=True, slots=True)
class Intake:
    """The safety screening of one date."""

    date: dt.date
    flags: tuple[FlagEntry, ...] = ()
    allergies: tuple[str, ...] = ()
    conditions: str = ""
    clearance: Clearance | None = None
    version: int = field(default=0, compare=False)  # as Client.version

    def flag_ids(self) -> frozenset[str]:
        return frozenset(entry.flag for entry in self.flags)


@dataclass(frozen=True, slots=True)
class Mark:
    region: str
    by: Layer
    tension: int
    note: str = ""
    quality: Quality | None = None  # None: plain tension

    def __post_init__(self) -> None:
        _check_region(self.region)
        _check_layer(self.by)
        _check_scale("tension", self.tension, TENSION_MAX)
        _check_quality(self.quality)


@dataclass(frozen=True, slots=True)
class MarkState:
    """One region's mark in one layer as it was or will be: tension None = not assessed (no mark)."""

    region: str
    by: Layer
    tension: int | None
    note: str = ""
    quality: Quality | None = None


@dataclass(frozen=True, slots=True)
class Stroke:
    """A freehand brush stroke in map (SVG px) coordinates."""

    by: Layer
    tension: int
    width: float
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        _check_layer(self.by)
        _check_scale("tension", self.tension, TENSION_MAX)
        if not self.width > 0:
            raise RecordError("width", f"must be above 0, not {self.width!r}")
        if not self.points:
            raise RecordError("points", "a stroke needs at least one point")


@dataclass(frozen=True, slots=True)
class Soap:
    """SOAP notes: therapist-only, never shown to the client."""

    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""
    pain_before: int | None = None
    pain_after: int | None = None

    def __post_init__(self) -> None:
        _check_scale("pain_before", self.pain_before, PAIN_MAX)
        _check_scale("pain_after", self.pain_after, PAIN_MAX)


@dataclass(frozen=True, slots=True)
class Hold:
    """A timed pressure-point hold as actually done."""

    region: str
    seconds: float

    def __post_init__(self) -> None:
        _check_region(self.region)
        if not self.seconds >= 0:
            raise RecordError("seconds", f"must be 0 or more, not {self.seconds!r}")


@dataclass(frozen=True, slots=True)
class PressureOverride:
    """The therapist's explicit permission to go above the default cap of 4 (up to 5), with a reason."""

    max_level: int
    reason: str

    def __post_init__(self) -> None:
        _check_scale("override.max_level", self.max_level, PRESSURE_LEVEL_MAX)
        if not self.reason.strip():
            raise RecordError("override.reason", "an override needs a reason")


@dataclass(frozen=True, slots=True)
class Amendment:
    """A dated change to a finalised session: what changed, from what, to what, and why."""

    at: dt.datetime
    field: str
    before: Any
    after: Any
    reason: str = ""

    def __post_init__(self) -> None:
        _check_aware("at", self.at)


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    start: dt.datetime
    minutes: int = 60
    therapist: str = ""
    position: str = "prone"
    medium: str = ""
    override: PressureOverride | None = None
    marks: tuple[Mark, ...] = ()
    strokes: tuple[Stroke, ...] = ()
    soap: Soap = field(default_factory=Soap)
    shared_note: str = ""
    holds: tuple[Hold, ...] = ()
    finalised: dt.datetime | None = None
    amendments: tuple[Amendment, ...] = ()
    plan: dict[str, Any] | None = None  # the plan JSON as given to the client
    version: int = field(default=0, compare=False)  # as Client.version

    def __post_init__(self) -> None:
        _check_aware("start", self.start)
        _check_aware("finalised", self.finalised)
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int) or not 0 < self.minutes <= 480:
            raise RecordError("minutes", f"must be a whole number from 1 to 480, not {self.minutes!r}")
        seen: set[tuple[str, str]] = set()
        for mark in self.marks:
            key = (mark.region, mark.by)
            if key in seen:
                raise RecordError("marks", f"two {mark.by} marks for {mark.region}")
            seen.add(key)

    @property
    def is_final(self) -> bool:
        return self.finalised is not None

    @property
    def is_empty(self) -> bool:
        """Nothing recorded yet (its length, position and medium are only the defaults it started with)."""
        return (
            not self.marks
            and not self.strokes
            and not self.holds
            and self.soap == Soap()
            and not self.shared_note
            and self.plan is None
            and self.override is None
        )

    def layer(self, by: Layer) -> dict[str, Mark]:
        """The marks of one layer by region."""
        return {mark.region: mark for mark in self.marks if mark.by == by}

    def field_value(self, name: str) -> Any:
        """A field by the dotted name the UI and amendments use ("minutes", "soap.assessment")."""
        if name.startswith("soap."):
            return getattr(self.soap, name.removeprefix("soap."))
        return getattr(self, name)

    def with_field(self, name: str, value: Any) -> Session:
        """This session with one field (dotted name, as field_value) changed; validated like any session."""
        if name.startswith("soap."):
            soap_change: dict[str, Any] = {name.removeprefix("soap."): value}
            return replace(self, soap=replace(self.soap, **soap_change))
        change: dict[str, Any] = {name: value}
        return replace(self, **change)

    def effective_tension(self) -> dict[str, int]:
        """Tension per region, the therapist's layer winning where both exist; absent = not assessed."""
        return {region: mark.tension for region, mark in effective_marks(self.marks).items()}


def effective_marks(marks: Iterable[Mark]) -> dict[str, Mark]:
    """The mark that counts per region: the therapist's where both layers marked it; absent = not assessed."""
    marks = tuple(marks)
    merged = {mark.region: mark for mark in marks if mark.by == "client"}
    merged.update({mark.region: mark for mark in marks if mark.by == "therapist"})
    return merged


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """Everything kept about one client: what a client file carries (intakes and sessions oldest first)."""

    client: Client
    intakes: tuple[Intake, ...] = ()
    sessions: tuple[Session, ...] = ()
