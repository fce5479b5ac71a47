"""History's reads (issue 22), in SQL both stores read alike: the timeline's lines and the marks as columns, no
session decoded, no plan or stroke read. A line's own columns are read for every session; what its marks add up
to only for the lines shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from app.domain.session_summary import NOTHING_MARKED, MarksTally, MarkTable, SessionLine
from app.storage.driver import sqlite3

_LINES_QUERY = """
    SELECT id, start, pain_before, pain_after, shared_note, finalised IS NOT NULL,
        (SELECT count(*) FROM amendments WHERE session_id = sessions.id)
    FROM sessions WHERE client_id = ? ORDER BY start_utc DESC, id DESC
"""

# A region's effective tension is the therapist's mark where there is one, else the client's: the marks kept are
# those, counted and maximised per session (SQL both stores read alike; NOT EXISTS is a primary-key lookup).
_TALLIES_QUERY = """
    SELECT session_id, count(*), max(tension) FROM marks AS mark
    WHERE session_id IN (SELECT id FROM sessions WHERE id IN ({}) AND client_id = ?)
        AND (by = 'therapist' OR NOT EXISTS (
        SELECT 1 FROM marks WHERE session_id = mark.session_id AND region = mark.region AND by = 'therapist'))
    GROUP BY session_id
"""


def load_session_lines(connection: sqlite3.Connection, client_id: str) -> list[SessionLine]:
    """The client's timeline lines, newest first. Made positionally: by keyword a named tuple costs three times as
    much, a thousand of them several milliseconds."""
    parse = dt.datetime.fromisoformat
    return [
        SessionLine(session_id, parse(start), pain_before, pain_after, shared_note, bool(finalised), amendments)
        for session_id, start, pain_before, pain_after, shared_note, finalised, amendments in (
            connection.execute(_LINES_QUERY, (client_id,))
        )
    ]


class LinesKept:
    """The last timeline read, handed out again while the database is unchanged: going back to History (or to
    its client) costs no read. Unchanged is this connection's change count (every row it wrote, even one rolled
    back) and SQLite's data_version (another connection's commit) both as they were. The very list is handed
    out again (no caller changes it): History keeps what it shows for the same list."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._lines: list[SessionLine] = []

    def session_lines(self, connection: sqlite3.Connection, client_id: str) -> list[SessionLine]:
        (data_version,) = connection.execute("PRAGMA data_version").fetchone()
        key = (connection, client_id, connection.total_changes, data_version)
        if key != self._key:
            self._lines = load_session_lines(connection, client_id)
            self._key = key
        return self._lines


def load_marks_tallies(
    connection: sqlite3.Connection, client_id: str, session_ids: Sequence[str]
) -> dict[str, MarksTally]:
    """What each of the client's sessions' marks add up to (NOTHING_MARKED for one without marks, or not theirs)."""
    tallies = dict.fromkeys(session_ids, NOTHING_MARKED)
    if session_ids:
        query = _TALLIES_QUERY.format(", ".join("?" * len(session_ids)))
        for session_id, regions, highest in connection.execute(query, (*session_ids, client_id)):
            tallies[session_id] = MarksTally(regions, highest)
    return tallies


def _by_column(cursor: sqlite3.Cursor) -> dict[str, tuple[Any, ...]]:
    """A query's result as one tuple per column, by column name (every row read at once)."""
    names = [description[0] for description in cursor.description]
    found = cursor.fetchall()
    return dict(zip(names, zip(*found, strict=True), strict=True)) if found else dict.fromkeys(names, ())


def load_mark_table(connection: sqlite3.Connection, client_id: str) -> MarkTable:
    """Every mark of the client's sessions as columns, sessions oldest first: two queries, no session decoded."""
    sessions = _by_column(
        connection.execute(
            "SELECT id, substr(start, 1, 10) AS day FROM sessions WHERE client_id = ? ORDER BY start_utc, id",
            (client_id,),
        )
    )
    row_of = {session_id: row for row, session_id in enumerate(sessions["id"])}
    marks = _by_column(
        connection.execute(
            "SELECT session_id, region, by, tension, quality FROM marks "
            "WHERE session_id IN (SELECT id FROM sessions WHERE client_id = ?)",
            (client_id,),
        )
    )
    return MarkTable(
        session_ids=sessions["id"],
        dates=tuple(dt.date.fromisoformat(day) for day in sessions["day"]),
        session_rows=tuple(map(row_of.__getitem__, marks["session_id"])),
        regions=marks["region"],
        layers=marks["by"],
        tensions=marks["tension"],
        qualities=marks["quality"],
    )
