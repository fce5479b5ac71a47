"""Plan mode's "Letter for the doctor…": enabled only when a plan needs one, saved as a PDF where the user says."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from app.domain.practice import PracticeSettings
from app.domain.protocol import load_protocol
from app.domain.records import Clearance, Client, Consent, FlagEntry, Intake, Session, Soap
from app.storage.repository import Repository
from app.ui.plan_view.mode import PlanMode
from app.ui.settings import AppSettings
from tests.ui.answers import Answers

DAY = dt.date(2026, 11, 20)
CLEARANCE = Clearance("Dr N. Example", dt.date(2026, 11, 19), "light pressure only", dt.date(2027, 5, 19))
SOAP_WORDS = "mentions trouble sleeping since the divorce"


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    chosen = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    chosen.set_practice(PracticeSettings(therapist_name="Sam Example", practice_name="Quiet Hands Massage"))
    return chosen


@pytest.fixture
def mode(qtbot: QtBot, repository: Repository, settings: AppSettings) -> PlanMode:
    widget = PlanMode(repository, load_protocol(), settings, lambda: dt.date(2026, 11, 23))
    qtbot.addWidget(widget)
    return widget


def _client_with(repository: Repository, intake: Intake) -> tuple[Client, Session]:
    client = repository.create_client("Ana Example", born=dt.date(1980, 4, 2), consent=Consent(DAY, "1"))
    repository.save_intake(client.id, intake)
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    session = repository.start_session(client.id, start=start)
    repository.set_mark(session.id, "trapezius_upper_l", "therapist", 7)
    session = repository.set_soap(session.id, Soap(subjective=SOAP_WORDS))
    return client, session


def test_a_missing_clearance_enables_the_letter_and_it_is_saved_where_the_user_says(
    qtbot: QtBot, mode: PlanMode, repository: Repository, answers: Answers, tmp_path: Path
) -> None:
    intake = Intake(DAY, (FlagEntry("blood_thinners"),))
    client, session = _client_with(repository, intake)
    mode.show_for(client, intake, session)
    assert mode.view.letter_button.isEnabled()
    answers.save_path = str(tmp_path / "letter for the doctor.pdf")
    qtbot.mouseClick(mode.view.letter_button, Qt.MouseButton.LeftButton)
    assert answers.shown == []
    raw = " ".join(page.extract_text() for page in PdfReader(answers.save_path).pages)
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    assert "Quiet Hands Massage" in text
    assert "23 November 2026" in text  # written today; the session was on the 20th
    assert "Is light back massage appropriate for this patient?" in text
    assert SOAP_WORDS not in text


def test_a_clearance_on_record_leaves_the_letter_disabled(mode: PlanMode, repository: Repository) -> None:
    intake = Intake(DAY, (FlagEntry("blood_thinners"),), clearance=CLEARANCE)
    client, session = _client_with(repository, intake)
    mode.show_for(client, intake, session)
    assert not mode.view.letter_button.isEnabled()


def test_a_postponed_plan_enables_the_letter_and_cancelling_the_dialog_writes_nothing(
    qtbot: QtBot, mode: PlanMode, repository: Repository, answers: Answers, tmp_path: Path
) -> None:
    intake = Intake(DAY, (FlagEntry("dvt_current"),), clearance=CLEARANCE)
    client, session = _client_with(repository, intake)
    mode.show_for(client, intake, session)
    assert mode.view.letter_button.isEnabled()
    answers.save_path = ""  # the user cancels the file dialog
    qtbot.mouseClick(mode.view.letter_button, Qt.MouseButton.LeftButton)
    assert list(tmp_path.glob("*.pdf")) == []
    assert answers.shown == []


def test_no_client_no_letter(mode: PlanMode) -> None:
    mode.show_for(None, None, None)
    assert not mode.view.letter_button.isEnabled()
