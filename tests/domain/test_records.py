from __future__ import annotations

import datetime as dt

import pytest

from app.domain.records import Clearance, FlagEntry, Mark, RecordError, Session

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_the_therapists_layer_wins_where_both_marked_a_region() -> None:
    session = Session(
        id="s1",
        start=START,
        marks=(
            Mark("trapezius_upper_l", "client", 9),
            Mark("trapezius_upper_l", "therapist", 6),
            Mark("neck_r", "client", 0),
        ),
    )
    assert session.effective_tension() == {"trapezius_upper_l": 6, "neck_r": 0}
    assert "rhomboid_l" not in session.effective_tension()  # not assessed is not tension 0


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Mark("trapezius_upper_l", "therapist", 11), "tension"),
        (lambda: Mark("shoulder", "therapist", 3), "region"),
        (lambda: Mark("neck_l", "friend", 3), "by"),  # type: ignore[arg-type]
        (lambda: FlagEntry("vampirism"), "flag"),
        (lambda: Session(id="s", start=START.replace(tzinfo=None)), "start"),
        (lambda: Session(id="s", start=START, marks=(Mark("neck_l", "client", 1),) * 2), "marks"),
        (
            lambda: Clearance(by="Dr A", date=dt.date(2026, 1, 2), expires=dt.date(2026, 1, 1)),
            "clearance.expires",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(RecordError) as caught:
        make()  # type: ignore[operator]
    assert caught.value.field == field


def test_a_session_field_is_read_and_changed_by_its_dotted_name() -> None:
    session = Session(id="s1", start=START, shared_note="drink water")
    assert session.field_value("shared_note") == "drink water"
    assert session.field_value("soap.assessment") == ""
    changed = session.with_field("soap.assessment", "bruising reported").with_field("minutes", 45)
    assert changed.soap.assessment == "bruising reported"
    assert changed.minutes == 45
    assert session.soap.assessment == ""  # records are never changed in place
    with pytest.raises(RecordError, match="minutes"):
        session.with_field("minutes", 0)
