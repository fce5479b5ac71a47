"""The clinic's duties from the command line, run as a user would (`python -m app`): access, erasure, no leaks."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from app.storage.client_file import parse
from app.storage.sqlite_store import SqliteStore
from tests.storage.privacy_records import FilledClient, database_files, fill_client, found_in_bytes


def backmap(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a child process; BACKMAP_DATA_DIR (set by the data_dir fixture) is inherited."""
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, check=False)


def two_clients(data_dir: Path) -> tuple[FilledClient, FilledClient]:
    with SqliteStore.open(data_dir) as repository:
        return fill_client(repository, "Gone"), fill_client(repository, "Kept")


def leaked(text: str, client: FilledClient) -> list[str]:
    folded = text.lower()
    return [field for field, marker in client.markers.items() if marker.lower() in folded]


def test_export_by_id_gives_everything_held(data_dir: Path, tmp_path: Path) -> None:
    target, other = two_clients(data_dir)
    output = tmp_path / "access.json"
    result = backmap("export", target.client_id, "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    text = output.read_text("utf-8")
    with SqliteStore.open(data_dir) as repository:
        assert parse(text) == repository.history(target.client_id)
        assert [entry[1] for entry in repository.audit_entries(target.client_id)][-1] == "export"
    assert leaked(text, target) == sorted(target.markers, key=list(target.markers).index)  # all of it
    assert leaked(text, other) == []
    to_stdout = backmap("export", target.client_id)
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert json.loads(to_stdout.stdout) == json.loads(text)


def test_delete_by_id_erases_every_byte_and_lists_the_older_backup(data_dir: Path, tmp_path: Path) -> None:
    target, other = two_clients(data_dir)
    made = backmap("backup")
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    kept_before = backmap("export", other.client_id).stdout

    unconfirmed = backmap("delete", target.client_id)
    assert unconfirmed.returncode == 2
    assert "--yes" in unconfirmed.stderr
    with SqliteStore.open(data_dir) as repository:
        assert repository.get_client(target.client_id).name == f"{target.name} Person"  # nothing happened

    deleted = backmap("delete", target.client_id, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.splitlines() == [
        f"deleted client {target.client_id}",
        "these backups still hold the client (delete or re-create them to complete the erasure):",
        f"  {backup}",
    ]
    assert leaked(deleted.stdout + deleted.stderr, target) == []
    assert found_in_bytes(database_files(data_dir), target.markers) == {}
    assert set(found_in_bytes([backup], target.markers)[backup.name]) == set(target.markers)
    assert backmap("export", other.client_id).stdout == kept_before  # the other client is untouched
    with SqliteStore.open(data_dir) as repository:
        assert [client.id for client in repository.list_clients()] == [other.client_id]
        logged = [(action, client) for _at, action, client, _what in repository.audit_entries()]
        assert ("delete_client", target.client_id) in logged
        assert leaked(repr(repository.audit_entries()), target) == []
    assert found_in_bytes(database_files(data_dir), target.markers) == {}


def test_errors_about_a_client_given_by_id_do_not_print_their_name_or_notes(data_dir: Path, tmp_path: Path) -> None:
    target, _other = two_clients(data_dir)
    failures = [
        backmap("export", target.client_id, "-o", str(tmp_path / "no such folder" / "x.json")),
        backmap("plan", target.client_id, "--session", "no-such-session"),
        backmap("backup", "-o", str(tmp_path / "no such folder" / "b.sqlite3")),
    ]
    backmap("delete", target.client_id, "--yes")
    failures.append(backmap("delete", target.client_id, "--yes"))
    failures.append(backmap("export", target.client_id))
    for result in failures:
        assert result.returncode == 1, (result.args, result.stdout)
        assert result.stderr.startswith("backmap: "), result.stderr
        assert "Traceback" not in result.stderr
        assert leaked(result.stdout + result.stderr, target) == [], result.stderr
