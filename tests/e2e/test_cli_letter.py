"""`backmap letter` as a script would call it: a stored client in, the letter for their doctor out as a PDF."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main

EXAMPLE = Path(__file__).parents[1] / "storage" / "design_example.json"


def _import(data: dict[str, object], folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    source = folder / "client.json"
    source.write_text(json.dumps(data), "utf-8")
    assert main(["import", str(source)]) == 0
    return capsys.readouterr().out.strip()


@pytest.fixture
def uncleared(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The design's example client (blood thinners) before their doctor's clearance was recorded."""
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["intakes"][0]["clearance"] = None
    return _import(data, tmp_path, capsys)


def _text(path: Path) -> str:
    raw = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())  # Qt's PDFs: ligatures, tabs between words


def test_the_letter_is_one_private_page_for_the_doctor(uncleared: str, tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    assert main(["letter", uncleared, "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert len(PdfReader(out).pages) == 1
    text = _text(out)
    assert "About: Ana Example, born 2 April 1980" in text
    assert "Takes blood thinners" in text
    assert "Is light back massage appropriate for this patient? Are there any limits?" in text
    assert "Valid until:" in text
    assert "knot near the neck" not in text  # the mark's note is the therapist's


def test_a_plan_that_needs_no_letter_is_one_line_and_exit_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(EXAMPLE)]) == 0  # its clearance is on record
    capsys.readouterr()
    out = tmp_path / "letter.pdf"
    assert main(["letter", "Ana Example", "-o", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "needs no letter" in error
    assert not out.exists()


def test_a_pdf_is_not_written_to_a_terminal(
    uncleared: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["letter", uncleared]) == 1
    assert "add -o FILE" in capsys.readouterr().err


def test_a_session_that_does_not_exist_is_a_clear_error(uncleared: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["letter", uncleared, "--session", "nope"]) == 1
    assert "--session" in capsys.readouterr().err
