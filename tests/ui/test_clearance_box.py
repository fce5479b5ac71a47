"""Explain: when a plan waits for the doctor's go-ahead, the box at the top of the handout says why, in what the
client told us, and it is the one place the doctor is asked; nothing the therapist alone reads comes with it."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from app.domain.plain_words import joined
from app.domain.plan import Plan, build_plan, plan_from_json
from app.domain.plan_wording import CLEARANCE_HEADING, Handout, make_handout
from app.domain.records import FlagEntry, Intake
from app.ui.plan_view.handout_html import handout_html
from tests.ui.plan_samples import DATE, PRACTICE, TYPICAL_MARKS, modify_plan_blood_thinners
from tests.ui.test_handout_pages import PROTOCOL, SHARED_NOTE, TODAY, pages
from tests.ui.test_handout_said_once import repeats

CLEARANCE_FLAGS = tuple(flag for flag, rule in PROTOCOL.flags.items() if rule.clearance)
# Each clearance flag alone and with every other one, in the controlled list's order.
TOLD = [(flag,) for flag in CLEARANCE_FLAGS] + list(itertools.combinations(CLEARANCE_FLAGS, 2))
CONDITION = "type 2 diabetes, on metformin"  # the intake's own words: the therapist's


def plan_for(flags: tuple[str, ...]) -> Plan:
    intake = Intake(TODAY, tuple(FlagEntry(flag) for flag in flags), conditions=CONDITION)
    return build_plan(TYPICAL_MARKS, intake, 60, PROTOCOL, on=TODAY)


def handout_for(plan: Plan) -> Handout:
    return make_handout(plan, client_first_name="Ana", date=TODAY, shared_note=SHARED_NOTE, practice=PRACTICE)


def printed(handout: Handout) -> str:
    document = QTextDocument()
    document.setHtml(handout_html(handout, clearance_on_record=False, map_width=175, map_height=250))
    return " ".join(document.toPlainText().split())


def box(text: str) -> str:
    """The go-ahead box's words: from its heading to the end of its request."""
    start = text.index(CLEARANCE_HEADING) + len(CLEARANCE_HEADING)
    return text[start : text.index("go ahead with it.", start)]


@pytest.mark.parametrize("flags", TOLD, ids="+".join)
def test_the_go_ahead_box_names_what_the_client_told_us_and_the_doctor_is_asked_once(
    qapp: QApplication, flags: tuple[str, ...]
) -> None:
    text = printed(handout_for(plan_for(flags)))
    why = [PROTOCOL.flags[flag].clearance_reason or "" for flag in flags]
    assert f"Ana, because {joined(why)}, we need your doctor's go-ahead" in box(text)
    assert text.count("go-ahead") == 1
    assert "ask your doctor" not in text  # no reason among the changes asks again
    for reason in why:
        assert text.lower().count(reason) == 1, reason


# The flags whose whole reason was the doctor's go-ahead, now said in the box alone, with every clearance flag.
BOX_ONLY = [told for told in TOLD if any(PROTOCOL.flags[flag].only_asks_for_clearance for flag in told)]


@pytest.mark.parametrize("flags", BOX_ONLY, ids="+".join)
def test_with_the_go_ahead_box_no_sentence_is_said_twice(qapp: QApplication, flags: tuple[str, ...]) -> None:
    assert repeats(handout_for(plan_for(flags))) == []


@pytest.mark.parametrize("flags", TOLD, ids="+".join)
def test_the_therapists_notes_and_the_intakes_words_never_reach_the_handout(
    qapp: QApplication, flags: tuple[str, ...]
) -> None:
    plan = plan_for(flags)
    text = printed(handout_for(plan))
    assert CONDITION not in text
    assert plan.therapist_notes
    for note in plan.therapist_notes:
        assert note not in text, note


def test_a_flag_that_only_asks_for_the_go_ahead_is_named_in_the_box_not_among_the_changes(qapp: QApplication) -> None:
    told = ("fragility_fracture", "medical_condition")
    plan = plan_for(told)
    assert plan.clearance_reasons == tuple(PROTOCOL.flags[flag].clearance_reason for flag in told)
    assert plan.for_client == (PROTOCOL.flags["osteoporosis"].reason,)  # what the broken bone changed: the bones
    thinners = plan_for(("blood_thinners",))
    assert thinners.for_client == (PROTOCOL.flags["blood_thinners"].reason,)  # it changes the pressure too


# A high-risk pregnancy lies on its side, each side's steps apart: with a second clearance flag its handout is at
# the edge of a page or over it, as it was before the box named reasons (the layout's to solve), so the box's
# length is measured on the other pairs.
FACE_DOWN_PAIRS = [pair for pair in TOLD if len(pair) == 2 and "pregnancy_high_risk" not in pair]


@pytest.mark.parametrize("flags", FACE_DOWN_PAIRS, ids="+".join)
def test_a_box_naming_two_reasons_keeps_a_typical_plan_to_one_page(qapp: QApplication, flags: tuple[str, ...]) -> None:
    intake = Intake(TODAY, tuple(FlagEntry(flag) for flag in flags), conditions=CONDITION)
    assert pages(TYPICAL_MARKS, intake) == 1
    assert pages(TYPICAL_MARKS, intake, "Letter") == 1


def test_a_plan_written_before_the_reasons_still_reads_and_asks_in_general_words(qapp: QApplication) -> None:
    stored = modify_plan_blood_thinners()  # plan JSON version 2: no clearance_reasons
    assert stored["plan_version"] == 2
    assert "clearance_reasons" not in stored
    handout = make_handout(
        plan_from_json(stored), client_first_name="Ana", date=DATE, shared_note="", practice=PRACTICE
    )
    wording = handout.plan
    assert wording.clearance_reasons == ()
    text = printed(handout)
    assert "Ana, because of your health, we need your doctor's go-ahead" in box(text)
    assert text.count("go-ahead") == 1
    assert all(reason in text for reason in wording.for_client)  # its changes read as before
