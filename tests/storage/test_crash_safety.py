"""Kill -9 a process while it saves: every save that returned is there, whole, and the file is sound."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain.records import Consent
from app.storage.sqlite_store import SqliteStore
from tests.storage.crash_child import session_number

pytestmark = pytest.mark.local_file(reason="a process killed while writing the file")

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


@pytest.mark.slow
def test_sessions_saved_before_a_kill_survive_it(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        client = repository.create_client("Crash Test")
        repository.record_consent(client.id, Consent(dt.date(2026, 1, 1), "1"))
    chance = random.Random(20261123)
    returned: list[int] = []
    for run in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.storage.crash_child", str(data_dir), client.id, str(run * 100_000)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        time.sleep(chance.uniform(0.0, 0.06))
        child.send_signal(signal.SIGKILL)
        output = child.stdout.read()
        child.wait()
        assert child.returncode == -signal.SIGKILL
        returned += [int(line) for line in output.splitlines(keepends=True) if line.endswith("\n")]

        with SqliteStore.open(data_dir) as repository:
            connection = repository._connection
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            stored = {session.id: session for session in repository.list_sessions(client.id)}
        for index in returned:
            assert stored[f"crash-{index}"] == session_number(index)
    assert len(returned) > KILLS  # the kills did land between saves, not only before the first
