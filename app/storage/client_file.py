"""Client file format v1 and v2 (DESIGN.md, "The client file": a contract): parse text -> records, dump -> canonical.

Version 2 adds the screening flags of plan safety v2 (dvt_chest_symptoms, fragility_fracture, lymph_nodes_removed,
cauda_equina_signs), a local flag's optional "settled" date and a mark's optional "quality" (in a session's marks
and in the marks its amendments record). A record that uses none of them is written as version 1, byte for byte
as before, so older Backmaps still read it; one that does is written as version 2. A scalar session field a later
version adds (app.domain.session_fields, `file_version`) is written the same way: its key only when its value is
not the default, and then with that version.

Canonical form: keys in the order of the DESIGN.md example, marks sorted by region then `by`, intakes and
sessions oldest first, ISO 8601 times with their offset, NFC text, UTF-8 (ensure_ascii=False), 2-space indent,
a trailing newline. dump(parse(x)) == x for canonical x. Numbers that are decimals in the format (stroke width
and points, hold seconds) are always written as decimals (14.0), so 14 in a hand-written file becomes 14.0.

Amendments (a decision of this module, not in the DESIGN.md example) are
`{"at": time with offset, "field": name, "before": value, "after": value, "reason": text}`, where `field` is a
session key (`minutes`, `medium`, `plan`, ...), `soap.<key>`, or `marks.<region>.<client|therapist>`, and
`before`/`after` are that field's JSON value as in this format (a mark as {"tension", "note"}, absent = null).
The session itself shows the values after its amendments; the amendments keep every earlier value.

The JSON is read strictly: a key twice in one object, NaN or Infinity, and integers longer than any field needs
are refused with the field's path (see codec). DEL and the C1 control characters are written as \\u escapes
(as JSON writes the C0 ones), so a file printed to a terminal cannot drive it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.domain.records import Client, ClientRecord, Intake
from app.domain.session_fields import SCALAR_FIELDS
from app.storage.codec import (
    Json,
    StoredJson,
    StoredPoints,
    check_keys_once,
    decode_client,
    decode_intake,
    decode_session,
    encode_client,
    encode_intake,
    encode_session,
    fields_version_needed,
    json_integer,
    json_object,
    session_order,
)
from app.storage.errors import ClientFileError
from app.storage.files import file_kind

FORMAT_NAME = "backmap-client"
# The newest version this Backmap reads and writes: 2 (plan safety v2's flags, pain qualities) or that of the
# newest scalar session field (app.domain.session_fields, `file_version`), so a field's version is said once.
FORMAT_VERSION = max(2, *(field.file_version for field in SCALAR_FIELDS))
READABLE_VERSIONS = tuple(range(1, FORMAT_VERSION + 1))
VERSION_2_FLAGS = frozenset({"dvt_chest_symptoms", "fragility_fracture", "lymph_nodes_removed", "cauda_equina_signs"})
MAX_FILE_BYTES = 64 * 1024 * 1024  # a client with years of sessions and brush strokes is a few MB
_TERMINAL_CONTROLS = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0))}
_TERMINAL_CONTROL = re.compile("[\x7f-\x9f]")
_compact = json.JSONEncoder(allow_nan=False).encode  # json.dumps(value, allow_nan=False), the encoder made once
_json_string = json.encoder.encode_basestring  # json's own (C) writer of a string, as json.dumps uses it


def version_needed(intakes: list[Json], sessions: list[Json]) -> int:
    """The oldest format version that can hold a file's intakes and sessions (their objects as written, or as read
    once they have been checked)."""
    entries = [entry for intake in intakes for entry in intake["flags"]]
    flags = 2 if any(entry["flag"] in VERSION_2_FLAGS or entry.get("settled") is not None for entry in entries) else 1
    qualities = 2 if any(_has_quality(session) for session in sessions) else 1
    return max((flags, qualities, *(fields_version_needed(session) for session in sessions)))


def _has_quality(session: dict[str, Json]) -> bool:
    """A mark with a quality, now or in a value an amendment records (a mark there is {"tension", "note", ...})."""
    recorded = [
        value
        for amendment in session["amendments"]
        if amendment["field"].startswith("marks.")
        for value in (amendment["before"], amendment["after"])
    ]
    return any("quality" in mark for mark in session["marks"]) or any(
        isinstance(value, dict) and "quality" in value for value in recorded
    )


def read_file(path: Path) -> ClientRecord:
    """The client record in the file at `path`: a regular file of at most MAX_FILE_BYTES (never a device or a
    pipe, which could be endless or block), UTF-8. ClientFileError naming the file's problem or the field."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer (it is refused just below).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise ClientFileError("", f"cannot read it ({error.strerror})") from None
    try:
        status = os.fstat(descriptor)
        kind = file_kind(status.st_mode)
        if kind is not None:
            raise ClientFileError("", f"is {kind}, not a client file")
        if status.st_size > MAX_FILE_BYTES:
            raise ClientFileError(
                "", f"is {_megabytes(status.st_size)}; a client file is at most {_megabytes(MAX_FILE_BYTES)}"
            )
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ClientFileError("", f"cannot read it ({error.strerror})") from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise ClientFileError("", f"grew past {_megabytes(MAX_FILE_BYTES)} while it was read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientFileError("", "not UTF-8 text") from None
    return parse(text)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def parse(text: str) -> ClientRecord:
    """The client record in `text`; ClientFileError naming the field path when anything is wrong."""
    try:
        # NaN and Infinity are read as floats and refused where they stand, by the field's decoder.
        data = json.loads(text, object_pairs_hook=json_object, parse_int=json_integer, parse_constant=float)
    except json.JSONDecodeError as error:
        raise ClientFileError(
            "", f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ClientFileError("", "not a client file: its JSON is nested far too deeply") from None
    if not isinstance(data, dict):
        raise ClientFileError("", "a client file is a JSON object")
    check_keys_once(data, "")
    for key in data:
        if key not in ("format", "version", "client", "intakes", "sessions"):
            raise ClientFileError(key, "unknown key")
    if data.get("format") != FORMAT_NAME:
        raise ClientFileError("format", f"must be {FORMAT_NAME!r}, not {data.get('format')!r}")
    version = data.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise ClientFileError(
            "version", f"this Backmap reads client files of version {_either(READABLE_VERSIONS)}, not {version!r}"
        )
    for key in ("client", "intakes", "sessions"):
        if key not in data:
            raise ClientFileError(key, "missing")
    client = decode_client(data["client"], "client")
    for key in ("intakes", "sessions"):
        if not isinstance(data[key], list):
            raise ClientFileError(key, "must be a list")
    intakes = [decode_intake(entry, f"intakes[{i}]") for i, entry in enumerate(data["intakes"])]
    sessions = [decode_session(entry, f"sessions[{i}]") for i, entry in enumerate(data["sessions"])]
    _check_unique([intake.date.isoformat() for intake in intakes], "intakes", "date")
    _check_unique([session.id for session in sessions], "sessions", "id")
    if sessions and client.consent is None:
        raise ClientFileError("client.consent", "the file has sessions but no recorded consent")
    record = ClientRecord(
        client=client,
        intakes=tuple(sorted(intakes, key=lambda intake: intake.date)),
        sessions=tuple(sorted(sessions, key=session_order)),
    )
    needed = version_needed(data["intakes"], data["sessions"])
    if needed > version:
        raise ClientFileError(
            "version", f"the file uses version {needed} flags, mark qualities or session fields but says {version}"
        )
    return record


def _either(versions: tuple[int, ...]) -> str:
    """1 or 2; 1, 2 or 3."""
    *others, last = (str(version) for version in versions)
    return f"{', '.join(others)} or {last}" if others else last


def _check_unique(values: list[str], list_name: str, key: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ClientFileError(f"{list_name}[{index}].{key}", f"{value!r} appears twice")
        seen.add(value)


def dump(record: ClientRecord) -> str:
    """The canonical text of `record`."""
    return "".join(dump_parts(record))


def dump_parts(record: ClientRecord) -> list[str]:
    """The canonical text of `record` in parts, a session each (see document_parts)."""
    sessions = [encode_session(session) for session in sorted(record.sessions, key=session_order)]
    return document_parts(record.client, record.intakes, sessions)


def document_parts(client: Client, intakes: Iterable[Intake], sessions: list[dict[str, Json]]) -> list[str]:
    """The canonical text of a client file in parts, a session each (written to a file one by one: a client with
    a thousand sessions is tens of megabytes, which one string would copy several times over). `sessions` are
    their objects in the file's order (codec's encode_session, or session_object from a store's rows).

    A plan given in many sessions (one dict, or one StoredJson) is one part, the same string each time."""
    written = _Written()
    plans: dict[int, _Encoded] = {}  # by the plan's identity, while `sessions` holds every one
    encoded_intakes = [encode_intake(intake) for intake in sorted(intakes, key=lambda intake: intake.date)]
    head: dict[str, Json] = {
        "format": FORMAT_NAME,
        "version": version_needed(encoded_intakes, sessions),
        "client": encode_client(client),
        "intakes": encoded_intakes,
    }
    try:
        # The text of {**head, "sessions": [...]} at indent 2, its strings escaped as they were written.
        parts = [_indented(head, "\n", written)[:-2] + ',\n  "sessions": ']
        if not sessions:
            return [parts[0] + "[]\n}\n"]
        between = "[\n    "
        for session in sessions:
            plan = session["plan"]  # the last key
            if plan is None:
                parts.append(between + _indented(session, "\n    ", written))
            else:
                if id(plan) not in plans:
                    plans[id(plan)] = _Encoded(_indented(plan, "\n", written))
                text = _indented({**session, "plan": _EMPTY_PLAN}, "\n    ", written)
                parts += [between + text[: -len("{}\n    }")], plans[id(plan)].at(_PLAN_NEWLINE), "\n    }"]
            between = ",\n    "
        parts.append("\n  ]\n}\n")
        return parts
    except _Unusual:  # a value the fast writer does not know: json's own writer, which knows every one
        data = {**head, "sessions": sessions}
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False, default=_stored_value)
        return [escape_terminal_controls(text) + "\n"]


def utf8_parts(parts: list[str]) -> Iterator[bytes]:
    """The parts of dump_parts as UTF-8, a part given many times (a plan) encoded once."""
    encoded: dict[int, bytes] = {}  # by the part's identity, while `parts` holds every one
    for part in parts:
        if id(part) not in encoded:
            encoded[id(part)] = part.encode("utf-8")
        yield encoded[id(part)]


_EMPTY_PLAN: dict[str, Json] = {}  # where a session's plan goes, written as {} and then cut off
_PLAN_NEWLINE = "\n      "  # a session's values are three levels deep


class _Unusual(Exception):
    """A value _indented leaves to json.dumps (a key that is not text, NaN, a subclass of a JSON type)."""


class _Encoded:
    """JSON text already written (one plan given in many sessions), and where it was placed."""

    __slots__ = ("_placed", "_text")

    def __init__(self, text: str) -> None:
        self._text = text  # at the outermost level
        self._placed: dict[str, str] = {}

    def at(self, newline: str) -> str:
        """The text at the depth `newline` says (every line indented as deep)."""
        if newline not in self._placed:
            self._placed[newline] = self._text.replace("\n", newline)
        return self._placed[newline]


# A list of lists of numbers only, as json writes it compactly: [[1.0, 2.5], [3.0, -4e-05]] (a stroke's points).
_NUMBER = r"-?[0-9][0-9.eE+-]*"
_NUMBER_ROWS = re.compile(rf"\[\[{_NUMBER}(?:, {_NUMBER})*\](?:, \[{_NUMBER}(?:, {_NUMBER})*\])*\]")
# The same of floats only, as Python writes them (1.0, 1e-05, 1.5e+16): stored points that are already the file's
# text, as rows.insert_strokes stores them (points stored otherwise, an integer 1 say, are decoded and written as
# floats: 1.0; a float spelled longer than Python's shortest would be kept as spelled, the same number).
_FLOAT = r"-?[0-9]+(?:\.[0-9]+(?:e[+-][0-9]+)?|e[+-][0-9]+)"
_FLOAT_ROWS = re.compile(rf"\[\[{_FLOAT}(?:, {_FLOAT})*\](?:, \[{_FLOAT}(?:, {_FLOAT})*\])*\]")


def _indented(value: Json, newline: str, written: _Written) -> str:
    """`value` as json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) writes it, byte for byte, at
    the depth that `newline` ("\\n" and that depth's indent) says: the same text made by joining strings rather
    than by json's generator per item (ten times faster on a client with a thousand sessions)."""
    if isinstance(value, str):
        return _encode_text(value)
    if isinstance(value, dict):
        return _indented_object(value, newline, written) if value else "{}"
    if isinstance(value, (list, tuple)):
        return _indented_array(value, newline, written) if value else "[]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Unusual  # json.dumps refuses it, in its own words
        return float.__repr__(value)
    if isinstance(value, _Encoded):
        return value.at(newline)
    if isinstance(value, StoredJson):
        if isinstance(value, StoredPoints) and _FLOAT_ROWS.fullmatch(value.text):
            return _widened_rows(value.text, newline)
        return _indented(value.value(), newline, written)
    raise _Unusual


def _stored_value(value: object) -> Json:
    """json.dumps' `default`: the value a StoredJson holds."""
    if isinstance(value, StoredJson):
        return value.value()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _widened_rows(compact: str, newline: str) -> str:
    """Rows of numbers as json writes them compactly ([[1.0, 2.5], [3.0, 4.0]]), at indent 2: its separators
    widened."""
    inner = newline + "  "
    deeper = inner + "  "
    rows = compact[2:-2].replace(", ", "," + deeper).replace("]," + deeper + "[", f"{inner}],{inner}[{deeper}")
    return f"[{inner}[{deeper}{rows}{inner}]{newline}]"


class _Written:
    """What one dump has written already: an object of plain values (a mark) is written once, however many
    sessions repeat it, found by its identity where the sessions share it (a store's rows), else by its items;
    a key's text too."""

    __slots__ = ("by_identity", "by_items", "keys")

    def __init__(self) -> None:
        # id -> (the object, kept so that its id is no other's while this lives; its depth; its text)
        self.by_identity: dict[int, tuple[object, str, str]] = {}
        self.by_items: dict[tuple[object, ...], str] = {}
        self.keys: dict[str, str] = {}


def _indented_object(value: dict[object, Json], newline: str, written: _Written) -> str:
    inner = newline + "  "
    shared = written.by_identity.get(id(value))
    if shared is not None and shared[0] is value and shared[1] == newline:
        return shared[2]
    try:
        same: tuple[object, ...] | None = (newline, *value.items())
        if same in written.by_items:
            return written.by_items[same]
    except TypeError:  # it holds a list or an object: not repeated, and not hashable
        same = None
    parts = []
    keys = written.keys
    for key, item in value.items():
        if not isinstance(key, str):
            raise _Unusual
        key_text = keys.get(key)
        if key_text is None:
            key_text = keys[key] = _encode_text(key) + ": "
        parts.append(key_text + _indented(item, inner, written))
    text = f"{{{inner}{(',' + inner).join(parts)}{newline}}}"
    if same is not None:
        written.by_items[same] = text
        written.by_identity[id(value)] = (value, newline, text)
    return text


def _indented_array(value: list[Json] | tuple[Json, ...], newline: str, written: _Written) -> str:
    inner = newline + "  "
    first = value[0]
    if isinstance(first, list) and first and type(first[0]) in (float, int):
        try:
            compact = _compact(value)
        except (TypeError, ValueError):
            raise _Unusual from None
        if _NUMBER_ROWS.fullmatch(compact):  # rows of numbers only (a stroke's points)
            return _widened_rows(compact, newline)
    by_identity = written.by_identity
    texts = []
    for item in value:
        shared = by_identity.get(id(item))  # a mark shared by many sessions: found without a call
        texts.append(
            shared[2]
            if shared is not None and shared[0] is item and shared[1] == inner
            else _indented(item, inner, written)
        )
    return f"[{inner}{(',' + inner).join(texts)}{newline}]"


def _encode_text(text: str) -> str:
    """A JSON string as json.dumps writes it, with DEL and the C1 controls escaped (escape_terminal_controls)."""
    written = _json_string(text)
    if "\x7f" in written or (not written.isascii() and _TERMINAL_CONTROL.search(written)):
        return written.translate(_TERMINAL_CONTROLS)
    return written


def escape_terminal_controls(json_text: str) -> str:
    """JSON text with DEL and the C1 controls written as \\u escapes, as json.dumps writes the C0 ones."""
    # Looked for first: translating megabytes of text is slow, and these characters are rare.
    return json_text.translate(_TERMINAL_CONTROLS) if _TERMINAL_CONTROL.search(json_text) else json_text
