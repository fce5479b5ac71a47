from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from app.domain.records import ClientRecord
from app.storage.client_file import FORMAT_NAME, FORMAT_VERSION, dump, escape_terminal_controls, parse, version_needed
from app.storage.codec import encode_client, encode_intake, encode_session, session_order
from app.storage.errors import ClientFileError
from tests.storage.conftest import STORE_KINDS
from tests.storage.strategies import client_records

# The example of DESIGN.md, "The client file" (the contract), as written there.
EXAMPLE = (Path(__file__).parent / "design_example.json").read_text(encoding="utf-8")


def example_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE)
    return data


def test_the_design_example_reads_and_its_canonical_form_is_stable() -> None:
    record = parse(EXAMPLE)
    assert record.client.name == "Ana Example"
    assert record.sessions[0].marks[0].tension == 7
    assert record.intakes[0].flags[1].region == "lower_back_l"
    canonical = dump(record)
    assert dump(parse(canonical)) == canonical
    assert canonical.endswith("}\n")
    assert json.loads(canonical) == json.loads(EXAMPLE)  # same content, same key order
    assert list(json.loads(canonical)["sessions"][0]) == list(json.loads(EXAMPLE)["sessions"][0])


def test_marks_are_sorted_by_region_then_layer_and_sessions_oldest_first() -> None:
    data = example_data()
    session = data["sessions"][0]
    session["marks"] = [
        {"region": "neck_r", "by": "therapist", "tension": 1, "note": ""},
        {"region": "neck_l", "by": "therapist", "tension": 2, "note": ""},
        {"region": "neck_l", "by": "client", "tension": 3, "note": ""},
    ]
    later = dict(session, id="6c1e2f4a-9d3b-4e8f-a2c1-7b5d3e9f0a12", start="2026-11-27T09:00:00+02:00")
    data["sessions"] = [later, session]
    out = json.loads(dump(parse(json.dumps(data))))
    assert [(m["region"], m["by"]) for m in out["sessions"][1]["marks"]] == [
        ("neck_l", "client"),
        ("neck_l", "therapist"),
        ("neck_r", "therapist"),
    ]
    assert [s["id"] for s in out["sessions"]] == [session["id"], later["id"]]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    keys = re.findall(r"[^.\[\]]+", path)
    target: Any = data
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("sessions.0.marks.0.tension", 11, "sessions[0].marks[0].tension"),
        ("sessions.0.marks.0.tension", -1, "sessions[0].marks[0].tension"),
        ("sessions.0.marks.0.tension", 7.5, "sessions[0].marks[0].tension"),
        ("sessions.0.marks.0.region", "shoulder", "sessions[0].marks[0].region"),
        ("sessions.0.marks.0.by", "friend", "sessions[0].marks[0].by"),
        ("intakes.0.flags.0.flag", "vampirism", "intakes[0].flags[0].flag"),
        ("intakes.0.flags.1.region", "elbow", "intakes[0].flags[1].region"),
        ("intakes.0.date", "2026-02-30", "intakes[0].date"),
        ("intakes.0.date", "20.11.2026", "intakes[0].date"),
        ("client.born", "yesterday", "client.born"),
        ("sessions.0.start", "2026-11-20T10:00:00", "sessions[0].start"),
        ("sessions.0.finalised", "soon", "sessions[0].finalised"),
        ("sessions.0.soap.pain_after", 12, "sessions[0].soap.pain_after"),
        ("sessions.0.minutes", 0, "sessions[0].minutes"),
        ("sessions.0.holds.0.seconds", -2, "sessions[0].holds[0].seconds"),
        ("sessions.0.strokes.0.width", 0, "sessions[0].strokes[0].width"),
        ("sessions.0.strokes.0.points.0", [1.0], "sessions[0].strokes[0].points[0]"),
        ("sessions.0.colour", "red", "sessions[0].colour"),
        ("client.nickname", "Ana", "client.nickname"),
        ("intakes.0.clearance.expires", "2026-01-01", "intakes[0].clearance.expires"),
        (
            "sessions.0.amendments",
            [{"at": "2026-11-21T09:00:00+02:00", "field": "colour", "before": 1, "after": 2, "reason": ""}],
            "sessions[0].amendments[0].field",
        ),
        ("version", FORMAT_VERSION + 1, "version"),  # a newer file than this Backmap reads
        ("client.consent", None, "client.consent"),
    ],
)
def test_a_bad_field_is_refused_naming_its_path(path: str, value: Any, named: str) -> None:
    data = example_data()
    _set(data, path, value)
    with pytest.raises(ClientFileError) as caught:
        parse(json.dumps(data))
    assert caught.value.path == named
    assert str(caught.value).startswith(named + ": ")


def test_a_duplicate_mark_is_refused_naming_the_second_one() -> None:
    data = example_data()
    mark = data["sessions"][0]["marks"][0]
    data["sessions"][0]["marks"] = [
        mark,
        {"region": "neck_l", "by": "client", "tension": 1, "note": ""},
        mark,
    ]
    with pytest.raises(ClientFileError, match=r"^sessions\[0\]\.marks\[2\]: a second therapist mark"):
        parse(json.dumps(data))


def test_nan_and_broken_json_are_refused() -> None:
    with pytest.raises(ClientFileError, match="not valid JSON"):
        parse(EXAMPLE[:-20])
    with pytest.raises(ClientFileError, match="NaN"):
        parse(EXAMPLE.replace('"seconds": 12.4', '"seconds": NaN'))


def test_odd_unicode_is_normalised_to_nfc_and_survives() -> None:
    data = example_data()
    decomposed = "Zoe\u0308 \u05e9\u05dc\u05d5\u05dd 👩🏽‍⚕️ \u202eRTL\u202c"
    data["client"]["name"] = decomposed
    data["sessions"][0]["marks"][0]["note"] = "ca\u0301lido " * 3
    text = dump(parse(json.dumps(data)))
    record = parse(text)
    assert record.client.name == unicodedata.normalize("NFC", decomposed)
    assert "Zoë" in text  # written as UTF-8, not \\u escapes
    assert dump(record) == text


@settings(max_examples=150, deadline=None)
@given(client_records())
def test_dump_then_parse_gives_the_same_record_and_text(record: ClientRecord) -> None:
    text = dump(record)
    assert parse(text) == record
    assert dump(parse(text)) == text


# A fresh store per example: `request` only reaches the run's session-wide set-up (keys), never a test's folder.
@pytest.mark.parametrize("kind", STORE_KINDS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(client_records())
def test_export_of_import_is_the_file_itself(kind: str, request: pytest.FixtureRequest, record: ClientRecord) -> None:
    canonical = dump(record)
    assume(kind != "postgresql" or "\\u0000" not in canonical)  # PostgreSQL's text holds no NUL (refused there)
    with (
        tempfile.TemporaryDirectory() as folder,
        tempfile.TemporaryDirectory() as elsewhere,
        STORE_KINDS[kind](Path(folder), request) as store,
    ):
        store.import_records([parse(canonical)])
        assert dump(store.history(record.client.id)) == canonical
        exported = store.export_client(record.client.id, Path(elsewhere) / "exported.json")  # streamed
        assert exported.read_bytes() == canonical.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(client_records())
def test_the_file_is_json_s_own_indented_text_of_the_record(record: ClientRecord) -> None:
    """The writer joins strings for speed: what it writes is still, byte for byte, json.dumps with indent=2."""
    intakes = [encode_intake(intake) for intake in sorted(record.intakes, key=lambda intake: intake.date)]
    sessions = [encode_session(session) for session in sorted(record.sessions, key=session_order)]
    data = {
        "format": FORMAT_NAME,
        "version": version_needed(intakes, sessions),
        "client": encode_client(record.client),
        "intakes": intakes,
        "sessions": sessions,
    }
    expected = escape_terminal_controls(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"
    assert dump(record) == expected
