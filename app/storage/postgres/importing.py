"""A solo therapist's records moved onto the clinic server (`backmap clinic import`, docs/clinic.md).

One transaction as the person logged in: every client of the folder is stored with the ids it had, or none is.
The clients become the importing therapist's, or, when the owner imports for a therapist, the owner stores them
and hands them over in the same transaction (the audit log shows both). The server's triggers log every row
stored, by the person's role and in the import's transaction: that is the import's entry in the audit log.

Refused before anything is written: a record with a NUL character in any of its text (PostgreSQL's text cannot
hold one). Refused while writing, nothing kept: an id (client or session) the server already has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from app.errors import BackmapError
from app.storage import rows
from app.storage.postgres.dialect import RowConnection
from app.storage.postgres.schema import SCHEMA, SCHEMA_VERSION, stored_version

if TYPE_CHECKING:
    import psycopg

    from app.domain.records import ClientRecord
    from app.storage.driver import sqlite3


class ImportRefusedError(BackmapError):
    """The folder cannot be moved onto the server as asked; nothing was written there."""


@dataclass(frozen=True, slots=True)
class Moved:
    therapist: str  # whose clients they now are (a login role)
    clients: int
    intakes: int
    sessions: int


def _nul_places(record: ClientRecord) -> Iterator[str]:
    """Where the record's text holds a NUL character, as a person would look for it in the app."""
    yield from (f"the client's {place}" for place in _nul_fields(record.client, ""))
    for intake in record.intakes:
        yield from (f"the screening of {intake.date}: {place}" for place in _nul_fields(intake, ""))
    for session in record.sessions:
        yield from (f"session {session.id} ({session.start.date()}): {place}" for place in _nul_fields(session, ""))


def _nul_fields(value: object, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _nul_fields(getattr(value, field.name), f"{path}.{field.name}".lstrip("."))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _nul_fields(key, f"{path} (a key)")
            yield from _nul_fields(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _nul_fields(item, f"{path}[{index}]")


def _check_storable(records: Sequence[ClientRecord]) -> None:
    """ImportRefusedError naming the first client whose text the server cannot store (a NUL character)."""
    for record in records:
        place = next(_nul_places(record), None)
        if place is not None:
            raise ImportRefusedError(
                f"client {record.client.id} ({record.client.name}): {place} holds a NUL character (\\x00), which "
                "the clinic server cannot store; remove it in Backmap on this computer and import again. Nothing "
                "was imported"
            )


def move_in(
    connection: psycopg.Connection[tuple[object, ...]], records: Sequence[ClientRecord], therapist: str | None
) -> Moved:
    """Stores `records` on the server in one transaction, ids kept, as clients of `therapist` (None: of the
    person logged in). ImportRefusedError, and nothing stored, when any of it cannot be."""
    import psycopg

    _check_storable(records)
    with connection.transaction(), connection.cursor() as cursor:
        found = stored_version(cursor)
        if found != SCHEMA_VERSION:
            raise ImportRefusedError(
                "this database holds no clinic: set it up with `backmap clinic init`"
                if found is None
                else f"the clinic database has schema version {found}, and this Backmap works with version "
                f"{SCHEMA_VERSION}: use the Backmap the clinic's administrator set it up with"
            )
        cursor.execute("SELECT session_user::text")
        me = cast("tuple[str]", cursor.fetchone())[0]
        receiver = _receiver(cursor, me, therapist)
        cursor.execute(f"SET LOCAL search_path = {SCHEMA}")
        row_connection = cast("sqlite3.Connection", RowConnection(connection))
        for record in records:
            try:
                _store(row_connection, record)
            except psycopg.errors.UniqueViolation as error:
                raise ImportRefusedError(_already_there(record, error)) from error
        if receiver != me:
            cursor.execute(
                "UPDATE clients SET therapist = %s WHERE id = ANY(%s)",
                (receiver, [record.client.id for record in records]),
            )
    return Moved(
        receiver,
        len(records),
        sum(len(record.intakes) for record in records),
        sum(len(record.sessions) for record in records),
    )


def _receiver(cursor: psycopg.Cursor[tuple[object, ...]], me: str, therapist: str | None) -> str:
    """Whose clients the imported ones become (`me`, the role logged in, unless the owner names another)."""
    cursor.execute("SELECT kind FROM backmap.people WHERE role = session_user")
    row = cursor.fetchone()
    kind = None if row is None else str(row[0])
    if kind not in ("therapist", "owner"):
        raise ImportRefusedError(
            "records are imported by the therapist they belong to, or by the clinic's owner with --therapist: log "
            "in as one of them"
        )
    if therapist is None or therapist == me:
        return me
    if kind != "owner":
        raise ImportRefusedError("only the clinic's owner imports records for another therapist (--therapist)")
    cursor.execute("SELECT kind FROM backmap.people WHERE role = %s", (therapist,))
    row = cursor.fetchone()
    if row is None or row[0] not in ("therapist", "owner"):
        raise ImportRefusedError(f"--therapist: {therapist} is not a therapist of this clinic")
    return therapist


def _store(connection: sqlite3.Connection, record: ClientRecord) -> None:
    rows.insert_client(connection, record.client)
    for intake in record.intakes:
        rows.save_intake(connection, record.client.id, intake)
    for session in record.sessions:
        rows.insert_session(connection, record.client.id, session)


def _already_there(record: ClientRecord, error: psycopg.Error) -> str:
    """Which of the record's ids the server has: any person's, including records this person cannot see."""
    client = f"client {record.client.id} ({record.client.name})"
    detail = error.diag.message_detail or ""
    if error.diag.table_name == "sessions":
        session = next((session.id for session in record.sessions if f"({session.id})" in detail), "")
        what = f"{client}: its session {session} is" if session else f"{client}: one of its sessions is"
    else:
        what = f"{client} is"
    return f"{what} already on the clinic server (ids are kept, so it cannot be stored twice). Nothing was imported"
