"""The region panel driven like a user, wired to the real controller and repository: "not assessed" is not 0,
and the slider can set 0 on a region that has no rating yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QLabel, QPushButton, QSlider, QStyle, QStyleOptionSlider
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, Layer, Quality, Session, Stroke
from app.storage.sqlite_store import SqliteStore
from app.ui.consult.controller import ConsultController, RegionSelection
from app.ui.consult.region_panel import RegionPanel

TODAY = dt.date(2026, 11, 20)
REGION = "rhomboid_l"


class PanelOnly:
    """The consult view reduced to the region panel: the map and the session fields are not under test here."""

    def __init__(self, panel: RegionPanel) -> None:
        self.panel = panel

    def show_selection(self, selection: RegionSelection) -> None:
        self.panel.show_region(selection)

    def show_marks(self, active: Mapping[str, int], other: Mapping[str, int], layer: Layer) -> None:
        pass

    def show_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None:
        pass

    def show_session(self, session: Session | None, editable: bool) -> None:
        pass

    def show_brush_result(self, marked: Mapping[str, int]) -> None:
        pass

    def show_strokes(self, strokes: Sequence[Stroke]) -> None:
        pass

    def show_error(self, message: str) -> None:
        raise AssertionError(message)

    def confirm(self, question: str) -> bool:
        raise AssertionError(question)


@pytest.fixture
def session(repository: SqliteStore) -> Session:
    client = repository.create_client("Ana Example", consent=Consent(TODAY, "1"))
    return repository.start_session(client.id)


@pytest.fixture
def consult(qtbot: QtBot, repository: SqliteStore, session: Session) -> tuple[RegionPanel, ConsultController]:
    panel = RegionPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 360)
    panel.show()
    qtbot.waitExposed(panel)
    controller = ConsultController(repository, PanelOnly(panel), QUndoGroup(), lambda _p, _w: {}, lambda _r, _o: "")
    panel.tensionChanged.connect(controller.set_tension)
    panel.tensionCleared.connect(lambda: controller.set_tension(None))
    controller.open_session(repository.client_of_session(session.id).id, session)
    controller.select_region(REGION)
    return panel, controller


def stored(repository: SqliteStore, session: Session) -> int | None:
    mark = repository.get_session(session.id).layer("therapist").get(REGION)
    return mark.tension if mark else None


def slider_of(panel: RegionPanel) -> QSlider:
    slider = panel.findChild(QSlider)
    assert slider is not None
    return slider


def shown(panel: RegionPanel) -> str:
    label = panel.findChild(QLabel, "tensionShown")
    assert label is not None
    return label.text()


def handle_at(slider: QSlider, value: int) -> QPoint:
    """Where the handle's centre sits when the slider shows `value`."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, slider)
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider)
    span = groove.width() - handle.width()
    x = groove.x() + QStyle.sliderPositionFromValue(slider.minimum(), slider.maximum(), value, span)
    return QPoint(x + handle.width() // 2, handle.center().y())


def test_an_unrated_region_reads_not_assessed_and_a_click_on_the_resting_handle_sets_0(
    qtbot: QtBot, consult: tuple[RegionPanel, ConsultController], repository: SqliteStore, session: Session
) -> None:
    panel, controller = consult
    slider = slider_of(panel)
    assert shown(panel) == "not assessed"
    assert slider.value() == 0  # the handle rests at 0, and the panel says it is no rating
    assert "Not assessed yet" in slider.accessibleDescription()
    qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=handle_at(slider, 0))
    assert stored(repository, session) == 0
    assert shown(panel) == "0 of 10"
    assert slider.accessibleDescription() == ""

    stack = controller.undo_stack()
    assert stack is not None
    assert stack.count() == 1
    stack.undo()
    assert stored(repository, session) is None
    assert shown(panel) == "not assessed"


@pytest.mark.parametrize(("key", "expected"), [(Qt.Key.Key_Home, 0), (Qt.Key.Key_Left, 0), (Qt.Key.Key_Right, 1)])
def test_keys_on_the_slider_rate_an_unrated_region(
    qtbot: QtBot,
    consult: tuple[RegionPanel, ConsultController],
    repository: SqliteStore,
    session: Session,
    key: Qt.Key,
    expected: int,
) -> None:
    panel, _controller = consult
    slider = slider_of(panel)
    qtbot.keyClick(slider, key)
    assert stored(repository, session) == expected
    assert shown(panel) == f"{expected} of 10"


def test_not_assessed_then_home_sets_0_again(
    qtbot: QtBot, consult: tuple[RegionPanel, ConsultController], repository: SqliteStore, session: Session
) -> None:
    panel, _controller = consult
    slider = slider_of(panel)
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert stored(repository, session) == 10
    clear = next(b for b in panel.findChildren(QPushButton) if b.accessibleName() == "Mark as not assessed")
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert stored(repository, session) is None
    assert shown(panel) == "not assessed"
    assert not clear.isEnabled()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert stored(repository, session) == 0
    assert clear.isEnabled()


def test_a_drag_out_and_back_to_0_rates_0_in_one_undo_step(
    qtbot: QtBot, consult: tuple[RegionPanel, ConsultController], repository: SqliteStore, session: Session
) -> None:
    panel, controller = consult
    slider = slider_of(panel)
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=handle_at(slider, 0))
    for value in (1, 2, 3, 2, 1, 0):
        qtbot.mouseMove(slider, handle_at(slider, value))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=handle_at(slider, 0))
    assert stored(repository, session) == 0
    assert shown(panel) == "0 of 10"
    stack = controller.undo_stack()
    assert stack is not None
    assert stack.count() == 1
    stack.undo()
    assert stored(repository, session) is None  # the whole drag is undone, back to not assessed
