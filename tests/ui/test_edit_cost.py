"""An edit costs the same whatever the session holds (issue 22): it writes what changed and repaints what changed.

Counted, not timed: the statements an edit sends to SQLite (a trace callback) and the items on the map's scene.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QGraphicsPathItem
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, Stroke
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_main_window
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, data_dir: Path) -> Iterator[MainWindow]:
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    made = create_main_window(data_dir, False, settings)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.workspace.repository.close()


def _open_with_strokes(window: MainWindow, name: str, strokes: int) -> None:
    repository = window.workspace.repository
    client = repository.create_client(name, consent=Consent(dt.date(2026, 11, 20), "1"))
    session = repository.start_session(client.id)
    for number in range(strokes):
        points = tuple((200.0 + number, 300.0 + step) for step in range(30))
        repository.add_stroke(session.id, Stroke("therapist", 5, 14.0, points))
    window.workspace.decisions.open_client(client.id)
    window.workspace.controller.select_region("trapezius_upper_l")


def _statements(window: MainWindow, edit: Callable[[], object]) -> list[str]:
    sent: list[str] = []
    store = window.workspace.repository
    assert isinstance(store, SqliteStore)  # what is counted is SQLite's work
    connection = store._connection
    connection.set_trace_callback(sent.append)
    try:
        edit()
    finally:
        connection.set_trace_callback(None)
    return sent


def _stroke_items(window: MainWindow) -> set[int]:
    scene = window.workspace.consult.map_view.scene()
    return {id(item) for item in scene.items() if isinstance(item, QGraphicsPathItem) and item.zValue() == 4}


@pytest.mark.parametrize("strokes", [0, 30])
def test_a_note_and_a_tension_key_write_what_changed_and_read_nothing_back(window: MainWindow, strokes: int) -> None:
    _open_with_strokes(window, f"Client {strokes}", strokes)
    controller = window.workspace.controller
    for edit, write in (
        (lambda: controller.set_field("soap.subjective", "stiff"), "UPDATE sessions SET soap_subjective = 'stiff'"),
        (lambda: controller.set_tension(6), "INSERT INTO marks"),
    ):
        sent = _statements(window, edit)
        # The version checked and raised (a second writer is told), the one change, and nothing read back.
        assert [statement.split(" WHERE")[0].split(" (")[0] for statement in sent] == [
            "BEGIN IMMEDIATE",
            "SELECT version, finalised FROM sessions",
            "UPDATE sessions SET version = version + 1",
            write,
            "COMMIT",
        ], sent
    assert controller.session is not None
    stored = window.workspace.repository.get_session(controller.session.id)
    assert (controller.session, controller.session.version) == (stored, stored.version)  # as if read back
    assert controller.session.soap.subjective == "stiff"
    assert controller.session.layer("therapist")["trapezius_upper_l"].tension == 6


def test_an_edit_keeps_the_strokes_drawn_and_a_new_stroke_adds_one(window: MainWindow) -> None:
    _open_with_strokes(window, "Brushed Client", 30)
    drawn = _stroke_items(window)
    assert len(drawn) == 30
    controller = window.workspace.controller
    controller.set_field("soap.objective", "guarded")
    controller.set_tension(4)
    assert _stroke_items(window) == drawn
    controller.add_stroke([(250.0, 300.0), (260.0, 320.0)], 14.0, 5)
    assert len(_stroke_items(window) - drawn) == 1
    assert drawn <= _stroke_items(window)
    window.workspace.undo_group.undo()
    assert _stroke_items(window) == drawn
