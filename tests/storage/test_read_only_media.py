"""Records on read-only media (a locked USB stick, a read-only share) can still be exported and planned.

Tests run as root, for whom every file is writable, and a read-only bind mount needs privileges a test should
not use: the folder's read-only state is simulated where Backmap asks for it, os.access(..., W_OK).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.cli import main
from app.storage.errors import ReadOnlyError
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import fill, fingerprint

pytestmark = pytest.mark.local_file(reason="read-only media under the file")


@pytest.fixture
def read_only_folder(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    client_id = fill(data_dir, sessions=2)
    real_access = os.access

    def access(path: str | os.PathLike[str], mode: int, **kwargs: object) -> bool:
        inside = Path(path).resolve().is_relative_to(data_dir.resolve())
        return False if inside and mode & os.W_OK else real_access(path, mode)

    monkeypatch.setattr(os, "access", access)
    return client_id


def test_export_and_plan_work_from_a_read_only_folder(
    read_only_folder: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    before = fingerprint(data_dir)
    assert main(["export", read_only_folder]) == 0
    exported = capsys.readouterr()
    assert json.loads(exported.out)["client"]["id"] == read_only_folder
    assert exported.err.count("\n") == 1  # said once
    assert exported.err.startswith("backmap: note: the data folder ")
    assert main(["plan", read_only_folder, "--format", "json"]) == 0
    planned = capsys.readouterr()
    assert json.loads(planned.out)["outcome"] in {"proceed", "modify", "postpone"}
    assert planned.err.count("\n") == 1
    assert fingerprint(data_dir) == before  # not a byte written, no -wal or -shm made


def test_writes_to_a_read_only_folder_are_refused(read_only_folder: str, data_dir: Path) -> None:
    before = fingerprint(data_dir)
    with SqliteStore.open(data_dir) as repository:
        assert "is read-only" in (repository.read_only_reason or "")
        with pytest.raises(ReadOnlyError, match="nothing can be changed"):
            repository.rename_client(read_only_folder, "Ben")
        assert repository.get_client(read_only_folder).name == "Ana Example"
    assert fingerprint(data_dir) == before
