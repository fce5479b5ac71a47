"""The consult without a mouse, and what a screen reader is told: names and tooltips on every control."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, FlagEntry, Intake
from app.domain.regions import Direction, load_region_map
from app.resources import map_svg_path
from app.ui.body_map.view import arrow_target
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings, open_window

TODAY = dt.date(2026, 11, 20)
CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit)
MAX_TABS = 60


def window_with_open_session(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> MainWindow:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(TODAY, "1"))
    repo.save_intake(client.id, Intake(TODAY, (FlagEntry("blood_thinners"),)))
    repo.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    return window


def list_text(window: MainWindow, region_id: str) -> str:
    regions = window.workspace.consult.region_list
    for row in range(regions.count()):
        item = regions.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == region_id:
            return str(item.data(Qt.ItemDataRole.AccessibleTextRole))
    raise AssertionError(f"{region_id} is not in the region list")


def test_tab_reaches_the_map_arrows_select_and_a_number_sets_tension(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = window_with_open_session(qtbot, data_dir, tmp_path)
    view = window.workspace.consult.map_view
    region_map = load_region_map(map_svg_path())
    window.workspace.clients.search_box.setFocus()
    for _ in range(MAX_TABS):
        if view.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert view.hasFocus(), f"{MAX_TABS} presses of Tab never reached the map"

    assert view.selected_region() is None  # Tab passed through the region list: focus alone selects nothing
    qtbot.keyClick(view, Qt.Key.Key_Down)
    start = view.selected_region()
    assert start is not None  # the first arrow selects a region: the keys always act on the outlined one
    path = [start]
    moves: tuple[tuple[Qt.Key, Direction], ...] = (
        (Qt.Key.Key_Down, "down"),
        (Qt.Key.Key_Down, "down"),
        (Qt.Key.Key_Right, "right"),
    )
    for key, direction in moves:
        expected = arrow_target(path[-1], direction, region_map.neighbours(path[-1]))
        qtbot.keyClick(view, key)
        assert view.selected_region() == expected
        path.append(expected)
    target = path[-1]
    assert target != start
    name = region_map.info(target).name
    assert window.workspace.consult.region_list.currentItem().data(Qt.ItemDataRole.UserRole) == target
    assert list_text(window, target) == f"{name}: not assessed"

    qtbot.keyClick(view, Qt.Key.Key_6)
    assert list_text(window, target) == f"{name}: tension 6"
    session = window.workspace.controller.session
    assert session is not None
    assert session.layer("therapist")[target].tension == 6
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert list_text(window, target) == f"{name}: not assessed"

    # Ctrl+Z, then Ctrl+Shift+Z, on the map: the map's own undo and redo.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert list_text(window, target) == f"{name}: tension 6"
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert list_text(window, target) == f"{name}: not assessed"

    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()  # Tab leaves the map: arrows and numbers never trap the keyboard
    window.workspace.repository.close()


def test_the_region_list_is_a_keyboard_way_to_the_same_selection(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    window = window_with_open_session(qtbot, data_dir, tmp_path)
    regions = window.workspace.consult.region_list
    regions.setFocus()
    qtbot.keyClick(regions, Qt.Key.Key_Down)
    qtbot.keyClick(regions, Qt.Key.Key_Down)
    chosen = regions.currentItem().data(Qt.ItemDataRole.UserRole)
    assert window.workspace.consult.map_view.selected_region() == chosen
    assert window.workspace.controller.selected == chosen
    name = regions.currentItem().text().split(":")[0]

    # The map's keys work in the list too: digits, T for ten, Delete for "not assessed".
    qtbot.keyClick(regions, Qt.Key.Key_T)
    assert list_text(window, chosen) == f"{name}: tension 10"
    assert regions.currentItem().data(Qt.ItemDataRole.UserRole) == chosen  # T did not jump to "Thoracic…"
    qtbot.keyClick(regions, Qt.Key.Key_3)
    assert list_text(window, chosen) == f"{name}: tension 3"
    qtbot.keyClick(regions, Qt.Key.Key_Delete)
    assert list_text(window, chosen) == f"{name}: not assessed"
    window.workspace.repository.close()


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces (the accessible name, else e.g. a button's own text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name).strip()


def test_every_region_and_every_control_has_an_accessible_name_and_a_tooltip(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = window_with_open_session(qtbot, data_dir, tmp_path)
    page = window.workspace.consult
    regions = page.region_list
    assert regions.count() == 24
    for row in range(regions.count()):
        item = regions.item(row)
        assert item.data(Qt.ItemDataRole.AccessibleTextRole), item.text()
        assert item.toolTip(), item.text()
    controls = [
        widget
        for widget in page.findChildren(QWidget)
        if isinstance(widget, CONTROLS)
        and not isinstance(widget, QScrollBar)
        and not isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox))  # their inner line edits
    ]
    assert len(controls) > 15
    unnamed = [type(widget).__name__ for widget in controls if not accessible_name(widget)]
    untipped = [accessible_name(widget) or type(widget).__name__ for widget in controls if not widget.toolTip()]
    assert unnamed == []
    assert untipped == []
    assert accessible_name(page.map_view) == "Back map"
    assert "Arrow keys" in page.map_view.accessibleDescription()
    window.workspace.repository.close()
