from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.domain.plan_model import PlanError, plan_from_json
from app.domain.plan_wording import CLOSING, MapMark, make_handout, read_plan
from app.domain.practice import PracticeSettings
from app.errors import BackmapError
from app.ui.plan_view.hold_timer import HoldTimer
from app.ui.plan_view.map_image import render_plan_map
from app.ui.plan_view.plan_view import PlanView
from app.ui.plan_view.style import PRESSURE_COLOURS
from tests.ui.plan_samples import (
    BLOOD_THINNER_WARNINGS,
    DATE,
    POSTPONE_REFERRAL,
    POSTPONE_WARNING,
    PRACTICE,
    REGION_NOTE,
    SHARED_NOTE,
    SOAP_TEXT,
    STAND_IN_MAP,
    modify_plan_blood_thinners,
    postpone_plan_dvt,
    proceed_plan,
)


@pytest.fixture
def view(qtbot: QtBot) -> PlanView:
    widget = PlanView(map_svg=STAND_IN_MAP)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    return widget


def _show(
    view: PlanView, plan: dict[str, Any], *, clearance_on_record: bool = False, practice: PracticeSettings = PRACTICE
) -> None:
    handout = make_handout(
        plan_from_json(plan), client_first_name="Ana", date=DATE, shared_note=SHARED_NOTE, practice=practice
    )
    view.show_handout(handout, clearance_on_record=clearance_on_record)


def _shown_text(view: PlanView) -> str:
    """Everything the labels say, with rich text reduced to its words."""
    texts = []
    for label in view.findChildren(QLabel):
        if label.isVisibleTo(view) or not view.isVisible():
            texts.append(label.text().replace("<b>", "").replace("</b>", "").replace("&nbsp;", " "))
    return "\n".join(texts)


def test_every_step_shows_where_how_and_why(view: PlanView) -> None:
    _show(view, proceed_plan())
    text = _shown_text(view)
    for step in read_plan(proceed_plan()).steps:
        assert step.where in text
        assert f"{step.technique} · {step.pressure} pressure" in text
        assert step.why in text
    assert "Position: Lying face down" in text
    assert "Oil or lotion: Jojoba oil" in text
    assert SHARED_NOTE in text
    assert "Take a moment to rest quietly before you get up." in text
    assert view.mark_given_button.isEnabled()


def test_the_closing_card_is_next_time_only_when_the_practice_suggests_a_next_visit(view: PlanView) -> None:
    _show(view, proceed_plan(), practice=dataclasses.replace(PRACTICE, next_visit="two to three weeks"))
    assert "Next time\nWe suggest your next visit in two to three weeks.\n" in _shown_text(view)
    _show(view, proceed_plan())
    text = _shown_text(view)
    assert "Next time" not in text
    assert f"Remember\n{CLOSING}" in text  # the cues, under a heading that says what they are


def test_point_holds_get_timers_and_their_logs_reach_the_view(qtbot: QtBot, view: PlanView) -> None:
    _show(view, proceed_plan())
    assert [(timer.region_id, timer.hold.minimum, timer.hold.maximum) for timer in view.hold_timers] == [
        ("suboccipital_l", 10, 15),
        ("scapula_edge_l", 10, 15),
    ]
    timer = view.findChildren(HoldTimer)[0]
    timer.start()
    with qtbot.waitSignal(view.holdLogged) as logged:
        timer.stop()
    assert logged.args[0] == "suboccipital_l"


def test_blood_thinners_without_clearance_ask_for_the_doctor_and_block_mark_as_given(
    qtbot: QtBot, view: PlanView
) -> None:
    view.show()
    _show(view, modify_plan_blood_thinners())
    clearance_box = view.findChild(QLabel, "cautionTitle")
    assert clearance_box is not None
    assert "Please check with your doctor first" in _shown_text(view)
    assert not view.mark_given_button.isEnabled()
    assert view.given_hint.text() == "Waiting for the doctor's clearance"
    with qtbot.assertNotEmitted(view.markedAsGiven):
        qtbot.mouseClick(view.mark_given_button, Qt.MouseButton.LeftButton)
    # The plan itself is still shown, with what changed for safety and why.
    text = _shown_text(view)
    for warning in BLOOD_THINNER_WARNINGS:
        assert warning in text
    assert "→" not in text  # what changed is said in words, once, not as "firm → light" on every step


def test_recording_a_clearance_enables_mark_as_given(qtbot: QtBot, view: PlanView) -> None:
    view.show()
    _show(view, modify_plan_blood_thinners())
    _show(view, modify_plan_blood_thinners(), clearance_on_record=True)  # shown again once it is recorded
    assert "Please check with your doctor first" not in _shown_text(view)
    assert view.mark_given_button.isEnabled()
    with qtbot.waitSignal(view.markedAsGiven):
        qtbot.mouseClick(view.mark_given_button, Qt.MouseButton.LeftButton)
    view.set_given(True)
    assert not view.mark_given_button.isEnabled()
    assert view.given_hint.text() == "Given ✓"


def test_a_clearance_already_on_record_is_honoured_at_once(qtbot: QtBot, view: PlanView) -> None:
    _show(view, modify_plan_blood_thinners(), clearance_on_record=True)
    assert view.mark_given_button.isEnabled()


def test_a_postponed_plan_shows_the_reason_and_the_referral_and_no_steps(view: PlanView) -> None:
    view.show()
    _show(view, postpone_plan_dvt())
    text = _shown_text(view)
    assert "No massage today" in text
    assert POSTPONE_WARNING in text
    assert POSTPONE_REFERRAL in text
    assert "Step by step" not in text
    assert view.findChildren(QLabel, "stepWhere") == []
    assert view.hold_timers == []
    assert not view.mark_given_button.isEnabled()
    assert not view.mark_given_button.isVisible()
    assert view.given_hint.text() == "No massage today"


def test_therapist_only_text_cannot_reach_the_screen(view: PlanView) -> None:
    plan = copy.deepcopy(proceed_plan())
    plan["soap"] = {"subjective": SOAP_TEXT}  # what a caller might mix in by mistake
    plan["steps"][1]["note"] = REGION_NOTE
    _show(view, plan)
    text = _shown_text(view)
    assert SOAP_TEXT not in text
    assert REGION_NOTE not in text
    with pytest.raises(TypeError):  # the view takes a handout: there is no way in for a SOAP note
        view.show_handout(view.handout(), soap=SOAP_TEXT)  # type: ignore[arg-type, call-arg]


def test_plan_text_is_shown_as_text_never_as_markup(view: PlanView) -> None:
    plan = proceed_plan()
    plan["for_client"] = ["<b>bold</b> & <i>co</i>"]
    _show(view, plan)
    safety = [label.text() for label in view.findChildren(QLabel, "cautionLine")]
    assert any("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in line for line in safety)


def test_a_bad_plan_is_refused_and_the_shown_plan_stays(view: PlanView) -> None:
    _show(view, proceed_plan())
    broken = proceed_plan()
    broken["steps"][0]["pressure"]["level"] = 9
    with pytest.raises(PlanError, match=r"steps\[0\]\.pressure\.level"):
        _show(view, broken)
    assert "Your whole back" in _shown_text(view)
    assert view.handout() is not None


def test_the_map_tints_planned_regions_and_never_the_spine(qapp: QApplication) -> None:
    wording = read_plan(proceed_plan())
    # Even a mark on the spine handed in directly (read_plan never makes one) is not drawn as worked.
    marks = (*wording.map_marks, MapMark("spine", (9,), 4))
    image = render_plan_map(STAND_IN_MAP, marks, 400)  # the stand-in map is 400 px wide
    assert QColor(image.pixel(165, 180)) == QColor(PRESSURE_COLOURS[3])  # inside rhomboid_l, off its badge
    assert QColor(image.pixel(212, 375)) == QColor(PRESSURE_COLOURS[2])  # paraspinal_lumbar_r
    shades = {QColor(colour).rgb() for colour in PRESSURE_COLOURS.values()}
    assert image.pixel(200, 300) not in shades  # the spine
    assert image.pixel(150, 300) not in shades  # latissimus_l: drawn, but not planned


def test_an_unreadable_map_is_named(qapp: QApplication, tmp_path: Path) -> None:
    broken = tmp_path / "map.svg"
    broken.write_text("not an svg", encoding="utf-8")
    with pytest.raises(BackmapError, match="cannot read the back map"):
        render_plan_map(broken, (), 300)


def test_a_view_whose_map_cannot_be_read_says_so_and_shows_nothing_new(qtbot: QtBot, tmp_path: Path) -> None:
    broken = tmp_path / "map.svg"
    broken.write_text("<svg", encoding="utf-8")
    view = PlanView(map_svg=broken)
    qtbot.addWidget(view)
    with pytest.raises(BackmapError, match="cannot read the back map"):
        _show(view, proceed_plan())
    assert view.handout() is None
    assert not view.print_button.isEnabled()


def test_the_plan_maps_step_numbers_never_collide_even_with_every_region_planned() -> None:
    from app.domain.plan_wording import NEVER_WORKED
    from app.domain.region_specs import REGION_IDS
    from app.resources import map_svg_path
    from app.ui.plan_view.plan_view import MAP_WIDTH

    planned = [region for region in REGION_IDS if region not in NEVER_WORKED]
    marks = [MapMark(region, (order + 10,), 2) for order, region in enumerate(planned)]  # two-digit numbers
    for width in (MAP_WIDTH, 220):  # on screen, and zoomed in
        badges: list[QRectF] = []
        render_plan_map(map_svg_path(), marks, width, badges=badges)
        assert len(badges) == len(planned)
        assert [
            (a, b) for a, ra in enumerate(badges) for b, rb in enumerate(badges) if a < b and ra.intersects(rb)
        ] == []


# A fresh process draws the plan's map: from the map's cached outlines, without the geometry libraries.
DRAW_THE_PLANS_MAP = """
import json, sys
from PySide6.QtWidgets import QApplication
from app.domain.plan_wording import read_plan
from app.resources import map_svg_path
from app.ui.plan_view.map_image import render_plan_map
from tests.ui.plan_samples import proceed_plan

app = QApplication([])
render_plan_map(map_svg_path(), read_plan(proceed_plan()).map_marks, 400)
print(json.dumps([name for name in ("numpy", "shapely", "svgelements") if name in sys.modules]))
"""


def test_the_plans_map_is_drawn_without_loading_the_geometry_libraries() -> None:
    child = subprocess.run(
        [sys.executable, "-c", DRAW_THE_PLANS_MAP],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert json.loads(child.stdout.splitlines()[-1]) == []
