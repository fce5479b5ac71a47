from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from app.domain.plan import Plan, PlanError, build_plan, plan_from_json
from app.domain.plan_text import THERAPIST_HEADING, render_plan_text
from app.domain.protocol import load_protocol
from app.domain.records import FlagEntry, Intake, Mark, PressureOverride
from app.domain.region_specs import MAP_VERSION

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
CLEAR = Intake(TODAY)


def plan_for(marks: list[Mark], intake: Intake | None = CLEAR, minutes: int = 60, **kwargs: Any) -> Plan:
    return build_plan(marks, intake, minutes, PROTOCOL, on=TODAY, **kwargs)


def outline(plan: Plan) -> list[tuple[tuple[str, ...], str, int, int]]:
    return [(s.regions, s.technique, s.pressure.level, s.minutes) for s in plan.steps]


SHOULDERS = ("trapezius_upper_l", "trapezius_upper_r")


def test_tight_upper_trapezius_both_sides_on_blood_thinners_for_60_minutes() -> None:
    marks = [Mark("trapezius_upper_l", "therapist", 7), Mark("trapezius_upper_r", "therapist", 7)]
    plan = plan_for(marks, Intake(TODAY, flags=(FlagEntry("blood_thinners"),)))

    assert plan.outcome == "modify"
    assert plan.requires_clearance
    assert plan.position == "prone"
    # Warm up the whole back lightly, knead it generally, then both shoulders together (light: blood thinners)
    # ending with gentle shaking, for 7/10 of the most an area gets (15 minutes) and a minute for the shaking;
    # the hour's other minutes go to rounds of general work (a glide, then kneading, none over 15 minutes), and
    # finish with lighter and lighter strokes. No deep circles, tapping or holds; no stretch lying face down.
    assert outline(plan) == [
        (("back",), "effleurage", 2, 6),
        (("back",), "petrissage", 2, 11),
        (SHOULDERS, "petrissage", 2, 12),
        (("back",), "effleurage", 2, 3),
        (("back",), "petrissage", 2, 11),
        (("back",), "effleurage", 2, 3),
        (("back",), "petrissage", 2, 10),
        (("back",), "effleurage", 1, 4),
    ]
    assert [step.order for step in plan.steps] == list(range(1, 9))
    assert plan.steps[0].repetitions == 10
    assert plan.steps[-1].repetitions == 5
    kneading = plan.steps[2]
    assert kneading.pressure.label == "light"
    assert [touch.technique for touch in kneading.finishing] == ["vibration"]
    assert [(a.rule, a.before, a.after) for a in kneading.adjustments] == [("blood_thinners", 4, 2)]
    assert kneading.why.startswith("It felt very tight to your therapist (7 out of 10)")
    assert "Ask about new bruising at every visit." in plan.therapist_notes
    assert any("Clearance needed" in note for note in plan.therapist_notes)
    # The doctor's go-ahead is asked once, by the plan's clearance, not again among the changes.
    assert not any("doctor" in reason for reason in plan.for_client)
    assert any("bruises" in item for item in plan.aftercare)


def test_without_blood_thinners_the_same_shoulders_get_firm_work_and_friction() -> None:
    marks = [Mark("trapezius_upper_l", "therapist", 7), Mark("trapezius_upper_r", "therapist", 7)]
    plan = plan_for(marks)
    assert plan.outcome == "proceed"
    assert not plan.requires_clearance
    shoulders = [s for s in plan.steps if s.regions == SHOULDERS]
    assert [(s.technique, s.pressure.level) for s in shoulders] == [("petrissage", 4), ("friction", 4)]
    assert [touch.technique for touch in shoulders[0].finishing] == ["tapotement", "vibration"]


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
    assert "start gently" in hold.why
    assert plan.outcome == "modify"
    assert any("check with you first" in reason for reason in plan.for_client)
    assert "Base of the skull, left: Fingertips or thumbs, no knuckles." in plan.therapist_notes


def test_the_therapists_layer_sets_the_dose_but_the_clients_9_is_still_heard() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "client", 9), Mark("trapezius_upper_l", "therapist", 7)])
    steps = [s for s in plan.steps if s.region == "trapezius_upper_l"]
    assert max(s.pressure.level for s in steps) == 2  # light, not the firm friction a therapist's 7 gets
    assert "friction" not in {s.technique for s in steps}
    assert "You rated it 9 out of 10 and your therapist found 7" in steps[0].why


def test_unmarked_and_zero_tension_regions_get_only_the_whole_back_strokes() -> None:
    for marks in ([], [Mark("rhomboid_l", "therapist", 0)]):
        plan = plan_for(marks, minutes=45)
        # The seeds' whole-back routine, not 40 minutes of stroking: kneading, a glide, kneading again.
        assert outline(plan) == [
            (("back",), "effleurage", 2, 8),
            (("back",), "petrissage", 3, 15),
            (("back",), "effleurage", 2, 3),
            (("back",), "petrissage", 3, 15),
            (("back",), "effleurage", 1, 4),
        ]
        assert plan.steps[2].repetitions == 6
        assert plan.minutes == 45


def test_a_mildly_tight_neck_gets_a_few_minutes_and_the_rest_of_the_hour_goes_to_the_whole_back() -> None:
    plan = plan_for([Mark("neck_l", "client", 4), Mark("neck_r", "client", 4)])
    # 4/10 of the most an area gets (15 minutes) is 6: the neck after a first round of general kneading, then
    # a glide and kneading again, twice, no round over 15 minutes, and the finish.
    assert outline(plan) == [
        (("back",), "effleurage", 2, 6),
        (("back",), "petrissage", 3, 13),
        (("neck_l", "neck_r"), "petrissage", 2, 6),
        (("back",), "effleurage", 2, 3),
        (("back",), "petrissage", 3, 13),
        (("back",), "effleurage", 2, 3),
        (("back",), "petrissage", 3, 12),
        (("back",), "effleurage", 1, 4),
    ]


def test_lying_on_her_side_a_pregnant_client_with_one_tight_shoulder_has_both_sides_of_her_back_worked() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "client", 5)], Intake(TODAY, (FlagEntry("pregnancy"),)))
    assert plan.position == "side-lying"
    assert [(s.side, s.regions, s.technique, s.minutes) for s in plan.steps] == [
        (None, ("back",), "effleurage", 6),
        ("left", ("back",), "petrissage", 9),
        ("left", ("trapezius_upper_l",), "petrissage", 10),  # 5/10 of 15 minutes, and the shaking and stretch
        ("left", ("back",), "effleurage", 3),
        ("left", ("back",), "petrissage", 8),
        ("right", ("back",), "petrissage", 9),  # one turn, and the other side gets its general work too
        ("right", ("back",), "effleurage", 3),
        ("right", ("back",), "petrissage", 8),
        (None, ("back",), "effleurage", 4),
    ]
    assert plan.minutes == 60


def test_the_spine_and_sacrum_are_never_worked_and_the_muscles_beside_them_get_gentle_strokes() -> None:
    plan = plan_for([Mark("spine", "client", 8), Mark("sacrum", "therapist", 6)])
    regions = {region for s in plan.steps for region in s.regions}
    assert not regions & {"spine", "sacrum"}
    assert regions >= {"paraspinal_thoracic_l", "paraspinal_lumbar_r", "lower_back_l"}
    assert all(s.pressure.level <= 2 for s in plan.steps if s.region != "back")
    assert any(note.startswith("Spine (client 8/10): noted, never pressed") for note in plan.therapist_notes)
    assert any(note.startswith("Sacrum (therapist 6/10)") for note in plan.therapist_notes)


def test_a_fresh_injury_is_worked_around() -> None:
    injury = FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 11, 19))
    plan = plan_for([Mark("lower_back_l", "client", 7), Mark("lower_back_r", "client", 7)], Intake(TODAY, (injury,)))
    assert "lower_back_l" not in {s.region for s in plan.steps}
    assert "lower_back_r" in {s.region for s in plan.steps}
    assert "go around the places left alone today" in plan.steps[0].why


def test_a_postponed_plan_has_no_steps_and_says_to_whom() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], Intake(TODAY, (FlagEntry("fever"),)))
    assert plan.outcome == "postpone"
    assert plan.steps == ()
    assert plan.refer is not None
    assert "doctor" in plan.refer
    assert plan.for_client == (PROTOCOL.flags["fever"].reason,)
    assert render_plan_text(plan, clearance_on_record=False).splitlines()[2] == "No massage today."


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
    assert any(note.startswith("Short on time, waits for next time:") for note in plan.therapist_notes)
    assert all(s.minutes >= 3 for s in plan.steps if s.region != "back")  # fewer steps, none rushed


def test_one_minute_is_a_warm_up_only() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], minutes=1)
    assert outline(plan) == [(("back",), "effleurage", 2, 1)]


@pytest.mark.parametrize("minutes", [0, -5, 481, True])
def test_impossible_minutes_are_refused(minutes: int) -> None:
    with pytest.raises(PlanError, match="minutes"):
        plan_for([], minutes=minutes)


def test_no_screening_says_so() -> None:
    plan = plan_for([Mark("neck_l", "client", 5)], intake=None)
    assert any("No safety screening" in note for note in plan.therapist_notes)


def test_the_json_is_the_contract_shape_and_reads_back() -> None:
    plan = plan_for(
        [Mark("scapula_edge_l", "client", 6), Mark("rhomboid_r", "therapist", 8)],
        Intake(TODAY, (FlagEntry("pregnancy"),), allergies=("almond",)),
    )
    data = plan.to_json()
    assert list(data) == [
        "plan_version",
        "outcome",
        "requires_clearance",
        "clearance_reasons",
        "position",
        "medium",
        "for_client",
        "therapist_notes",
        "refer",
        "refer_urgency",
        "steps",
        "aftercare",
        "home_routine",
        "protocol_version",
        "map_version",
    ]
    assert list(data["steps"][1]) == [
        "order",
        "regions",
        "side",
        "technique",
        "pressure",
        "hold_seconds",
        "holds",
        "repetitions",
        "minutes",
        "why",
        "finishing",
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
        (lambda d: d["steps"][0].update(regions=["shoulder"]), "steps[0].regions[0]"),
        (lambda d: d["steps"][0].update(regions=[]), "steps[0].regions"),
        (lambda d: d["steps"][0].update(side="up"), "steps[0].side"),
        (lambda d: d["steps"][0]["pressure"].update(level=6), "steps[0].pressure.level"),
        (lambda d: d["steps"][0].update(hold_seconds=[10]), "steps[0].hold_seconds"),
        (lambda d: d.pop("clearance_reasons"), "clearance_reasons: is missing"),
        (lambda d: d.update(clearance_reasons=["you take blood thinners"]), "clearance_reasons"),
        (lambda d: d.update(requires_clearance=True), "clearance_reasons"),
        (lambda d: d.update(requires_clearance=True, clearance_reasons=[3]), "clearance_reasons[0]"),
        (lambda d: d.update(plan_version=4), "plan_version"),
        (lambda d: d.update(plan_version=2.0), "plan_version"),
    ],
)
def test_a_bad_plan_json_is_refused_naming_the_field(change: Any, field: str) -> None:
    data = plan_for([Mark("neck_l", "client", 5)]).to_json()
    change(data)
    with pytest.raises(PlanError, match=field.replace("[", r"\[").replace("]", r"\]")):
        plan_from_json(data)


def test_a_plan_of_version_2_still_reads_its_clearance_naming_no_reason() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "therapist", 7)], Intake(TODAY, (FlagEntry("dvt_history"),)))
    data = plan.to_json()
    assert data["clearance_reasons"] == [PROTOCOL.flags["dvt_history"].clearance_reason]
    del data["clearance_reasons"]
    data["plan_version"] = 2
    assert plan_from_json(data) == dataclasses.replace(plan, clearance_reasons=())


@pytest.mark.parametrize(
    ("told", "implied"), [("pregnancy_high_risk", "pregnancy"), ("fragility_fracture", "osteoporosis")]
)
def test_the_home_routine_leaves_out_what_an_implied_flag_rules_out(told: str, implied: str) -> None:
    plan = plan_for([Mark("lower_back_l", "client", 5)], Intake(TODAY, (FlagEntry(told),)))
    ruled_out = [item.text for item in PROTOCOL.home_routine if implied in item.not_with]
    assert ruled_out
    assert not set(ruled_out) & set(plan.home_routine)
    assert plan.home_routine  # the rest is still there


def test_the_text_reads_like_a_plan() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "therapist", 7)], Intake(TODAY, (FlagEntry("blood_thinners"),)))
    text = render_plan_text(plan, clearance_on_record=False)
    client, therapist = text.split(THERAPIST_HEADING)
    assert "Your whole back: Long gliding strokes" in client
    assert "The top of your left shoulder: Kneading" in client
    assert "Light pressure." in client
    assert "we need your doctor's go-ahead" in client
    assert "After your massage:" in client
    assert "blood_thinners: 4 -> 2" in therapist
    assert "blood_thinners" not in client
    assert "Ask about new bruising at every visit." in therapist
    assert "Source:" not in client
    cleared = render_plan_text(plan, clearance_on_record=True)
    assert "go-ahead" not in cleared.split(THERAPIST_HEADING)[0]


def test_the_kidney_caution_is_for_the_therapist_and_never_on_the_clients_sheet() -> None:
    plan = plan_for([Mark("lower_back_r", "client", 5), Mark("paraspinal_lumbar_l", "therapist", 4)])
    assert not any("kidney" in reason for reason in plan.for_client)  # no tapping is planned there to break it
    kidney = [note for note in plan.therapist_notes if "kidney" in note]
    assert len(kidney) == 2
    assert all(note.endswith("No tapping over the kidney area below the ribs.") for note in kidney)
