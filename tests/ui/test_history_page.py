"""Review with the client: the demo's months of sessions, compared side by side, trends and the heat map."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.analytics import TensionMatrix, compare_sessions, heat_map
from app.domain.demo import demo_client
from app.domain.plan import plan_from_json
from app.domain.plan_text import render_plan_text
from app.domain.records import Session
from app.domain.regions import load_region_map
from app.domain.session_summary import MarksTally, MarkTable, line_of, tally_of
from app.resources import map_svg_path
from app.storage.map_cache import load_map_outlines
from app.ui.body_map import palette
from app.ui.consult.session_panel import session_status
from app.ui.history.page import HistoryPage
from app.ui.history.trends import WHOLE_BACK

TODAY = dt.date(2026, 11, 23)


def read_from(sessions: list[Session]) -> Callable[[str], Session]:
    return {session.id: session for session in sessions}.__getitem__


def tallies_from(sessions: list[Session]) -> Callable[[Sequence[str]], dict[str, MarksTally]]:
    by_id = {session.id: session for session in sessions}
    return lambda session_ids: {session_id: tally_of(by_id[session_id]) for session_id in session_ids}


@pytest.fixture
def sessions() -> list[Session]:
    return demo_client(TODAY)[2]


@pytest.fixture
def page(qtbot: QtBot, sessions: list[Session]) -> HistoryPage:
    widget = HistoryPage(
        str(map_svg_path()),
        load_map_outlines(map_svg_path()).regions,
        lambda: load_region_map(map_svg_path()),
        lambda plan: render_plan_text(plan_from_json(plan), clearance_on_record=True),
    )
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    newest_first = sorted(sessions, key=lambda s: s.start, reverse=True)
    widget.show_history(
        [line_of(s) for s in newest_first],
        tallies_from(sessions),
        lambda: MarkTable.from_sessions(sessions),
        read_from(sessions),
    )
    return widget


def test_the_timeline_lists_every_session_newest_first(page: HistoryPage, sessions: list[Session]) -> None:
    model = page.timeline
    assert model.rowCount() == len(sessions)
    newest = max(sessions, key=lambda s: s.start)
    assert model.line(0).session_id == newest.id
    assert model.data(model.index(0, 5)) == "open"  # the demo's latest session is still open
    assert "finalised" in str(model.data(model.index(1, 5)))
    tally = tally_of(newest)
    assert (model.data(model.index(0, 1)), model.data(model.index(0, 2))) == (
        str(tally.regions_marked),
        str(tally.highest),
    )


def test_picking_two_sessions_shows_the_difference_for_a_region_that_changed(
    qtbot: QtBot, page: HistoryPage, sessions: list[Session]
) -> None:
    first, last = sessions[0], sessions[-1]
    page.tabs.setCurrentIndex(1)
    page.choose_comparison(first.id, last.id)
    before = first.effective_tension()["trapezius_upper_l"]
    after = last.effective_tension()["trapezius_upper_l"]
    assert after < before  # the demo's story: the upper trapezius eases
    fill, label = page.map_diff.shown("trapezius_upper_l")
    assert label == f"{before}→{after}"
    assert fill == palette.CHANGE_COLOURS["better"]
    assert "Better:" in page.compare_summary.text()
    assert "Upper trapezius, left" in page.compare_summary.text()
    assert compare_sessions(first, last).change("trapezius_upper_l") == "better"


def test_a_region_assessed_in_only_one_of_the_two_is_not_a_change(page: HistoryPage, sessions: list[Session]) -> None:
    first, last = sessions[0], sessions[-1]
    page.tabs.setCurrentIndex(1)
    page.choose_comparison(first.id, last.id)
    only_one = set(first.effective_tension()) ^ set(last.effective_tension())
    assert only_one, "the demo should have a region assessed in just one of these sessions"
    for region in only_one:
        assert page.map_diff.shown(region) == (None, "n/a"), region
    for region in ("spine", "sacrum"):  # never assessed at all: nothing shown
        assert page.map_diff.shown(region) == (None, "")


def test_the_trend_of_a_region_draws_each_layer_and_skips_unassessed_sessions(
    page: HistoryPage, sessions: list[Session]
) -> None:
    page.tabs.setCurrentWidget(page.trends)
    page.trends.choose_region("rhomboid_r")  # marked by the client only, in the demo
    lines = page.trends.plotted()
    assert set(lines) == {"Client's rating"}
    _dates, y = lines["Client's rating"]
    expected = [s.layer("client")["rhomboid_r"].tension for s in sessions if "rhomboid_r" in s.layer("client")]
    assert list(y) == expected
    assert not np.isnan(y).any()


def test_every_region_s_trend_is_read_against_the_client_s_whole_history(
    page: HistoryPage, sessions: list[Session]
) -> None:
    page.tabs.setCurrentWidget(page.trends)
    first, last = (dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp() for day in _first_and_last_day(sessions))
    for region in ("rhomboid_r", "lower_back_r", WHOLE_BACK):
        page.trends.choose_region(region)
        start, end = page.trends.date_span()
        assert start < first, region
        assert last < end, region
        assert end - start < (last - first) * 1.2 + 4 * 86_400, region  # the history's span, not more


def _first_and_last_day(sessions: list[Session]) -> tuple[dt.date, dt.date]:
    days = sorted(session.start.date() for session in sessions)
    return days[0], days[-1]


def test_the_heat_map_paints_the_mean_tension_over_the_chosen_range(page: HistoryPage, sessions: list[Session]) -> None:
    expected = heat_map(TensionMatrix.from_sessions(sessions))
    page.tabs.setCurrentIndex(3)
    mean = expected.mean[expected.regions.index("lower_back_r")]
    fill, label = page.heat_map.shown("lower_back_r")
    assert fill == palette.tension_colour(round(mean))
    assert float(label) == pytest.approx(mean, abs=0.05)
    page.heat_peak.setChecked(True)
    assert float(page.heat_map.shown("lower_back_r")[1]) == expected.peak[expected.regions.index("lower_back_r")]
    assert math.isnan(expected.mean[expected.regions.index("spine")])
    assert page.heat_map.shown("spine") == (None, "")


# What it felt like (the demo: her right lower back aches throughout; her left shoulder burned on the first visits).


def test_the_session_view_shows_what_each_mark_felt_like_on_the_map_and_in_words(
    page: HistoryPage, sessions: list[Session]
) -> None:
    page.tabs.setCurrentIndex(0)
    newest = max(sessions, key=lambda s: s.start)
    therapist = newest.layer("therapist")["lower_back_r"].tension
    client = newest.layer("client")["lower_back_r"].tension
    assert page.session_map.shown("lower_back_r")[1] == f"{therapist} ({client})\n(^^^)"  # the client's, in brackets
    assert "Lower back (quadratus lumborum), right (client): aching" in page.session_details.toPlainText()


def test_side_by_side_shows_what_it_felt_like_then_and_now(page: HistoryPage, sessions: list[Session]) -> None:
    first, last = sessions[0], sessions[-1]
    page.tabs.setCurrentIndex(1)
    page.choose_comparison(first.id, last.id)
    assert page.map_a.shown("trapezius_upper_l")[1].endswith("\nxxx")
    assert page.map_b.shown("trapezius_upper_l")[1] == str(last.effective_tension()["trapezius_upper_l"])
    assert page.map_a.shown("lower_back_r")[1].endswith("\n^^^")
    assert "Felt: Upper trapezius, left burning → plain." in page.compare_summary.text()


def test_the_trend_can_show_only_the_sessions_that_felt_burning(page: HistoryPage, sessions: list[Session]) -> None:
    page.tabs.setCurrentWidget(page.trends)
    page.trends.choose_region("trapezius_upper_l")
    page.trends.choose_feeling("burning")
    lines = page.trends.plotted()
    assert set(lines) == {"Client's rating"}  # only she can say it burned
    _dates, y = lines["Client's rating"]
    burning = [s.layer("client")["trapezius_upper_l"] for s in sessions]
    assert list(y) == [mark.tension for mark in burning if mark.quality == "burning"]
    assert 0 < len(y) < len(sessions)
    page.trends.choose_feeling("")
    assert len(page.trends.plotted()["Client's rating"][1]) == len(sessions)


def test_the_trends_tab_tells_what_eased_most_and_what_stays_tense(
    qtbot: QtBot, page: HistoryPage, sessions: list[Session]
) -> None:
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(page.tabs.indexOf(page.trends)).center())
    story = page.trends.story.text()
    # The demo's story: the upper trapezius eases over the months, the right lower back stays at 6-7.
    improved, still_tense = story.split(" Still tense: ")
    assert improved.startswith("Most improved: Upper trapezius, left ")
    assert still_tense.startswith(f"Lower back (quadratus lumborum), right (6 or more in {len(sessions)} of ")


def test_times_read_in_this_computers_time_zone_as_in_the_consult(
    page: HistoryPage, sessions: list[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's visits are recorded in South Africa (+02:00); this computer is in another zone (e.g. travelling):
    # the timeline, the session's details and the consult's strip all say the same clock time.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        earlier = sorted(sessions, key=lambda s: s.start, reverse=True)[1]
        local = earlier.start.astimezone()
        assert local.hour != earlier.start.hour
        clock = f"{local:%H:%M}"
        assert page.timeline.text(1, 0).endswith(clock)
        page.table.selectRow(1)
        assert f", {clock} (" in page.session_details.toPlainText()
        assert f", {clock}." in session_status(earlier, editable=True)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_choosing_a_region_redraws_its_lines_and_leaves_the_dates_and_grid_as_drawn(
    page: HistoryPage, sessions: list[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    page.tabs.setCurrentWidget(page.trends)
    plot = page.trends._plot
    plot.viewport().repaint()
    painted: list[str] = []

    def counted(name: str, draw: Callable[..., None]) -> Callable[..., None]:
        def paint(*args: object) -> None:
            painted.append(name)
            draw(*args)

        return paint

    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        monkeypatch.setattr(axis, "paint", counted(name, axis.paint))
    before = page.trends.plotted()
    page.trends.choose_region("lower_back_r")
    plot.viewport().repaint()
    assert page.trends.plotted()["Client's rating"][1].tolist() != before["Client's rating"][1].tolist()
    assert painted == []  # the axes and the grid they draw come from their pixmaps

    recent = sorted(sessions, key=lambda s: s.start)[-3:]
    table = MarkTable.from_sessions(recent)
    page.trends.show_marks(table, TensionMatrix.from_marks(table))  # another span: the dates are drawn anew
    plot.viewport().repaint()
    assert painted == ["bottom"]
