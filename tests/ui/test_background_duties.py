"""Backup and export run off the UI thread, with progress shown (issue 22): the window keeps painting."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.storage.local_folder import LocalDataFolder
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_main_window
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings
from tests.ui.answers import Answers


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, data_dir: Path, answers: Answers) -> Iterator[MainWindow]:
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    made = create_main_window(data_dir, False, settings)
    qtbot.addWidget(made)
    made.show()
    client = made.workspace.repository.create_client("Exported Client", consent=Consent(dt.date(2026, 11, 20), "1"))
    made.workspace.decisions.open_client(client.id)
    yield made
    made.workspace.repository.close()


def _held(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> tuple[threading.Event, list[int]]:
    """Holds `owner`.`name` until the event is set; records the threads it ran on."""
    release = threading.Event()
    threads: list[int] = []
    original = getattr(owner, name)

    def held(self: object, *args: Any) -> Any:
        threads.append(threading.get_ident())
        release.wait(30)
        return original(self, *args)

    monkeypatch.setattr(owner, name, held)
    return release, threads


def _progress_shown(window: MainWindow) -> bool:
    return any(dialog.isVisible() for dialog in window.findChildren(QProgressDialog))


def test_an_export_runs_in_the_background_with_progress_shown(
    qtbot: QtBot, window: MainWindow, answers: Answers, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    release, threads = _held(monkeypatch, SqliteStore, "export_client")
    answers.save_path = str(tmp_path / "client.json")
    window.workspace.decisions.export_client()
    qtbot.waitUntil(lambda: _progress_shown(window))  # the UI thread is free: the dialog shows and paints
    assert window.workspace.busy
    release.set()
    qtbot.waitUntil(lambda: not window.workspace.busy)
    assert threads != [threading.get_ident()]
    assert len(threads) == 1
    assert Path(answers.save_path).is_file()
    assert not _progress_shown(window)
    assert window.statusBar().currentMessage() == "Client exported."


def test_a_backup_runs_in_the_background_and_says_where_it_went(
    qtbot: QtBot, window: MainWindow, answers: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, threads = _held(monkeypatch, LocalDataFolder, "backup")
    window.workspace.decisions.back_up()
    qtbot.waitUntil(lambda: _progress_shown(window))
    release.set()
    qtbot.waitUntil(lambda: not window.workspace.busy)
    assert threads != [threading.get_ident()]
    [(kind, title, text)] = answers.shown
    assert (kind, title) == ("information", "Backup")
    assert Path(text.splitlines()[-1]).is_file()
    assert window.workspace.repository.audit_entries()[-1][1] == "backup"


def test_closing_the_window_waits_for_a_backup_under_way(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    release, _threads = _held(monkeypatch, LocalDataFolder, "backup")
    window.workspace.decisions.back_up()
    release.set()
    window.close()  # returns once the backup is written: its thread is never destroyed while running
    assert len(list((data_dir / "backups").glob("*.sqlite3"))) == 1
