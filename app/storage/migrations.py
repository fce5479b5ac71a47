"""Moving a database forward to SCHEMA_VERSION, one version per transaction, after one backup of the file.

Two Backmaps may open an old file at once: each step re-reads the version inside its write transaction, so the
second finds the work done and skips it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.storage.backup import backup_beside
from app.storage.driver import sqlite3
from app.storage.keys import DatabaseKey
from app.storage.rows import store_plan
from app.storage.schema import APPLICATION_ID, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4


def _run(statements: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    def step(connection: sqlite3.Connection) -> None:
        for statement in statements:
            connection.execute(statement)

    return step


def _plans_stored_once(connection: sqlite3.Connection) -> None:
    """Schema 4: each session's plan text moves into `plans` (once per distinct text); the column goes."""
    _run(SCHEMA_V4)(connection)
    given = connection.execute("SELECT id FROM sessions WHERE plan IS NOT NULL").fetchall()
    for (session_id,) in given:
        (text,) = connection.execute("SELECT plan FROM sessions WHERE id = ?", (session_id,)).fetchone()
        key = store_plan(connection, text)
        connection.execute("UPDATE sessions SET plan_sha256 = ? WHERE id = ?", (key, session_id))
    connection.execute("ALTER TABLE sessions DROP COLUMN plan")


# Target version -> the step that brings version - 1 to it.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _run(SCHEMA_V1),
    2: _run(SCHEMA_V2),
    3: _run(SCHEMA_V3),
    4: _plans_stored_once,
}
# Steps that leave many pages free (schema 4 moved the plans out of the sessions' rows): the file is rebuilt
# without them afterwards, so it shrinks at once.
COMPACTED_AFTER = frozenset({4})


def latest_version() -> int:
    """The version this code writes (schema.SCHEMA_VERSION; a test checks they agree)."""
    return max(MIGRATIONS)


def _version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(connection: sqlite3.Connection, db_path: Path, key: DatabaseKey | None = None) -> list[Path]:
    """Runs every step from the file's version to the latest; returns the backups taken (none if new).

    `key`: the database's, which its backups are encrypted with too (None for a plain database)."""
    backups: list[Path] = []
    start = _version(connection)
    for version in range(start + 1, latest_version() + 1):
        # One backup, of the file as it was found (a new file, version 0, has nothing to keep): the versions
        # between are steps of this run, never a file anybody had.
        if start > 0 and not backups and _version(connection) == version - 1:
            backups.append(backup_beside(connection, db_path, f"v{version - 1}", key))
        connection.execute("BEGIN IMMEDIATE")
        try:
            if _version(connection) == version - 1:  # else another process did this step meanwhile
                MIGRATIONS[version](connection)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    if start > 0 and COMPACTED_AFTER & set(range(start + 1, latest_version() + 1)):
        try:
            connection.execute("VACUUM")
        except sqlite3.OperationalError as error:  # another Backmap reads the file: its free pages get reused
            if not getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise
    if start < latest_version():
        # Fold the new header (application_id, user_version) into the file itself: the file must identify
        # itself by its first bytes even when a crash leaves a WAL behind.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return backups
