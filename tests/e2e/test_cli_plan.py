"""`backmap plan` as a script would call it: stored client in, the plan out as text, JSON or the client's PDF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main

EXAMPLE = Path(__file__).parents[1] / "storage" / "design_example.json"
PLAN_KEYS = [
    "plan_version", "outcome", "requires_clearance", "clearance_reasons", "position", "medium", "for_client",
    "therapist_notes", "refer", "refer_urgency", "steps", "aftercare", "home_routine", "protocol_version",
    "map_version",
]  # fmt: skip
STEP_KEYS = [
    "order", "regions", "side", "technique", "pressure", "hold_seconds", "holds", "repetitions", "minutes", "why",
    "finishing", "source", "adjustments",
]  # fmt: skip


@pytest.fixture
def imported(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["import", str(EXAMPLE)]) == 0
    return capsys.readouterr().out.strip()


def test_the_json_plan_has_the_contract_shape_and_honours_blood_thinners(
    imported: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", imported, "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert list(plan) == PLAN_KEYS
    assert plan["outcome"] == "modify"  # the example client takes blood thinners
    assert plan["requires_clearance"] is True
    assert plan["clearance_reasons"] == ["you take blood thinners"]
    assert plan["steps"], "the example marks the left upper trapezius"
    for step in plan["steps"]:
        assert list(step) == STEP_KEYS
        assert step["pressure"]["level"] <= 2
        assert step["technique"] not in ("friction", "tapotement", "pressure_point_hold")
        assert step["why"]
        assert step["source"]
    assert "almond" not in plan["medium"]["name"]  # the example client is allergic to almond


def test_the_text_plan_reads_in_plain_words(imported: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "Ana Example"]) == 0  # by name, too
    text = capsys.readouterr().out
    assert "the top of your left shoulder" in text.lower()
    assert "knot near the neck" not in text  # the mark's note is the therapist's


def test_the_pdf_plan_is_written_privately_and_holds_no_therapist_notes(imported: str, tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    assert main(["plan", imported, "--format", "pdf", "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    raw = "".join(page.extract_text() for page in PdfReader(out).pages)
    text = " ".join(unicodedata.normalize("NFKC", raw).split())  # Qt's PDFs: ligatures, tabs between words
    assert "Your massage plan" in text
    assert "doctor" in text.lower()  # blood thinners: the clearance block
    assert "knot near the neck" not in text


def test_a_session_that_does_not_exist_is_a_clear_error_and_writes_nothing(
    imported: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.json"
    assert main(["plan", imported, "--session", "nope", "--format", "json", "-o", str(out)]) == 1
    assert "--session" in capsys.readouterr().err
    assert not out.exists()


def test_a_client_that_does_not_exist_is_a_clear_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(EXAMPLE)]) == 0
    assert main(["plan", "Nobody Here"]) == 1
    assert "Nobody Here" in capsys.readouterr().err


def test_without_a_display_the_app_says_so_and_names_the_headless_commands() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "needs a display" in done.stderr
    assert "backmap plan" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_reader_that_stops_early_is_not_an_error(data_dir: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "app", "regions", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None
    reader.stdout.read(10)
    reader.stdout.close()
    assert reader.wait(timeout=60) == 0
    assert reader.stderr is not None
    assert b"Traceback" not in reader.stderr.read()
