"""The region list mirrored with the map: screen readers cannot see QGraphicsView items, so this list can."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.domain.map_outlines import RegionOutline
from app.domain.records import QUALITY_WORDS, Quality
from app.domain.region_specs import SPECS_BY_ID
from app.ui.body_map.view import tension_for_key

_ID_ROLE = Qt.ItemDataRole.UserRole


def describe_tension(
    name: str,
    kind: str,
    active: int | None,
    other: int | None,
    other_layer: str,
    active_quality: Quality | None = None,
    other_quality: Quality | None = None,
) -> str:
    """One line per region, the same words the screen reader says."""
    no_pressure = kind in ("no_pressure", "caution")
    if active is None:
        state = "no pressure" if no_pressure else "not assessed"
    else:
        # The spine and the sacrum can be rated (a note needs a rating): the list says so, as the map does.
        state = f"tension {active} (no pressure)" if no_pressure else f"tension {active}"
    if active_quality is not None:
        state += f", {QUALITY_WORDS[active_quality]}"
    if other is not None:
        state += f"; {other_layer} {other}"
        if other_quality is not None:
            state += f", {QUALITY_WORDS[other_quality]}"
    return f"{name}: {state}"


class RegionList(QListWidget):
    regionActivated = Signal(str)
    tensionKeyPressed = Signal(int)  # as on the map: 0-10, or -1 for "not assessed"

    def __init__(self, outlines: Sequence[RegionOutline], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Regions of the back")
        self.setWordWrap(True)  # the longest names with both layers and "left alone today" are wider than the column
        self.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap when the splitter resizes the column
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip(
            "Every region of the map; select one to edit it (the same as clicking it on the map), "
            "then 0 to 9 set its tension, T sets 10, Delete clears it"
        )
        self._outlines = {outline.id: outline for outline in outlines}
        self._rows = {outline.id: row for row, outline in enumerate(outlines)}
        for outline in outlines:
            item = QListWidgetItem(SPECS_BY_ID[outline.id].name)
            item.setData(_ID_ROLE, outline.id)
            self.addItem(item)
        self._syncing = False
        self._line_before: tuple[int, int] | None = None  # the row show_marks is changing, and its height before
        self._withheld: frozenset[str] = frozenset()
        self._shown: tuple[Mapping[str, int], Mapping[str, int], str] = ({}, {}, "client")
        self._qualities: tuple[Mapping[str, Quality], Mapping[str, Quality]] = ({}, {})
        # Selection, not the current row, is what the user chose: when Tab brings focus to a list with no current
        # row, Qt makes the first row current (without selecting it), and that must not select a region.
        self.itemSelectionChanged.connect(self._on_selection_changed)
        self._show_lines(self._outlines)

    def show_withheld(self, region_ids: frozenset[str]) -> None:
        """Regions the safety screening leaves alone today (the map cross-hatches them)."""
        self._withheld = region_ids
        self._show_lines(self._outlines)

    def show_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None:
        """What the marks feel like, in words after their numbers."""
        if (active, other) == self._qualities:
            return  # a tension key leaves them as they were: the lines are already right
        self._qualities = (active, other)
        self._show_lines(self._outlines)

    def show_marks(self, active: Mapping[str, int], other: Mapping[str, int], other_layer: str) -> None:
        shown_active, shown_other, shown_layer = self._shown
        self._shown = (active, other, other_layer)
        # Which layer the numbers are: a screen reader hears it with the list, as the map's buttons show it.
        layer = "client" if other_layer == "therapist" else "therapist"
        self.setAccessibleName(f"Regions of the back, {layer}'s layer")
        if other_layer != shown_layer:
            self._show_lines(self._outlines)
            return
        # A tension key changes one region's numbers: only its line is worded again.
        self._show_lines(
            {
                region_id
                for region_id in {*active, *other, *shown_active, *shown_other}
                if (active.get(region_id), other.get(region_id))
                != (shown_active.get(region_id), shown_other.get(region_id))
            }
        )

    def _show_lines(self, region_ids: Iterable[str]) -> None:
        """Words the lines of `region_ids` as the marks, qualities and screening shown now say."""
        active, other, other_layer = self._shown
        active_qualities, other_qualities = self._qualities
        for region_id in region_ids:
            row = self._rows[region_id]
            item = self.item(row)
            outline = self._outlines[region_id]
            text = describe_tension(
                SPECS_BY_ID[region_id].name,
                outline.kind,
                active.get(region_id),
                other.get(region_id),
                other_layer,
                active_qualities.get(region_id),
                other_qualities.get(region_id),
            )
            if region_id in self._withheld:
                text += "; left alone today"
            if item.text() == text:
                continue  # a tension key changes one line: the others are not touched (nor laid out, nor repainted)
            self._line_before = (row, self.visualRect(self.indexFromItem(item)).height())
            try:
                item.setText(text)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
                item.setToolTip(text)
            finally:
                self._line_before = None

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """A line show_marks changed that kept its height is repainted alone: QListView lays every line out again
        on any change, and repaints them all (a tension key would cost the whole list)."""
        before = self._line_before
        if (
            before is not None
            and top_left == bottom_right
            and top_left.row() == before[0]
            and (
                (roles and Qt.ItemDataRole.DisplayRole not in roles)  # its tooltip or spoken words: no new height
                or self.visualRect(top_left).height() == before[1]  # as wrapped now, in the width laid out
            )
        ):
            QAbstractItemView.dataChanged(self, top_left, bottom_right, roles)
            return
        super().dataChanged(top_left, bottom_right, roles)

    def select_region(self, region_id: str | None) -> None:
        """Mirror the map's selection without emitting it back."""
        row = -1 if region_id is None else self._rows.get(region_id, -1)
        if row == self.currentRow() and (row == -1 or self.item(row).isSelected()):
            return  # an edit of the selected region shows it again: nothing to move
        self._syncing = True
        try:
            self.setCurrentRow(row)
        finally:
            self._syncing = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The same keys as on the map; T would otherwise jump to the first region starting with "T".
        tension = tension_for_key(event)
        if tension is None or not self.selectedItems():
            super().keyPressEvent(event)
            return
        self.tensionKeyPressed.emit(tension)
        event.accept()

    def _on_selection_changed(self) -> None:
        chosen = self.selectedItems()
        if chosen and not self._syncing:
            self.regionActivated.emit(chosen[0].data(_ID_ROLE))
