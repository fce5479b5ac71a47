"""The consult screen at the default window size: ending or amending a session never needs a scroll first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.domain.records import Consent, FlagEntry, Intake
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings, open_window

TODAY = dt.date(2026, 11, 20)
DEFAULT_SIZE = (1360, 860)
LONG_GUIDANCE = "rhomboid_l"  # techniques, pressure and a caution: the region panel at its tallest


def window_at_default_size(qtbot: QtBot, data_dir: Path, tmp_path: Path, finalised: bool) -> MainWindow:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(TODAY, "1"))
    repo.save_intake(client.id, Intake(TODAY, (FlagEntry("blood_thinners"),)))
    session = repo.start_session(client.id)
    if finalised:
        repo.finalise(session.id)
    window.workspace.decisions.open_client(client.id)
    window.resize(*DEFAULT_SIZE)
    window.workspace.controller.select_region(LONG_GUIDANCE)
    qtbot.waitUntil(lambda: window.size().toTuple() == DEFAULT_SIZE)
    return window


def button(window: MainWindow, text: str) -> QPushButton:
    found = [b for b in window.workspace.consult.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1
    return found[0]


def assert_in_view(window: MainWindow, shown: QPushButton) -> None:
    """Shown, inside the window, and not clipped by a scroll area or a splitter: all of it can be clicked."""
    assert shown.isVisible()
    in_window = QRect(shown.mapTo(window, shown.rect().topLeft()), shown.size())
    assert window.rect().contains(in_window), (in_window, window.rect())
    assert shown.visibleRegion().boundingRect() == shown.rect()


def test_finalise_is_in_view_at_the_default_size(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    window = window_at_default_size(qtbot, data_dir, tmp_path, finalised=False)
    assert_in_view(window, button(window, "Finalise session"))
    window.workspace.repository.close()


def test_amend_is_in_view_at_the_default_size(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    window = window_at_default_size(qtbot, data_dir, tmp_path, finalised=True)
    assert not button(window, "Finalise session").isVisible()
    assert_in_view(window, button(window, "Amend…"))
    window.workspace.repository.close()
