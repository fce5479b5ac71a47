from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain import map_outlines, regions
from app.domain.map_outlines import MapOutlines, cache_path, load_map_outlines, svg_sha256
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


def test_the_shipped_outlines_match_the_shipped_map() -> None:
    shipped = MapOutlines.from_json(data_path("map_outlines.json").read_text(encoding="utf-8"))
    assert shipped.svg_sha256 == svg_sha256(map_svg_path())
    assert_matches_regions(shipped, map_svg_path())
    assert load_map_outlines() == shipped


def test_the_first_paint_path_imports_no_heavy_library() -> None:
    # A fresh interpreter: the shipped JSON is read without numpy, shapely or svgelements.
    code = (
        "import sys; from app.domain.map_outlines import load_map_outlines; o = load_map_outlines(); "
        "assert len(o.regions) == 24; "
        "print(sorted(m for m in ('numpy', 'shapely', 'svgelements') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def edited_copy(tmp_path: Path) -> Path:
    svg = tmp_path / "edited.svg"
    svg.write_text(map_svg_path().read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    return svg


def test_an_edited_map_is_rebuilt_once_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svg = edited_copy(tmp_path)
    sha256 = svg_sha256(svg)
    cached = cache_path(sha256)
    cached.unlink(missing_ok=True)
    outlines = load_map_outlines(svg)
    assert outlines.svg_sha256 == sha256 != svg_sha256(map_svg_path())
    assert_matches_regions(outlines, svg)
    assert cached.is_file()
    assert json.loads(cached.read_text(encoding="utf-8"))["svg_sha256"] == sha256
    assert not list(cached.parent.glob(".*"))  # no temporary file left behind

    def fail(svg_path: Path | None = None) -> regions.RegionMap:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(regions, "load_region_map", fail)
    assert load_map_outlines(svg) == outlines


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    svg = edited_copy(tmp_path)
    cached = cache_path(svg_sha256(svg))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text("{not json", encoding="utf-8")
    outlines = load_map_outlines(svg)
    assert_matches_regions(outlines, svg)
    assert MapOutlines.from_json(cached.read_text(encoding="utf-8")) == outlines


def test_an_unwritable_cache_only_costs_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svg = edited_copy(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(map_outlines, "cache_path", lambda sha256: blocker / f"{sha256}.json")
    assert_matches_regions(load_map_outlines(svg), svg)


def test_json_round_trip_is_exact() -> None:
    outlines = load_map_outlines()
    assert MapOutlines.from_json(outlines.to_json()) == outlines
    with pytest.raises(ValueError, match="map outlines"):
        MapOutlines.from_json('{"format": "something-else"}')
