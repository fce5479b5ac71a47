"""A clinic on the test session's own PostgreSQL 15 server (`postgres_server`, tests/conftest.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from app.storage.postgres.clinic import Person, add_person, set_up
from tests.clinic.server import ThrowawayServer


@dataclass(frozen=True, slots=True)
class EmptyDatabase:
    server: ThrowawayServer
    name: str

    def admin(self) -> str:
        """The superuser's connection string for this database."""
        return self.server.conninfo(dbname=self.name)


@pytest.fixture
def empty_database(postgres_server: ThrowawayServer) -> Iterator[EmptyDatabase]:
    """A new, empty database on the test server, dropped after the test."""
    name = f"clinic_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield EmptyDatabase(postgres_server, name)
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@dataclass(frozen=True, slots=True)
class Clinic:
    """A set-up clinic database and its people, each with their own login."""

    database: EmptyDatabase
    owner: Person
    thandi: Person  # a therapist
    pieter: Person  # another therapist
    rita: Person  # the receptionist
    passwords: dict[str, str]

    def connect(self, person: Person) -> psycopg.Connection[tuple[object, ...]]:
        """A connection as `person`, over the server's TCP port (how the app reaches a server)."""
        server = self.database.server
        return psycopg.connect(server.tcp_conninfo(person.role, self.passwords[person.role], dbname=self.database.name))


@pytest.fixture(scope="module")
def clinic(postgres_server: ThrowawayServer) -> Iterator[Clinic]:
    """One clinic per test module: Olga owns it, Thandi and Pieter treat, Rita is at the front desk. Role
    names carry a suffix, since a server's roles outlive its databases."""
    suffix = secrets.token_hex(3)
    name = f"clinic_{suffix}"
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    database = EmptyDatabase(postgres_server, name)
    people = [
        Person(f"olga_{suffix}", "owner", "Olga Owner"),
        Person(f"thandi_{suffix}", "therapist", "Thandi Therapist"),
        Person(f"pieter_{suffix}", "therapist", "Pieter Therapist"),
        Person(f"rita_{suffix}", "receptionist", "Rita Reception"),
    ]
    passwords = {person.role: secrets.token_urlsafe(16) for person in people}
    with psycopg.connect(database.admin()) as connection:
        set_up(connection, people[0], passwords[people[0].role])
        with connection.transaction(), connection.cursor() as cursor:
            for person in people[1:]:
                add_person(cursor, person, passwords[person.role])
    owner, thandi, pieter, rita = people
    yield Clinic(database, owner, thandi, pieter, rita, passwords)
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")
