"""Records <-> table rows. Reads load many sessions in one query per table (history is one call, fast)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from app.domain.records import (
    Amendment,
    Clearance,
    Client,
    Consent,
    Hold,
    Intake,
    Mark,
    PressureOverride,
    Session,
    Soap,
    Stroke,
)
from app.domain.session_summary import MarkTable, SessionSummary
from app.storage.codec import decode_flag, encode_flag
from app.storage.driver import sqlite3

CLIENT_COLUMNS = "id, name, born, phone, email, consent_date, consent_notice_version, consent_guardian, version"
SESSION_COLUMNS = (
    "id, start, minutes, therapist, position, medium, override_max_level, override_reason, soap_subjective, "
    "soap_objective, soap_assessment, soap_plan, pain_before, pain_after, shared_note, finalised, plan_sha256"
)
# What a read selects: the plan's compressed text in place of its key.
_READ_COLUMNS = SESSION_COLUMNS.replace("plan_sha256", "(SELECT json FROM plans WHERE sha256 = plan_sha256)")


def name_key(name: str) -> str:
    """What name search compares: accents removed, case folded ("Zoë" and "ZOE" match)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# -- plans as given (schema 3) -------------------------------------------------------------------------------


def store_plan(connection: sqlite3.Connection, text: str | None) -> bytes | None:
    """The key of a plan's JSON text, stored compressed once however many sessions give it (None: no plan)."""
    if text is None:
        return None
    data = text.encode("utf-8")
    key = hashlib.sha256(data).digest()
    connection.execute("INSERT OR IGNORE INTO plans (sha256, json) VALUES (?, ?)", (key, zlib.compress(data, 9)))
    return key


def plan_text(compressed: bytes) -> str:
    return zlib.decompress(compressed).decode("utf-8")


def drop_unused_plans(connection: sqlite3.Connection) -> None:
    """Deletes the plans no session gives any more (after a plan was replaced or a client erased)."""
    connection.execute("DELETE FROM plans WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE plan_sha256 = plans.sha256)")


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def utc_key(moment: dt.datetime) -> str:
    """A sort key in UTC, fixed width, so text order is time order."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- clients and intakes -------------------------------------------------------------------------------------


def client_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Client:
    client_id, name, born, phone, email, consent_date, notice_version, guardian, version = row
    consent = None if consent_date is None else Consent(dt.date.fromisoformat(consent_date), notice_version, guardian)
    return Client(client_id, name, _date(born), phone, email, consent, version)


def insert_client(connection: sqlite3.Connection, client: Client) -> None:
    connection.execute(
        "INSERT INTO clients (name, name_key, born, phone, email, consent_date, consent_notice_version, "
        "consent_guardian, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _client_values(client),
    )


def update_client(connection: sqlite3.Connection, client: Client) -> None:
    connection.execute(
        "UPDATE clients SET name = ?, name_key = ?, born = ?, phone = ?, email = ?, consent_date = ?, "
        "consent_notice_version = ?, consent_guardian = ?, version = version + 1 WHERE id = ?",
        _client_values(client),
    )


def _client_values(client: Client) -> tuple[Any, ...]:
    consent = client.consent
    return (
        client.name,
        name_key(client.name),
        None if client.born is None else client.born.isoformat(),
        client.phone,
        client.email,
        None if consent is None else consent.date.isoformat(),
        None if consent is None else consent.notice_version,
        "" if consent is None else consent.guardian,
        client.id,
    )


def intake_from_row(row: tuple[Any, ...]) -> Intake:
    date, flags, allergies, conditions, by, cleared, limits, expires, version = row
    clearance = None if by is None else Clearance(by, dt.date.fromisoformat(cleared), limits, _date(expires))
    return Intake(
        date=dt.date.fromisoformat(date),
        flags=tuple(decode_flag(entry, "flags") for entry in json.loads(flags)),
        allergies=tuple(json.loads(allergies)),
        conditions=conditions,
        clearance=clearance,
        version=version,
    )


INTAKE_COLUMNS = (
    "date, flags, allergies, conditions, clearance_by, clearance_date, clearance_limits, clearance_expires, version"
)


def save_intake(connection: sqlite3.Connection, client_id: str, intake: Intake) -> None:
    clearance = intake.clearance
    connection.execute(
        "INSERT INTO intakes (client_id, date, flags, allergies, conditions, clearance_by, clearance_date, "
        "clearance_limits, clearance_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (client_id, date) DO UPDATE SET flags = excluded.flags, allergies = excluded.allergies, "
        "conditions = excluded.conditions, clearance_by = excluded.clearance_by, "
        "clearance_date = excluded.clearance_date, clearance_limits = excluded.clearance_limits, "
        "clearance_expires = excluded.clearance_expires, version = version + 1",
        (
            client_id,
            intake.date.isoformat(),
            _json([encode_flag(entry) for entry in intake.flags]),
            _json(list(intake.allergies)),
            intake.conditions,
            None if clearance is None else clearance.by,
            None if clearance is None else clearance.date.isoformat(),
            None if clearance is None else clearance.limits,
            None if clearance is None or clearance.expires is None else clearance.expires.isoformat(),
        ),
    )


# -- sessions ------------------------------------------------------------------------------------------------


def insert_session(connection: sqlite3.Connection, client_id: str, session: Session) -> None:
    """The session row and all its parts (marks, strokes, holds, amendments)."""
    connection.execute(
        f"INSERT INTO sessions (client_id, start_utc, {SESSION_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (client_id, utc_key(session.start), session.id, *_session_values(connection, session)),
    )
    _insert_parts(connection, session)


def replace_session_row(connection: sqlite3.Connection, session: Session) -> None:
    """Rewrites the sessions row of an existing session (its marks, strokes, holds are other rows).

    Leaves `version` alone: the repository raises it once per write, whatever rows the write touched.
    """
    assignments = ", ".join(f"{column} = ?" for column in SESSION_COLUMNS.split(", ")[1:])
    connection.execute(
        f"UPDATE sessions SET start_utc = ?, {assignments} WHERE id = ?",
        (utc_key(session.start), *_session_values(connection, session), session.id),
    )


# A session field -> its columns, where they are not one column of the same name.
_FIELD_COLUMNS = {
    "soap": ("soap_subjective", "soap_objective", "soap_assessment", "soap_plan", "pain_before", "pain_after"),
    "override": ("override_max_level", "override_reason"),
    "plan": ("plan_sha256",),
}


def update_session_fields(connection: sqlite3.Connection, session: Session, fields: Iterable[str]) -> None:
    """Rewrites the columns of `fields` only, from `session` (its other fields are not written)."""
    values = dict(zip(SESSION_COLUMNS.split(", ")[1:], _session_values(connection, session), strict=True))
    columns = [column for field in fields for column in _FIELD_COLUMNS.get(field, (field,))]
    connection.execute(
        f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in columns)} WHERE id = ?",
        (*(values[column] for column in columns), session.id),
    )


def replace_session_parts(connection: sqlite3.Connection, session: Session) -> None:
    """Rewrites marks, strokes and holds (an amendment); amendments are only ever added, elsewhere."""
    for table in ("marks", "strokes", "holds"):
        connection.execute(f"DELETE FROM {table} WHERE session_id = ?", (session.id,))
    _insert_parts(connection, session, with_amendments=False)


def _session_values(connection: sqlite3.Connection, session: Session) -> tuple[Any, ...]:
    """The columns after the id, in SESSION_COLUMNS order (the plan stored, its key in its place)."""
    override, soap = session.override, session.soap
    return (
        session.start.isoformat(),
        session.minutes,
        session.therapist,
        session.position,
        session.medium,
        None if override is None else override.max_level,
        None if override is None else override.reason,
        soap.subjective,
        soap.objective,
        soap.assessment,
        soap.plan,
        soap.pain_before,
        soap.pain_after,
        session.shared_note,
        None if session.finalised is None else session.finalised.isoformat(),
        store_plan(connection, None if session.plan is None else _json(session.plan)),
    )


def _insert_parts(connection: sqlite3.Connection, session: Session, *, with_amendments: bool = True) -> None:
    connection.executemany(
        "INSERT INTO marks (session_id, region, by, tension, note, quality) VALUES (?, ?, ?, ?, ?, ?)",
        [(session.id, mark.region, mark.by, mark.tension, mark.note, mark.quality) for mark in session.marks],
    )
    insert_strokes(connection, session.id, session.strokes, first_position=0)
    insert_holds(connection, session.id, session.holds, first_position=0)
    if with_amendments:
        insert_amendments(connection, session.id, session.amendments, first_position=0)


def insert_strokes(
    connection: sqlite3.Connection, session_id: str, strokes: Iterable[Stroke], first_position: int
) -> None:
    connection.executemany(
        "INSERT INTO strokes (session_id, position, by, tension, width, points) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                session_id,
                first_position + i,
                s.by,
                s.tension,
                s.width,
                _json([[float(x), float(y)] for x, y in s.points]),
            )
            for i, s in enumerate(strokes)
        ],
    )


def insert_holds(connection: sqlite3.Connection, session_id: str, holds: Iterable[Hold], first_position: int) -> None:
    connection.executemany(
        "INSERT INTO holds (session_id, position, region, seconds) VALUES (?, ?, ?, ?)",
        [(session_id, first_position + i, hold.region, hold.seconds) for i, hold in enumerate(holds)],
    )


def insert_amendments(
    connection: sqlite3.Connection, session_id: str, amendments: Iterable[Amendment], first_position: int
) -> None:
    connection.executemany(
        "INSERT INTO amendments (session_id, position, at, field, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                session_id,
                first_position + i,
                a.at.isoformat(),
                a.field,
                _json(a.before),
                _json(a.after),
                a.reason,
            )
            for i, a in enumerate(amendments)
        ],
    )


def next_position(connection: sqlite3.Connection, table: str, session_id: str) -> int:
    row = connection.execute(f"SELECT max(position) FROM {table} WHERE session_id = ?", (session_id,)).fetchone()
    return 0 if row[0] is None else int(row[0]) + 1


# A session's timeline line from its row and its marks' index, no plan or strokes read (History, issue 22).
# One pass over the session's marks (in key order: region, then by) gives both the regions marked and the highest
# effective tension: per region the row with the greatest `by` ('therapist' over 'client') lends its tension.
# Packed as regions * 16 + highest (15: nothing assessed), as a scalar subquery returns one value.
_NOTHING_ASSESSED = 15
_SUMMARY_QUERY = f"""
    SELECT id, start, pain_before, pain_after, shared_note, finalised IS NOT NULL,
        (SELECT count(*) * 16 + coalesce(max(tension), {_NOTHING_ASSESSED}) FROM (
            SELECT tension, max(by) FROM marks WHERE session_id = sessions.id GROUP BY region)),
        (SELECT count(*) FROM amendments WHERE session_id = sessions.id)
    FROM sessions WHERE client_id = ? ORDER BY start_utc DESC, id DESC
"""


def load_summaries(connection: sqlite3.Connection, client_id: str) -> list[SessionSummary]:
    """The client's timeline lines, newest first."""
    return [
        SessionSummary(
            session_id=session_id,
            start=dt.datetime.fromisoformat(start),
            regions_marked=marked >> 4,
            highest=None if marked & 15 == _NOTHING_ASSESSED else marked & 15,
            pain_before=pain_before,
            pain_after=pain_after,
            shared_note=shared_note,
            finalised=bool(finalised),
            amendments=amendments,
        )
        for session_id, start, pain_before, pain_after, shared_note, finalised, marked, amendments in (
            connection.execute(_SUMMARY_QUERY, (client_id,))
        )
    ]


def load_mark_table(connection: sqlite3.Connection, client_id: str) -> MarkTable:
    """Every mark of the client's sessions as columns, sessions oldest first: two queries, no session decoded."""
    sessions = connection.execute(
        "SELECT id, substr(start, 1, 10) FROM sessions WHERE client_id = ? ORDER BY start_utc, id", (client_id,)
    ).fetchall()
    row_of = {session_id: row for row, (session_id, _) in enumerate(sessions)}
    marks = connection.execute(
        "SELECT session_id, region, by, tension, quality FROM marks "
        "WHERE session_id IN (SELECT id FROM sessions WHERE client_id = ?)",
        (client_id,),
    ).fetchall()
    columns = tuple(zip(*marks, strict=True)) if marks else ((), (), (), (), ())
    return MarkTable(
        session_ids=tuple(session_id for session_id, _ in sessions),
        dates=tuple(dt.date.fromisoformat(day) for _, day in sessions),
        session_rows=tuple(map(row_of.__getitem__, columns[0])),
        regions=columns[1],
        layers=columns[2],
        tensions=columns[3],
        qualities=columns[4],
    )


def load_sessions(connection: sqlite3.Connection, where: str, parameters: tuple[Any, ...]) -> list[Session]:
    """Sessions matching `where` (over the sessions table), newest first, each whole: one query per table."""
    rows = connection.execute(
        f"SELECT {_READ_COLUMNS}, version FROM sessions WHERE {where} ORDER BY start_utc DESC, id DESC", parameters
    ).fetchall()
    if not rows:
        return []
    chosen = f"SELECT id FROM sessions WHERE {where}"
    found = connection.execute(
        f"SELECT session_id, region, by, tension, note, quality FROM marks WHERE session_id IN ({chosen}) "
        "ORDER BY session_id, region, by",
        parameters,
    ).fetchall()
    # A mark is a value: the same region, layer, tension and note in a thousand sessions is one Mark, made once.
    made: dict[tuple[Any, ...], Mark] = {}
    marks = {
        session_id: [made.get(row[1:]) or made.setdefault(row[1:], Mark(*row[1:])) for row in group]
        for session_id, group in groupby(found, itemgetter(0))
    }
    strokes: defaultdict[str, list[Stroke]] = defaultdict(list)
    for session_id, by, tension, width, points in connection.execute(
        f"SELECT session_id, by, tension, width, points FROM strokes WHERE session_id IN ({chosen}) "
        "ORDER BY session_id, position",
        parameters,
    ):
        strokes[session_id].append(Stroke(by, tension, width, tuple(map(tuple, json.loads(points)))))
    holds: defaultdict[str, list[Hold]] = defaultdict(list)
    for session_id, region, seconds in connection.execute(
        f"SELECT session_id, region, seconds FROM holds WHERE session_id IN ({chosen}) ORDER BY session_id, position",
        parameters,
    ):
        holds[session_id].append(Hold(region, seconds))
    amendments: defaultdict[str, list[Amendment]] = defaultdict(list)
    for session_id, at, field, before, after, reason in connection.execute(
        f"SELECT session_id, at, field, before, after, reason FROM amendments WHERE session_id IN ({chosen}) "
        "ORDER BY session_id, position",
        parameters,
    ):
        amendments[session_id].append(
            Amendment(dt.datetime.fromisoformat(at), field, json.loads(before), json.loads(after), reason)
        )
    plans: dict[bytes, dict[str, Any]] = {}  # each distinct plan decoded once, its dict shared (never changed)
    return [
        _session_from_row(row, marks.get(row[0], []), strokes[row[0]], holds[row[0]], amendments[row[0]], plans)
        for row in rows
    ]


def _session_from_row(
    row: tuple[Any, ...],
    marks: list[Mark],
    strokes: list[Stroke],
    holds: list[Hold],
    amendments: list[Amendment],
    plans: dict[bytes, dict[str, Any]],
) -> Session:
    (
        session_id,
        start,
        minutes,
        therapist,
        position,
        medium,
        max_level,
        override_reason,
        subjective,
        objective,
        assessment,
        soap_plan,
        pain_before,
        pain_after,
        shared_note,
        finalised,
        plan,
        version,
    ) = row
    return Session(
        id=session_id,
        start=dt.datetime.fromisoformat(start),
        minutes=minutes,
        therapist=therapist,
        position=position,
        medium=medium,
        override=None if max_level is None else PressureOverride(max_level, override_reason),
        marks=tuple(marks),
        strokes=tuple(strokes),
        soap=Soap(subjective, objective, assessment, soap_plan, pain_before, pain_after),
        shared_note=shared_note,
        holds=tuple(holds),
        finalised=_moment(finalised),
        amendments=tuple(amendments),
        plan=None if plan is None else plans.get(plan) or plans.setdefault(plan, json.loads(plan_text(plan))),
        version=version,
    )
