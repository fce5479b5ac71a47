"""The database schema, one tuple of statements per version (DESIGN.md, "Storage").

Timestamps are stored as ISO 8601 text with the offset as given (so a record reads back exactly) plus a UTC
sort key where screens order by time. Lists whose order matters (strokes, holds, amendments) carry `position`.
JSON columns hold what is stored "as given" (allergies, flags, the plan snapshot, amendment values).
Version 2: clients, intakes and sessions carry a `version`, raised by every write to them (or, for a session,
to its marks, strokes and holds): a write based on an older version is refused (app.storage.record_store).
Version 3: a mark's `quality` (what the tension feels like; NULL: plain tension).
Version 4: each distinct plan as given is stored once in `plans`, keyed by the SHA-256 of its JSON text and kept
zlib-compressed (the text is recovered byte for byte); a session names its plan by that key (issue 22: plans
were 72 % of a practice's file). A plan no session names any more is deleted with the last one that did.
"""

from __future__ import annotations

# PRAGMA application_id: "BkMp". A SQLite file without it is not ours and is never written.
APPLICATION_ID = 0x426B4D70
SCHEMA_VERSION = 4
TABLES = ("clients", "intakes", "sessions", "marks", "strokes", "holds", "amendments", "audit_log")  # in every version

SCHEMA_V1: tuple[str, ...] = (
    """
    CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL CHECK (trim(name) <> ''),
        name_key TEXT NOT NULL,  -- casefolded, accents removed: for search
        born TEXT,
        phone TEXT NOT NULL,
        email TEXT NOT NULL,
        consent_date TEXT,
        consent_notice_version TEXT,
        consent_guardian TEXT NOT NULL DEFAULT '',  -- for a minor: who consented for them
        CHECK ((consent_date IS NULL) = (consent_notice_version IS NULL))
    ) STRICT
    """,
    "CREATE INDEX clients_by_name_key ON clients (name_key)",
    """
    CREATE TABLE intakes (
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        flags TEXT NOT NULL CHECK (json_valid(flags)),
        allergies TEXT NOT NULL CHECK (json_valid(allergies)),
        conditions TEXT NOT NULL,
        clearance_by TEXT,
        clearance_date TEXT,
        clearance_limits TEXT,
        clearance_expires TEXT,
        PRIMARY KEY (client_id, date)
    ) STRICT, WITHOUT ROWID
    """,
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        start TEXT NOT NULL,
        start_utc TEXT NOT NULL,
        minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 480),
        therapist TEXT NOT NULL,
        position TEXT NOT NULL,
        medium TEXT NOT NULL,
        override_max_level INTEGER CHECK (override_max_level BETWEEN 0 AND 5),
        override_reason TEXT,
        soap_subjective TEXT NOT NULL,
        soap_objective TEXT NOT NULL,
        soap_assessment TEXT NOT NULL,
        soap_plan TEXT NOT NULL,
        pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
        pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
        shared_note TEXT NOT NULL,
        finalised TEXT,
        plan TEXT CHECK (plan IS NULL OR json_valid(plan))
    ) STRICT
    """,
    "CREATE INDEX sessions_by_client_start ON sessions (client_id, start_utc)",
    """
    CREATE TABLE marks (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        region TEXT NOT NULL,
        by TEXT NOT NULL CHECK (by IN ('client', 'therapist')),
        tension INTEGER NOT NULL CHECK (tension BETWEEN 0 AND 10),
        note TEXT NOT NULL,
        PRIMARY KEY (session_id, region, by)
    ) STRICT, WITHOUT ROWID
    """,
    """
    CREATE TABLE strokes (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        by TEXT NOT NULL CHECK (by IN ('client', 'therapist')),
        tension INTEGER NOT NULL CHECK (tension BETWEEN 0 AND 10),
        width REAL NOT NULL CHECK (width > 0),
        points TEXT NOT NULL CHECK (json_valid(points)),
        PRIMARY KEY (session_id, position)
    ) STRICT, WITHOUT ROWID
    """,
    """
    CREATE TABLE holds (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        region TEXT NOT NULL,
        seconds REAL NOT NULL CHECK (seconds >= 0),
        PRIMARY KEY (session_id, position)
    ) STRICT, WITHOUT ROWID
    """,
    """
    CREATE TABLE amendments (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        at TEXT NOT NULL,
        field TEXT NOT NULL,
        before TEXT NOT NULL CHECK (json_valid(before)),
        after TEXT NOT NULL CHECK (json_valid(after)),
        reason TEXT NOT NULL,
        PRIMARY KEY (session_id, position)
    ) STRICT, WITHOUT ROWID
    """,
    # An amendment is history: it is never edited (erasing a client still deletes it, by cascade).
    """
    CREATE TRIGGER amendments_are_never_edited BEFORE UPDATE ON amendments
    BEGIN SELECT RAISE(ABORT, 'amendments are never edited'); END
    """,
    # Who did what to which client, when; `what` never carries note text (it is health data).
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        client_id TEXT,
        what TEXT NOT NULL
    ) STRICT
    """,
    "CREATE INDEX audit_log_by_client ON audit_log (client_id)",
    """
    CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_log_keeps_every_entry BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
)

SCHEMA_V2: tuple[str, ...] = tuple(
    f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1" for table in ("clients", "intakes", "sessions")
)

SCHEMA_V3: tuple[str, ...] = (
    "ALTER TABLE marks ADD COLUMN quality TEXT "
    "CHECK (quality IS NULL OR quality IN ('aching', 'burning', 'sharp', 'pins_and_needles', 'numbness'))",
)

# The sessions' `plan` column moves into `plans` in between (app.storage.migrations); then it is dropped.
SCHEMA_V4: tuple[str, ...] = (
    """
    CREATE TABLE plans (
        sha256 BLOB PRIMARY KEY CHECK (length(sha256) = 32),  -- of the plan's JSON text, UTF-8
        json BLOB NOT NULL  -- that text, zlib-compressed
    ) STRICT, WITHOUT ROWID
    """,
    "ALTER TABLE sessions ADD COLUMN plan_sha256 BLOB REFERENCES plans (sha256)",
    "CREATE INDEX sessions_by_plan ON sessions (plan_sha256) WHERE plan_sha256 IS NOT NULL",
    # The sessions still open, few whatever the history: "Start session" looks for one without reading the rest.
    "CREATE INDEX sessions_open ON sessions (client_id, start_utc) WHERE finalised IS NULL",
)
