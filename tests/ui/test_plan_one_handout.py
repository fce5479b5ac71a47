"""One plan, one handout: Plan mode, the PDF it saves, and `backmap plan` (text, JSON, PDF) show the same plan for
the same session, built from its marks or as it was given (app.domain.session_plan.handout_for)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.cli import main
from app.domain.plan_text import render_plan_text
from app.domain.protocol import load_protocol
from app.domain.records import Consent, FlagEntry, Intake, Session
from app.domain.session_plan import handout_for
from app.storage.sqlite_store import SqliteStore
from app.ui.plan_view.mode import PlanMode
from app.ui.settings import AppSettings
from tests.ui.answers import Answers

DAY = dt.date(2026, 11, 20)


def _pdf_words(path: Path) -> str:
    raw = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


@pytest.mark.parametrize("given", [False, True], ids=["built from the marks", "as given"])
def test_plan_mode_its_pdf_and_the_plan_command_show_the_same_plan(
    qtbot: QtBot,
    repository: SqliteStore,
    answers: Answers,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    given: bool,
) -> None:
    client = repository.create_client("Ana Example", consent=Consent(DAY, "1"))
    repository.save_intake(client.id, Intake(DAY, (FlagEntry("blood_thinners"),)))  # a clearance is missing
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    session: Session = repository.start_session(client.id, start=start)
    repository.set_mark(session.id, "trapezius_upper_l", "therapist", 7)
    session = repository.set_shared_note(session.id, "Drink some water.")
    settings = AppSettings()  # the settings the command reads too
    expected = handout_for(
        client, session, repository.list_intakes(client.id), load_protocol(), practice=settings.practice()
    )
    if given:  # the plan stored as given is what every place shows from then on
        session = repository.save_plan(session.id, expected.plan.to_json())
        expected = handout_for(
            client, session, repository.list_intakes(client.id), load_protocol(), practice=settings.practice()
        )

    page = PlanMode(repository, load_protocol(), settings, lambda: DAY)
    qtbot.addWidget(page)
    page.show_for(client, session)
    assert page.view.handout() == expected.handout
    assert page.view.clearance_on_record == expected.clearance_on_record == given

    answers.save_path = str(tmp_path / "from plan mode.pdf")
    page.view.save_pdf_button.click()
    assert main(["plan", client.id, "--format", "pdf", "-o", str(tmp_path / "from the command.pdf")]) == 0
    assert _pdf_words(tmp_path / "from plan mode.pdf") == _pdf_words(tmp_path / "from the command.pdf")

    capsys.readouterr()
    assert main(["plan", client.id, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected.plan.to_json()
    assert main(["plan", client.id]) == 0
    text = capsys.readouterr().out
    assert text == render_plan_text(expected.plan, clearance_on_record=expected.clearance_on_record)
    assert ("doctor's go-ahead" in text) is not given  # a plan given was given with the clearance on record
