"""Opening a client and its History cost the same whatever its past holds (issue 22).

Counted, not timed: SQLite's virtual-machine steps (a progress handler) grow with the rows a query reads, and
the statements issued (a trace callback) show what is read at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.domain.demo import demo_client
from app.domain.records import ClientRecord, Consent, Session
from app.domain.session_summary import MarkTable, tally_of
from app.storage import history_reads
from app.storage.driver import sqlite3  # the store's own SQLite: two libraries on one -wal disagree
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_main_window
from app.ui.history.page import HistoryPage
from app.ui.history.timeline import TALLY_BATCH
from app.ui.history.trends import LAYER_STYLES
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings
from app.ui.workspace.widget import Workspace
from tests.storage.faults import written_elsewhere

TODAY = dt.date(2026, 11, 23)
LONG_HISTORY = 20  # times the demo's sessions: a few hundred, each with its plan as given


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, data_dir: Path) -> Iterator[MainWindow]:
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    made = create_main_window(data_dir, False, settings)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.workspace.repository.close()


def _store(window: MainWindow, client_id: str, name: str, copies: int) -> None:
    """The demo client under another id, its sessions repeated `copies` times a year apart, each with a plan."""
    client, intakes, sessions = demo_client(TODAY)
    plan = {"plan_version": 2, "outcome": "proceed", "steps": [], "for_client": ["x" * 2000]}
    repeated = tuple(
        dataclasses.replace(
            session,
            id=f"{client_id}-{copy}-{session.id}",
            start=session.start - dt.timedelta(days=365 * copy),
            plan=plan if copy else session.plan,
        )
        for copy in range(copies)
        for session in sessions
    )
    record = ClientRecord(dataclasses.replace(client, id=client_id, name=name), intakes, repeated)
    window.workspace.repository.import_records([record])


def _long_history_shown(window: MainWindow) -> tuple[Workspace, HistoryPage]:
    """The demo client's sessions twice over ("long"), opened, in History: the workspace and its History page."""
    _store(window, "long", "Long History", 2)
    workspace = window.workspace
    workspace.decisions.open_client("long")
    workspace.mode_bar.setCurrentIndex(2)
    return workspace, workspace.history_page()


@contextmanager
def _counted(window: MainWindow) -> Iterator[dict[str, int]]:
    """Counts the database's virtual-machine steps and statements while the block runs."""
    store = window.workspace.repository
    assert isinstance(store, SqliteStore)  # what is counted is SQLite's work
    connection: sqlite3.Connection = store._connection
    counts = {"steps": 0, "statements": 0}

    def step() -> int:
        counts["steps"] += 1
        return 0

    def statement(_sql: str) -> None:
        counts["statements"] += 1

    connection.set_progress_handler(step, 1)
    connection.set_trace_callback(statement)
    try:
        yield counts
    finally:
        connection.set_progress_handler(None, 0)
        connection.set_trace_callback(None)


def _statements(window: MainWindow, action: Callable[[], object]) -> list[str]:
    """The statements the database ran while `action` ran."""
    store = window.workspace.repository
    assert isinstance(store, SqliteStore)
    read: list[str] = []
    store._connection.set_trace_callback(read.append)
    try:
        action()
    finally:
        store._connection.set_trace_callback(None)
    return read


def _cost(window: MainWindow, action: Callable[[], object]) -> dict[str, int]:
    with _counted(window) as counts:
        action()
    return counts


def test_opening_a_client_reads_the_same_whatever_its_history(window: MainWindow) -> None:
    _store(window, "short", "Short History", 1)
    _store(window, "long", "Long History", LONG_HISTORY)
    workspace = window.workspace
    short = _cost(window, lambda: workspace.decisions.open_client("short"))
    long = _cost(window, lambda: workspace.decisions.open_client("long"))
    assert workspace.controller.session == workspace.repository.list_sessions("long")[0]
    assert long["statements"] == short["statements"]
    assert long["steps"] <= short["steps"] * 1.2  # an index a little deeper, never a row per session


def test_history_reads_whole_only_the_sessions_it_shows(qtbot: QtBot, window: MainWindow) -> None:
    _store(window, "short", "Short History", 1)
    _store(window, "long", "Long History", LONG_HISTORY)
    workspace = window.workspace
    workspace.decisions.open_client("long")  # its lines are kept: "short" and then "long" are read afresh
    workspace.mode_bar.setCurrentIndex(2)
    page = workspace.history_page()
    short = _cost(window, lambda: workspace.decisions.open_client("short"))
    long = _cost(window, lambda: workspace.decisions.open_client("long"))
    sessions = workspace.repository.list_sessions("long")
    assert page.timeline.rowCount() == len(sessions)
    # The same queries for any history: its lines, its marks tallied for the lines on screen (one batch), then
    # the session opened in full.
    assert long["statements"] == short["statements"]
    assert page.timeline.tallied == TALLY_BATCH < len(sessions)
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.timeline.tallied > TALLY_BATCH)  # the oldest lines painted: their batch read
    assert page.timeline.tallied <= 2 * TALLY_BATCH
    oldest = page.timeline.index(len(sessions) - 1, 1)
    assert page.timeline.data(oldest) == str(tally_of(sessions[-1]).regions_marked)
    trends = _statements(window, lambda: page.tabs.setCurrentWidget(page.trends))
    store = workspace.repository
    assert isinstance(store, SqliteStore)
    table = _statements(window, lambda: history_reads.load_mark_table(store._connection, "long"))
    assert [sql for sql in trends if "marks" in sql] == [sql for sql in table if "marks" in sql]  # read once, whole
    assert _cost(window, lambda: page.tabs.setCurrentIndex(3))["statements"] == 0  # the heat map: marks read once
    opened = _cost(window, lambda: page.table.selectRow(5))
    one_session = _cost(window, lambda: workspace.repository.get_session(page.timeline.line(5).session_id))
    assert opened["statements"] == one_session["statements"]


def test_history_of_a_client_without_sessions_and_after_one_starts(window: MainWindow) -> None:
    repository = window.workspace.repository
    client = repository.create_client("New Client", consent=Consent(TODAY, "1"))
    workspace = window.workspace
    workspace.decisions.open_client(client.id)
    workspace.mode_bar.setCurrentIndex(2)
    page = workspace.history_page()
    assert page.timeline.rowCount() == 0
    assert page.session_details.toPlainText() == "No sessions yet."
    started: Session = repository.start_session(client.id)
    workspace.decisions.open_client(client.id)
    assert page.timeline.line(0).session_id == started.id
    assert page.session_details.toPlainText().startswith(f"Session of {started.start:%A %d %B %Y}")


def test_back_to_an_unchanged_history_reads_no_session_and_a_new_session_shows(window: MainWindow) -> None:
    workspace, page = _long_history_shown(window)
    page.table.selectRow(3)
    workspace.mode_bar.setCurrentIndex(0)
    read = _statements(window, lambda: workspace.mode_bar.setCurrentIndex(2))
    assert not [sql for sql in read if "sessions" in sql or "marks" in sql], read  # the page is as it was
    assert page.table.currentIndex().row() == 3
    started = workspace.repository.start_session("long")
    workspace.mode_bar.setCurrentIndex(0)
    workspace.mode_bar.setCurrentIndex(2)
    assert page.timeline.line(0).session_id == started.id
    assert page.table.currentIndex().row() == 0


def test_history_after_another_window_s_work_reads_and_redraws_only_what_changed(
    window: MainWindow, data_dir: Path
) -> None:
    workspace, page = _long_history_shown(window)
    kept = page.timeline.line(3)
    amended = next(line for line in map(page.timeline.line, range(page.timeline.rowCount())) if line.finalised)
    workspace.mode_bar.setCurrentIndex(0)
    other = SqliteStore.open(data_dir)  # another window on the same records
    started = other.start_session("long")
    corrected = dataclasses.replace(other.get_session(amended.session_id), shared_note="Drink water after.")
    other.amend(amended.session_id, corrected, "the note was another client's")
    other.close()
    read = _statements(window, lambda: workspace.mode_bar.setCurrentIndex(2))
    # Timeline lines read whole (their amendments counted): one read, of the two changed alone.
    [whole_lines] = [sql for sql in read if "count(*) FROM amendments" in sql]
    assert started.id in whole_lines
    assert amended.session_id in whole_lines
    assert kept.session_id not in whole_lines
    assert not [sql for sql in read if "FROM marks" in sql and kept.session_id in sql]  # its tally is kept
    assert page.timeline.line(0).session_id == started.id
    assert page.table.currentIndex().row() == 0  # the new session, the newest, opened
    assert page.session_details.toPlainText().startswith(f"Session of {started.start:%A %d %B %Y}")
    row = [line.session_id for line in map(page.timeline.line, range(page.timeline.rowCount()))].index(
        amended.session_id
    )
    assert page.timeline.text(row, 4) == "Drink water after."
    assert page.timeline.text(row, 5) == f"finalised, {amended.amendments + 1} amended"


def test_trends_after_a_note_changed_elsewhere_reads_that_session_s_marks_alone_and_redraws_nothing(
    window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, page = _long_history_shown(window)
    page.tabs.setCurrentWidget(page.trends)
    page.trends.choose_region("lower_back_r")
    drawn = page.trends.plotted()
    workspace.mode_bar.setCurrentIndex(0)
    newest = page.timeline.line(0)
    written_elsewhere(  # another window writes the note
        data_dir,
        (
            "UPDATE sessions SET shared_note = 'Walk after lunch.', version = version + 1 WHERE id = ?",
            (newest.session_id,),
        ),
    )
    rebuilt: list[MarkTable] = []
    monkeypatch.setattr(page.trends, "show_marks", rebuilt.append)
    read = _statements(window, lambda: workspace.mode_bar.setCurrentIndex(2))
    assert page.timeline.text(0, 4) == "Walk after lunch."
    marks_read = [sql for sql in read if "FROM marks" in sql]
    assert marks_read
    assert all(newest.session_id in sql for sql in marks_read)  # that session's marks alone
    assert rebuilt == []  # the very table: Trends keeps its lines as drawn
    assert {name: y.tolist() for name, (_x, y) in page.trends.plotted().items()} == {
        name: y.tolist() for name, (_x, y) in drawn.items()
    }


def test_trends_show_a_mark_changed_elsewhere(window: MainWindow, data_dir: Path) -> None:
    workspace, page = _long_history_shown(window)
    page.tabs.setCurrentWidget(page.trends)
    workspace.mode_bar.setCurrentIndex(0)
    store = workspace.repository
    marked = next(session for session in store.list_sessions("long") if session.marks)  # the newest with marks
    region = marked.marks[0].region
    layers = {LAYER_STYLES[mark.by][2] for mark in marked.marks if mark.region == region}
    written_elsewhere(  # another window sets the region's tension to 0
        data_dir,
        ("UPDATE marks SET tension = 0 WHERE session_id = ? AND region = ?", (marked.id, region)),
        ("UPDATE sessions SET version = version + 1 WHERE id = ?", (marked.id,)),
    )
    workspace.mode_bar.setCurrentIndex(2)
    page.trends.choose_region(region)
    day = dt.datetime.combine(marked.start.date(), dt.time(12), dt.UTC).timestamp()
    for layer in layers:
        x, y = page.trends.plotted()[layer]
        assert y[list(x).index(day)] == 0, layer
