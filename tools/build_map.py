"""Generates assets/back_regions.svg (the back map) and app/data/map_outlines.json (its first-paint cache).

The body is drawn as one closed outline of cubic Bézier curves (the right half, mirrored), then cut along
anatomical lines with shapely: every cut line is noded against the outline and polygonised, and each face is
named by the one seed point inside it. So the areas share their edges exactly and tile the back, from the base
of the skull to the hips, with no gaps or overlaps; head and arms are faces too, drawn but not regions.

Run it after changing the drawing:  .venv/bin/python tools/build_map.py
The output is deterministic: the same code gives byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import polygonize, unary_union

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from app.domain.map_outlines import build_outlines  # noqa: E402
from app.domain.region_specs import MAP_VERSION, REGION_SPECS, SPECS_BY_ID  # noqa: E402

XY = tuple[float, float]
Cubic = tuple[XY, XY, XY, XY]

WIDTH, HEIGHT = 600, 720
MID_X = WIDTH / 2
# How far the flattened polygons may stray from the curves, in px: invisible, and few enough vertices that the
# app parses the map quickly.
FLATNESS = 0.05
POINT_RADIUS = 7.0

# Calm, warm neutrals; the UI draws its own highlights over these.
COLOURS = {
    "area": "#efe5da",
    "scapula": "#e7dacb",
    "no_pressure": "#dfe3e8",
    "caution": "#ece0c8",
    "point": "#9a7a64",
    "halo": "#fbf8f4",
    "part": "#f6f1eb",
    "outline": "#6f6259",
    "region_line": "#cdbca9",
    "detail": "#d5c4b2",
    "label": "#5f544c",
    "caption": "#8a7d72",
}


def mirror(point: XY) -> XY:
    return (2 * MID_X - point[0], point[1])


def smooth_run(points: Sequence[XY], mirrored_start: bool = False, mirrored_end: bool = False) -> list[Cubic]:
    """Cubic Béziers through `points` (Catmull-Rom tangents). An end on the centre line gets the tangent of
    its mirror image, so the two halves join without a kink; other ends are corners."""
    cubics: list[Cubic] = []
    last = len(points) - 1
    for i in range(last):
        p0, p1 = points[i], points[i + 1]
        before = points[i - 1] if i > 0 else (mirror(points[1]) if mirrored_start else p0)
        after = points[i + 2] if i + 1 < last else (mirror(points[last - 1]) if mirrored_end else p1)
        c1 = (p0[0] + (p1[0] - before[0]) / 6, p0[1] + (p1[1] - before[1]) / 6)
        c2 = (p1[0] - (after[0] - p0[0]) / 6, p1[1] - (after[1] - p0[1]) / 6)
        cubics.append((p0, c1, c2, p1))
    return cubics


def cubic_steps(cubic: Cubic) -> int:
    """Equal steps of t that keep the chords within FLATNESS of the curve (Wang's formula)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = cubic
    bend = max(math.hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2), math.hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3))
    return max(1, math.ceil(math.sqrt(0.75 * bend / FLATNESS)))


def cubic_points(cubic: Cubic) -> list[XY]:
    """The curve sampled at equal steps of t, without its start point."""
    samples = cubic_steps(cubic)
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = cubic
    out: list[XY] = []
    for step in range(1, samples + 1):
        t = step / samples
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def flatten(cubics: Sequence[Cubic]) -> list[XY]:
    points = [cubics[0][0]]
    for cubic in cubics:
        points.extend(cubic_points(cubic))
    return points


# --- The body: the right half (the client's right, on the viewer's right), from the bottom centre up to the
# top of the head. Corners sit where runs meet: hip, armpit, the cut ends of the arm, neck and head.
HIP_LINE = [(300.0, 682.0), (365.0, 676.0), (424.0, 660.0)]
TORSO_SIDE = [
    (424.0, 660.0),
    (425.0, 620.0),
    (414.0, 560.0),
    (410.0, 500.0),
    (418.0, 440.0),
    (427.0, 385.0),
    (432.0, 342.0),
]
ARMPIT = TORSO_SIDE[-1]
ARM_INNER = [ARMPIT, (438.0, 400.0), (444.0, 470.0), (448.0, 540.0)]
ARM_END = [(448.0, 540.0), (470.0, 548.0), (492.0, 540.0)]
ARM_OUTER_TO_NECK = [
    (492.0, 540.0),
    (495.0, 460.0),
    (490.0, 380.0),
    (476.0, 290.0),
    (458.0, 262.0),
    (430.0, 244.0),
    (392.0, 229.0),
    (360.0, 213.0),
    (344.0, 196.0),
    (340.0, 176.0),
    (343.0, 160.0),
]
# Behind the jaw and round the skull in one smooth run: a plain, calm head (ears would only add noise).
HEAD = [
    (343.0, 160.0),
    (351.0, 140.0),
    (357.0, 110.0),
    (356.0, 82.0),
    (346.0, 53.0),
    (326.0, 35.0),
    (300.0, 29.0),
]


def body_outline() -> list[Cubic]:
    """The whole silhouette as one closed run of cubics: the right half, then its mirror image reversed."""
    right = [
        *smooth_run(HIP_LINE, mirrored_start=True),
        *smooth_run(TORSO_SIDE),
        *smooth_run(ARM_INNER),
        *smooth_run(ARM_END),
        *smooth_run(ARM_OUTER_TO_NECK),
        *smooth_run(HEAD, mirrored_end=True),
    ]
    left = [(mirror(d), mirror(c), mirror(b), mirror(a)) for a, b, c, d in reversed(right)]
    return right + left


# --- Cut lines, on the right half unless said otherwise; each overshoots the lines it ends on a little, so
# noding finds the crossing (the overshoot is a dangle that polygonize drops).
def smooth_line(points: Sequence[XY]) -> LineString:
    return LineString(flatten(smooth_run(points)))


SPINE_HALF_WIDTH = 7.0
SKULL_BASE = smooth_line([(240.0, 172.0), (270.0, 164.0), (300.0, 160.0), (330.0, 164.0), (360.0, 172.0)])
SACRUM_TOP = smooth_line([(264.0, 599.0), (300.0, 593.0), (336.0, 599.0)])
RIGHT_CUTS = {
    "spine_edge": LineString([(300 + SPINE_HALF_WIDTH, 150.0), (300 + SPINE_HALF_WIDTH, 604.0)]),
    "neck_base": smooth_line([(304.0, 213.0), (330.0, 209.0), (346.0, 201.0), (360.0, 190.0)]),
    "trapezius_lower": smooth_line(
        [(304.0, 262.0), (340.0, 266.0), (380.0, 268.0), (420.0, 266.0), (446.0, 264.0), (455.0, 263.0)]
    ),
    # The back of the shoulder: acromion down to the armpit, where the arm leaves the back.
    "arm": LineString([(446.0, 240.0), *flatten(smooth_run([(448.0, 260.0), (450.0, 285.0), (443.0, 318.0), ARMPIT]))]),
    "scapula_medial": smooth_line([(355.0, 258.0), (354.0, 290.0), (354.0, 340.0), (360.0, 385.0), (374.0, 412.0)]),
    "scapula_lateral": smooth_line([(374.0, 412.0), (392.0, 386.0), (414.0, 356.0), (446.0, 316.0)]),
    "rhomboid_lower": smooth_line([(304.0, 400.0), (340.0, 404.0), (374.0, 412.0)]),
    "paraspinal_lateral": smooth_line(
        [(338.0, 396.0), (340.0, 450.0), (341.0, 520.0), (341.0, 580.0), (345.0, 640.0), (349.0, 700.0)]
    ),
    "lower_ribs": smooth_line([(304.0, 505.0), (340.0, 510.0), (380.0, 520.0), (420.0, 530.0), (446.0, 534.0)]),
    "sacrum_side": smooth_line([(331.0, 594.0), (327.0, 625.0), (316.0, 656.0), (306.0, 692.0)]),
}

# One point inside each face; names that are not region ids are the drawn parts.
RIGHT_SEEDS: dict[str, XY] = {
    "neck_r": (322.0, 190.0),
    "trapezius_upper_r": (390.0, 245.0),
    "rhomboid_r": (330.0, 330.0),
    "scapula_r": (395.0, 320.0),
    "latissimus_r": (390.0, 460.0),
    "paraspinal_thoracic_r": (322.0, 455.0),
    "paraspinal_lumbar_r": (322.0, 560.0),
    "lower_back_r": (380.0, 590.0),
    "arm_r": (466.0, 420.0),
}
CENTRE_SEEDS: dict[str, XY] = {"head": (300.0, 90.0), "spine": (300.0, 400.0), "sacrum": (300.0, 630.0)}

# Centres of the points (small circles over the areas).
RIGHT_POINTS: dict[str, XY] = {
    "suboccipital_r": (315.0, 169.0),
    "scapula_edge_r": (354.5, 335.0),
    "lower_back_point_r": (323.0, 566.0),
}


def left_of(mapping: dict[str, XY]) -> dict[str, XY]:
    return {name[:-2] + "_l": mirror(xy) for name, xy in mapping.items()}


def mirror_line(line: LineString) -> LineString:
    return LineString([mirror((x, y)) for x, y in line.coords])


def cut_faces(silhouette: Polygon) -> dict[str, Polygon]:
    """The silhouette cut along every line, each face named by the seed inside it (exactly one each)."""
    lines = [silhouette.exterior, SKULL_BASE, SACRUM_TOP]
    for line in RIGHT_CUTS.values():
        lines += [line, mirror_line(line)]
    faces = [face for face in polygonize(unary_union(lines)) if silhouette.contains(face.representative_point())]
    seeds = {**CENTRE_SEEDS, **RIGHT_SEEDS, **left_of(RIGHT_SEEDS)}
    named: dict[str, Polygon] = {}
    for face in faces:
        inside = [name for name, xy in seeds.items() if face.contains(Point(xy))]
        if len(inside) != 1:
            raise SystemExit(f"a face of area {face.area:.0f} near {face.centroid} holds seeds {inside}")
        named[inside[0]] = face
    missing = sorted(set(seeds) - set(named))
    if missing:
        raise SystemExit(f"seeds with no face of their own: {missing}")
    return named


def fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def ring_path(coords: Iterable[tuple[float, ...]]) -> str:
    """An SVG subpath of straight lines, coordinates at 1/100 px, repeated points dropped. It starts at its
    top-left vertex, so the text does not depend on where the geometry library happened to start the ring."""
    points: list[tuple[float, float]] = []
    for x, y in coords:
        point = (round(x, 2), round(y, 2))
        if not points or points[-1] != point:
            points.append(point)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    start = points.index(min(points, key=lambda xy: (xy[1], xy[0])))
    points = points[start:] + points[:start]
    return "M" + " L".join(f"{fmt(x)},{fmt(y)}" for x, y in points) + " Z"


def polygon_path(polygon: Polygon) -> str:
    polygon = shapely.geometry.polygon.orient(polygon, sign=1.0)
    return " ".join(ring_path(ring.coords) for ring in (polygon.exterior, *polygon.interiors))


def cubic_path(cubics: Sequence[Cubic]) -> str:
    start = cubics[0][0]
    parts = [f"M{fmt(start[0])},{fmt(start[1])}"]
    for _, c1, c2, end in cubics:
        parts.append("C" + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in (c1, c2, end)))
    return " ".join(parts) + " Z"


def details() -> list[str]:
    """Quiet anatomical cues: the spine of each shoulder blade and the iliac crests."""
    ridge = smooth_run([(357.0, 300.0), (395.0, 287.0), (426.0, 277.0), (445.0, 271.0)])
    crest = smooth_run([(416.0, 592.0), (388.0, 603.0), (358.0, 612.0), (338.0, 616.0)])
    strokes = []
    for run in (ridge, crest):
        strokes += [cubic_path(run)[:-2], cubic_path([mirrored(c) for c in run])[:-2]]
    return [
        f'<path d="{d}" fill="none" stroke="{COLOURS["detail"]}" stroke-width="2" stroke-linecap="round"/>'
        for d in strokes
    ]


def mirrored(cubic: Cubic) -> Cubic:
    a, b, c, d = cubic
    return (mirror(a), mirror(b), mirror(c), mirror(d))


def region_fill(region_id: str) -> str:
    kind = SPECS_BY_ID[region_id].kind
    if region_id.startswith("scapula_") and kind == "area":
        return COLOURS["scapula"]
    return COLOURS[kind]


def build_svg() -> str:
    outline = body_outline()
    silhouette = Polygon(flatten(outline))
    if not silhouette.is_valid:
        raise SystemExit(f"the body outline crosses itself: {shapely.is_valid_reason(silhouette)}")
    faces = cut_faces(silhouette)
    points = {**RIGHT_POINTS, **left_of(RIGHT_POINTS)}

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" data-map-version="{MAP_VERSION}">',
        "<title>Back map: regions of the back, seen from behind</title>",
        "<desc>Generated by tools/build_map.py; edit that script, not this file.</desc>",
        '<g id="parts">',
    ]
    for part in ("head", "arm_l", "arm_r"):
        out.append(f'<path id="{part}" fill="{COLOURS["part"]}" d="{polygon_path(faces[part])}"/>')
    out.append("</g>")
    out.append('<g id="regions">')
    for spec in REGION_SPECS:
        if spec.kind == "point":
            continue
        out.append(
            f'<path id="{spec.id}" data-kind="{spec.kind}" fill="{region_fill(spec.id)}" '
            f'd="{polygon_path(faces[spec.id])}"><title>{spec.name}</title></path>'
        )
    out.append("</g>")
    out.append(f'<g id="details" fill="none" stroke="{COLOURS["region_line"]}" stroke-width="1">')
    out.append(f'<path d="{region_lines(faces, silhouette)}" stroke-linejoin="round"/>')
    out += details()
    out.append("</g>")
    out.append(
        f'<path id="outline" d="{cubic_path(outline)}" fill="none" stroke="{COLOURS["outline"]}" '
        'stroke-width="2" stroke-linejoin="round"/>'
    )
    out.append('<g id="points">')
    for spec in REGION_SPECS:
        if spec.kind != "point":
            continue
        x, y = points[spec.id]
        # A pale halo lifts the point off the area under it; it is decoration, so it carries no id.
        out.append(f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(POINT_RADIUS + 2.5)}" fill="{COLOURS["halo"]}"/>')
        out.append(
            f'<circle id="{spec.id}" data-kind="point" cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(POINT_RADIUS)}" '
            f'fill="{COLOURS["point"]}"><title>{spec.name}</title></circle>'
        )
    out.append("</g>")
    text = f'font-family="DejaVu Sans, sans-serif" fill="{COLOURS["label"]}" font-size="15"'
    out += [
        f'<text id="label_left" x="24" y="44" text-anchor="start" {text}>{side_label("LEFT")}</text>',
        f'<text id="label_right" x="{WIDTH - 24}" y="44" text-anchor="end" {text}>{side_label("RIGHT")}</text>',
        f'<text id="caption" x="{fmt(MID_X)}" y="{HEIGHT - 14}" text-anchor="middle" '
        f'font-family="DejaVu Sans, sans-serif" fill="{COLOURS["caption"]}" font-size="12">'
        "seen from behind</text>",
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def side_label(side: str) -> str:
    return f'client\'s <tspan font-weight="bold">{side}</tspan>'


def region_lines(faces: dict[str, Polygon], silhouette: Polygon) -> str:
    """The shared edges between regions, for a light line between areas (the regions have no stroke)."""
    regions = [face for name, face in faces.items() if name in SPECS_BY_ID]
    edges = unary_union([face.exterior for face in regions]).intersection(silhouette.buffer(-1.0))
    merged = shapely.line_merge(edges)
    parts = list(getattr(merged, "geoms", [merged]))
    lines = []
    for part in parts:
        coords = [(round(x, 2), round(y, 2)) for x, y in part.coords]
        lines.append(min(coords, coords[::-1]))  # one direction, whatever the merge returned
    return " ".join("M" + " L".join(f"{fmt(x)},{fmt(y)}" for x, y in line) for line in sorted(lines))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--svg", type=Path, default=REPO_ROOT / "assets" / "back_regions.svg")
    parser.add_argument("--outlines", type=Path, default=REPO_ROOT / "app" / "data" / "map_outlines.json")
    args = parser.parse_args(argv)
    args.svg.write_text(build_svg(), encoding="utf-8")
    args.outlines.write_text(build_outlines(args.svg).to_json(), encoding="utf-8")
    print(f"wrote {args.svg} and {args.outlines}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
