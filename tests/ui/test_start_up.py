"""Start-up as the app does it: the window's frame paints first, the records and the client list right after,
then the rest of the workspace, then the map's locator before the first click (numpy, shapely and svgelements
wait for a brush stroke); a data folder that cannot be opened is explained, and the app ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.application import create_application, start_main_window
from app.ui.main_window import MENU_NAMES
from app.ui.opening_view import OpeningView
from app.ui.settings import AppSettings
from tests.ui.answers import Answers

# What the first paint must do without: the records, the knowledge base, the workspace and the geometry libraries.
LOADED_AFTER_THE_FIRST_PAINT = (
    "sqlcipher3",  # the records' SQL driver (app.storage.driver)
    "app.storage.sqlite_store",
    "app.domain.records",
    "app.domain.protocol",
    "app.ui.workspace",
    "numpy",
    "shapely",
    "svgelements",
)
# What the client list's first paint must do without: the knowledge base, the consult and the map.
LOADED_AFTER_THE_LIST = (
    "app.domain.protocol",
    "app.domain.safety",
    "app.ui.workspace",
    "app.ui.consult",
    "app.ui.body_map",
    "numpy",
    "shapely",
)
# Loaded by a brush stroke's coverage only: a started app, a client open and clicked, does without them.
GEOMETRY = ("numpy", "shapely", "svgelements")

START_AND_REPORT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from app.ui.application import create_application, start_main_window

WATCHED = %r
loaded = lambda: [name for name in WATCHED if name in sys.modules]
seen = {}

class FirstPaint(QObject):
    def __init__(self, stage):
        super().__init__()
        self.stage = stage
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.stage not in seen:
            seen[self.stage] = loaded()
        return False

def watch_the_warm_up(workspace):
    warm_up = workspace.warm_up
    def then_report():
        warm_up()
        seen["ready"] = loaded()
        app.quit()
    workspace.warm_up = then_report  # the app's last step before the first click

app = create_application([])
window = start_main_window(Path(sys.argv[1]), demo=False)
hook, list_hook = FirstPaint("first_paint"), FirstPaint("list")
window.installEventFilter(hook)
window.clientsShown.connect(lambda: window.clients.list_view.viewport().installEventFilter(list_hook))
window.workspaceAttached.connect(lambda: watch_the_warm_up(window.workspace))
app.exec()
print(json.dumps(seen))
"""


def started_in_a_fresh_process(data_dir: Path, watched: tuple[str, ...]) -> dict[str, list[str]]:
    """Which of `watched` a fresh process had loaded at the frame's first paint, the list's, and once ready."""
    result = subprocess.run(
        [sys.executable, "-c", START_AND_REPORT % (watched,), str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    seen: dict[str, list[str]] = json.loads(result.stdout)
    return seen


def test_the_frame_paints_before_the_records_load_and_the_map_locator_follows(tmp_path: Path) -> None:
    seen = started_in_a_fresh_process(tmp_path / "data", LOADED_AFTER_THE_FIRST_PAINT)
    assert seen["first_paint"] == []
    assert seen["ready"] == [name for name in LOADED_AFTER_THE_FIRST_PAINT if name not in GEOMETRY]


def test_the_client_list_paints_before_the_knowledge_base_and_the_consult_load(tmp_path: Path) -> None:
    seen = started_in_a_fresh_process(tmp_path / "data", LOADED_AFTER_THE_LIST)
    assert seen["list"] == []
    assert seen["ready"] == [name for name in LOADED_AFTER_THE_LIST if name not in GEOMETRY]


def test_the_window_opens_saying_the_records_are_opening_then_the_workspace_takes_its_place(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    create_application([])
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = start_main_window(data_dir, demo=False, settings=settings)
    qtbot.addWidget(window)
    assert isinstance(window.centralWidget(), OpeningView)
    assert [action.text() for action in window.menuBar().actions()] == [f"&{name}" for name in MENU_NAMES]
    with pytest.raises(RuntimeError, match="not open yet"):
        _ = window.workspace
    with qtbot.waitSignal(window.workspaceAttached, timeout=10_000):
        pass  # it follows the first paint on its own
    assert window.centralWidget() is window.workspace
    assert "New client…" in [action.text() for action in window.menus["File"].actions()]
    assert window.statusBar().currentMessage() == f"Data: {data_dir}"
    assert window.focusWidget() is not None
    assert window.focusWidget().accessibleName() == "Search clients"  # typing finds a client at once
    window.close()
    window.workspace.repository.close()


def test_records_that_cannot_be_opened_are_explained_and_the_app_ends(
    qtbot: QtBot, tmp_path: Path, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "records"
    not_a_folder.write_text("a file where the data folder should be", encoding="utf-8")
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", lambda status=0: exits.append(status))
    create_application([])
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = start_main_window(not_a_folder, demo=False, settings=settings)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: exits == [1], timeout=10_000)
    [(kind, _title, text)] = answers.shown
    assert kind == "critical"
    assert text.startswith("Backmap could not open its data: ")
    assert str(not_a_folder) in text
    assert isinstance(window.centralWidget(), OpeningView)  # nothing half-open behind the message
