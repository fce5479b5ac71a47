"""Each reason once: no sentence of a handout, nor one saying nearly the same, appears twice, whatever the flag."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from app.domain.plan import build_plan
from app.domain.plan_wording import Handout, make_handout
from app.domain.records import FlagEntry, Intake, Mark
from app.ui.plan_view.handout_html import handout_html
from tests.ui.plan_samples import PRACTICE, TYPICAL_MARKS
from tests.ui.test_handout_pages import PROTOCOL, SHARED_NOTE, TODAY, TYPICAL_VISITS, flag_entry

MIN_WORDS = 3  # words that carry meaning: shorter pieces ("A note from your therapist") are headings
NEAR = 0.75  # this share of the shorter sentence's words in the longer one: the same thing said again
FILLER = frozenset(
    re.findall(
        r"\w+", "a an the your you to and of on in it is are from with or for at that this be we us our as by so its"
    )
)


def sentences(handout: Handout) -> list[str]:
    """What the client reads as sentences: every line of the printed handout, cut at . ! ?, without its labels,
    which a plan repeats by nature: the steps' places, turns, technique lines and finishing touches named without
    a method ("Then gentle shaking."), and the position and the oil."""
    document = QTextDocument()
    document.setHtml(handout_html(handout, clearance_on_record=False, map_width=175, map_height=250))
    plan = handout.plan
    labels = {f"Position: {plan.position}", f"Oil or lotion: {plan.medium}"}
    for step in plan.steps:
        labels |= {step.where, step.turn} | ({step.finishing} if ":" not in step.finishing else set())
    found = []
    for line in document.toPlainText().splitlines():
        if line.strip() in labels or " · " in line:
            continue
        found += [piece for piece in re.split(r"(?<=[.!?])\s+", line.strip()) if len(words(piece)) >= MIN_WORDS]
    return found


def words(sentence: str) -> list[str]:
    """The words that carry the sentence's meaning."""
    return [word for word in re.findall(r"[a-z0-9']+", sentence.lower()) if word not in FILLER]


def said_again(first: str, second: str) -> bool:
    """The same sentence, or one with nearly the same words and the same numbers ("6 out of 10" is news)."""
    a, b = set(words(first)), set(words(second))
    numbers = {word for word in a | b if word.isdigit()}
    shorter, longer = sorted((a, b), key=len)
    return numbers <= (a & b) and len(shorter & longer) >= NEAR * len(shorter)


def repeats(handout: Handout) -> list[tuple[str, str]]:
    found = sentences(handout)
    return [(one, other) for i, one in enumerate(found) for other in found[i + 1 :] if said_again(one, other)]


def handout_for(marks: list[Mark], intake: Intake) -> Handout:
    plan = build_plan(marks, intake, 60, PROTOCOL, on=TODAY)
    return make_handout(plan, client_first_name="Ana", date=TODAY, shared_note=SHARED_NOTE, practice=PRACTICE)


@pytest.mark.parametrize("flag", sorted(PROTOCOL.flags))
def test_no_handout_says_a_thing_twice_whatever_the_flag(qapp: QApplication, flag: str) -> None:
    for marks in (*TYPICAL_VISITS.values(), TYPICAL_MARKS):
        assert repeats(handout_for(marks, Intake(TODAY, (flag_entry(flag),)))) == [], flag


def test_on_blood_thinners_the_doctor_is_asked_once_in_the_box_at_the_top(qapp: QApplication) -> None:
    handout = handout_for(TYPICAL_MARKS, Intake(TODAY, (FlagEntry("blood_thinners"),)))
    text = " ".join(sentences(handout))
    assert text.count("doctor's go-ahead") == 1
    assert "check with your doctor that" not in text
    assert repeats(handout) == []


def test_the_same_why_on_the_other_side_is_read_once(qapp: QApplication) -> None:
    """Lying on her side, the client's left and right shoulders get the same stretch: described once."""
    marks = [Mark("trapezius_upper_l", "client", 7), Mark("trapezius_upper_r", "client", 7)]
    steps = handout_for(marks, Intake(TODAY, (FlagEntry("pregnancy"),))).plan.steps
    stretches = [step.finishing for step in steps if "stretch" in step.finishing]
    assert len(stretches) == 2
    assert stretches[0].startswith("Then gentle shaking and a gentle stretch: Lying on your side")
    assert stretches[1] == "Then gentle shaking and a gentle stretch, as before."
    assert repeats(handout_for(marks, Intake(TODAY, (FlagEntry("pregnancy"),)))) == []
