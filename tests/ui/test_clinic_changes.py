"""Two therapists on one client, each in their own window on the clinic server (issue 19, points 4 and 6):
Pieter's work appears in Thandi's open window without a restart; a note she is typing is not lost to his —
saved first, or she is told that the session changed under her. When the connection to the server is lost a
banner says so, her change fails with its own message and nothing half of it is stored; the banner goes once the
server is back, and her next change is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.domain.records import Client, Consent
from app.storage.postgres.store import PostgresStore
from app.ui.application import create_application, create_main_window
from app.ui.clinic.actions import LOST_CONNECTION, ClinicActions
from app.ui.main_window import MainWindow
from tests.clinic.template import ClinicCopy
from tests.clinic.test_store_on_the_server import share
from tests.e2e.consult_driver import by_name, ini_settings
from tests.storage.conftest import START
from tests.ui.answers import Answers

pytestmark = pytest.mark.postgres

SUBJECTIVE = "Subjective note, therapist only"


@pytest.fixture
def ana(clinic_copy: ClinicCopy) -> Client:
    """Thandi's client, shared with Pieter."""
    thandi, pieter = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi) as hers:
        client = hers.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    share(clinic_copy, client.id, pieter.role)
    return client


@pytest.fixture
def pieter(clinic_copy: ClinicCopy) -> Iterator[PostgresStore]:
    """Pieter at his own window (his store: what his window writes through)."""
    with clinic_copy.store_of(clinic_copy.template.therapists[1]) as store:
        yield store


@pytest.fixture
def thandis_window(qtbot: QtBot, clinic_copy: ClinicCopy, tmp_path: Path) -> Iterator[MainWindow]:
    """Thandi's window on the server, listening for others' changes."""
    create_application([])
    conninfo = clinic_copy.template.conninfo(clinic_copy.database, clinic_copy.template.therapists[0])
    window = create_main_window(None, demo=False, settings=ini_settings(tmp_path), database=conninfo)
    qtbot.addWidget(window)
    window.show()
    listener = clinic_actions(window).listener
    assert listener is not None
    qtbot.waitUntil(lambda: listener.listening)
    yield window
    window.close()  # ends the listener's login before the database is dropped


def clinic_actions(window: MainWindow) -> ClinicActions:
    found = window.findChild(ClinicActions)
    assert isinstance(found, ClinicActions)
    return found


def listed(window: MainWindow) -> list[str]:
    model = window.workspace.clients.model
    return [model.client_at(row).name for row in range(model.rowCount())]


def test_a_colleagues_work_appears_in_the_open_window(
    qtbot: QtBot, thandis_window: MainWindow, ana: Client, pieter: PostgresStore
) -> None:
    workspace = thandis_window.workspace
    workspace.refresh_clients()
    workspace.decisions.open_client(ana.id)
    session = pieter.start_session(ana.id, start=START)
    qtbot.waitUntil(lambda: workspace.controller.session is not None)  # his session, in her consult screen

    pieter.set_mark(session.id, "neck_l", "therapist", 7)
    pieter.rename_client(ana.id, "Ana Example-Nel")
    qtbot.waitUntil(lambda: workspace.client_header.text() == "Ana Example-Nel")
    assert listed(thandis_window) == ["Ana Example-Nel"]
    qtbot.waitUntil(lambda: workspace.controller.session == pieter.get_session(session.id))


def test_a_note_she_is_typing_is_saved_first_or_she_is_told(
    qtbot: QtBot, thandis_window: MainWindow, ana: Client, pieter: PostgresStore, answers: Answers
) -> None:
    workspace = thandis_window.workspace
    session = pieter.start_session(ana.id)  # today's: hers to go on with
    workspace.decisions.open_client(ana.id)
    assert workspace.controller.editable
    subjective = by_name(workspace.consult, QPlainTextEdit, SUBJECTIVE)
    subjective.setPlainText("left shoulder, since Monday")  # typed; saved once she pauses

    pieter.set_mark(session.id, "neck_l", "therapist", 7)  # his change, while her note waits
    qtbot.waitUntil(lambda: answers.shown != [])
    # Her note was written against the session as she saw it, which his mark changed: the version check refuses
    # it and says so, and her screen shows what is stored (his mark), never a blend.
    assert [(kind, title) for kind, title, _text in answers.shown] == [("warning", "Backmap")]
    assert "changed elsewhere" in answers.shown[0][2]
    stored = pieter.get_session(session.id)
    assert stored.soap.subjective == ""
    qtbot.waitUntil(lambda: workspace.controller.session == stored)


def test_a_lost_connection_shows_a_banner_until_it_is_back_and_no_change_is_half_saved(
    qtbot: QtBot, thandis_window: MainWindow, clinic_copy: ClinicCopy, ana: Client, answers: Answers
) -> None:
    workspace = thandis_window.workspace
    actions = clinic_actions(thandis_window)
    workspace.refresh_clients()
    workspace.decisions.open_client(ana.id)
    assert not actions.banner.isVisibleTo(thandis_window)
    superuser = clinic_copy.template.server.conninfo(dbname="postgres")
    with psycopg.connect(superuser, autocommit=True) as admin:  # the server goes away a while: no login, none left
        admin.execute(f"ALTER DATABASE {clinic_copy.database} ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = %s AND datname = %s",
            (clinic_copy.template.therapists[0].role, clinic_copy.database),
        )
        qtbot.waitUntil(lambda: actions.banner.isVisibleTo(thandis_window))
        assert actions.banner.text() == LOST_CONNECTION

        workspace.decisions.start_session()
        assert [(kind, title) for kind, title, _text in answers.shown] == [("warning", "Backmap")]
        assert "nothing was saved" in answers.shown[0][2]
        admin.execute(f"ALTER DATABASE {clinic_copy.database} ALLOW_CONNECTIONS true")  # the server is back
    with clinic_copy.store_of(clinic_copy.template.owner) as owner:
        assert owner.list_sessions(ana.id) == []

    qtbot.waitUntil(lambda: not actions.banner.isVisibleTo(thandis_window))
    workspace.decisions.start_session()
    assert len(answers.shown) == 1  # no new warning: saved
    with clinic_copy.store_of(clinic_copy.template.owner) as owner:
        assert len(owner.list_sessions(ana.id)) == 1
