"""Records kept off this computer (a clinic server, later) have no local data folder: the window offers nothing
that needs one, and says where the data is not."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.storage.sqlite_store import SqliteStore
from tests.e2e.consult_driver import ini_settings, open_window


def test_no_backup_no_key_actions_and_no_file_check_without_a_local_folder(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SQLite store answering as a store with no local file does (RecordStore.local_folder is None).
    monkeypatch.setattr(SqliteStore, "local_folder", property(lambda _store: None))
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    file_menu = [action.text() for action in window.menus["File"].actions()]
    assert "Back up now…" not in file_menu
    assert "Encrypt records…" not in file_menu
    assert "Lock the screen (Ctrl+L)" in file_menu  # the screen lock is for the window, wherever the records are
    assert "Records not encrypted" not in [label.accessibleName() for label in window.findChildren(QLabel)]
    window.workspace.decisions.report_data_folder()
    assert window.statusBar().currentMessage() == "Data: not kept on this computer"
    window.workspace.check_records_in_background()
    assert "integrity check" not in [thread.name for thread in threading.enumerate()]
    window.workspace.repository.close()
