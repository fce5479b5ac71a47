from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
import shapely

from app.domain.map_outlines import MapOutlines, OutlineLocator, simplified, svg_checksum
from app.domain.region_specs import REGION_SPECS
from app.domain.regions import RegionMap, load_region_map
from app.resources import data_path, map_svg_path


def assert_matches_regions(outlines: MapOutlines, svg_path: Path) -> None:
    """The outlines are exactly (not approximately) the polygons regions.py hit-tests, and carry what it computes
    for each region: centroid, anchor, area and arrow-key neighbours."""
    region_map = load_region_map(svg_path)
    assert (outlines.width, outlines.height) == (region_map.width, region_map.height)
    assert [list(ring) for ring in outlines.outline] == region_map.outline_rings()
    assert [region.id for region in outlines.regions] == [spec.id for spec in REGION_SPECS]
    for region in outlines.regions:
        assert region.kind == region_map.info(region.id).kind
        assert [list(ring) for ring in region.rings] == region_map.rings(region.id), region.id
        info = region_map.info(region.id)
        assert (region.centroid, region.anchor, region.area) == (info.centroid, info.anchor, info.area), region.id
        assert dict(region.neighbours) == region_map.neighbours(region.id), region.id


def shipped() -> MapOutlines:
    return MapOutlines.from_json(data_path("map_outlines.json").read_text(encoding="utf-8"))


def test_the_shipped_outlines_match_the_shipped_map() -> None:
    outlines = shipped()
    assert outlines.matches(svg_checksum(map_svg_path()))
    assert_matches_regions(outlines, map_svg_path())


def test_outlines_of_another_map_or_another_region_table_do_not_match() -> None:
    outlines = shipped()
    assert not outlines.matches("0" * 64)
    assert not dataclasses.replace(outlines, regions=outlines.regions[1:]).matches(outlines.svg_checksum)


def test_json_round_trip_is_exact() -> None:
    outlines = shipped()
    assert MapOutlines.from_json(outlines.to_json()) == outlines
    with pytest.raises(ValueError, match="map outlines"):
        MapOutlines.from_json('{"format": "something-else"}')
    stale = outlines.to_json().replace('"up":"spine"', '"up":"retired_region"', 1)
    with pytest.raises(ValueError, match="retired_region"):  # the cache is rebuilt (app.storage.map_cache)
        MapOutlines.from_json(stale)


# A grid over the whole map, 2.5 px apart, off the round numbers the drawing's coordinates favour.
GRID_STEP, GRID_OFFSET = 2.5, 0.37
EDGE_TOLERANCE = 1e-6  # px: where ray casting and shapely may differ (a click exactly on an edge)


def _on_an_edge(region_map: RegionMap, x: float, y: float, tolerance: float) -> bool:
    """(x, y) within EDGE_TOLERANCE of a region's edge, of a point's reach, or of a tie between a point's centre
    and the area's anchor: the only places two exact hit tests may answer differently."""
    here = shapely.Point(x, y)
    for region_id, polygon in region_map.polygons.items():
        distance = polygon.exterior.distance(here)
        if abs(distance) <= EDGE_TOLERANCE or abs(distance - tolerance) <= EDGE_TOLERANCE:
            return True
        info = region_map.info(region_id)
        if info.kind == "point" and any(
            abs(here.distance(shapely.Point(info.centroid)) - here.distance(shapely.Point(other.anchor)))
            <= EDGE_TOLERANCE
            for other in region_map.catalogue
        ):
            return True
    return False


@pytest.mark.parametrize("tolerance", [0.0, 12.0, 24.0])
def test_a_click_anywhere_on_the_map_selects_what_the_shapely_hit_test_selects(tolerance: float) -> None:
    region_map = load_region_map()
    locator = OutlineLocator(shipped().regions)
    columns = int(region_map.width / GRID_STEP)
    rows = int(region_map.height / GRID_STEP)
    differ = [
        (x, y)
        for x, y in (
            (GRID_OFFSET + column * GRID_STEP, GRID_OFFSET + row * GRID_STEP)
            for column, row in itertools.product(range(columns), range(rows))
        )
        if locator.hit_test(x, y, tolerance) != region_map.hit_test(x, y, tolerance)
    ]
    assert [xy for xy in differ if not _on_an_edge(region_map, *xy, tolerance)] == []


def test_the_locator_reads_each_regions_catalogue_row_and_neighbours_from_the_outlines() -> None:
    region_map = load_region_map()
    locator = OutlineLocator(shipped().regions)
    for info in region_map.catalogue:
        assert locator.info(info.id) == info
        assert locator.neighbours(info.id) == region_map.neighbours(info.id)
    with pytest.raises(KeyError, match="no region 'tail'"):
        locator.info("tail")


def test_a_simplified_ring_keeps_its_corners_and_drops_what_lies_within_the_tolerance_of_its_edges() -> None:
    ring = ((0.0, 0.0), (5.0, 0.001), (10.0, 0.0), (10.0, 10.0), (5.0, 10.0), (0.0, 10.0))
    assert simplified(ring, 0.01) == ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    assert simplified(ring, 0.0001) == tuple(corner for corner in ring if corner != (5.0, 10.0))
