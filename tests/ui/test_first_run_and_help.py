"""A first start on empty records says what to do; Help has the how-to and every keyboard shortcut."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app.domain.practice import PracticeSettings
from app.domain.records import Consent
from app.ui.dialogs.help import HelpDialog
from tests.e2e.consult_driver import ini_settings, open_window


def test_an_empty_first_start_says_what_to_do_until_the_first_client(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    workspace = window.workspace
    assert workspace.first_run_box.isVisible()
    assert "New client" in workspace.first_run.text()
    assert "Practice details" in workspace.first_run.text()  # plans would print without the therapist's name
    assert workspace.first_run_practice.isVisible()

    window.settings.set_practice(PracticeSettings(therapist_name="Thandi Example"))
    client = workspace.repository.create_client("Ana Example", consent=Consent(dt.date(2026, 1, 5), "1"))
    workspace.clients.refresh()
    workspace.decisions.open_client(client.id)
    assert not workspace.first_run_box.isVisible()
    workspace.repository.close()


def test_f1_opens_the_how_to_and_the_keyboard_shortcuts(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[HelpDialog] = []

    def show(dialog: Any) -> int:
        opened.append(dialog)
        return 0

    monkeypatch.setattr(HelpDialog, "exec", show)
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    (action,) = [a for a in window.menus["Help"].actions() if a.text() == "How-to and keyboard shortcuts"]
    assert isinstance(action, QAction)
    assert action.shortcut().toString() == "F1"
    action.trigger()
    text = opened[0].browser.toPlainText()
    for words in ("Start the session", "Mark as given", "Finalise", "Ctrl+N", "Space", "Ctrl++", "Delete", "Ctrl+I"):
        assert words in text
    assert opened[0].browser.accessibleName()
    window.workspace.repository.close()
