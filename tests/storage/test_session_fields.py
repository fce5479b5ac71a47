"""Each scalar session field, as its description says, is written alone, stored and carried by the client file."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.records import Client, RecordError
from app.domain.session_fields import SCALAR_FIELDS, SessionField
from app.storage import rows
from app.storage.client_file import dump, parse
from app.storage.repository import Repository
from tests.storage.conftest import START


def _another_value(field: SessionField) -> Any:
    """A value the session would not start with (text decomposed, as a keyboard may give it)."""
    return {"text": f"Zoe\u0308's {field.json_key}", "whole": 45, "whole_or_none": 4}[field.value]


def test_every_scalar_field_is_written_alone_read_back_and_exported(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    for field in SCALAR_FIELDS:
        value = field.checked(_another_value(field))
        before = repository.get_session(session.id)
        after = repository.set_field(session.id, field.name, _another_value(field))
        assert after.field_value(field.name) == value != field.default
        assert after == before.with_field(field.name, value)  # no other field changed
        stored = next(rows.named(repository._connection, f"SELECT {field.column} FROM sessions"))
        assert stored[field.column] == value
    record = repository.history(client.id)
    assert parse(dump(record)) == record


def test_a_value_the_session_refuses_is_not_written(repository: Repository, client: Client) -> None:
    session = repository.start_session(client.id, start=START)
    with pytest.raises(RecordError, match="minutes"):
        repository.set_field(session.id, "minutes", 0)
    with pytest.raises(RecordError, match="not a scalar field"):
        repository.set_field(session.id, "plan", None)
    assert repository.get_session(session.id) == session


def test_every_column_of_the_sessions_table_is_a_described_fields_or_a_parts(repository: Repository) -> None:
    """A column added by a migration but not described would never be read or written."""
    found = rows.named(repository._connection, "PRAGMA table_info(sessions)")
    columns = {row["name"] for row in found}
    assert columns == {*rows.SESSION_COLUMNS, "client_id", "start_utc", "version"}
    assert {field.column for field in SCALAR_FIELDS} < columns
