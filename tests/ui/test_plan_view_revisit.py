"""Back in Plan mode with nothing changed, the page on screen stays (issue 22): it is rebuilt only for a change."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from app.domain.plan_model import plan_from_json
from app.domain.plan_wording import make_handout
from app.ui.plan_view.plan_view import PlanView
from tests.ui.plan_samples import DATE, PRACTICE, SHARED_NOTE, STAND_IN_MAP, modify_plan_blood_thinners, proceed_plan


def _show(view: PlanView, plan: dict[str, Any], shared_note: str = SHARED_NOTE, *, on_record: bool = False) -> None:
    handout = make_handout(
        plan_from_json(plan), client_first_name="Ana", date=DATE, shared_note=shared_note, practice=PRACTICE
    )
    view.show_handout(handout, clearance_on_record=on_record)


def _page(view: PlanView) -> object:
    scroll = view.findChild(QScrollArea)
    assert scroll is not None
    return scroll.widget()


def test_the_same_plan_again_keeps_the_page_and_a_change_rebuilds_it(qtbot: QtBot) -> None:
    view = PlanView(map_svg=STAND_IN_MAP)
    qtbot.addWidget(view)
    _show(view, proceed_plan())
    page = _page(view)
    _show(view, proceed_plan())
    assert _page(view) is page
    for change in (
        lambda: _show(view, proceed_plan(), "Another note for the client."),
        lambda: _show(view, modify_plan_blood_thinners()),
        lambda: _show(view, modify_plan_blood_thinners(), on_record=True),
    ):
        change()
        assert _page(view) is not page
        page = _page(view)
