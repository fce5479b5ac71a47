"""The map's flattened outlines for the first paint, without numpy, shapely or svgelements.

Their JSON form is keyed by the SVG's sha256; app.storage.map_cache finds the one that matches the map (shipped
or cached) and writes the cache. The rings are exactly the polygons that regions.py hit-tests, so what is drawn
is what is clicked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.region_specs import MAP_VERSION, SPECS_BY_ID, RegionKind

XY = tuple[float, float]
Ring = tuple[XY, ...]
FORMAT = "backmap-map-outlines"
FORMAT_VERSION = 1


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

    def matches(self, sha256: str) -> bool:
        """Made from the map of this sha256, for the regions the table has now."""
        return self.svg_sha256 == sha256 and {region.id for region in self.regions} == set(SPECS_BY_ID)


def _kind(region_id: str, kind: str) -> RegionKind:
    expected = SPECS_BY_ID[region_id].kind  # KeyError for an id the table no longer has
    if kind != expected:
        raise ValueError(f"region {region_id!r} is of kind {kind!r}, not {expected!r}")
    return expected


def _rings(raw: Any) -> tuple[Ring, ...]:
    return tuple(tuple((float(x), float(y)) for x, y in ring) for ring in raw)


def svg_sha256(svg_path: Path) -> str:
    return hashlib.sha256(svg_path.read_bytes()).hexdigest()


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
