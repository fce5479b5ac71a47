"""The mouse wheel over the notes panel scrolls it: Position, Length and the tension slider change only once
the therapist has clicked or tabbed into them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QScrollArea, QSlider, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain.flag_info import flag_infos
from app.domain.protocol import load_protocol
from app.domain.records import Consent
from app.ui.clients.intake_dialog import IntakeDialog
from tests.e2e.consult_driver import by_name, ini_settings, open_window

WHEEL_DOWN = QPoint(0, -120)  # one notch towards the user


def wheel(widget: QWidget, notches: int = 1) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre)),
        QPoint(0, 0),
        WHEEL_DOWN * notches,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def scrolled_by(area: QAbstractScrollArea) -> int:
    return area.verticalScrollBar().value()


def test_the_wheel_over_the_session_panel_scrolls_it_and_changes_nothing(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(dt.date(2026, 1, 5), "1"))
    session = repo.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    window.workspace.controller.select_region("trapezius_upper_l")
    window.resize(1024, 700)
    page = window.workspace.consult
    position = by_name(page, QComboBox, "Client position")
    length = by_name(page, QSpinBox, "Session length in minutes")
    tension = by_name(page, QSlider, "Tension, 0 to 10")
    panel = next(area for area in page.findChildren(QScrollArea) if area.isAncestorOf(position))
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0)

    for control in (tension, length, position):
        before = scrolled_by(panel)
        wheel(control, 2)
        assert scrolled_by(panel) > before, control.accessibleName()
    stored = repo.get_session(session.id)
    assert (stored.position, stored.minutes) == ("prone", 60)
    assert "trapezius_upper_l" not in stored.layer("therapist")

    # Clicked into (focused), the control is what the wheel turns.
    position.setFocus(Qt.FocusReason.MouseFocusReason)
    wheel(position)
    qtbot.waitUntil(lambda: repo.get_session(session.id).position != "prone")
    repo.close()


def test_the_wheel_over_a_screening_field_scrolls_the_list_of_flags(qtbot: QtBot) -> None:
    dialog = IntakeDialog(flag_infos(load_protocol()), day=dt.date(2026, 11, 20))
    qtbot.addWidget(dialog)
    dialog.resize(900, 500)
    dialog.show()
    qtbot.waitExposed(dialog)
    injury = next(row for row in dialog.flag_rows if row.info.local)
    injury.checkbox.setChecked(True)
    assert injury.region_combo is not None
    qtbot.waitUntil(lambda: dialog.flag_scroll.verticalScrollBar().maximum() > 0)
    before = scrolled_by(dialog.flag_scroll)
    wheel(injury.region_combo, 3)
    assert injury.region_combo.currentData() is None
    assert scrolled_by(dialog.flag_scroll) > before
