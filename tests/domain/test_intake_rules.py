from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.flag_info import flag_infos
from app.domain.intake_rules import (
    age_on,
    birth_date_problem,
    clearance_problem,
    email_problem,
    flag_problem,
    guardian_problem,
    is_minor,
    normalise_allergy,
    parse_date,
    screening_is_due,
    typed_date_problem,
)
from app.domain.protocol import load_protocol

DEFAULT_FLAGS = flag_infos(load_protocol())
FLAGS = {info.id: info for info in DEFAULT_FLAGS}
DESIGN_FLAG_IDS = {
    "blood_thinners", "bleeding_disorder", "dvt_history", "dvt_current", "pregnancy", "pregnancy_high_risk",
    "osteoporosis", "recent_injury", "skin_condition", "contagious_skin", "fever", "cancer_treatment",
    "red_flag_back_pain", "medical_condition",
    # plan safety v2 (client file version 2)
    "dvt_chest_symptoms", "fragility_fracture", "lymph_nodes_removed", "cauda_equina_signs",
}  # fmt: skip


def test_the_form_shows_the_design_flags_and_only_injury_skin_and_lymph_nodes_are_local() -> None:
    assert set(FLAGS) == DESIGN_FLAG_IDS
    assert len(DEFAULT_FLAGS) == len(DESIGN_FLAG_IDS)
    local = {info.id for info in DEFAULT_FLAGS if info.local}
    assert local == {"recent_injury", "skin_condition", "lymph_nodes_removed"}
    assert all(info.label and info.explanation for info in DEFAULT_FLAGS)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(2008, 11, 20), dt.date(2026, 11, 20), 18),  # the birthday itself counts
        (dt.date(2008, 11, 21), dt.date(2026, 11, 20), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day birthday: 18 from 1 March
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
    ],
)
def test_age_on(born: dt.date, day: dt.date, age: int) -> None:
    assert age_on(born, day) == age
    assert is_minor(born, day) == (age < 18)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), st.integers(0, 120))
def test_age_grows_by_one_on_each_birthday(born: dt.date, years: int) -> None:
    birthday = born.replace(year=born.year + years) if (born.month, born.day) != (2, 29) else None
    if birthday is not None and birthday.year <= 9999:
        assert age_on(born, birthday) == years
        assert age_on(born, birthday - dt.timedelta(days=1)) == years - 1


def test_unknown_date_of_birth_is_not_a_minor() -> None:
    assert not is_minor(None, dt.date(2026, 11, 20))


def test_birth_date_problems() -> None:
    today = dt.date(2026, 11, 20)
    assert birth_date_problem(None, today) is None
    assert birth_date_problem(dt.date(1980, 4, 2), today) is None
    assert "future" in (birth_date_problem(dt.date(2026, 11, 21), today) or "")
    assert "check the year" in (birth_date_problem(dt.date(1890, 1, 1), today) or "")


@pytest.mark.parametrize("email", ["", "ana@example.org", " ana@example.org "])
def test_good_emails(email: str) -> None:
    assert email_problem(email) is None


@pytest.mark.parametrize("email", ["ana", "ana@", "@example.org", "ana@@example.org", "ana @example.org"])
def test_bad_emails(email: str) -> None:
    assert email_problem(email) is not None


def test_a_minor_consenting_needs_a_guardian() -> None:
    assert guardian_problem(minor=True, consent_given=True, guardian="  ") is not None
    assert guardian_problem(minor=True, consent_given=True, guardian="Pat Parent") is None
    assert guardian_problem(minor=True, consent_given=False, guardian="") is None
    assert guardian_problem(minor=False, consent_given=True, guardian="") is None


def test_a_local_flag_needs_a_region_and_an_onset_not_after_the_screening() -> None:
    day = dt.date(2026, 11, 20)
    injury = FLAGS["recent_injury"]
    assert "choose the region" in (flag_problem(injury, None, None, day) or "")
    assert flag_problem(injury, "lower_back_l", dt.date(2026, 11, 1), day) is None
    assert "after the screening" in (flag_problem(injury, "lower_back_l", dt.date(2026, 11, 21), day) or "")
    assert flag_problem(FLAGS["fever"], None, None, day) is None
    settled_late = flag_problem(injury, "lower_back_l", dt.date(2026, 11, 1), day, dt.date(2026, 11, 25))
    assert "settled is after the screening" in (settled_late or "")
    settled_early = flag_problem(injury, "lower_back_l", dt.date(2026, 11, 1), day, dt.date(2026, 10, 25))
    assert "settled before it began" in (settled_early or "")


def test_clearance_problems() -> None:
    day = dt.date(2026, 11, 20)
    assert clearance_problem("Dr N. Example", dt.date(2026, 11, 19), dt.date(2027, 5, 19), day) is None
    assert "who gave it" in (clearance_problem(" ", dt.date(2026, 11, 19), None, day) or "")
    assert "after the screening" in (clearance_problem("Dr A", dt.date(2026, 11, 21), None, day) or "")
    assert "expires before" in (clearance_problem("Dr A", dt.date(2026, 11, 19), dt.date(2026, 11, 1), day) or "")


def test_allergies_are_written_one_way() -> None:
    assert normalise_allergy("  Almond   Oil ") == "almond oil"
    assert normalise_allergy("Lanolin") == normalise_allergy("LANOLIN")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1957-03-14", dt.date(1957, 3, 14)),
        (" 14/03/1957 ", dt.date(1957, 3, 14)),
        ("3/4/1957", dt.date(1957, 4, 3)),  # day first, as on South African forms
        ("03/14/1957", None),  # month first: no 14th month
        ("14/03/57", None),  # a two-digit year is not guessed
        ("14.03.1957", None),
        ("1957-02-29", None),  # not a leap year
        ("١٩٥٧-٠٣-١٤", None),  # digits of another script are not read as these
        ("", None),
    ],
)
def test_a_date_is_read_as_typed_or_not_at_all(typed: str, read: dt.date | None) -> None:
    assert parse_date(typed) == read


def test_a_typed_date_problem_names_the_forms_it_accepts() -> None:
    assert typed_date_problem("", required=False) is None
    assert typed_date_problem("", required=True) == "Enter the date."
    problem = typed_date_problem("tomorrow", required=False)
    assert problem is not None
    assert "1957-03-14 or 14/03/1957" in problem


def test_a_screening_is_due_for_a_recheck_after_the_practice_age() -> None:
    today = dt.date(2026, 11, 20)
    assert not screening_is_due(today - dt.timedelta(days=90), today, 90)
    assert screening_is_due(today - dt.timedelta(days=91), today, 90)
