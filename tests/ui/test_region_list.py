"""The region list says what the map shows, in words a screen reader reads out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.map_outlines import load_map_outlines
from app.resources import map_svg_path
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
