"""Names for the parts Qt builds inside its controls, which a screen reader would otherwise announce as nothing:
a combo box's popup list, a scroll area's viewport, a line edit's clear button."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QComboBox, QLineEdit, QToolButton, QWidget


def name_inner_parts(root: QWidget) -> None:
    """Every combo box, scroll area and line edit under `root` (and `root` itself): their inner parts get names
    from the control's own (set the controls' names first)."""
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        own = widget.accessibleName() or widget.toolTip()
        if isinstance(widget, QComboBox):
            widget.view().setAccessibleName(f"Choices: {own}")
        elif isinstance(widget, QAbstractScrollArea) and own:
            widget.viewport().setAccessibleName(own)
        elif isinstance(widget, QLineEdit) and widget.isClearButtonEnabled():
            for button in widget.findChildren(QToolButton):
                button.setAccessibleName(f"Clear: {own}")
                button.setToolTip(f"Clear: {own}")
