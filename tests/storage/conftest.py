from __future__ import annotations

import datetime as dt

import pytest

from app.domain.records import Client, Consent
from app.storage.repository import Repository

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.fixture
def client(repository: Repository) -> Client:
    """A client whose consent is recorded, so sessions may start."""
    created = repository.create_client("Ana Example")
    return repository.record_consent(created.id, Consent(dt.date(2026, 11, 20), "1"))
