"""What the tension feels like, set in a consult as a therapist would: a key on the map, the region's menu (a
right-click), the panel's list; undone with Ctrl+Z; read back on the map, in the list and in the panel after the
app is closed and opened again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMenu, QWidget
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.domain.region_specs import SPECS_BY_ID
from app.domain.regions import load_region_map
from app.resources import map_svg_path
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import by_name, click_region, ini_settings, open_window, region_point

TODAY = dt.date(2026, 11, 20)
LOWER_BACK = SPECS_BY_ID["lower_back_l"].name
SHOULDER = SPECS_BY_ID["trapezius_upper_r"].name


def list_text(window: MainWindow, region_id: str) -> str:
    regions = window.workspace.consult.region_list
    for row in range(regions.count()):
        item = regions.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == region_id:
            return str(item.data(Qt.ItemDataRole.AccessibleTextRole))
    raise AssertionError(f"{region_id} is not in the region list")


def right_click(qtbot: QtBot, widget: QWidget, pos: QPoint) -> None:
    """The press and release, then the context-menu event the window system sends for them (offscreen does not)."""
    qtbot.mouseClick(widget, Qt.MouseButton.RightButton, pos=pos)
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)))


def choose_from_menu(qtbot: QtBot, menu: QMenu, words: str) -> None:
    """Clicks the menu entry that starts with `words`, as a user would once the menu is open."""
    qtbot.waitUntil(menu.isVisible)
    (action,) = [action for action in menu.actions() if action.text().split("\t")[0] == words]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def test_a_quality_set_by_key_and_by_menu_is_shown_undone_and_read_back_after_reopening(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(TODAY, "1"))
    session = repo.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    page = window.workspace.consult
    view = page.map_view
    region_map = load_region_map(map_svg_path())
    feels_like = by_name(page, QComboBox, "What it feels like")

    def on_disk(region: str) -> str | None:
        mark = repo.get_session(session.id).layer("therapist").get(region)
        return None if mark is None else mark.quality

    # By key: select the lower back, rate it, then N for numbness.
    click_region(qtbot, window, region_map, "lower_back_l")
    assert not feels_like.isEnabled()  # a quality belongs to a rating
    qtbot.keyClick(view, Qt.Key.Key_6)
    assert feels_like.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert on_disk("lower_back_l") == "numbness"
    assert view.shown("lower_back_l")[1] == "6\n==="
    assert list_text(window, "lower_back_l") == f"{LOWER_BACK}: tension 6, numbness"
    assert feels_like.currentText().startswith("numbness")
    # Ctrl+Z takes the quality back, not the rating; X makes it plain tension by key too.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert on_disk("lower_back_l") is None
    assert repo.get_session(session.id).layer("therapist")["lower_back_l"].tension == 6
    assert view.shown("lower_back_l")[1] == "6"
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert on_disk("lower_back_l") == "pins_and_needles"
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert on_disk("lower_back_l") is None
    qtbot.keyClick(view, Qt.Key.Key_P)

    # By menu: right-click the upper trapezius (it is selected), rate it, right-click again and choose burning.
    click_region(qtbot, window, region_map, "trapezius_upper_r")
    qtbot.keyClick(view, Qt.Key.Key_8)
    point = region_point(window, region_map, "trapezius_upper_r")
    right_click(qtbot, view.viewport(), point)
    choose_from_menu(qtbot, page.quality_menu, "Burning")
    assert on_disk("trapezius_upper_r") == "burning"
    assert view.selected_region() == "trapezius_upper_r"
    assert view.shown("trapezius_upper_r")[1] == "8\nxxx"

    # By the panel's list: the shoulder feels sharp, then burning again.
    feels_like.setFocus()
    qtbot.keyClick(feels_like, Qt.Key.Key_S)  # a closed combo box takes the entry that starts with the letter
    assert on_disk("trapezius_upper_r") == "sharp"
    qtbot.keyClick(feels_like, Qt.Key.Key_Up)  # burning is the entry above sharp
    assert on_disk("trapezius_upper_r") == "burning"

    # In the region list the same keys work, as the tension keys do there.
    page.region_list.setFocus()
    qtbot.keyClick(page.region_list, Qt.Key.Key_A)
    assert on_disk("trapezius_upper_r") == "aching"
    assert list_text(window, "trapezius_upper_r") == f"{SHOULDER}: tension 8, aching"
    qtbot.keyClick(page.region_list, Qt.Key.Key_B)
    assert on_disk("trapezius_upper_r") == "burning"

    before = (view.shown("lower_back_l"), view.shown("trapezius_upper_r"), list_text(window, "trapezius_upper_r"))
    window.close()
    repo.close()
    QApplication.processEvents()

    again = open_window(qtbot, data_dir, ini_settings(tmp_path))
    page = again.workspace.consult
    assert (page.map_view.shown("lower_back_l"), page.map_view.shown("trapezius_upper_r")) == before[:2]
    assert before[1][1] == "8\nxxx"
    assert list_text(again, "trapezius_upper_r") == before[2] == f"{SHOULDER}: tension 8, burning"
    assert list_text(again, "lower_back_l") == f"{LOWER_BACK}: tension 6, pins and needles"
    click_region(qtbot, again, region_map, "lower_back_l")
    assert by_name(page, QComboBox, "What it feels like").currentText().startswith("pins and needles")
    again.workspace.repository.close()
