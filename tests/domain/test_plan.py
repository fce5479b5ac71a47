from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.domain.plan import Plan, PlanError, build_plan, plan_from_json
from app.domain.plan_text import render_plan_text
from app.domain.protocol import load_protocol
from app.domain.records import FlagEntry, Intake, Mark, PressureOverride
from app.domain.region_specs import MAP_VERSION

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
CLEAR = Intake(TODAY)


def plan_for(marks: list[Mark], intake: Intake | None = CLEAR, minutes: int = 60, **kwargs: Any) -> Plan:
    return build_plan(marks, intake, minutes, PROTOCOL, on=TODAY, **kwargs)


def outline(plan: Plan) -> list[tuple[str, str, int, int]]:
    return [(s.region, s.technique, s.pressure.level, s.minutes) for s in plan.steps]


def test_tight_upper_trapezius_both_sides_on_blood_thinners_for_60_minutes() -> None:
    marks = [Mark("trapezius_upper_l", "therapist", 7), Mark("trapezius_upper_r", "therapist", 7)]
    plan = plan_for(marks, Intake(TODAY, flags=(FlagEntry("blood_thinners"),)))

    assert plan.outcome == "modify"
    assert plan.requires_clearance
    assert plan.position == "prone"
    # Warm up the whole back lightly, knead each shoulder (light: blood thinners), shake gently, stretch
    # gently, finish with lighter and lighter strokes. No deep circles, no tapping, no holds.
    assert outline(plan) == [
        ("back", "effleurage", 2, 24),
        ("trapezius_upper_l", "petrissage", 2, 10),
        ("trapezius_upper_r", "petrissage", 2, 10),
        ("trapezius_upper_l", "vibration", 2, 1),
        ("trapezius_upper_r", "vibration", 2, 1),
        ("trapezius_upper_l", "stretching", 1, 1),
        ("trapezius_upper_r", "stretching", 1, 1),
        ("back", "effleurage", 1, 12),
    ]
    assert [step.order for step in plan.steps] == list(range(1, 9))
    assert plan.steps[0].repetitions == 10
    assert plan.steps[-1].repetitions == 5
    kneading = plan.steps[1]
    assert kneading.pressure.label == "light"
    assert [(a.rule, a.before, a.after) for a in kneading.adjustments] == [("blood_thinners", 4, 2)]
    assert kneading.why.startswith("Kneading on the top of your left shoulder, which felt very tight (7 out of 10)")
    assert "Ask about new bruising at every visit." in plan.warnings
    assert any("Clearance needed" in warning for warning in plan.warnings)
    assert any("bruises" in item for item in plan.aftercare)


def test_without_blood_thinners_the_same_shoulders_get_firm_work_and_friction() -> None:
    marks = [Mark("trapezius_upper_l", "therapist", 7), Mark("trapezius_upper_r", "therapist", 7)]
    plan = plan_for(marks)
    assert plan.outcome == "proceed"
    assert not plan.requires_clearance
    techniques = [(s.technique, s.pressure.level) for s in plan.steps if s.region == "trapezius_upper_l"]
    assert techniques == [
        ("petrissage", 4),
        ("friction", 4),
        ("tapotement", 2),
        ("vibration", 2),
        ("stretching", 1),
    ]


def test_pregnant_client_with_lower_back_6_lies_on_her_side_for_gentle_lumbar_work() -> None:
    marks = [Mark("lower_back_l", "client", 6), Mark("paraspinal_lumbar_r", "therapist", 9)]
    plan = plan_for(marks, Intake(TODAY, flags=(FlagEntry("pregnancy"),)))
    assert plan.outcome == "modify"
    assert plan.position == "side-lying"
    lumbar = [s for s in plan.steps if s.region != "back"]
    assert lumbar
    assert max(s.pressure.level for s in lumbar) == 2
    assert "tapotement" not in {s.technique for s in lumbar}
    firm = next(s for s in lumbar if s.region == "paraspinal_lumbar_r" and s.technique == "petrissage")
    assert [(a.rule, a.before, a.after) for a in firm.adjustments] == [
        ("lower_back", 4, 3),
        ("pregnancy", 3, 2),
    ]


def test_a_client_reporting_9_at_the_base_of_the_skull_starts_gentle() -> None:
    plan = plan_for([Mark("suboccipital_l", "client", 9)])
    (hold,) = [s for s in plan.steps if s.region == "suboccipital_l"]
    assert hold.technique == "pressure_point_hold"
    assert hold.hold_seconds == (10, 15)
    assert hold.pressure.level == 2
    assert [a.rule for a in hold.adjustments] == ["suboccipital", "client_high_tension"]
    assert "starts gently" in hold.why
    assert any("we check first and start gentle" in warning for warning in plan.warnings)
    assert "The base of your skull, left side: Fingertips or thumbs, no knuckles." in plan.warnings


def test_the_therapists_layer_wins_where_both_marked() -> None:
    plan = plan_for([Mark("suboccipital_l", "client", 9), Mark("suboccipital_l", "therapist", 4)])
    (hold,) = [s for s in plan.steps if s.region == "suboccipital_l"]
    assert hold.pressure.level == 2  # the default, tension 4
    assert hold.adjustments == ()
    assert "felt tight (4 out of 10)" in hold.why


def test_unmarked_and_zero_tension_regions_get_only_the_whole_back_strokes() -> None:
    for marks in ([], [Mark("rhomboid_l", "therapist", 0)]):
        plan = plan_for(marks, minutes=45)
        assert [(s.region, s.technique) for s in plan.steps] == [
            ("back", "effleurage"),
            ("back", "effleurage"),
        ]
        assert plan.minutes == 45


def test_the_spine_and_sacrum_are_noted_never_worked() -> None:
    plan = plan_for([Mark("spine", "client", 8), Mark("sacrum", "therapist", 6)])
    assert {s.region for s in plan.steps} == {"back"}
    assert any(warning.startswith("Your spine (8/10): noted, never pressed") for warning in plan.warnings)
    assert any(warning.startswith("The flat bone at the base of your spine (6/10)") for warning in plan.warnings)


def test_a_recent_injury_is_worked_around() -> None:
    injury = FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 10, 20))
    plan = plan_for([Mark("lower_back_l", "client", 7), Mark("lower_back_r", "client", 7)], Intake(TODAY, (injury,)))
    assert "lower_back_l" not in {s.region for s in plan.steps}
    assert "lower_back_r" in {s.region for s in plan.steps}
    assert "go around the left side of your lower back" in plan.steps[0].why


def test_a_postponed_plan_has_no_steps_and_says_to_whom() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], Intake(TODAY, (FlagEntry("fever"),)))
    assert plan.outcome == "postpone"
    assert plan.steps == ()
    assert plan.refer is not None
    assert "doctor" in plan.refer
    assert any(warning == PROTOCOL.flags["fever"].reason for warning in plan.warnings)
    assert not any("(fever)" in warning for warning in plan.warnings)  # no rule ids on the client's sheet
    assert render_plan_text(plan).splitlines()[2] == "No massage today."


def test_firmer_only_with_an_override_and_never_past_a_rule() -> None:
    marks = [Mark("trapezius_upper_l", "therapist", 10), Mark("suboccipital_l", "therapist", 10)]
    plain = plan_for(marks)
    overridden = plan_for(marks, override=PressureOverride(5, "regular client, asked for deep work"))
    level = {(s.region, s.technique): s.pressure.level for s in plain.steps}
    deep = {(s.region, s.technique): s.pressure.level for s in overridden.steps}
    assert level[("trapezius_upper_l", "petrissage")] == 4
    assert deep[("trapezius_upper_l", "petrissage")] == 5
    assert deep[("suboccipital_l", "pressure_point_hold")] == 3  # the regional cap still holds


def test_short_time_drops_the_least_important_steps_and_says_so() -> None:
    marks = [Mark(region, "therapist", 6) for region in ("neck_l", "neck_r", "rhomboid_l", "scapula_edge_r")]
    plan = plan_for(marks, minutes=8)
    assert plan.minutes <= 8
    assert any(warning.startswith("Short on time, left out:") for warning in plan.warnings)
    kept = {s.technique for s in plan.steps}
    assert "tapotement" not in kept
    assert "petrissage" in kept


def test_one_minute_is_a_warm_up_only() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], minutes=1)
    assert outline(plan) == [("back", "effleurage", 2, 1)]


@pytest.mark.parametrize("minutes", [0, -5, 481, True])
def test_impossible_minutes_are_refused(minutes: int) -> None:
    with pytest.raises(PlanError, match="minutes"):
        plan_for([], minutes=minutes)


def test_no_screening_says_so() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], intake=None)
    assert any("No safety screening" in warning for warning in plan.warnings)


def test_the_json_is_the_contract_shape_and_reads_back() -> None:
    plan = plan_for(
        [Mark("scapula_edge_l", "client", 6), Mark("rhomboid_r", "therapist", 8)],
        Intake(TODAY, (FlagEntry("osteoporosis"),), allergies=("almond",)),
    )
    data = plan.to_json()
    assert list(data) == [
        "outcome",
        "requires_clearance",
        "position",
        "medium",
        "warnings",
        "refer",
        "steps",
        "aftercare",
        "protocol_version",
        "map_version",
    ]
    assert list(data["steps"][1]) == [
        "order",
        "region",
        "technique",
        "pressure",
        "hold_seconds",
        "repetitions",
        "minutes",
        "why",
        "source",
        "adjustments",
    ]
    assert data["map_version"] == MAP_VERSION
    assert data["protocol_version"] == PROTOCOL.version
    hold = next(step for step in data["steps"] if step["technique"] == "pressure_point_hold")
    assert hold["hold_seconds"] == [10, 15]
    assert plan_from_json(data) == plan


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(outcome="later"), "outcome"),
        (lambda d: d.pop("medium"), "medium"),
        (lambda d: d["steps"][0].update(region="shoulder"), "steps[0].region"),
        (lambda d: d["steps"][0]["pressure"].update(level=6), "steps[0].pressure.level"),
        (lambda d: d["steps"][0].update(hold_seconds=[10]), "steps[0].hold_seconds"),
    ],
)
def test_a_bad_plan_json_is_refused_naming_the_field(change: Any, field: str) -> None:
    data = plan_for([Mark("neck_l", "client", 5)]).to_json()
    change(data)
    with pytest.raises(PlanError, match=field.replace("[", r"\[").replace("]", r"\]")):
        plan_from_json(data)


def test_the_text_reads_like_a_plan() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "therapist", 7)], Intake(TODAY, (FlagEntry("blood_thinners"),)))
    text = render_plan_text(plan)
    assert "Your whole back: effleurage" in text
    assert "The top of your left shoulder: petrissage" in text
    assert "light pressure (2 of 5)" in text
    assert "Changed by blood_thinners: 4 -> 2" in text
    assert "A clearance from your doctor is needed before this plan is given." in text
    assert "Afterwards:" in text


def test_the_kidney_caution_reaches_the_handout_once_for_each_lower_back_area() -> None:
    plan = plan_for([Mark("lower_back_r", "client", 5), Mark("paraspinal_lumbar_l", "therapist", 4)])
    kidney = [warning for warning in plan.warnings if "kidney" in warning]
    assert len(kidney) == 2
    assert all(warning.endswith("No tapping over the kidney area below the ribs.") for warning in kidney)
