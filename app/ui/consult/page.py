"""The consult page: the map with its toolbar and legend, the mirrored region list, and the two panels.

It implements the view half of the consult (ConsultView); the ConsultController decides what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.map_outlines import RegionOutline
from app.domain.records import Layer, Quality, Session, Stroke
from app.domain.region_specs import SPECS_BY_ID
from app.ui.accessible_names import name_inner_parts
from app.ui.body_map.legend import TensionLegend
from app.ui.body_map.qualities import (
    PLAIN_TENSION,
    PLAIN_TENSION_KEY,
    QUALITY_KEYS,
    QualityLegend,
    QualityMenu,
    quality_keys_help,
)
from app.ui.body_map.region_list import RegionList
from app.ui.body_map.view import BodyMapView, RegionLocator, StrokeShape
from app.ui.consult.controller import RegionSelection
from app.ui.consult.region_panel import RegionPanel
from app.ui.consult.session_panel import SessionPanel
from app.ui.wheel_guard import guard_wheel

REGION_LIST_MIN_WIDTH = 190  # "Upper trapezius, right: tension 2; client 3" in two lines, not five
BRUSH_WIDTH_PX = 36.0  # map px: one pass across the lower back covers a fifth of each region it crosses


class ConsultPage(QWidget):
    layerChosen = Signal(str)
    brushToggled = Signal(bool)
    qualityChosen = Signal(str)  # a Quality from the map's keys or menu or from the panel; PLAIN_TENSION for none

    def __init__(
        self,
        svg_path: str,
        outlines: Sequence[RegionOutline],
        locator: Callable[[], RegionLocator],
        media: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.map_view = BodyMapView(svg_path, outlines, locator)
        self.region_list = RegionList(outlines)
        self.region_panel = RegionPanel()
        self.session_panel = SessionPanel(media)
        self.legend = TensionLegend()
        self._strokes_shown: Sequence[Stroke] = ()

        self._client_layer = QToolButton()
        self._client_layer.setText("Client's layer")
        self._therapist_layer = QToolButton()
        self._therapist_layer.setText("Therapist's layer")
        layers = QButtonGroup(self)
        for button, layer in ((self._client_layer, "client"), (self._therapist_layer, "therapist")):
            button.setCheckable(True)
            button.setToolTip(f"Edit the {layer}'s ratings; the other layer stays visible in brackets")
            button.setAccessibleName(f"Edit the {layer}'s layer")
            layers.addButton(button)
            button.clicked.connect(lambda _checked=False, layer=layer: self._choose_layer(layer))
        self._therapist_layer.setChecked(True)
        self.brush_button = QToolButton()
        self.brush_button.setText("Brush")
        self.brush_button.setCheckable(True)
        self.brush_button.setToolTip(
            "Paint over the map: every region the stroke covers by 20 % or more of its area gets the brush's "
            "tension (a region already tenser keeps its own). The spine and the sacrum are never painted."
        )
        self.brush_button.setAccessibleName("Freehand brush")
        self.brush_tension = QSpinBox()
        self.brush_tension.setRange(0, 10)
        self.brush_tension.setValue(5)
        self.brush_tension.setPrefix("tension ")
        self.brush_tension.setAccessibleName("Brush tension")
        self.brush_tension.setToolTip("The tension the brush gives the regions it covers")
        self.brush_tension.setEnabled(False)  # until the brush is on
        self.brush_button.toggled.connect(self._on_brush)
        self.brush_tension.valueChanged.connect(lambda _v: self._on_brush(self.brush_button.isChecked()))

        # Two short rows rather than one long one: the map column stays narrow enough for a 1024 px screen.
        toolbar = QVBoxLayout()
        layer_row = QHBoxLayout()
        layer_row.addWidget(QLabel("Editing:"))
        layer_row.addWidget(self._client_layer)
        layer_row.addWidget(self._therapist_layer)
        layer_row.addStretch(1)
        brush_row = QHBoxLayout()
        brush_row.addWidget(QLabel("Paint:"))
        brush_row.addWidget(self.brush_button)
        brush_row.addWidget(self.brush_tension)
        self.brush_result = QLabel()
        self.brush_result.setObjectName("brushResult")
        self.brush_result.setWordWrap(True)
        brush_row.addWidget(self.brush_result, 1)
        toolbar.addLayout(layer_row)
        toolbar.addLayout(brush_row)

        map_column = QWidget()
        map_layout = QVBoxLayout(map_column)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_layout.addLayout(toolbar)
        map_layout.addWidget(self.map_view, 1)  # the map itself says "client's LEFT / RIGHT" on its sides
        map_layout.addWidget(self.legend)
        map_layout.addWidget(QualityLegend())

        panels = QWidget()
        panels_layout = QVBoxLayout(panels)
        panels_layout.addWidget(self.region_panel)
        panels_layout.addWidget(self.session_panel)
        scroll = QScrollArea()
        scroll.setAccessibleName("Selected region and session notes")
        scroll.setWidgetResizable(True)
        scroll.setWidget(panels)
        # The notes scroll up and down, never sideways: the splitter keeps the column as wide as they need.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(
            panels.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth()
        )
        # The notes scroll; the session's Finalise / Amend strip stays below them, always in view.
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.session_panel.action_strip)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("consultSplitter")
        self.splitter.addWidget(self.region_list)
        self.splitter.addWidget(map_column)
        self.splitter.addWidget(right)
        self.region_list.setMinimumWidth(REGION_LIST_MIN_WIDTH)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([290, 440, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        # Ctrl+Z on the map undoes the map; in a text field the field's own undo wins (its shortcut is closer).
        self.undo_shortcut = QShortcut(QKeySequence.StandardKey.Undo, self.map_view)
        self.undo_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.redo_shortcut = QShortcut(QKeySequence.StandardKey.Redo, self.map_view)
        self.redo_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.region_list.regionActivated.connect(self.map_view.regionClicked)
        self.region_list.tensionKeyPressed.connect(self.map_view.tensionKeyPressed)
        self.region_panel.qualityChosen.connect(self.qualityChosen)
        # What it feels like: letter keys on the map and in the list (as the tension keys), and the region's menu.
        self.quality_shortcuts: list[QShortcut] = []
        for widget in (self.map_view, self.region_list):
            for key, quality in [*QUALITY_KEYS.items(), (PLAIN_TENSION_KEY, PLAIN_TENSION)]:
                shortcut = QShortcut(QKeySequence(key), widget)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(lambda quality=quality: self.qualityChosen.emit(quality))
                self.quality_shortcuts.append(shortcut)
        self.map_view.setAccessibleDescription(
            f"{self.map_view.accessibleDescription()} What it feels like: {quality_keys_help()}."
        )
        self.quality_menu = QualityMenu(self.map_view)
        self.quality_menu.chosen.connect(self.qualityChosen)
        self.map_view.regionMenuRequested.connect(lambda _region, at: self.quality_menu.popup(at))
        guard_wheel(self)
        name_inner_parts(self)

    # ---- ConsultView -------------------------------------------------------------------------------
    def show_marks(self, active: Mapping[str, int], other: Mapping[str, int], layer: Layer) -> None:
        self.map_view.set_marks(active, other)
        other_layer = "therapist" if layer == "client" else "client"
        self.region_list.show_marks(active, other, other_layer)
        (self._client_layer if layer == "client" else self._therapist_layer).setChecked(True)

    def show_selection(self, selection: RegionSelection) -> None:
        self.map_view.set_selected(selection.region_id)
        self.region_list.select_region(selection.region_id)
        self.region_panel.show_region(selection)

    def show_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None:
        self.map_view.set_qualities(active, other)
        self.region_list.show_qualities(active, other)

    def show_withheld(self, reasons: Mapping[str, str]) -> None:
        """Regions the safety screening leaves alone today, on the map and in the list."""
        self.map_view.set_withheld(reasons)
        self.region_list.show_withheld(frozenset(reasons))

    def show_session(self, session: Session | None, editable: bool) -> None:
        self.session_panel.show_session(session, editable)
        self.brush_button.setEnabled(editable)
        if not editable:
            self.brush_button.setChecked(False)

    def show_strokes(self, strokes: Sequence[Stroke]) -> None:
        if strokes is self._strokes_shown:
            return  # an edit of a mark or a field hands on the same strokes: the map's stay as drawn
        self._strokes_shown = strokes
        self.map_view.set_strokes([StrokeShape(s.points, s.width, s.tension) for s in strokes])

    def show_brush_result(self, marked: Mapping[str, int]) -> None:
        """Says which regions the stroke just marked, and outlines them on the map for a moment."""
        if marked:
            names = ", ".join(f"{SPECS_BY_ID[region].name} {tension}" for region, tension in marked.items())
            self.brush_result.setText(f"Marked: {names}")
        else:
            self.brush_result.setText("Marked nothing new: no region was covered by 20 % or more, or it was tenser")
        self.map_view.flash(marked)

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Backmap", message)

    def confirm(self, question: str) -> bool:
        return QMessageBox.question(self, "Backmap", question) == QMessageBox.StandardButton.Yes

    def flush_pending(self) -> None:
        self.region_panel.flush_pending()
        self.session_panel.flush_pending()

    def _choose_layer(self, layer: str) -> None:
        # A note typed a moment ago belongs to the layer it was typed in: save it before the panel changes layer
        # (the layer buttons take no focus, so the note field never hears a focus-out).
        self.flush_pending()
        self.layerChosen.emit(layer)

    def _on_brush(self, on: bool) -> None:
        self.map_view.set_brush(BRUSH_WIDTH_PX if on else None, self.brush_tension.value())
        self.brush_tension.setEnabled(on)
        if not on:
            self.brush_result.clear()
        self.brushToggled.emit(on)
