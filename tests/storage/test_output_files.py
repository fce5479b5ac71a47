"""`-o FILE` never destroys a file: export, plan and backup refuse what they must, write atomically, and a
killed command's half-written file is removed by the next start."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.storage import database, files
from app.storage.client_file import dump, parse
from app.storage.driver import sqlite3
from app.storage.files import TEMPORARY_PREFIX, UNFINISHED_FOLDER
from app.storage.keys import DatabaseKey
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import db_path, fingerprint
from tests.storage.test_client_file import EXAMPLE

pytestmark = pytest.mark.local_file(reason="the command line's output files beside the data folder")

ANA = "0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"
ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = {
    "export": ["export", ANA],
    "plan": ["plan", ANA, "--format", "json"],
    "letter": ["letter", ANA],
    "backup": ["backup"],
}


@pytest.fixture(autouse=True)
def ana(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = tmp_path / "ana.json"
    record = parse(EXAMPLE)
    # Before the doctor's clearance was recorded, so that there is a letter to write too.
    record = dataclasses.replace(record, intakes=(dataclasses.replace(record.intakes[0], clearance=None),))
    example.write_text(dump(record), encoding="utf-8")
    assert main(["import", str(example)]) == 0
    capsys.readouterr()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def audit_actions(data_dir: Path) -> list[str]:
    with SqliteStore.open(data_dir) as repository:
        return [entry[1] for entry in repository.audit_entries()]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith(TEMPORARY_PREFIX))


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], message: str) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("backmap: ")
    assert captured.err.count("\n") == 1
    assert message in captured.err


@pytest.mark.parametrize("command", OUTPUTS)
def test_an_existing_file_is_replaced_only_with_force(
    command: str, outside: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside / "precious"
    target.write_bytes(b"the only copy of something")
    actions = audit_actions(data_dir)
    refused([*OUTPUTS[command], "-o", str(target)], capsys, "already exists: nothing was written. Add --force")
    assert target.read_bytes() == b"the only copy of something"
    assert audit_actions(data_dir) == actions
    assert main([*OUTPUTS[command], "-o", str(target), "--force"]) == 0
    assert target.read_bytes() != b"the only copy of something"
    assert target.stat().st_mode & 0o777 == 0o600
    # Through a symbolic link the file it points to is replaced; the link stays.
    link = outside / "link"
    link.symlink_to(target)
    target.write_bytes(b"old")
    capsys.readouterr()
    refused([*OUTPUTS[command], "-o", str(link)], capsys, "already exists")
    assert main([*OUTPUTS[command], "-o", str(link), "--force"]) == 0
    assert link.is_symlink()
    assert target.read_bytes() != b"old"
    assert leftovers(outside) == []


@pytest.mark.parametrize("command", OUTPUTS)
def test_nothing_inside_the_data_folder_is_written_even_with_force(
    command: str, outside: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack: `export CLIENT -o <data folder>/backmap.sqlite3` replaced the database with a JSON file."""
    link = outside / "link-to-the-database"
    link.symlink_to(db_path(data_dir))
    folder_link = outside / "link-to-the-data-folder"
    folder_link.symlink_to(data_dir)
    before = fingerprint(data_dir)
    for target in (
        db_path(data_dir),
        data_dir / "new.json",
        data_dir / "backups" / "new.json",
        link,
        folder_link / "new.json",
        Path(os.path.relpath(db_path(data_dir))),
    ):
        refused([*OUTPUTS[command], "-o", str(target), "--force"], capsys, "is inside the Backmap data folder")
    assert fingerprint(data_dir) == before
    assert link.is_symlink()


@pytest.mark.parametrize("command", OUTPUTS)
def test_folders_devices_pipes_and_links_to_them_are_refused_even_with_force(
    command: str, outside: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = outside / "pipe"
    os.mkfifo(pipe)  # never opened: a reader would block here forever
    link_to_pipe = outside / "link-to-pipe"
    link_to_pipe.symlink_to(pipe)
    link_to_device = outside / "link-to-null"
    link_to_device.symlink_to("/dev/null")
    cases = {
        outside: "is a folder",
        Path("/dev/null"): "is a device",
        link_to_device: "is a device",
        pipe: "is a named pipe",
        link_to_pipe: "is a named pipe",
        outside / "missing" / "file": "the folder",
    }
    for target, message in cases.items():
        refused([*OUTPUTS[command], "-o", str(target), "--force"], capsys, message)
    assert sorted(path.name for path in outside.iterdir()) == ["link-to-null", "link-to-pipe", "pipe"]
    assert audit_actions(data_dir) == ["import"]


def test_a_failed_rename_leaves_the_old_file_no_temporary_file_and_no_audit_entry(
    outside: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside / "ana.json"
    target.write_text("old", encoding="utf-8")

    def full_disk(source: str | Path, destination: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    for command in OUTPUTS:
        refused([*OUTPUTS[command], "-o", str(target), "--force"], capsys, "No space left on device")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(outside) == []
    assert audit_actions(data_dir) == ["import"]  # an export or backup is logged only once its file is in place
    assert not (data_dir / UNFINISHED_FOLDER).exists()


@pytest.mark.parametrize("command", ["export", "backup"])
def test_an_output_that_cannot_be_audit_logged_is_removed_again(
    command: str, outside: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def read_only(path: Path, key: DatabaseKey | None = None) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)

    monkeypatch.setattr(database, "connect_read_write", read_only)
    refused([*OUTPUTS[command], "-o", str(outside / "out")], capsys, "is read-only: nothing was saved")
    assert list(outside.iterdir()) == []
    monkeypatch.undo()
    assert audit_actions(data_dir) == ["import"]


def child(signal_name: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """The command in a process that is sent `signal_name` just before it renames its output into place."""
    return subprocess.run(
        [sys.executable, "-m", "tests.storage.killed_output_child", signal_name, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_killed_command_leaves_a_marked_file_that_the_next_start_removes_and_reports_once(
    outside: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in OUTPUTS:
        killed = child("SIGKILL", [*OUTPUTS[command], "-o", str(outside / f"{command}.out")])
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert len(leftovers(outside)) == 1  # the kill landed mid-write: a complete temporary file, not renamed
        assert not (outside / f"{command}.out").exists()
        assert len(list((data_dir / UNFINISHED_FOLDER).iterdir())) == 1

        assert main(["export", ANA]) == 0
        err = capsys.readouterr().err
        said = "removed 1 half-written file(s) that an interrupted backmap command left in"
        assert err == f"backmap: note: {said} {outside}\n"
        assert leftovers(outside) == []
        assert not (data_dir / UNFINISHED_FOLDER).exists()
    assert main(["export", ANA]) == 0
    assert capsys.readouterr().err == ""  # said once
    assert audit_actions(data_dir) == ["import"] + ["export"] * 5  # not the killed ones


def test_a_terminated_command_removes_its_own_half_written_file(outside: Path, data_dir: Path) -> None:
    for command in OUTPUTS:
        stopped = child("SIGTERM", [*OUTPUTS[command], "-o", str(outside / f"{command}.out")])
        assert stopped.returncode == 130, stopped.stderr
        assert "Traceback" not in stopped.stderr
    assert list(outside.iterdir()) == []
    assert not (data_dir / UNFINISHED_FOLDER).exists()


def test_a_command_still_writing_keeps_its_file(outside: Path, data_dir: Path) -> None:
    """The next start removes only what a dead process left: a marker still locked by its writer is skipped."""
    with files.private_file(outside / "slow.json", journal=data_dir) as temporary:
        temporary.write_bytes(b"half")
        assert files.remove_unfinished_outputs(data_dir) == []
        assert temporary.exists()
    assert (outside / "slow.json").read_bytes() == b"half"
    assert files.remove_unfinished_outputs(data_dir) == []
