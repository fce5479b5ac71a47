"""What row security costs as the clinic grows (issue 19, point 8): a therapist reading a session's marks, or a
client's, is answered through indexes however many sessions the server holds, never by a scan of every session
with the policy's check called on each. Behaviour, not time: the plan the server chooses, as EXPLAIN gives it,
with fresh statistics and without. A clinic set up at the previous schema version gets these checks when
`clinic init` migrates it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import psycopg
import pytest

from app.storage.postgres.clinic import SetUp, set_up
from app.storage.postgres.schema import SCHEMA_VERSION
from tests.clinic.template import ClinicCopy

pytestmark = pytest.mark.postgres

OTHER_SESSIONS = 3_000  # a colleague's years of work on the same server
REGIONS = ("neck_l", "neck_r", "upper_back_l", "upper_back_r", "lumbar_left", "lumbar_right")

SESSION_TABLES = ("marks", "strokes", "holds", "amendments")
QUERIES = {
    "a session's marks": "SELECT region, by, tension FROM backmap.marks WHERE session_id = %(session)s",
    "a session's strokes": "SELECT points FROM backmap.strokes WHERE session_id = %(session)s",
    "a client's marks, as Trends reads them": (
        "SELECT session_id, region, by, tension FROM backmap.marks "
        "WHERE session_id IN (SELECT id FROM backmap.sessions WHERE client_id = %(client)s)"
    ),
}


def write_the_clinics_past(admin: psycopg.Connection[tuple[object, ...]], thandi: str, pieter: str) -> None:
    """Pieter's 3,000 sessions over 50 clients, and Thandi's client Ana with 40 sessions of 12 marks and a stroke;
    written by the administrator without the triggers (the past, not what is being tested)."""
    admin.execute("SET session_replication_role = replica")
    clients = "INSERT INTO backmap.clients (id, name, name_key, phone, email, therapist) "
    admin.execute(clients + "SELECT 'p' || n, 'Client', 'client', '', '', %s FROM generate_series(1, 50) n", (pieter,))
    admin.execute(clients + "VALUES ('ana', 'Ana Example', 'ana example', '', '', %s)", (thandi,))
    admin.execute(
        "INSERT INTO backmap.sessions (id, client_id, start, start_utc, minutes, therapist, position, medium, "
        "soap_subjective, soap_objective, soap_assessment, soap_plan, shared_note) "
        "SELECT id, client_id, '2026-01-05', '2026-01-05', 60, '', 'prone', 'oil', '', '', '', '', '' FROM ("
        "  SELECT 'ps' || n AS id, 'p' || (n %% 50 + 1) AS client_id FROM generate_series(1, %s) n"
        "  UNION ALL SELECT 'ana-' || n, 'ana' FROM generate_series(1, 40) n) AS visits",
        (OTHER_SESSIONS,),
    )
    admin.execute(
        "INSERT INTO backmap.marks (session_id, region, by, tension, note) "
        "SELECT s.id, region, by, 4, '' FROM backmap.sessions s, unnest(%s::text[]) region, "
        "unnest(ARRAY['client', 'therapist']) by",
        (list(REGIONS),),
    )
    admin.execute(
        "INSERT INTO backmap.strokes (session_id, position, by, tension, width, points) "
        "SELECT id, 0, 'therapist', 5, 12.5, '[[1, 2], [3, 4]]' FROM backmap.sessions"
    )


def plan_of(connection: psycopg.Connection[tuple[object, ...]], query: str, parameters: dict[str, str]) -> Any:
    """The plan the server chooses for `query`, as EXPLAIN (FORMAT JSON) gives its top node."""
    row = connection.execute(f"EXPLAIN (FORMAT JSON) {query}", parameters).fetchone()
    assert row is not None
    return cast("list[dict[str, Any]]", row[0])[0]["Plan"]


def scans(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(node type, table) of every node of a plan that reads a table, sub-plans included."""
    if "Relation Name" in plan:
        yield plan["Node Type"], plan["Relation Name"]
    for child in plan.get("Plans", ()):
        yield from scans(child)


@pytest.fixture
def clinic_of_many_sessions(clinic_copy: ClinicCopy) -> ClinicCopy:
    thandi, pieter = clinic_copy.template.therapists
    with clinic_copy.admin() as admin:
        write_the_clinics_past(admin, thandi.role, pieter.role)
    return clinic_copy


def thandis_login(clinic: ClinicCopy) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(clinic.template.conninfo(clinic.database, clinic.template.therapists[0]), autocommit=True)


@pytest.mark.parametrize("statistics", ["as written", "analysed"])
@pytest.mark.parametrize("what", QUERIES)
def test_a_therapist_reads_her_clients_sessions_by_index_whatever_the_clinic_holds(
    clinic_of_many_sessions: ClinicCopy, what: str, statistics: str
) -> None:
    if statistics == "analysed":
        with clinic_of_many_sessions.admin() as admin:
            admin.execute("ANALYZE")
    query, parameters = QUERIES[what], {"session": "ana-7", "client": "ana"}
    with thandis_login(clinic_of_many_sessions) as thandi:
        tables_read = set(scans(plan_of(thandi, query, parameters)))
        read = thandi.execute(query, parameters).fetchall()
    assert not {scan for scan in tables_read if scan[0] == "Seq Scan"}, tables_read
    assert len(read) == (40 if "client" in what else 1) * (2 * len(REGIONS) if "marks" in what else 1)


# What the version before SCHEMA_VERSION had in place of access.CHECKS_BY_INDEX and schema.AUDIT_LOG_READS.
PREVIOUS_CHECKS = (
    "DROP INDEX backmap.audit_log_reads",
    *(f"DROP POLICY treating ON backmap.{table}" for table in SESSION_TABLES),
    *(
        f"CREATE POLICY treating ON backmap.{table} TO backmap_owner, backmap_therapist "
        "USING (EXISTS (SELECT 1 FROM backmap.sessions s WHERE s.id = session_id)) "
        "WITH CHECK (EXISTS (SELECT 1 FROM backmap.sessions s WHERE s.id = session_id))"
        for table in SESSION_TABLES
    ),
    "DROP FUNCTION backmap.may_read_session(text)",
    """
    CREATE OR REPLACE FUNCTION backmap.may_read(client text) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = backmap, pg_temp AS $$
        SELECT backmap.treats(client) OR EXISTS (
            SELECT 1 FROM backmap.audit_log
            WHERE client_id = client AND action = 'read' AND by_role = session_user
                AND xact = pg_current_xact_id_if_assigned())
    $$
    """,
)


def test_a_clinic_of_the_previous_version_gets_the_checks_by_index_once_migrated(
    clinic_of_many_sessions: ClinicCopy,
) -> None:
    clinic = clinic_of_many_sessions
    with clinic.admin() as admin:
        admin.execute("SET ROLE backmap_schema")
        for statement in PREVIOUS_CHECKS:
            admin.execute(statement.encode())
        admin.execute("RESET ROLE")
        admin.execute("UPDATE backmap.schema_version SET version = %s", (SCHEMA_VERSION - 1,))
    owner = clinic.template.owner
    with psycopg.connect(clinic.template.server.conninfo(dbname=clinic.database)) as admin:
        done = set_up(admin, owner, clinic.template.passwords[owner.role])  # `backmap clinic init` again
    assert done == SetUp(schema_from=SCHEMA_VERSION - 1, owner_added=False)
    marks = QUERIES["a session's marks"]
    with thandis_login(clinic) as thandi:
        assert ("Seq Scan", "sessions") not in set(scans(plan_of(thandi, marks, {"session": "ana-7"})))
        assert len(thandi.execute(marks, {"session": "ana-7"}).fetchall()) == 2 * len(REGIONS)
        assert thandi.execute(marks, {"session": "ps7"}).fetchall() == []  # Pieter's
    with psycopg.connect(clinic.template.conninfo(clinic.database, owner)) as olga:
        assert olga.execute(marks, {"session": "ana-7"}).fetchall() == []
        olga.execute("SELECT backmap.open_client('ana')")  # logged, and open for this transaction
        assert len(olga.execute(marks, {"session": "ana-7"}).fetchall()) == 2 * len(REGIONS)
