"""The SQLite store's row encoding (app.storage.rows) run on a PostgreSQL connection: one encoding of records
into rows for both stores, and here the few places where the two dialects' SQL differs.

rows.py writes `?` placeholders and SQLite's `INSERT OR IGNORE`; everything else it says, PostgreSQL reads the
same way (the tables are described once: app.storage.tables). The connection's search path is the schema
`backmap`, and `json` columns are read as their text, exactly as stored, as SQLite returns them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

# rows.drop_unused_plans: a plan no session gives is invisible to a person (its policy shows the plans of the
# sessions they may read), so the clinic deletes those through a SECURITY DEFINER function.
_REPLACED = {
    "DELETE FROM plans WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE plan_sha256 = plans.sha256)": (
        "SELECT backmap.drop_unused_plans()"
    ),
}
_INSERT_OR_IGNORE = re.compile(r"^INSERT OR IGNORE INTO (.*)$", re.DOTALL)
# In an upsert's SET, SQLite reads a bare column as the stored row's; PostgreSQL wants it named (or it is
# ambiguous with `excluded`'s).
_UPSERT_INTO = re.compile(r"^INSERT INTO (\w+) .* DO UPDATE SET ", re.DOTALL)


def postgres_sql(statement: str) -> str:
    """A statement of rows.py as PostgreSQL says it."""
    if statement in _REPLACED:
        return _REPLACED[statement]
    ignoring = _INSERT_OR_IGNORE.match(statement)
    if ignoring is not None:
        statement = f"INSERT INTO {ignoring.group(1)} ON CONFLICT DO NOTHING"
    upsert = _UPSERT_INTO.match(statement)
    if upsert is not None:
        statement = statement.replace("version = version + 1", f"version = {upsert.group(1)}.version + 1")
    return statement.replace("%", "%%").replace("?", "%s")


class RowConnection:
    """What rows.py asks of a connection (execute, executemany), on a psycopg connection."""

    def __init__(self, connection: psycopg.Connection[tuple[Any, ...]]) -> None:
        self.connection = connection

    def execute(self, statement: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[tuple[Any, ...]]:
        return self.connection.execute(postgres_sql(statement).encode(), parameters)

    def executemany(self, statement: str, parameters: Iterable[Sequence[Any]]) -> None:
        batch = list(parameters)
        if batch:
            with self.connection.cursor() as cursor:
                cursor.executemany(postgres_sql(statement).encode(), batch)


def read_json_as_text(connection: psycopg.Connection[Any]) -> None:
    """`json` columns come back as the text stored (psycopg would parse them), as rows.py reads SQLite's."""
    from psycopg.types.string import TextLoader

    connection.adapters.register_loader("json", TextLoader)
