"""The mouse wheel scrolls the panel: combo boxes, spin boxes (dates too) and sliders change by the wheel only
once they have the focus (clicked or tabbed to). Otherwise a scroll down the notes turned Position "prone" into
"supine" and Length 60 into 45 on the way, unseen.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QSlider, QWidget


class _WheelOnlyWhenFocused(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = _scroll_area_around(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.viewport(), event)  # the panel under the pointer scrolls instead
        return True


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard_wheel(root: QWidget) -> None:
    """Every combo box, spin box and slider under `root`: focus by click or Tab only, the wheel when focused."""
    guard = _WheelOnlyWhenFocused(root)
    for kind in (QComboBox, QAbstractSpinBox, QSlider):
        for widget in root.findChildren(kind):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)
