"""Two first starts at once (say, the app and a command, both on a folder with no records yet) both succeed."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from app.storage import migrations
from app.storage.driver import sqlite3
from app.storage.keys import DatabaseKey
from app.storage.schema import SCHEMA_VERSION
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import db_path, fill

pytestmark = pytest.mark.local_file(reason="the first start building the file")

NEXT_VERSION = SCHEMA_VERSION + 1  # a made-up next migration

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 4
# Waits for "go" on stdin, so that both processes have Python and the storage code loaded and start together.
CHILD = """
import sys
from pathlib import Path
from app.storage.sqlite_store import SqliteStore
sys.stdin.readline()
with SqliteStore.open(Path(sys.argv[1])) as repository:
    repository.create_client(sys.argv[2])
print("ok", flush=True)
"""


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_first_starts_at_once_both_succeed(tmp_path: Path, round_number: int) -> None:
    data_dir = tmp_path / f"fresh-{round_number}"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), name],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("Ana Example", "Ben Example")
    ]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        out, err = child.communicate(timeout=60)
        assert (child.returncode, out, err) == (0, "ok\n", "")
    with SqliteStore.open(data_dir) as repository:
        assert sorted(client.name for client in repository.list_clients()) == ["Ana Example", "Ben Example"]
        assert repository.local_folder.migration_backups == ()
    assert sorted(path.name for path in data_dir.iterdir()) == ["backmap.sqlite3"]  # no leftovers


def test_a_migration_done_meanwhile_by_another_process_is_not_done_twice(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(data_dir, sessions=1)
    path = db_path(data_dir)
    calls: list[int] = []

    def add_room(connection: sqlite3.Connection) -> None:
        calls.append(1)
        connection.execute("ALTER TABLE sessions ADD COLUMN room TEXT NOT NULL DEFAULT ''")

    monkeypatch.setitem(migrations.MIGRATIONS, NEXT_VERSION, add_room)
    take_backup = migrations.backup_beside

    def other_process_migrates_first(
        source: sqlite3.Connection, db: Path, label: str, key: DatabaseKey | None = None
    ) -> Path:
        # Between this process reading the version and starting its transaction, another one migrates.
        made = take_backup(source, db, label, key)
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            add_room(other)
            other.execute(f"PRAGMA user_version = {NEXT_VERSION}")
            other.execute("COMMIT")
        return made

    monkeypatch.setattr(migrations, "backup_beside", other_process_migrates_first)
    with SqliteStore.open(data_dir) as repository:  # would fail with "duplicate column name: room"
        assert repository._connection.execute("PRAGMA user_version").fetchone() == (NEXT_VERSION,)
    assert len(calls) == 1
