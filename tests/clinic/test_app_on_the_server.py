"""The desktop app on a clinic's server (`backmap --database …`): Thandi opens it, finds her client, starts a
session and marks the map; what she did is on the server, where a colleague's window reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.ui.application import create_application, create_main_window
from app.ui.main_window import MainWindow
from tests.clinic.template import ClinicCopy
from tests.e2e.consult_driver import ini_settings
from tests.ui.answers import Answers

pytestmark = pytest.mark.postgres


@pytest.fixture
def window(qtbot: QtBot, clinic_copy: ClinicCopy, tmp_path: Path) -> Iterator[MainWindow]:
    create_application([])
    therapist = clinic_copy.template.therapists[0]
    conninfo = clinic_copy.template.conninfo(clinic_copy.database, therapist)
    opened = create_main_window(None, demo=False, settings=ini_settings(tmp_path), database=conninfo)
    qtbot.addWidget(opened)
    yield opened
    opened.workspace.repository.close()


def test_a_therapist_works_on_the_server_from_the_app(
    window: MainWindow, clinic_copy: ClinicCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = window.workspace.repository
    assert store.local_folder is None
    client = store.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    window.workspace.decisions.start_session()
    session = window.workspace.controller.session
    assert session is not None
    assert session.therapist == "Thandi M"  # her name in the clinic, unless the practice settings give one
    store.set_mark(session.id, "neck_l", "client", 6)
    file_menu = [action.text() for action in window.menus["File"].actions()]
    assert "Back up now…" not in file_menu  # the server's backups are the clinic's (docs/clinic.md)
    answers = Answers(monkeypatch)
    window.workspace.show_audit_log()
    assert answers.shown == [
        ("warning", "Audit log", "the clinic's audit log is read by its owner only (docs/clinic.md, Who sees what)")
    ]
    with clinic_copy.store_of(clinic_copy.template.owner) as owner:
        assert owner.get_session(session.id).marks == store.get_session(session.id).marks
