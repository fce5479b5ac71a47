"""BodyMapView: the back map as a QGraphicsView. It shows state and emits intents; it decides nothing.

Scene coordinates are the SVG's px, so the domain's polygons, hit test and strokes need no conversion.
The first paint uses only the cached outlines; the locator (hit test, neighbours, anchors: the domain's
OutlineLocator, plain Python over the same outlines) is asked for lazily, after the window is up or at the first
click. Only a brush stroke's coverage loads shapely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from app.domain.map_outlines import Direction, RegionInfo, RegionOutline
from app.domain.records import Quality
from app.domain.region_specs import SPECS_BY_ID
from app.ui.body_map import palette
from app.ui.body_map.qualities import QUALITY_SYMBOLS

POINT_TOLERANCE_PX = 24.0  # screen pixels within which a click reaches a pressure point (DESIGN.md)
TEN_KEY = Qt.Key.Key_T  # "T for ten": digits give 0-9
CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
NOT_ASSESSED_KEY_VALUE = -1  # what tensionKeyPressed carries for Delete: "not assessed"
STROKE_ALPHA = 110  # a stroke as it is drawn
SETTLED_STROKE_ALPHA = 40  # once done it fades to a trace, so the marks it gave stay readable
FADE_MS = 1200
FLASH_MS = 1500
PAPER = QColor(
    "#ffffff"
)  # what a number off the back is read against  # how long the regions a stroke marked stay outlined
_ARROWS: dict[Qt.Key, Direction] = {
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
}


def tension_for_key(event: QKeyEvent) -> int | None:
    """The tension a key gives the selected region, on the map and in the region list alike: 0-9, T for 10,
    Delete for "not assessed" (NOT_ASSESSED_KEY_VALUE); None for any other key (or with Ctrl: a shortcut)."""
    key = Qt.Key(event.key())
    if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return None
    if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
        return key - Qt.Key.Key_0
    if key == TEN_KEY:
        return 10
    if key in CLEAR_KEYS:
        return NOT_ASSESSED_KEY_VALUE
    return None


def arrow_target(current: str, direction: Direction, neighbours: Mapping[Direction, str]) -> str:
    """Where an arrow key takes the selection. Left or right from one side of the back goes to the same region
    on the other side, across the spine strip rather than onto it (the spine is reached by Up and Down)."""
    target = neighbours.get(direction, current)
    side = SPECS_BY_ID[current].side
    if direction in ("left", "right") and side != "centre" and SPECS_BY_ID[target].side == "centre":
        return current[:-1] + ("r" if side == "left" else "l")
    return target


class RegionLocator(Protocol):
    """What the map needs from the domain: app.domain.map_outlines.OutlineLocator (or regions.RegionMap)."""

    def hit_test(self, x: float, y: float, tolerance: float = 0.0) -> str | None: ...

    def neighbours(self, region_id: str) -> Mapping[Direction, str]: ...

    def info(self, region_id: str) -> RegionInfo: ...

    def coverage(self, points: Sequence[tuple[float, float]], width: float) -> dict[str, float]: ...


@dataclass(frozen=True, slots=True)
class StrokeShape:
    points: Sequence[tuple[float, float]]
    width: float
    tension: int


def _path_from_rings(rings: Sequence[Sequence[tuple[float, float]]]) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for ring in rings:
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in ring]))
        path.closeSubpath()
    return path


class _RegionItem(QGraphicsPathItem):
    def __init__(self, outline: RegionOutline) -> None:
        super().__init__(_path_from_rings(outline.rings))
        self.outline = outline
        self.name = SPECS_BY_ID[outline.id].name
        self.setZValue(2 if outline.kind == "point" else 1)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setToolTip(self.name)
        self.setAcceptHoverEvents(False)  # the view hit-tests with the domain's polygons, not Qt's shapes
        # A tension key repaints the area of one region, where its neighbours' antialiased outlines overlap: they
        # blit from a pixmap at device resolution instead of being filled again (re-made on zoom, so crisp).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class BodyMapView(QGraphicsView):
    regionClicked = Signal(str)
    regionHovered = Signal(str)  # "" when the pointer leaves every region
    tensionKeyPressed = Signal(int)  # 0-10, or -1 for "not assessed"
    strokeDrawn = Signal(list, float)  # points [(x, y), ...] in map px, brush width in map px
    regionMenuRequested = Signal(str, QPoint)  # a right-click (or the menu key) on a region: it, and where (global)

    def __init__(
        self,
        svg_path: str,
        outlines: Sequence[RegionOutline],
        locator: Callable[[], RegionLocator],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._locator_factory = locator
        self._locator: RegionLocator | None = None
        self._renderer = QSvgRenderer(svg_path, self)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._svg = QGraphicsSvgItem()
        self._svg.setSharedRenderer(self._renderer)
        # The picture never changes: a pixmap at device resolution (re-made on zoom, so crisp at every zoom and DPI)
        # repaints in a blit rather than rendering the SVG again on every repaint of the map.
        self._svg.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._scene.addItem(self._svg)
        self._scene.setSceneRect(QRectF(self._renderer.viewBoxF()))
        self._items: dict[str, _RegionItem] = {}
        for outline in outlines:
            item = _RegionItem(outline)
            self._scene.addItem(item)
            self._items[outline.id] = item
        self._labels: dict[str, QGraphicsSimpleTextItem] = {}
        self._label_over: dict[str, str | None] = {}  # a shown label's region -> the region under it (None: paper)
        self._stroke_items: list[QGraphicsPathItem] = []
        self._strokes: list[StrokeShape] = []  # what _stroke_items draw
        self._fills: dict[str, QColor] = {}
        self._label_texts: dict[str, str] = {}
        self._dashed: frozenset[str] = frozenset()
        self._qualities: dict[str, str] = {}  # region -> the symbol line under its number
        self._withheld: dict[str, QGraphicsPathItem] = {}
        self._hovered: str | None = None
        self._selected: str | None = None
        self._flashing: frozenset[str] = frozenset()
        self._brush_width: float | None = None
        self._brush_tension = 5
        self._live_stroke: list[tuple[float, float]] = []
        self._live_item: QGraphicsPathItem | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Back map")
        self.viewport().setAccessibleName("Back map drawing")
        self.setAccessibleDescription(
            "Map of the client's back. Arrow keys select the next region; 0 to 9 set its tension, T sets 10, "
            "Delete clears it. The region list beside it mirrors the map."
        )
        self.setMinimumSize(240, 320)
        self._repaint_regions()

    # ---- what the view shows -------------------------------------------------------------------
    def region_ids(self) -> list[str]:
        return list(self._items)

    def selected_region(self) -> str | None:
        return self._selected

    def shown(self, region_id: str) -> tuple[QColor | None, str]:
        """The fill and the label a region shows now (what a user reads off the map)."""
        return self._fills.get(region_id), self._label_text(region_id)

    def set_selected(self, region_id: str | None) -> None:
        before = self._selected
        self._selected = region_id
        self._restyle({before, region_id})  # the same region again (an edit of it): restyled once

    def set_marks(self, active: Mapping[str, int], other: Mapping[str, int]) -> None:
        """Tension per region in the layer being edited, and in the other layer (in brackets, dashed outline)."""
        fills = {region: palette.tension_colour(tension) for region, tension in active.items()}
        labels: dict[str, str] = {}
        for region in {*active, *other}:
            mine, theirs = active.get(region), other.get(region)
            text = "" if mine is None else str(mine)
            if theirs is not None:
                text = f"{text} ({theirs})".strip()
            labels[region] = text
        self.set_overlay(fills, labels, dashed=set(other) - set(active))

    def set_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None:
        """What the marks feel like: the layer being edited, else the other layer's in brackets (as the numbers)."""
        symbols = {region: f"({QUALITY_SYMBOLS[quality]})" for region, quality in other.items()}
        symbols.update({region: QUALITY_SYMBOLS[quality] for region, quality in active.items()})
        if symbols == self._qualities:
            return  # a tension key leaves what the marks feel like as it was: nothing to redo
        self._qualities = symbols
        self._place_labels()  # the symbols are in the labels; the fills and outlines are as they were

    def _label_text(self, region_id: str) -> str:
        """The number(s), and under them the symbol of what it feels like."""
        return "\n".join(line for line in (self._label_texts.get(region_id), self._qualities.get(region_id)) if line)

    def set_overlay(
        self, fills: Mapping[str, QColor], labels: Mapping[str, str], dashed: Set[str] = frozenset()
    ) -> None:
        """Paint regions with the caller's colours and labels (tension, differences, a heat map)."""
        before = (self._fills, self._label_texts, self._dashed)
        self._fills = dict(fills)
        self._label_texts = {region: text for region, text in labels.items() if text}
        self._dashed = frozenset(dashed)
        # A tension key changes one region: restyle what changed, not all 40 (only a region filled or dashed before
        # or now can have changed).
        changed = {
            region
            for region in {*before[0], *before[2], *self._fills, *self._dashed} & self._items.keys()
            if (before[0].get(region), region in before[2]) != (self._fills.get(region), region in self._dashed)
        }
        self._restyle(changed)
        if before[1] != self._label_texts and not self._relabel_in_place(before[1], changed):
            self._place_labels()  # the numbers keep clear of each other: a new one can move its neighbours

    def _relabel_in_place(self, texts_before: Mapping[str, str], refilled: Set[str]) -> bool:
        """New numbers of the same size where the old ones were ("5" becomes "6": a tension key), each label
        recoloured over a region `refilled`; False when a number comes, goes or changes size: then every label
        is placed again (its neighbours may have to move)."""
        if self._locator is None or texts_before.keys() != self._label_texts.keys():
            return False
        for region_id, text in self._label_texts.items():
            label = self._labels.get(region_id)
            if text == texts_before[region_id]:
                continue
            if label is None or not label.isVisible():
                return False
            size = label.boundingRect().size()
            label.setText(self._label_text(region_id))
            if label.boundingRect().size() != size:
                return False
        for region_id, under in self._label_over.items():
            if under in refilled:
                self._labels[region_id].setBrush(self._label_colour(under))
        return True

    def set_withheld(self, reasons: Mapping[str, str]) -> None:
        """Regions the safety screening leaves alone today, cross-hatched over whatever else they show."""
        for item in self._withheld.values():
            self._scene.removeItem(item)
        self._withheld = {}
        for region_id, reason in reasons.items():
            region = self._items[region_id]
            item = self._scene.addPath(
                region.path(), QPen(Qt.PenStyle.NoPen), QBrush(palette.WITHHELD, palette.WITHHELD_PATTERN)
            )
            item.setZValue(region.zValue() + 0.5)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.setToolTip(f"{region.name}: left alone today. {reason}")
            self._withheld[region_id] = item

    def withheld_regions(self) -> frozenset[str]:
        return frozenset(self._withheld)

    def set_strokes(self, strokes: Sequence[StrokeShape]) -> None:
        """Earlier strokes as faint traces; one just added fades from how it was drawn into a trace. Strokes
        already drawn stay (a new stroke adds one item, an edit of a note none)."""
        kept = 0
        while kept < min(len(strokes), len(self._strokes)) and strokes[kept] == self._strokes[kept]:
            kept += 1
        just_added = kept == len(self._strokes) and len(strokes) == kept + 1
        for item in self._stroke_items[kept:]:
            self._scene.removeItem(item)
        self._stroke_items = self._stroke_items[:kept] + [
            self._add_stroke_item(s.points, s.width, s.tension, SETTLED_STROKE_ALPHA) for s in strokes[kept:]
        ]
        self._strokes = list(strokes)
        if just_added:
            self._fade(self._stroke_items[-1])

    def _fade(self, item: QGraphicsPathItem) -> None:
        fade = QVariantAnimation(self)
        fade.setDuration(FADE_MS)
        fade.setStartValue(STROKE_ALPHA)
        fade.setEndValue(SETTLED_STROKE_ALPHA)

        def set_alpha(alpha: int) -> None:
            pen = item.pen()
            colour = pen.color()
            colour.setAlpha(alpha)
            pen.setColor(colour)
            item.setPen(pen)

        fade.valueChanged.connect(set_alpha)
        fade.start(QVariantAnimation.DeletionPolicy.DeleteWhenStopped)

    def flash(self, region_ids: Iterable[str]) -> None:
        """Outlines the regions a brush stroke just marked for a moment, so the therapist sees what it did."""
        before, self._flashing = self._flashing, frozenset(region_ids)
        self._restyle({*before, *self._flashing})
        QTimer.singleShot(FLASH_MS, self, self._end_flash)

    def flashing(self) -> frozenset[str]:
        return self._flashing

    def _end_flash(self) -> None:
        before, self._flashing = self._flashing, frozenset()
        self._restyle(before)

    def set_brush(self, width: float | None, tension: int = 5) -> None:
        """Freehand brush on (width in map px) or off (None); clicks select regions only when it is off."""
        self._brush_width = width
        self._brush_tension = tension
        cursor = Qt.CursorShape.CrossCursor if width else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(cursor)

    def map_to_view(self, x: float, y: float) -> QPointF:
        """A map (SVG px) point in viewport pixels: what a user would click."""
        return QPointF(self.mapFromScene(QPointF(x, y)))

    def attach_locator(self) -> RegionLocator:
        """Loads the domain's region map (heavy imports) once; called after the first paint or on first use."""
        if self._locator is None:
            self._locator = self._locator_factory()
            self._repaint_regions()
        return self._locator

    # ---- painting --------------------------------------------------------------------------------
    def _repaint_regions(self) -> None:
        """Every region's fill, outline and label (after the marks, the overlay or the region map changed)."""
        self._restyle(self._items)
        self._place_labels()

    def _restyle(self, region_ids: Iterable[str | None]) -> None:
        """The fill and outline of `region_ids` only: a hover or a new selection touches two regions, not 24."""
        for region_id in region_ids:
            if region_id is None:
                continue
            item = self._items[region_id]
            fill = self._fills.get(region_id)
            if item.outline.kind in ("no_pressure", "caution"):
                brush = QBrush(palette.NO_PRESSURE, Qt.BrushStyle.BDiagPattern)
            elif fill is not None:
                brush = QBrush(fill)
            else:
                brush = QBrush(palette.NOT_ASSESSED)
            if region_id == self._hovered:
                brush = QBrush(_blend(fill, palette.HOVER)) if fill is not None else QBrush(palette.HOVER)
            item.setBrush(brush)
            item.setPen(self._pen_for(region_id))

    def _pen_for(self, region_id: str) -> QPen:
        if region_id in self._flashing:
            pen = QPen(palette.MARKED_PEN, 4.0, Qt.PenStyle.DashLine)
        elif region_id == self._selected:
            # Thicker while the map has the keyboard: the keys act on this region.
            pen = QPen(palette.SELECTED_PEN, 4.0 if self.hasFocus() else 3.0)
        elif region_id in self._dashed:
            pen = QPen(palette.OTHER_LAYER_PEN, 1.5, Qt.PenStyle.DashLine)  # marked in the other layer only
        else:
            pen = QPen(palette.REGION_BORDER, 1.0)  # every region's edge, to aim a click at
        pen.setCosmetic(True)  # same width at any zoom
        pen.setWidthF(pen.widthF() * self.devicePixelRatioF())  # cosmetic: device px; 3 stays 3 at 200 %
        return pen

    def _place_labels(self) -> None:
        """Every region's number where it can be read: a point's beside its marker (never over it), an area's at
        its anchor unless that hides a marker or another number, then the nearest free place around it."""
        self._label_over = {}
        taken = [self._items[r].sceneBoundingRect() for r, item in self._items.items() if item.outline.kind == "point"]
        points_first = sorted(self._items, key=lambda r: self._items[r].outline.kind != "point")
        for region_id in points_first:
            label = self._label_item(region_id)
            if label is None:
                continue
            bounds = label.boundingRect()
            for x, y in self._label_spots(region_id, bounds.width(), bounds.height()):
                spot = QRectF(x, y, bounds.width(), bounds.height())
                if not any(spot.intersects(other) for other in taken):
                    break
            label.setPos(spot.topLeft())
            taken.append(spot)
            under = self.attach_locator().hit_test(spot.center().x(), spot.center().y())
            self._label_over[region_id] = under
            label.setBrush(self._label_colour(under))  # read against what lies under it where it landed

    def _label_colour(self, under: str | None) -> QColor:
        """A number's colour over region `under` (None: off the back, on paper)."""
        return palette.text_colour_on(self._fills.get(under, PAPER) if under else PAPER)

    def _label_spots(self, region_id: str, width: float, height: float) -> list[tuple[float, float]]:
        """Top-left corners to try, best first."""
        x, y = self.attach_locator().info(region_id).anchor
        item = self._items[region_id]
        if item.outline.kind == "point":
            marker = item.sceneBoundingRect()
            outward = -1 if item.outline.id.endswith("_l") else 1  # away from the spine, toward the region's side
            beside = marker.right() + 2 if outward > 0 else marker.left() - 2 - width
            across = marker.left() - 2 - width if outward > 0 else marker.right() + 2
            middle = marker.center().y() - height / 2
            return [(beside, middle), (across, middle), (marker.center().x() - width / 2, marker.bottom() + 1)]
        centred = (x - width / 2, y - height / 2)
        steps = (0.0, 1.0, -1.0, 2.0, -2.0)
        return [
            centred,
            *((centred[0], centred[1] + dy * height) for dy in steps[1:]),
            *((centred[0] + dx * width, centred[1]) for dx in steps[1:]),
        ]

    def _label_item(self, region_id: str) -> QGraphicsSimpleTextItem | None:
        """The region's number item with its text, shown; None (and hidden) when it has nothing to say."""
        text = self._label_text(region_id)
        label = self._labels.get(region_id)
        if not text or self._locator is None:
            if label is not None:
                label.setVisible(False)
            return None
        if label is None:
            label = QGraphicsSimpleTextItem()
            label.setZValue(3)
            font = QFont(self.font())
            font.setPixelSize(15)
            font.setBold(True)
            label.setFont(font)
            self._scene.addItem(label)
            self._labels[region_id] = label
        label.setText(text)
        label.setVisible(True)
        return label

    def label_rect(self, region_id: str) -> QRectF | None:
        """Where the region's number is drawn, in map px (None: no number shown)."""
        label = self._labels.get(region_id)
        return label.sceneBoundingRect() if label is not None and label.isVisible() else None

    def label_colour(self, region_id: str) -> QColor | None:
        """The colour the region's number is drawn in (None: no number shown)."""
        label = self._labels.get(region_id)
        return label.brush().color() if label is not None and label.isVisible() else None

    def marker_rect(self, region_id: str) -> QRectF:
        return self._items[region_id].sceneBoundingRect()

    def _add_stroke_item(
        self, points: Sequence[tuple[float, float]], width: float, tension: int, alpha: int = STROKE_ALPHA
    ) -> QGraphicsPathItem:
        path = QPainterPath()
        first, *rest = points
        path.moveTo(QPointF(*first))
        for point in rest:
            path.lineTo(QPointF(*point))
        colour = palette.tension_colour(tension)
        colour.setAlpha(alpha)
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        item = self._scene.addPath(path, pen)
        item.setZValue(4)
        # A stroke never changes once drawn: a pixmap at device resolution (re-made on zoom) paints in a blit.
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return item

    # ---- events ----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self._scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _region_at(self, view_pos: QPointF) -> str | None:
        scene_pos = self.mapToScene(view_pos.toPoint())
        scale = self.transform().m11() or 1.0
        return self.attach_locator().hit_test(scene_pos.x(), scene_pos.y(), POINT_TOLERANCE_PX / scale)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        if self._brush_width:
            scene_pos = self.mapToScene(event.position().toPoint())
            self._live_stroke = [(scene_pos.x(), scene_pos.y())]
            return
        region = self._region_at(event.position())
        if region is not None:
            self.regionClicked.emit(region)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._brush_width and self._live_stroke:
            scene_pos = self.mapToScene(event.position().toPoint())
            self._live_stroke.append((scene_pos.x(), scene_pos.y()))
            if self._live_item is not None:
                self._scene.removeItem(self._live_item)
            self._live_item = self._add_stroke_item(self._live_stroke, self._brush_width, self._brush_tension)
            return
        region = self._region_at(event.position())
        if region != self._hovered:
            before, self._hovered = self._hovered, region
            self._restyle((before, region))
            self.regionHovered.emit(region or "")
            self.setToolTip(self._items[region].name if region else "")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._brush_width and self._live_stroke:
            points, self._live_stroke = self._live_stroke, []
            if self._live_item is not None:
                self._scene.removeItem(self._live_item)
                self._live_item = None
            self.strokeDrawn.emit(points, self._brush_width)
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered is not None:
            before, self._hovered = self._hovered, None
            self._restyle((before,))
            self.regionHovered.emit("")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        tension = tension_for_key(event)
        if key in _ARROWS:
            # One model: the arrows move the selection itself, so a digit marks the region that is outlined.
            current = self._selected
            if current is None:
                self.regionClicked.emit(next(iter(self._items)))
            else:
                neighbours = self.attach_locator().neighbours(current)
                self.regionClicked.emit(arrow_target(current, _ARROWS[key], neighbours))
        elif tension is not None:
            self.tensionKeyPressed.emit(tension)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._restyle((self._selected,))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._restyle((self._selected,))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """A right-click on a region (or the menu key on the selected one) selects it and asks for its menu."""
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            region = self._region_at(QPointF(event.pos()))
        else:
            region = self._selected
        if region is None:
            return
        self.regionClicked.emit(region)
        self.regionMenuRequested.emit(region, event.globalPos())
        event.accept()


def _blend(base: QColor, over: QColor) -> QColor:
    alpha = over.alphaF()
    return QColor(
        round(base.red() * (1 - alpha) + over.red() * alpha),
        round(base.green() * (1 - alpha) + over.green() * alpha),
        round(base.blue() * (1 - alpha) + over.blue() * alpha),
        base.alpha(),
    )
