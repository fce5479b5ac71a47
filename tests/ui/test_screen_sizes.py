"""Small and large screens: at 1024×700 nothing of the consult is cut off sideways; Plan mode zooms with Ctrl++ and
Ctrl+-, and remembers it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import ini_settings, open_window

SMALL = (1024, 700)


def window_with_session(qtbot: QtBot, data_dir: Path, settings_dir: Path) -> MainWindow:
    window = open_window(qtbot, data_dir, ini_settings(settings_dir))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(dt.date(2026, 1, 5), "1"))
    session = repo.start_session(client.id)
    repo.set_mark(session.id, "suboccipital_l", "therapist", 5)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    return window


def cut_sideways(widget: QWidget) -> bool:
    """Part of the widget's width is hidden by whatever holds it (a splitter, a scroll area, the window); one
    scrolled out of view up or down is not cut sideways."""
    shown = widget.visibleRegion().boundingRect()
    return not shown.isEmpty() and shown.width() < widget.width()


def test_at_1024_by_700_nothing_of_the_consult_is_cut_off_sideways(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = window_with_session(qtbot, data_dir, tmp_path)
    window.workspace.controller.select_region("rhomboid_l")  # the region panel at its tallest
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: window.size().toTuple() == SMALL)
    page = window.workspace.consult
    assert QRect(page.mapTo(window, page.rect().topLeft()), page.size()).right() < SMALL[0]

    panel = next(area for area in page.findChildren(QScrollArea) if area.widget() is not None)
    notes = panel.widget()
    assert notes is not None
    assert notes.width() <= panel.viewport().width()
    assert notes.minimumSizeHint().width() <= panel.viewport().width()
    assert page.legend.width() >= page.legend.minimumSizeHint().width()
    shown = [w for w in page.findChildren(QWidget) if isinstance(w, (QAbstractButton, QLabel)) and w.isVisible()]
    assert len(shown) > 20
    assert [w.text() for w in shown if cut_sideways(w) and w.text()] == []
    window.workspace.repository.close()


def test_plan_mode_zooms_with_the_keyboard_and_remembers_it(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    window = window_with_session(qtbot, data_dir, tmp_path)
    window.workspace.mode_bar.setCurrentIndex(1)
    view = window.workspace.plan_page().view
    title = next(label for label in view.findChildren(QLabel) if label.objectName() == "planTitle")
    before = title.fontInfo().pointSizeF()

    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom > 1.0
    title = next(label for label in view.findChildren(QLabel) if label.objectName() == "planTitle")
    assert title.fontInfo().pointSizeF() > before
    assert view.hold_timers  # the page was laid out again, its timers too
    window.close()
    window.workspace.repository.close()

    again = window_with_session(qtbot, data_dir / "other", tmp_path)  # same settings file, new window
    again.workspace.mode_bar.setCurrentIndex(1)
    zoomed = again.workspace.plan_page().view
    assert zoomed.zoom == view.zoom
    qtbot.keyClick(zoomed, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert zoomed.zoom < view.zoom
    again.workspace.repository.close()


POINTS = ("suboccipital", "scapula_edge", "lower_back_point")


def test_map_numbers_never_hide_a_point_marker_or_each_other(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    view = window.workspace.consult.map_view
    everything = view.region_ids()
    for marks in ({r: 7 for r in everything if r.startswith(POINTS)}, dict.fromkeys(everything, 10)):
        view.set_marks(marks, marks)  # the widest labels, "10 (10)", on every region at once
        labels = {r: view.label_rect(r) for r in everything}
        shown = {r: rect for r, rect in labels.items() if rect is not None}
        assert set(shown) == set(marks)
        markers = {r: view.marker_rect(r) for r in everything if r.startswith(POINTS)}
        assert [(r, m) for r, rect in shown.items() for m, marker in markers.items() if rect.intersects(marker)] == []
        assert [(a, b) for a, ra in shown.items() for b, rb in shown.items() if a < b and ra.intersects(rb)] == []
    window.workspace.repository.close()
