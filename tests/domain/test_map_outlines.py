from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.domain.map_outlines import MapOutlines, svg_sha256
from app.domain.region_specs import REGION_SPECS
from app.domain.regions import load_region_map
from app.resources import data_path, map_svg_path


def assert_matches_regions(outlines: MapOutlines, svg_path: Path) -> None:
    """The outlines are exactly (not approximately) the polygons regions.py hit-tests."""
    region_map = load_region_map(svg_path)
    assert (outlines.width, outlines.height) == (region_map.width, region_map.height)
    assert [list(ring) for ring in outlines.outline] == region_map.outline_rings()
    assert [region.id for region in outlines.regions] == [spec.id for spec in REGION_SPECS]
    for region in outlines.regions:
        assert region.kind == region_map.info(region.id).kind
        assert [list(ring) for ring in region.rings] == region_map.rings(region.id), region.id


def shipped() -> MapOutlines:
    return MapOutlines.from_json(data_path("map_outlines.json").read_text(encoding="utf-8"))


def test_the_shipped_outlines_match_the_shipped_map() -> None:
    outlines = shipped()
    assert outlines.matches(svg_sha256(map_svg_path()))
    assert_matches_regions(outlines, map_svg_path())


def test_outlines_of_another_map_or_another_region_table_do_not_match() -> None:
    outlines = shipped()
    assert not outlines.matches("0" * 64)
    assert not dataclasses.replace(outlines, regions=outlines.regions[1:]).matches(outlines.svg_sha256)


def test_json_round_trip_is_exact() -> None:
    outlines = shipped()
    assert MapOutlines.from_json(outlines.to_json()) == outlines
    with pytest.raises(ValueError, match="map outlines"):
        MapOutlines.from_json('{"format": "something-else"}')
