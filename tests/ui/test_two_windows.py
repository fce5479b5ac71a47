"""Two windows on the same records: one app per data folder, and where two still write, neither undoes the other."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.cli import main
from app.domain.records import Consent
from app.domain.regions import load_region_map
from app.resources import map_svg_path
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_application, start_main_window
from app.ui.single_instance import InstanceLock, RaiseListener, ask_first_to_raise
from tests.e2e.consult_driver import click_region, ini_settings, open_window
from tests.ui.answers import Answers

ROOT = Path(__file__).resolve().parents[2]


def test_a_stale_edit_is_refused_the_window_reloads_and_undo_leaves_the_other_edit(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    mine = window.workspace.repository
    client = mine.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    session = mine.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    view = window.workspace.consult.map_view
    click_region(qtbot, window, load_region_map(map_svg_path()), "rhomboid_l")
    qtbot.keyClick(view, Qt.Key.Key_5)
    assert mine.get_session(session.id).layer("therapist")["rhomboid_l"].tension == 5

    with SqliteStore.open(data_dir) as elsewhere:  # a second window (or a command) on the same file
        elsewhere.get_session(session.id)
        elsewhere.set_mark(session.id, "rhomboid_l", "therapist", 8)

    qtbot.keyClick(view, Qt.Key.Key_3)  # based on what this window shows: the 5
    assert "changed elsewhere" in answers.texts()
    assert "— reloaded" in answers.texts()
    assert view.shown("rhomboid_l")[1].endswith("8")  # the window shows what is stored now
    assert mine.get_session(session.id).layer("therapist")["rhomboid_l"].tension == 8

    undo_group = window.workspace.undo_group
    qtbot.waitUntil(lambda: not undo_group.canUndo())  # its undo steps were based on the 5: dropped
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert mine.get_session(session.id).layer("therapist")["rhomboid_l"].tension == 8
    qtbot.keyClick(view, Qt.Key.Key_6)  # after the reload, edits go through again
    assert mine.get_session(session.id).layer("therapist")["rhomboid_l"].tension == 6
    mine.close()


def test_a_second_start_brings_the_first_window_forward(qtbot: QtBot, data_dir: Path) -> None:
    create_application([])
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    listener = RaiseListener(data_dir)
    assert listener.listen()
    second = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        with qtbot.waitSignal(listener.raiseRequested, timeout=60_000):
            pass  # the event loop runs, so the listener answers the second start
        _out, err = second.communicate(timeout=60)
    finally:
        second.kill()
        listener.close()
        lock.release()
    assert second.returncode == 0
    assert err == f"backmap: Backmap is already open on {data_dir}: its window was brought forward.\n"
    assert not (data_dir / "backmap.sqlite3").exists()  # it never opened the records


def test_when_the_first_does_not_answer_the_second_opens_read_only_with_a_banner(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    create_application([])
    with SqliteStore.open(data_dir) as first:
        first.create_client("Ana Example")
    lock = InstanceLock(data_dir)
    assert lock.acquire()  # held, but nobody listens (a hung first window, or one on another computer)
    try:
        assert not InstanceLock(data_dir).acquire()
        assert not ask_first_to_raise(data_dir, wait_ms=300)
        window = start_main_window(data_dir, demo=False, settings=ini_settings(tmp_path), read_only_reason="X")
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.centralWidget() is not None and hasattr(window.centralWidget(), "repository"))
    finally:
        lock.release()
    banner = window.workspace.read_only_banner
    assert banner.isVisible()
    assert banner.text() == "Read-only: X."
    client = window.workspace.repository.list_clients()[0]
    window.workspace.decisions.open_client(client.id)
    window.workspace.decisions.start_session()
    assert "X" in answers.texts()  # refused, saying why
    assert window.workspace.repository.list_sessions(client.id) == []
    window.workspace.repository.close()


def test_what_the_plan_page_of_the_same_window_writes_is_not_elsewhere(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    repository = window.workspace.repository
    client = repository.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    session = repository.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    view = window.workspace.consult.map_view
    click_region(qtbot, window, load_region_map(map_svg_path()), "rhomboid_l")
    qtbot.keyClick(view, Qt.Key.Key_5)
    window.workspace.mode_bar.setCurrentIndex(1)
    window.workspace.plan_page().view.holdLogged.emit("suboccipital_l", 12.0)  # the hold timer's report
    window.workspace.mode_bar.setCurrentIndex(0)
    qtbot.keyClick(view, Qt.Key.Key_6)
    assert answers.shown == []
    stored = repository.get_session(session.id)
    assert (stored.layer("therapist")["rhomboid_l"].tension, len(stored.holds)) == (6, 1)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # its undo steps still work
    assert repository.get_session(session.id).layer("therapist")["rhomboid_l"].tension == 5
    repository.close()


def test_the_lock_of_a_killed_backmap_is_taken_over(data_dir: Path) -> None:
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom app.ui.single_instance import InstanceLock\n"
        "lock = InstanceLock(Path(sys.argv[1]))\nassert lock.acquire()\nos._exit(0)"  # killed: the lock file stays
    )
    subprocess.run([sys.executable, "-c", code, str(data_dir)], check=True, cwd=ROOT)
    assert (data_dir / "backmap.lock").exists()
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    lock.release()


def test_restore_waits_for_the_app_to_close(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteStore.open(data_dir) as repository:
        backup = repository.local_folder.backup()
    lock = InstanceLock(data_dir)
    assert lock.acquire()  # the desktop app is open on these records
    try:
        assert main(["restore", str(backup)]) == 1
    finally:
        lock.release()
    assert capsys.readouterr().err.startswith(f"backmap: Backmap is open on {data_dir} (process {os.getpid()} on ")
    assert sorted(path.name for path in data_dir.iterdir()) == ["backmap.sqlite3", "backups"]
