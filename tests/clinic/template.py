"""A clinic set up once per test run, copied for each test that needs its own (CREATE DATABASE … TEMPLATE: a
file copy, far cheaper than building the schema, roles and policies again).

Its people log in over TCP as the app does, their passwords in a libpq pass file (never in the connection
string: app.storage.postgres.connection refuses that).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from app.storage.postgres.clinic import Person, add_person, set_up
from app.storage.postgres.store import PostgresStore
from tests.clinic.server import ThrowawayServer


@dataclass(frozen=True, slots=True)
class ClinicTemplate:
    server: ThrowawayServer
    name: str
    owner: Person
    therapists: tuple[Person, Person]
    pass_file: Path  # every person's password, for libpq (PGPASSFILE)
    passwords: dict[str, str]  # role -> password

    def copy(self) -> str:
        """A new database holding the clinic as set up (its people, no clients); drop it with `drop`."""
        name = f"clinic_{secrets.token_hex(6)}"
        with psycopg.connect(self.server.conninfo(dbname="postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {self.name} STRATEGY FILE_COPY")
        return name

    def drop(self, database: str) -> None:
        with psycopg.connect(self.server.conninfo(dbname="postgres"), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE {database} WITH (FORCE)")

    def conninfo(self, database: str, person: Person) -> str:
        """How `person` logs in to `database` from the app: TCP on this machine, the password from the pass file."""
        return make_conninfo(host="127.0.0.1", port=self.server.port, dbname=database, user=person.role)


def set_up_template(server: ThrowawayServer, folder: Path) -> ClinicTemplate:
    """The clinic: an owner and two therapists (role names suffixed: a server's roles outlive its databases)."""
    suffix = secrets.token_hex(3)
    name = f"template_{suffix}"
    with psycopg.connect(server.conninfo(dbname="postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    owner = Person(f"olga_{suffix}", "owner", "Olga Owner")
    therapists = (
        Person(f"thandi_{suffix}", "therapist", "Thandi M"),
        Person(f"pieter_{suffix}", "therapist", "Pieter K"),
    )
    passwords = {person.role: secrets.token_urlsafe(16) for person in (owner, *therapists)}
    with psycopg.connect(server.conninfo(dbname=name)) as connection:
        set_up(connection, owner, passwords[owner.role])
        with connection.transaction(), connection.cursor() as cursor:
            for person in therapists:
                add_person(cursor, person, passwords[person.role])
    pass_file = folder / "pgpass"
    pass_file.write_text(
        "".join(f"127.0.0.1:{server.port}:*:{role}:{password}\n" for role, password in passwords.items()),
        encoding="utf-8",
    )
    pass_file.chmod(0o600)
    return ClinicTemplate(server, name, owner, therapists, pass_file, passwords)


@dataclass(frozen=True, slots=True)
class ClinicCopy:
    """A test's own copy of the template clinic: its people log in to it with PostgresStore, as the app does."""

    template: ClinicTemplate
    database: str

    def store_of(self, person: Person) -> PostgresStore:
        return PostgresStore.connect(self.template.conninfo(self.database, person))

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """The server's superuser on this database (to look behind the people's backs)."""
        return psycopg.connect(self.template.server.conninfo(dbname=self.database), autocommit=True)
