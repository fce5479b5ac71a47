from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.plan_model import plan_from_json
from app.domain.plan_wording import HoldRange, make_handout
from app.ui.plan_view.hold_timer import HoldTimer
from app.ui.plan_view.plan_view import PlanView
from tests.ui.plan_samples import DATE, PRACTICE, STAND_IN_MAP, proceed_plan


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _timer(qtbot: QtBot, clock: FakeClock, chimes: list[str], repetitions: int | None = None) -> HoldTimer:
    ticker = QTimer()  # never started by hand: the test emits its timeout to make time pass
    timer = HoldTimer(
        "suboccipital_l",
        HoldRange(10, 15),
        repetitions=repetitions,
        clock=clock,
        ticker=ticker,
        chime=lambda: chimes.append("chime"),
    )
    qtbot.addWidget(timer)
    return timer


def _advance(timer: HoldTimer, clock: FakeClock, seconds: float) -> None:
    clock.now += seconds
    timer.ticker.timeout.emit()


def test_stop_logs_the_seconds_actually_held(qtbot: QtBot, clock: FakeClock) -> None:
    timer = _timer(qtbot, clock, [])
    qtbot.mouseClick(timer.start_button, Qt.MouseButton.LeftButton)
    assert timer.running
    _advance(timer, clock, 12.4)
    with qtbot.waitSignal(timer.holdLogged) as logged:
        qtbot.mouseClick(timer.stop_button, Qt.MouseButton.LeftButton)
    region, seconds = logged.args
    assert region == "suboccipital_l"
    assert seconds == pytest.approx(12.4)
    assert not timer.running
    assert not timer.ticker.isActive()
    assert "Held 12.4 seconds" in timer.status_label.text()


def test_it_counts_down_to_the_minimum_then_shows_the_band_then_asks_to_release(qtbot: QtBot, clock: FakeClock) -> None:
    chimes: list[str] = []
    timer = _timer(qtbot, clock, chimes)
    timer.start()
    _advance(timer, clock, 4.2)
    assert timer.count_label.text() == "6 s"
    assert "6 s to go" in timer.status_label.text()
    with qtbot.waitSignal(timer.markReached) as reached:
        _advance(timer, clock, 6.0)
    assert reached.args == ["minimum"]
    assert timer.count_label.text() == "10 s"
    assert "hold up to 15 s" in timer.status_label.text()
    assert chimes == []  # the minimum gets a visual pulse only
    with qtbot.assertNotEmitted(timer.markReached):
        _advance(timer, clock, 1.0)  # the signal comes once, not on every tick
    with qtbot.waitSignal(timer.markReached) as reached:
        _advance(timer, clock, 4.0)
    assert reached.args == ["maximum"]
    assert chimes == ["chime"]
    assert "release gently" in timer.status_label.text()


def test_a_real_ticking_timer_updates_the_count_from_the_injected_clock(qtbot: QtBot, clock: FakeClock) -> None:
    timer = HoldTimer("scapula_edge_r", HoldRange(10, 15), clock=clock, chime=lambda: None)
    qtbot.addWidget(timer)
    timer.start()
    clock.now += 11  # no sleeping: the clock jumps, the widget's own QTimer notices on its next tick
    qtbot.waitUntil(lambda: timer.count_label.text() == "11 s")
    with qtbot.waitSignal(timer.holdLogged) as logged:
        timer.stop()
    assert logged.args == ["scapula_edge_r", 11.0]


def test_repeated_holds_are_counted(qtbot: QtBot, clock: FakeClock) -> None:
    timer = _timer(qtbot, clock, [], repetitions=3)
    assert "Holds done: 0 of 3" in timer.status_label.text()
    timer.start()
    _advance(timer, clock, 11)
    timer.stop()
    assert timer.holds_done == 1
    assert "Holds done: 1 of 3" in timer.status_label.text()
    assert timer.start_button.text() == "Start next hold"
    assert timer.start_button.isEnabled()
    assert not timer.stop_button.isEnabled()


def test_stop_before_start_and_a_second_start_change_nothing(qtbot: QtBot, clock: FakeClock) -> None:
    timer = _timer(qtbot, clock, [])
    with qtbot.assertNotEmitted(timer.holdLogged):
        timer.stop()
    timer.start()
    _advance(timer, clock, 5)
    timer.start()  # a double click must not restart the count
    assert timer.elapsed() == pytest.approx(5)


def test_at_the_longest_hold_it_stops_by_itself_and_logs_the_seconds(qtbot: QtBot, clock: FakeClock) -> None:
    timer = _timer(qtbot, clock, [])
    timer.start()
    _advance(timer, clock, 9.0)
    with qtbot.waitSignal(timer.markReached) as reached:
        _advance(timer, clock, 1.0)
    assert reached.args == ["minimum"]  # the cue at 10 s
    with qtbot.waitSignal(timer.holdLogged) as logged:
        _advance(timer, clock, 5.0)
    assert logged.args == ["suboccipital_l", 15.0]  # the cue at 15 s, and the hold logged without a click
    assert not timer.running
    assert not timer.ticker.isActive()
    assert "release gently. Held 15.0 seconds" in timer.status_label.text()


def test_space_starts_and_stops_the_hold_in_the_plan(qtbot: QtBot, clock: FakeClock) -> None:
    view = PlanView(map_svg=STAND_IN_MAP, clock=clock)
    qtbot.addWidget(view)
    plan = plan_from_json(proceed_plan())
    view.show_handout(make_handout(plan, client_first_name="Ana", date=DATE, shared_note="", practice=PRACTICE))
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.setFocus()
    first = view.hold_timers[0]

    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert first.running
    clock.now += 11.0
    assert QApplication.focusWidget() is first.stop_button  # the keyboard followed the hold to its Stop
    with qtbot.waitSignal(view.holdLogged) as logged:
        qtbot.keyClick(first.stop_button, Qt.Key.Key_Space)
    assert logged.args == [first.region_id, 11.0]
    assert QApplication.focusWidget() is first.start_button
    qtbot.keyClick(first.start_button, Qt.Key.Key_Space)
    assert first.running or view.hold_timers[1].running  # the next hold still to do
