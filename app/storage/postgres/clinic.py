"""Setting up a clinic's database: the schema at its latest version, the roles, and the people who log in.

Run by an administrator of the server (a superuser, or a role with CREATEROLE that may create schemas in the
database: docs/clinic.md), never by the app as a person. Everything happens in one transaction: a failure leaves
the database as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.errors import BackmapError
from app.storage.postgres import access
from app.storage.postgres.schema import (
    MIGRATION_LOCK,
    SCHEMA_OWNER,
    SCHEMA_VERSION,
    STEPS,
    latest_tables,
    stored_version,
)

if TYPE_CHECKING:
    import psycopg

# A login role name: lowercase so it needs no quoting anywhere, and none of the clinic's own group names.
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class ClinicSetupError(BackmapError):
    """The clinic database cannot be set up as asked; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Person:
    role: str  # the name they log in with
    kind: str  # "owner", "therapist" or "receptionist"
    name: str  # as the clinic calls them


@dataclass(frozen=True, slots=True)
class SetUp:
    schema_from: int | None  # the version found (None: a new database)
    owner_added: bool  # False: that owner was there already


def set_up(connection: psycopg.Connection[tuple[object, ...]], owner: Person, password: str) -> SetUp:
    """The schema (built, or migrated forward) and the first owner, in one transaction. Run again with the same
    owner it changes nothing; with another owner while one exists it refuses (add people as the owner)."""
    with connection.transaction(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        found = migrate(cursor)
        cursor.execute("SELECT role FROM backmap.people WHERE kind = 'owner' ORDER BY role")
        owners = [str(row[0]) for row in cursor.fetchall()]
        if owner.role in owners:
            return SetUp(found, owner_added=False)
        if owners:
            raise ClinicSetupError(
                f"this clinic database already has its owner ({', '.join(owners)}); `clinic init` only creates the "
                "first one"
            )
        add_person(cursor, owner, password)
    return SetUp(found, owner_added=True)


def add_to_clinic(connection: psycopg.Connection[tuple[object, ...]], person: Person, password: str) -> None:
    """`person` added to a clinic database that `set_up` prepared, in one transaction."""
    with connection.transaction(), connection.cursor() as cursor:
        if stored_version(cursor) is None:
            raise ClinicSetupError("this database has no clinic yet: set it up first with `backmap clinic init`")
        add_person(cursor, person, password)


def migrate(cursor: psycopg.Cursor[tuple[object, ...]]) -> int | None:
    """Brings the schema to SCHEMA_VERSION inside the caller's transaction; returns the version found."""
    found = stored_version(cursor)
    if found is not None and found > SCHEMA_VERSION:
        raise ClinicSetupError(
            f"the clinic database has schema version {found}, newer than this Backmap's ({SCHEMA_VERSION}): "
            "update Backmap"
        )
    if found is None:
        _create_latest(cursor)
    else:
        for version in range(found + 1, SCHEMA_VERSION + 1):
            STEPS[version](cursor)
        cursor.execute("UPDATE backmap.schema_version SET version = %s", (SCHEMA_VERSION,))
    return found


def _create_latest(cursor: psycopg.Cursor[tuple[object, ...]]) -> None:
    from psycopg import sql

    cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(access.ROLES),))
    existing = {str(row[0]) for row in cursor.fetchall()}
    for role in access.ROLES:
        if role not in existing:
            cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if row is None or not row[0]:  # an administrator with CREATEROLE acts as the schema's owner through membership
        cursor.execute(sql.SQL("GRANT {} TO current_user").format(sql.Identifier(SCHEMA_OWNER)))
    cursor.execute(sql.SQL("CREATE SCHEMA backmap AUTHORIZATION {}").format(sql.Identifier(SCHEMA_OWNER)))
    cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(SCHEMA_OWNER)))
    for statement in (*latest_tables(), *access.FUNCTIONS, *access.TRIGGERS, *access.POLICIES, *access.GRANTS):
        cursor.execute(statement.encode())
    cursor.execute("RESET ROLE")
    # Only the clinic's people may connect to its database (PUBLIC may, by default).
    database = sql.Identifier(_current_database(cursor))
    cursor.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            database, sql.SQL(", ").join(map(sql.Identifier, access.GROUPS.values()))
        )
    )


def _current_database(cursor: psycopg.Cursor[tuple[object, ...]]) -> str:
    cursor.execute("SELECT current_database()")
    row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def add_person(cursor: psycopg.Cursor[tuple[object, ...]], person: Person, password: str) -> None:
    """A login role for `person`, in their group, and their line in `people`. The password reaches the server
    only as a SCRAM verifier, so no server log can show it."""
    from psycopg import sql

    if not ROLE_NAME.fullmatch(person.role) or person.role.startswith(("pg_", "backmap_")):
        raise ClinicSetupError(
            f"{person.role!r} cannot be a login name: use lowercase letters, digits and _ (up to 63), starting with "
            "a letter, and not beginning with pg_ or backmap_"
        )
    if person.kind not in access.GROUPS:
        raise ClinicSetupError(f"{person.kind!r} is not one of {', '.join(access.GROUPS)}")
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (person.role,))
    if cursor.fetchone() is not None:
        raise ClinicSetupError(f"the server already has a role {person.role}: choose another login name")
    verifier = cursor.connection.pgconn.encrypt_password(password.encode(), person.role.encode(), b"scram-sha-256")
    cursor.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
            sql.Identifier(person.role), sql.Literal(verifier.decode()), sql.Identifier(access.GROUPS[person.kind])
        )
    )
    cursor.execute(
        "INSERT INTO backmap.people (role, kind, name) VALUES (%s, %s, %s)", (person.role, person.kind, person.name)
    )
