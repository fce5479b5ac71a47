"""Start-up puts the client list on screen before it opens the last client (issue 22): the list never waits for a
client's records, however long their history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_application, start_main_window
from app.ui.settings import AppSettings


def test_the_list_is_painted_before_the_last_client_opens(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        client = repository.create_client("Last Client", consent=Consent(dt.date(2026, 11, 20), "1"))
        repository.start_session(client.id)
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_last_client_id(client.id)
    create_application([])
    window = start_main_window(data_dir, demo=False, settings=settings)
    qtbot.addWidget(window)
    client_on_attach: list[object] = []
    window.workspaceAttached.connect(lambda: client_on_attach.append(window.workspace.decisions.client))
    qtbot.waitUntil(
        lambda: window.workspace.decisions.client is not None if client_on_attach else False, timeout=10_000
    )
    assert client_on_attach == [None]  # the list came first, with no client's records read
    assert window.workspace.decisions.client == client
    assert window.workspace.controller.session is not None
    window.close()
    window.workspace.repository.close()
