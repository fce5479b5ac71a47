"""The map's outlines at start-up: the shipped file when it matches the map, else the cache, else rebuilt once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain import regions
from app.domain.map_outlines import MapOutlines, svg_checksum
from app.resources import data_path, map_svg_path
from app.storage import map_cache
from app.storage.map_cache import cache_path, load_map_outlines
from tests.domain.test_map_outlines import assert_matches_regions


def test_the_shipped_map_reads_the_shipped_outlines() -> None:
    assert load_map_outlines() == MapOutlines.from_json(data_path("map_outlines.json").read_text(encoding="utf-8"))


def test_the_first_paint_path_imports_no_heavy_library() -> None:
    # A fresh interpreter: the shipped JSON is read without numpy, shapely or svgelements.
    code = (
        "import sys; from app.storage.map_cache import load_map_outlines; o = load_map_outlines(); "
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
    checksum = svg_checksum(svg)
    cached = cache_path(checksum)
    cached.unlink(missing_ok=True)
    outlines = load_map_outlines(svg)
    assert outlines.svg_checksum == checksum != svg_checksum(map_svg_path())
    assert_matches_regions(outlines, svg)
    assert cached.is_file()
    assert json.loads(cached.read_text(encoding="utf-8"))["svg_checksum"] == checksum
    assert not list(cached.parent.glob(".*"))  # no temporary file left behind

    def fail(svg_path: Path | None = None) -> regions.RegionMap:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(regions, "load_region_map", fail)
    assert load_map_outlines(svg) == outlines


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    svg = edited_copy(tmp_path)
    cached = cache_path(svg_checksum(svg))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text("{not json", encoding="utf-8")
    outlines = load_map_outlines(svg)
    assert_matches_regions(outlines, svg)
    assert MapOutlines.from_json(cached.read_text(encoding="utf-8")) == outlines


def test_an_unwritable_cache_only_costs_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svg = edited_copy(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(map_cache, "cache_path", lambda checksum: blocker / f"{checksum}.json")
    assert_matches_regions(load_map_outlines(svg), svg)
