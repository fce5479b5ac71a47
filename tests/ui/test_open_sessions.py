"""Open sessions, as a therapist meets them: "Start session" while one is open asks what to do with it; an open
session of an earlier day is shown with its date and is not edited until continued; an empty one goes quietly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, Soap
from app.storage.errors import SessionLockedError
from app.storage.sql_store import now
from app.storage.sqlite_store import SqliteStore
from app.ui.display_dates import day_text
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings, open_window
from tests.ui.answers import Answers

CONSENTED = Consent(dt.date(2026, 1, 5), "1")


def window_with_client(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> tuple[MainWindow, str]:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    client = window.workspace.repository.create_client("Ana Example", consent=CONSENTED)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    return window, client.id


def strip_button(window: MainWindow, text: str) -> QPushButton:
    found = [
        b for b in window.workspace.consult.session_panel.action_strip.findChildren(QPushButton) if b.text() == text
    ]
    assert len(found) == 1, text
    return found[0]


def status_text(window: MainWindow) -> str:
    labels = window.workspace.consult.session_panel.action_strip.findChildren(QLabel)
    return " ".join(label.text() for label in labels)


def press_digit_on_map(qtbot: QtBot, window: MainWindow, region: str, key: Qt.Key) -> None:
    window.workspace.controller.select_region(region)
    view = window.workspace.consult.map_view
    view.setFocus()
    qtbot.keyClick(view, key)


def test_an_open_session_of_last_week_shows_its_date_and_waits_to_be_continued(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    week_ago = now() - dt.timedelta(days=7)
    old = repo.start_session(client_id, start=week_ago)
    repo.set_mark(old.id, "trapezius_upper_l", "therapist", 6)
    window.workspace.decisions.open_client(client_id)

    assert day_text(week_ago.date()) in status_text(window)
    assert "still open" in status_text(window)
    press_digit_on_map(qtbot, window, "rhomboid_l", Qt.Key.Key_7)
    assert "rhomboid_l" not in repo.get_session(old.id).layer("therapist")  # not added to last week's unseen

    qtbot.mouseClick(strip_button(window, "Continue this session"), Qt.MouseButton.LeftButton)
    press_digit_on_map(qtbot, window, "rhomboid_l", Qt.Key.Key_7)
    assert repo.get_session(old.id).layer("therapist")["rhomboid_l"].tension == 7
    assert day_text(week_ago.date()) in status_text(window)  # continued, it keeps its own date
    window.workspace.repository.close()


def test_start_session_while_one_is_open_can_continue_it(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)
    first = repo.list_sessions(client_id)[0]
    repo.set_soap(first.id, Soap(subjective="stiff neck"))

    answers.click_in_next_box("Continue it")
    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)

    assert "still open" in answers.texts()
    assert "notes" in answers.texts()
    assert [s.id for s in repo.list_sessions(client_id)] == [first.id]
    assert window.workspace.controller.session is not None
    assert window.workspace.controller.session.id == first.id
    assert window.workspace.controller.editable
    window.workspace.repository.close()


def test_start_session_while_one_is_open_can_finalise_it_and_start_todays(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    old = repo.start_session(client_id, start=now() - dt.timedelta(days=7))
    repo.set_mark(old.id, "neck_l", "client", 4)
    window.workspace.decisions.open_client(client_id)

    answers.click_in_next_box("Finalise it, start a new one")
    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)

    newest, earlier = repo.list_sessions(client_id)
    assert earlier.id == old.id
    assert earlier.is_final
    assert not newest.is_final
    assert newest.start.date() == dt.date.today()
    assert window.workspace.controller.session == newest
    assert window.workspace.controller.editable
    assert "7 days ago" in answers.texts()
    window.workspace.repository.close()


def test_start_session_while_one_is_open_can_discard_it_after_asking(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    old = repo.start_session(client_id, start=now() - dt.timedelta(days=1))
    repo.set_mark(old.id, "neck_l", "client", 4)
    window.workspace.decisions.open_client(client_id)

    answers.click_in_next_box("Discard it, start a new one…")
    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)

    assert "for good" in answers.texts()  # a session with marks is erased only after a second question
    (only,) = repo.list_sessions(client_id)
    assert only.id != old.id
    assert only.start.date() == dt.date.today()
    window.workspace.repository.close()


def test_an_empty_open_session_is_replaced_without_a_question(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    empty = repo.start_session(client_id, start=now() - dt.timedelta(days=3))
    window.workspace.decisions.open_client(client_id)

    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)

    assert answers.shown == []
    (only,) = repo.list_sessions(client_id)
    assert only.id != empty.id
    assert only.start.date() == dt.date.today()
    window.workspace.repository.close()


def test_discard_in_the_strip_erases_the_open_session_and_shows_the_one_before(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    earlier = repo.finalise(repo.start_session(client_id, start=now() - dt.timedelta(days=14)).id)
    mistaken = repo.start_session(client_id)
    repo.set_mark(mistaken.id, "neck_r", "therapist", 3)
    window.workspace.decisions.open_client(client_id)

    qtbot.mouseClick(strip_button(window, "Discard…"), Qt.MouseButton.LeftButton)

    assert [kind for kind, _title, _text in answers.shown] == ["question"]
    assert [s.id for s in repo.list_sessions(client_id)] == [earlier.id]
    assert window.workspace.controller.session == earlier
    assert "Finalised" in status_text(window)
    window.workspace.repository.close()


def test_a_finalised_session_is_never_discarded(repository: SqliteStore) -> None:
    client = repository.create_client("Ana Example", consent=CONSENTED)
    final = repository.finalise(repository.start_session(client.id).id)
    with pytest.raises(SessionLockedError):
        repository.discard_session(final.id)
    assert repository.list_sessions(client.id) == [final]
    assert repository.audit_entries(client.id)[-1][1] == "finalise"


def test_plan_mode_gives_nothing_and_times_nothing_on_an_open_session_of_an_earlier_day(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window, client_id = window_with_client(qtbot, data_dir, tmp_path)
    repo = window.workspace.repository
    old = repo.start_session(client_id, start=now() - dt.timedelta(days=7))
    repo.set_mark(old.id, "suboccipital_l", "therapist", 6)  # a point hold: the plan has a timer
    window.workspace.decisions.open_client(client_id)

    window.workspace.mode_bar.setCurrentIndex(1)
    view = window.workspace.plan_page().view
    assert not view.mark_given_button.isEnabled()
    assert "Continue this session" in view.given_hint.text()
    assert view.hold_timers
    assert not view.hold_timers[0].isEnabled()

    window.workspace.mode_bar.setCurrentIndex(0)
    qtbot.mouseClick(strip_button(window, "Continue this session"), Qt.MouseButton.LeftButton)
    window.workspace.mode_bar.setCurrentIndex(1)
    assert view.hold_timers[0].isEnabled()
    window.workspace.repository.close()
