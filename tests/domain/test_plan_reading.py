"""The client's handout reads at about a 6th-7th-grade level (health-literacy guidance), measured with Flesch-Kincaid
over every sentence the client reads, for plans over random marks and flags."""

from __future__ import annotations

import datetime as dt
import itertools

import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.plan import build_plan
from app.domain.plan_wording import CLOSING, PlanWording, clearance_missing, clearance_text, wording_for
from app.domain.protocol import FLAG_IDS, load_protocol
from app.domain.records import FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from tests.ui.plan_samples import TYPICAL_MARKS

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
GRADE_MAX = 7.0


def client_sentences(wording: PlanWording) -> str:
    texts = [clearance_text(wording, "Ana") if clearance_missing(wording, clearance_on_record=False) else ""]
    texts += [*wording.for_client, wording.medium_why, wording.refer or "", *wording.aftercare, *wording.home_routine]
    texts += [CLOSING, *(text for step in wording.steps for text in (step.why, step.finishing))]
    return " ".join(text if text.endswith((".", "!", "?")) else f"{text}." for text in texts if text)


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.sampled_from(sorted(REGION_IDS)), min_size=1),
    st.integers(1, 10),
    st.sets(st.sampled_from([flag for flag in FLAG_IDS if not PROTOCOL.flags[flag].local]), max_size=3),
)
def test_the_client_reads_plain_words(regions: set[str], tension: int, flags: set[str]) -> None:
    marks = [Mark(region, "client", tension) for region in sorted(regions)]
    plan = build_plan(marks, Intake(TODAY, tuple(FlagEntry(f) for f in sorted(flags))), 60, PROTOCOL, on=TODAY)
    text = client_sentences(wording_for(plan))
    assert textstat.flesch_kincaid_grade(text) <= GRADE_MAX, text


CLEARANCE_FLAGS = [flag for flag in FLAG_IDS if PROTOCOL.flags[flag].clearance]


def test_the_go_ahead_box_reads_plainly_with_one_reason_or_two() -> None:
    for told in [*itertools.combinations(CLEARANCE_FLAGS, 1), *itertools.combinations(CLEARANCE_FLAGS, 2)]:
        plan = build_plan(TYPICAL_MARKS, Intake(TODAY, tuple(FlagEntry(f) for f in told)), 60, PROTOCOL, on=TODAY)
        box = clearance_text(wording_for(plan), "Ana")
        assert textstat.flesch_kincaid_grade(box) <= GRADE_MAX, box


def test_a_handout_reads_plainly_whatever_the_reasons_for_the_doctor() -> None:
    """Three reasons or more make the box's first sentence long; the handout around it stays plain."""
    for count in range(1, len(CLEARANCE_FLAGS) + 1):
        for told in itertools.combinations(CLEARANCE_FLAGS, count):
            intake = Intake(TODAY, tuple(FlagEntry(f) for f in told))
            text = client_sentences(wording_for(build_plan(TYPICAL_MARKS, intake, 60, PROTOCOL, on=TODAY)))
            assert textstat.flesch_kincaid_grade(text) <= GRADE_MAX, text
