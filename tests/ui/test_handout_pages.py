"""The handout's length: one page for a typical plan, two at most with every region marked."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from app.domain.plan import build_plan
from app.domain.plan_wording import make_handout
from app.domain.protocol import load_protocol
from app.domain.records import FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.ui.plan_view.plan_pdf import handout_pdf_bytes
from tests.ui.plan_samples import PRACTICE, TYPICAL_MARKS

TODAY = dt.date(2026, 11, 20)


# What a therapist typically writes for the client to take home (the demo's kind of note).
SHARED_NOTE = "Roll your shoulders back and down every hour at the desk, and take the stairs when you can."


def pages(marks: list[Mark], intake: Intake, page_size: str = "A4") -> int:
    plan = build_plan(marks, intake, 60, load_protocol(), on=TODAY)
    handout = make_handout(plan, client_first_name="Ana", date=TODAY, shared_note=SHARED_NOTE, practice=PRACTICE)
    data = handout_pdf_bytes(handout, page_size="Letter" if page_size == "Letter" else "A4")
    return len(PdfReader(io.BytesIO(data)).pages)


def test_a_typical_plan_is_one_page_on_a4_and_letter(qapp: QApplication) -> None:
    assert pages(TYPICAL_MARKS, Intake(TODAY)) == 1
    assert pages(TYPICAL_MARKS, Intake(TODAY), "Letter") == 1


def test_a_healing_strain_with_an_unknown_allergy_is_still_one_page(qapp: QApplication) -> None:
    strain = FlagEntry("recent_injury", "paraspinal_lumbar_l", TODAY - dt.timedelta(days=5))
    marks = [Mark("paraspinal_lumbar_l", "client", 7), Mark("trapezius_upper_r", "therapist", 6)]
    assert pages(marks, Intake(TODAY, (strain,), allergies=("walnut", "lavender"))) == 1


def test_every_region_marked_is_two_pages_at_most(qapp: QApplication) -> None:
    every = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]
    assert pages(every, Intake(TODAY)) <= 2
    assert pages(every, Intake(TODAY, (FlagEntry("pregnancy"),))) <= 2
