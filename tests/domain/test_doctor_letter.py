"""The letter for the doctor, as a clinician would read it: whom it asks, what it says, what it never says."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.doctor_letter import (
    FLAG_CLINICAL_WORDS,
    REPLY_LINES,
    DoctorLetter,
    Proposal,
    doctor_letter,
    letter_for_session,
    needs_letter,
)
from app.domain.plan import Plan, build_plan
from app.domain.practice import PracticeSettings
from app.domain.protocol import FLAG_IDS, load_protocol
from app.domain.records import Clearance, Client, FlagEntry, Intake, Mark, Session, Soap
from app.domain.region_specs import REGION_IDS
from app.domain.safety import screen

SEEN = dt.date(2026, 11, 20)
WRITTEN = dt.date(2026, 11, 23)
PROTOCOL = load_protocol()
CLIENT = Client("c1", "Ana Example", dt.date(1980, 4, 2))
PRACTICE = PracticeSettings(therapist_name="Sam Example", practice_name="Quiet Hands Massage")
UPPER_TRAPEZIUS = [Mark("trapezius_upper_l", "therapist", 7), Mark("trapezius_upper_r", "therapist", 4)]
EVERY_REGION = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]
CONDITION_TEXT = "Condition only the therapist reads: kidney transplant 2019"
CLEARANCE = Clearance("Dr N. Example", dt.date(2026, 11, 19), "light pressure only", dt.date(2027, 5, 19))


def intake(*flags: FlagEntry | str, **kwargs: Any) -> Intake:
    entries = tuple(FlagEntry(flag) if isinstance(flag, str) else flag for flag in flags)
    return Intake(SEEN, flags=entries, **kwargs)


def letter_and_plan(screened: Intake, marks: list[Mark] = UPPER_TRAPEZIUS) -> tuple[DoctorLetter, Plan]:
    plan = build_plan(marks, screened, 60, PROTOCOL, on=SEEN)
    screening = screen(screened, PROTOCOL, SEEN)
    letter = doctor_letter(CLIENT, screened, screening, plan, PROTOCOL, practice=PRACTICE, written_on=WRITTEN)
    return letter, plan


def letter_for(*flags: FlagEntry | str, marks: list[Mark] = UPPER_TRAPEZIUS) -> DoctorLetter:
    return letter_and_plan(intake(*flags), marks)[0]


def every_text(letter: DoctorLetter) -> str:
    """Every word the letter can print: the text in its fields (nested ones too) and its sentences."""
    parts = [letter.subject, letter.regarding, letter.opening, letter.question, letter.signature, *letter.reply_choices]
    if letter.proposal is not None:
        parts.append(letter.proposal.ceiling_words)
    parts += _strings(dataclasses.astuple(letter))
    return "\n".join(parts)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [text for item in value for text in _strings(item)]
    return []


@pytest.mark.parametrize(
    ("flags", "addressee"),
    [
        (["blood_thinners"], "the GP or doctor"),
        (["dvt_history"], "the GP or doctor"),
        (["pregnancy_high_risk"], "the midwife or doctor"),
        (["pregnancy", "blood_thinners"], "the midwife or doctor"),
        (["cancer_treatment"], "the oncology team"),
        ([FlagEntry("lymph_nodes_removed", "scapula_l"), "blood_thinners"], "the oncology team"),
        (["cancer_treatment", "pregnancy_high_risk"], "the oncology team"),
    ],
)
def test_the_letter_is_addressed_to_the_clinician_the_flags_call_for(
    flags: list[FlagEntry | str], addressee: str
) -> None:
    letter = letter_for(*flags)
    assert letter.addressee == addressee
    assert letter.greeting.startswith("Dear ")


def test_every_flag_has_clinical_words() -> None:
    assert set(FLAG_CLINICAL_WORDS) == set(FLAG_IDS)


def test_blood_thinners_ask_whether_light_massage_is_appropriate_and_say_what_is_left_out() -> None:
    letter, plan = letter_and_plan(intake("blood_thinners"))
    assert needs_letter(plan, clearance_on_record=False)
    assert letter.reported == ("Takes blood thinners (anticoagulant or antiplatelet medicine)",)
    assert letter.told_client == plan.for_client
    assert letter.proposal is not None
    assert letter.question == "Is light back massage appropriate for this patient? Are there any limits?"
    assert letter.proposal.ceiling_words == "light (2 of 5) at most"
    assert "on both sides: upper trapezius" in letter.proposal.areas
    left_out = " ".join(letter.proposal.left_out).lower()
    assert "friction" in left_out
    assert "tapotement" in left_out
    assert "everywhere" in left_out
    assert letter.regarding == "Ana Example, born 2 April 1980"


@settings(max_examples=40, deadline=None)
@given(
    flags=st.lists(st.sampled_from([f for f in FLAG_IDS if not PROTOCOL.flags[f].local]), max_size=4, unique=True),
    tensions=st.lists(st.integers(1, 10), min_size=1, max_size=len(REGION_IDS)),
)
def test_the_proposal_matches_the_plans_ceiling_and_areas(flags: list[str], tensions: list[int]) -> None:
    marks = [Mark(region, "therapist", t) for region, t in zip(sorted(REGION_IDS), tensions, strict=False)]
    letter, plan = letter_and_plan(intake(*flags), marks)
    if letter.proposal is None:
        assert plan.outcome in ("postpone", "urgent")
        return
    top = max(step.pressure.level for step in plan.steps)
    assert letter.proposal.ceiling is not None
    assert letter.proposal.ceiling.level == top
    assert letter.proposal.ceiling.label in letter.question
    assert letter.proposal.minutes == plan.minutes


def test_a_pair_of_sides_is_named_once_and_one_side_says_which() -> None:
    letter = letter_for("blood_thinners", marks=[Mark("trapezius_upper_l", "therapist", 7)])
    assert letter.proposal is not None
    assert letter.proposal.areas == (
        "the whole back, with gentle strokes to begin and to finish",
        "on the left: upper trapezius",
    )


def test_an_injury_is_reported_where_and_since_when_and_its_area_is_left_out() -> None:
    injury = FlagEntry("recent_injury", "lower_back_l", SEEN - dt.timedelta(days=1))
    letter = letter_for("blood_thinners", injury)
    assert "A recent soft-tissue injury, on the left: lower back (quadratus lumborum), since 19 November 2026" in (
        letter.reported
    )
    assert letter.proposal is not None
    assert any(item.startswith("No massage today on the left: lumbar paraspinals") for item in letter.proposal.left_out)


def test_a_settled_injury_is_not_reported() -> None:
    healed = FlagEntry("recent_injury", "lower_back_l", SEEN - dt.timedelta(days=40), SEEN - dt.timedelta(days=2))
    assert not any("injury" in line for line in letter_for("blood_thinners", healed).reported)


def test_a_postponed_plan_says_why_and_what_the_client_was_advised_and_proposes_nothing() -> None:
    letter, plan = letter_and_plan(intake("dvt_current"))
    assert needs_letter(plan, clearance_on_record=True)  # information for the doctor, whatever is on record
    assert letter.proposal is None
    assert letter.advice == plan.refer
    assert "postponed" in letter.opening
    assert "to see a doctor today" in letter.opening
    assert letter.question.startswith("Once you have assessed this patient")
    assert letter.reply_choices[0] == "Yes"


def test_an_urgent_plan_says_the_client_was_sent_for_emergency_care_now() -> None:
    letter = letter_for("cauda_equina_signs")
    assert letter.proposal is None
    assert "to seek emergency care now" in letter.opening
    assert "emergency care" in letter.subject


def test_no_letter_when_massage_goes_ahead_and_no_clearance_is_missing() -> None:
    cleared = intake("blood_thinners", clearance=CLEARANCE)
    plan = build_plan(UPPER_TRAPEZIUS, cleared, 60, PROTOCOL, on=SEEN)
    assert not needs_letter(plan, screen(cleared, PROTOCOL, SEEN).clearance_on_record)
    assert not needs_letter(build_plan(UPPER_TRAPEZIUS, intake(), 60, PROTOCOL, on=SEEN), clearance_on_record=False)


def test_an_expired_clearance_is_named_so_the_doctor_can_renew_it() -> None:
    expired = dataclasses.replace(CLEARANCE, date=dt.date(2026, 1, 5), expires=dt.date(2026, 7, 5))
    letter, plan = letter_and_plan(intake("blood_thinners", clearance=expired))
    assert needs_letter(plan, screen(intake("blood_thinners", clearance=expired), PROTOCOL, SEEN).clearance_on_record)
    assert letter.lapsed_clearance == expired
    assert letter.opening.endswith(
        "The clearance from Dr N. Example of 5 January 2026, with the limits “light pressure only”, expired on "
        "5 July 2026."
    )


def test_the_reply_lines_are_the_clearance_records_fields_in_order() -> None:
    assert [name for name, _label in REPLY_LINES] == [field.name for field in dataclasses.fields(Clearance)]


def test_the_letter_has_no_field_for_therapist_only_text() -> None:
    # A new field must be one a clinician may read: SOAP notes, therapist notes and the intake's free text are not.
    assert [field.name for field in dataclasses.fields(DoctorLetter)] == [
        "practice", "written_on", "seen_on", "addressee", "greeting", "client_name", "client_born", "outcome",
        "reported", "lapsed_clearance", "told_client", "advice", "urgency", "proposal",
    ]  # fmt: skip
    assert [field.name for field in dataclasses.fields(Proposal)] == [
        "minutes", "position", "areas", "techniques", "ceiling", "left_out",
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(flags=st.lists(st.sampled_from([f for f in FLAG_IDS if not PROTOCOL.flags[f].local]), max_size=5, unique=True))
def test_no_therapist_note_or_free_text_reaches_the_letter(flags: list[str]) -> None:
    screened = intake(*flags, "medical_condition", conditions=CONDITION_TEXT)
    letter, plan = letter_and_plan(screened, EVERY_REGION)
    text = every_text(letter)
    assert "kidney transplant" not in text
    for note in plan.therapist_notes:
        assert note not in text


def test_a_sessions_letter_comes_from_its_stored_records_and_never_its_soap_notes() -> None:
    session = Session(
        "s1",
        dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        marks=tuple(UPPER_TRAPEZIUS),
        soap=Soap(subjective="SOAP: client mentions a divorce"),
        shared_note="Stretch your neck every hour.",
    )
    letter = letter_for_session(
        CLIENT, session, [intake("blood_thinners")], PROTOCOL, practice=PRACTICE, written_on=WRITTEN
    )
    assert letter is not None
    assert letter.seen_on == SEEN
    assert "divorce" not in every_text(letter)
    cleared = [intake("blood_thinners", clearance=CLEARANCE)]
    assert letter_for_session(CLIENT, session, cleared, PROTOCOL, practice=PRACTICE, written_on=WRITTEN) is None
