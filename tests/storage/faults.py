"""Helpers for fault tests: a database with content, file fingerprints, simulated disks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from app.domain.records import Consent
from app.storage.database import DB_FILENAME
from app.storage.driver import sqlite3  # the store's own SQLite: two libraries on one -wal disagree
from app.storage.sqlite_store import SqliteStore

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def fill(data_dir: Path, sessions: int = 40) -> str:
    """A closed database with one consenting client and `sessions` sessions of 12 marks; the client id."""
    with SqliteStore.open(data_dir) as repository:
        client = repository.create_client("Ana Example")
        repository.record_consent(client.id, Consent(dt.date(2026, 11, 20), "1"))
        regions = ["neck_l", "neck_r", "rhomboid_l", "rhomboid_r", "scapula_l", "scapula_r"]
        for day in range(sessions):
            session = repository.start_session(client.id, start=START + dt.timedelta(days=day))
            for region in regions:
                for layer in ("client", "therapist"):
                    repository.set_mark(session.id, region, layer, day % 11, f"note {day} " * 20)
        return client.id


def fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every file in the folder (so new -wal/-shm files or changed bytes show)."""
    return {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file()
    }


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


PAGE_SIZE = 4096


def damage_data(path: Path) -> None:
    """Overwrites part of a page in the middle of the file: client rows, not the schema (found by a full check)."""
    content = bytearray(path.read_bytes())
    middle = len(content) // PAGE_SIZE // 2 * PAGE_SIZE
    content[middle : middle + 512] = b"\xde\xad\xbe\xef" * 128
    path.write_bytes(bytes(content))


def damage_schema(path: Path) -> None:
    """Overwrites the b-tree header of page 1, where the schema starts (found on opening)."""
    content = bytearray(path.read_bytes())
    content[100:112] = b"\xff" * 12
    path.write_bytes(bytes(content))


def written_elsewhere(data_dir: Path, *statements: tuple[str, Sequence[object]]) -> None:
    """`statements` committed in one transaction by another connection to the records (another window, a command):
    the caller's statements raise the session's version, as every writer does."""
    other = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        with other:
            for sql, parameters in statements:
                other.execute(sql, parameters)
    finally:
        other.close()
