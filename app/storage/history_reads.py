"""History's reads (issue 22), in SQL both stores read alike: the timeline's lines and the marks as columns, no
session decoded, no plan or stroke read. A line's own columns are read for every session; what its marks add up
to only for the lines shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from app.domain.session_summary import NOTHING_MARKED, MarksTally, MarkTable, SessionLine
from app.storage.driver import sqlite3

_LINE_COLUMNS = """
    SELECT id, version, start, pain_before, pain_after, shared_note, finalised IS NOT NULL,
        (SELECT count(*) FROM amendments WHERE session_id = sessions.id)
    FROM sessions"""
_NEWEST_FIRST = "ORDER BY start_utc DESC, id DESC"
# What tells a kept line from a stale one: every write to a session raises its version (schema version 2). In the
# index's order, not the timeline's: compared as a dict, and sorting them would double the read.
_VERSIONS_QUERY = "SELECT id, version FROM sessions WHERE client_id = ?"
# The timeline's order, read only when sessions came, went or moved in time.
_ORDER_QUERY = f"SELECT id FROM sessions WHERE client_id = ? {_NEWEST_FIRST}"
# More sessions changed than this: all read again in one query rather than named one by one.
_CHANGED_READ_ALONE = 200

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
    """The client's timeline lines, newest first."""
    return list(_lines_of(connection, client_id)[1].values())


Versions = dict[str, int]  # session id -> its version
Lines = dict[str, SessionLine]  # session id -> its timeline line


def _lines_of(connection: sqlite3.Connection, client_id: str) -> tuple[Versions, Lines]:
    """The client's sessions newest first: their versions and timeline lines."""
    return _lines(connection.execute(f"{_LINE_COLUMNS} WHERE client_id = ? {_NEWEST_FIRST}", (client_id,)))


def _lines(found: Iterable[tuple[Any, ...]]) -> tuple[Versions, Lines]:
    """Versions and lines from rows of _LINE_COLUMNS. Made positionally: by keyword a named tuple costs three times
    as much, a thousand of them several milliseconds."""
    parse = dt.datetime.fromisoformat
    versions: Versions = {}
    lines: Lines = {}
    for session_id, version, start, pain_before, pain_after, shared_note, finalised, amendments in found:
        versions[session_id] = version
        lines[session_id] = SessionLine(
            session_id, parse(start), pain_before, pain_after, shared_note, bool(finalised), amendments
        )
    return versions, lines


def _file_state(connection: sqlite3.Connection, client_id: str) -> tuple[object, ...]:
    """What a kept read is valid for: this connection's change count (every row it wrote, even one rolled back)
    and SQLite's data_version (another connection's commit), for this client."""
    (data_version,) = connection.execute("PRAGMA data_version").fetchone()
    return (connection, client_id, connection.total_changes, data_version)


class LinesKept:
    """The last timeline read, handed out again while the database is unchanged: going back to History (or to
    its client) costs no read (_file_state as it was). The very list is handed out again (no caller changes it):
    History keeps what it shows for the same list.

    After a change, only the sessions' ids and versions are read, then whole lines for the sessions new or at
    another version; every other line is the very one handed out before (History keeps what it drew for it), and
    the very list when none of the client's sessions changed. The timeline's order is read again only when
    sessions came, went or moved in time; otherwise the changed lines take their old places."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._versions: Versions = {}
        self._line_of: Lines = {}
        self._lines: list[SessionLine] = []  # newest first

    def session_lines(self, connection: sqlite3.Connection, client_id: str) -> list[SessionLine]:
        key = _file_state(connection, client_id)
        if key == self._key:
            return self._lines
        if self._key is None or key[:2] != self._key[:2]:  # another client (or file)
            self._read_all(connection, client_id)
        else:
            versions = dict(connection.execute(_VERSIONS_QUERY, (client_id,)))
            if versions != self._versions:  # else another client's records changed, not this one's
                self._read_changes(connection, client_id, versions)
        self._key = key
        return self._lines

    def _read_all(self, connection: sqlite3.Connection, client_id: str) -> None:
        self._versions, self._line_of = _lines_of(connection, client_id)
        self._lines = list(self._line_of.values())

    def _read_changes(self, connection: sqlite3.Connection, client_id: str, versions: Versions) -> None:
        """Keeps `versions` (as just read) and their lines: the kept ones, and those of sessions new or changed
        read whole; all read again when too many changed to name them one by one."""
        changed = [session_id for session_id, version in versions.items() if self._versions.get(session_id) != version]
        if len(changed) > _CHANGED_READ_ALONE:
            self._read_all(connection, client_id)
            return
        query = f"{_LINE_COLUMNS} WHERE id IN ({', '.join('?' * len(changed))})"
        read_versions, read = _lines(connection.execute(query, changed))
        if len(read) < len(changed):  # deleted between the two reads (another connection's commit)
            self._read_all(connection, client_id)
            return
        kept = self._line_of
        if versions.keys() == self._versions.keys() and all(
            line.start == kept[session_id].start for session_id, line in read.items()
        ):  # the same sessions at the same times: each changed line takes its old place
            row_of = {line.session_id: row for row, line in enumerate(self._lines)}
            self._lines = self._lines.copy()
            for session_id, line in read.items():
                self._lines[row_of[session_id]] = line
            self._line_of = kept | read
        else:
            order = [session_id for (session_id,) in connection.execute(_ORDER_QUERY, (client_id,))]
            if versions.keys() != set(order):  # came or went between the reads
                self._read_all(connection, client_id)
                return
            self._line_of = {session_id: read.get(session_id) or kept[session_id] for session_id in order}
            self._lines = list(self._line_of.values())
        self._versions = versions | read_versions


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


class MarksKept:
    """The last mark table read, handed out again while the client's marks and days are as read: Trends and the
    heat map keep what they drew for the very table. After a change (_file_state), the sessions' ids and versions
    are read; only the sessions at another version have their marks and day read, and when these are as kept the
    very table is handed out again (a note or a plan changed, not a mark). Sessions that came or went, a mark or
    day changed, or too many sessions changed: the whole table is read again."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._versions: Versions = {}
        self._table = MarkTable.from_sessions([])

    def mark_table(self, connection: sqlite3.Connection, client_id: str) -> MarkTable:
        key = _file_state(connection, client_id)
        if key == self._key:
            return self._table
        same_client = self._key is not None and key[:2] == self._key[:2]
        versions = dict(connection.execute(_VERSIONS_QUERY, (client_id,)))
        if not (same_client and self._as_kept(connection, versions)):
            self._table = load_mark_table(connection, client_id)
        self._key, self._versions = key, versions
        return self._table

    def _as_kept(self, connection: sqlite3.Connection, versions: Versions) -> bool:
        """Whether the sessions of `versions` have the marks and days of the kept table (only changed ones read)."""
        if versions.keys() != self._versions.keys():
            return False
        changed = [session_id for session_id, version in versions.items() if self._versions[session_id] != version]
        if len(changed) > _CHANGED_READ_ALONE:
            return False
        if not changed:
            return True
        table = self._table
        row_of = {session_id: row for row, session_id in enumerate(table.session_ids)}
        places = ", ".join("?" * len(changed))
        days_query = f"SELECT id, substr(start, 1, 10) FROM sessions WHERE id IN ({places})"
        days = dict(connection.execute(days_query, changed))
        if any(table.dates[row_of[session_id]].isoformat() != days.get(session_id) for session_id in changed):
            return False
        read = {
            (row_of[session_id], *mark)
            for session_id, *mark in connection.execute(
                f"SELECT session_id, region, by, tension, quality FROM marks WHERE session_id IN ({places})", changed
            )
        }
        rows = {row_of[session_id] for session_id in changed}
        kept = {
            (row, table.regions[index], table.layers[index], table.tensions[index], table.qualities[index])
            for index, row in enumerate(table.session_rows)
            if row in rows
        }
        return read == kept
