"""The region list says what the map shows, in words a screen reader reads out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.resources import map_svg_path
from app.storage.map_cache import load_map_outlines
from app.ui.body_map.region_list import RegionList


def spoken(regions: RegionList) -> dict[str, str]:
    return {
        regions.item(row).data(Qt.ItemDataRole.UserRole): regions.item(row).data(Qt.ItemDataRole.AccessibleTextRole)
        for row in range(regions.count())
    }


def test_each_region_reads_its_tension_the_other_layer_and_not_assessed(qtbot: QtBot) -> None:
    regions = RegionList(load_map_outlines(map_svg_path()).regions)
    qtbot.addWidget(regions)
    regions.show_marks({"neck_l": 4, "spine": 6}, {"neck_l": 2, "rhomboid_r": 5}, "client")
    words = spoken(regions)
    assert words["neck_l"] == "Neck, left: tension 4; client 2"
    assert words["rhomboid_r"] == "Rhomboids, right: not assessed; client 5"
    assert words["neck_r"] == "Neck, right: not assessed"
    # A rated spine is read out with its rating, as its label on the map shows it; unrated, it says no pressure.
    assert words["spine"] == "Spine: tension 6 (no pressure)"
    assert words["sacrum"] == "Sacrum: no pressure"


def list_after_a_field(qtbot: QtBot) -> tuple[QWidget, QLineEdit, RegionList]:
    """A field, then the list: the order a therapist tabs through on the consult screen."""
    form = QWidget()
    field = QLineEdit(form)
    regions = RegionList(load_map_outlines(map_svg_path()).regions, form)
    layout = QVBoxLayout(form)
    layout.addWidget(field)
    layout.addWidget(regions)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    field.setFocus()
    return form, field, regions


def test_tabbing_into_the_list_selects_nothing_and_arrows_then_select(qtbot: QtBot) -> None:
    _form, field, regions = list_after_a_field(qtbot)
    chosen: list[str] = []
    regions.regionActivated.connect(chosen.append)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert regions.hasFocus()
    assert chosen == []
    assert regions.selectedItems() == []

    qtbot.keyClick(regions, Qt.Key.Key_Down)
    assert chosen == [regions.currentItem().data(Qt.ItemDataRole.UserRole)]
    assert regions.currentItem().isSelected()


def test_tabbing_into_the_list_keeps_the_map_selection_and_a_click_selects(qtbot: QtBot) -> None:
    _form, field, regions = list_after_a_field(qtbot)
    regions.select_region("rhomboid_l")  # the map's selection, mirrored
    chosen: list[str] = []
    regions.regionActivated.connect(chosen.append)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert regions.hasFocus()
    assert chosen == []
    assert regions.currentItem().data(Qt.ItemDataRole.UserRole) == "rhomboid_l"

    first = regions.item(0)
    qtbot.mouseClick(regions.viewport(), Qt.MouseButton.LeftButton, pos=regions.visualItemRect(first).center())
    assert chosen == [first.data(Qt.ItemDataRole.UserRole)]


def test_the_list_says_which_layer_its_numbers_are(qtbot: QtBot) -> None:
    regions = RegionList(load_map_outlines(map_svg_path()).regions)
    qtbot.addWidget(regions)
    regions.show_marks({"neck_l": 4}, {"neck_l": 6}, "client")
    assert regions.accessibleName() == "Regions of the back, therapist's layer"
    regions.show_marks({"neck_l": 6}, {"neck_l": 4}, "therapist")
    assert regions.accessibleName() == "Regions of the back, client's layer"


def test_a_line_that_wraps_longer_grows_and_the_lines_below_move_down(qtbot: QtBot) -> None:
    regions = RegionList(load_map_outlines(map_svg_path()).regions)
    qtbot.addWidget(regions)
    regions.resize(190, 900)  # the narrowest column: a line with both layers and what they feel like wraps
    regions.show()
    qtbot.waitExposed(regions)
    first, second = regions.item(0), regions.item(1)
    one_line = regions.visualItemRect(first).height()
    region = first.data(Qt.ItemDataRole.UserRole)
    regions.show_marks({region: 4}, {}, "client")  # a new number, the same height: that line alone repainted
    qtbot.wait(1)
    assert regions.visualItemRect(first).height() == one_line
    regions.show_qualities({region: "pins_and_needles"}, {region: "burning"})
    regions.show_marks({region: 4}, {region: 7}, "client")
    qtbot.waitUntil(lambda: regions.visualItemRect(first).height() > one_line)
    assert regions.visualItemRect(second).top() >= regions.visualItemRect(first).bottom()
