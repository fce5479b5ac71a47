"""Client records written with raw SQL, as a person logged in to the clinic database would: a client, a
screening, a session with a mark and a stroke, a hold and an amendment."""

from __future__ import annotations

import secrets

import psycopg
import pytest

SOAP_NOTE = "Low back pain since lifting, worse on the left"  # must never appear in the audit log

# Every table that holds clinical data: the receptionist has no privilege on any of them.
CLINICAL_TABLES = ("intakes", "sessions", "marks", "strokes", "holds", "amendments", "plans")


def add_client(connection: psycopg.Connection[tuple[object, ...]], therapist: str | None = None) -> str:
    """A new client with consent recorded; their therapist is the person logged in unless named. Returns the id."""
    client_id = f"c-{secrets.token_hex(4)}"
    columns = "id, name, name_key, born, phone, email, consent_date, consent_notice_version"
    values = [client_id, "Ana Example", "ana example", "1980-02-01", "082 555 0101", "ana@example.org"]
    values += ["2026-11-01", "2"]
    if therapist is not None:
        columns += ", therapist"
        values.append(therapist)
    placeholders = ", ".join(["%s"] * len(values))
    connection.execute(f"INSERT INTO backmap.clients ({columns}) VALUES ({placeholders})", values)
    connection.commit()
    return client_id


def add_visit(connection: psycopg.Connection[tuple[object, ...]], client_id: str) -> str:
    """A screening and a session (SOAP notes, a mark, a stroke, a hold, an amendment) for the client."""
    session_id = f"s-{secrets.token_hex(4)}"
    connection.execute(
        "INSERT INTO backmap.intakes (client_id, date, flags, allergies, conditions) "
        "VALUES (%s, '2026-11-20', '[\"pregnancy\"]', '[]', 'second trimester')",
        (client_id,),
    )
    connection.execute(
        "INSERT INTO backmap.sessions (id, client_id, start, start_utc, minutes, therapist, position, medium, "
        "soap_subjective, soap_objective, soap_assessment, soap_plan, shared_note) VALUES "
        "(%s, %s, '2026-11-20T10:00:00+02:00', '2026-11-20T08:00:00+00:00', 60, 'T', 'side-lying', 'oil', "
        "%s, 'tight QL', 'muscular', 'weekly', 'drink water')",
        (session_id, client_id, SOAP_NOTE),
    )
    connection.execute(
        "INSERT INTO backmap.marks (session_id, region, by, tension, note, quality) "
        "VALUES (%s, 'lumbar_left', 'client', 7, 'worst in the morning', 'aching')",
        (session_id,),
    )
    connection.execute(
        "INSERT INTO backmap.strokes (session_id, position, by, tension, width, points) "
        "VALUES (%s, 0, 'therapist', 5, 12.5, '[[1, 2], [3, 4]]')",
        (session_id,),
    )
    connection.execute(
        "INSERT INTO backmap.holds (session_id, position, region, seconds) VALUES (%s, 0, 'lumbar_left', 12)",
        (session_id,),
    )
    connection.execute(
        "INSERT INTO backmap.amendments (session_id, position, at, field, before, after, reason) VALUES "
        "(%s, 0, '2026-11-21T09:00:00+02:00', 'pain_after', 'null', '3', 'client phoned')",
        (session_id,),
    )
    connection.commit()
    return session_id


def count(connection: psycopg.Connection[tuple[object, ...]], query: str, *parameters: object) -> int:
    row = connection.execute(query, parameters).fetchone()
    assert row is not None
    return int(str(row[0]))


def refused(connection: psycopg.Connection[tuple[object, ...]], statement: str, *parameters: object) -> str:
    """Runs `statement`, which the server must refuse for lack of privilege; returns its message (rolled back)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refusal:
        connection.execute(statement, parameters)
    connection.rollback()
    return str(refusal.value)
