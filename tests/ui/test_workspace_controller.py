"""The workspace's decisions with a fake view and the real records: which client is shown and what their
screening says, starting, finalising, discarding and amending sessions, making, editing and deleting clients,
and what is read again after each change. No QApplication: the controller shows and asks only through its view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.domain.flag_info import FlagInfo
from app.domain.privacy_notice import PrivacyNotice
from app.domain.protocol import load_protocol
from app.domain.records import Client, Consent, FlagEntry, Intake, Session, Soap
from app.errors import BackmapError
from app.storage.sqlite_store import SqliteStore
from app.ui.background import RecordsWork
from app.ui.consult.amend_dialog import AmendmentRequest
from app.ui.consult.controller import Guidance
from app.ui.consult.open_session_prompt import FinaliseChoice, OpenSessionChoice
from app.ui.settings import AppSettings
from app.ui.workspace.controller import WorkspaceController
from app.ui.workspace.view import ClientShown, Mode

TODAY = dt.date.today()  # sessions start now: the screening's day is today's
CONSENTED = Consent(TODAY, "1")
PROTOCOL = load_protocol()


class FakeView:
    """Stands in for the workspace widget: answers as the test says and logs what it was told to show."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store  # what a background job works on
        self.log: list[str] = []  # what was shown or read again, in order
        self.messages: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.shown: ClientShown | None = None
        self.mode: Mode = "Consult"
        self.read_only: str | None = None
        self.confirm_answer = True
        self.typed: str | None = None
        self.save_path: Path | None = None
        self.client_details: Client | None = None
        self.screening: Intake | None = None
        self.screening_asked_from: list[Intake | None] = []
        self.amendment: AmendmentRequest | None = None
        self.open_session_choice = OpenSessionChoice.CANCEL
        self.finalise_choice = FinaliseChoice.CANCEL

    def show_client(self, shown: ClientShown | None) -> None:
        self.shown = shown
        self.log.append(f"client {shown.client.name if shown else '(nobody)'}")

    def show_other_modes(self, client: Client | None, intake: Intake | None) -> None:
        self.log.append("other mode")

    def refresh_clients(self) -> None:
        self.log.append("client list")

    def select_client(self, client_id: str) -> None:
        self.selected = client_id

    def show_mode(self, mode: Mode) -> None:
        self.mode = mode

    def show_read_only(self, reason: str | None) -> None:
        self.read_only = reason

    def show_status(self, text: str, milliseconds: int) -> None:
        self.messages.append(("status", "", text))

    def flush_typing(self) -> None:
        pass  # nothing is typed in a fake view

    def show_info(self, title: str, text: str) -> None:
        self.messages.append(("info", title, text))

    def show_warning(self, title: str, text: str) -> None:
        self.messages.append(("warning", title, text))

    def show_warning_later(self, title: str, text: str) -> None:
        self.messages.append(("warning later", title, text))

    def show_damage(self, title: str, text: str) -> None:
        self.messages.append(("damage", title, text))

    def confirm(self, title: str, question: str) -> bool:
        self.messages.append(("question", title, question))
        return self.confirm_answer

    def ask_text(self, title: str, prompt: str) -> str | None:
        self.messages.append(("ask text", title, prompt))
        return self.typed

    def ask_save_path(self, title: str, suggested_name: str, file_filter: str) -> Path | None:
        return self.save_path

    def ask_client_details(self, notice: PrivacyNotice, client: Client | None, today: dt.date) -> Client | None:
        return self.client_details

    def ask_screening(self, flags: Sequence[FlagInfo], latest: Intake | None, day: dt.date) -> Intake | None:
        self.screening_asked_from.append(latest)
        return self.screening

    def ask_amendment(self, session: Session) -> AmendmentRequest | None:
        return self.amendment

    def ask_about_open_session(self, session: Session, today: dt.date) -> OpenSessionChoice:
        self.messages.append(("open session", "", session.id))
        return self.open_session_choice

    def ask_before_finalising_without_plan(self) -> FinaliseChoice:
        self.messages.append(("plan not given", "", ""))
        return self.finalise_choice

    def run_in_background(
        self,
        label: str,
        work: RecordsWork,
        done: Callable[[Any], object],
        failed: Callable[[BackmapError], object],
    ) -> None:
        try:
            result = work(self.store)
        except BackmapError as error:
            failed(error)
        else:
            done(result)

    def said(self, kind: str) -> list[str]:
        return [f"{title}: {text}" for shown_kind, title, text in self.messages if shown_kind == kind]

    def titles(self, kind: str) -> list[str]:
        return [title for shown_kind, title, _text in self.messages if shown_kind == kind]


class FakeConsult:
    """The consult as the workspace sees it: the session shown, finalised or discarded through the records."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.client_id = ""
        self.session: Session | None = None
        self.guidance: Guidance | None = None
        self.continued = False
        self.forgotten: list[str] = []

    def open_session(self, client_id: str, session: Session | None, guidance: Guidance | None = None) -> None:
        self.client_id, self.session = client_id, session
        if guidance is not None:
            self.guidance = guidance

    def continue_session(self) -> None:
        self.continued = True

    def finalise(self) -> bool:
        assert self.session is not None
        self.session = self.store.finalise(self.session.id)
        return True

    def discard_session(self) -> bool:
        assert self.session is not None
        self.store.discard_session(self.session.id)
        self.session = None
        return True

    def forget_client(self, client_id: str) -> None:
        self.forgotten.append(client_id)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def view(repository: SqliteStore) -> FakeView:
    return FakeView(repository)


@pytest.fixture
def consult(repository: SqliteStore) -> FakeConsult:
    return FakeConsult(repository)


@pytest.fixture
def workspace(
    repository: SqliteStore, settings: AppSettings, consult: FakeConsult, view: FakeView
) -> WorkspaceController:
    return WorkspaceController(repository, PROTOCOL, settings, consult, view, today=lambda: TODAY)


def screened_client(repository: SqliteStore, *flags: str, name: str = "Ana Example") -> Client:
    client = repository.create_client(name, consent=CONSENTED)
    repository.save_intake(client.id, Intake(TODAY, tuple(FlagEntry(flag) for flag in flags)))
    return client


def shown(view: FakeView) -> ClientShown:
    assert view.shown is not None
    return view.shown


# ---- opening a client ----------------------------------------------------------------------------------------


def test_opening_a_client_shows_their_screening_and_newest_session_and_remembers_them(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, consult: FakeConsult, settings: AppSettings
) -> None:
    client = screened_client(repository, "blood_thinners")
    older = repository.start_session(client.id, start=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC))
    repository.finalise(older.id)
    newest = repository.start_session(client.id)
    workspace.open_client(client.id)
    assert shown(view).client == client
    assert shown(view).screening.outcome == "modify"
    assert any("blood" in reason.lower() for reason in shown(view).reasons)
    assert shown(view).may_start
    assert consult.session == newest
    assert consult.guidance is not None
    assert "pressure" in consult.guidance("lower_back_l", None).lower()  # this client's guidance, not none
    assert view.selected == client.id
    assert settings.last_client_id() == client.id


def test_a_client_never_screened_or_screened_long_ago_is_asked_to_be_screened_first(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, settings: AppSettings
) -> None:
    never = repository.create_client("Ben Example", consent=CONSENTED)
    workspace.open_client(never.id)
    assert shown(view).reasons[0].startswith("No safety screening on record yet")
    long_ago = TODAY - dt.timedelta(days=settings.screening_recheck_days() + 1)
    repository.save_intake(never.id, Intake(long_ago))
    workspace.open_client(never.id)
    assert shown(view).reasons[0].startswith("Re-check the screening with the client")


def test_the_last_client_opens_again_at_start_unless_deleted_since_or_in_the_demo(
    repository: SqliteStore, settings: AppSettings, consult: FakeConsult, view: FakeView
) -> None:
    client = screened_client(repository)
    settings.set_last_client_id(client.id)
    WorkspaceController(repository, PROTOCOL, settings, consult, view, demo=True).open_last_client()
    assert view.shown is None
    WorkspaceController(repository, PROTOCOL, settings, consult, view).open_last_client()
    assert shown(view).client == client
    view.shown = None
    settings.set_last_client_id("deleted-meanwhile")
    WorkspaceController(repository, PROTOCOL, settings, consult, view).open_last_client()
    assert view.shown is None
    assert view.messages == []  # quietly: the therapist starts with nobody open


# ---- starting a session --------------------------------------------------------------------------------------


def test_without_consent_no_session_starts_and_no_screening_is_recorded(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    client = repository.create_client("Cleo Example")
    workspace.open_client(client.id)
    assert not shown(view).may_start
    workspace.start_session()
    assert repository.list_sessions(client.id) == []
    assert view.said("warning") == [
        "Backmap: Cleo Example has no recorded consent: record it before starting a session"
    ]
    workspace.edit_screening()
    assert view.screening_asked_from == []
    assert "record their consent first" in view.said("info")[0]


@pytest.mark.parametrize(
    ("flag", "title"), [("dvt_current", "Postpone and refer"), ("dvt_chest_symptoms", "Urgent: emergency care")]
)
def test_a_screening_that_says_no_massage_asks_before_a_session_starts(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, flag: str, title: str
) -> None:
    client = screened_client(repository, flag)
    workspace.open_client(client.id)
    view.confirm_answer = False
    workspace.start_session()
    assert view.titles("question") == [title]
    assert repository.list_sessions(client.id) == []
    view.confirm_answer = True
    workspace.start_session()
    assert len(repository.list_sessions(client.id)) == 1  # to record the consultation


def test_a_session_starts_in_the_consult_in_the_position_the_screening_allows(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, consult: FakeConsult
) -> None:
    client = screened_client(repository)
    workspace.open_client(client.id)
    view.show_mode("History")
    workspace.start_session()
    (started,) = repository.list_sessions(client.id)
    assert consult.session == started
    assert started.position == PROTOCOL.session.default_position
    assert view.mode == "Consult"
    assert view.messages == []


def test_an_open_session_is_continued_finalised_or_discarded_before_another_starts(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, consult: FakeConsult
) -> None:
    client = screened_client(repository)
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)  # the new session is the newest
    open_one = repository.start_session(client.id, start=an_hour_ago)
    repository.set_soap(open_one.id, Soap(subjective="stiff neck"))
    workspace.open_client(client.id)

    view.open_session_choice = OpenSessionChoice.CONTINUE
    workspace.start_session()
    assert consult.continued
    assert len(repository.list_sessions(client.id)) == 1

    view.open_session_choice = OpenSessionChoice.DISCARD
    view.confirm_answer = False  # "Erase the open session … for good?" — no
    workspace.start_session()
    assert [session.id for session in repository.list_sessions(client.id)] == [open_one.id]

    view.open_session_choice = OpenSessionChoice.FINALISE
    workspace.start_session()
    finalised, started = sorted(repository.list_sessions(client.id), key=lambda session: session.is_final)[::-1]
    assert finalised.id == open_one.id
    assert finalised.is_final
    assert consult.session == started
    assert not started.is_final


def test_an_empty_open_session_is_discarded_without_a_question(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    client = screened_client(repository)
    empty = repository.start_session(client.id)
    workspace.open_client(client.id)
    workspace.start_session()
    (started,) = repository.list_sessions(client.id)
    assert started.id != empty.id
    assert view.messages == []


# ---- finalising and amending ---------------------------------------------------------------------------------


def open_session_shown(repository: SqliteStore, workspace: WorkspaceController, *flags: str) -> tuple[Client, Session]:
    client = screened_client(repository, *flags)
    session = repository.start_session(client.id)
    workspace.open_client(client.id)
    return client, session


def test_finalising_before_the_plan_is_given_offers_the_plan_first(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    _client, session = open_session_shown(repository, workspace)
    view.finalise_choice = FinaliseChoice.SHOW_PLAN
    workspace.finalise_session()
    assert view.mode == "Plan"
    assert not repository.get_session(session.id).is_final
    view.finalise_choice = FinaliseChoice.FINALISE
    workspace.finalise_session()
    assert repository.get_session(session.id).is_final


def test_a_postponed_visit_has_no_plan_to_give_so_finalising_only_asks_to_lock_it(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    _client, session = open_session_shown(repository, workspace, "dvt_current")
    view.confirm_answer = False
    workspace.finalise_session()
    assert not repository.get_session(session.id).is_final
    view.confirm_answer = True
    workspace.finalise_session()
    assert repository.get_session(session.id).is_final
    assert view.titles("question") == ["Finalise session"] * 2
    assert view.said("plan not given") == []


def test_an_amendment_keeps_its_reason_and_the_client_is_shown_again(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, consult: FakeConsult
) -> None:
    client, session = open_session_shown(repository, workspace)
    repository.set_shared_note(session.id, "Stretch hourly")
    repository.finalise(session.id)
    workspace.open_client(client.id)
    workspace.amend_session()  # cancelled: nothing changes
    assert repository.get_session(session.id).amendments == ()
    view.amendment = AmendmentRequest("shared_note", "Stretch twice a day", "the client misheard")
    view.log.clear()
    workspace.amend_session()
    amended = repository.get_session(session.id)
    assert amended.shared_note == "Stretch twice a day"
    (amendment,) = amended.amendments
    assert amendment.reason == "the client misheard"
    assert consult.session == amended
    assert view.log == ["client Ana Example", "other mode"]


def test_an_amendment_without_a_reason_is_refused_and_said(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    client, session = open_session_shown(repository, workspace)
    repository.finalise(session.id)
    workspace.open_client(client.id)
    view.amendment = AmendmentRequest("shared_note", "Stretch twice a day", " ")
    workspace.amend_session()
    assert repository.get_session(session.id).amendments == ()
    assert view.said("warning") == ["Backmap: an amendment needs a reason"]


# ---- clients -------------------------------------------------------------------------------------------------


def test_a_new_client_with_consent_is_screened_next(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    view.client_details = Client(id="ignored", name="Dora Example", consent=CONSENTED)
    view.screening = Intake(TODAY, (FlagEntry("blood_thinners"),))
    workspace.new_client()
    (created,) = repository.list_clients()
    assert created.name == "Dora Example"
    assert view.screening_asked_from == [None]
    assert repository.latest_intake(created.id) is not None
    assert shown(view).screening.outcome == "modify"
    view.client_details = Client(id="ignored", name="Eli Example")
    workspace.new_client()
    assert view.screening_asked_from == [None]  # no consent: no health information asked for


def test_editing_a_client_saves_what_changed_and_shows_it(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    client = repository.create_client("Fay Exmple")
    workspace.open_client(client.id)
    view.client_details = Client(id=client.id, name="Fay Example", phone="555 0100", consent=CONSENTED)
    view.log.clear()
    workspace.edit_client()
    stored = repository.get_client(client.id)
    assert (stored.name, stored.phone, stored.consent) == ("Fay Example", "555 0100", CONSENTED)
    assert shown(view).client == stored
    assert shown(view).may_start
    assert view.log == ["client list", "client Fay Example", "other mode"]


def test_a_client_is_deleted_only_once_their_name_is_typed(
    repository: SqliteStore,
    workspace: WorkspaceController,
    view: FakeView,
    consult: FakeConsult,
    settings: AppSettings,
) -> None:
    client = screened_client(repository)
    workspace.open_client(client.id)
    workspace.delete_client()  # cancelled
    view.typed = "Ana"
    workspace.delete_client()  # not the name
    assert repository.list_clients() == [client]
    assert view.said("info") == ["Backmap: The name did not match: nothing was deleted."]
    view.typed = " Ana Example "
    workspace.delete_client()
    assert repository.list_clients() == []
    assert consult.forgotten == [client.id]
    assert view.shown is None
    assert workspace.client is None
    assert settings.last_client_id() == ""
    assert view.said("info")[-1].startswith("Client deleted: The client's records were erased.")
    assert "Backups that may still hold them:\nnone" in view.said("info")[-1]


# ---- a write based on what is no longer stored ---------------------------------------------------------------


@pytest.fixture
def other_window(data_dir: Path) -> Iterator[SqliteStore]:
    """A second Backmap on the same records."""
    with SqliteStore.open(data_dir) as second:
        yield second


def test_a_screening_changed_in_another_window_is_not_overwritten_the_user_is_told_and_sees_it(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, other_window: SqliteStore
) -> None:
    client = screened_client(repository)
    workspace.open_client(client.id)
    view.screening = Intake(TODAY, (FlagEntry("blood_thinners"),))

    def meanwhile(flags: Sequence[FlagInfo], latest: Intake | None, day: dt.date) -> Intake | None:
        # While the dialog is open, the other window records today's screening.
        other_window.save_intake(client.id, Intake(TODAY, (FlagEntry("dvt_current"),)))
        return view.screening

    view.ask_screening = meanwhile  # type: ignore[method-assign]
    view.log.clear()
    workspace.edit_screening()
    (warning,) = view.said("warning")
    assert "changed elsewhere" in warning
    stored = repository.latest_intake(client.id)
    assert stored is not None
    assert [entry.flag for entry in stored.flags] == ["dvt_current"]
    assert shown(view).screening.outcome == "postpone"  # what is stored now, shown
    assert view.log == ["client Ana Example", "other mode"]


# ---- the refresh rule ----------------------------------------------------------------------------------------


def test_what_is_read_again_after_each_change(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    client = screened_client(repository)

    def after(change: Callable[[], None]) -> list[str]:
        view.log.clear()
        change()
        return view.log

    assert after(lambda: workspace.open_client(client.id)) == ["client Ana Example", "other mode"]
    view.screening = Intake(TODAY, (FlagEntry("blood_thinners"),))
    assert after(workspace.edit_screening) == ["client Ana Example", "other mode"]
    assert after(workspace.start_session) == ["client Ana Example", "other mode"]
    view.finalise_choice = FinaliseChoice.FINALISE
    assert after(workspace.finalise_session) == ["other mode"]  # the consult shows what it wrote
    assert after(workspace.refresh_other_modes) == ["other mode"]  # the mode shown changed
    view.client_details = Client(id=client.id, name="Ana Examples", consent=CONSENTED)
    assert after(workspace.edit_client) == ["client list", "client Ana Examples", "other mode"]
    view.typed = "Ana Examples"
    assert after(workspace.delete_client) == ["client list", "client (nobody)"]
    view.client_details = Client(id="ignored", name="Gus Example")
    assert after(workspace.new_client) == ["client list", "client Gus Example", "other mode"]


def test_discarding_the_open_session_shows_the_client_again_with_a_word_in_the_status_bar(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, consult: FakeConsult
) -> None:
    client, session = open_session_shown(repository, workspace)
    repository.set_soap(session.id, Soap(subjective="stiff neck"))
    view.log.clear()
    workspace.discard_session()
    assert repository.list_sessions(client.id) == []
    assert view.said("question")[0].startswith("Discard session: Erase the open session of")
    assert view.said("status") == [": The open session was discarded."]
    assert view.log == ["client Ana Example", "other mode"]
    assert consult.session is None


# ---- clinic duties -------------------------------------------------------------------------------------------


def test_a_backup_is_written_and_said_unless_the_records_are_read_only(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    workspace.back_up()
    (said,) = view.said("info")
    made = Path(said.removeprefix("Backup: Backup written and checked:\n"))
    assert made.is_file()
    repository.local_folder.stop_writing(["page 3: damaged"])
    workspace.back_up()
    assert view.said("info") == [said]
    assert len(view.said("warning")) == 1


def test_a_client_is_exported_where_the_user_chose(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView, tmp_path: Path
) -> None:
    client = screened_client(repository)
    workspace.open_client(client.id)
    workspace.export_client()  # no file chosen: nothing written
    assert view.said("status") == []
    view.save_path = tmp_path / "ana.json"
    workspace.export_client()
    assert view.save_path.is_file()
    assert view.said("status") == [": Client exported."]


def test_damage_found_in_the_background_stops_every_write_and_says_what_to_do(
    repository: SqliteStore, workspace: WorkspaceController, view: FakeView
) -> None:
    workspace.records_checked([])
    assert view.said("status") == [": Records checked: no damage found."]
    assert view.read_only is None
    workspace.records_checked(["page 3: damaged"])
    assert view.read_only == repository.read_only_reason is not None
    (damage,) = view.said("damage")
    assert damage.startswith("The records are damaged: ")
