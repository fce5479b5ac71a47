"""Every test runs offscreen, with its own data, config and cache folders: nothing touches the real ones."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Without a display Qt aborts the process, so this must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QSettings and platformdirs read these; a session-wide folder keeps the real home untouched even at import.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="backmap-tests-"))
for _name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(_SESSION_HOME / _name.lower())

from app.storage.sqlite_store import SqliteStore  # noqa: E402  (after the folders above: it imports platformdirs)
from tests.clinic import server as test_server  # noqa: E402
from tests.clinic.server import ThrowawayServer  # noqa: E402
from tests.clinic.template import ClinicCopy, ClinicTemplate, set_up_template  # noqa: E402


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder per test, also given to the app through $BACKMAP_DATA_DIR."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BACKMAP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def repository(data_dir: Path) -> Iterator[SqliteStore]:
    """The SQLite store on the test's data folder, closed after the test (storage tests take `store` instead:
    tests/storage/conftest.py runs them on every store)."""
    with SqliteStore.open(data_dir) as opened:
        yield opened


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayServer]:
    """The run's own PostgreSQL 15 (tests/clinic/server.py), started on first use and stopped at the end. A server
    that cannot start fails every test that needs it, with what PostgreSQL said: never a skip."""
    started = test_server.start()
    try:
        yield started
    finally:
        test_server.stop(started)


@pytest.fixture(scope="session")
def clinic_template(postgres_server: ThrowawayServer, tmp_path_factory: pytest.TempPathFactory) -> ClinicTemplate:
    """A clinic set up once, copied for each test that stores records on the server (tests/clinic/template.py)."""
    return set_up_template(postgres_server, tmp_path_factory.mktemp("clinic"))


@pytest.fixture
def clinic_copy(clinic_template: ClinicTemplate, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClinicCopy]:
    """A test's own copy of the clinic, its people's passwords in a pass file (PGPASSFILE), as on a computer set
    up for it."""
    monkeypatch.setenv("PGPASSFILE", str(clinic_template.pass_file))
    database = clinic_template.copy()
    yield ClinicCopy(clinic_template, database)
    clinic_template.drop(database)
