"""The map's flattened outlines for the first paint, without numpy, shapely or svgelements.

They come from a JSON file keyed by the SVG's sha256: app/data/map_outlines.json as shipped (written by
tools/build_map.py), else a copy in the user cache folder. When neither matches the SVG (someone edited it),
they are rebuilt from regions.py, which loads the heavy libraries once, and cached. The rings are exactly the
polygons that regions.py hit-tests, so what is drawn is what is clicked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from app.domain.region_specs import MAP_VERSION, SPECS_BY_ID, RegionKind
from app.resources import data_path, map_svg_path

XY = tuple[float, float]
Ring = tuple[XY, ...]
FORMAT = "backmap-map-outlines"
FORMAT_VERSION = 1
SHIPPED_NAME = "map_outlines.json"


@dataclass(frozen=True, slots=True)
class RegionOutline:
    id: str
    kind: RegionKind
    rings: tuple[Ring, ...]  # exterior first, then any holes; map px


@dataclass(frozen=True, slots=True)
class MapOutlines:
    svg_sha256: str
    width: float
    height: float
    outline: tuple[Ring, ...]  # the body outline (head, arms and back), as one polygon
    regions: tuple[RegionOutline, ...]  # in the order of region_specs.REGION_SPECS

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "map_version": MAP_VERSION,
            "svg_sha256": self.svg_sha256,
            "view_box": [self.width, self.height],
            "outline": [list(map(list, ring)) for ring in self.outline],
            "regions": [
                {
                    "id": region.id,
                    "kind": region.kind,
                    "rings": [list(map(list, ring)) for ring in region.rings],
                }
                for region in self.regions
            ],
        }
        return json.dumps(document, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> MapOutlines:
        """Parses what to_json wrote; ValueError (or KeyError/TypeError) on anything else."""
        document = json.loads(text)
        if document.get("format") != FORMAT or document.get("version") != FORMAT_VERSION:
            raise ValueError("not a map outlines file of this version")
        width, height = document["view_box"]
        regions = tuple(
            RegionOutline(region["id"], _kind(region["id"], region["kind"]), _rings(region["rings"]))
            for region in document["regions"]
        )
        return cls(str(document["svg_sha256"]), float(width), float(height), _rings(document["outline"]), regions)


def _kind(region_id: str, kind: str) -> RegionKind:
    expected = SPECS_BY_ID[region_id].kind  # KeyError for an id the table no longer has
    if kind != expected:
        raise ValueError(f"region {region_id!r} is of kind {kind!r}, not {expected!r}")
    return expected


def _rings(raw: Any) -> tuple[Ring, ...]:
    return tuple(tuple((float(x), float(y)) for x, y in ring) for ring in raw)


def svg_sha256(svg_path: Path) -> str:
    return hashlib.sha256(svg_path.read_bytes()).hexdigest()


def cache_path(sha256: str) -> Path:
    return Path(platformdirs.user_cache_dir("backmap")) / f"map_outlines-{sha256}.json"


def build_outlines(svg_path: Path) -> MapOutlines:
    """The outlines computed from the SVG itself (imports the heavy geometry libraries)."""
    from app.domain.regions import load_region_map

    region_map = load_region_map(svg_path)
    return MapOutlines(
        svg_sha256=svg_sha256(svg_path),
        width=region_map.width,
        height=region_map.height,
        outline=_as_rings(region_map.outline_rings()),
        regions=tuple(
            RegionOutline(info.id, info.kind, _as_rings(region_map.rings(info.id))) for info in region_map.catalogue
        ),
    )


def _as_rings(rings: list[list[XY]]) -> tuple[Ring, ...]:
    return tuple(tuple(ring) for ring in rings)


def _read_matching(path: Path, sha256: str) -> MapOutlines | None:
    try:
        outlines = MapOutlines.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, stale format or damaged: rebuilt below
    if outlines.svg_sha256 != sha256 or {r.id for r in outlines.regions} != set(SPECS_BY_ID):
        return None
    return outlines


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_map_outlines(svg_path: Path | None = None) -> MapOutlines:
    """The outlines of the map at `svg_path` (default: the bundled one), the cheapest way that matches it."""
    svg_path = svg_path or map_svg_path()
    sha256 = svg_sha256(svg_path)
    for candidate in (data_path(SHIPPED_NAME), cache_path(sha256)):
        outlines = _read_matching(candidate, sha256)
        if outlines is not None:
            return outlines
    outlines = build_outlines(svg_path)
    # A read-only or full cache folder only costs the next start the rebuild.
    with contextlib.suppress(OSError):
        _write_atomic(cache_path(sha256), outlines.to_json())
    return outlines
