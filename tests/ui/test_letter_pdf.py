"""The letter for the doctor on paper: one page, the question and the reply lines, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import stat
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from app.domain.doctor_letter import REPLY_LINES, DoctorLetter, doctor_letter
from app.domain.plan import build_plan
from app.domain.protocol import load_protocol
from app.domain.records import Client, FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.domain.safety import screen
from app.errors import BackmapError
from app.ui.plan_view.letter_pdf import write_letter_pdf
from tests.ui.plan_samples import DATE, PRACTICE

PROTOCOL = load_protocol()
CLIENT = Client("c1", "Ana Example", dt.date(1980, 4, 2))
EVERY_REGION = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]


@pytest.fixture(autouse=True)
def _app(qapp: QApplication) -> None:
    """Painting and fonts need the application object pytest-qt provides."""


def _letter(
    *flags: FlagEntry | str, marks: tuple[Mark, ...] = (Mark("trapezius_upper_l", "therapist", 7),)
) -> DoctorLetter:
    screened = Intake(DATE, tuple(FlagEntry(flag) if isinstance(flag, str) else flag for flag in flags))
    plan = build_plan(marks, screened, 60, PROTOCOL, on=DATE)
    screening = screen(screened, PROTOCOL, DATE)
    return doctor_letter(CLIENT, screened, screening, plan, PROTOCOL, practice=PRACTICE, written_on=DATE)


def _text(path: Path) -> str:
    """NFKC (Qt's PDFs use ligatures such as "ﬄ") with all runs of white space made single spaces."""
    raw = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def test_the_letter_is_one_page_with_the_practice_the_client_the_question_and_the_reply_lines(tmp_path: Path) -> None:
    letter = _letter("blood_thinners")
    path = tmp_path / "letter.pdf"
    write_letter_pdf(letter, path)
    assert len(PdfReader(path).pages) == 1
    text = _text(path)
    assert PRACTICE.practice_name in text
    assert PRACTICE.phone in text
    assert "To: The GP or doctor" in text
    assert "About: Ana Example, born 2 April 1980" in text
    assert "Takes blood thinners" in text
    assert "Is light back massage appropriate for this patient? Are there any limits?" in text
    assert "Light (2 of 5) at most" in text
    for _field, label in REPLY_LINES:
        assert f"{label}:" in text
    assert "Signature:" in text


def test_a_long_letter_still_fits_one_page(tmp_path: Path) -> None:
    letter = _letter(
        "osteoporosis",
        "fragility_fracture",
        "blood_thinners",
        "cancer_treatment",
        "medical_condition",
        FlagEntry("lymph_nodes_removed", "scapula_l"),
        FlagEntry("skin_condition", "neck_r"),
        FlagEntry("recent_injury", "lower_back_r", DATE - dt.timedelta(days=2)),
        marks=tuple(EVERY_REGION),
    )
    path = tmp_path / "letter.pdf"
    write_letter_pdf(letter, path, page_size="Letter")
    assert len(PdfReader(path).pages) == 1
    assert "Are there any limits?" in _text(path)


def test_a_postponed_plans_letter_says_what_the_client_was_advised(tmp_path: Path) -> None:
    letter = _letter("dvt_current")
    path = tmp_path / "letter.pdf"
    write_letter_pdf(letter, path)
    text = _text(path)
    assert "Massage postponed" in text
    assert "Please see a doctor today about your leg" in text
    assert "The massage we propose" not in text


def test_the_file_is_private_and_its_metadata_holds_no_name(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    write_letter_pdf(_letter("blood_thinners"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    metadata = PdfReader(path).metadata
    assert metadata is not None
    assert metadata.title == "Letter for the doctor"


def test_a_missing_folder_names_the_letter(tmp_path: Path) -> None:
    with pytest.raises(BackmapError, match=r"cannot save the letter: the folder .* does not exist"):
        write_letter_pdf(_letter("blood_thinners"), tmp_path / "nowhere" / "letter.pdf")
