"""The handout's length: one page for a typical plan whatever the client's flags, two at most with every region
marked; a plan that would spill a few lines onto a second page is laid out tighter instead."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QTextDocument, QTextFormat, QTextTable
from PySide6.QtWidgets import QApplication

from app.domain.plan import build_plan
from app.domain.plan_wording import make_handout
from app.domain.protocol import load_protocol
from app.domain.records import FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.ui.plan_view import plan_pdf
from app.ui.plan_view.plan_pdf import handout_pdf_bytes
from app.ui.settings import PageSizeName
from tests.ui.plan_samples import PRACTICE, TYPICAL_MARKS

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()

# What a therapist typically writes for the client to take home (the demo's kind of note).
SHARED_NOTE = "Roll your shoulders back and down every hour at the desk, and take the stairs when you can."

# Typical visits of two to four marks: both shoulders; a sore lower back, a shoulder and the flat bone at the base
# of the spine (the review's pregnant client); the base of the skull, a shoulder blade and the lower back.
TYPICAL_VISITS = {
    "shoulders": [Mark("trapezius_upper_l", "client", 7), Mark("trapezius_upper_r", "client", 6)],
    "lower back and sacrum": [
        Mark("lower_back_r", "client", 6),
        Mark("trapezius_upper_l", "therapist", 5),
        Mark("sacrum", "client", 5),
    ],
    "neck to lower back": [
        Mark("suboccipital_l", "client", 6),
        Mark("rhomboid_r", "therapist", 6),
        Mark("paraspinal_lumbar_l", "client", 5),
        Mark("lower_back_l", "therapist", 5),
    ],
}
# Where and since when a local flag applies: a two-day-old lumbar strain, a rash, lymph nodes removed last year.
LOCAL_FLAGS = {
    "recent_injury": ("paraspinal_lumbar_l", 2),
    "skin_condition": ("rhomboid_r", 30),
    "lymph_nodes_removed": ("latissimus_l", 400),
}
EVERY_REGION = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]


def flag_entry(flag: str) -> FlagEntry:
    if flag in LOCAL_FLAGS:
        region, days_ago = LOCAL_FLAGS[flag]
        return FlagEntry(flag, region, TODAY - dt.timedelta(days=days_ago))
    return FlagEntry(flag)


def pdf(marks: list[Mark], intake: Intake, page_size: PageSizeName = "A4") -> bytes:
    plan = build_plan(marks, intake, 60, PROTOCOL, on=TODAY)
    handout = make_handout(plan, client_first_name="Ana", date=TODAY, shared_note=SHARED_NOTE, practice=PRACTICE)
    return handout_pdf_bytes(handout, page_size=page_size)


def pages(marks: list[Mark], intake: Intake, page_size: PageSizeName = "A4") -> int:
    return len(PdfReader(io.BytesIO(pdf(marks, intake, page_size))).pages)


def test_a_typical_plan_is_one_page_on_a4_and_letter(qapp: QApplication) -> None:
    assert pages(TYPICAL_MARKS, Intake(TODAY)) == 1
    assert pages(TYPICAL_MARKS, Intake(TODAY), "Letter") == 1
    assert pages(TYPICAL_MARKS, Intake(TODAY, (FlagEntry("blood_thinners"),)), "Letter") == 1


@pytest.mark.parametrize("flag", sorted(PROTOCOL.flags))
def test_a_typical_visit_is_one_page_whatever_the_flag(qapp: QApplication, flag: str) -> None:
    for visit, marks in TYPICAL_VISITS.items():
        for page_size in ("A4", "Letter"):
            assert pages(marks, Intake(TODAY, (flag_entry(flag),)), page_size) == 1, (visit, page_size)


def test_the_reviews_pregnant_client_lying_on_her_side_gets_one_page(qapp: QApplication) -> None:
    marks = TYPICAL_VISITS["lower back and sacrum"]
    for page_size in ("A4", "Letter"):
        assert pages(marks, Intake(TODAY, (FlagEntry("pregnancy"),)), page_size) == 1


def test_a_new_strain_with_an_allergy_is_still_one_page(qapp: QApplication) -> None:
    strain = FlagEntry("recent_injury", "paraspinal_lumbar_l", TODAY - dt.timedelta(days=2))
    healing = FlagEntry("recent_injury", "paraspinal_lumbar_l", TODAY - dt.timedelta(days=20))
    marks = [Mark("paraspinal_lumbar_l", "client", 7), Mark("trapezius_upper_r", "therapist", 6)]
    for injury in (strain, healing):
        assert pages([*marks, Mark("neck_l", "therapist", 4)], Intake(TODAY, (injury,), allergies=("walnut",))) == 1
        assert pages(marks, Intake(TODAY, (injury,), allergies=("walnut", "lavender")), "Letter") == 1


def test_every_region_marked_is_two_pages_at_most(qapp: QApplication) -> None:
    for flags in ((), (FlagEntry("pregnancy"),), (FlagEntry("blood_thinners"),)):
        assert pages(EVERY_REGION, Intake(TODAY, flags)) <= 2, flags
        assert pages(EVERY_REGION, Intake(TODAY, flags), "Letter") <= 2, flags


def test_every_region_marked_moves_each_table_to_its_next_page_once(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    laid_out: list[tuple[int, int]] = []  # per layout of the handout: the moves made, the tables that start a page
    keep_whole = plan_pdf._keep_small_tables_whole

    def counted(document: QTextDocument, page_height: float) -> plan_pdf._Moves:
        moves = keep_whole(document, page_height)
        always_before = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
        frames = plan_pdf._frames(document.rootFrame())
        moved = [f for f in frames if isinstance(f, QTextTable) and f.frameFormat().pageBreakPolicy() & always_before]
        laid_out.append((moves.tables, len(moved)))
        return moves

    monkeypatch.setattr(plan_pdf, "_keep_small_tables_whole", counted)
    for page_size in ("A4", "Letter"):
        pdf(EVERY_REGION, Intake(TODAY), page_size)
    assert any(moves for moves, _ in laid_out)  # the plan's steps do cross pages
    for moves, moved in laid_out:
        assert moves == moved  # a table moved once: never moved again (each move lays the whole document out)
