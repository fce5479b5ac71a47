"""Plan mode's decisions with a fake view and the real records: which plan a session shows, giving it, the PDF,
printing and the letter for the doctor, each asked of the user and cancellable."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPagedPaintDevice
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from app.domain.plan_wording import read_plan
from app.domain.practice import PracticeSettings
from app.domain.protocol import load_protocol
from app.domain.records import Clearance, Client, Consent, FlagEntry, Intake, Session, Soap
from app.errors import BackmapError
from app.storage.sqlite_store import SqliteStore
from app.ui.plan_view.controller import CHANGED_ELSEWHERE, NO_SESSION, PlanController, PlanScreen
from app.ui.settings import PageSizeName
from tests.ui.plan_samples import PRACTICE, proceed_plan, version_1_plan

DAY = dt.date(2026, 11, 20)
WRITTEN_ON = dt.date(2026, 11, 23)
CLEARANCE = Clearance("Dr N. Example", dt.date(2026, 11, 19), "light pressure only", dt.date(2027, 5, 19))
SOAP_WORDS = "mentions trouble sleeping since the divorce"


class FakeView:
    """Records what the controller showed and asked; answers with `save_path` and `printer` (None: cancel)."""

    def __init__(self) -> None:
        self.screen: PlanScreen | None = None
        self.message = ""
        self.given_shown = False
        self.warnings: list[str] = []
        self.asked: list[str] = []
        self.save_path: Path | None = None
        self.printer: QPagedPaintDevice | None = None
        self.map_unreadable = False

    def show_screen(self, screen: PlanScreen) -> None:
        if self.map_unreadable:
            raise BackmapError("cannot read the back map back_regions.svg")
        self.screen, self.message = screen, ""

    def show_message(self, text: str) -> None:
        self.screen, self.message = None, text

    def show_given(self) -> None:
        self.given_shown = True

    def show_warning(self, message: str) -> None:
        self.warnings.append(message)

    def ask_save_path(self, title: str, suggested_name: str) -> Path | None:
        self.asked.append(title)
        return self.save_path

    def ask_printer(self, title: str, page_size: PageSizeName) -> QPagedPaintDevice | None:
        self.asked.append(f"print {title} on {page_size}")
        return self.printer


class Settings:
    def practice(self) -> PracticeSettings:
        return PRACTICE

    def page_size(self) -> PageSizeName:
        return "A4"


@pytest.fixture
def view() -> FakeView:
    return FakeView()


@pytest.fixture
def written() -> list[Session]:
    return []


@pytest.fixture
def controller(qapp: QApplication, repository: SqliteStore, view: FakeView, written: list[Session]) -> PlanController:
    return PlanController(
        repository, view, load_protocol(), Settings(), today=lambda: WRITTEN_ON, written=written.append
    )


def _client_with(repository: SqliteStore, intake: Intake) -> tuple[Client, Session]:
    client = repository.create_client("Ana Example", born=dt.date(1980, 4, 2), consent=Consent(DAY, "1"))
    repository.save_intake(client.id, intake)
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    session = repository.start_session(client.id, start=start)
    repository.set_mark(session.id, "trapezius_upper_l", "therapist", 7)
    return client, repository.set_soap(session.id, Soap(subjective=SOAP_WORDS))


def _screen(view: FakeView) -> PlanScreen:
    assert view.screen is not None, view.message
    return view.screen


def _pdf_words(path: Path) -> str:
    raw = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def test_without_a_session_plan_mode_says_how_to_get_one(controller: PlanController, view: FakeView) -> None:
    controller.show_for(None, None)
    assert view.message == NO_SESSION
    controller.mark_given()
    controller.save_pdf()
    assert view.asked == []


def test_an_open_sessions_plan_is_built_from_its_marks_and_given_once_the_therapist_says(
    controller: PlanController, view: FakeView, repository: SqliteStore, written: list[Session]
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    controller.show_for(client, session)
    screen = _screen(view)
    assert any("left shoulder" in step.where for step in screen.handout.plan.steps)
    assert (screen.given, screen.final, screen.held) == (False, False, False)
    assert not screen.offer_clearance
    assert not screen.letter_needed
    assert repository.get_session(session.id).plan is None  # showing gives nothing

    controller.mark_given()
    shown = controller.shown
    assert shown is not None
    assert repository.get_session(session.id).plan == shown.plan.to_json()
    assert view.given_shown
    assert written == [repository.get_session(session.id)]  # the consult adopts the version written here


def test_a_held_session_shows_its_plan_to_be_continued_first(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    controller.show_for(client, session, held=True)
    assert _screen(view).held


def test_a_finalised_sessions_plan_is_shown_as_it_was_given_never_rebuilt_from_its_marks(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    repository.save_plan(session.id, proceed_plan())  # given earlier: not what the marks would build today
    finalised = repository.finalise(session.id)
    controller.show_for(client, finalised)
    screen = _screen(view)
    assert screen.handout.plan == read_plan(proceed_plan())
    assert (screen.given, screen.final) == (True, True)
    assert not screen.offer_clearance
    assert repository.get_session(session.id).plan == proceed_plan()


def test_a_plan_stored_before_plan_version_2_still_shows(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    repository.save_plan(session.id, version_1_plan())  # as a client file from an older Backmap holds it
    controller.show_for(client, repository.get_session(session.id))
    assert _screen(view).handout.plan == read_plan(version_1_plan())


def test_a_session_changed_elsewhere_is_not_given_with_its_old_plan(
    controller: PlanController, view: FakeView, repository: SqliteStore, written: list[Session]
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    controller.show_for(client, session)
    repository.set_mark(session.id, "paraspinal_lumbar_r", "therapist", 8)  # another window, meanwhile
    controller.mark_given()
    assert view.warnings == [CHANGED_ELSEWHERE]
    assert repository.get_session(session.id).plan is None
    assert any("lower back" in step.where for step in _screen(view).handout.plan.steps)  # the latest marks
    assert written == [repository.get_session(session.id)]
    controller.mark_given()  # checked again, and given
    shown = controller.shown
    assert shown is not None
    assert repository.get_session(session.id).plan == shown.plan.to_json()


def test_the_pdf_is_saved_where_the_user_says_and_a_cancel_writes_nothing(
    controller: PlanController, view: FakeView, repository: SqliteStore, tmp_path: Path
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    controller.show_for(client, session)
    controller.save_pdf()  # the user cancels the file dialog
    assert view.asked == ["Save the plan as PDF"]
    assert list(tmp_path.glob("*.pdf")) == []
    view.save_path = tmp_path / "plan.pdf"
    controller.save_pdf()
    assert "Your massage plan" in _pdf_words(view.save_path)
    assert SOAP_WORDS not in _pdf_words(view.save_path)
    assert view.save_path.stat().st_mode & 0o777 == 0o600
    assert view.warnings == []


def test_printing_asks_for_a_printer_and_a_cancel_prints_nothing(
    controller: PlanController, view: FakeView, repository: SqliteStore, tmp_path: Path
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    controller.show_for(client, session)
    controller.print_plan()  # the user cancels the print dialog
    assert view.asked == ["print Your massage plan on A4"]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    printer.setFullPage(True)
    view.printer = printer
    controller.print_plan()
    assert "Your massage plan" in _pdf_words(printed)
    assert view.warnings == []


def test_a_missing_clearance_offers_it_and_the_letter_which_is_saved_where_the_user_says(
    controller: PlanController, view: FakeView, repository: SqliteStore, tmp_path: Path
) -> None:
    client, session = _client_with(repository, Intake(DAY, (FlagEntry("blood_thinners"),)))
    controller.show_for(client, session)
    screen = _screen(view)
    assert screen.offer_clearance
    assert screen.letter_needed
    controller.save_letter()  # cancelled
    assert view.asked == ["Save the letter for the doctor"]
    assert list(tmp_path.glob("*.pdf")) == []
    view.save_path = tmp_path / "letter for the doctor.pdf"
    controller.save_letter()
    text = _pdf_words(view.save_path)
    assert "Quiet Hands Massage" in text
    assert "23 November 2026" in text  # written today; the session was on the 20th
    assert "Is light back massage appropriate for this patient?" in text
    assert SOAP_WORDS not in text


def test_a_clearance_on_record_needs_no_letter_and_asks_nothing(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY, (FlagEntry("blood_thinners"),), clearance=CLEARANCE))
    controller.show_for(client, session)
    screen = _screen(view)
    assert not screen.offer_clearance
    assert not screen.letter_needed
    controller.save_letter()
    assert view.asked == []


def test_a_postponed_plan_needs_the_letter(controller: PlanController, view: FakeView, repository: SqliteStore) -> None:
    client, session = _client_with(repository, Intake(DAY, (FlagEntry("dvt_current"),), clearance=CLEARANCE))
    controller.show_for(client, session)
    screen = _screen(view)
    assert screen.handout.plan.outcome == "postpone"
    assert screen.letter_needed
    assert not screen.offer_clearance  # nothing to clear: no massage today


def test_a_stored_plan_that_cannot_be_read_is_a_message_not_a_crash(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    broken = proceed_plan()
    del broken["steps"][0]["why"]
    repository.save_plan(session.id, broken)
    controller.show_for(client, repository.get_session(session.id))
    assert view.message.startswith("The plan cannot be shown:")
    assert "steps[0].why" in view.message  # the one reader names the field


def test_a_map_that_cannot_be_drawn_is_a_message_and_nothing_to_print(
    controller: PlanController, view: FakeView, repository: SqliteStore
) -> None:
    client, session = _client_with(repository, Intake(DAY))
    view.map_unreadable = True
    controller.show_for(client, session)
    assert view.message == "The plan cannot be shown: cannot read the back map back_regions.svg"
    controller.print_plan()
    controller.save_pdf()
    assert view.asked == []
