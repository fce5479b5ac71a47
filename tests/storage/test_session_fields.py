"""Each scalar session field, as its description says, is written alone, stored and carried by the client file."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.records import Client, RecordError
from app.domain.session_fields import SCALAR_FIELDS, SessionField
from app.storage import rows
from app.storage.client_file import dump, parse
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore
from tests.storage.conftest import START, consenting_client


def _another_value(field: SessionField) -> Any:
    """A value the session would not start with (text decomposed, as a keyboard may give it)."""
    return {"text": f"Zoe\u0308's {field.json_key}", "whole": 45, "whole_or_none": 4}[field.value]


def test_every_scalar_field_is_written_alone_read_back_and_exported(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    for field in SCALAR_FIELDS:
        value = field.checked(_another_value(field))
        before = store.get_session(session.id)
        after = store.set_field(session.id, field.name, _another_value(field))
        assert after.field_value(field.name) == value != field.default
        assert after == before.with_field(field.name, value)  # no other field changed
        assert store.get_session(session.id) == after
    record = store.history(client.id)
    assert parse(dump(record)) == record


def test_a_value_the_session_refuses_is_not_written(store: RecordStore, client: Client) -> None:
    session = store.start_session(client.id, start=START)
    with pytest.raises(RecordError, match="minutes"):
        store.set_field(session.id, "minutes", 0)
    with pytest.raises(RecordError, match="not a scalar field"):
        store.set_field(session.id, "plan", None)
    assert store.get_session(session.id) == session


@pytest.mark.local_file(reason="the sessions table's columns in the SQLite file")
def test_each_field_has_its_column_and_no_column_is_left_undescribed(repository: SqliteStore) -> None:
    """A column added by a migration but not described would never be read or written."""
    session = repository.start_session(consenting_client(repository).id, start=START)
    for field in SCALAR_FIELDS:
        repository.set_field(session.id, field.name, _another_value(field))
    (stored,) = rows.named(repository._connection, "SELECT * FROM sessions")
    assert {column: stored[column] for column in rows.SESSION_COLUMNS if column != "plan_sha256"} == {
        "id": session.id,
        "start": START.isoformat(),
        **{field.column: field.checked(_another_value(field)) for field in SCALAR_FIELDS},
        "override_max_level": None,
        "override_reason": None,
        "finalised": None,
    }
    assert set(stored) == {*rows.SESSION_COLUMNS, "client_id", "start_utc", "version"}
