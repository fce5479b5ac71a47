"""A real screen-reader client reads the app: Xvfb, the AT-SPI bus and Debian's pyatspi walk the demo's consult
and every focusable control has a name. ./scripts/test installs what this needs; if the bus cannot start, this
fails (it never skips), so a machine without it cannot pass for accessible."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.storage.sql_store import now
from tests.e2e.consult_driver import ini_settings, open_window

WALKER = Path(__file__).with_name("atspi_walk.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-pyatspi (not installable into the venv)
NEEDED = ("Xvfb", "dbus-run-session", "/usr/libexec/at-spi-bus-launcher", SYSTEM_PYTHON)


@pytest.fixture
def display() -> Iterator[str]:
    """A private X display (Xvfb picks a free number and tells it through -displayfd)."""
    missing = [tool for tool in NEEDED if shutil.which(tool) is None and not Path(tool).exists()]
    assert missing == [], f"missing {missing}: ./scripts/test installs xvfb, dbus, at-spi2-core, python3-pyatspi"
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1360x860x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


def test_every_focusable_control_of_the_consult_has_a_name_for_a_screen_reader(display: str, tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QT_QPA", "DBUS_SESSION", "AT_SPI")) and key != "DISPLAY"
    }
    env |= {
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        "HOME": str(tmp_path),
    }
    app = [sys.executable, "-m", "app", "--demo"]
    walked = subprocess.run(
        ["dbus-run-session", "--", SYSTEM_PYTHON, str(WALKER), "--", *app],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    lines = [line for line in walked.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the walker said nothing (status {walked.returncode}): {walked.stderr[-2000:]}"
    report = json.loads(lines[-1])
    assert "error" not in report, report["error"]
    assert report["seen"] > 100  # the whole consult was walked, not an empty window
    assert report["unnamed"] == []


def test_every_focusable_control_in_every_mode_has_a_name(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    """The same rule in-process, over Consult, Plan and History (the AT-SPI walk above sees the first screen)."""
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repo = window.workspace.repository
    client = repo.create_client("Ana Example", consent=Consent(dt.date(2026, 1, 5), "1"))
    for days_ago in (14, 0):
        session = repo.start_session(client.id, start=now() - dt.timedelta(days=days_ago))
        repo.set_mark(session.id, "suboccipital_l", "therapist", 5)
        if days_ago:
            repo.finalise(session.id)
    window.workspace.clients.refresh()
    window.workspace.decisions.open_client(client.id)
    unnamed: list[str] = []
    for mode in range(3):
        window.workspace.mode_bar.setCurrentIndex(mode)
        for widget in window.findChildren(QWidget):
            if not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue
            if isinstance(widget.parentWidget(), QAbstractSpinBox):
                continue  # a spin box's own line edit: screen readers are given the spin box
            interface = QAccessible.queryAccessibleInterface(widget)
            if interface is None or not interface.text(QAccessible.Text.Name).strip():
                unnamed.append(f"mode {mode}: {type(widget).__name__} in {type(widget.parentWidget()).__name__}")
    assert unnamed == []
    repo.close()
