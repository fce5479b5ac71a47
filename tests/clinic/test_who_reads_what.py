"""Each person logs in as themselves and the server decides what they may read and write (issue 19, point 3):
raw SQL, no app in between, so what holds here holds for any program that reaches the database."""

from __future__ import annotations

import psycopg
import pytest

from tests.clinic.conftest import Clinic
from tests.clinic.records import CLINICAL_TABLES, SOAP_NOTE, add_client, add_visit, count, refused

pytestmark = pytest.mark.postgres

EVERY_TABLE_OF_A_VISIT = ("intakes", "sessions", "marks", "strokes", "holds", "amendments")


def visit_rows(connection: psycopg.Connection[tuple[object, ...]], client_id: str) -> dict[str, int]:
    """How many rows of the client's visit the person can see, per table."""
    of_session = "session_id IN (SELECT id FROM backmap.sessions WHERE client_id = %s)"
    return {
        table: count(
            connection,
            f"SELECT count(*) FROM backmap.{table} WHERE "
            + ("client_id = %s" if table in ("intakes", "sessions") else of_session),
            client_id,
        )
        for table in EVERY_TABLE_OF_A_VISIT
    }


def test_a_therapist_keeps_their_own_clients_whole_record(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        add_visit(thandi, client_id)
        assert visit_rows(thandi, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 1)
        (note,) = thandi.execute("SELECT soap_subjective FROM backmap.sessions WHERE client_id = %s", (client_id,))
        assert note == (SOAP_NOTE,)
        changed = thandi.execute(
            "UPDATE backmap.sessions SET soap_plan = 'fortnightly' WHERE client_id = %s", (client_id,)
        )
        assert changed.rowcount == 1
        thandi.commit()


def test_another_therapist_can_neither_read_nor_write_an_unshared_client(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        session_id = add_visit(thandi, client_id)
    with clinic.connect(clinic.pieter) as pieter:
        assert count(pieter, "SELECT count(*) FROM backmap.clients WHERE id = %s", client_id) == 0
        assert visit_rows(pieter, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 0)
        changed = pieter.execute("UPDATE backmap.sessions SET soap_plan = 'x' WHERE id = %s", (session_id,))
        assert changed.rowcount == 0
        assert pieter.execute("DELETE FROM backmap.marks WHERE session_id = %s", (session_id,)).rowcount == 0
        pieter.commit()
        assert "row-level security" in refused(
            pieter,
            "INSERT INTO backmap.holds (session_id, position, region, seconds) VALUES (%s, 5, 'neck', 10)",
            session_id,
        )
        assert "neither yours nor shared" in refused(pieter, "SELECT backmap.open_client(%s)", client_id)
    with clinic.connect(clinic.thandi) as thandi:
        assert visit_rows(thandi, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 1)


def test_a_shared_client_opens_to_the_colleague_for_one_transaction_and_says_so_in_the_log(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        add_visit(thandi, client_id)
        thandi.execute("SELECT backmap.share_client(%s, %s)", (client_id, clinic.pieter.role))
        thandi.commit()
    with clinic.connect(clinic.pieter) as pieter:
        # The name and contact, to find the client; the clinical record only once opened.
        assert count(pieter, "SELECT count(*) FROM backmap.clients WHERE id = %s", client_id) == 1
        assert visit_rows(pieter, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 0)
        pieter.execute("SELECT backmap.open_client(%s)", (client_id,))
        assert visit_rows(pieter, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 1)
        pieter.execute("UPDATE backmap.sessions SET soap_plan = 'refer to physio' WHERE client_id = %s", (client_id,))
        pieter.commit()
        assert visit_rows(pieter, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 0)  # a new transaction
    with clinic.connect(clinic.owner) as olga:
        reads = olga.execute(
            "SELECT by_role, what FROM backmap.audit_log WHERE client_id = %s AND action = 'read'", (client_id,)
        ).fetchall()
    assert reads == [(clinic.pieter.role, "record opened")]


def test_the_check_on_a_sessions_rows_tells_a_colleague_nothing_the_rows_would_not(clinic: Clinic) -> None:
    """The policies' own check, called by hand: true for one's own session, and for a colleague's the same false
    as for a session that does not exist; not callable at the front desk."""
    with clinic.connect(clinic.thandi) as thandi:
        session_id = add_visit(thandi, add_client(thandi))
        assert thandi.execute("SELECT backmap.may_read_session(%s)", (session_id,)).fetchone() == (True,)
    with clinic.connect(clinic.pieter) as pieter:
        for asked in (session_id, "s-no-such-session"):
            assert pieter.execute("SELECT backmap.may_read_session(%s)", (asked,)).fetchone() == (False,)
    with clinic.connect(clinic.rita) as rita:
        assert "permission denied for function may_read_session" in refused(
            rita, "SELECT backmap.may_read_session(%s)", session_id
        )


def test_the_receptionist_sees_names_contact_and_consent_and_nothing_clinical(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        thandis = add_client(thandi)
        add_visit(thandi, thandis)
    with clinic.connect(clinic.pieter) as pieter:
        pieters = add_client(pieter)
    with clinic.connect(clinic.rita) as rita:
        found = rita.execute(
            "SELECT id, name, phone, email, consent_date FROM backmap.clients WHERE id IN (%s, %s) ORDER BY id",
            (thandis, pieters),
        ).fetchall()
        assert sorted(str(row[0]) for row in found) == sorted([thandis, pieters])
        for table in (*CLINICAL_TABLES, "audit_log", "client_shares"):
            assert f"permission denied for table {table}" in refused(rita, f"SELECT count(*) FROM backmap.{table}")
        rita.execute("UPDATE backmap.clients SET phone = '082 555 0199' WHERE id = %s", (thandis,))
        rita.commit()
        assert "permission denied" in refused(
            rita, "UPDATE backmap.clients SET therapist = %s WHERE id = %s", clinic.pieter.role, thandis
        )
        assert "permission denied for function open_client" in refused(rita, "SELECT backmap.open_client(%s)", thandis)
        assert "permission denied" in refused(rita, "DELETE FROM backmap.clients WHERE id = %s", thandis)
        booked = add_client(rita, therapist=clinic.thandi.role)  # a new client, for Thandi
    with clinic.connect(clinic.thandi) as thandi:
        assert count(thandi, "SELECT count(*) FROM backmap.clients WHERE id = %s", booked) == 1


def test_the_owner_reads_any_record_but_only_through_an_entry_in_the_log(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        add_visit(thandi, client_id)
    with clinic.connect(clinic.owner) as olga:
        assert count(olga, "SELECT count(*) FROM backmap.clients WHERE id = %s", client_id) == 1
        assert visit_rows(olga, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 0)
        olga.execute("SELECT backmap.open_client(%s)", (client_id,))
        assert visit_rows(olga, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 1)
        olga.commit()
        reads = olga.execute(
            "SELECT by_role FROM backmap.audit_log WHERE client_id = %s AND action = 'read'", (client_id,)
        ).fetchall()
    assert reads == [(clinic.owner.role,)]


def test_a_therapist_cannot_take_over_a_client_nor_pose_as_a_colleague(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        add_visit(thandi, client_id)
        thandi.execute("SELECT backmap.share_client(%s, %s)", (client_id, clinic.pieter.role))
        thandi.commit()
    with clinic.connect(clinic.pieter) as pieter:
        assert "permission denied" in refused(
            pieter, "UPDATE backmap.clients SET therapist = %s WHERE id = %s", clinic.pieter.role, client_id
        )
        assert "permission denied" in refused(pieter, f"SET ROLE {clinic.thandi.role}")
        assert "permission denied" in refused(pieter, f"SET SESSION AUTHORIZATION {clinic.thandi.role}")
        # Acting as the whole group changes current_user, not who logged in: the policies read session_user.
        pieter.execute("SET ROLE backmap_therapist")
        assert visit_rows(pieter, client_id) == dict.fromkeys(EVERY_TABLE_OF_A_VISIT, 0)
        pieter.rollback()
        assert "only the client's therapist" in refused(
            pieter, "SELECT backmap.share_client(%s, %s)", client_id, clinic.owner.role
        )


@pytest.mark.parametrize("who", ["owner", "thandi", "pieter", "rita"])
def test_no_one_changes_or_removes_the_audit_log_the_owner_included(clinic: Clinic, who: str) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        add_client(thandi)  # so the log has entries
    with clinic.connect(getattr(clinic, who)) as person:
        for statement in (
            "UPDATE backmap.audit_log SET what = 'nothing happened'",
            "DELETE FROM backmap.audit_log",
            "TRUNCATE backmap.audit_log",
            "INSERT INTO backmap.audit_log (at, action, what) VALUES ('2026-01-01', 'read', 'forged')",
            "SELECT backmap.audit('read', NULL, 'forged')",
        ):
            assert "permission denied" in refused(person, statement)


def test_the_log_refuses_changes_even_to_the_role_that_owns_it(clinic: Clinic) -> None:
    """The schema's owning role logs in for no one; a superuser acting as it still meets the triggers."""
    with psycopg.connect(clinic.database.admin()) as admin:
        admin.execute("SET ROLE backmap_schema")
        for statement in ("UPDATE backmap.audit_log SET what = ''", "DELETE FROM backmap.audit_log"):
            assert "append-only" in refused(admin, statement)
            admin.execute("SET ROLE backmap_schema")
        assert "append-only" in refused(admin, "TRUNCATE backmap.audit_log")
