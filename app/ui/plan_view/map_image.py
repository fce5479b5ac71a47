"""The back map as a picture of the plan: planned regions tinted by pressure, numbered in step order."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtSvg import QSvgRenderer

from app.domain.map_outlines import simplified
from app.domain.plan_wording import NEVER_WORKED, MapMark
from app.domain.region_specs import SPECS_BY_ID
from app.errors import BackmapError

if TYPE_CHECKING:
    from app.domain.map_outlines import MapOutlines
from app.ui.plan_view.style import INK, PRESSURE_COLOURS, badge_text_colour, font_family

OUTLINE_ID = "outline"
# Unplanned regions stay in the picture but quiet, so the eye goes to the numbered ones.
BASE_OPACITY = 0.5
# The printed quiet map has this many pixels per CSS pixel (1/96 inch): about 190 dpi on paper, enough for its
# faint lines (everything that must read sharply is drawn over it as vectors); finer costs the PDF more each time.
PAPER_OVERSAMPLING = 2.0
MAX_TINT_RATIO = 3.0
# How far a drawn region's outline may stray from its polygon, in the map's pixels: a hundredth of a pixel (a
# few thousandths of a millimetre on paper) drops more than half the corners, which each PDF writes as numbers.
OUTLINE_TOLERANCE_PX = 0.01
BADGE_RADIUS = 0.036  # of the map's width: big enough to read on a 6 cm printed map
SCREEN_MIN_BADGE_RADIUS = 9.0  # pixels: smaller numbers blur on a screen


def render_plan_map(
    svg_path: Path,
    marks: Sequence[MapMark],
    width: int,
    *,
    device_pixel_ratio: float = 1.0,
    badges: list[QRectF] | None = None,
) -> QImage:
    """The map `width` logical pixels wide (height from its viewBox), transparent around the body, for the
    screen; `badges`, when given, receives where each step number was drawn (in logical pixels)."""
    renderer = _renderer(svg_path)
    base, outline = _layers(str(svg_path), svg_path.stat().st_mtime_ns, width, device_pixel_ratio)
    image = base.copy()
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
    radius = max(SCREEN_MIN_BADGE_RADIUS, width * BADGE_RADIUS)
    _paint_marks(painter, renderer, svg_path, marks, width, radius, lambda: painter.drawImage(0, 0, outline), badges)
    painter.end()
    return image


def paint_plan_map(painter: QPainter, svg_path: Path, marks: Sequence[MapMark], width: float) -> None:
    """The same map on paper, `width` units wide from the painter's origin: the tints, the outline and the
    numbers as vectors (sharp on any printer), over the quiet map as a picture on white (its every line as
    half-transparent vectors made a PDF rasterise the page's map at great cost)."""
    renderer = _renderer(svg_path)
    base = _paper_base(str(svg_path), svg_path.stat().st_mtime_ns, round(width))
    painter.drawImage(QRectF(QPointF(0, 0), map_size(svg_path, width)), base)
    radius = width * BADGE_RADIUS  # sharp at any size on paper: no floor
    _paint_marks(
        painter, renderer, svg_path, marks, round(width), radius, lambda: _paint_outline(painter, renderer, width)
    )


@functools.lru_cache(maxsize=4)
def _paper_base(svg: str, modified_ns: int, width: int) -> QImage:
    """The quiet map over white paper: opaque, so a PDF holds it without a transparency mask."""
    base, _outline = _layers(svg, modified_ns, width, PAPER_OVERSAMPLING)
    paper = QImage(base.size(), QImage.Format.Format_RGB32)
    paper.setDevicePixelRatio(PAPER_OVERSAMPLING)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(QPointF(0, 0), base)
    painter.end()
    return paper


def map_size(svg_path: Path, width: float) -> QSizeF:
    """The map's size when drawn `width` wide (its height from the viewBox)."""
    view = _renderer(svg_path).viewBoxF()
    return QSizeF(width, view.height() * width / view.width())


def _renderer(svg_path: Path) -> QSvgRenderer:
    renderer = _parsed(str(svg_path), svg_path.stat().st_mtime_ns)
    if not renderer.isValid():
        raise BackmapError(f"cannot read the back map {svg_path}")
    return renderer


@functools.lru_cache(maxsize=4)
def _parsed(svg: str, _modified_ns: int) -> QSvgRenderer:
    """The map parsed once per file (and again when it changes)."""
    return QSvgRenderer(svg)


def _paint_marks(
    painter: QPainter,
    renderer: QSvgRenderer,
    svg_path: Path,
    marks: Sequence[MapMark],
    width: int,
    radius: float,
    paint_outline: Callable[[], None],
    badges: list[QRectF] | None = None,
) -> None:
    """Over the quiet map: the planned regions tinted, the outline over the tints, then the step numbers on
    badges of `radius`."""
    view = renderer.viewBoxF()
    scale = width / view.width()

    def on_map(element_id: str) -> QRectF:
        # The element's bounds in the SVG's user space, then in the map's logical units.
        bounds = renderer.transformForElement(element_id).mapRect(renderer.boundsOnElement(element_id))
        return QRectF(
            (bounds.x() - view.x()) * scale,
            (bounds.y() - view.y()) * scale,
            bounds.width() * scale,
            bounds.height() * scale,
        )

    drawn = [mark for mark in marks if mark.region not in NEVER_WORKED and renderer.elementExists(mark.region)]
    outlines = _outlines(str(svg_path), svg_path.stat().st_mtime_ns)
    view_box = (view.x(), view.y(), view.width(), view.height())
    paths = _region_paths(str(svg_path), svg_path.stat().st_mtime_ns, width, view_box) if outlines else {}
    for mark in drawn:
        colour = QColor(PRESSURE_COLOURS[mark.level])
        if mark.region in paths:
            painter.fillPath(paths[mark.region], colour)
        else:  # a map the region model cannot read: tint the element as the SVG draws it
            _tint(painter, renderer, mark.region, on_map(mark.region), colour)
    paint_outline()
    anchors = {region.id: region.anchor for region in outlines.regions} if outlines is not None else {}
    # Points first: their badges sit beside them; an area's badge then takes its anchor or the nearest free place.
    taken: list[QRectF] = [] if badges is None else badges
    for mark in sorted(drawn, key=lambda mark: SPECS_BY_ID[mark.region].kind != "point"):
        bounds = on_map(mark.region)
        if SPECS_BY_ID[mark.region].kind == "point":
            _point_badge(painter, bounds, width / 2, mark.badge, radius, taken)
        else:
            # The region's anchor: always inside it and clear of the points on it, unlike its bounds' centre.
            anchor = anchors.get(mark.region)
            centre = (
                bounds.center()
                if anchor is None
                else QPointF((anchor[0] - view.x()) * scale, (anchor[1] - view.y()) * scale)
            )
            _badge(painter, _free_place(centre, mark.badge, radius, taken), mark.badge, radius, taken)


@functools.lru_cache(maxsize=8)
def _layers(svg: str, _modified_ns: int, width: int, ratio: float) -> tuple[QImage, QImage]:
    """The quiet map under the tints and its outline over them, drawn once per map file, size and screen."""
    renderer = _parsed(svg, _modified_ns)
    size = map_size(Path(svg), width)
    layers = []
    for part in ("base", "outline"):
        image = QImage(round(width * ratio), round(size.height() * ratio), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        if part == "base":
            painter.setOpacity(BASE_OPACITY)
            renderer.render(painter, QRectF(QPointF(0, 0), size))
        else:
            _paint_outline(painter, renderer, width)
        painter.end()
        layers.append(image)
    return layers[0], layers[1]


def _paint_outline(painter: QPainter, renderer: QSvgRenderer, width: float) -> None:
    """The body's outline alone, where the whole map `width` wide puts it (a map without one draws nothing)."""
    if not renderer.elementExists(OUTLINE_ID):
        return
    view = renderer.viewBoxF()
    scale = width / view.width()
    bounds = renderer.transformForElement(OUTLINE_ID).mapRect(renderer.boundsOnElement(OUTLINE_ID))
    target = QRectF(
        (bounds.x() - view.x()) * scale,
        (bounds.y() - view.y()) * scale,
        bounds.width() * scale,
        bounds.height() * scale,
    )
    renderer.render(painter, OUTLINE_ID, target)


@functools.lru_cache(maxsize=8)
def _region_paths(
    svg: str, _modified_ns: int, width: int, view_box: tuple[float, float, float, float]
) -> dict[str, QPainterPath]:
    """Every region's outline as a path on a map `width` pixels wide, built once per map file and size."""
    outlines = _outlines(svg, _modified_ns)
    if outlines is None:
        return {}
    view = QRectF(*view_box)
    scale = width / view.width()
    tolerance = OUTLINE_TOLERANCE_PX / scale  # in the SVG's units
    return {
        region.id: _path([simplified(ring, tolerance) for ring in region.rings], view, scale)
        for region in outlines.regions
    }


@functools.lru_cache(maxsize=4)
def _outlines(svg: str, _modified_ns: int) -> MapOutlines | None:
    """The map's regions as rings (anchors, outlines), from the outlines the map's first paint reads too (no
    shapely); None for a map the region model cannot read."""
    from app.storage.map_cache import load_map_outlines

    try:
        return load_map_outlines(Path(svg))
    except BackmapError:
        return None


def _path(rings: Sequence[Sequence[tuple[float, float]]], view: QRectF, scale: float) -> QPainterPath:
    """A region's outline (SVG units) as a path in the image's logical pixels; holes stay holes."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for ring in rings:
        path.addPolygon(QPolygonF([QPointF((x - view.x()) * scale, (y - view.y()) * scale) for x, y in ring]))
        path.closeSubpath()
    return path


def _tint(painter: QPainter, renderer: QSvgRenderer, element_id: str, bounds: QRectF, colour: QColor) -> None:
    """Draws the element's own shape filled with `colour`: render it alone, then recolour what it covered.

    The layer is only as big as the element (a whole-map layer per region made the every-region plan slow)."""
    # As fine as the target (a hi-dpi screen), up to a printer's 300 dpi (a page's painter asks for more).
    ratio = min(max(1.0, painter.deviceTransform().m11()), MAX_TINT_RATIO)
    box = bounds.adjusted(-1, -1, 1, 1).toAlignedRect()
    layer = QImage(
        max(1, round(box.width() * ratio)),
        max(1, round(box.height() * ratio)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    layer.setDevicePixelRatio(ratio)
    layer.fill(Qt.GlobalColor.transparent)
    layer_painter = QPainter(layer)
    layer_painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(layer_painter, element_id, bounds.translated(-box.x(), -box.y()))
    layer_painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    layer_painter.fillRect(QRectF(0, 0, box.width(), box.height()), colour)
    layer_painter.end()
    painter.drawImage(QPointF(box.x(), box.y()), layer)


def _point_badge(
    painter: QPainter, bounds: QRectF, midline: float, text: str, radius: float, taken: list[QRectF]
) -> None:
    """A point is smaller than its badge: ring it, and put the badge beside it, away from the spine."""
    centre = bounds.center()
    ring = max(bounds.width() / 2, radius * 0.45)
    painter.setPen(QPen(QColor(INK), max(1.0, radius * 0.14)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre, ring, ring)
    outward = -1.0 if centre.x() < midline else 1.0
    beside = QPointF(centre.x() + outward * (ring + radius * 1.6), centre.y())
    badge_centre = _free_place(beside, text, radius, taken)
    painter.drawLine(QPointF(centre.x() + outward * ring, centre.y()), badge_centre)
    _badge(painter, badge_centre, text, radius, taken)


@functools.lru_cache(maxsize=8)
def _font(radius: float) -> QFont:
    """The badges' type for a map size (made once: every badge and every place tried measures with it)."""
    font = QFont(font_family())
    font.setBold(True)
    font.setPixelSize(round(radius * 1.15))
    return font


@functools.lru_cache(maxsize=8)
def _metrics(radius: float) -> QFontMetricsF:
    return QFontMetricsF(_font(radius))


def _pill(centre: QPointF, text: str, radius: float) -> QRectF:
    half_width = max(radius, _metrics(radius).horizontalAdvance(text) / 2 + radius * 0.55)
    return QRectF(centre.x() - half_width, centre.y() - radius, half_width * 2, radius * 2)


# Where to try a badge, nearest first: half a badge at a time, up to three badges away in each direction (two
# were not always enough with every region planned).
_FARTHEST = 6
_OFFSETS = sorted(
    ((dx, dy) for dx in range(-_FARTHEST, _FARTHEST + 1) for dy in range(-_FARTHEST, _FARTHEST + 1)),
    key=lambda o: o[0] ** 2 + o[1] ** 2,
)


def _free_place(wanted: QPointF, text: str, radius: float, taken: list[QRectF]) -> QPointF:
    """`wanted`, or the nearest place below, above or beside it where the badge covers no other badge."""
    step = radius + 1
    pill = _pill(wanted, text, radius)  # measured once, then moved
    # Only badges within reach of the farthest candidate can be in the way; compared as plain numbers, since
    # an every-region map tries thousands of places.
    reach = pill.adjusted(-_FARTHEST * step, -_FARTHEST * step, _FARTHEST * step, _FARTHEST * step)
    near = [(other.left(), other.top(), other.right(), other.bottom()) for other in taken if reach.intersects(other)]
    x, y, width, height = pill.x(), pill.y(), pill.width(), pill.height()
    for dx, dy in _OFFSETS:
        left, top = x + dx * step, y + dy * step
        right, bottom = left + width, top + height
        # Clear of every near badge: none overlaps it (touching is clear, as QRectF has it). A plain loop: a
        # generator per place tried made the search twice as slow.
        for x0, y0, r, b in near:
            if r > left and x0 < right and b > top and y0 < bottom:
                break
        else:
            return QPointF(left + width / 2, top + height / 2)
    return wanted


def _badge(painter: QPainter, centre: QPointF, text: str, radius: float, taken: list[QRectF]) -> None:
    """A white disc (a pill for "2,5") with the step number: readable on every shade."""
    font = _font(radius)
    pill = _pill(centre, text, radius)
    taken.append(pill)
    painter.setPen(QPen(QColor(INK), max(1.0, radius * 0.14)))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(pill, radius, radius)
    painter.setFont(font)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


def paint_step_badge(painter: QPainter, box: QRectF, order: int, level: int) -> None:
    """A step's number on a disc of its pressure shade, as in the step list (for the printed plan)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(PRESSURE_COLOURS[level]))
    painter.drawEllipse(box)
    font = QFont(font_family())
    font.setBold(True)
    font.setPixelSize(round(box.height() * 0.5))
    painter.setFont(font)
    painter.setPen(QColor(badge_text_colour(level)))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(order))
    painter.restore()
