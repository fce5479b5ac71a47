"""Erasure leaves nothing behind: the audit log holds no path or text that could name a client, and `delete`
lists every backup that may still hold them, wherever it was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.cli import main
from app.domain.records import Consent
from app.storage.sqlite_store import SqliteStore
from tests.storage.privacy_records import FilledClient, fill_client

pytestmark = pytest.mark.local_file(reason="what an erasure leaves in the file's free pages and the -wal")


def leaked(text: str, client: FilledClient) -> list[str]:
    return [field for field, marker in client.markers.items() if marker.lower() in text.lower()]


@pytest.fixture
def gone(data_dir: Path) -> FilledClient:
    with SqliteStore.open(data_dir) as repository:
        return fill_client(repository, "Gone")


def test_the_audit_log_holds_no_path_and_no_text_that_names_the_client(
    gone: FilledClient, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    named_folder = tmp_path / f"{gone.name} files"  # a folder and files named after the client
    named_folder.mkdir()
    for argv in (
        ["export", gone.client_id, "-o", str(named_folder / f"{gone.name}.json")],
        ["export", gone.client_id],
        ["plan", gone.client_id, "--format", "json", "-o", str(named_folder / f"{gone.name} plan.json")],
        ["backup", "-o", str(named_folder / f"{gone.name} backup.sqlite3")],
        ["backup"],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    with SqliteStore.open(data_dir) as repository:
        # Consent recorded with free text where the notice version goes (as a client file may carry it).
        repository.record_consent(gone.client_id, Consent(dt.date(2026, 11, 21), gone.name))
    assert main(["delete", gone.client_id, "--yes"]) == 0
    capsys.readouterr()
    with SqliteStore.open(data_dir) as repository:
        entries = repository.audit_entries()
    whats = [(action, what) for _at, action, _client, what in entries]
    assert ("export", "to a file outside the data folder") in whats
    assert ("export", "to standard output") in whats
    assert ("backup", "to a file outside the data folder") in whats
    assert ("backup", "to the backups folder of the data folder") in whats
    assert ("consent", "notice version (not a version), given 2026-11-21") in whats
    text = repr(entries)
    assert leaked(text, gone) == []
    assert str(tmp_path) not in text
    assert str(data_dir) not in text


def test_delete_lists_backups_made_anywhere_and_forgets_deleted_ones(
    gone: FilledClient, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb stick"
    usb.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    on_usb, other = usb / "practice.sqlite3", elsewhere / "practice.sqlite3"
    inside = []
    for argv in (["backup", "-o", str(on_usb)], ["backup", "-o", str(other)], ["backup"]):
        assert main(argv) == 0
        inside.append(Path(capsys.readouterr().out.strip()))
    with SqliteStore.open(data_dir) as repository:
        kept = fill_client(repository, "Kept")  # in no backup
    other.unlink()  # the therapist deleted this one already
    usb.rename(tmp_path / "unplugged")  # and this disk is not connected now

    assert main(["delete", gone.client_id, "--yes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "these backups still hold the client (delete or re-create them to complete the erasure):",
        f"  {inside[2]}",
        f"  {on_usb}  (not found now: on a disk that is not connected?)",
    ]
    (tmp_path / "unplugged").rename(usb)
    assert main(["delete", kept.client_id, "--yes"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"deleted client {kept.client_id}"]  # no backup holds Kept
    assert main(["delete", "no such client", "--yes"]) == 1
