"""Start-up puts the client list on screen before it builds the rest of the workspace, and opens the last client
only after that (issue 22): the list never waits for the consult, nor for a client's records, however long their
history; a client the therapist chooses meanwhile is the one that opens."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from pytestqt.qtbot import QtBot

from app.domain.records import Client, Consent
from app.storage.files import TEMPORARY_PREFIX, _mark_unfinished
from app.storage.sqlite_store import SqliteStore
from app.ui.application import _start_on_this_computer, create_application, start_main_window
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings


def practice_of_two(data_dir: Path, tmp_path: Path) -> tuple[Client, Client, AppSettings]:
    """Two clients with a session each; the settings remember the first as the last one open."""
    with SqliteStore.open(data_dir) as repository:
        last = repository.create_client("Last Client", consent=Consent(dt.date(2026, 11, 20), "1"))
        other = repository.create_client("Other Client", consent=Consent(dt.date(2026, 11, 21), "1"))
        for client in (last, other):
            repository.start_session(client.id)
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_last_client_id(last.id)
    return last, other, settings


class AtFirstPaint(QObject):
    """Notes what `note` returns when the watched widget first paints."""

    def __init__(self, note: Callable[[], object]) -> None:
        super().__init__()
        self.note = note
        self.noted: list[object] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.noted:
            self.noted.append(self.note())
        return False


def started(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    create_application([])
    window = start_main_window(data_dir, demo=False, settings=settings)
    qtbot.addWidget(window)
    return window


def test_the_list_is_painted_before_the_workspace_is_built_and_the_last_client_opens_after(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    last, _other, settings = practice_of_two(data_dir, tmp_path)
    window = started(qtbot, data_dir, settings)

    def workspace_there() -> bool:
        try:
            _ = window.workspace
        except RuntimeError:
            return False
        return True

    at_list_paint = AtFirstPaint(lambda: (window.clients.model.rowCount(), workspace_there()))
    window.clientsShown.connect(lambda: window.clients.list_view.viewport().installEventFilter(at_list_paint))
    client_on_attach: list[object] = []
    window.workspaceAttached.connect(lambda: client_on_attach.append(window.workspace.decisions.client))
    qtbot.waitUntil(lambda: bool(client_on_attach) and window.workspace.decisions.client is not None, timeout=10_000)
    assert at_list_paint.noted == [(2, False)]  # both clients listed, nothing else of the workspace built yet
    assert client_on_attach == [None]  # the workspace came next, with no client's records read
    assert window.workspace.decisions.client == last
    assert window.workspace.controller.session is not None
    assert window.workspace.clients is window.clients  # the list on screen became the workspace's
    window.close()


def test_a_client_chosen_before_the_workspace_is_built_is_the_one_that_opens(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    _last, other, settings = practice_of_two(data_dir, tmp_path)
    window = started(qtbot, data_dir, settings)

    def choose_at_once() -> None:  # the therapist picks a client as soon as the list is there
        view = window.clients.list_view
        view.setCurrentIndex(window.clients.model.index(window.clients.model.row_of(other.id) or 0))
        qtbot.keyClick(view, Qt.Key.Key_Return)

    window.clientsShown.connect(choose_at_once)
    with qtbot.waitSignal(window.workspaceAttached, timeout=10_000):
        pass
    with qtbot.waitSignal(window.workspace.recordsChecked, timeout=10_000):
        pass  # the last step of the start: after the last client would have opened
    assert window.workspace.decisions.client == other
    window.close()


def test_a_client_opened_as_the_workspace_appears_is_not_replaced_by_the_last_one(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    _last, other, settings = practice_of_two(data_dir, tmp_path)
    window = started(qtbot, data_dir, settings)
    window.workspaceAttached.connect(lambda: window.workspace.decisions.open_client(other.id))
    with qtbot.waitSignal(window.workspaceAttached, timeout=10_000):
        pass
    with qtbot.waitSignal(window.workspace.recordsChecked, timeout=10_000):
        pass  # the last step of the start: after the last client would have opened
    assert window.workspace.decisions.client == other
    window.close()


def test_a_search_typed_before_the_workspace_is_built_is_kept(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    _last, other, settings = practice_of_two(data_dir, tmp_path)
    window = started(qtbot, data_dir, settings)
    window.clientsShown.connect(lambda: qtbot.keyClicks(window.clients.search_box, "Oth"))
    with qtbot.waitSignal(window.workspaceAttached, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: window.clients.model.rowCount() == 1, timeout=10_000)
    assert window.clients.model.client_at(0) == other
    assert window.workspace.clients.search_box.text() == "Oth"
    window.close()


def test_a_half_written_file_a_killed_export_left_is_removed_and_the_line_saying_so_stays_in_view(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    _last, _other, settings = practice_of_two(data_dir, tmp_path)
    settings.set_encryption_put_off(True)  # no passphrase asked: the start goes straight to the records
    left = tmp_path / f"{TEMPORARY_PREFIX}export.json"
    left.write_text("{")
    marker = _mark_unfinished(data_dir, left)
    assert marker is not None
    os.close(marker)  # as a killed export's lock dies with it
    create_application([])
    window = _start_on_this_computer(data_dir, settings)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.workspaceAttached, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: window.workspace.decisions.client is not None, timeout=10_000)
    assert not left.exists()
    assert window.statusBar().currentMessage() == f"Removed 1 half-written file(s) left in {tmp_path}."
    window.close()
