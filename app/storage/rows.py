"""Records <-> table rows, every row read by column name. Reads load many sessions in one query per table (history
is one call, fast); the sessions row follows the scalar fields' descriptions (app.domain.session_fields)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

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
from app.domain.session_fields import SCALAR_FIELDS, scalar_field, session_arguments
from app.storage.codec import (
    Json,
    StoredJson,
    StoredPoints,
    amendment_object,
    decode_flag,
    encode_flag,
    hold_object,
    mark_object,
    override_object,
    session_object,
    stroke_object,
)
from app.storage.driver import sqlite3

T = TypeVar("T")

_CLIENT_COLUMNS = "id, name, born, phone, email, consent_date, consent_notice_version, consent_guardian, version"
_INTAKE_COLUMNS = (
    "date, flags, allergies, conditions, clearance_by, clearance_date, clearance_limits, clearance_expires, version"
)
# The sessions row as written: the scalar fields' columns from their descriptions (app.domain.session_fields).
SESSION_COLUMNS = (
    "id",
    "start",
    *(field.column for field in SCALAR_FIELDS),
    "override_max_level",
    "override_reason",
    "finalised",
    "plan_sha256",
)
# What a read selects: the plan's compressed text in place of its key.
_READ_COLUMNS = ", ".join(
    "(SELECT json FROM plans WHERE sha256 = plan_sha256) AS plan" if column == "plan_sha256" else column
    for column in (*SESSION_COLUMNS, "version")
)
_SCALAR_NAMES_AND_COLUMNS = tuple((field.name, field.column) for field in SCALAR_FIELDS)
# A session part -> its columns, where it is not a scalar field of one column.
_PART_COLUMNS = {
    "soap": tuple(field.column for field in SCALAR_FIELDS if field.part == "soap"),
    "override": ("override_max_level", "override_reason"),
    "plan": ("plan_sha256",),
    "finalised": ("finalised",),
}


Row = dict[str, Any]
_REGION_AND_BY = itemgetter(1, 2)  # of a marks row read as (session_id, region, by, ...)


def named(connection: sqlite3.Connection, sql: str, parameters: tuple[Any, ...] = ()) -> Iterator[Row]:
    """The rows of a query by column name, so no reader depends on a column's place (sqlite3.Row looks a name up
    by comparing it with every column's, several times slower over a long history)."""
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return (dict(zip(names, row, strict=True)) for row in cursor)


def picked(
    connection: sqlite3.Connection, sql: str, parameters: tuple[Any, ...], names: tuple[str, ...]
) -> Iterator[Any]:
    """The columns `names` of each row of a query, in that order, found by name once per query: for reads of
    thousands of rows (a history's marks), where a dict per row costs more than the read."""
    cursor = connection.execute(sql, parameters)
    place = {column[0]: index for index, column in enumerate(cursor.description)}
    return map(itemgetter(*(place[name] for name in names)), cursor)


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
    import hashlib  # here, not at import: reading the client list at start-up needs no OpenSSL

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


def load_clients(
    connection: sqlite3.Connection, where: str = "TRUE", parameters: tuple[Any, ...] = (), *, locking: str = ""
) -> list[Client]:
    """The clients matching `where` (over the clients table), by name; `locking`: a clause such as PostgreSQL's
    " FOR UPDATE" (two writers of one client take turns)."""
    found = named(
        connection,
        f"SELECT {_CLIENT_COLUMNS} FROM clients WHERE {where} ORDER BY name_key, id{locking}",
        parameters,
    )
    return [_client_from_row(row) for row in found]


def _client_from_row(row: Row) -> Client:
    consent_date = row["consent_date"]
    consent = (
        None
        if consent_date is None
        else Consent(dt.date.fromisoformat(consent_date), row["consent_notice_version"], row["consent_guardian"])
    )
    return Client(
        id=row["id"],
        name=row["name"],
        born=_date(row["born"]),
        phone=row["phone"],
        email=row["email"],
        consent=consent,
        version=row["version"],
    )


def insert_client(connection: sqlite3.Connection, client: Client, *, therapist: str | None = None) -> None:
    """`therapist`: on a clinic server, whose client (reception books clients for a therapist); else the one
    who writes it."""
    named, values = ("", ()) if therapist is None else (", therapist", (therapist,))
    connection.execute(
        "INSERT INTO clients (name, name_key, born, phone, email, consent_date, consent_notice_version, "
        f"consent_guardian, id{named}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?{', ?' * len(values)})",
        (*_client_values(client), *values),
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


def load_intakes(
    connection: sqlite3.Connection, client_id: str, extra: str = "", parameters: tuple[Any, ...] = ()
) -> list[Intake]:
    """The client's screenings oldest first; `extra` narrows them (an SQL condition starting with AND)."""
    found = named(
        connection,
        f"SELECT {_INTAKE_COLUMNS} FROM intakes WHERE client_id = ? {extra} ORDER BY date",
        (client_id, *parameters),
    )
    return [_intake_from_row(row) for row in found]


def _intake_from_row(row: Row) -> Intake:
    by = row["clearance_by"]
    clearance = (
        None
        if by is None
        else Clearance(
            by, dt.date.fromisoformat(row["clearance_date"]), row["clearance_limits"], _date(row["clearance_expires"])
        )
    )
    return Intake(
        date=dt.date.fromisoformat(row["date"]),
        flags=tuple(decode_flag(entry, "flags") for entry in json.loads(row["flags"])),
        allergies=tuple(json.loads(row["allergies"])),
        conditions=row["conditions"],
        clearance=clearance,
        version=row["version"],
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
    values = _session_values(connection, session)
    connection.execute(
        f"INSERT INTO sessions (client_id, start_utc, {', '.join(values)}) "
        f"VALUES (?, ?, {', '.join('?' for _ in values)})",
        (client_id, utc_key(session.start), *values.values()),
    )
    _insert_parts(connection, session)


def replace_session_row(connection: sqlite3.Connection, session: Session) -> None:
    """Rewrites the sessions row of an existing session (its marks, strokes, holds are other rows).

    Leaves `version` alone: the repository raises it once per write, whatever rows the write touched.
    """
    values = _session_values(connection, session)
    del values["id"]
    connection.execute(
        f"UPDATE sessions SET start_utc = ?, {', '.join(f'{column} = ?' for column in values)} WHERE id = ?",
        (utc_key(session.start), *values.values(), session.id),
    )


def update_session_fields(connection: sqlite3.Connection, session: Session, fields: Iterable[str]) -> None:
    """Rewrites the columns of `fields` only, from `session` (its other fields are not written).

    A field is a scalar field's name ("minutes", "soap.pain_after") or a part: "soap", "override", "plan",
    "finalised".
    """
    values = _session_values(connection, session, fields)
    connection.execute(
        f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in values)} WHERE id = ?",
        (*values.values(), session.id),
    )


def _columns_of(name: str) -> tuple[str, ...]:
    return _PART_COLUMNS[name] if name in _PART_COLUMNS else (scalar_field(name).column,)


def _session_values(
    connection: sqlite3.Connection, session: Session, fields: Iterable[str] | None = None
) -> dict[str, Any]:
    """Column -> value of the sessions row (the plan stored, its key in its place): every column in
    SESSION_COLUMNS order, or only those of `fields`."""
    wanted = SESSION_COLUMNS if fields is None else [column for name in fields for column in _columns_of(name)]
    values: dict[str, Any] = {field.column: session.field_value(field.name) for field in SCALAR_FIELDS}
    override = session.override
    values.update(
        id=session.id,
        start=session.start.isoformat(),
        override_max_level=None if override is None else override.max_level,
        override_reason=None if override is None else override.reason,
        finalised=None if session.finalised is None else session.finalised.isoformat(),
    )
    if "plan_sha256" in wanted:
        values["plan_sha256"] = store_plan(connection, None if session.plan is None else _json(session.plan))
    return {column: values[column] for column in wanted}


def replace_session_parts(connection: sqlite3.Connection, session: Session) -> None:
    """Rewrites marks, strokes and holds (an amendment); amendments are only ever added, elsewhere."""
    for table in ("marks", "strokes", "holds"):
        connection.execute(f"DELETE FROM {table} WHERE session_id = ?", (session.id,))
    _insert_parts(connection, session, with_amendments=False)


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


_STROKE_COLUMNS = ("by", "tension", "width", "points")
_HOLD_COLUMNS = ("region", "seconds")
_AMENDMENT_COLUMNS = ("at", "field", "before", "after", "reason")


def _by_session(
    connection: sqlite3.Connection,
    table: str,
    columns: tuple[str, ...],
    chosen: str,
    parameters: tuple[Any, ...],
    make: Callable[..., T],
) -> defaultdict[str, list[T]]:
    """The rows of `table` (strokes, holds, amendments) of the sessions `chosen` selects, each made with
    `make(*columns)`, by session in their order: one query for all of them."""
    found: defaultdict[str, list[T]] = defaultdict(list)
    for session_id, *values in picked(
        connection,
        f"SELECT session_id, {', '.join(columns)} FROM {table} WHERE session_id IN ({chosen}) "
        "ORDER BY session_id, position",
        parameters,
        ("session_id", *columns),
    ):
        found[session_id].append(make(*values))
    return found


def load_sessions(connection: sqlite3.Connection, where: str, parameters: tuple[Any, ...]) -> list[Session]:
    """Sessions matching `where` (over the sessions table), newest first, each whole: one query per table."""
    rows = list(
        named(
            connection,
            f"SELECT {_READ_COLUMNS} FROM sessions WHERE {where} ORDER BY start_utc DESC, id DESC",
            parameters,
        )
    )
    if not rows:
        return []
    chosen = f"SELECT id FROM sessions WHERE {where}"
    mark_columns = ("session_id", "region", "by", "tension", "note", "quality")
    found = picked(
        connection,
        f"SELECT {', '.join(mark_columns)} FROM marks WHERE session_id IN ({chosen}) ORDER BY session_id, region, by",
        parameters,
        mark_columns,
    )
    # A mark is a value: the same region, layer, tension and note in a thousand sessions is one Mark, made once.
    made: dict[tuple[Any, ...], Mark] = {}
    marks = {
        session_id: [made.get(row[1:]) or made.setdefault(row[1:], Mark(*row[1:])) for row in group]
        for session_id, group in groupby(found, itemgetter(0))
    }
    strokes = _by_session(
        connection,
        "strokes",
        _STROKE_COLUMNS,
        chosen,
        parameters,
        lambda by, tension, width, points: Stroke(by, tension, width, tuple(map(tuple, json.loads(points)))),
    )
    holds = _by_session(connection, "holds", _HOLD_COLUMNS, chosen, parameters, Hold)
    amendments = _by_session(
        connection,
        "amendments",
        _AMENDMENT_COLUMNS,
        chosen,
        parameters,
        lambda at, field, before, after, reason: Amendment(
            dt.datetime.fromisoformat(at), field, json.loads(before), json.loads(after), reason
        ),
    )
    plans: dict[bytes, dict[str, Any]] = {}  # each distinct plan decoded once, its dict shared (never changed)
    return [
        _session_from_row(
            row, marks.get(row["id"], []), strokes[row["id"]], holds[row["id"]], amendments[row["id"]], plans
        )
        for row in rows
    ]


def _session_from_row(
    row: Row,
    marks: list[Mark],
    strokes: list[Stroke],
    holds: list[Hold],
    amendments: list[Amendment],
    plans: dict[bytes, dict[str, Any]],
) -> Session:
    own, soap = session_arguments({name: row[column] for name, column in _SCALAR_NAMES_AND_COLUMNS})
    max_level, plan = row["override_max_level"], row["plan"]
    return Session(
        id=row["id"],
        start=dt.datetime.fromisoformat(row["start"]),
        override=None if max_level is None else PressureOverride(max_level, row["override_reason"]),
        marks=tuple(marks),
        strokes=tuple(strokes),
        soap=Soap(**soap),
        holds=tuple(holds),
        finalised=_moment(row["finalised"]),
        amendments=tuple(amendments),
        plan=None if plan is None else plans.get(plan) or plans.setdefault(plan, json.loads(plan_text(plan))),
        version=row["version"],
        **own,
    )


def load_session_objects(connection: sqlite3.Connection, client_id: str) -> list[dict[str, Json]]:
    """The client's sessions as the objects of their client file (codec.session_object), oldest first, straight
    from the rows (an export builds no Session to write it again): one query per table, a mark repeated across
    sessions one object, the points and each distinct plan as stored (StoredPoints, StoredJson), not decoded."""
    of_client = "SELECT id FROM sessions WHERE client_id = ?"
    parameters = (client_id,)
    mark_columns = ("session_id", "region", "by", "tension", "note", "quality")
    found = picked(
        connection,
        f"SELECT {', '.join(mark_columns)} FROM marks WHERE session_id IN ({of_client}) ORDER BY session_id",
        parameters,
        mark_columns,
    )
    made: dict[tuple[Any, ...], dict[str, Json]] = {}
    marks = {
        session_id: [
            made.get(row[1:]) or made.setdefault(row[1:], mark_object(*row[1:]))
            # In Python's order of region and `by`, which a PostgreSQL collation need not keep.
            for row in sorted(group, key=_REGION_AND_BY)
        ]
        for session_id, group in groupby(found, itemgetter(0))
    }
    strokes = _by_session(
        connection,
        "strokes",
        _STROKE_COLUMNS,
        of_client,
        parameters,
        lambda by, tension, width, points: stroke_object(by, tension, width, StoredPoints(points)),
    )
    holds = _by_session(connection, "holds", _HOLD_COLUMNS, of_client, parameters, hold_object)
    amendments = _by_session(
        connection,
        "amendments",
        _AMENDMENT_COLUMNS,
        of_client,
        parameters,
        lambda at, field, before, after, reason: amendment_object(
            at, field, json.loads(before), json.loads(after), reason
        ),
    )
    plans = {
        key: StoredJson(plan_text(compressed))
        for key, compressed in picked(
            connection,
            "SELECT sha256, json FROM plans WHERE sha256 IN (SELECT plan_sha256 FROM sessions WHERE client_id = ?)",
            parameters,
            ("sha256", "json"),
        )
    }
    sessions = sorted(
        named(
            connection, f"SELECT start_utc, {', '.join(SESSION_COLUMNS)} FROM sessions WHERE client_id = ?", parameters
        ),
        key=itemgetter("start_utc", "id"),
    )
    return [
        session_object(
            {
                "id": row["id"],
                "start": row["start"],
                "override": None
                if row["override_max_level"] is None
                else override_object(row["override_max_level"], row["override_reason"]),
                "marks": marks.get(row["id"], []),
                "strokes": strokes[row["id"]],
                "holds": holds[row["id"]],
                "finalised": row["finalised"],
                "amendments": amendments[row["id"]],
                "plan": None if row["plan_sha256"] is None else plans[row["plan_sha256"]],
            },
            {name: row[column] for name, column in _SCALAR_NAMES_AND_COLUMNS},
        )
        for row in sessions
    ]
