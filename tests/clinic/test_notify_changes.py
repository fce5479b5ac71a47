"""New work by others, heard as it is committed (issue 19, point 4): Thandi's window listens while Pieter, on the
client she shared with him, writes a mark; the server announces the client, and which connection wrote it, so her
window tells his work from her own. A clinic set up before the announcements (schema version 1) gets them when
`clinic init` migrates it forward."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from app.domain.records import Consent
from app.storage.postgres.clinic import SetUp, set_up
from app.storage.postgres.store import Change, ChangeFeed, ConnectionLostError
from tests.clinic.template import ClinicCopy
from tests.clinic.test_store_on_the_server import share
from tests.storage.conftest import START

pytestmark = pytest.mark.postgres

WAIT_S = 5.0  # the most a test waits for an announcement; it ends at the first one


def heard(feed: ChangeFeed) -> Change:
    """The next change the feed hears."""
    for change in feed.changes(WAIT_S):
        return change
    raise AssertionError(f"nothing was announced within {WAIT_S} s")


def test_a_colleagues_change_is_announced_with_the_client_and_who_wrote_it(clinic_copy: ClinicCopy) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi_person) as thandi, clinic_copy.store_of(pieter_person) as pieter:
        client = thandi.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
        share(clinic_copy, client.id, pieter_person.role)
        session = thandi.start_session(client.id, start=START)
        feed = thandi.change_feed()
        feed.open()
        try:
            pieter.set_mark(session.id, "neck_l", "therapist", 5)
            assert heard(feed) == Change(client.id, pieter.backend_pid)
            thandi.get_session(session.id)  # her window reloads his work, then she marks
            thandi.set_mark(session.id, "neck_r", "therapist", 3)
            assert heard(feed) == Change(client.id, thandi.backend_pid)  # her own: her window leaves it
        finally:
            feed.close()


def test_the_feed_says_when_the_connection_is_lost_and_listens_again_once_reopened(clinic_copy: ClinicCopy) -> None:
    thandi_person = clinic_copy.template.therapists[0]
    with clinic_copy.store_of(thandi_person) as thandi:
        feed = thandi.change_feed()
        feed.open()
        try:
            with clinic_copy.admin() as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = %s AND datname = %s",
                    (thandi_person.role, clinic_copy.database),
                )
            with pytest.raises(ConnectionLostError, match="broke"):
                list(feed.changes(WAIT_S))
            feed.open()
            client = thandi.create_client("Ana Example")  # the store's login ended too: it logs in again
            assert heard(feed) == Change(client.id, thandi.backend_pid)
        finally:
            feed.close()


def test_a_version_1_clinic_announces_changes_once_migrated(clinic_copy: ClinicCopy) -> None:
    with clinic_copy.admin() as admin:  # the clinic as version 1 left it: no announcements
        admin.execute("DROP FUNCTION backmap.announce_change() CASCADE")
        admin.execute("UPDATE backmap.schema_version SET version = 1")
    owner = clinic_copy.template.owner
    with psycopg.connect(clinic_copy.template.server.conninfo(dbname=clinic_copy.database)) as admin:
        done = set_up(admin, owner, clinic_copy.template.passwords[owner.role])  # `backmap clinic init` again
    assert done == SetUp(schema_from=1, owner_added=False)
    thandi_person = clinic_copy.template.therapists[0]
    with clinic_copy.store_of(thandi_person) as thandi, clinic_copy.store_of(thandi_person) as other_window:
        feed = thandi.change_feed()
        feed.open()
        try:
            client = other_window.create_client("Ana Example")
            assert heard(feed) == Change(client.id, other_window.backend_pid)
        finally:
            feed.close()
