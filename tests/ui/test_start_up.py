"""Start-up as the app does it: the window's frame paints first, the records open right after, then the region
model loads before the first click; a data folder that cannot be opened is explained, and the app ends."""

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

# What the first paint must do without: the records, the knowledge base, the workspace and the region model.
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

START_AND_REPORT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from app.ui.application import create_application, start_main_window

WATCHED = %r
loaded = lambda: [name for name in WATCHED if name in sys.modules]
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "first_paint" not in seen:
            seen["first_paint"] = loaded()
        return False

def when_ready():
    if "shapely" in sys.modules or seen.get("waited", 0) > 200:
        seen["ready"] = loaded()
        app.quit()
        return
    seen["waited"] = seen.get("waited", 0) + 1
    QTimer.singleShot(10, when_ready)

app = create_application([])
window = start_main_window(Path(sys.argv[1]), demo=False)
hook = FirstPaint(window)
window.installEventFilter(hook)
window.workspaceAttached.connect(lambda: QTimer.singleShot(0, when_ready))
app.exec()
print(json.dumps(seen))
"""


def test_the_frame_paints_before_the_records_load_and_the_region_model_follows(tmp_path: Path) -> None:
    code = START_AND_REPORT % (LOADED_AFTER_THE_FIRST_PAINT,)
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(result.stdout)
    assert seen["first_paint"] == []
    assert seen["ready"] == list(LOADED_AFTER_THE_FIRST_PAINT)


def test_the_window_opens_on_the_map_then_the_workspace_takes_its_place(
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
