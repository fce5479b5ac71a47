"""Giving the plan and timing holds belong to the visit: Finalise warns when the plan was not given, and a
finalised session's plan is shown as it was, with nothing left to give or time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.records import Clearance, Consent, FlagEntry, Intake
from app.storage.errors import NotFoundError, SessionLockedError, StorageError
from app.ui.error_text import plain_error
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings, open_window
from tests.ui.answers import Answers


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[MainWindow]:
    opened = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = opened.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(dt.date(2026, 1, 5), "1"))
    session = repo.start_session(client.id)
    repo.set_mark(session.id, "suboccipital_l", "therapist", 5)  # a point: its step has a hold timer
    opened.workspace.clients.refresh()
    opened.workspace.decisions.open_client(client.id)
    yield opened
    opened.workspace.repository.close()


def finalise_button(window: MainWindow, qtbot: QtBot) -> None:
    strip = window.workspace.consult.session_panel.action_strip
    (button,) = [b for b in strip.findChildren(type(window.workspace.start_button)) if b.text() == "Finalise session"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_finalise_before_the_plan_was_given_offers_to_show_the_plan(
    window: MainWindow, qtbot: QtBot, answers: Answers
) -> None:
    answers.click_in_next_box("Show the plan")
    finalise_button(window, qtbot)
    assert "not marked as given" in answers.texts()
    assert window.workspace.mode_bar.currentIndex() == 1
    session = window.workspace.controller.session
    assert session is not None
    assert not session.is_final
    plan = window.workspace.plan_page()
    assert plan.view.mark_given_button.isEnabled()
    assert plan.view.hold_timers
    assert plan.view.hold_timers[0].start_button.isEnabled()


def test_finalised_without_the_plan_given_nothing_can_be_given_or_timed_after(
    window: MainWindow, qtbot: QtBot, answers: Answers
) -> None:
    answers.click_in_next_box("Finalise without giving it")
    finalise_button(window, qtbot)
    session = window.workspace.controller.session
    assert session is not None
    assert session.is_final

    window.workspace.mode_bar.setCurrentIndex(1)
    view = window.workspace.plan_page().view
    assert not view.mark_given_button.isEnabled()
    assert "finalised without the plan marked as given" in view.given_hint.text()
    assert view.hold_timers
    assert not view.hold_timers[0].start_button.isEnabled()
    assert not view.hold_timers[0].isEnabled()


def test_finalise_after_the_plan_was_given_asks_only_to_lock(
    window: MainWindow, qtbot: QtBot, answers: Answers
) -> None:
    window.workspace.mode_bar.setCurrentIndex(1)
    view = window.workspace.plan_page().view
    qtbot.mouseClick(view.mark_given_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.given_hint.text() == "Given ✓")
    window.workspace.mode_bar.setCurrentIndex(0)

    finalise_button(window, qtbot)

    assert [kind for kind, _title, _text in answers.shown] == ["question"]
    session = window.workspace.controller.session
    assert session is not None
    assert session.is_final
    assert session.plan is not None


ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SESSION_ID = "5e0d1a3b-8c1f-4a57-b7f3-0f5e2a6c9d21"


@pytest.mark.parametrize(
    "error",
    [
        SessionLockedError(
            f"session {SESSION_ID} was finalised on 2026-11-20T11:05:00+02:00; change it with an amendment"
        ),
        NotFoundError(f"no session with id {SESSION_ID!r}"),
        StorageError(f"session {SESSION_ID} has no stroke to remove"),
    ],
)
def test_no_message_shows_a_raw_id_or_an_iso_timestamp(error: StorageError) -> None:
    shown = plain_error(error)
    assert SESSION_ID not in shown
    assert not ISO_MOMENT.search(shown)
    assert shown


def test_giving_the_plan_and_saving_its_pdf_are_audit_logged_without_names(
    window: MainWindow, qtbot: QtBot, answers: Answers, tmp_path: Path
) -> None:
    window.workspace.mode_bar.setCurrentIndex(1)
    view = window.workspace.plan_page().view
    answers.save_path = str(tmp_path / "Ana Example plan.pdf")
    qtbot.mouseClick(view.save_pdf_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.mark_given_button, Qt.MouseButton.LeftButton)
    entries = window.workspace.repository.audit_entries()
    assert [action for _at, action, _client, _what in entries][-2:] == ["pdf", "plan_given"]
    assert entries[-2][3] == "the plan, to a file"  # never its path: a file name may be the client's name
    assert "Ana" not in repr(entries)


def test_a_plan_given_with_a_clearance_never_also_says_the_clearance_is_needed(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path / "settings"))
    repo = window.workspace.repository
    today = dt.date.today()
    client = repo.create_client("Ben Other", consent=Consent(today, "1"))
    thinners = Intake(today, (FlagEntry("blood_thinners"),), clearance=Clearance("Dr N. Example", today))
    repo.save_intake(client.id, thinners)
    session = repo.start_session(client.id)
    repo.set_mark(session.id, "neck_l", "therapist", 5)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    window.workspace.mode_bar.setCurrentIndex(1)
    plan = window.workspace.plan_page()
    qtbot.mouseClick(plan.view.mark_given_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan.view.given_hint.text() == "Given ✓")

    repo.save_intake(client.id, dataclasses.replace(thinners, clearance=None))  # the clearance taken off later
    window.workspace.decisions.open_client(client.id)
    window.workspace.mode_bar.setCurrentIndex(1)
    assert plan.view.given_hint.text() == "Given ✓"
    assert plan.view.clearance_on_record
    assert not plan.clearance_button.isVisible()
    repo.close()
