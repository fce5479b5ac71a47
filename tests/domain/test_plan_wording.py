from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.plan_model import PlanError, plan_from_json
from app.domain.plan_wording import (
    PRESSURE_WORDS,
    TECHNIQUE_WORDS,
    HoldRange,
    can_mark_as_given,
    clearance_missing,
    make_handout,
    read_plan,
    steps_heading,
)
from app.domain.practice import PracticeSettings
from app.domain.protocol import TECHNIQUE_IDS
from app.domain.region_specs import REGION_IDS
from tests.ui.plan_samples import (
    BLOOD_THINNER_WARNINGS,
    DATE,
    POSTPONE_REFERRAL,
    PRACTICE,
    modify_plan_blood_thinners,
    postpone_plan_dvt,
    proceed_plan,
)


def _all_text(value: Any) -> str:
    """Every string reachable from a wording object, to prove what can and cannot reach the client."""
    if isinstance(value, str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return " ".join(_all_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return " ".join(_all_text(item) for item in value)
    return ""


def test_steps_come_in_order_in_the_clients_words() -> None:
    plan = proceed_plan()
    plan["steps"].reverse()
    wording = read_plan(plan)
    assert [step.order for step in wording.steps] == list(range(1, 9))
    first, holds = wording.steps[0], wording.steps[3]
    assert first.where == "Your whole back"
    assert first.technique == "Long gliding strokes"
    assert first.dose == "about 5 minutes"  # it follows the technique on the line
    assert holds.where == "The left side of the base of your skull"
    assert holds.pressure == "light"
    assert holds.dose == "3 holds of 10–15 seconds on each point, with slow breaths · about 3 minutes"
    assert wording.position == "Lying face down"
    assert wording.minutes == 31
    assert steps_heading(wording) == "Step by step · about 31 minutes"


def test_only_point_holds_get_a_hold_range() -> None:
    wording = read_plan(proceed_plan())
    timed = {step.region: step.hold for step in wording.steps if step.hold is not None}
    assert timed == {"suboccipital_l": HoldRange(10, 15), "scapula_edge_l": HoldRange(10, 15)}


def test_the_map_numbers_planned_regions_and_never_marks_spine_sacrum_or_the_whole_back() -> None:
    plan = proceed_plan()
    plan["steps"].append(
        {
            **plan["steps"][0],
            "order": 9,
            "regions": ["sacrum"],
            "technique": "effleurage",
            "pressure": {"level": 0},
        }
    )
    plan["steps"].append({**plan["steps"][1], "order": 10, "regions": ["trapezius_upper_l"], "pressure": {"level": 4}})
    marks = {mark.region: mark for mark in read_plan(plan).map_marks}
    assert set(marks) == {
        "trapezius_upper_l",
        "trapezius_upper_r",
        "suboccipital_l",
        "scapula_edge_l",
        "rhomboid_l",
        "paraspinal_lumbar_r",
    }
    # A region worked twice carries both numbers and is tinted by its firmest pressure.
    assert marks["trapezius_upper_l"].orders == (2, 10)
    assert marks["trapezius_upper_l"].badge == "2"  # the first step there; the list names the others
    assert marks["trapezius_upper_l"].level == 4


def test_what_changed_for_safety_is_the_clients_reasons_once_without_rule_numbers() -> None:
    wording = read_plan(modify_plan_blood_thinners())
    assert wording.for_client == tuple(BLOOD_THINNER_WARNINGS)
    assert "→" not in _all_text(wording)
    assert "blood_thinners" not in _all_text(wording)
    assert all(step.hold is None for step in wording.steps)  # no sustained holds on blood thinners


def test_a_postponed_plan_has_a_referral_and_no_steps() -> None:
    wording = read_plan(postpone_plan_dvt())
    assert wording.steps == ()
    assert wording.map_marks == ()
    assert wording.refer == POSTPONE_REFERRAL
    assert not can_mark_as_given(wording, clearance_on_record=True)


@pytest.mark.parametrize(
    ("requires", "on_record", "missing", "allowed"),
    [(True, False, True, False), (True, True, False, True), (False, False, False, True)],
)
def test_a_plan_needing_clearance_waits_for_it(requires: bool, on_record: bool, missing: bool, allowed: bool) -> None:
    plan = modify_plan_blood_thinners()
    plan["requires_clearance"] = requires
    wording = read_plan(plan)
    assert clearance_missing(wording, on_record) is missing
    assert can_mark_as_given(wording, on_record) is allowed


def _break(path: str, value: Any) -> dict[str, Any]:
    plan = proceed_plan()
    *parents, last = path.split(".")
    target: Any = plan
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return plan


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (_break("outcome", "maybe"), "outcome"),
        (_break("requires_clearance", "yes"), "requires_clearance"),
        (_break("steps.1.pressure.level", 6), "steps[1].pressure.level"),
        (_break("steps.1.pressure.level", True), "steps[1].pressure.level"),
        (_break("steps.0.regions", ["shoulder"]), "steps[0].regions[0]"),
        (_break("steps.3.hold_seconds", [15, 10]), "steps[3].hold_seconds"),
        (_break("steps.2.why", KeyError), "steps[2].why: is missing"),
        (_break("steps.2.minutes", -1), "steps[2].minutes"),
        (_break("steps.2.order", 1), "two steps share an order"),
        (_break("steps.1.adjustments", [{"rule": "x", "from": 1, "to": 2}]), "steps[1].adjustments[0]"),
        (_break("for_client", ["fine", 3]), "for_client[1]"),
        (_break("medium", "oil"), "medium"),
    ],
)
def test_a_plan_outside_the_contract_is_refused_naming_the_field(plan: dict[str, Any], field: str) -> None:
    with pytest.raises(PlanError, match=field.replace("[", r"\[").replace("]", r"\]")):
        read_plan(plan)


def test_a_postponed_plan_with_steps_or_without_a_referral_is_refused() -> None:
    with_steps = postpone_plan_dvt()
    with_steps["steps"] = proceed_plan()["steps"]
    with pytest.raises(PlanError, match="a postponed plan has no steps"):
        read_plan(with_steps)
    nobody = postpone_plan_dvt()
    nobody["refer"] = None
    with pytest.raises(PlanError, match="whom to see"):
        read_plan(nobody)


def test_the_handout_carries_only_client_facing_text() -> None:
    soap = "S: client reports marital stress; O: guarding L trap"
    region_note = "knot near the neck, client tearful"
    plan = copy.deepcopy(modify_plan_blood_thinners())
    plan["soap"] = {"subjective": soap}  # a caller mixing in therapist-only fields by mistake
    plan["steps"][1]["note"] = region_note
    read = plan_from_json(plan)  # the one reader takes only the plan's own fields
    handout = make_handout(read, client_first_name="Ana", date=DATE, shared_note="Drink water.", practice=PRACTICE)
    text = _all_text(handout)
    assert soap not in text
    assert region_note not in text
    assert "Drink water." in text
    with pytest.raises(TypeError):
        make_handout(read, client_first_name="Ana", date=DATE, shared_note=None, practice=PRACTICE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        make_handout(read, client_first_name="Ana", date=DATE, shared_note="", practice=PRACTICE, soap=soap)  # type: ignore[call-arg]


def test_the_practice_starts_empty_so_no_practice_of_ours_is_ever_printed() -> None:
    practice = PracticeSettings()
    assert all(getattr(practice, f.name) == "" for f in dataclasses.fields(practice))
    assert practice.contact_line() == ""
    assert PRACTICE.contact_line() == "Sam Example · Quiet Hands Massage · 021 000 0000 · sam@example.org"


def test_the_subtitle_names_the_client_the_date_and_the_therapist() -> None:
    handout = make_handout(
        plan_from_json(proceed_plan()),
        client_first_name=" Ana ",
        date=dt.date(2026, 3, 5),
        shared_note="",
        practice=PRACTICE,
    )
    assert handout.title == "Your massage plan"
    assert handout.subtitle == "For Ana · 5 March 2026 · with Sam Example"


_AREAS = sorted(REGION_IDS | {"back"})


@st.composite
def _plans(draw: st.DrawFn) -> dict[str, Any]:
    plan = proceed_plan()
    template = plan["steps"][0]
    count = draw(st.integers(0, 12))
    orders = draw(st.permutations(range(1, count + 1)))
    steps = []
    for order in orders:
        hold = draw(st.one_of(st.none(), st.tuples(st.integers(1, 20), st.integers(0, 10))))
        steps.append(
            {
                **template,
                "order": order,
                "regions": [draw(st.sampled_from(_AREAS))],
                "pressure": {"level": draw(st.integers(0, 5))},
                "hold_seconds": None if hold is None else [hold[0], hold[0] + hold[1]],
            }
        )
    plan["steps"] = steps
    return plan


@given(_plans())
def test_every_step_is_listed_and_every_mapped_one_is_numbered(plan: dict[str, Any]) -> None:
    wording = read_plan(plan)
    assert sorted(step.order for step in wording.steps) == list(range(1, len(plan["steps"]) + 1))
    numbered = sorted(order for mark in wording.map_marks for order in mark.orders)
    drawn = sorted(s.order for s in wording.steps if s.region not in {"back", "spine", "sacrum"})
    assert numbered == drawn
    for step in wording.steps:
        assert step.pressure == PRESSURE_WORDS[step.pressure_level]


def test_every_technique_of_the_knowledge_base_has_the_clients_words() -> None:
    # Ids without words would reach the client as "Pressure point hold" made from the id.
    assert set(TECHNIQUE_WORDS) == set(TECHNIQUE_IDS)
