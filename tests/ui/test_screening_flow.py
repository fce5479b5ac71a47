"""The screening in the main window: none without consent, a new visit's is a new dated one, an old one is
flagged for a re-check."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.domain.records import Clearance, Consent, FlagEntry, Intake
from app.ui.clients.client_dialog import ClientDialog
from app.ui.clients.intake_dialog import IntakeDialog
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import fill_dialogs, ini_settings, open_window
from tests.ui.answers import Answers

TODAY = dt.date.today()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> Iterator[MainWindow]:
    opened = open_window(qtbot, data_dir, ini_settings(tmp_path))
    yield opened
    opened.workspace.repository.close()


def add_client(window: MainWindow, consent: Consent | None, *intakes: Intake) -> str:
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=consent)
    for intake in intakes:
        repo.save_intake(client.id, intake)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    return client.id


def never_opened(dialog: IntakeDialog) -> None:
    raise AssertionError("the screening opened without consent")


def test_without_consent_no_screening_opens(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, answers: Answers
) -> None:
    fill_dialogs(monkeypatch, qtbot, client=lambda _dialog: None, intake=never_opened)
    client_id = add_client(window, None)
    window.workspace.decisions.edit_screening()
    assert "consent" in answers.texts()
    assert window.workspace.repository.list_intakes(client_id) == []


def test_a_new_visits_screening_is_saved_as_a_new_one_and_last_weeks_stays(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    last_week = Intake(TODAY - dt.timedelta(days=7), (FlagEntry("blood_thinners"),))

    def confirm_unchanged(dialog: IntakeDialog) -> None:
        assert dialog.date_edit.value() == TODAY
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    fill_dialogs(monkeypatch, qtbot, client=lambda _dialog: None, intake=confirm_unchanged)
    client_id = add_client(window, Consent(TODAY, "1"), last_week)
    window.workspace.decisions.edit_screening()
    assert window.workspace.repository.list_intakes(client_id) == [
        last_week,
        Intake(TODAY, (FlagEntry("blood_thinners"),)),
    ]


def test_a_new_client_without_consent_is_not_asked_for_a_screening(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    def name_only(dialog: ClientDialog) -> None:
        qtbot.keyClicks(dialog.name_edit, "Ben Other")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))

    fill_dialogs(monkeypatch, qtbot, client=name_only, intake=never_opened)
    window.workspace.decisions.new_client()
    assert window.workspace.client_header.text() == "Ben Other"


@pytest.mark.parametrize(("age_days", "flagged"), [(90, False), (91, True)])
def test_a_screening_older_than_the_practice_setting_is_flagged_for_a_recheck(
    window: MainWindow, age_days: int, flagged: bool
) -> None:
    add_client(window, Consent(TODAY, "1"), Intake(TODAY - dt.timedelta(days=age_days)))
    assert ("Re-check the screening" in window.workspace.banner.text()) is flagged
    if flagged:
        assert f"{age_days} days ago" in window.workspace.banner.text()


def test_the_recheck_age_is_a_practice_setting(window: MainWindow) -> None:
    window.settings.set_screening_recheck_days(30)
    add_client(window, Consent(TODAY, "1"), Intake(TODAY - dt.timedelta(days=45)))
    assert "Re-check the screening" in window.workspace.banner.text()


def test_the_banner_says_a_clearance_is_needed_before_the_session_starts(window: MainWindow) -> None:
    thinners = Intake(TODAY, (FlagEntry("blood_thinners"),))
    client_id = add_client(window, Consent(TODAY, "1"), thinners)
    assert window.workspace.repository.list_sessions(client_id) == []
    assert window.workspace.banner.title_label.text().startswith("Modify — doctor's clearance needed")

    cleared = dataclasses.replace(thinners, clearance=Clearance("Dr N. Example", TODAY, "light pressure only"))
    window.workspace.repository.save_intake(client_id, cleared)
    window.workspace.decisions.open_client(client_id)
    assert window.workspace.banner.title_label.text() == "Modify: today's plan is adjusted"
