"""A session's scalar fields, each described once (docs/design.md, "Recipes": add a scalar session field).

A scalar field is one value of a Session (or of its SOAP notes) kept in one column of the sessions table and
under one key of a client file's session object. The SQL rows (app.storage.rows), the client-file codec
(app.storage.codec), the repository's `set_field` and the consult's session panel and amend dialog read them from
SCALAR_FIELDS. A session's other parts (start, the pressure override, marks, strokes, holds, the plan, finalised,
amendments) have shapes of their own and their own code.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.records import RecordError, Session

# What the value is, in a record, a column and a client file alike: text, a whole number, or a whole number or none.
ValueType = Literal["text", "whole", "whole_or_none"]
# How the consult edits it: the session's length in minutes, a choice from a list, a line of text, a note of
# several lines, a 0-10 pain rating (or not recorded); None: the consult does not show it.
Editor = Literal["minutes", "choice", "line", "note", "pain"]
SOAP_PART = "soap"

# The values of a session started with nothing but an id and a time: each field's default.
_BLANK = Session("", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


@dataclass(frozen=True, slots=True)
class SessionField:
    name: str  # Session.field_value's dotted name and an amendment's `field`: "minutes", "soap.pain_before"
    column: str  # its column in the sessions table
    value: ValueType
    label: str  # what the therapist reads beside it (the panel's row, the amend dialog's list)
    spoken: str = ""  # its accessible name, for a screen reader
    hint: str = ""  # its tooltip (a note's placeholder too, unless it has an example)
    example: str = ""  # a note's placeholder: an example of what to write
    editor: Editor | None = None
    # The client-file version whose session object first has its key. A key added after version 1 is written
    # only when the value is not the default, so a record that does not use it exports byte for byte as before.
    file_version: int = 1

    @property
    def json_key(self) -> str:
        """Its key in the client file's session object (or in that object's "soap" object)."""
        return self.name.rpartition(".")[2]

    @property
    def part(self) -> str:
        """SOAP_PART for a field of the SOAP notes, "" for one of the session itself."""
        return self.name.rpartition(".")[0]

    @property
    def default(self) -> Any:
        return _BLANK.field_value(self.name)

    def checked(self, value: Any) -> Any:
        """`value` as a session keeps it (text NFC-normalised); RecordError where a Session would refuse it."""
        if self.value == "text":
            if not isinstance(value, str):
                raise RecordError(self.name, f"must be text, not {value!r}")
            value = unicodedata.normalize("NFC", value)
        elif (value is not None or self.value == "whole") and (isinstance(value, bool) or not isinstance(value, int)):
            raise RecordError(self.name, f"must be a whole number, not {value!r}")
        _BLANK.with_field(self.name, value)  # the Session's own checks (e.g. minutes from 1 to 480)
        return value


SCALAR_FIELDS: tuple[SessionField, ...] = (
    SessionField(
        "minutes",
        "minutes",
        "whole",
        "Length",
        spoken="Session length in minutes",
        hint="How long the session lasts, in minutes",
        editor="minutes",
    ),
    SessionField("therapist", "therapist", "text", "Therapist"),
    SessionField(
        "position",
        "position",
        "text",
        "Position",
        spoken="Client position",
        hint="How the client lies or sits; the safety screening suggests one",
        editor="choice",
    ),
    SessionField(
        "medium",
        "medium",
        "text",
        "Medium",
        spoken="Massage medium",
        hint="The oil or lotion used (the plan suggests one that avoids the client's allergies)",
        editor="choice",
    ),
    SessionField(
        "soap.subjective",
        "soap_subjective",
        "text",
        "Subjective",
        spoken="Subjective note, therapist only",
        hint="What the client tells you: where, since when, what makes it better or worse",
        editor="note",
    ),
    SessionField(
        "soap.objective",
        "soap_objective",
        "text",
        "Objective",
        spoken="Objective note, therapist only",
        hint="What you find: posture, palpation, range of motion",
        editor="note",
    ),
    SessionField(
        "soap.assessment",
        "soap_assessment",
        "text",
        "Assessment",
        spoken="Assessment note, therapist only",
        hint="Your judgement, how the session went, any adverse event such as bruising",
        editor="note",
    ),
    SessionField(
        "soap.plan",
        "soap_plan",
        "text",
        "Plan",
        spoken="Plan note, therapist only",
        hint="Next visit and home care",
        editor="note",
    ),
    SessionField(
        "soap.pain_before",
        "pain_before",
        "whole_or_none",
        "before",
        spoken="Pain before the session, 0 to 10",
        editor="pain",
    ),
    SessionField(
        "soap.pain_after",
        "pain_after",
        "whole_or_none",
        "after",
        spoken="Pain after the session, 0 to 10",
        editor="pain",
    ),
    SessionField(
        "shared_note",
        "shared_note",
        "text",
        "Note for the client (shown on their plan)",
        spoken="Note shared with the client",
        hint="Shown to the client on their plan",
        example="e.g. Stretch your neck gently every hour; drink water if you feel thirsty.",
        editor="note",
    ),
)
FIELDS_BY_NAME: dict[str, SessionField] = {field.name: field for field in SCALAR_FIELDS}


def scalar_field(name: str) -> SessionField:
    """The description of the scalar field `name`; RecordError if the session has no such scalar field."""
    try:
        return FIELDS_BY_NAME[name]
    except KeyError:
        raise RecordError(name, "not a scalar field of a session") from None


# Field name -> (whether it is the SOAP's, its attribute there or on the Session): worked out once, since every
# session read from the records or a file goes through session_arguments.
_ARGUMENTS = {field.name: (field.part == SOAP_PART, field.json_key) for field in SCALAR_FIELDS}


def session_arguments(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scalar values by field name -> the keyword arguments of Session(...) and of its Soap(...)."""
    own: dict[str, Any] = {}
    soap: dict[str, Any] = {}
    for name, value in values.items():
        of_soap, attribute = _ARGUMENTS[name]
        (soap if of_soap else own)[attribute] = value
    return own, soap
