"""Client file format v1 and v2 (DESIGN.md, "The client file": a contract): parse text -> records, dump -> canonical.

Version 2 adds the screening flags of plan safety v2 (dvt_chest_symptoms, fragility_fracture, lymph_nodes_removed,
cauda_equina_signs) and a local flag's optional "settled" date. A record that uses none of them is written as
version 1, byte for byte as before, so older Backmaps still read it; one that does is written as version 2.

Canonical form: keys in the order of the DESIGN.md example, marks sorted by region then `by`, intakes and
sessions oldest first, ISO 8601 times with their offset, NFC text, UTF-8 (ensure_ascii=False), 2-space indent,
a trailing newline. dump(parse(x)) == x for canonical x. Numbers that are decimals in the format (stroke width
and points, hold seconds) are always written as decimals (14.0), so 14 in a hand-written file becomes 14.0.

Amendments (a decision of this module, not in the DESIGN.md example) are
`{"at": time with offset, "field": name, "before": value, "after": value, "reason": text}`, where `field` is a
session key (`minutes`, `medium`, `plan`, ...), `soap.<key>`, or `marks.<region>.<client|therapist>`, and
`before`/`after` are that field's JSON value as in this format (a mark as {"tension", "note"}, absent = null).
The session itself shows the values after its amendments; the amendments keep every earlier value.
"""

from __future__ import annotations

import json
from typing import Any

from app.domain.records import ClientRecord
from app.storage.codec import (
    decode_client,
    decode_intake,
    decode_session,
    encode_client,
    encode_intake,
    encode_session,
    session_order,
)
from app.storage.errors import ClientFileError

FORMAT_NAME = "backmap-client"
FORMAT_VERSION = 2  # the newest this Backmap reads and writes
READABLE_VERSIONS = (1, 2)
VERSION_2_FLAGS = frozenset({"dvt_chest_symptoms", "fragility_fracture", "lymph_nodes_removed", "cauda_equina_signs"})


def version_needed(record: ClientRecord) -> int:
    """The oldest format version that can hold `record`."""
    entries = [entry for intake in record.intakes for entry in intake.flags]
    return 2 if any(entry.flag in VERSION_2_FLAGS or entry.settled is not None for entry in entries) else 1


def _refuse_constant(name: str) -> Any:
    raise ClientFileError("", f"{name} is not a number JSON allows")


def parse(text: str) -> ClientRecord:
    """The client record in `text`; ClientFileError naming the field path when anything is wrong."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ClientFileError(
            "", f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, dict):
        raise ClientFileError("", "a client file is a JSON object")
    for key in data:
        if key not in ("format", "version", "client", "intakes", "sessions"):
            raise ClientFileError(key, "unknown key")
    if data.get("format") != FORMAT_NAME:
        raise ClientFileError("format", f"must be {FORMAT_NAME!r}, not {data.get('format')!r}")
    version = data.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise ClientFileError(
            "version", f"this Backmap reads client files of version 1 or {FORMAT_VERSION}, not {version!r}"
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
    if version_needed(record) > version:
        raise ClientFileError("version", f"the file uses version {version_needed(record)} flags but says {version}")
    return record


def _check_unique(values: list[str], list_name: str, key: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ClientFileError(f"{list_name}[{index}].{key}", f"{value!r} appears twice")
        seen.add(value)


def dump(record: ClientRecord) -> str:
    """The canonical text of `record`."""
    data = {
        "format": FORMAT_NAME,
        "version": version_needed(record),
        "client": encode_client(record.client),
        "intakes": [encode_intake(intake) for intake in sorted(record.intakes, key=lambda intake: intake.date)],
        "sessions": [encode_session(session) for session in sorted(record.sessions, key=session_order)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
