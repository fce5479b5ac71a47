"""The back map as a user meets it: clicking real anchors, hovering, keys scoped to the map, the brush."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.domain.map_outlines import OutlineLocator
from app.domain.region_specs import REGION_IDS
from app.domain.regions import Direction, load_region_map
from app.resources import map_svg_path
from app.storage.map_cache import load_map_outlines
from app.ui.body_map.view import BodyMapView


@pytest.fixture
def view(qtbot: QtBot) -> BodyMapView:
    outlines = load_map_outlines(map_svg_path())
    widget = BodyMapView(str(map_svg_path()), outlines.regions, lambda: OutlineLocator(outlines.regions))
    qtbot.addWidget(widget)
    widget.resize(600, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _click(qtbot: QtBot, view: BodyMapView, x: float, y: float) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.map_to_view(x, y).toPoint())


def test_clicking_each_regions_anchor_selects_that_region(qtbot: QtBot, view: BodyMapView) -> None:
    region_map = load_region_map(map_svg_path())
    assert set(view.region_ids()) == REGION_IDS
    for info in region_map.catalogue:
        with qtbot.waitSignal(view.regionClicked) as clicked:
            _click(qtbot, view, *info.anchor)
        assert clicked.args == [info.id]


def test_a_click_near_a_pressure_point_reaches_it_within_24_screen_pixels(qtbot: QtBot, view: BodyMapView) -> None:
    x, y = load_region_map(map_svg_path()).info("suboccipital_l").centroid
    centre = view.map_to_view(x, y).toPoint()
    radius_px = 7 * view.transform().m11()  # the SVG draws points with r=7 map px
    near = centre + QPoint(-round(radius_px + 20), 0)  # 20 px off the circle's edge, away from its twin
    with qtbot.waitSignal(view.regionClicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=near)
    assert clicked.args == ["suboccipital_l"]


def test_a_click_on_the_head_or_outside_the_body_selects_nothing(qtbot: QtBot, view: BodyMapView) -> None:
    region_map = load_region_map(map_svg_path())
    head = region_map.parts["head"].representative_point()
    with qtbot.assertNotEmitted(view.regionClicked, wait=50):
        _click(qtbot, view, head.x, head.y - 30)
        _click(qtbot, view, 5, 700)


def test_hovering_names_the_region_under_the_pointer(qtbot: QtBot, view: BodyMapView) -> None:
    x, y = load_region_map(map_svg_path()).info("rhomboid_r").anchor
    with qtbot.waitSignal(view.regionHovered) as hovered:
        qtbot.mouseMove(view.viewport(), view.map_to_view(x, y).toPoint())
    assert hovered.args == ["rhomboid_r"]
    assert view.toolTip() == "Rhomboids, right"


def test_arrow_keys_move_the_selection_itself(qtbot: QtBot, view: BodyMapView) -> None:
    view.setFocus()
    view.set_selected("lower_back_l")
    expected = load_region_map(map_svg_path()).neighbours("lower_back_l")["up"]
    with qtbot.waitSignal(view.regionClicked) as clicked:
        qtbot.keyClick(view, Qt.Key.Key_Up)
    assert clicked.args == [expected]


@pytest.mark.parametrize(
    ("start", "key", "mirror"),
    [
        ("paraspinal_thoracic_l", Qt.Key.Key_Right, "paraspinal_thoracic_r"),
        ("paraspinal_lumbar_r", Qt.Key.Key_Left, "paraspinal_lumbar_l"),
        ("neck_l", Qt.Key.Key_Right, "neck_r"),
    ],
)
def test_left_and_right_beside_the_spine_cross_to_the_mirror_region(
    qtbot: QtBot, view: BodyMapView, start: str, key: Qt.Key, mirror: str
) -> None:
    region_map = load_region_map(map_svg_path())
    toward_spine: Direction = "right" if key == Qt.Key.Key_Right else "left"
    assert region_map.neighbours(start)[toward_spine] == "spine"  # the strip is what lies that way
    view.setFocus()
    view.set_selected(start)
    with qtbot.waitSignal(view.regionClicked) as clicked:
        qtbot.keyClick(view, key)
    assert clicked.args == [mirror]


@pytest.mark.parametrize(("key", "tension"), [(Qt.Key.Key_7, 7), (Qt.Key.Key_0, 0), (Qt.Key.Key_T, 10)])
def test_number_keys_on_the_map_give_tension_and_delete_clears(
    qtbot: QtBot, view: BodyMapView, key: Qt.Key, tension: int
) -> None:
    view.setFocus()
    with qtbot.waitSignal(view.tensionKeyPressed) as pressed:
        qtbot.keyClick(view, key)
    assert pressed.args == [tension]
    with qtbot.waitSignal(view.tensionKeyPressed) as cleared:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert cleared.args == [-1]


def test_the_brush_paints_a_stroke_in_map_coordinates(qtbot: QtBot, view: BodyMapView) -> None:
    region_map = load_region_map(map_svg_path())
    (x1, y1), (x2, y2) = region_map.info("lower_back_l").anchor, region_map.info("lower_back_r").anchor
    view.set_brush(18.0, tension=6)
    start, end = view.map_to_view(x1, y1).toPoint(), view.map_to_view(x2, y2).toPoint()
    with qtbot.waitSignal(view.strokeDrawn) as drawn:
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 11):
            qtbot.mouseMove(view.viewport(), start + (end - start) * step / 10)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    points, width = drawn.args
    assert width == 18.0
    assert points[0] == pytest.approx((x1, y1), abs=2)
    assert points[-1] == pytest.approx((x2, y2), abs=2)
    coverage = region_map.coverage(points, width)
    assert coverage["lower_back_l"] > 0
    assert coverage["lower_back_r"] > 0


def test_regions_the_screening_leaves_alone_are_cross_hatched_with_the_reason(view: BodyMapView) -> None:
    view.set_withheld({"lower_back_l": "A recent injury is left alone so it can heal."})
    assert view.withheld_regions() == {"lower_back_l"}
    view.set_withheld({})
    assert view.withheld_regions() == frozenset()


def test_numbers_changed_one_key_at_a_time_sit_and_read_as_on_a_map_drawn_afresh(
    qtbot: QtBot, view: BodyMapView
) -> None:
    view.attach_locator()
    marks = {"neck_l": 2, "latissimus_l": 5, "lower_back_r": 9}
    view.set_marks(marks, {"latissimus_l": 3})
    on_dark = view.label_colour("lower_back_r")
    for region, tension in (("latissimus_l", 6), ("neck_l", 10), ("neck_l", 3), ("lower_back_r", 1)):
        marks[region] = tension  # one key: the same size ("5" -> "6") or not ("2" -> "10")
        view.set_marks(marks, {"latissimus_l": 3})
    fresh = BodyMapView(str(map_svg_path()), load_map_outlines(map_svg_path()).regions, view.attach_locator)
    qtbot.addWidget(fresh)
    fresh.resize(view.size())
    fresh.attach_locator()
    fresh.set_marks(marks, {"latissimus_l": 3})
    for region in REGION_IDS:
        assert view.label_rect(region) == fresh.label_rect(region), region
        assert view.label_colour(region) == fresh.label_colour(region), region
    assert view.label_colour("lower_back_r") != on_dark  # 9 became 1: the same place, read on a pale fill


def test_the_numbers_sit_where_the_shapely_map_put_them(qtbot: QtBot, view: BodyMapView) -> None:
    marks = {region: index % 11 for index, region in enumerate(sorted(REGION_IDS))}
    other = {region: 10 - tension for region, tension in marks.items() if tension % 3 == 0}
    view.attach_locator()
    view.set_marks(marks, other)
    outlines = load_map_outlines(map_svg_path())
    shapely_placed = BodyMapView(str(map_svg_path()), outlines.regions, lambda: load_region_map(map_svg_path()))
    qtbot.addWidget(shapely_placed)
    shapely_placed.resize(view.size())
    shapely_placed.attach_locator()
    shapely_placed.set_marks(marks, other)
    for region in REGION_IDS:
        assert view.label_rect(region) is not None, region
        assert view.label_rect(region) == shapely_placed.label_rect(region), region
        assert view.label_colour(region) == shapely_placed.label_colour(region), region


# A fresh process: a client opened, a region clicked, then a brush stroke painted; which heavy modules it holds.
OPEN_CLICK_AND_PAINT = """
import datetime as dt, json, sys
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from app.domain.records import Consent
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_application, create_main_window
from app.ui.settings import AppSettings

HEAVY = ("numpy", "shapely", "svgelements")
loaded = lambda: [name for name in HEAVY if name in sys.modules]
app = create_application([])
data_dir = Path(sys.argv[1])
with SqliteStore.open(data_dir) as store:
    client = store.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    store.start_session(client.id)
settings = AppSettings(QSettings(sys.argv[2], QSettings.Format.IniFormat))
window = create_main_window(data_dir, demo=False, settings=settings)
window.resize(1360, 860)
window.show()
QTest.qWaitForWindowExposed(window)
window.workspace.decisions.open_client(client.id)
window.workspace.warm_up()
view = window.workspace.consult.map_view
seen = {"opened": loaded()}
def at(region_id):
    return view.map_to_view(*view.attach_locator().info(region_id).anchor).toPoint()
QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at("rhomboid_l"))
seen["selected"], seen["clicked"] = view.selected_region(), loaded()
view.set_brush(60.0, tension=6)
QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=at("lower_back_l"))
QTest.mouseMove(view.viewport(), at("lower_back_r"))
QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=at("lower_back_r"))
seen["marked"], seen["painted"] = window.workspace.consult.brush_result.text(), loaded()
print(json.dumps(seen))
"""


def test_opening_a_client_and_clicking_the_map_load_no_geometry_library_until_a_stroke_is_painted(
    tmp_path: Path,
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", OPEN_CLICK_AND_PAINT, str(tmp_path / "data"), str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    seen = json.loads(child.stdout.splitlines()[-1])
    assert seen["opened"] == []
    assert (seen["selected"], seen["clicked"]) == ("rhomboid_l", [])
    assert seen["marked"].startswith("Marked: Lower back (quadratus lumborum), left")  # the stroke marked the back
    assert "shapely" in seen["painted"]  # a stroke's coverage is real geometry
