"""Records <-> JSON values: the field shapes of client file format v1 (DESIGN.md, "The client file").

Decoding is strict (unknown keys, unknown ids, wrong types are refused) and every error names the field path,
e.g. `sessions[0].marks[2].tension`. Text is NFC-normalised on the way in and out. The same encoders give the
`before`/`after` values of amendments, so an amendment reads like the file it sits in.

What no field may hold, so that nothing read can fail later where no field is named: a lone surrogate (a
`\ud800` escape that is not text), a number that is not finite (NaN, Infinity, 1e400) or has more than
MAX_INTEGER_DIGITS digits, a key twice in one object, a date outside EARLIEST_YEAR..LATEST_YEAR, JSON nested
deeper than MAX_JSON_DEPTH. JSON is read with json_object and json_integer so that the decoders can tell.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from app.domain.flags import FLAG_IDS
from app.domain.records import (
    LAYERS,
    QUALITIES,
    Amendment,
    Clearance,
    Client,
    Consent,
    FlagEntry,
    Hold,
    Intake,
    Layer,
    Mark,
    PressureOverride,
    Quality,
    RecordError,
    Session,
    Soap,
    Stroke,
)
from app.domain.region_specs import REGION_IDS, canonical_region_id
from app.domain.session_fields import (
    FIELDS_BY_NAME,
    SCALAR_FIELDS,
    SOAP_PART,
    SessionField,
    session_arguments,
)
from app.storage.errors import ClientFileError

T = TypeVar("T")
Json = Any  # a value json.loads returns

# A session object's keys in canonical order, as client file version 1 has them; the scalar ones are read and
# written as their descriptions say (app.domain.session_fields). A scalar key a later version added comes before
# "plan", which stays last, and only when its value is not the default.
SESSION_KEYS = (
    "id",
    "start",
    "minutes",
    "therapist",
    "position",
    "medium",
    "override",
    "marks",
    "strokes",
    "soap",
    "shared_note",
    "holds",
    "finalised",
    "amendments",
    "plan",
)
_SESSION_SCALARS = tuple(field for field in SCALAR_FIELDS if field.part != SOAP_PART)
_SOAP_SCALARS = tuple(field for field in SCALAR_FIELDS if field.part == SOAP_PART)
_LATER_SCALARS = tuple(field for field in SCALAR_FIELDS if field.file_version > 1)
# The fields an amendment may name besides the scalar ones and a mark's "marks.<region>.<client|therapist>".
_AMENDABLE_PARTS = ("start", "override", "strokes", "holds", "plan")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The ids Backmap makes, str(uuid.uuid4()); ids in a file must look the same, so an id never looks like a name.
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SURROGATE = re.compile("[\ud800-\udfff]")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
MAX_INTEGER_DIGITS = 18  # any 64-bit integer the format needs
MAX_JSON_DEPTH = 32  # a plan, the deepest free JSON in the format, is 5 levels deep
# Characters that take no space on screen: a name of only these would be a blank line in every list.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class TooLong:
    """An integer in a file with more digits than any field allows (read as this, so the field is named)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits} digits"


class JsonObject(dict[str, Any]):
    """A JSON object as read, with a key it had twice (a plain dict would silently keep the last value)."""

    repeated: str | None = None


def json_object(pairs: list[tuple[str, Any]]) -> JsonObject:
    """json.loads' object_pairs_hook for client files."""
    found = JsonObject(pairs)
    if len(found) < len(pairs):
        found.repeated = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
    return found


def json_integer(digits: str) -> int | TooLong:
    """json.loads' parse_int for client files: no integer longer than a field could need."""
    length = len(digits.lstrip("-"))
    return TooLong(length) if length > MAX_INTEGER_DIGITS else int(digits)


# -- reading -------------------------------------------------------------------------------------------------


def _object(value: Json, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Json]:
    if not isinstance(value, dict):
        raise ClientFileError(path, f"must be an object, not {_kind(value)}")
    check_keys_once(value, path)
    for key in value:
        if key not in required and key not in optional:
            raise ClientFileError(_join(path, key), "unknown key")
    for key in required:
        if key not in value:
            raise ClientFileError(_join(path, key), "missing")
    return value


def _list(value: Json, path: str) -> list[Json]:
    if not isinstance(value, list):
        raise ClientFileError(path, f"must be a list, not {_kind(value)}")
    return value


def check_keys_once(value: dict[str, Json], path: str) -> None:
    repeated: str | None = getattr(value, "repeated", None)  # a JsonObject's
    if repeated is not None:
        raise ClientFileError(_join(path, repeated), "appears twice in one object (a client file is strict JSON)")


def _check_text(value: str, path: str) -> str:
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        code = f"\\u{ord(surrogate.group()):04x}"
        raise ClientFileError(path, f"holds {code}, half of a character (a lone surrogate), which is not text")
    return value


def _text(value: Json, path: str) -> str:
    if not isinstance(value, str):
        raise ClientFileError(path, f"must be text, not {_kind(value)}")
    return nfc(_check_text(value, path))


def _shown(value: Json) -> str:
    """A number as the file spelled it, where Python's repr would not (nan, inf)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity (or a number too large for one, like 1e400)"
    return repr(value)


def _whole(value: Json, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClientFileError(path, f"must be a whole number, not {_shown(value)}")
    return value


def _number(value: Json, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ClientFileError(path, f"must be a number, not {_shown(value)}")
    return float(value)


def _in_years(year: int, value: str, path: str) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ClientFileError(path, f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}, not {value!r}")


def _date(value: Json, path: str) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ClientFileError(path, f"must be a date like 2026-11-20, not {_shown(value)}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ClientFileError(path, f"is not a real date: {value!r}") from None
    _in_years(day.year, value, path)
    return day


def _moment(value: Json, path: str) -> dt.datetime:
    if not isinstance(value, str):
        raise ClientFileError(path, f"must be an ISO 8601 time with offset, not {_kind(value)}")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ClientFileError(path, f"is not an ISO 8601 time: {value!r}") from None
    if moment.utcoffset() is None:
        raise ClientFileError(path, f"needs a time zone offset (e.g. 2026-11-20T10:00:00+02:00), not {value!r}")
    _in_years(moment.year, value, path)
    return moment


def _id(value: Json, path: str) -> str:
    text = _text(value, path)
    if not _ID.fullmatch(text):
        raise ClientFileError(
            path, f"must be an id as Backmap makes them (like 0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10), not {text!r}"
        )
    return text


def has_visible_character(text: str) -> bool:
    return any(unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_LETTERS for char in text)


def _visible_name(value: Json, path: str) -> str:
    name = _text(value, path)
    if not has_visible_character(name):
        raise ClientFileError(path, "a client needs a name with at least one visible character")
    return name


def _free_json(value: Json, path: str, depth: int = 0) -> Json:
    """A value the format stores as given (a plan, an amendment's before/after), checked as the docstring says."""
    if depth > MAX_JSON_DEPTH:
        raise ClientFileError(path, f"is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, dict):
        check_keys_once(value, path)
        return {
            _check_text(key, _join(path, key)): _free_json(item, _join(path, key), depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_free_json(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, str):
        return _check_text(value, path)
    if isinstance(value, TooLong) or (isinstance(value, float) and not math.isfinite(value)):
        raise ClientFileError(path, f"must be a number JSON can carry, not {_shown(value)}")
    return value


def _optional(value: Json, path: str, read: Callable[[Json, str], T]) -> T | None:
    return None if value is None else read(value, path)


def _region(value: Json, path: str) -> str:
    text = _text(value, path)
    try:
        return canonical_region_id(text)
    except KeyError:
        raise ClientFileError(path, f"unknown region id {text!r}") from None


def _layer(value: Json, path: str) -> Layer:
    for layer in LAYERS:
        if value == layer:
            return layer
    raise ClientFileError(path, f"must be 'client' or 'therapist', not {value!r}")


@contextmanager
def _record_at(path: str) -> Iterator[None]:
    """Turns a record's own validation error into one naming the field path."""
    try:
        yield
    except RecordError as error:
        raise ClientFileError(_join(path, error.field.rsplit(".", 1)[-1]), error.reason) from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Json) -> str:
    if isinstance(value, dict):
        return "an object"
    return {list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(type(value), "a number")


def decode_consent(value: Json, path: str) -> Consent:
    # "guardian" (who consented for a minor) is optional and written only when there is one, so the files of
    # adults are byte-identical to format version 1 as first published.
    data = _object(value, path, ("date", "notice_version"), ("guardian",))
    guardian = _text(data["guardian"], f"{path}.guardian") if "guardian" in data else ""
    if "guardian" in data and not guardian.strip():
        raise ClientFileError(f"{path}.guardian", "leave the key out when there is no guardian")
    return Consent(
        _date(data["date"], f"{path}.date"), _text(data["notice_version"], f"{path}.notice_version"), guardian
    )


def decode_client(value: Json, path: str) -> Client:
    data = _object(value, path, ("id", "name", "born", "phone", "email", "consent"))
    client_id = _id(data["id"], f"{path}.id")
    with _record_at(path):
        return Client(
            id=client_id,
            name=_visible_name(data["name"], f"{path}.name"),
            born=_optional(data["born"], f"{path}.born", _date),
            phone=_text(data["phone"], f"{path}.phone"),
            email=_text(data["email"], f"{path}.email"),
            consent=_optional(data["consent"], f"{path}.consent", decode_consent),
        )


def decode_flag(value: Json, path: str) -> FlagEntry:
    data = _object(value, path, ("flag",), ("region", "since", "settled"))
    flag = _text(data["flag"], f"{path}.flag")
    if flag not in FLAG_IDS:
        raise ClientFileError(f"{path}.flag", f"unknown flag {flag!r}")
    return FlagEntry(
        flag,
        _optional(data.get("region"), f"{path}.region", _region),
        _optional(data.get("since"), f"{path}.since", _date),
        _optional(data.get("settled"), f"{path}.settled", _date),
    )


def decode_clearance(value: Json, path: str) -> Clearance:
    data = _object(value, path, ("by", "date", "limits", "expires"))
    with _record_at(path):
        return Clearance(
            by=_text(data["by"], f"{path}.by"),
            date=_date(data["date"], f"{path}.date"),
            limits=_text(data["limits"], f"{path}.limits"),
            expires=_optional(data["expires"], f"{path}.expires", _date),
        )


def decode_intake(value: Json, path: str) -> Intake:
    data = _object(value, path, ("date", "flags", "allergies", "conditions", "clearance"))
    flags = _list(data["flags"], f"{path}.flags")
    allergies = _list(data["allergies"], f"{path}.allergies")
    return Intake(
        date=_date(data["date"], f"{path}.date"),
        flags=tuple(decode_flag(entry, f"{path}.flags[{i}]") for i, entry in enumerate(flags)),
        allergies=tuple(_text(entry, f"{path}.allergies[{i}]") for i, entry in enumerate(allergies)),
        conditions=_text(data["conditions"], f"{path}.conditions"),
        clearance=_optional(data["clearance"], f"{path}.clearance", decode_clearance),
    )


def decode_mark(value: Json, path: str) -> Mark:
    # "quality" (client file version 2) is left out when the mark is plain tension, so a version 1 mark reads as one.
    data = _object(value, path, ("region", "by", "tension", "note"), ("quality",))
    with _record_at(path):
        return Mark(
            region=_region(data["region"], f"{path}.region"),
            by=_layer(data["by"], f"{path}.by"),
            tension=_whole(data["tension"], f"{path}.tension"),
            note=_text(data["note"], f"{path}.note"),
            quality=_quality(data["quality"], f"{path}.quality") if "quality" in data else None,
        )


def _quality(value: Json, path: str) -> Quality:
    text = _text(value, path)
    for quality in QUALITIES:
        if text == quality:
            return quality
    raise ClientFileError(path, f"must be one of {', '.join(QUALITIES)}, not {value!r}")


def decode_marks(value: Json, path: str) -> tuple[Mark, ...]:
    marks: list[Mark] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(_list(value, path)):
        mark = decode_mark(entry, f"{path}[{index}]")
        if (mark.region, mark.by) in seen:
            raise ClientFileError(f"{path}[{index}]", f"a second {mark.by} mark for {mark.region}")
        seen.add((mark.region, mark.by))
        marks.append(mark)
    return tuple(sorted(marks, key=mark_order))


def decode_point(value: Json, path: str) -> tuple[float, float]:
    pair = _list(value, path)
    if len(pair) != 2:
        raise ClientFileError(path, f"a point is [x, y], not {len(pair)} numbers")
    return (_number(pair[0], f"{path}[0]"), _number(pair[1], f"{path}[1]"))


def decode_stroke(value: Json, path: str) -> Stroke:
    data = _object(value, path, ("by", "tension", "width", "points"))
    points = _list(data["points"], f"{path}.points")
    with _record_at(path):
        return Stroke(
            by=_layer(data["by"], f"{path}.by"),
            tension=_whole(data["tension"], f"{path}.tension"),
            width=_number(data["width"], f"{path}.width"),
            points=tuple(decode_point(point, f"{path}.points[{i}]") for i, point in enumerate(points)),
        )


def decode_strokes(value: Json, path: str) -> tuple[Stroke, ...]:
    return tuple(decode_stroke(entry, f"{path}[{i}]") for i, entry in enumerate(_list(value, path)))


def _scalar_values(data: dict[str, Json], path: str, fields: tuple[SessionField, ...]) -> dict[str, Json]:
    """The values of `fields` in a session's (or its SOAP's) object, by field name; a later key may be absent."""
    return {
        field.name: _read_value(field, data[field.json_key], f"{path}.{field.json_key}")
        if field.json_key in data
        else field.default
        for field in fields
    }


def _read_value(field: SessionField, value: Json, path: str) -> Any:
    if field.value == "text":
        return _text(value, path)
    if field.value == "whole":
        return _whole(value, path)
    return _optional(value, path, _whole)


def _keys(fields: tuple[SessionField, ...], *, later: bool) -> tuple[str, ...]:
    """The keys of `fields` of client file version 1 (required) or, `later`, of a later version (optional)."""
    return tuple(field.json_key for field in fields if (field.file_version > 1) == later)


def _decode_soap(value: Json, path: str) -> Soap:
    data = _object(value, path, _keys(_SOAP_SCALARS, later=False), _keys(_SOAP_SCALARS, later=True))
    _, soap = session_arguments(_scalar_values(data, path, _SOAP_SCALARS))
    with _record_at(path):
        return Soap(**soap)


def decode_hold(value: Json, path: str) -> Hold:
    data = _object(value, path, ("region", "seconds"))
    with _record_at(path):
        return Hold(_region(data["region"], f"{path}.region"), _number(data["seconds"], f"{path}.seconds"))


def decode_holds(value: Json, path: str) -> tuple[Hold, ...]:
    return tuple(decode_hold(entry, f"{path}[{i}]") for i, entry in enumerate(_list(value, path)))


def decode_override(value: Json, path: str) -> PressureOverride:
    data = _object(value, path, ("max_level", "reason"))
    with _record_at(path):
        return PressureOverride(_whole(data["max_level"], f"{path}.max_level"), _text(data["reason"], f"{path}.reason"))


def decode_plan(value: Json, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ClientFileError(path, f"must be the plan object or null, not {_kind(value)}")
    plan: dict[str, Any] = _free_json(value, path)
    return plan


def is_amendable_field(name: str) -> bool:
    """`minutes`, `soap.pain_after`, `marks.<region>.<client|therapist>`, ... (see amendment_changes)."""
    if name in FIELDS_BY_NAME or name in _AMENDABLE_PARTS:
        return True
    head, _, rest = name.partition(".")
    if head == "marks":
        region, _, layer = rest.rpartition(".")
        return region in REGION_IDS and layer in LAYERS
    return False


def decode_amendment(value: Json, path: str) -> Amendment:
    data = _object(value, path, ("at", "field", "before", "after", "reason"))
    name = _text(data["field"], f"{path}.field")
    if not is_amendable_field(name):
        raise ClientFileError(f"{path}.field", f"not a field a session amendment can change: {name!r}")
    return Amendment(
        at=_moment(data["at"], f"{path}.at"),
        field=name,
        before=_free_json(data["before"], f"{path}.before"),
        after=_free_json(data["after"], f"{path}.after"),
        reason=_text(data["reason"], f"{path}.reason"),
    )


def decode_session(value: Json, path: str) -> Session:
    data = _object(value, path, SESSION_KEYS, _keys(_SESSION_SCALARS, later=True))
    session_id = _id(data["id"], f"{path}.id")
    amendments = _list(data["amendments"], f"{path}.amendments")
    finalised = _optional(data["finalised"], f"{path}.finalised", _moment)
    if amendments and finalised is None:
        raise ClientFileError(f"{path}.amendments", "only a finalised session has amendments")
    own, _ = session_arguments(_scalar_values(data, path, _SESSION_SCALARS))
    with _record_at(path):
        return Session(
            id=session_id,
            start=_moment(data["start"], f"{path}.start"),
            override=_optional(data["override"], f"{path}.override", decode_override),
            marks=decode_marks(data["marks"], f"{path}.marks"),
            strokes=decode_strokes(data["strokes"], f"{path}.strokes"),
            soap=_decode_soap(data["soap"], f"{path}.soap"),
            holds=decode_holds(data["holds"], f"{path}.holds"),
            finalised=finalised,
            amendments=tuple(decode_amendment(entry, f"{path}.amendments[{i}]") for i, entry in enumerate(amendments)),
            plan=_optional(data["plan"], f"{path}.plan", decode_plan),
            **own,
        )


# -- writing -------------------------------------------------------------------------------------------------


def mark_order(mark: Mark) -> tuple[str, str]:
    return (mark.region, mark.by)


def session_order(session: Session) -> tuple[dt.datetime, str]:
    return (session.start, session.id)


def encode_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def encode_moment(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def encode_client(client: Client) -> dict[str, Json]:
    consent = client.consent
    return {
        "id": nfc(client.id),
        "name": nfc(client.name),
        "born": encode_date(client.born),
        "phone": nfc(client.phone),
        "email": nfc(client.email),
        "consent": None if consent is None else encode_consent(consent),
    }


def encode_consent(consent: Consent) -> dict[str, Json]:
    encoded: dict[str, Json] = {"date": consent.date.isoformat(), "notice_version": nfc(consent.notice_version)}
    if consent.guardian:
        encoded["guardian"] = nfc(consent.guardian)
    return encoded


def encode_flag(entry: FlagEntry) -> dict[str, Json]:
    data: dict[str, Json] = {"flag": entry.flag}
    if entry.region is not None:
        data["region"] = entry.region
    if entry.since is not None:
        data["since"] = entry.since.isoformat()
    if entry.settled is not None:
        data["settled"] = entry.settled.isoformat()
    return data


def encode_intake(intake: Intake) -> dict[str, Json]:
    clearance = intake.clearance
    return {
        "date": intake.date.isoformat(),
        "flags": [encode_flag(entry) for entry in intake.flags],
        "allergies": [nfc(allergy) for allergy in intake.allergies],
        "conditions": nfc(intake.conditions),
        "clearance": None
        if clearance is None
        else {
            "by": nfc(clearance.by),
            "date": clearance.date.isoformat(),
            "limits": nfc(clearance.limits),
            "expires": encode_date(clearance.expires),
        },
    }


def encode_mark(mark: Mark) -> dict[str, Json]:
    return mark_object(mark.region, mark.by, mark.tension, mark.note, mark.quality)


def mark_object(region: str, by: str, tension: int, note: str, quality: str | None) -> dict[str, Json]:
    """A mark's object in the file (a Mark's fields, or a marks row's columns)."""
    return {"region": region, "by": by, **_mark_value(tension, note, quality)}


def _mark_value(tension: int, note: str, quality: str | None) -> dict[str, Json]:
    """What a mark says beyond where and whose: the quality only when it has one (so plain marks stay version 1)."""
    value: dict[str, Json] = {"tension": tension, "note": nfc(note)}
    if quality is not None:
        value["quality"] = quality
    return value


class StoredJson:
    """JSON text as a store keeps it (compact, as json.dumps writes it), placed in a file as the value it holds
    (a plan as given), read for an export without being decoded where the writer need not."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def value(self) -> Json:
        return json.loads(self.text)


class StoredPoints(StoredJson):
    """A stroke's points as a store keeps them: [[x, y], ...], each number a float in the file."""

    __slots__ = ()

    def value(self) -> Json:
        return _points(json.loads(self.text))


def _points(points: Iterable[Iterable[float]]) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in points]


def encode_stroke(stroke: Stroke) -> dict[str, Json]:
    return stroke_object(stroke.by, stroke.tension, stroke.width, _points(stroke.points))


def stroke_object(by: str, tension: int, width: float, points: list[list[float]] | StoredPoints) -> dict[str, Json]:
    """A brush stroke's object in the file; `points` as [[x, y], ...] of floats, or as a store keeps that list."""
    return {"by": by, "tension": tension, "width": float(width), "points": points}


def encode_hold(hold: Hold) -> dict[str, Json]:
    return hold_object(hold.region, hold.seconds)


def hold_object(region: str, seconds: float) -> dict[str, Json]:
    return {"region": region, "seconds": float(seconds)}


def encode_override(override: PressureOverride | None) -> dict[str, Json] | None:
    return None if override is None else override_object(override.max_level, override.reason)


def override_object(max_level: int, reason: str) -> dict[str, Json]:
    return {"max_level": max_level, "reason": nfc(reason)}


def encode_amendment(amendment: Amendment) -> dict[str, Json]:
    at = amendment.at.isoformat()
    return amendment_object(at, amendment.field, amendment.before, amendment.after, amendment.reason)


def amendment_object(at: str, field: str, before: Json, after: Json, reason: str) -> dict[str, Json]:
    return {"at": at, "field": field, "before": before, "after": after, "reason": nfc(reason)}


def _written_scalars(values: Mapping[str, Any], fields: tuple[SessionField, ...]) -> dict[str, Json]:
    """Key -> value of `fields` in the file (text NFC): a key of a later version only when its value is not the
    default."""
    written = {}
    for field in fields:
        value = values[field.name]
        if field.file_version == 1 or value != field.default:
            written[field.json_key] = nfc(value) if field.value == "text" else value
    return written


def encode_session(session: Session) -> dict[str, Json]:
    return session_object(
        {
            "id": session.id,
            "start": session.start.isoformat(),
            "override": encode_override(session.override),
            "marks": [encode_mark(mark) for mark in sorted(session.marks, key=mark_order)],
            "strokes": [encode_stroke(stroke) for stroke in session.strokes],
            "holds": [encode_hold(hold) for hold in session.holds],
            "finalised": encode_moment(session.finalised),
            "amendments": [encode_amendment(amendment) for amendment in session.amendments],
            "plan": session.plan,
        },
        {field.name: session.field_value(field.name) for field in SCALAR_FIELDS},
    )


def session_object(parts: dict[str, Json], values: Mapping[str, Any]) -> dict[str, Json]:
    """A session's object in the file from its `parts` (the values of SESSION_KEYS that are not scalar fields,
    "soap" aside: marks in mark_order, times as isoformat writes them) and its scalar fields' `values` by name
    (from a Session or from its row): keys in canonical order, the plan last."""
    scalars = _written_scalars(values, _SESSION_SCALARS)
    soap = _written_scalars(values, _SOAP_SCALARS)
    encoded: dict[str, Json] = {
        key: scalars.pop(key) if key in scalars else soap if key == "soap" else parts[key]
        for key in SESSION_KEYS
        if key != "plan"
    }
    encoded["id"] = nfc(encoded["id"])
    # A later version's scalar keys go before the plan, which stays the last key (the export writes it apart).
    return {**encoded, **scalars, "plan": parts["plan"]}


def session_field_values(session: Session) -> dict[str, Json]:
    """Each amendable field of `session` as the JSON value an amendment records (a mark per region/layer)."""
    encoded = encode_session(session)
    # In the session object's order, then the later scalar keys and the SOAP's (the order amendments are added in).
    values: dict[str, Json] = {
        key: encoded[key] for key in SESSION_KEYS if key in _AMENDABLE_PARTS or key in FIELDS_BY_NAME
    }
    values.update({field.name: _scalar_value(field, session) for field in SCALAR_FIELDS})
    for mark in session.marks:
        values[f"marks.{mark.region}.{mark.by}"] = _mark_value(mark.tension, mark.note, mark.quality)
    return values


def _scalar_value(field: SessionField, session: Session) -> Json:
    value = session.field_value(field.name)
    return nfc(value) if field.value == "text" else value


def fields_version_needed(session: dict[str, Json]) -> int:
    """The oldest client-file version whose session object has every scalar key of `session` (a session's
    object, as written or as read: a later key is written when its value is not the default) or its amendments
    name."""
    amended = {amendment["field"] for amendment in session["amendments"]}
    return max(
        (
            field.file_version
            for field in _LATER_SCALARS
            if field.name in amended
            or (session["soap"] if field.part == SOAP_PART else session).get(field.json_key, field.default)
            != field.default
        ),
        default=1,
    )


def amendment_changes(before: Session, after: Session) -> list[tuple[str, Json, Json]]:
    """(field, before, after) for every amendable field that differs; an absent mark is None."""
    old, new = session_field_values(before), session_field_values(after)
    names = list(old) + [name for name in new if name not in old]
    return [(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]
