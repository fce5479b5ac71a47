"""No stale screens: switching clients leaves nothing of the previous client's session on screen; deleting a client
clears every page that showed them; Tab in a note moves on to the next field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, Soap
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import by_name, ini_settings, open_window
from tests.ui.answers import Answers

CONSENTED = Consent(dt.date(2026, 1, 5), "1")
SUBJECTIVE = "Subjective note, therapist only"


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[MainWindow]:
    opened = open_window(qtbot, data_dir, ini_settings(tmp_path))
    yield opened
    opened.workspace.repository.close()


def client_with_session(window: MainWindow, name: str) -> str:
    repo = window.workspace.repository
    client = repo.create_client(name, consent=CONSENTED)
    session = repo.start_session(client.id, minutes=90, position="seated")
    repo.set_soap(session.id, Soap(subjective=f"{name}'s stiff neck", pain_before=6))
    repo.set_shared_note(session.id, f"{name}: stretch hourly")
    repo.set_mark(session.id, "neck_l", "therapist", 7)
    window.workspace.clients.refresh()
    return client.id


def session_fields(window: MainWindow) -> dict[str, object]:
    page = window.workspace.consult
    return {
        "minutes": by_name(page, QSpinBox, "Session length in minutes").value(),
        "position": by_name(page, QComboBox, "Client position").currentText(),
        "pain before": by_name(page, QSpinBox, "Pain before the session, 0 to 10").text(),
        "subjective": by_name(page, QPlainTextEdit, SUBJECTIVE).toPlainText(),
        "shared": by_name(page, QPlainTextEdit, "Note shared with the client").toPlainText(),
    }


def test_switching_to_a_client_without_a_session_shows_none_of_the_previous_ones(window: MainWindow) -> None:
    first = client_with_session(window, "Ana Example")
    other = window.workspace.repository.create_client("Ben Other", consent=CONSENTED)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(first)
    assert session_fields(window)["minutes"] == 90

    window.workspace.decisions.open_client(other.id)

    assert session_fields(window) == {
        "minutes": 60,
        "position": "prone",
        "pain before": "—",
        "subjective": "",
        "shared": "",
    }
    assert window.workspace.consult.map_view.shown("neck_l") == (None, "")


def test_deleting_a_client_clears_consult_plan_and_history(window: MainWindow, answers: Answers) -> None:
    client_id = client_with_session(window, "Ana Example")
    window.workspace.decisions.open_client(client_id)
    window.workspace.controller.select_region("neck_l")
    window.workspace.mode_bar.setCurrentIndex(1)  # Plan: built and showing her plan
    window.workspace.mode_bar.setCurrentIndex(2)  # History: built and showing her sessions
    history = window.workspace.history_page()
    assert history.timeline.rowCount() == 1

    answers.typed = ("Ana Example", True)
    window.workspace.decisions.delete_client()

    assert history.timeline.rowCount() == 0
    plan = window.workspace.plan_page()
    assert plan.message.isVisibleTo(plan)
    assert "Choose a client" in plan.message.text()
    assert session_fields(window)["subjective"] == ""
    assert window.workspace.controller.selected is None
    note = window.workspace.consult.region_panel.findChild(QPlainTextEdit)
    assert note is not None
    assert note.toPlainText() == ""


def test_tab_in_a_soap_note_moves_on_to_the_next_note(window: MainWindow, qtbot: QtBot) -> None:
    window.workspace.decisions.open_client(client_with_session(window, "Ana Example"))
    page = window.workspace.consult
    subjective = by_name(page, QPlainTextEdit, SUBJECTIVE)
    subjective.setFocus()
    qtbot.waitUntil(subjective.hasFocus)
    qtbot.keyClick(subjective, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is by_name(page, QPlainTextEdit, "Objective note, therapist only")
    assert "\t" not in subjective.toPlainText()
