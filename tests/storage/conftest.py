"""The stores every storage test runs against; a test on the SQLite file alone is marked and says why.

A storage test about the records (clients, intakes, sessions, amendments, the audit log, import and export) takes
the `store` fixture and runs once per store kind in STORE_KINDS. A test about the local file itself (damage, the
WAL, backups, read-only media, crash safety, the data folder, encryption, the command line on a data folder) is
marked `local_file` with its reason and takes `repository` (tests/conftest.py) or opens the SQLite store itself.
A new store kind is one more entry in STORE_KINDS, as the clinic server's was (issue 19: a therapist's login to a
copy of a clinic on the run's own PostgreSQL server; if that server cannot start, these tests fail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.domain.records import Client, Consent
from app.storage.keys import NewKeys, new_keys, write_key_file
from app.storage.location import ensure_private_dir
from app.storage.postgres.store import PostgresStore
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore
from tests.clinic.template import ClinicTemplate

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))

# Opens a store of one kind on the test's data folder (`request` reaches session-wide set-up such as keys).
OpenStore = Callable[[Path, pytest.FixtureRequest], RecordStore]


def _plain_sqlite(data_dir: Path, request: pytest.FixtureRequest) -> RecordStore:
    return SqliteStore.open(data_dir)


def _encrypted_sqlite(data_dir: Path, request: pytest.FixtureRequest) -> RecordStore:
    keys: NewKeys = request.getfixturevalue("folder_keys")
    ensure_private_dir(data_dir)
    write_key_file(data_dir, keys.key_file)  # as a set-up would leave it, without its key derivations
    return SqliteStore.open(data_dir, key=keys.key)


def _clinic_server(data_dir: Path, request: pytest.FixtureRequest) -> RecordStore:
    """A therapist's login to a clinic database of the test's own, on the run's PostgreSQL server."""
    template: ClinicTemplate = request.getfixturevalue("clinic_template")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("PGPASSFILE", str(template.pass_file))
    database = template.copy()
    request.addfinalizer(lambda: template.drop(database))
    return PostgresStore.connect(template.conninfo(database, template.therapists[0]))


STORE_KINDS: dict[str, OpenStore] = {
    "sqlite": _plain_sqlite,
    "sqlite-encrypted": _encrypted_sqlite,  # SQLCipher: app.storage.keys, app.storage.encryption
    "postgresql": _clinic_server,  # a clinic's server: app.storage.postgres, docs/clinic.md
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked app_audit_entries does not run on the clinic server's store (the mark says why)."""
    on_server = {id(item) for item in items if item.get_closest_marker("app_audit_entries") and _on_the_server(item)}
    if on_server:
        config.hook.pytest_deselected(items=[item for item in items if id(item) in on_server])
        items[:] = [item for item in items if id(item) not in on_server]


def _on_the_server(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("store") == "postgresql"


@pytest.fixture(scope="session")
def folder_keys() -> NewKeys:
    """One database key and key file for every encrypted folder of the run: Argon2id runs once, not per test."""
    return new_keys("correct horse battery staple")


@pytest.fixture(params=list(STORE_KINDS))
def store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[RecordStore]:
    """The test's records in each kind of store in turn; closed after the test."""
    with STORE_KINDS[request.param](data_dir, request) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _on_every_store_or_says_why(request: pytest.FixtureRequest) -> None:
    """A storage test on the plain SQLite store alone (the `repository` fixture) must say why it is about the file."""
    if "repository" in request.fixturenames and request.node.get_closest_marker("local_file") is None:
        pytest.fail(
            "this storage test takes the SQLite store alone: take `store` (every store) or mark it "
            "local_file(reason=...) saying what about the local file it tests",
            pytrace=False,
        )


def consenting_client(records: RecordStore) -> Client:
    """A client whose consent is recorded, so sessions may start."""
    created = records.create_client("Ana Example")
    return records.record_consent(created.id, Consent(dt.date(2026, 11, 20), "1"))


@pytest.fixture
def client(store: RecordStore) -> Client:
    return consenting_client(store)
