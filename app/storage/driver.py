"""The SQLite driver: SQLCipher 4's build of Python's sqlite3 module (the `sqlcipher3` package), for plain and
encrypted databases alike, so that every database error is of one family whichever kind of file is open.

Its DB-API is the standard library's (the same C module, built against SQLCipher): mypy reads it through the
standard library's types, since sqlcipher3 ships none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
else:
    import sqlcipher3.dbapi2 as sqlite3

__all__ = ["SQLITE_MAGIC", "is_plain_file", "sqlite3"]

SQLITE_MAGIC = b"SQLite format 3\x00"

with sqlite3.connect(":memory:") as _settings:
    # SQLCipher logs a failed page check (a wrong key, a damaged page) to stderr by default: the app says it itself.
    _settings.execute("PRAGMA cipher_log_level = NONE")
    # Once for every keyed connection of the process: SQLCipher 4's settings, which the records were written with
    # (the key file says sqlcipher4-raw-key), even after an update brings a SQLCipher with other defaults.
    _settings.execute("PRAGMA cipher_default_compatibility = 4")
_settings.close()


def is_plain_file(path: Path) -> bool:
    """Whether `path` is an unencrypted SQLite file (SQLCipher's first bytes are a random salt instead)."""
    with path.open("rb") as file:
        return file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
