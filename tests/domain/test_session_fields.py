"""A session's scalar fields, each described once: what the records, the client file and the consult read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.domain.records import RecordError, Session, Soap
from app.domain.session_fields import FIELDS_BY_NAME, SCALAR_FIELDS, SOAP_PART, scalar_field, session_arguments

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
# The session's parts that are not one value in one column: described by their own code.
PARTS = {"id", "start", "override", "marks", "strokes", "soap", "holds", "finalised", "amendments", "plan", "version"}


def test_every_value_of_a_session_and_its_soap_is_a_described_field_or_a_part() -> None:
    own = {field.name for field in dataclasses.fields(Session)} - PARTS
    soap = {f"{SOAP_PART}.{field.name}" for field in dataclasses.fields(Soap)}
    assert set(FIELDS_BY_NAME) == own | soap
    assert len({field.column for field in SCALAR_FIELDS}) == len(SCALAR_FIELDS)


def test_a_field_says_where_its_key_sits_in_the_client_file_and_what_a_new_session_holds() -> None:
    pain = scalar_field("soap.pain_before")
    assert (pain.part, pain.json_key, pain.column, pain.default) == ("soap", "pain_before", "pain_before", None)
    minutes = scalar_field("minutes")
    assert (minutes.part, minutes.json_key, minutes.default) == ("", "minutes", 60)


def test_a_value_is_checked_as_the_session_checks_it_and_its_text_kept_composed() -> None:
    assert scalar_field("shared_note").checked("Zoe\u0308, stretch hourly") == "Zo\u00eb, stretch hourly"
    assert scalar_field("soap.pain_after").checked(None) is None
    refused = [
        ("minutes", 0, "from 1 to 480"),
        ("minutes", True, "whole number"),
        ("minutes", None, "whole number"),
        ("soap.pain_after", 11, "from 0 to 10"),
        ("medium", 3, "must be text"),
    ]
    for name, value, reason in refused:
        with pytest.raises(RecordError, match=reason) as caught:
            scalar_field(name).checked(value)
        assert caught.value.field.endswith(name.rpartition(".")[2])
    with pytest.raises(RecordError, match="not a scalar field"):
        scalar_field("marks")


def test_values_by_field_name_become_the_sessions_and_its_soaps_arguments() -> None:
    own, soap = session_arguments({"minutes": 45, "soap.pain_after": 3, "shared_note": "drink water"})
    session = Session(id="s1", start=START, soap=Soap(**soap), **own)
    assert (session.minutes, session.soap.pain_after, session.shared_note) == (45, 3, "drink water")
