"""Moving a database forward to SCHEMA_VERSION, one version per transaction, after a backup of the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.storage.backup import backup_beside
from app.storage.schema import APPLICATION_ID, SCHEMA_V1


def _create_v1(connection: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1:
        connection.execute(statement)


# Target version -> the step that brings version - 1 to it.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _create_v1}


def latest_version() -> int:
    """The version this code writes (schema.SCHEMA_VERSION; a test checks they agree)."""
    return max(MIGRATIONS)


def migrate(connection: sqlite3.Connection, db_path: Path, current: int) -> list[Path]:
    """Runs every step from `current` to the latest version; returns the backups taken (none if new)."""
    backups: list[Path] = []
    for version in range(current + 1, latest_version() + 1):
        if version > 1:  # version 0 is an empty file: nothing to keep
            backups.append(backup_beside(connection, db_path, f"v{version - 1}"))
        connection.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](connection)
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    if current < latest_version():
        # Fold the new header (application_id, user_version) into the file itself: the file must identify
        # itself by its first bytes even when a crash leaves a WAL behind.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return backups
