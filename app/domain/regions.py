"""The back map's geometry: the regions of assets/back_regions.svg as shapely polygons, and what the map can
answer about them (catalogue, hit test, stroke coverage, arrow-key neighbours).

The SVG is read by svgelements (transforms, curves and circles are resolved there), every shape is flattened
to a polygon once, and the same polygons serve the hit test and, through map_outlines, the drawn overlay.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import shapely
import svgelements
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import nearest_points

from app.domain.map_outlines import Box, RegionHitTest
from app.domain.map_outlines import Direction as Direction  # re-exported: the catalogue's types live there
from app.domain.map_outlines import RegionInfo as RegionInfo
from app.domain.region_specs import MAP_VERSION, REGION_SPECS, SPECS_BY_ID
from app.errors import BackmapError
from app.resources import map_svg_path

XY = tuple[float, float]
Ring = list[XY]

OUTLINE_ID = "outline"
# How far a flattened curve may stray from the true one, in px: invisible at any zoom the app offers.
_FLATNESS = 0.05
# A circle is four arcs: 64 points in all.
_ARC_STEPS = 16
# Coordinates are kept at 1/100 px: far below what anyone can see or click, and the JSON outline cache stays
# small and exact (the same decimal numbers round-trip).
_DECIMALS = 2
# With nothing straight ahead, an arrow key moves to a region whose nearest edge lies within this angle.
_NAVIGATION_HALF_ANGLE = math.radians(40)
_SCREEN_DIRECTIONS: dict[Direction, XY] = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


# How far an area's anchor keeps from any pressure point, in map px, best first: the UI's 24-screen-pixel point
# tolerance down to a 2/3 zoom of the map, then at full size, then half of it for the smallest areas.
ANCHOR_CLEARANCES = (36.0, 24.0, 12.0)
ANCHOR_PATCH_AREA = 25.0  # px²: at least a 5 x 5 patch to aim at


class RegionMap(RegionHitTest):
    """The map's regions as polygons. Build it with load_region_map(), which loads each SVG once."""

    def __init__(
        self,
        width: float,
        height: float,
        outline: Polygon,
        polygons: Mapping[str, Polygon],
        parts: Mapping[str, Polygon],
    ) -> None:
        self.width = width
        self.height = height
        self.outline = outline
        self.polygons: Mapping[str, Polygon] = MappingProxyType(dict(polygons))
        # Drawn shapes that are not regions (head, arms): a click there selects nothing.
        self.parts: Mapping[str, Polygon] = MappingProxyType(dict(parts))
        for polygon in (outline, *polygons.values()):
            shapely.prepare(polygon)
        points = [polygons[spec.id] for spec in REGION_SPECS if spec.kind == "point"]
        point_halos = [
            shapely.union_all([point.buffer(clearance) for point in points]) for clearance in ANCHOR_CLEARANCES
        ]
        self.catalogue: tuple[RegionInfo, ...] = tuple(self._info(spec.id, point_halos) for spec in REGION_SPECS)
        super().__init__(self.catalogue, {region_id: _box(polygon) for region_id, polygon in polygons.items()})
        self._neighbours = {info.id: self._find_neighbours(info.id) for info in self.catalogue}

    def _info(self, region_id: str, point_halos: Sequence[Polygon]) -> RegionInfo:
        spec = SPECS_BY_ID[region_id]
        polygon = self.polygons[region_id]
        centroid = polygon.centroid
        # An area's anchor keeps clear of the points on it, whose hit halo wins a click there: as far as the
        # area allows, keeping a patch big enough to aim at.
        clear = polygon
        if spec.kind != "point":
            clear = next(
                (rest for halo in point_halos if (rest := polygon.difference(halo)).area >= ANCHOR_PATCH_AREA),
                polygon,
            )
        anchor = clear.representative_point()
        return RegionInfo(
            id=spec.id,
            name=spec.name,
            kind=spec.kind,
            side=spec.side,
            centroid=(centroid.x, centroid.y),
            anchor=(anchor.x, anchor.y),
            area=polygon.area,
        )

    def _distance(self, region_id: str, x: float, y: float) -> float:
        return float(self.polygons[region_id].distance(Point(x, y)))

    def _holds(self, region_id: str, x: float, y: float) -> bool:
        # intersects, not contains: a click exactly on a shared edge still selects (the first in order).
        return bool(shapely.intersects_xy(self.polygons[region_id], x, y))

    def coverage(self, points: Sequence[XY], width: float) -> dict[str, float]:
        """For a freehand stroke (a polyline in map px, drawn `width` px wide): the fraction of each region's
        area it covers, for the regions it touches."""
        if not points:
            raise BackmapError("a stroke needs at least one point")
        if not width > 0:
            raise BackmapError(f"a stroke's width must be positive, not {width}")
        path = Point(points[0]) if len(points) == 1 else LineString(points)
        stroke = path.buffer(width / 2)
        shapely.prepare(stroke)
        fractions: dict[str, float] = {}
        for info in self.catalogue:
            polygon = self.polygons[info.id]
            if shapely.intersects(stroke, polygon):
                covered = shapely.intersection(stroke, polygon).area / info.area
                if covered > 0:
                    fractions[info.id] = min(covered, 1.0)
        return fractions

    def neighbours(self, region_id: str) -> dict[Direction, str]:
        """Where the arrow keys go from `region_id`, in screen directions (the viewer's left and right)."""
        self.info(region_id)
        return dict(self._neighbours[region_id])

    def rings(self, region_id: str) -> list[Ring]:
        """The region's flattened rings (exterior first, then any holes), as drawn and as hit-tested."""
        return polygon_rings(self.polygons[region_id])

    def outline_rings(self) -> list[Ring]:
        return polygon_rings(self.outline)

    def _navigation_point(self, region_id: str) -> Point:
        # The centroid, unless the shape is so concave that it falls outside; the anchor is always inside.
        polygon = self.polygons[region_id]
        centroid = polygon.centroid
        return centroid if polygon.contains(centroid) else polygon.representative_point()

    def _find_neighbours(self, region_id: str) -> dict[Direction, str]:
        """An area looks ahead from its navigation point. A point moves like the area it sits on (its
        home), without stepping back onto the point, except toward the home's middle: that key enters it."""
        if SPECS_BY_ID[region_id].kind != "point":
            return self._look_ahead(region_id, skip=region_id)
        centre = self.polygons[region_id].centroid
        home = next((a for a in self._area_ids if shapely.intersects(self.polygons[a], centre)), None)
        if home is None:  # a point off the back (an edited map) looks ahead like an area
            return self._look_ahead(region_id, skip=region_id)
        found = self._look_ahead(home, skip=region_id)
        middle = self._navigation_point(home)
        dx, dy = middle.x - centre.x, middle.y - centre.y
        toward: Direction = ("right" if dx > 0 else "left") if abs(dx) > abs(dy) else ("down" if dy > 0 else "up")
        found[toward] = home
        return found

    def _look_ahead(self, region_id: str, skip: str) -> dict[Direction, str]:
        """For each direction, the first region straight ahead of the region's navigation point (a ray cast
        that way); if the ray meets none, the region whose nearest edge is closest within a cone, sideways
        offset counting double. Ties go to the first id in alphabetical order, so the result is stable."""
        origin = self._navigation_point(region_id)
        limit = math.tan(_NAVIGATION_HALF_ANGLE)
        others = [
            (other_id, polygon)
            for other_id, polygon in self.polygons.items()
            if other_id not in (region_id, skip) and not shapely.intersects(polygon, origin)
        ]
        reach = self.width + self.height
        found: dict[Direction, str] = {}
        for direction, (dx, dy) in _SCREEN_DIRECTIONS.items():
            ray = LineString([(origin.x, origin.y), (origin.x + dx * reach, origin.y + dy * reach)])
            ahead = [
                (round(origin.distance(shapely.intersection(ray, polygon)), 6), other_id)
                for other_id, polygon in others
                if shapely.intersects(ray, polygon)
            ]
            if ahead:
                found[direction] = min(ahead)[1]
                continue
            near: list[tuple[float, str]] = []
            for other_id, polygon in others:
                target = nearest_points(polygon, origin)[0]
                vx, vy = target.x - origin.x, target.y - origin.y
                along, across = vx * dx + vy * dy, abs(vx * dy - vy * dx)
                if along > 0 and across <= along * limit:
                    near.append((round(along + 2 * across, 6), other_id))
            if near:
                found[direction] = min(near)[1]
        return found


def _box(polygon: Polygon) -> Box:
    min_x, min_y, max_x, max_y = (float(value) for value in polygon.bounds)
    return min_x, min_y, max_x, max_y


def polygon_rings(polygon: Polygon) -> list[Ring]:
    return [[(float(x), float(y)) for x, y in ring.coords[:-1]] for ring in (polygon.exterior, *polygon.interiors)]


def _flatten(shape: svgelements.Shape) -> list[Ring]:
    """A shape's subpaths as closed rings, curves sampled; the parser has already applied the transforms."""
    rings: list[Ring] = []
    current: list[XY] = []
    for segment in svgelements.Path(shape).segments():
        if isinstance(segment, svgelements.Move):
            if len(current) > 2:
                rings.append(current)
            current = [(segment.end.x, segment.end.y)]
        elif isinstance(segment, svgelements.Close):
            if len(current) > 2:
                rings.append(current)
            current = []
        elif isinstance(segment, svgelements.Line):
            current.append((segment.end.x, segment.end.y))
        else:
            samples = segment.npoint(np.linspace(0.0, 1.0, _steps(segment) + 1)[1:])
            current.extend((float(x), float(y)) for x, y in samples)
    if len(current) > 2:
        rings.append(current)
    return [_rounded_ring(ring) for ring in rings]


def _steps(segment: svgelements.PathSegment) -> int:
    """Equal steps of t keeping a Bézier's chords within _FLATNESS of it (Wang's formula); fixed for arcs."""
    if isinstance(segment, svgelements.CubicBezier):
        degree, controls = 3, [segment.start, segment.control1, segment.control2, segment.end]
    elif isinstance(segment, svgelements.QuadraticBezier):
        degree, controls = 2, [segment.start, segment.control, segment.end]
    else:
        return _ARC_STEPS
    bend = max(
        math.hypot(a.x - 2 * b.x + c.x, a.y - 2 * b.y + c.y)
        for a, b, c in zip(controls, controls[1:], controls[2:], strict=False)
    )
    return max(1, math.ceil(math.sqrt(degree * (degree - 1) / 8 * bend / _FLATNESS)))


def _rounded_ring(ring: Iterable[XY]) -> Ring:
    out: Ring = []
    for x, y in ring:
        point = (round(x, _DECIMALS) + 0.0, round(y, _DECIMALS) + 0.0)  # + 0.0 turns -0.0 into 0.0
        if not out or out[-1] != point:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _polygon(element_id: str, rings: list[Ring]) -> Polygon:
    # Subpaths combine even-odd, so a ring inside another is a hole.
    shapes = [Polygon(ring) for ring in rings if len(ring) >= 3]
    if not shapes:
        raise BackmapError(f"the map's element {element_id!r} has no area")
    combined = shapes[0]
    for shape in shapes[1:]:
        combined = combined.symmetric_difference(shape)
    if not isinstance(combined, Polygon) or not combined.is_valid or combined.is_empty:
        reason = shapely.is_valid_reason(combined)
        raise BackmapError(f"the map's element {element_id!r} is not one simple shape ({reason})")
    return shapely.geometry.polygon.orient(combined, sign=1.0)


def _read_svg(svg_path: Path) -> RegionMap:
    try:
        svg = svgelements.SVG.parse(str(svg_path))
    except (OSError, ValueError) as error:  # ElementTree.ParseError is a SyntaxError; see below
        raise BackmapError(f"cannot read the map {svg_path}: {error}") from error
    except SyntaxError as error:
        raise BackmapError(f"the map {svg_path} is not valid SVG: {error}") from error
    version = svg.values.get("data-map-version")
    if version != MAP_VERSION:
        raise BackmapError(f"the map {svg_path} is version {version!r}; this program needs {MAP_VERSION!r}")
    polygons: dict[str, Polygon] = {}
    parts: dict[str, Polygon] = {}
    outline: Polygon | None = None
    for element in svg.elements():
        if not isinstance(element, svgelements.Shape) or not element.id:
            continue
        polygon = _polygon(element.id, _flatten(element))
        if element.id == OUTLINE_ID:
            outline = polygon
        elif element.id in SPECS_BY_ID:
            kind = element.values.get("data-kind")
            if kind != SPECS_BY_ID[element.id].kind:
                raise BackmapError(
                    f"the map's region {element.id!r} is of kind {kind!r}, not {SPECS_BY_ID[element.id].kind!r}"
                )
            polygons[element.id] = polygon
        else:
            parts[element.id] = polygon
    missing = sorted(set(SPECS_BY_ID) - set(polygons))
    if missing:
        raise BackmapError(f"the map {svg_path} lacks the regions {', '.join(missing)}")
    if outline is None:
        raise BackmapError(f"the map {svg_path} has no element with id {OUTLINE_ID!r}")
    return RegionMap(float(svg.width), float(svg.height), outline, polygons, parts)


@cache
def _load_cached(resolved: Path) -> RegionMap:
    return _read_svg(resolved)


def load_region_map(svg_path: Path | None = None) -> RegionMap:
    """The map at `svg_path` (default: the bundled one), parsed once per process and path."""
    return _load_cached((svg_path or map_svg_path()).resolve())
