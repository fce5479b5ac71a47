"""The map's flattened outlines, and what a click on them needs, without numpy, shapely or svgelements.

Their JSON form is keyed by the SVG's checksum; app.storage.map_cache finds the one that matches the map (shipped
or cached) and writes the cache. The rings are exactly the polygons regions.py computes with shapely, and each
region carries what regions.py computed for it (centroid, anchor, area, arrow-key neighbours): OutlineLocator
hit-tests and places labels from them in plain Python, so opening a client and clicking the map load none of the
heavy libraries, nor do the plan's map image and `backmap regions`; only a brush stroke's coverage asks regions.py.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from app.domain.region_specs import MAP_VERSION, SPECS_BY_ID, RegionKind, Side

XY = tuple[float, float]
Ring = tuple[XY, ...]
Direction = Literal["left", "right", "up", "down"]
FORMAT = "backmap-map-outlines"
FORMAT_VERSION = 3


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """One row of the catalogue; coordinates and area are in map px (y grows downward)."""

    id: str
    name: str
    kind: RegionKind
    side: Side
    centroid: XY
    anchor: XY  # always inside the region: where to click it, where to put its label
    area: float


@dataclass(frozen=True, slots=True)
class RegionOutline:
    id: str
    kind: RegionKind
    rings: tuple[Ring, ...]  # exterior first, then any holes; map px
    centroid: XY
    anchor: XY
    area: float
    neighbours: tuple[tuple[Direction, str], ...]  # where the arrow keys go, in screen directions


@dataclass(frozen=True, slots=True)
class MapOutlines:
    svg_checksum: str
    width: float
    height: float
    outline: tuple[Ring, ...]  # the body outline (head, arms and back), as one polygon
    regions: tuple[RegionOutline, ...]  # in the order of region_specs.REGION_SPECS

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "map_version": MAP_VERSION,
            "svg_checksum": self.svg_checksum,
            "view_box": [self.width, self.height],
            "outline": [list(map(list, ring)) for ring in self.outline],
            "regions": [
                {
                    "id": region.id,
                    "kind": region.kind,
                    "rings": [list(map(list, ring)) for ring in region.rings],
                    "centroid": list(region.centroid),
                    "anchor": list(region.anchor),
                    "area": region.area,
                    "neighbours": dict(region.neighbours),
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
            RegionOutline(
                region["id"],
                _kind(region["id"], region["kind"]),
                _rings(region["rings"]),
                _xy(region["centroid"]),
                _xy(region["anchor"]),
                float(region["area"]),
                _neighbours(region["neighbours"]),
            )
            for region in document["regions"]
        )
        return cls(str(document["svg_checksum"]), float(width), float(height), _rings(document["outline"]), regions)

    def matches(self, checksum: str) -> bool:
        """Made from the map of this checksum, for the regions the table has now."""
        return self.svg_checksum == checksum and {region.id for region in self.regions} == set(SPECS_BY_ID)


def _kind(region_id: str, kind: str) -> RegionKind:
    expected = SPECS_BY_ID[region_id].kind  # KeyError for an id the table no longer has
    if kind != expected:
        raise ValueError(f"region {region_id!r} is of kind {kind!r}, not {expected!r}")
    return expected


def _rings(raw: Any) -> tuple[Ring, ...]:
    return tuple(tuple(_xy(point) for point in ring) for ring in raw)


def _xy(raw: Any) -> XY:
    x, y = raw
    return float(x), float(y)


def _neighbours(raw: Any) -> tuple[tuple[Direction, str], ...]:
    found: list[tuple[Direction, str]] = []
    for direction, region_id in raw.items():
        if direction not in get_args(Direction) or region_id not in SPECS_BY_ID:
            raise ValueError(f"no arrow key {direction!r} to a region {region_id!r}")
        found.append((direction, region_id))
    return tuple(found)


def svg_checksum(svg_path: Path) -> str:
    """The SVG's size and CRC-32: they tell an edited map from the one the outlines were made from (whoever could
    forge a match could edit the outlines as well), and zlib is loaded already where hashlib would load OpenSSL
    (~3 MiB resident) at every start."""
    data = svg_path.read_bytes()
    return f"{len(data)}-{zlib.crc32(data):08x}"


def build_outlines(svg_path: Path) -> MapOutlines:
    """The outlines computed from the SVG itself (imports the heavy geometry libraries)."""
    from app.domain.regions import load_region_map

    region_map = load_region_map(svg_path)
    return MapOutlines(
        svg_checksum=svg_checksum(svg_path),
        width=region_map.width,
        height=region_map.height,
        outline=_as_rings(region_map.outline_rings()),
        regions=tuple(
            RegionOutline(
                info.id,
                info.kind,
                _as_rings(region_map.rings(info.id)),
                info.centroid,
                info.anchor,
                info.area,
                tuple(region_map.neighbours(info.id).items()),
            )
            for info in region_map.catalogue
        ),
    )


def _as_rings(rings: list[list[XY]]) -> tuple[Ring, ...]:
    return tuple(tuple(ring) for ring in rings)


def pick_region(
    near_points: Sequence[tuple[float, float, str]], area: str | None, anchors: Mapping[str, XY], at: XY
) -> str | None:
    """The hit test's choice, for the locator and regions.py alike: of the points within reach (distance to the
    circle, distance to its centre, id), the nearest wins over the area under the click, except where the click
    is nearer that area's anchor than the point's centre.

    The exception keeps a small area clickable next to its points: at the default window size the 24-px reach
    of the two base-of-skull points covered 93 % of each side of the neck.
    """
    if near_points:
        distance, to_centre, point_id = min(near_points)
        if distance == 0 or area is None or to_centre <= math.dist(anchors[area], at):
            return point_id
    return area


Box = tuple[float, float, float, float]  # min x, min y, max x, max y


class RegionHitTest:
    """The hit test both locators share (RegionMap with shapely, OutlineLocator without): bounding boxes first —
    a hover calls it on every mouse move and most shapes are far away — then a point within `tolerance` of its
    circle, as pick_region chooses, else the area holding (x, y). A subclass says how far a point region is and
    whether an area holds (x, y)."""

    def __init__(self, catalogue: Sequence[RegionInfo], boxes: Mapping[str, Box]) -> None:
        self._info_by_id = {info.id: info for info in catalogue}
        self._anchors = {info.id: info.anchor for info in catalogue}
        self._boxes = dict(boxes)
        self._point_ids = [info.id for info in catalogue if info.kind == "point"]
        self._area_ids = [info.id for info in catalogue if info.kind != "point"]

    def info(self, region_id: str) -> RegionInfo:
        """The catalogue row of `region_id`; KeyError naming it when the map has no such region."""
        try:
            return self._info_by_id[region_id]
        except KeyError:
            raise KeyError(f"the map has no region {region_id!r}") from None

    def hit_test(self, x: float, y: float, tolerance: float = 0.0) -> str | None:
        """The region at map px (x, y): a point within `tolerance` of its circle, else the area holding (x, y);
        None on the head, arms or outside."""
        near_points: list[tuple[float, float, str]] = []
        for point_id in self._point_ids:
            if self._near_box(point_id, x, y, tolerance):
                distance = self._distance(point_id, x, y)
                if distance <= tolerance:
                    near_points.append((distance, math.dist(self._info_by_id[point_id].centroid, (x, y)), point_id))
        return pick_region(near_points, self._area_at(x, y), self._anchors, (x, y))

    def _area_at(self, x: float, y: float) -> str | None:
        for area_id in self._area_ids:
            if self._near_box(area_id, x, y, 0.0) and self._holds(area_id, x, y):
                return area_id
        return None

    def _near_box(self, region_id: str, x: float, y: float, margin: float) -> bool:
        min_x, min_y, max_x, max_y = self._boxes[region_id]
        return min_x - margin <= x <= max_x + margin and min_y - margin <= y <= max_y + margin

    def _distance(self, region_id: str, x: float, y: float) -> float:
        """How far (x, y) is from the region (0 inside it)."""
        raise NotImplementedError

    def _holds(self, region_id: str, x: float, y: float) -> bool:
        """Whether the area `region_id` holds (x, y), its edge included."""
        raise NotImplementedError


class OutlineLocator(RegionHitTest):
    """The map's hit test, catalogue rows and arrow-key neighbours from the cached outlines, in plain Python
    (ray casting over the rings); a brush stroke's coverage loads regions.py (shapely) on first use."""

    def __init__(self, regions: Sequence[RegionOutline], svg_path: Path | None = None) -> None:
        self._svg_path = svg_path
        self._regions = {region.id: region for region in regions}
        self.catalogue: tuple[RegionInfo, ...] = tuple(
            RegionInfo(
                region.id,
                SPECS_BY_ID[region.id].name,
                region.kind,
                SPECS_BY_ID[region.id].side,
                region.centroid,
                region.anchor,
                region.area,
            )
            for region in regions
        )
        super().__init__(self.catalogue, {region.id: _bounds(region.rings) for region in regions})

    def neighbours(self, region_id: str) -> dict[Direction, str]:
        self.info(region_id)  # KeyError naming an id the map lacks
        return dict(self._regions[region_id].neighbours)

    def _distance(self, region_id: str, x: float, y: float) -> float:
        return _distance(self._regions[region_id].rings, x, y)

    def _holds(self, region_id: str, x: float, y: float) -> bool:
        return _inside(self._regions[region_id].rings, x, y)

    def coverage(self, points: Sequence[XY], width: float) -> dict[str, float]:
        """RegionMap.coverage: a stroke's area needs real geometry (shapely, loaded here once)."""
        from app.domain.regions import load_region_map

        return load_region_map(self._svg_path).coverage(points, width)


def _bounds(rings: Sequence[Ring]) -> Box:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(rings: Sequence[Ring], x: float, y: float) -> bool:
    """Even-odd ray casting over every ring (so holes are out)."""
    inside = False
    for ring in rings:
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
            x0, y0 = x1, y1
    return inside


def _distance(rings: Sequence[Ring], x: float, y: float) -> float:
    """From (x, y) to the shape: 0 inside, else to the nearest edge."""
    if _inside(rings, x, y):
        return 0.0
    nearest = math.inf
    for ring in rings:
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            dx, dy = x1 - x0, y1 - y0
            length = dx * dx + dy * dy
            t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length))
            nearest = min(nearest, math.hypot(x - x0 - t * dx, y - y0 - t * dy))
            x0, y0 = x1, y1
    return nearest


def simplified(ring: Ring, tolerance: float) -> Ring:
    """`ring` without the corners that stray less than `tolerance` from the line between the corners kept around
    them (Douglas-Peucker, from the ring's first corner and the one farthest from it, which both stay)."""
    if len(ring) < 4:
        return ring
    closed = (*ring, ring[0])
    farthest = max(range(len(ring)), key=lambda index: math.dist(ring[0], ring[index]))
    kept = {0, farthest}
    pending = [(0, farthest), (farthest, len(ring))]
    while pending:
        start, end = pending.pop()
        (x0, y0), (x1, y1) = closed[start], closed[end]
        length = math.hypot(x1 - x0, y1 - y0)
        worst, at = tolerance, None
        for index in range(start + 1, end):
            x, y = closed[index]
            off = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length if length else math.hypot(x - x0, y - y0)
            if off > worst:
                worst, at = off, index
        if at is not None:
            kept.add(at)
            pending += [(start, at), (at, end)]
    return tuple(ring[index] for index in sorted(kept))
