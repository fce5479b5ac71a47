from __future__ import annotations

import copy
import dataclasses
import os
import re
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from app.domain.plan_model import plan_from_json
from app.domain.plan_wording import CLOSING, make_handout, read_plan
from app.domain.practice import PracticeSettings
from app.errors import BackmapError
from app.ui.plan_view.plan_pdf import _page_layout, paint_handout, write_handout_pdf
from app.ui.settings import PageSizeName
from tests.ui.plan_samples import (
    BLOOD_THINNER_WARNINGS,
    DATE,
    POSTPONE_REFERRAL,
    POSTPONE_WARNING,
    PRACTICE,
    REGION_NOTE,
    SHARED_NOTE,
    SOAP_TEXT,
    STAND_IN_MAP,
    every_region_plan,
    modify_plan_blood_thinners,
    postpone_plan_dvt,
    proceed_plan,
)


@pytest.fixture(autouse=True)
def _app(qapp: QApplication) -> None:
    """Painting and fonts need the application object pytest-qt provides."""


def _write(
    path: Path, plan: dict[str, Any], *, page_size: PageSizeName = "A4", practice: PracticeSettings = PRACTICE
) -> Path:
    handout = make_handout(
        plan_from_json(plan), client_first_name="Ana", date=DATE, shared_note=SHARED_NOTE, practice=practice
    )
    write_handout_pdf(handout, path, page_size=page_size, map_svg=STAND_IN_MAP)
    return path


def _words(text: str) -> str:
    """NFKC (Qt's PDFs use ligatures such as "ﬄ") with all runs of white space made single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _body_text(path: Path) -> str:
    """The text of every page without the running header and footer, so a sentence that a page break split
    reads whole again."""
    reader = PdfReader(path)
    running_header = "Your massage plan For Ana · 23 November 2026 · with Sam Example"
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = _words(page.extract_text()).replace(f"Page {number} of {len(reader.pages)}", "")
        text = text.replace(PRACTICE.contact_line(), "")
        if number > 1:
            text = text.replace(running_header, "", 1)
        pages.append(text)
    return _words(" ".join(pages))


def test_the_pdf_holds_every_step_warning_position_and_medium(tmp_path: Path) -> None:
    plan = modify_plan_blood_thinners()
    text = _body_text(_write(tmp_path / "plan.pdf", plan))
    wording = read_plan(plan)
    for step in wording.steps:
        assert _words(step.where) in text
        assert _words(step.technique) in text
        assert _words(step.why) in text
    for warning in BLOOD_THINNER_WARNINGS:
        assert _words(warning) in text
    assert "→" not in text  # what changed is said in words, once, not as "firm → light" on every step
    assert "Position: Lying face down" in text
    assert "Oil or lotion: Unscented lotion" in text
    assert _words(SHARED_NOTE) in text
    assert "Please check with your doctor first" in text


def test_the_last_column_is_next_time_only_when_the_practice_suggests_a_next_visit(tmp_path: Path) -> None:
    suggesting = dataclasses.replace(PRACTICE, next_visit="two to three weeks")
    text = _body_text(_write(tmp_path / "next.pdf", proceed_plan(), practice=suggesting))
    assert "Next time We suggest your next visit in two to three weeks." in text
    text = _body_text(_write(tmp_path / "plan.pdf", proceed_plan()))
    assert "Next time" not in text
    assert f"Remember {_words(CLOSING)}" in text  # the cues, under a heading that says what they are


def test_every_page_is_numbered_and_carries_the_practice_contact(tmp_path: Path) -> None:
    reader = PdfReader(_write(tmp_path / "plan.pdf", every_region_plan()))
    assert len(reader.pages) == 2  # every region marked: two pages, and the footer says so
    for number, page in enumerate(reader.pages, start=1):
        text = _words(page.extract_text())
        assert f"Page {number} of {len(reader.pages)}" in text
        assert PRACTICE.contact_line() in text


def test_therapist_only_text_never_reaches_the_pdf(tmp_path: Path) -> None:
    plan = copy.deepcopy(proceed_plan())
    plan["soap"] = {"subjective": SOAP_TEXT, "assessment": SOAP_TEXT}  # mixed in by mistake
    plan["notes"] = REGION_NOTE
    plan["steps"][1]["note"] = REGION_NOTE
    text = _body_text(_write(tmp_path / "plan.pdf", plan))
    assert _words(SOAP_TEXT) not in text
    assert "stress at home" not in text
    assert "tearful" not in text
    # And there is no parameter through which a session or its SOAP notes could be passed at all.
    handout = make_handout(
        plan_from_json(proceed_plan()), client_first_name="Ana", date=DATE, shared_note="", practice=PRACTICE
    )
    with pytest.raises(TypeError):
        write_handout_pdf(handout, tmp_path / "other.pdf", soap=SOAP_TEXT)  # type: ignore[call-arg]
    assert not (tmp_path / "other.pdf").exists()


def test_a_postponed_plan_prints_the_reason_and_the_referral_and_no_steps(tmp_path: Path) -> None:
    text = _body_text(_write(tmp_path / "plan.pdf", postpone_plan_dvt()))
    assert "No massage today" in text
    assert _words(POSTPONE_WARNING) in text
    assert _words(POSTPONE_REFERRAL) in text
    assert "Step by step" not in text


@pytest.mark.parametrize(("page_size", "points"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_the_page_size_follows_the_setting(tmp_path: Path, page_size: PageSizeName, points: tuple[int, int]) -> None:
    page = PdfReader(_write(tmp_path / "plan.pdf", proceed_plan(), page_size=page_size)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == points


def test_the_pdf_embeds_the_bundled_font_and_keeps_the_clients_name_out_of_its_metadata(
    tmp_path: Path,
) -> None:
    reader = PdfReader(_write(tmp_path / "plan.pdf", proceed_plan()))
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]  # pypdf types it loosely
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert names
    assert all("DejaVuSans" in name for name in names)
    assert reader.metadata is not None
    assert reader.metadata.title == "Your massage plan"


def test_the_file_is_private_and_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    _write(target, proceed_plan())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]  # no temporary file left behind


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")

    def refuse(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(BackmapError, match=r"cannot save the plan.*No space left"):
        _write(target, proceed_plan())
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(BackmapError, match="does not exist"):
        _write(tmp_path / "nowhere" / "plan.pdf", proceed_plan())


def test_an_unset_practice_prints_no_practice_and_no_phone_number(tmp_path: Path) -> None:
    path = _write(tmp_path / "plan.pdf", proceed_plan(), practice=PracticeSettings())
    text = " ".join(_words(page.extract_text()) for page in PdfReader(path).pages)
    assert "For Ana · 23 November 2026 ·" not in text  # no "with <therapist>"
    assert re.search(r"\d{3}[ -]?\d{3}[ -]?\d{4}", text) is None  # no phone number from anywhere


def test_printing_paints_the_same_pages(tmp_path: Path) -> None:
    """The print path minus the dialog: paint_handout on a QPrinter that prints to a PDF file."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout("A4"))
    handout = make_handout(
        plan_from_json(modify_plan_blood_thinners()),
        client_first_name="Ana",
        date=DATE,
        shared_note=SHARED_NOTE,
        practice=PRACTICE,
    )
    paint_handout(printer, handout, map_svg=STAND_IN_MAP)
    printed = _body_text(tmp_path / "printed.pdf")
    written = _body_text(_write(tmp_path / "written.pdf", modify_plan_blood_thinners()))
    assert printed == written


def test_the_command_line_can_make_a_pdf_without_a_display_or_an_application(tmp_path: Path) -> None:
    """`backmap plan --format pdf` runs headless: the PDF code makes its own offscreen application."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.domain.plan_model import plan_from_json\n"
        "from app.domain.plan_wording import make_handout\n"
        "from app.ui.plan_view.plan_pdf import write_handout_pdf\n"
        "from tests.ui.plan_samples import DATE, PRACTICE, STAND_IN_MAP, proceed_plan\n"
        "handout = make_handout(plan_from_json(proceed_plan()), client_first_name='Ana', date=DATE,"
        " shared_note='', practice=PRACTICE)\n"
        "write_handout_pdf(handout, Path(sys.argv[1]), map_svg=STAND_IN_MAP)\n"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"QT_QPA_PLATFORM", "DISPLAY"}}
    target = tmp_path / "headless.pdf"
    subprocess.run([sys.executable, "-c", script, str(target)], check=True, env=env, cwd=Path(__file__).parents[2])
    assert "Your whole back" in _body_text(target)
