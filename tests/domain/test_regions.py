from __future__ import annotations

import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point

from app.domain.region_specs import MAP_VERSION, REGION_IDS, REGION_SPECS, SPECS_BY_ID, twin
from app.domain.regions import RegionMap, load_region_map
from app.errors import BackmapError
from app.resources import map_svg_path

SVG = "{http://www.w3.org/2000/svg}"
REPO_ROOT = Path(__file__).resolve().parents[2]
AREA_IDS = sorted(spec.id for spec in REGION_SPECS if spec.kind != "point")
POINT_IDS = sorted(spec.id for spec in REGION_SPECS if spec.kind == "point")


@pytest.fixture(scope="module")
def region_map() -> RegionMap:
    return load_region_map()


def test_the_svg_carries_every_region_with_its_kind_title_and_no_stroke() -> None:
    ET.register_namespace("", SVG[1:-1])
    root = ET.parse(map_svg_path()).getroot()
    assert root.get("data-map-version") == MAP_VERSION
    assert root.get("width") == root.get("viewBox", "").split()[2]
    assert root.get("height") == root.get("viewBox", "").split()[3]
    elements = {element.get("id"): element for element in root.iter() if element.get("id")}
    for spec in REGION_SPECS:
        element = elements[spec.id]
        assert element.get("data-kind") == spec.kind, spec.id
        assert element.findtext(f"{SVG}title") == spec.name, spec.id
        assert element.get("fill"), spec.id
        assert element.get("stroke") is None, spec.id
        assert element.tag == (f"{SVG}circle" if spec.kind == "point" else f"{SVG}path"), spec.id
    assert elements["outline"].get("stroke")
    labels = {elements["label_left"].get("text-anchor"), elements["label_right"].get("text-anchor")}
    assert labels == {"start", "end"}
    assert "LEFT" in "".join(elements["label_left"].itertext())
    assert "RIGHT" in "".join(elements["label_right"].itertext())


def test_the_side_labels_sit_on_the_matching_side(region_map: RegionMap) -> None:
    # Seen from behind, the client's left is on the viewer's left: the label there says LEFT.
    ET.register_namespace("", SVG[1:-1])
    root = ET.parse(map_svg_path()).getroot()
    label_x = {el.get("id"): float(el.get("x", "nan")) for el in root.iter(f"{SVG}text")}
    assert label_x["label_left"] < region_map.width / 2 < label_x["label_right"]
    assert all(region_map.info(rid).centroid[0] < region_map.width / 2 for rid in REGION_IDS if rid.endswith("_l"))


def test_the_catalogue_lists_every_region_in_table_order(region_map: RegionMap) -> None:
    assert [info.id for info in region_map.catalogue] == [spec.id for spec in REGION_SPECS]
    for info in region_map.catalogue:
        spec = SPECS_BY_ID[info.id]
        assert (info.name, info.kind, info.side) == (spec.name, spec.kind, spec.side)
        assert info.area == pytest.approx(region_map.polygons[info.id].area)
        assert region_map.polygons[info.id].contains(Point(info.anchor)), info.id
    assert (region_map.width, region_map.height) == (600.0, 720.0)
    with pytest.raises(KeyError, match="shoulder_x"):
        region_map.info("shoulder_x")


def test_polygons_are_valid_and_the_areas_tile_the_back(region_map: RegionMap) -> None:
    for region_id, polygon in region_map.polygons.items():
        assert polygon.is_valid, (region_id, shapely.is_valid_reason(polygon))
    areas = [region_map.polygons[area_id] for area_id in AREA_IDS]
    for (id_a, a), (id_b, b) in itertools.combinations(zip(AREA_IDS, areas, strict=True), 2):
        assert a.intersection(b).area < 0.01, (id_a, id_b)
    # The back is the body outline without the head and arms; the areas cover it, no gaps.
    back = region_map.outline.difference(shapely.union_all(list(region_map.parts.values())))
    union = shapely.union_all(areas)
    assert set(region_map.parts) == {"head", "arm_l", "arm_r"}
    assert union.symmetric_difference(back).area < 0.002 * back.area
    assert isinstance(union, shapely.Polygon)
    assert len(union.interiors) == 0
    for point_id in POINT_IDS:
        assert union.contains(region_map.polygons[point_id]), point_id


def test_anatomy_left_right_and_top_to_bottom(region_map: RegionMap) -> None:
    def centre(region_id: str) -> tuple[float, float]:
        return region_map.info(region_id).centroid

    for region_id in REGION_IDS:
        if region_id.endswith("_l"):
            twin_id = twin(region_id)
            assert twin_id is not None
            assert centre(region_id)[0] < centre(twin_id)[0], region_id
            # The map is symmetric: the twin is the mirror image.
            assert centre(region_id)[0] == pytest.approx(region_map.width - centre(twin_id)[0], abs=0.01)
    spine = region_map.polygons["spine"]
    for level in ("thoracic", "lumbar"):
        left = region_map.polygons[f"paraspinal_{level}_l"].bounds
        right = region_map.polygons[f"paraspinal_{level}_r"].bounds
        assert left[2] <= spine.bounds[0] + 0.01
        assert spine.bounds[2] <= right[0] + 0.01
    assert centre("suboccipital_l")[1] < centre("trapezius_upper_l")[1] < centre("lower_back_l")[1]
    assert centre("neck_r")[1] < centre("rhomboid_r")[1] < centre("paraspinal_thoracic_r")[1]
    assert centre("paraspinal_thoracic_r")[1] < centre("paraspinal_lumbar_r")[1]
    # The spine runs from the base of the skull to the sacrum, which sits at the bottom centre.
    assert spine.bounds[1] < centre("suboccipital_l")[1]
    assert spine.bounds[3] == pytest.approx(region_map.polygons["sacrum"].bounds[1], abs=8)
    assert spine.bounds[2] - spine.bounds[0] < 20
    sacrum = region_map.polygons["sacrum"]
    assert sacrum.centroid.x == pytest.approx(region_map.width / 2)
    assert sacrum.bounds[3] == pytest.approx(shapely.union_all(list(region_map.polygons.values())).bounds[3])


def test_every_anchor_is_clickable_with_the_uis_point_tolerance(region_map: RegionMap) -> None:
    # The map is shown at about full size: a 24-screen-pixel halo around a point must not swallow an area's anchor.
    for info in region_map.catalogue:
        assert region_map.hit_test(*info.anchor, tolerance=24.0) == info.id, info.id


def test_the_hit_test_finds_every_region_at_its_anchor(region_map: RegionMap) -> None:
    for info in region_map.catalogue:
        assert region_map.hit_test(*info.anchor) == info.id


def test_a_point_wins_over_the_area_under_it_within_the_tolerance(region_map: RegionMap) -> None:
    x, y = region_map.info("lower_back_point_r").centroid
    assert region_map.hit_test(x, y) == "lower_back_point_r"
    assert region_map.hit_test(x, y + 12) == "paraspinal_lumbar_r"  # 5 px outside the 7 px circle
    assert region_map.hit_test(x, y + 12, tolerance=6) == "lower_back_point_r"
    assert region_map.hit_test(x, y - 25, tolerance=6) == "paraspinal_lumbar_r"


def test_head_arms_and_outside_select_nothing(region_map: RegionMap) -> None:
    for part in region_map.parts.values():
        assert region_map.hit_test(*part.representative_point().coords[0]) is None
    assert region_map.hit_test(5, 5) is None
    assert region_map.hit_test(-50, 400, tolerance=24) is None
    assert region_map.hit_test(*region_map.info("spine").anchor) == "spine"


def test_a_stroke_across_the_lower_back_covers_sensible_fractions(region_map: RegionMap) -> None:
    y = region_map.info("lower_back_r").centroid[1]
    coverage = region_map.coverage([(150.0, y), (450.0, y)], width=20)
    crossed = {"lower_back_l", "lower_back_r", "paraspinal_lumbar_l", "paraspinal_lumbar_r"}
    assert crossed <= set(coverage) <= crossed | {"spine", "sacrum"}
    assert all(0 < fraction <= 1 for fraction in coverage.values())
    assert coverage["lower_back_l"] == pytest.approx(coverage["lower_back_r"], rel=1e-3)
    # A 20 px band across a region ~100 px tall covers roughly a fifth of it.
    assert 0.1 < coverage["lower_back_r"] < 0.35
    assert region_map.coverage([(300.0, 630.0)], width=4000) == pytest.approx(dict.fromkeys(REGION_IDS, 1.0))
    with pytest.raises(BackmapError, match="width"):
        region_map.coverage([(0.0, 0.0)], width=0)
    with pytest.raises(BackmapError, match="point"):
        region_map.coverage([], width=5)


def test_arrow_keys_move_sensibly_and_reach_every_region(region_map: RegionMap) -> None:
    def mirrored(direction: str) -> str:
        return {"left": "right", "right": "left"}.get(direction, direction)

    for region_id in REGION_IDS:
        moves = region_map.neighbours(region_id)
        assert region_id not in moves.values()
        twin_id = twin(region_id)
        if twin_id is not None:  # the two sides mirror each other, left and right swapped
            expected = {mirrored(d): twin(target) or target for d, target in region_map.neighbours(twin_id).items()}
            assert moves == expected, region_id
    assert region_map.neighbours("lower_back_r")["up"] == "latissimus_r"
    assert region_map.neighbours("latissimus_r")["down"] == "lower_back_r"
    assert region_map.neighbours("spine")["down"] == "sacrum"
    assert region_map.neighbours("sacrum")["up"] == "spine"
    assert region_map.neighbours("rhomboid_l")["right"] == "spine"
    assert region_map.neighbours("spine")["left"] == "rhomboid_l"
    assert region_map.neighbours("neck_r")["up"] == "suboccipital_r"
    assert region_map.neighbours("suboccipital_r")["down"] == "neck_r"
    assert region_map.neighbours("scapula_edge_r")["right"] == "scapula_r"
    assert region_map.neighbours("scapula_edge_r")["left"] == "rhomboid_r"
    for start in REGION_IDS:
        seen, todo = {start}, [start]
        while todo:
            for target in region_map.neighbours(todo.pop()).values():
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        assert seen == REGION_IDS, start


def test_the_map_loads_once_per_path(region_map: RegionMap) -> None:
    assert load_region_map() is region_map
    assert load_region_map(map_svg_path()) is region_map


def test_a_map_missing_regions_or_of_another_version_is_refused(tmp_path: Path) -> None:
    text = map_svg_path().read_text(encoding="utf-8")
    other_version = tmp_path / "version.svg"
    other_version.write_text(text.replace(f'data-map-version="{MAP_VERSION}"', 'data-map-version="0"'))
    with pytest.raises(BackmapError, match="version"):
        load_region_map(other_version)
    missing = tmp_path / "missing.svg"
    missing.write_text(text.replace('id="sacrum"', 'id="tailbone"'))
    with pytest.raises(BackmapError, match="sacrum"):
        load_region_map(missing)


def test_transforms_are_applied(tmp_path: Path, region_map: RegionMap) -> None:
    text = map_svg_path().read_text(encoding="utf-8")
    moved = tmp_path / "moved.svg"
    moved.write_text(text.replace('<g id="regions">', '<g id="regions" transform="translate(10 0)">'))
    shifted = load_region_map(moved)
    assert shifted.info("rhomboid_r").centroid[0] == pytest.approx(region_map.info("rhomboid_r").centroid[0] + 10)


def test_the_tool_rebuilds_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    svg, outlines = tmp_path / "map.svg", tmp_path / "outlines.json"
    subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "tools" / "build_map.py"),
            "--svg",
            str(svg),
            "--outlines",
            str(outlines),
        ],
        check=True,
        capture_output=True,
    )
    assert svg.read_bytes() == map_svg_path().read_bytes()
    committed = (REPO_ROOT / "app" / "data" / "map_outlines.json").read_text(encoding="utf-8")
    # The shipped JSON is keyed by the SVG's hash, which is the same for the two identical files.
    assert outlines.read_text(encoding="utf-8") == committed


def test_a_broken_or_odd_map_is_refused_with_a_message(tmp_path: Path) -> None:
    text = map_svg_path().read_text(encoding="utf-8")
    broken = tmp_path / "broken.svg"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(BackmapError, match="not valid SVG"):
        load_region_map(broken)
    wrong_kind = tmp_path / "wrong_kind.svg"
    wrong_kind.write_text(text.replace('id="sacrum" data-kind="caution"', 'id="sacrum" data-kind="area"'))
    with pytest.raises(BackmapError, match=r"sacrum.*kind"):
        load_region_map(wrong_kind)
    split = tmp_path / "split.svg"
    split.write_text(
        text.replace(
            '<path id="spine" data-kind="no_pressure" fill="#dfe3e8" d="',
            '<path id="spine" data-kind="no_pressure" fill="#dfe3e8" d="M5,5 L9,5 L9,9 Z ',
        )
    )
    with pytest.raises(BackmapError, match=r"spine.*one simple shape"):
        load_region_map(split)


def test_a_point_moved_off_the_back_still_navigates(tmp_path: Path) -> None:
    ET.register_namespace("", SVG[1:-1])
    root = ET.parse(map_svg_path())
    for circle in root.getroot().iter(f"{SVG}circle"):
        if circle.get("id") == "suboccipital_l":
            circle.set("cx", "40")
            circle.set("cy", "40")
    moved = tmp_path / "moved_point.svg"
    root.write(moved)
    region_map = load_region_map(moved)
    assert region_map.hit_test(40, 40) == "suboccipital_l"
    assert "suboccipital_l" not in region_map.neighbours("suboccipital_l").values()


def clickable_share(region_map: RegionMap, region_id: str, tolerance: float) -> float:
    """The share of a region's area (on a 40 x 40 grid over its bounds) where a click selects it."""
    polygon = region_map.polygons[region_id]
    min_x, min_y, max_x, max_y = polygon.bounds
    grid = [(min_x + (max_x - min_x) * i / 39, min_y + (max_y - min_y) * j / 39) for i in range(40) for j in range(40)]
    inside = [(x, y) for x, y in grid if shapely.intersects_xy(polygon, x, y)]
    return sum(region_map.hit_test(x, y, tolerance) == region_id for x, y in inside) / len(inside)


def test_a_small_area_beside_points_keeps_half_its_clicks_at_the_default_window_size(region_map: RegionMap) -> None:
    # The map is drawn at about 0.72 of its px in a 1360 x 860 window: 24 screen px reach 33 map px.
    tolerance = 24 / 0.72
    for neck in ("neck_l", "neck_r"):
        assert clickable_share(region_map, neck, tolerance) > 0.5, neck
    # ... while the base-of-skull points still take the clicks near them, up to their full reach away from the neck.
    x, y = region_map.info("suboccipital_l").centroid
    assert region_map.hit_test(x, y + 10, tolerance) == "suboccipital_l"
    assert region_map.hit_test(x - 5, y - 20, tolerance) == "suboccipital_l"  # above it, on the head
