"""The app's store on a clinic's server, as the clinic's people use it: two of them on one client at once, the
owner opening a colleague's client, the server's own audit log of what the store did (issue 19, points 1, 4, 5).

Every storage test also runs on this store (tests/storage/conftest.py, the `postgresql` store kind); these are
the moments only a server with several people has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psycopg
import pytest

from app.domain.records import Client, Consent, Soap
from app.storage.errors import NotFoundError, StaleWriteError, StorageError
from app.storage.postgres.store import ConnectionLostError, PostgresStore
from tests.clinic.template import ClinicCopy
from tests.storage.conftest import START

pytestmark = pytest.mark.postgres

CHANGED_ELSEWHERE = "changed elsewhere .*— reloaded"
SECRET = "SECRET-NOTE"  # note text: health data, never in the audit log


def ana(store: PostgresStore) -> Client:
    return store.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))


def share(clinic: ClinicCopy, client_id: str, colleague: str) -> None:
    """The client's therapist shares the client with a colleague (psql, or the owner's tools: not the app yet)."""
    therapist = clinic.template.therapists[0]
    with psycopg.connect(clinic.template.conninfo(clinic.database, therapist), autocommit=True) as connection:
        connection.execute("SELECT backmap.share_client(%s, %s)", (client_id, colleague))


def test_two_therapists_on_one_client_the_second_is_told_and_reloads(clinic_copy: ClinicCopy) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi_person) as thandi, clinic_copy.store_of(pieter_person) as pieter:
        client = ana(thandi)
        share(clinic_copy, client.id, pieter_person.role)
        session = thandi.start_session(client.id, start=START)
        shown = pieter.get_session(session.id)  # Pieter has the session open in his consult screen
        thandi.set_soap(session.id, Soap(subjective="left shoulder"))
        with pytest.raises(StaleWriteError, match=CHANGED_ELSEWHERE):
            pieter.set_soap(session.id, Soap(subjective="right hip"), based_on=shown.version)
        assert thandi.get_session(session.id).soap.subjective == "left shoulder"
        reloaded = pieter.get_session(session.id)  # his view reloads; now his write goes through, on top of hers
        assert reloaded.soap.subjective == "left shoulder"
        written = pieter.set_mark(session.id, "neck_l", "therapist", 5, based_on=reloaded.version)
        assert thandi.get_session(session.id) == written


def test_the_same_session_written_at_the_same_moment_the_second_waits_and_is_refused(clinic_copy: ClinicCopy) -> None:
    """One therapist, two windows: the second write waits for the first's transaction, then sees its version."""
    therapist = clinic_copy.template.therapists[0]
    with clinic_copy.store_of(therapist) as first_window, clinic_copy.store_of(therapist) as second_window:
        session = first_window.start_session(ana(first_window).id, start=START)
        shown = second_window.get_session(session.id)
        outcome: list[BaseException | None] = []
        with psycopg.connect(clinic_copy.template.conninfo(clinic_copy.database, therapist)) as writing:
            # The first window's write, caught in the middle: the session's row locked, not committed yet.
            writing.execute("SELECT backmap.open_session(%s)", (session.id,))
            writing.execute("SELECT 1 FROM backmap.sessions WHERE id = %s FOR UPDATE", (session.id,))
            writing.execute(
                "UPDATE backmap.sessions SET medium = 'jojoba', version = version + 1 WHERE id = %s", (session.id,)
            )
            second = threading.Thread(
                target=_outcome_of(
                    partial(second_window.set_medium, session.id, "almond", based_on=shown.version), outcome
                )
            )
            second.start()
            _until_a_write_waits_for_a_lock(clinic_copy)
            writing.commit()
        second.join()
        assert isinstance(outcome[0], StaleWriteError)
        assert first_window.get_session(session.id).medium == "jojoba"


def _outcome_of(write: Callable[[], object], outcome: list[BaseException | None]) -> Callable[[], None]:
    def run() -> None:
        try:
            write()
        except BaseException as error:  # the test looks at what it was
            outcome.append(error)
        else:
            outcome.append(None)

    return run


def _until_a_write_waits_for_a_lock(clinic: ClinicCopy) -> None:
    with clinic.admin() as admin:
        for _ in range(10_000):
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (clinic.database,),
            ).fetchone()
            if row is not None and row[0]:
                return
            admin.execute("SELECT pg_sleep(0.005)")
    pytest.fail("the second write never waited for the first one's lock")


def test_the_owner_opens_a_therapists_client_and_the_server_logs_it(clinic_copy: ClinicCopy) -> None:
    template = clinic_copy.template
    with clinic_copy.store_of(template.therapists[0]) as thandi, clinic_copy.store_of(template.owner) as owner:
        client = ana(thandi)
        session = thandi.start_session(client.id, start=START)
        assert [entry[1] for entry in owner.audit_entries(client.id)] == ["insert", "insert"]  # clients, sessions
        assert owner.get_session(session.id) == thandi.get_session(session.id)
        assert owner.audit_entries(client.id)[-1][1:] == ("read", client.id, "record opened")
        assert owner.history(client.id) == thandi.history(client.id)


def test_a_colleague_without_a_share_reads_nothing_of_the_client(clinic_copy: ClinicCopy) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi_person) as thandi, clinic_copy.store_of(pieter_person) as pieter:
        client = ana(thandi)
        session = thandi.start_session(client.id, start=START)
        assert pieter.list_clients() == []
        with pytest.raises(NotFoundError):
            pieter.get_client(client.id)
        for read in (lambda: pieter.get_session(session.id), lambda: pieter.history(client.id)):
            with pytest.raises(StorageError, match="neither yours nor shared with you"):
                read()
        with pytest.raises(StorageError, match="neither yours nor shared with you"):
            pieter.set_shared_note(session.id, "Drink water.")
        assert thandi.get_session(session.id) == session


def test_the_server_logs_what_the_store_did_never_a_note_and_only_the_owner_reads_it(
    clinic_copy: ClinicCopy, tmp_path: Path
) -> None:
    template = clinic_copy.template
    with clinic_copy.store_of(template.therapists[0]) as thandi, clinic_copy.store_of(template.owner) as owner:
        client = thandi.create_client("Ana Example")
        thandi.record_consent(client.id, Consent(dt.date(2026, 11, 20), "1"))
        session = thandi.start_session(client.id, start=START)
        thandi.set_mark(session.id, "neck_l", "client", 7, SECRET)
        final = thandi.finalise(session.id, at=START + dt.timedelta(hours=1))
        thandi.amend(session.id, dataclasses.replace(final, shared_note=SECRET), SECRET)
        thandi.export_client(client.id, tmp_path / "ana.json")
        thandi.delete_client(client.id)
        with pytest.raises(StorageError, match="audit log is read by its owner only"):
            thandi.audit_entries()
        entries = owner.audit_entries(client.id)
    assert SECRET not in repr(entries)
    assert [(action, what) for _, action, _, what in entries] == [
        ("insert", "clients"),
        ("update", "clients: consent_date, consent_notice_version"),
        ("insert", "sessions"),
        ("insert", "marks"),
        ("update", "sessions: finalised"),
        ("update", "sessions: shared_note"),  # the amendment: the session, its marks rewritten, the amendment
        ("delete", "marks"),
        ("insert", "marks"),
        ("insert", "amendments"),
        ("export", "to a file"),
        ("erase", "client erased with every record"),
        ("delete", "clients"),
    ]


def test_a_lost_connection_fails_the_write_clearly_and_the_next_call_logs_in_again(clinic_copy: ClinicCopy) -> None:
    with clinic_copy.store_of(clinic_copy.template.therapists[0]) as thandi:
        session = thandi.start_session(ana(thandi).id, start=START)
        superuser = clinic_copy.template.server.conninfo(dbname="postgres")
        with psycopg.connect(superuser, autocommit=True) as admin:  # the server goes away (a restart, no network)
            admin.execute(f"ALTER DATABASE {clinic_copy.database} ALLOW_CONNECTIONS false")
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s",
                (clinic_copy.database,),
            )
            with pytest.raises(
                ConnectionLostError, match=r"connection to the clinic server is lost.*nothing was saved"
            ):
                thandi.set_shared_note(session.id, "Drink water.")
            admin.execute(f"ALTER DATABASE {clinic_copy.database} ALLOW_CONNECTIONS true")  # back
        assert thandi.get_session(session.id) == session  # logged in again: nothing half-written
        assert thandi.set_shared_note(session.id, "Drink water.").shared_note == "Drink water."
