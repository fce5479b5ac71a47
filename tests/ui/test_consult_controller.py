"""The consult's logic with a fake view and the real repository: write first, push the undo after, stay true to
the disk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoGroup
from pytestqt.qtbot import QtBot

from app.domain.brush import COVERAGE_THRESHOLD
from app.domain.protocol import load_protocol
from app.domain.records import Consent, FlagEntry, Intake, Layer, PressureOverride, Quality, Session, Stroke
from app.domain.safety import screen
from app.storage.errors import StorageError
from app.storage.sqlite_store import SqliteStore
from app.ui.consult import undo_commands
from app.ui.consult.controller import NOTHING_SELECTED, ConsultController, RegionSelection
from app.ui.consult.guidance import guidance_html

TODAY = dt.date(2026, 11, 20)


class FakeView:
    """Records the last thing the controller told it to show, and every error."""

    def __init__(self) -> None:
        self.active: dict[str, int] = {}
        self.other: dict[str, int] = {}
        self.layer: Layer | None = None
        self.selection = NOTHING_SELECTED
        self.session: Session | None = None
        self.editable = False
        self.strokes: list[Stroke] = []
        self.errors: list[str] = []
        self.brush_results: list[dict[str, int]] = []
        self.questions: list[str] = []
        self.answer = True
        self.shown: list[str] = []  # which parts were shown, in order

    def show_marks(self, active: Mapping[str, int], other: Mapping[str, int], layer: Layer) -> None:
        self.shown.append("marks")
        self.active, self.other, self.layer = dict(active), dict(other), layer

    def show_selection(self, selection: RegionSelection) -> None:
        self.shown.append("selection")
        self.selection = selection

    def show_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None:
        self.shown.append("qualities")
        self.active_qualities, self.other_qualities = dict(active), dict(other)

    def show_session(self, session: Session | None, editable: bool) -> None:
        self.shown.append("session")
        self.session = session
        self.editable = editable

    def show_brush_result(self, marked: Mapping[str, int]) -> None:
        self.brush_results.append(dict(marked))

    def show_strokes(self, strokes: Sequence[Stroke]) -> None:
        self.shown.append("strokes")
        self.strokes = list(strokes)

    def show_error(self, message: str) -> None:
        self.errors.append(message)

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer


# A stroke's coverage, as the region map would give it: one region over the 20 % line, one under, the spine
# (never marked by a brush), and one already tenser than the stroke.
STROKE_COVERAGE = {
    "lower_back_l": 0.45,
    "lower_back_r": COVERAGE_THRESHOLD - 0.01,
    "spine": 0.6,
    "paraspinal_lumbar_l": 0.3,
}


@pytest.fixture
def session(repository: SqliteStore) -> Session:
    client = repository.create_client("Ana Example", consent=Consent(TODAY, "1"))
    repository.save_intake(client.id, Intake(TODAY, (FlagEntry("blood_thinners"),)))
    return repository.start_session(client.id)


@pytest.fixture
def view() -> FakeView:
    return FakeView()


@pytest.fixture
def controller(qtbot: QtBot, repository: SqliteStore, view: FakeView, session: Session) -> ConsultController:
    protocol = load_protocol()
    client = repository.client_of_session(session.id)
    screening = screen(repository.latest_intake(client.id), protocol, on=TODAY)
    made = ConsultController(
        repository,
        view,
        QUndoGroup(),
        lambda _points, _width: dict(STROKE_COVERAGE),
        lambda region, override: guidance_html(region, screening, protocol, override),
    )
    made.open_session(client.id, session)
    return made


def on_disk(repository: SqliteStore, session: Session, layer: Layer = "therapist") -> dict[str, int]:
    return {region: mark.tension for region, mark in repository.get_session(session.id).layer(layer).items()}


def assert_view_true_to_disk(view: FakeView, repository: SqliteStore, session: Session) -> None:
    stored = repository.get_session(session.id)
    assert view.active == on_disk(repository, session, "therapist")
    assert view.other == on_disk(repository, session, "client")
    assert view.strokes == list(stored.strokes)
    assert view.session == stored


def full_disk(*_args: object, **_kwargs: object) -> Session:
    """Stands in for a repository write when the disk is full."""
    raise StorageError("the disk is full")


def undo_count(controller: ConsultController) -> int:
    stack = controller.undo_stack()
    assert stack is not None
    return stack.count()


def test_selecting_a_region_shows_its_name_tension_and_this_clients_guidance(
    controller: ConsultController, view: FakeView
) -> None:
    controller.select_region("trapezius_upper_l")
    assert view.selection.region_id == "trapezius_upper_l"
    assert view.selection.name == "Upper trapezius, left — therapist's layer"
    assert view.selection.tension is None  # not assessed, not 0
    assert view.selection.editable is True
    guidance = str(view.selection.guidance_html)
    assert "at most 2" in guidance  # blood thinners cap the pressure at 2
    assert "Changed for this client" in guidance


def test_the_guidance_follows_the_sessions_pressure_override_as_the_plan_does(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    client = repository.client_of_session(session.id)
    lighter = repository.set_override(session.id, PressureOverride(1, "the client asked for very light work"))
    controller.open_session(client.id, lighter)
    controller.select_region("trapezius_upper_l")
    guidance = str(view.selection.guidance_html)
    assert "at most 1" in guidance
    assert "override" in guidance


def test_set_tension_writes_first_then_pushes_one_undo_step(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("rhomboid_r")
    controller.set_tension(6)
    assert on_disk(repository, session) == {"rhomboid_r": 6}
    assert undo_count(controller) == 1
    assert view.selection.tension == 6
    assert_view_true_to_disk(view, repository, session)
    controller.set_tension(6)  # the same value again is no edit
    assert undo_count(controller) == 1


def test_a_slider_drag_within_the_merge_window_is_one_undo_step(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("scapula_l")
    for value in (1, 2, 3, 4, 5):
        controller.set_tension(value, dragging=True)
    assert on_disk(repository, session) == {"scapula_l": 5}
    assert undo_count(controller) == 1
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert on_disk(repository, session) == {}  # the whole drag is undone, back to not assessed
    assert view.selection.tension is None
    stack.redo()
    assert on_disk(repository, session) == {"scapula_l": 5}
    assert_view_true_to_disk(view, repository, session)


def test_drags_further_apart_than_the_merge_window_stay_separate(
    controller: ConsultController, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window already over for every later step: as if the therapist let go and came back much later.
    monkeypatch.setattr(undo_commands, "MERGE_WINDOW_S", -1.0)
    controller.select_region("scapula_l")
    controller.set_tension(3, dragging=True)
    controller.set_tension(4, dragging=True)
    assert undo_count(controller) == 2


def test_undo_and_redo_write_through_the_store_and_the_view_shows_the_disk(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("neck_l")
    controller.set_tension(4)
    controller.set_tension(8)
    controller.choose_layer("client")
    controller.set_tension(2)
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert on_disk(repository, session, "client") == {}
    assert on_disk(repository, session, "therapist") == {"neck_l": 8}
    assert_view_true_to_disk_in_layer(view, repository, session, "client")
    stack.undo()
    assert on_disk(repository, session, "therapist") == {"neck_l": 4}
    assert view.other == {"neck_l": 4}  # editing the client's layer: the therapist's shows in brackets
    stack.redo()
    stack.redo()
    assert on_disk(repository, session, "client") == {"neck_l": 2}
    assert_view_true_to_disk_in_layer(view, repository, session, "client")


def assert_view_true_to_disk_in_layer(view: FakeView, repository: SqliteStore, session: Session, layer: Layer) -> None:
    other: Layer = "therapist" if layer == "client" else "client"
    assert view.layer == layer
    assert view.active == on_disk(repository, session, layer)
    assert view.other == on_disk(repository, session, other)


def test_a_failed_write_shows_an_error_pushes_nothing_and_the_view_stays_true_to_the_disk(
    controller: ConsultController,
    view: FakeView,
    repository: SqliteStore,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller.select_region("latissimus_l")
    controller.set_tension(3)

    monkeypatch.setattr(repository, "write_marks", full_disk)
    controller.set_tension(9)
    assert view.errors == ["That change was not saved: the disk is full"]
    assert undo_count(controller) == 1
    assert on_disk(repository, session) == {"latissimus_l": 3}
    assert view.selection.tension == 3
    assert_view_true_to_disk(view, repository, session)


def test_a_failed_undo_is_reported_and_the_view_shows_what_is_on_disk(
    controller: ConsultController,
    view: FakeView,
    repository: SqliteStore,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller.select_region("latissimus_l")
    controller.set_tension(3)
    controller.set_tension(5)

    monkeypatch.setattr(repository, "write_marks", full_disk)
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert view.errors == ["That change was not saved: the disk is full"]
    assert on_disk(repository, session) == {"latissimus_l": 5}
    assert view.selection.tension == 5
    assert_view_true_to_disk(view, repository, session)


def test_a_session_finalised_behind_the_screens_back_refuses_the_write_and_shows_it_locked(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("rhomboid_l")
    repository.finalise(session.id)  # e.g. from another window
    controller.set_tension(5)
    assert len(view.errors) == 1
    assert view.errors[0].startswith("That change was not saved:")
    assert undo_count(controller) == 0
    assert on_disk(repository, session) == {}
    assert view.session is not None
    assert view.session.is_final
    assert view.selection.editable is False


def test_a_finalised_session_refuses_every_edit_without_writing(
    qtbot: QtBot, repository: SqliteStore, session: Session, view: FakeView
) -> None:
    controller = ConsultController(
        repository, view, QUndoGroup(), lambda _p, _w: dict(STROKE_COVERAGE), lambda r, _o: r
    )
    final = repository.finalise(session.id)
    controller.open_session(repository.client_of_session(session.id).id, final)
    controller.select_region("rhomboid_l")
    assert view.selection.editable is False
    controller.set_tension(5)
    controller.set_region_note("a note")
    controller.add_stroke([(100.0, 400.0), (200.0, 400.0)], 18.0, 6)
    controller.set_field("soap.subjective", "typed")
    assert controller.finalise() is False
    assert repository.get_session(session.id) == final
    assert undo_count(controller) == 0
    assert view.errors == []


def test_finalising_clears_the_undo_history(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("rhomboid_l")
    controller.set_tension(5)
    assert controller.finalise() is True
    assert undo_count(controller) == 0
    assert repository.get_session(session.id).is_final
    assert view.selection.editable is False


def test_a_brush_stroke_applies_the_20_percent_rule_and_undo_removes_it_and_restores_the_marks(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("paraspinal_lumbar_l")
    controller.set_tension(9)
    controller.set_region_note("tight after gardening")
    points = [(150.0, 520.0), (250.0, 520.5)]
    controller.add_stroke(points, 18.0, 6)
    stored = repository.get_session(session.id)
    # Covered 45 %: set. 19 %: under the line. Spine: never by a brush. Lumbar paraspinal: already tenser.
    assert on_disk(repository, session) == {"lower_back_l": 6, "paraspinal_lumbar_l": 9}
    assert stored.layer("therapist")["paraspinal_lumbar_l"].note == "tight after gardening"
    assert stored.strokes == (Stroke("therapist", 6, 18.0, ((150.0, 520.0), (250.0, 520.5))),)
    assert undo_count(controller) == 3
    assert view.brush_results == [{"lower_back_l": 6}]  # the view is told what the stroke marked
    assert_view_true_to_disk(view, repository, session)

    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert on_disk(repository, session) == {"paraspinal_lumbar_l": 9}
    assert repository.get_session(session.id).strokes == ()
    assert_view_true_to_disk(view, repository, session)
    stack.redo()
    assert on_disk(repository, session) == {"lower_back_l": 6, "paraspinal_lumbar_l": 9}
    assert len(repository.get_session(session.id).strokes) == 1


def test_a_stroke_over_a_marked_region_keeps_its_note_and_undo_puts_the_old_tension_back(
    controller: ConsultController, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("lower_back_l")
    controller.set_tension(2)
    controller.set_region_note("sore when bending")
    controller.add_stroke([(150.0, 520.0)], 18.0, 6)
    assert repository.get_session(session.id).layer("therapist")["lower_back_l"].tension == 6
    assert repository.get_session(session.id).layer("therapist")["lower_back_l"].note == "sore when bending"
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    mark = repository.get_session(session.id).layer("therapist")["lower_back_l"]
    assert (mark.tension, mark.note) == (2, "sore when bending")


def test_a_note_on_an_unassessed_region_asks_for_a_tension_first(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("suboccipital_r")
    controller.set_region_note("headache at the base of the skull")
    assert view.errors == ["Give this region a tension first (0-10), then add a note to it."]
    assert repository.get_session(session.id).marks == ()
    assert undo_count(controller) == 0
    assert view.selection.note == ""  # the typed note is not shown as if it were saved


def test_notes_typed_in_bursts_merge_and_undo_restores_the_earlier_note(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("suboccipital_r")
    controller.set_tension(4)
    controller.set_region_note("head")
    controller.set_region_note("headache")
    assert undo_count(controller) == 2
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    mark = repository.get_session(session.id).layer("therapist")["suboccipital_r"]
    assert (mark.tension, mark.note) == (4, "")
    assert view.selection.note == ""


def test_session_fields_write_through_and_one_soap_fields_undo_keeps_another(
    controller: ConsultController, repository: SqliteStore, session: Session
) -> None:
    controller.set_field("soap.subjective", "neck stiff since Monday")
    controller.set_field("soap.plan", "see again in two weeks")
    controller.set_field("minutes", 45)
    stored = repository.get_session(session.id)
    assert (stored.soap.subjective, stored.soap.plan, stored.minutes) == (
        "neck stiff since Monday",
        "see again in two weeks",
        45,
    )
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    stack.undo()
    stored = repository.get_session(session.id)
    assert (stored.soap.subjective, stored.soap.plan, stored.minutes) == ("neck stiff since Monday", "", 60)


def test_a_field_edit_its_undo_and_redo_show_in_the_session_panel_alone(
    controller: ConsultController, repository: SqliteStore, view: FakeView, session: Session
) -> None:
    # A note saved while typing leaves the map, the list and the region panel as they were.
    controller.select_region("neck_l")
    controller.set_tension(6)
    view.shown.clear()
    controller.set_field("soap.subjective", "neck stiff since Monday")
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert view.session == repository.get_session(session.id)
    stack.redo()
    assert view.shown == ["session", "session", "session"]
    assert_view_true_to_disk(view, repository, session)


def test_each_client_keeps_its_own_undo_history(
    controller: ConsultController, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("neck_r")
    controller.set_tension(3)
    first_client = repository.client_of_session(session.id).id
    other = repository.create_client("Ben Other", consent=Consent(TODAY, "1"))
    controller.open_session(other.id, repository.start_session(other.id))
    assert undo_count(controller) == 0
    controller.open_session(first_client, repository.get_session(session.id))
    assert undo_count(controller) == 1


def test_an_undo_based_on_an_old_version_is_refused_and_the_view_reloads(
    qtbot: QtBot,
    controller: ConsultController,
    view: FakeView,
    repository: SqliteStore,
    session: Session,
    data_dir: Path,
) -> None:
    controller.select_region("rhomboid_l")
    controller.set_tension(5)
    with SqliteStore.open(data_dir) as elsewhere:  # another window
        elsewhere.get_session(session.id)
        elsewhere.set_mark(session.id, "neck_l", "therapist", 7)
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert "changed elsewhere" in view.errors[-1]
    assert "— reloaded" in view.errors[-1]
    assert on_disk(repository, session) == {"rhomboid_l": 5, "neck_l": 7}
    assert_view_true_to_disk(view, repository, session)
    qtbot.waitUntil(lambda: undo_count(controller) == 0)  # its steps were based on a session that is no more


def test_an_undo_after_a_reload_never_takes_back_what_another_window_wrote(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session, data_dir: Path
) -> None:
    controller.select_region("rhomboid_l")
    controller.set_tension(5)
    with SqliteStore.open(data_dir) as elsewhere:
        elsewhere.get_session(session.id)
        elsewhere.set_mark(session.id, "rhomboid_l", "therapist", 8)
    client = repository.client_of_session(session.id)
    controller.open_session(client.id, repository.get_session(session.id))  # e.g. the client chosen again
    assert undo_count(controller) == 0
    assert on_disk(repository, session) == {"rhomboid_l": 8}
    assert view.active == {"rhomboid_l": 8}


def test_an_open_session_of_an_earlier_day_is_shown_but_not_edited_until_continued(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    client = repository.client_of_session(session.id)
    last_week = repository.start_session(client.id, start=session.start - dt.timedelta(days=7))
    controller.open_session(client.id, last_week)
    assert view.session == last_week
    assert not view.editable
    assert controller.held
    controller.select_region("neck_l")
    controller.set_tension(6)
    assert on_disk(repository, last_week) == {}  # today's mark did not land in last week's session
    assert not view.selection.editable

    controller.continue_session()
    assert view.editable
    controller.set_tension(6)
    assert on_disk(repository, last_week) == {"neck_l": 6}
    controller.open_session(client.id, repository.get_session(last_week.id))  # read again: still continued
    assert view.editable


def test_discarding_the_open_session_erases_it_and_its_undo(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("neck_l")
    controller.set_tension(3)
    assert undo_count(controller) == 1
    assert controller.discard_session()
    assert view.session is None
    assert undo_count(controller) == 0
    with pytest.raises(StorageError, match="no session"):
        repository.get_session(session.id)


def test_a_session_longer_than_two_hours_asks_first_and_a_no_keeps_the_length(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    view.answer = False
    controller.set_field("minutes", 150)
    assert len(view.questions) == 1
    assert "150 minutes" in view.questions[0]
    assert repository.get_session(session.id).minutes == session.minutes
    assert view.session is not None
    assert view.session.minutes == session.minutes  # the screen shows what is stored
    view.answer = True
    controller.set_field("minutes", 150)
    assert repository.get_session(session.id).minutes == 150
    controller.set_field("minutes", 165)  # already long: no second question
    assert len(view.questions) == 2


def qualities_on_disk(repository: SqliteStore, session: Session, layer: Layer = "therapist") -> dict[str, Quality]:
    marks = repository.get_session(session.id).layer(layer).items()
    return {region: mark.quality for region, mark in marks if mark.quality is not None}


def test_a_quality_is_written_first_then_undone_like_a_tension_and_survives_tension_and_note_edits(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("rhomboid_l")
    controller.set_tension(6)
    controller.set_quality("burning")
    assert qualities_on_disk(repository, session) == {"rhomboid_l": "burning"}
    assert view.active_qualities == {"rhomboid_l": "burning"}
    assert view.selection.quality == "burning"
    assert undo_count(controller) == 2
    controller.set_tension(8)
    controller.set_region_note("worse after typing")
    assert qualities_on_disk(repository, session) == {"rhomboid_l": "burning"}  # a new number keeps the feeling
    controller.choose_layer("client")
    assert view.other_qualities == {"rhomboid_l": "burning"}
    assert view.active_qualities == {}
    controller.choose_layer("therapist")
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()  # the note
    stack.undo()  # the tension 8
    stack.undo()  # the quality
    assert qualities_on_disk(repository, session) == {}
    assert on_disk(repository, session) == {"rhomboid_l": 6}
    stack.redo()
    assert qualities_on_disk(repository, session) == {"rhomboid_l": "burning"}
    controller.set_quality(None)
    assert qualities_on_disk(repository, session) == {}
    assert view.active_qualities == {}


def test_a_quality_on_an_unassessed_region_asks_for_a_tension_first(
    controller: ConsultController, view: FakeView, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("neck_r")
    controller.set_quality("numbness")
    assert view.errors == ["Give this region a tension first (0-10), then say what it feels like."]
    assert on_disk(repository, session) == {}
    assert undo_count(controller) == 0


def test_a_failed_quality_write_pushes_nothing(
    controller: ConsultController,
    view: FakeView,
    repository: SqliteStore,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller.select_region("neck_r")
    controller.set_tension(4)
    monkeypatch.setattr(repository, "write_marks", full_disk)
    controller.set_quality("numbness")
    assert view.errors == ["That change was not saved: the disk is full"]
    assert undo_count(controller) == 1
    assert qualities_on_disk(repository, session) == {}
    assert view.active_qualities == {}


def test_a_brush_stroke_over_a_region_keeps_what_it_feels_like(
    controller: ConsultController, repository: SqliteStore, session: Session
) -> None:
    controller.select_region("lower_back_l")
    controller.set_tension(2)
    controller.set_quality("pins_and_needles")
    controller.add_stroke([(1.0, 1.0), (2.0, 2.0)], 30.0, 7)
    assert on_disk(repository, session)["lower_back_l"] == 7
    assert qualities_on_disk(repository, session) == {"lower_back_l": "pins_and_needles"}
    stack = controller.undo_stack()
    assert stack is not None
    stack.undo()
    assert on_disk(repository, session) == {"lower_back_l": 2}
    assert qualities_on_disk(repository, session) == {"lower_back_l": "pins_and_needles"}
