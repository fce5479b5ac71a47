"""The clinic database's tables: generated from app.storage.tables, plus what only a clinic has (who treats a
client, who it is shared with, who wrote each audit entry), versioned and migrated forward in one transaction.

Everything lives in the schema `backmap`, owned by the role `backmap_schema`, which nobody logs in as: the clinic
owner's own role is given privileges, never ownership, so no person can drop the audit log's triggers.
A new database is built at the latest version; a step in STEPS brings an older one forward (version 2 announces
every change: access.ANNOUNCING; version 3 makes the row policies' checks index probes: access.CHECKS_BY_INDEX).
Who may read and write what is app.storage.postgres.access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from app.storage.tables import RECORD_TABLES, Column, Kind, Table

if TYPE_CHECKING:
    import psycopg

SCHEMA = "backmap"
SCHEMA_OWNER = "backmap_schema"
SCHEMA_VERSION = 3
# Taken for the whole migration, so two first starts of `clinic init` cannot both build the schema.
MIGRATION_LOCK = 0x426B4D70  # "BkMp", as the SQLite files' application_id

POSTGRES_TYPES = {
    Kind.TEXT: "text",
    Kind.INTEGER: "integer",
    Kind.REAL: "double precision",
    Kind.BLOB: "bytea",
    Kind.JSON: "json",  # the text as given, byte for byte (jsonb would reorder keys)
}

# What a clinic adds to the shared tables, and its own tables.
PEOPLE = Table(
    "people",
    (
        Column("role", Kind.TEXT),  # the person's login role
        Column("kind", Kind.TEXT, check="kind IN ('owner', 'therapist', 'receptionist')"),
        Column("name", Kind.TEXT, check="trim(name) <> ''"),
    ),
    primary_key=("role",),
)
CLINIC_COLUMNS: dict[str, tuple[str, ...]] = {
    # The therapist who treats the client: the one who reads the record without an audit entry.
    "clients": ("therapist text NOT NULL DEFAULT session_user REFERENCES backmap.people (role)",),
    "audit_log": (
        "by_role text NOT NULL DEFAULT session_user",
        # The transaction that wrote the entry: an entry 'read' opens the client for the rest of it (access).
        "xact xid8 NOT NULL DEFAULT pg_current_xact_id()",
    ),
}
# The openings (open_client) a policy looks for, found by one probe however long the client's log (version 3).
AUDIT_LOG_READS = (
    "CREATE INDEX IF NOT EXISTS audit_log_reads ON backmap.audit_log (client_id, xact) WHERE action = 'read'"
)
CLINIC_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE backmap.client_shares (
        client_id text NOT NULL REFERENCES backmap.clients (id) ON DELETE CASCADE,
        therapist text NOT NULL REFERENCES backmap.people (role),
        shared_by text NOT NULL DEFAULT session_user,
        PRIMARY KEY (client_id, therapist)
    )
    """,
    "CREATE INDEX clients_by_therapist ON backmap.clients (therapist)",
    "CREATE INDEX client_shares_by_therapist ON backmap.client_shares (therapist)",
    AUDIT_LOG_READS,
    "CREATE TABLE backmap.schema_version (version integer NOT NULL)",
    f"INSERT INTO backmap.schema_version VALUES ({SCHEMA_VERSION})",
)


def quoted(name: str) -> str:
    return f'"{name}"'


def column_definition(column: Column, table: Table) -> str:
    parts = [quoted(column.name), POSTGRES_TYPES[column.kind]]
    if column.numbered:
        parts[1] = "bigint GENERATED ALWAYS AS IDENTITY"
    if column.kind is Kind.TEXT:
        parts.append('COLLATE "C"')  # ordered by code point, as SQLite orders text, whatever the server's locale
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.check is not None:
        parts.append(f"CHECK ({column.check})")
    if column.references is not None:
        target = column.references
        parts.append(f"REFERENCES {SCHEMA}.{quoted(target.table)} ({quoted(target.column)})")
        if target.cascade:
            parts.append("ON DELETE CASCADE")
    return " ".join(parts)


def create_table(table: Table) -> Iterator[str]:
    """CREATE TABLE and CREATE INDEX statements for one described table, with the clinic's columns."""
    lines = [column_definition(column, table) for column in table.columns]
    lines += CLINIC_COLUMNS.get(table.name, ())
    lines.append(f"PRIMARY KEY ({', '.join(map(quoted, table.primary_key))})")
    lines += [f"CHECK ({check})" for check in table.checks]
    yield f"CREATE TABLE {SCHEMA}.{quoted(table.name)} (\n    " + ",\n    ".join(lines) + "\n)"
    for index in table.indexes:
        where = f" WHERE {index.where}" if index.where else ""
        yield (
            f"CREATE INDEX {quoted(index.name)} ON {SCHEMA}.{quoted(table.name)} "
            f"({', '.join(map(quoted, index.columns))}){where}"
        )


def latest_tables() -> tuple[str, ...]:
    """The statements that build every table at SCHEMA_VERSION (in schema `backmap`, which must exist)."""
    statements = [statement for table in (PEOPLE, *RECORD_TABLES) for statement in create_table(table)]
    return (*statements, *CLINIC_STATEMENTS)


def _as_schema_owner(cursor: psycopg.Cursor[tuple[object, ...]], statements: Iterable[str]) -> None:
    cursor.execute(f"SET LOCAL ROLE {SCHEMA_OWNER}")  # the schema's objects belong to its owner, as when created
    for statement in statements:
        cursor.execute(statement.encode())
    cursor.execute("RESET ROLE")


def _announce_changes(cursor: psycopg.Cursor[tuple[object, ...]]) -> None:
    """Version 2: every change to a client's record is announced (NOTIFY), so open windows show others' work."""
    from app.storage.postgres.access import ANNOUNCING  # access builds on this module's names

    _as_schema_owner(cursor, ANNOUNCING)


def _checks_by_index(cursor: psycopg.Cursor[tuple[object, ...]]) -> None:
    """Version 3: the policies' checks as index probes, never a scan of every session (access.CHECKS_BY_INDEX)."""
    from app.storage.postgres.access import CHECKS_BY_INDEX

    _as_schema_owner(cursor, (AUDIT_LOG_READS, *CHECKS_BY_INDEX))


# Target version -> the step that brings version - 1 to it; a new database skips them all.
STEPS: dict[int, Callable[[psycopg.Cursor[tuple[object, ...]]], None]] = {2: _announce_changes, 3: _checks_by_index}


def stored_version(cursor: psycopg.Cursor[tuple[object, ...]]) -> int | None:
    """The database's schema version; None when it has no Backmap schema yet."""
    cursor.execute("SELECT to_regclass('backmap.schema_version') IS NOT NULL")
    row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    cursor.execute("SELECT version FROM backmap.schema_version")
    found = cursor.fetchone()
    return None if found is None else int(str(found[0]))
