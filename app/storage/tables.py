"""The record tables as they stand, described once for both stores (issue 19, point 2).

SQLite builds them by its migrations (app.storage.schema, app.storage.migrations: history, never rewritten);
PostgreSQL's DDL is generated from these descriptions (app.storage.postgres.schema). tests/clinic checks that a
SQLite file built by the migrations has exactly these tables, columns, keys, defaults, checks and indexes, and
that a PostgreSQL database built from them does too: a change to one store fails a test until the other follows.

Checks and index conditions are SQL that both dialects read the same way. `JSON` is text holding JSON, kept as
given (SQLite: TEXT checked by json_valid; PostgreSQL: `json`, which keeps the text byte for byte, unlike jsonb).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import partial


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    BLOB = "blob"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class References:
    table: str
    column: str
    cascade: bool  # ON DELETE CASCADE: the row goes with what it belongs to


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    nullable: bool = False
    default: str | None = None  # an SQL literal
    check: str | None = None
    references: References | None = None
    numbered: bool = False  # the database numbers new rows (SQLite: INTEGER PRIMARY KEY; PostgreSQL: identity)


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]
    where: str | None = None  # a partial index's condition


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    checks: tuple[str, ...] = ()  # conditions over several columns
    indexes: tuple[Index, ...] = ()


_text = partial(Column, kind=Kind.TEXT)
_integer = partial(Column, kind=Kind.INTEGER)


_BY = "by IN ('client', 'therapist')"
_OF_CLIENT = References("clients", "id", cascade=True)
_OF_SESSION = References("sessions", "id", cascade=True)
_VERSION = _integer("version", default="1")  # raised by every write: a write based on an older one is refused

CLIENTS = Table(
    "clients",
    (
        _text("id"),
        _text("name", check="trim(name) <> ''"),
        _text("name_key"),  # casefolded, accents removed: for search
        _text("born", nullable=True),
        _text("phone"),
        _text("email"),
        _text("consent_date", nullable=True),
        _text("consent_notice_version", nullable=True),
        _text("consent_guardian", default="''"),  # for a minor: who consented for them
        _VERSION,
    ),
    primary_key=("id",),
    checks=("(consent_date IS NULL) = (consent_notice_version IS NULL)",),
    indexes=(Index("clients_by_name_key", ("name_key",)),),
)

INTAKES = Table(
    "intakes",
    (
        _text("client_id", references=_OF_CLIENT),
        _text("date"),
        Column("flags", Kind.JSON),
        Column("allergies", Kind.JSON),
        _text("conditions"),
        _text("clearance_by", nullable=True),
        _text("clearance_date", nullable=True),
        _text("clearance_limits", nullable=True),
        _text("clearance_expires", nullable=True),
        _VERSION,
    ),
    primary_key=("client_id", "date"),
)

SESSIONS = Table(
    "sessions",
    (
        _text("id"),
        _text("client_id", references=_OF_CLIENT),
        _text("start"),
        _text("start_utc"),
        _integer("minutes", check="minutes BETWEEN 1 AND 480"),
        _text("therapist"),
        _text("position"),
        _text("medium"),
        _integer("override_max_level", nullable=True, check="override_max_level BETWEEN 0 AND 5"),
        _text("override_reason", nullable=True),
        _text("soap_subjective"),
        _text("soap_objective"),
        _text("soap_assessment"),
        _text("soap_plan"),
        _integer("pain_before", nullable=True, check="pain_before BETWEEN 0 AND 10"),
        _integer("pain_after", nullable=True, check="pain_after BETWEEN 0 AND 10"),
        _text("shared_note"),
        _text("finalised", nullable=True),
        _VERSION,
        Column("plan_sha256", Kind.BLOB, nullable=True, references=References("plans", "sha256", cascade=False)),
    ),
    primary_key=("id",),
    indexes=(
        Index("sessions_by_client_start", ("client_id", "start_utc")),
        Index("sessions_by_plan", ("plan_sha256",), where="plan_sha256 IS NOT NULL"),
        # The sessions still open, few whatever the history: "Start session" looks for one without the rest.
        Index("sessions_open", ("client_id", "start_utc"), where="finalised IS NULL"),
    ),
)

MARKS = Table(
    "marks",
    (
        _text("session_id", references=_OF_SESSION),
        _text("region"),
        _text("by", check=_BY),
        _integer("tension", check="tension BETWEEN 0 AND 10"),
        _text("note"),
        _text(
            "quality",
            nullable=True,
            check="quality IS NULL OR quality IN ('aching', 'burning', 'sharp', 'pins_and_needles', 'numbness')",
        ),
    ),
    primary_key=("session_id", "region", "by"),
)

STROKES = Table(
    "strokes",
    (
        _text("session_id", references=_OF_SESSION),
        _integer("position"),
        _text("by", check=_BY),
        _integer("tension", check="tension BETWEEN 0 AND 10"),
        Column("width", Kind.REAL, check="width > 0"),
        Column("points", Kind.JSON),
    ),
    primary_key=("session_id", "position"),
)

HOLDS = Table(
    "holds",
    (
        _text("session_id", references=_OF_SESSION),
        _integer("position"),
        _text("region"),
        Column("seconds", Kind.REAL, check="seconds >= 0"),
    ),
    primary_key=("session_id", "position"),
)

# An amendment is history: never edited (each store's trigger refuses it); erasing the client still deletes it.
AMENDMENTS = Table(
    "amendments",
    (
        _text("session_id", references=_OF_SESSION),
        _integer("position"),
        _text("at"),
        _text("field"),
        Column("before", Kind.JSON),
        Column("after", Kind.JSON),
        _text("reason"),
    ),
    primary_key=("session_id", "position"),
)

# Who did what to which client, when; `what` never carries note text (it is health data). Append-only.
AUDIT_LOG = Table(
    "audit_log",
    (
        _integer("id", numbered=True),
        _text("at"),
        _text("action"),
        _text("client_id", nullable=True),
        _text("what"),
    ),
    primary_key=("id",),
    indexes=(Index("audit_log_by_client", ("client_id",)),),
)

# Each distinct plan as given, once: keyed by the SHA-256 of its JSON text (UTF-8), that text zlib-compressed.
PLANS = Table(
    "plans",
    (
        Column("sha256", Kind.BLOB, check="length(sha256) = 32"),
        Column("json", Kind.BLOB),
    ),
    primary_key=("sha256",),
)

# In an order that creates each table after those it references.
RECORD_TABLES: tuple[Table, ...] = (CLIENTS, INTAKES, PLANS, SESSIONS, MARKS, STROKES, HOLDS, AMENDMENTS, AUDIT_LOG)
