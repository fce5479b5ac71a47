"""The server keeps the audit log itself (issue 19, point 5): every change by a trigger, exports and erasures by
the functions the app calls; ids and column names only, never what a note says."""

from __future__ import annotations

import psycopg
import pytest

from tests.clinic.conftest import Clinic
from tests.clinic.records import SOAP_NOTE, add_client, add_visit, count, refused

pytestmark = pytest.mark.postgres


def entries(clinic: Clinic, client_id: str) -> list[tuple[str, str, str]]:
    """(by whom, action, what) for the client, oldest first, as the owner reads the log."""
    with clinic.connect(clinic.owner) as olga:
        rows = olga.execute(
            "SELECT by_role, action, what FROM backmap.audit_log WHERE client_id = %s ORDER BY id", (client_id,)
        ).fetchall()
    return [(str(by), str(action), str(what)) for by, action, what in rows]


def test_every_change_is_logged_with_the_columns_changed_and_never_their_text(clinic: Clinic) -> None:
    thandi_role = clinic.thandi.role
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        session_id = add_visit(thandi, client_id)
        thandi.execute(
            "UPDATE backmap.sessions SET soap_subjective = %s, pain_after = 2, version = version + 1 WHERE id = %s",
            (SOAP_NOTE + " and the neck", session_id),
        )
        thandi.execute("UPDATE backmap.marks SET tension = 4 WHERE session_id = %s", (session_id,))
        thandi.execute("DELETE FROM backmap.holds WHERE session_id = %s", (session_id,))
        thandi.commit()
    logged = entries(clinic, client_id)
    assert logged == [
        (thandi_role, "insert", "clients"),
        (thandi_role, "insert", "intakes"),
        (thandi_role, "insert", "sessions"),
        (thandi_role, "insert", "marks"),
        (thandi_role, "insert", "strokes"),
        (thandi_role, "insert", "holds"),
        (thandi_role, "insert", "amendments"),
        (thandi_role, "update", "sessions: pain_after, soap_subjective"),
        (thandi_role, "update", "marks: tension"),
        (thandi_role, "delete", "holds"),
    ]
    assert not any(SOAP_NOTE in what for _, _, what in logged)


def test_an_export_is_logged_by_whoever_may_read_the_client(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        thandi.execute("SELECT backmap.log_export(%s, 'client file, outside the data folder')", (client_id,))
        thandi.commit()
    with clinic.connect(clinic.pieter) as pieter:
        assert "not open to you" in refused(pieter, "SELECT backmap.log_export(%s, 'client file')", client_id)
    assert entries(clinic, client_id)[-1] == (clinic.thandi.role, "export", "client file, outside the data folder")


def test_erasing_a_client_removes_them_everywhere_and_the_log_keeps_only_the_id(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        client_id = add_client(thandi)
        session_id = add_visit(thandi, client_id)
        thandi.execute("SELECT backmap.share_client(%s, %s)", (client_id, clinic.pieter.role))
        thandi.commit()
    with clinic.connect(clinic.pieter) as pieter:
        assert "only the client's therapist or the owner erases" in refused(
            pieter, "SELECT backmap.erase_client(%s)", client_id
        )
    with clinic.connect(clinic.thandi) as thandi:
        thandi.execute("SELECT backmap.erase_client(%s)", (client_id,))
        thandi.commit()
    with psycopg.connect(clinic.database.admin()) as admin:  # the superuser sees past every policy
        for table, key in (("clients", "id"), ("intakes", "client_id"), ("sessions", "client_id")):
            assert count(admin, f"SELECT count(*) FROM backmap.{table} WHERE {key} = %s", client_id) == 0
        for table in ("marks", "strokes", "holds", "amendments"):
            assert count(admin, f"SELECT count(*) FROM backmap.{table} WHERE session_id = %s", session_id) == 0
        assert count(admin, "SELECT count(*) FROM backmap.client_shares WHERE client_id = %s", client_id) == 0
    # The rows that went with the client are covered by the erasure's entries, one each for the log and the row.
    assert entries(clinic, client_id)[-2:] == [
        (clinic.thandi.role, "erase", "client erased with every record"),
        (clinic.thandi.role, "delete", "clients"),
    ]


def test_an_amendment_is_never_edited(clinic: Clinic) -> None:
    with clinic.connect(clinic.thandi) as thandi:
        session_id = add_visit(thandi, add_client(thandi))
        assert "amendments are never edited" in refused(
            thandi, "UPDATE backmap.amendments SET reason = 'typo' WHERE session_id = %s", session_id
        )
