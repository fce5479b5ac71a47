"""No traceback, ever, for bad input: each bad file is refused with one line naming the field, and the records
are as they were. Control characters in what is printed are escaped."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.storage.client_file import MAX_FILE_BYTES, dump, parse
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import fingerprint
from tests.storage.test_client_file import EXAMPLE

pytestmark = pytest.mark.local_file(reason="the command line on a data folder (--data-dir)")

ANA = "0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"
PLACEHOLDER = "@@replaced@@"
CANONICAL = dump(parse(EXAMPLE))


def with_raw(path: str, raw: str) -> str:
    """The example file with the value at `path` (keys and indexes joined by dots) replaced by raw JSON text."""
    data: Any = json.loads(CANONICAL)
    *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
    target = data
    for key in parents:
        target = target[key]
    target[last] = PLACEHOLDER
    return json.dumps(data).replace(json.dumps(PLACEHOLDER), raw)


@pytest.fixture
def stored(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A data folder with the example client in it; its fingerprint (to compare after a failed import)."""
    example = tmp_path / "ana.json"
    example.write_text(CANONICAL, encoding="utf-8")
    assert main(["import", str(example)]) == 0
    capsys.readouterr()
    return fingerprint(data_dir)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line on stderr of a command that must fail with status 1 (and print nothing else)."""
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("backmap: ")
    assert captured.err.count("\n") == 1, captured.err
    return captured.err


DEEP = "[" * 1000 + "]" * 1000
BAD_FIELDS = [
    ("client.name", '"\\ud800"', "client.name: holds \\ud800"),
    ("client.name", '"Ana \\udfff"', "client.name: holds \\udfff"),
    ("client.name", '"\\u200b\\u200b"', "client.name: a client needs a name with at least one visible character"),
    ("client.name", '" \\u3164\\u202e\\u0301 "', "client.name: a client needs a name with at least one visible"),
    ("client.born", '"0001-01-01"', "client.born: must be in the years 1900 to 2999"),
    ("intakes.0.date", '"9999-12-31"', "intakes[0].date: must be in the years 1900 to 2999"),
    ("sessions.0.start", '"0001-01-01T00:00:00+05:00"', "sessions[0].start: must be in the years"),
    ("sessions.0.finalised", '"9999-12-31T23:59:59-12:00"', "sessions[0].finalised: must be in the years"),
    ("sessions.0.marks.0.tension", "1e400", "sessions[0].marks[0].tension: must be a whole number, not Infinity"),
    ("sessions.0.holds.0.seconds", "-1e400", "sessions[0].holds[0].seconds: must be a number, not Infinity"),
    ("sessions.0.holds.0.seconds", "NaN", "sessions[0].holds[0].seconds: must be a number, not NaN"),
    ("sessions.0.holds.0.seconds", "Infinity", "sessions[0].holds[0].seconds: must be a number, not Infinity"),
    ("sessions.0.minutes", "9" * 4300, "sessions[0].minutes: must be a whole number, not a number of 4300 digits"),
    ("sessions.0.minutes", "-" + "9" * 5000, "sessions[0].minutes: must be a whole number, not a number of 5000"),
    ("sessions.0.plan", '{"steps": 1e400}', "sessions[0].plan.steps: must be a number JSON can carry"),
    ("sessions.0.plan", '{"steps": [' + "1" * 5000 + "]}", "sessions[0].plan.steps[0]: must be a number JSON can"),
    ("sessions.0.plan", '{"a": -Infinity}', "sessions[0].plan.a: must be a number JSON can carry, not Infinity"),
    ("sessions.0.plan", '{"a": ["\\udc80"]}', "sessions[0].plan.a[0]: holds \\udc80"),
    ("sessions.0.plan", '{"\\ud83d": 1}', "sessions[0].plan.\\ud83d: holds \\ud83d"),
    ("sessions.0.plan", '{"a": ' + DEEP + "}", "not a client file: its JSON is nested far too deeply"),
    ("sessions.0.plan", '{"a": ' + "[" * 40 + "]" * 40 + "}", "sessions[0].plan.a" + "[0]" * 32),
    ("sessions.0.plan", '{"a": 1, "a": 2}', "sessions[0].plan.a: appears twice in one object"),
    ("client.consent", '{"date": "2026-11-20", "date": "2026-11-21", "notice_version": "1"}', "consent.date: appears"),
    ("sessions.0.amendments", '[{"at": 1, "at": 2}]', "sessions[0].amendments[0].at: appears twice in one object"),
]


@pytest.mark.parametrize(("path", "raw", "message"), BAD_FIELDS)
def test_a_bad_value_is_refused_naming_its_field(
    path: str, raw: str, message: str, stored: dict[str, str], tmp_path: Path, data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text(with_raw(path, raw), encoding="utf-8")
    err = refused(["import", "--replace", str(bad)], capsys)
    assert f"backmap: {bad}: " in err
    assert message in err
    assert fingerprint(data_dir) == stored


def test_duplicate_top_level_keys_and_deep_files_are_refused(
    stored: dict[str, str], tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(CANONICAL.replace('"version": 1,', '"version": 1, "version": 1,', 1), encoding="utf-8")
    assert "version: appears twice in one object" in refused(["import", str(bad)], capsys)
    bad.write_text(DEEP, encoding="utf-8")
    assert "nested far too deeply" in refused(["import", str(bad)], capsys)
    bad.write_text("[" * 100_000, encoding="utf-8")
    assert "bad.json: " in refused(["import", str(bad)], capsys)
    assert fingerprint(data_dir) == stored


def test_devices_pipes_folders_and_huge_files_are_refused_without_reading_them(
    stored: dict[str, str], tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # no writer: opening it to read would wait forever
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 5 * 1024 * 1024)  # sparse: nothing is really written
    cases = {
        Path("/dev/zero"): "/dev/zero: is a device, not a client file",
        pipe: "pipe: is a named pipe, not a client file",
        tmp_path: ": is a folder, not a client file",
        huge: "huge.json: is 69.0 MB; a client file is at most 64.0 MB",
    }
    for path, message in cases.items():
        assert message in refused(["import", str(path)], capsys)
    assert fingerprint(data_dir) == stored


def test_control_characters_are_escaped_wherever_they_are_printed(
    stored: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = "Eve \x1b[2J\x1b]0;owned\x07\x9b31m\nnext line"
    data = json.loads(CANONICAL)
    data["client"]["name"] = evil
    data["client"]["\x1b[31mkey"] = 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    err = refused(["import", str(bad)], capsys)
    assert "\x1b" not in err
    assert "client.\\x1b[31mkey: unknown key" in err

    del data["client"]["\x1b[31mkey"]
    data["client"]["id"] = "e0e0e0e0-0000-4000-8000-000000000005"
    data["sessions"] = []
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(bad)]) == 0
    capsys.readouterr()
    err = refused(["export", "Eve"], capsys)  # lists the candidate, named safely
    assert "\x1b" not in err
    assert "\x9b" not in err
    assert "'Eve \\x1b[2J\\x1b]0;owned\\x07\\x9b31m\\nnext line'" in err
    assert main(["export", evil]) == 0
    exported = capsys.readouterr().out
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", exported)  # JSON escapes, so the terminal sees text
    assert parse(exported).client.name == evil


# -- the attack, generated -----------------------------------------------------------------------------------

NASTY_VALUES = st.sampled_from(
    [
        "1e400", "-1e400", "NaN", "Infinity", "9" * 4400, "1" * 19, "-0", "1.5", "true", "null", "{}", "[]",
        DEEP, '{"a": 1, "a": 1}', '"\\ud800"', '"\\u0000"', '"\\u200b"', '"\\u001b[2J"', '""', '" "',
        '"0001-01-01"', '"9999-12-31"', '"0001-01-01T00:00:00+14:00"', '"9999-12-31T23:59:59-23:59"',
        '"2026-02-30"', '"2026-11-20T25:00:00+02:00"', '"lower_back_l"', '"spine"', '"therapist"',
        '"0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"', '"5e0d1a3b-8c1f-4a57-b7f3-0f5e2a6c9d21"', '"x" ',
    ]
)  # fmt: skip
RAW_SNIPPETS = st.sampled_from(['"', "{", "}", "[", "]", ",", ":", "\\", "\\u", "1e400", '"a": 1, ', "\x00", " "])


def _value_paths(value: Any, prefix: str = "") -> list[str]:
    paths = [prefix] if prefix else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        paths += _value_paths(child, f"{prefix}.{key}" if prefix else str(key))
    return paths


VALUE_PATHS = _value_paths(json.loads(CANONICAL))


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """The example client file, valid, then changed in one to three places: a value replaced with a nasty
    one or a generated JSON value, a key dropped or repeated, or raw text cut, inserted or replaced."""
    data: Any = json.loads(CANONICAL)
    raws: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(VALUE_PATHS))
        *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
        target = data
        try:
            for key in parents:
                target = target[key]
            action = draw(st.sampled_from(["nasty", "generated", "drop"]))
            if action == "drop":
                del target[last]
            elif action == "generated":
                target[last] = draw(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                                                 lambda inner: st.lists(inner, max_size=3)
                                                 | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                                                 max_leaves=6))  # fmt: skip
            else:
                raws.append(draw(NASTY_VALUES))
                target[last] = f"{PLACEHOLDER}{len(raws) - 1}"
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"{PLACEHOLDER}{index}"), raw)
    if draw(st.booleans()):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 8)))
        text = text[:start] + draw(RAW_SNIPPETS | st.just("")) + text[end:]
    encoded = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        encoded = bytes([draw(st.integers(0, 255))]) + encoded
    return encoded


# The suite's bounded run; the long one (the attack made 17,000 bad files) is, for example,
# BACKMAP_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/storage/test_bad_input.py -k mutated
FUZZ_EXAMPLES = int(os.environ.get("BACKMAP_FUZZ_EXAMPLES", "300"))


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=mutated_files())
def test_mutated_client_files_are_imported_or_refused_in_one_line_never_half(
    content: bytes, stored: dict[str, str], tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutated = tmp_path / "mutated.json"
    mutated.write_bytes(content)
    before = fingerprint(data_dir)
    status = main(["import", "--replace", str(mutated)])  # an unexpected exception fails the test right here
    captured = capsys.readouterr()
    event(f"exit status {status}")
    if status == 0:
        assert captured.err == ""
        with SqliteStore.open(data_dir) as repository:
            stored_id = captured.out.strip()
            assert dump(repository.history(stored_id)) == dump(parse(content.decode("utf-8")))
        return
    assert status == 1
    assert captured.out == ""
    assert captured.err.startswith(f"backmap: {mutated}: ")
    assert captured.err.count("\n") == 1
    assert fingerprint(data_dir) == before


def test_a_stored_plan_with_control_characters_prints_harmlessly(
    stored: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", ANA, "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    plan["for_client"] = ["\x1b]0;owned\x07 check first \x9b2J"]
    data = json.loads(CANONICAL)
    data["sessions"][0]["plan"] = plan  # the plan as given, from a file
    given = tmp_path / "given.json"
    given.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", "--replace", str(given)]) == 0
    capsys.readouterr()
    for output in ("text", "json"):
        assert main(["plan", ANA, "--format", output]) == 0
        printed = capsys.readouterr().out
        assert "check first" in printed
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", printed), output
