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
