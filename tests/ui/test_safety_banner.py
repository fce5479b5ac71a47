from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.ui.clients.safety_banner import SafetyBanner, outcome_icon


def make_banner(qtbot: QtBot) -> SafetyBanner:
    banner = SafetyBanner()
    qtbot.addWidget(banner)
    return banner


def test_hidden_until_there_is_an_outcome(qtbot: QtBot) -> None:
    banner = make_banner(qtbot)
    assert banner.isHidden()
    assert banner.outcome is None


def test_proceed_is_quiet(qtbot: QtBot) -> None:
    banner = make_banner(qtbot)
    banner.show_outcome("proceed", [], None)
    assert banner.isVisible()
    assert banner.text() == "Proceed: nothing in the screening changes today's plan"
    assert banner.styleSheet() == ""  # no warning colours
    assert not banner.title_label.font().bold()


def test_modify_lists_the_reasons(qtbot: QtBot) -> None:
    banner = make_banner(qtbot)
    banner.show_outcome("modify", ["Blood thinners: pressure capped at 2 (light).", "Ask about new bruising."], None)
    assert banner.text().splitlines() == [
        "Modify: today's plan is adjusted",
        "• Blood thinners: pressure capped at 2 (light).",
        "• Ask about new bruising.",
    ]
    assert "#FFF1D6" in banner.styleSheet()
    assert banner.accessibleName() == "Modify: today's plan is adjusted"


def test_postpone_says_why_and_to_whom(qtbot: QtBot) -> None:
    banner = make_banner(qtbot)
    banner.show_outcome("postpone", ["Current or suspected blood clot."], "the client's doctor, today")
    assert banner.text().splitlines() == [
        "Postpone and refer: no massage today",
        "• Current or suspected blood clot.",
        "Refer to: the client's doctor, today",
    ]
    assert "#FDE3DE" in banner.styleSheet()
    assert banner.title_label.font().bold()


def test_each_outcome_has_its_own_shape_not_only_its_colour(qtbot: QtBot) -> None:
    # Circle, octagon and triangle cover clearly different shares of the square, whatever their colour.
    painted = {}
    for outcome in ("proceed", "modify", "postpone"):
        image = outcome_icon(outcome, 40).toImage()
        painted[outcome] = sum(image.pixelColor(x, y).alpha() > 128 for x in range(40) for y in range(40))
    assert painted["modify"] < 0.8 * painted["postpone"] < 0.95 * painted["proceed"]


def test_an_unknown_outcome_is_refused(qtbot: QtBot) -> None:
    banner = make_banner(qtbot)
    with pytest.raises(ValueError, match="unknown screening outcome 'maybe'"):
        banner.show_outcome("maybe", [], None)
