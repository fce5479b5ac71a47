"""Driving the real main window like a user: dialogs filled through their fields, the map clicked at anchors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QDialog, QGraphicsPathItem, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from app.domain.regions import RegionMap
from app.ui.application import create_application, create_main_window
from app.ui.clients.client_dialog import ClientDialog
from app.ui.clients.intake_dialog import IntakeDialog
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings

W = TypeVar("W", bound=QWidget)
STROKE_Z = 4  # BodyMapView draws strokes above regions and labels


def ini_settings(folder: Path) -> AppSettings:
    """Settings in a file of the test's own: the real ones stay untouched."""
    return AppSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))


def open_window(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    create_application([])
    window = create_main_window(data_dir, demo=False, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.workspace.warm_up()
    return window


def by_name(root: QWidget, kind: type[W], accessible_name: str) -> W:
    """The one widget a screen reader would announce by this name."""
    found = [widget for widget in root.findChildren(kind) if widget.accessibleName() == accessible_name]
    assert len(found) == 1, f"{len(found)} widgets named {accessible_name!r}"
    return found[0]


def fill_dialogs(
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    client: Callable[[ClientDialog], None],
    intake: Callable[[IntakeDialog], None],
) -> None:
    """Each dialog's exec() shows it, lets `fill` type into it, then presses its OK button."""

    def exec_with(fill: Callable[[QDialog], None]) -> Callable[[QDialog], int]:
        def run(dialog: QDialog) -> int:
            dialog.show()
            qtbot.waitExposed(dialog)
            fill(dialog)
            parent = dialog.parentWidget()
            if parent is not None:  # what the window manager does when a dialog closes (offscreen does not)
                parent.activateWindow()
                qtbot.waitUntil(parent.isActiveWindow)
            return dialog.result()

        return run

    monkeypatch.setattr(ClientDialog, "exec", exec_with(client))  # type: ignore[arg-type]
    monkeypatch.setattr(IntakeDialog, "exec", exec_with(intake))  # type: ignore[arg-type]


def region_point(window: MainWindow, region_map: RegionMap, region_id: str) -> QPoint:
    x, y = region_map.info(region_id).anchor
    return window.workspace.consult.map_view.map_to_view(x, y).toPoint()


def click_region(qtbot: QtBot, window: MainWindow, region_map: RegionMap, region_id: str) -> None:
    view = window.workspace.consult.map_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=region_point(window, region_map, region_id))
    qtbot.waitUntil(lambda: view.selected_region() == region_id)


def shown_state(window: MainWindow) -> dict[str, object]:
    """What the consult screen shows: every region's fill and label, the list's words, strokes, the notes."""
    page = window.workspace.consult
    view = page.map_view
    fills = {}
    for region in view.region_ids():
        colour, label = view.shown(region)
        fills[region] = (colour.name(colour.NameFormat.HexArgb) if colour is not None else None, label)
    items = [page.region_list.item(row) for row in range(page.region_list.count())]
    strokes = [
        item for item in view.scene().items() if isinstance(item, QGraphicsPathItem) and item.zValue() == STROKE_Z
    ]
    return {
        "map": fills,
        "list": [item.data(Qt.ItemDataRole.AccessibleTextRole) for item in items],
        "strokes": len(strokes),
        "subjective": by_name(page, QPlainTextEdit, "Subjective note, therapist only").toPlainText(),
        "header": window.workspace.client_header.text(),
    }
