"""The region panel's guidance text: what this client's screening changed, told apart from the area's own limits."""

from __future__ import annotations

import datetime as dt

from app.domain.protocol import load_protocol
from app.domain.records import FlagEntry, Intake
from app.domain.safety import screen
from app.ui.consult.guidance import guidance_html

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
PLAIN = screen(Intake(TODAY), PROTOCOL, on=TODAY)


def test_an_areas_own_limit_is_explained_with_the_pressure_not_as_a_change_for_this_client() -> None:
    shown = guidance_html("lower_back_r", PLAIN, PROTOCOL)
    assert "Changed for this client" not in shown
    assert "at most 3 (moderate). The lower back is more sensitive" in shown
    assert shown.count("kidney area") == 1
    assert "Changed for this client" not in guidance_html("latissimus_l", PLAIN, PROTOCOL)


def test_this_clients_changes_are_listed_without_the_areas_own_limits() -> None:
    on_blood_thinners = screen(Intake(TODAY, flags=(FlagEntry("blood_thinners"),)), PROTOCOL, on=TODAY)
    shown = guidance_html("latissimus_l", on_blood_thinners, PROTOCOL)
    changed = shown.split("Changed for this client:")[1].split("</ul>")[0]
    assert "blood" in changed.lower()
    assert "the most this area takes" not in changed


def test_a_region_never_pressed_says_why_once() -> None:
    shown = guidance_html("spine", PLAIN, PROTOCOL)
    assert shown.count("Work the muscles either side of it instead.") == 1
