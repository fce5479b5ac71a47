"""Both stores hold the tables app.storage.tables describes (issue 19, point 2): SQLite's as its migrations build
them, PostgreSQL's as generated. A change to one store fails here until the description and the other follow."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from app.storage.driver import sqlite3
from app.storage.migrations import migrate
from app.storage.postgres.clinic import Person, set_up
from app.storage.postgres.schema import CLINIC_COLUMNS, PEOPLE, POSTGRES_TYPES
from app.storage.tables import RECORD_TABLES, Column, Kind, Table
from tests.clinic.conftest import EmptyDatabase

SQLITE_TYPES = {Kind.TEXT: "TEXT", Kind.INTEGER: "INTEGER", Kind.REAL: "REAL", Kind.BLOB: "BLOB", Kind.JSON: "TEXT"}


def one_line(sql: str) -> str:
    """SQL with its comments dropped and its spaces collapsed, for finding a clause in it."""
    return " ".join(re.sub(r"--[^\n]*", "", sql).split())


def described_checks(table: Table) -> list[str]:
    return [column.check for column in table.columns if column.check is not None] + list(table.checks)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> sqlite3.Connection:
    """A new SQLite database, built by the solo app's migrations from nothing to the latest version."""
    path = tmp_path / "backmap.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, path)
    return connection


def test_the_sqlite_migrations_build_exactly_the_described_tables(sqlite_file: sqlite3.Connection) -> None:
    tables = {row[0] for row in sqlite_file.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {table.name for table in RECORD_TABLES}
    for table in RECORD_TABLES:
        found = [tuple(row[1:]) for row in sqlite_file.execute(f"PRAGMA table_info({table.name})")]

        def expected(column: Column, table: Table = table) -> tuple[object, ...]:
            in_key = table.primary_key.index(column.name) + 1 if column.name in table.primary_key else 0
            # SQLite's rowid alias reports no NOT NULL, though it is never NULL.
            not_null = int(not column.nullable and not column.numbered)
            return (column.name, SQLITE_TYPES[column.kind], not_null, column.default, in_key)

        assert found == [expected(column) for column in table.columns], table.name


def test_the_sqlite_tables_have_the_described_checks_keys_and_indexes(sqlite_file: sqlite3.Connection) -> None:
    for table in RECORD_TABLES:
        (sql,) = sqlite_file.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table.name,)).fetchone()
        checks = described_checks(table)
        checks += [f"json_valid({column.name})" for column in table.columns if column.kind is Kind.JSON]
        for check in checks:
            assert f"CHECK ({check})" in one_line(sql), (table.name, check)
        assert one_line(sql).count("CHECK (") == len(checks), table.name
        references = {
            (row[3], row[2], row[4], row[6] == "CASCADE")
            for row in sqlite_file.execute(f"PRAGMA foreign_key_list({table.name})")
        }
        assert references == {
            (column.name, column.references.table, column.references.column, column.references.cascade)
            for column in table.columns
            if column.references is not None
        }, table.name
        indexes = {
            row[1]: bool(row[4]) for row in sqlite_file.execute(f"PRAGMA index_list({table.name})") if row[3] == "c"
        }
        assert indexes == {index.name: index.where is not None for index in table.indexes}, table.name
        for index in table.indexes:
            columns = tuple(row[2] for row in sqlite_file.execute(f"PRAGMA index_info({index.name})"))
            assert columns == index.columns, index.name
            (index_sql,) = sqlite_file.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index.name,)).fetchone()
            assert index.where is None or one_line(index_sql).endswith(f"WHERE {index.where}"), index.name


@pytest.mark.postgres
def test_the_postgresql_database_has_the_described_tables_and_the_clinics_own(empty_database: EmptyDatabase) -> None:
    with psycopg.connect(empty_database.admin()) as connection:
        set_up(connection, Person("owner_of_a_new_clinic", "owner", "Olga Owner"), "a long enough password")
        columns = connection.execute(
            "SELECT table_name, column_name, data_type, is_nullable = 'NO', is_identity = 'YES' "
            "FROM information_schema.columns WHERE table_schema = 'backmap' ORDER BY table_name, ordinal_position"
        ).fetchall()
        keys = connection.execute(
            "SELECT k.table_name, array_agg(k.column_name::text ORDER BY k.ordinal_position) "
            "FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k "
            "USING (constraint_schema, constraint_name) "
            "WHERE c.constraint_schema = 'backmap' AND c.constraint_type = 'PRIMARY KEY' GROUP BY k.table_name"
        ).fetchall()
        checks = connection.execute(
            "SELECT conrelid::regclass::text, count(*) FROM pg_constraint WHERE contype = 'c' "
            "AND connamespace = 'backmap'::regnamespace GROUP BY 1"
        ).fetchall()
        indexes = connection.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'backmap' AND indexname NOT LIKE '%_pkey'"
        ).fetchall()
    described = {table.name: table for table in (PEOPLE, *RECORD_TABLES)}
    found: dict[str, list[tuple[str, str, bool, bool]]] = {}
    for table_name, *column in columns:
        found.setdefault(str(table_name), []).append((str(column[0]), str(column[1]), bool(column[2]), bool(column[3])))
    for name, table in described.items():
        expected = [
            (c.name, "bigint" if c.numbered else POSTGRES_TYPES[c.kind], not c.nullable, c.numbered)
            for c in table.columns
        ]
        clinic_own = [column.split()[0] for column in CLINIC_COLUMNS.get(name, ())]
        assert [column[0] for column in found[name]] == [column[0] for column in expected] + clinic_own
        assert found[name][: len(expected)] == expected, name
    assert set(found) == {*described, "client_shares", "schema_version"}
    assert {str(table): list(columns) for table, columns in keys} == {
        **{table.name: list(table.primary_key) for table in described.values()},
        "client_shares": ["client_id", "therapist"],
    }
    assert {table.removeprefix("backmap."): int(str(n)) for table, n in checks} == {
        table.name: len(described_checks(table)) for table in described.values() if described_checks(table)
    }
    assert {(str(table), str(index)) for table, index in indexes} == {
        *((table.name, index.name) for table in described.values() for index in table.indexes),
        ("clients", "clients_by_therapist"),
        ("client_shares", "client_shares_by_therapist"),
        ("audit_log", "audit_log_reads"),
    }
