"""Plan safety v2, read as consults: each test is a client on the table and what a careful therapist insists on.

The properties at the end hold for any marks, flags, allergies and dates hypothesis can think of.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.allergies import choose_medium
from app.domain.plan import Plan, build_plan
from app.domain.plan_text import THERAPIST_HEADING, render_plan_text
from app.domain.plan_wording import read_plan
from app.domain.protocol import FLAG_IDS, load_protocol
from app.domain.records import LAYERS, QUALITIES, Clearance, FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.domain.safety import reached_regions, screen

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
LUMBAR_LEFT = {"paraspinal_lumbar_l", "lower_back_l", "lower_back_point_l"}
RIBS_AND_BESIDE_SPINE = set(PROTOCOL.flags["osteoporosis"].region_drops)
EVERY_REGION = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]


def intake(*flags: FlagEntry | str, allergies: tuple[str, ...] = (), **kwargs: Any) -> Intake:
    entries = tuple(FlagEntry(flag) if isinstance(flag, str) else flag for flag in flags)
    return Intake(TODAY, flags=entries, allergies=allergies, **kwargs)


def plan_for(marks: list[Mark], screening: Intake | None, minutes: int = 60, **kwargs: Any) -> Plan:
    return build_plan(marks, screening, minutes, PROTOCOL, on=TODAY, **kwargs)


def steps_on(plan: Plan, regions: set[str]) -> list[Any]:
    return [step for step in plan.steps if step.region in regions]


def client_text(plan: Plan) -> str:
    """Everything the client can read of the plan: the handout's words and the client's part of the text."""
    wording = read_plan(plan.to_json())
    parts = [wording.medium_why, wording.refer or "", *wording.for_client, *wording.aftercare]
    for step in wording.steps:
        parts += [step.where, step.technique, step.why, step.dose, step.finishing, step.turn]
    text = render_plan_text(plan, clearance_on_record=False).split(THERAPIST_HEADING)[0]
    return "\n".join([*parts, text])


# 1. Allergies -------------------------------------------------------------------------------------------------


def test_a_walnut_allergy_never_gets_almond_oil_nor_does_any_other_tree_nut() -> None:
    for allergy in ("walnut", "Hazelnuts", "macadamia", "pine nuts", "Brazil nut", "cashews", "pistachio", "nuts"):
        choice, _ = choose_medium((allergy, "jojoba"), PROTOCOL)
        assert choice.name != "almond", allergy


def test_an_allergy_written_with_extra_words_still_names_the_oil() -> None:
    choice, _ = choose_medium(("jojoba (rash last time)",), PROTOCOL)
    assert choice.name == "almond"
    assert "nothing in it that you told us you are allergic to" in choice.why


def test_an_allergy_we_do_not_know_is_never_claimed_to_be_avoided() -> None:
    choice, notes = choose_medium(("lavender",), PROTOCOL)
    assert choice.name == "jojoba"  # a pure oil: lavender cannot be in it
    assert "checks the label for lavender" in choice.why
    assert "avoid" not in choice.why.lower()
    assert any("'lavender'" in note for note in notes)
    # With every pure oil ruled out, no lotion whose label nobody has read: nothing until it is checked.
    choice, _ = choose_medium(("lavender", "jojoba", "tree nuts", "coconut"), PROTOCOL)
    assert choice.name == "none"
    assert "checks the label for lavender" in choice.why


# 2. Local flags -----------------------------------------------------------------------------------------------


def test_a_lumbar_strain_five_days_old_gets_light_strokes_on_that_side_and_no_holds_friction_or_stretches() -> None:
    strain = FlagEntry("recent_injury", "paraspinal_lumbar_l", TODAY - dt.timedelta(days=5))
    marks = [Mark(region, "therapist", 8) for region in (*LUMBAR_LEFT, "lower_back_r", "lower_back_point_r")]
    plan = plan_for(marks, intake(strain))
    left = steps_on(plan, LUMBAR_LEFT)
    assert left
    assert {step.technique for step in left} <= {"effleurage", "petrissage", "vibration"}
    assert max(step.pressure.level for step in left) <= 2
    right = {step.technique for step in steps_on(plan, {"lower_back_r", "lower_back_point_r"})}
    assert "pressure_point_hold" in right  # the other side is worked as usual
    assert any("left side of your lower back" in reason for reason in plan.for_client)


def test_an_injury_of_yesterday_leaves_its_group_alone_and_offers_a_date_to_come_back() -> None:
    strain = FlagEntry("recent_injury", "suboccipital_r", TODAY - dt.timedelta(days=1))
    plan = plan_for([Mark("neck_r", "client", 6), Mark("neck_l", "client", 6)], intake(strain))
    assert not steps_on(plan, {"neck_r", "suboccipital_r"})
    assert steps_on(plan, {"neck_l"})
    (reason,) = [r for r in plan.for_client if "very new" in r]
    assert "the right side of your neck and the base of your skull" in reason
    assert "23 November 2026" in reason  # three days after the injury


def test_an_injury_older_than_twelve_weeks_asks_for_a_review_not_recent_forever() -> None:
    old = FlagEntry("recent_injury", "lower_back_l", TODAY - dt.timedelta(weeks=20))
    plan = plan_for([Mark("lower_back_l", "therapist", 5)], intake(old))
    assert any("review it with the client" in note for note in plan.therapist_notes)
    assert not any("recent" in reason.lower() for reason in plan.for_client)


def test_a_settled_injury_no_longer_changes_the_plan() -> None:
    healed = FlagEntry("recent_injury", "lower_back_l", TODAY - dt.timedelta(days=10), settled=TODAY)
    plan = plan_for([Mark("lower_back_l", "therapist", 5)], intake(healed))
    assert plan.outcome == "proceed"


def test_a_skin_condition_on_the_neck_also_keeps_hands_off_the_point_on_it() -> None:
    rash = FlagEntry("skin_condition", "neck_l", TODAY - dt.timedelta(days=30))
    plan = plan_for([Mark("suboccipital_l", "client", 7), Mark("neck_l", "client", 7)], intake(rash))
    assert not steps_on(plan, {"neck_l", "suboccipital_l"})


def test_removed_lymph_nodes_keep_that_sides_upper_back_to_light_strokes() -> None:
    nodes = FlagEntry("lymph_nodes_removed", "latissimus_r", dt.date(2025, 3, 1))
    marks = [Mark(region, "therapist", 8) for region in ("latissimus_r", "scapula_r", "rhomboid_r", "rhomboid_l")]
    plan = plan_for(marks, intake(nodes))
    quadrant = steps_on(plan, {"latissimus_r", "scapula_r", "scapula_edge_r", "rhomboid_r"})
    assert quadrant
    assert {(step.technique, step.pressure.level <= 2) for step in quadrant} == {("effleurage", True)}
    assert "friction" in {step.technique for step in steps_on(plan, {"rhomboid_l"})}
    assert any("swelling of the arm" in note for note in plan.therapist_notes)


# 3. Urgent ----------------------------------------------------------------------------------------------------


def test_numbness_between_the_legs_sends_the_client_to_the_emergency_department_now() -> None:
    plan = plan_for([Mark("lower_back_l", "client", 8)], intake("cauda_equina_signs", "blood_thinners"))
    assert plan.outcome == "urgent"
    assert plan.refer_urgency == "emergency"
    assert plan.steps == ()
    assert plan.refer is not None
    assert "emergency department now" in plan.refer
    assert "soon" not in plan.refer
    assert read_plan(plan.to_json()).outcome == "urgent"


def test_a_swollen_calf_is_checked_by_a_doctor_today_with_the_ambulance_if_breathless() -> None:
    plan = plan_for([], intake("dvt_current"))
    assert (plan.outcome, plan.refer_urgency) == ("postpone", "today")
    assert plan.refer is not None
    assert "doctor today" in plan.refer
    assert "short of breath" in plan.refer
    assert "ambulance" in plan.refer
    assert "about the clot" not in plan.refer  # no diagnosis anybody made
    breathless = plan_for([], intake("dvt_current", "dvt_chest_symptoms"))
    assert (breathless.outcome, breathless.refer_urgency) == ("urgent", "emergency")
    assert breathless.refer is not None
    assert "ambulance now" in breathless.refer


def test_night_pain_and_weight_loss_stay_see_your_doctor_soon() -> None:
    plan = plan_for([], intake("red_flag_back_pain"))
    assert (plan.outcome, plan.refer_urgency) == ("postpone", "soon")


# 4. The client's own 8-10 -------------------------------------------------------------------------------------


def test_a_client_rating_9_where_the_therapist_found_7_gets_gentle_work_and_reads_both_numbers() -> None:
    plan = plan_for([Mark("trapezius_upper_r", "client", 9), Mark("trapezius_upper_r", "therapist", 7)], intake())
    shoulder = steps_on(plan, {"trapezius_upper_r"})
    assert max(step.pressure.level for step in shoulder) <= 2
    assert "friction" not in {step.technique for step in shoulder}
    assert "You rated it 9 out of 10 and your therapist found 7" in shoulder[0].why
    assert any("check with you first" in reason for reason in plan.for_client)


# 5. Doctors ---------------------------------------------------------------------------------------------------


def test_blood_thinners_and_a_medical_condition_tell_the_client_once_to_check_with_their_doctor() -> None:
    for flag in ("blood_thinners", "medical_condition"):
        plan = plan_for([], intake(flag))
        assert plan.requires_clearance
        assert client_text(plan).count("we need your doctor's go-ahead") == 1, flag
        assert "check with your doctor" not in client_text(plan), flag


def test_what_the_plan_promises_about_a_doctor_the_program_requires_and_records() -> None:
    for flag in ("dvt_history", "fragility_fracture", "cancer_treatment", "pregnancy_high_risk"):
        screening = screen(intake(flag), PROTOCOL, TODAY)
        assert screening.requires_clearance, flag
        assert not screening.may_be_given
        cleared = screen(intake(flag, clearance=Clearance("Dr N. Example", TODAY)), PROTOCOL, TODAY)
        assert cleared.may_be_given


# 6. Fragile bones and cancer treatment --------------------------------------------------------------------------


def test_osteoporosis_keeps_friction_and_holds_off_the_ribs_and_beside_the_spine_and_no_trunk_stretches() -> None:
    for flag in ("osteoporosis", "cancer_treatment"):
        plan = plan_for(EVERY_REGION, intake(flag), position="seated")
        assert plan.position == "seated"  # the therapist's recorded position is honoured
        for step in steps_on(plan, RIBS_AND_BESIDE_SPINE):
            assert step.technique not in ("friction", "pressure_point_hold"), (flag, step.region)
        trunk = set(PROTOCOL.flags[flag].region_drops) - RIBS_AND_BESIDE_SPINE | {"lower_back_l", "latissimus_r"}
        assert "stretching" not in {step.technique for step in steps_on(plan, trunk)}
        assert any("side-lying or seated with pillows" in note for note in plan.therapist_notes)


# 7. Pain on the bone ------------------------------------------------------------------------------------------


def test_a_client_rating_the_spine_9_is_asked_the_red_flag_questions_and_gets_gentle_work_beside_it() -> None:
    plan = plan_for([Mark("spine", "client", 9)], intake())
    assert plan.outcome == "modify"
    assert "red-flag" in " ".join(plan.therapist_notes) or "pain at night" in " ".join(plan.therapist_notes)
    beside = steps_on(plan, {"paraspinal_thoracic_l", "paraspinal_thoracic_r", "paraspinal_lumbar_l"})
    assert beside
    assert all(step.pressure.level <= 2 for step in beside)
    assert "Go ahead as planned" not in render_plan_text(plan, clearance_on_record=False)


def test_any_mark_on_the_spine_with_osteoporosis_counts_as_pain_on_the_bone() -> None:
    plan = plan_for([Mark("spine", "therapist", 2)], intake("osteoporosis"))
    assert any("pain at night" in note for note in plan.therapist_notes)


# 8. Pregnancy -------------------------------------------------------------------------------------------------


def test_pregnancy_has_no_tapping_and_no_lumbar_friction_and_high_risk_stays_light() -> None:
    plan = plan_for(EVERY_REGION, intake("pregnancy"))
    assert "tapotement" not in {step.technique for step in plan.steps}
    assert "friction" not in {step.technique for step in steps_on(plan, set(PROTOCOL.regions) & _lumbar())}
    high = plan_for(EVERY_REGION, intake("pregnancy_high_risk"))
    assert all(step.pressure.level <= 2 for step in high.steps)
    assert not {"friction", "tapotement"} & {step.technique for step in high.steps}
    assert high.requires_clearance


def test_a_sacral_ache_in_pregnancy_gets_light_strokes_around_not_on_the_bone() -> None:
    plan = plan_for([Mark("sacrum", "client", 6)], intake("pregnancy"))
    assert not steps_on(plan, {"sacrum"})
    around = steps_on(plan, {"lower_back_l", "lower_back_r", "paraspinal_lumbar_l", "paraspinal_lumbar_r"})
    assert around
    assert {step.technique for step in around} == {"effleurage"}
    assert all(step.pressure.level <= 2 for step in around)


def _lumbar() -> set[str]:
    return {"paraspinal_lumbar_l", "paraspinal_lumbar_r", "lower_back_l", "lower_back_r"}


# 9. Dose ------------------------------------------------------------------------------------------------------


def test_friction_stays_about_three_minutes_on_one_spot_even_in_a_long_session() -> None:
    plan = plan_for([Mark("trapezius_upper_l", "therapist", 10)], intake(), minutes=120)
    friction = [step for step in plan.steps if step.technique == "friction"]
    assert friction
    assert all(step.minutes <= 3 for step in friction)
    assert all(step.hold_seconds in (None, (10, 15)) for step in plan.steps)


# 10. Two voices -----------------------------------------------------------------------------------------------


def test_therapist_instructions_never_reach_the_client() -> None:
    plan = plan_for(
        EVERY_REGION,
        intake("cancer_treatment", "dvt_history", "medical_condition", conditions="MARKER-CONDITIONS-TEXT"),
    )
    text = client_text(plan)
    for note in plan.therapist_notes:
        assert note not in text
    for leaked in ("oncology team", "Past DVT", "resolve it into specific flags", "MARKER-CONDITIONS-TEXT", "kidney"):
        assert leaked not in text


def test_what_it_feels_like_tells_the_therapist_things_the_client_never_reads() -> None:
    marks = [
        Mark("lower_back_l", "client", 6, quality="numbness"),
        Mark("rhomboid_r", "client", 5, quality="pins_and_needles"),
        Mark("trapezius_upper_l", "therapist", 7, quality="burning"),
        Mark("spine", "client", 2, quality="sharp"),
    ]
    plan = plan_for(marks, intake())
    text = client_text(plan)
    for note in plan.therapist_notes:
        assert note not in text
    for leaked in ("where it spreads", "Any yes", "cannot judge", "stop if it spreads", "red-flag"):
        assert leaked not in text
    for reason in plan.for_client:
        assert reason in text  # the client reads every reason


# 11. What it feels like -----------------------------------------------------------------------------------------

NERVE_QUALITIES = ("numbness", "pins_and_needles")
RED_FLAG_WORDS = "pain at night"  # one of the red-flag questions, as the therapist reads them


def steps_touching(plan: Plan, regions: set[str]) -> list[Any]:
    return [step for step in plan.steps if regions & set(step.regions)]


def test_pins_and_needles_between_the_shoulder_blades_stays_light_and_asks_about_the_nerve() -> None:
    # The therapist found 8 and the client says it tingles: firm work would be the usual answer to an 8.
    plan = plan_for([Mark("rhomboid_l", "therapist", 8, quality="pins_and_needles")], intake())
    worked = steps_touching(plan, {"rhomboid_l"})
    assert worked
    assert all(step.pressure.level <= 2 for step in worked)
    assert plan.outcome == "modify"
    assert any("pins and needles" in reason and "light" in reason for reason in plan.for_client)
    nerve = [note for note in plan.therapist_notes if note.startswith("Pins and needles at")]
    assert nerve
    assert "where it spreads" in nerve[0]
    assert not any(RED_FLAG_WORDS in note for note in plan.therapist_notes)  # not the lower back


def test_numbness_on_a_pressure_point_keeps_the_area_it_lies_on_light_too() -> None:
    plan = plan_for(
        [Mark("scapula_edge_r", "client", 6, quality="numbness"), Mark("scapula_r", "therapist", 8)], intake()
    )
    assert all(step.pressure.level <= 2 for step in steps_touching(plan, {"scapula_edge_r", "scapula_r"}))


def test_numbness_in_the_lower_back_asks_the_red_flag_questions_before_starting() -> None:
    for region in ("lower_back_l", "paraspinal_lumbar_r", "lower_back_point_l", "sacrum"):
        plan = plan_for([Mark(region, "client", 5, quality="numbness")], intake())
        first = plan.therapist_notes[0]
        assert first.startswith("Numbness in the lower back: before starting"), region
        assert RED_FLAG_WORDS in first
        assert "numbness between the legs" in first
        assert any("questions" in reason for reason in plan.for_client), region


def test_tingling_on_both_sides_of_the_lower_back_is_asked_about_once_not_per_side() -> None:
    # Both legs cannot be seen on a back map: both sides of the lower back is the nearest sign of it.
    marks = [
        Mark("lower_back_l", "client", 4, quality="pins_and_needles"),
        Mark("lower_back_r", "therapist", 6, quality="numbness"),
    ]
    plan = plan_for(marks, intake())
    asked = [note for note in plan.therapist_notes if RED_FLAG_WORDS in note]
    assert asked == [PROTOCOL.nerve_symptoms.red_flag_therapist.format(feelings="Numbness and pins and needles")]
    assert all(step.pressure.level <= 2 for step in steps_touching(plan, {"lower_back_l", "lower_back_r"}))


def test_the_red_flag_questions_are_written_once_for_bone_pain_and_nerve_symptoms_and_asked_once() -> None:
    bone = plan_for([Mark("spine", "client", 9)], intake()).therapist_notes[0]
    nerve = plan_for([Mark("lower_back_l", "client", 3, quality="numbness")], intake()).therapist_notes[0]
    assert bone.split(": ", 1)[1] == nerve.split(": ", 1)[1]
    both = plan_for([Mark("spine", "client", 9), Mark("lower_back_l", "client", 3, quality="numbness")], intake())
    assert [note for note in both.therapist_notes if RED_FLAG_WORDS in note] == [bone]
    assert sum("questions" in reason for reason in both.for_client) == 1


def test_burning_starts_gently_and_checks_first_like_a_clients_own_8() -> None:
    plan = plan_for([Mark("trapezius_upper_r", "therapist", 7, quality="burning")], intake())
    shoulder = steps_touching(plan, {"trapezius_upper_r"})
    assert shoulder
    assert max(step.pressure.level for step in shoulder) <= PROTOCOL.client_high_tension.start_level
    assert not {"friction", "tapotement"} & {step.technique for step in shoulder}
    assert any("burning" in reason and "check with you first" in reason for reason in plan.for_client)
    assert any(note.startswith("Burning at Upper trapezius") for note in plan.therapist_notes)
    assert plan.outcome == "modify"


def test_sharp_pain_on_the_spine_is_pain_on_the_bone_whatever_its_number() -> None:
    plain = plan_for([Mark("spine", "client", 3)], intake())
    assert not any(RED_FLAG_WORDS in note for note in plain.therapist_notes)
    sharp = plan_for([Mark("sacrum", "therapist", 3, quality="sharp")], intake())
    assert sharp.therapist_notes[0].startswith("Pain on the bone: before starting")
    assert sharp.outcome == "modify"
    assert PROTOCOL.bone_pain.reason in sharp.for_client


def test_the_general_kneading_of_the_back_passes_lightly_over_what_the_marks_keep_light() -> None:
    marks = [
        Mark("lower_back_l", "client", 6, quality="numbness"),
        Mark("lower_back_r", "client", 6, quality="pins_and_needles"),
        Mark("trapezius_upper_l", "therapist", 7, quality="burning"),
    ]
    general = [
        step for step in plan_for(marks, intake()).steps if step.regions == ("back",) and step.technique == "petrissage"
    ]
    assert general
    assert general[0].why.endswith("Only lightly over the top of your left shoulder and both sides of your lower back.")


def test_aching_is_plain_tension_to_the_plan() -> None:
    marks = [Mark("rhomboid_l", "therapist", 7), Mark("neck_r", "client", 5)]
    aching = [dataclasses.replace(mark, quality="aching") for mark in marks]
    assert plan_for(aching, intake()) == plan_for(marks, intake())


# Properties ---------------------------------------------------------------------------------------------------

TREE_NUTS = ("walnut", "hazelnut", "cashew", "pecan", "pistachio", "macadamia", "brazil nut", "pine nut", "peanut")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(TREE_NUTS),
    st.sampled_from(("", "s")),
    st.sampled_from(("{}", "{} ", "{} (hives)", "Raw {}", "{} oil", "{}, mild")),
    st.booleans(),
    st.lists(st.sampled_from(("jojoba", "coconut", "lanolin", "latex")), max_size=3),
)
def test_no_tree_nut_allergy_ever_gets_almond(
    nut: str, plural: str, shape: str, upper: bool, others: list[str]
) -> None:
    allergy = shape.format(nut + plural)
    choice, _ = choose_medium((allergy.upper() if upper else allergy, *others), PROTOCOL)
    assert choice.name != "almond"


LOCAL = ("recent_injury", "skin_condition", "lymph_nodes_removed")


@st.composite
def local_cases(draw: st.DrawFn) -> tuple[list[Mark], Intake]:
    entries = []
    for flag in draw(st.lists(st.sampled_from(LOCAL), min_size=1, max_size=3)):
        since = draw(st.none() | st.dates(TODAY - dt.timedelta(days=200), TODAY))
        entries.append(FlagEntry(flag, draw(st.sampled_from(sorted(REGION_IDS))), since))
    others = draw(st.lists(st.sampled_from([f for f in FLAG_IDS if f not in LOCAL]), max_size=2))
    marks = [
        Mark(region, by, draw(st.integers(1, 10)), quality=draw(st.none() | st.sampled_from(QUALITIES)))
        for region in draw(st.sets(st.sampled_from(sorted(REGION_IDS)), min_size=1))
        for by in draw(st.sets(st.sampled_from(LAYERS), min_size=1))
    ]
    return marks, intake(*entries, *others)


@settings(max_examples=150, deadline=None)
@given(local_cases())
def test_no_step_presses_a_flagged_areas_group_beyond_its_stage(case: tuple[list[Mark], Intake]) -> None:
    marks, screening = case
    plan = plan_for(marks, screening)
    for entry in screening.flags:
        rule = PROTOCOL.flags[entry.flag]
        if not rule.local or entry.region is None:
            continue
        stage = rule.stage_on(None if entry.since is None else (TODAY - entry.since).days)
        regions, _ = reached_regions(rule, entry.region, PROTOCOL)
        for step in steps_on(plan, set(regions)):
            assert step.technique in stage.allow, (entry, step)
            assert stage.cap is None or step.pressure.level <= stage.cap, (entry, step)


@settings(max_examples=150, deadline=None)
@given(local_cases(), st.integers(8, 10))
def test_a_client_8_to_10_never_gets_more_than_light(case: tuple[list[Mark], Intake], tension: int) -> None:
    marks, screening = case
    sore = marks[0].region
    marks = [mark for mark in marks if not (mark.region == sore and mark.by == "client")]
    plan = plan_for([*marks, Mark(sore, "client", tension)], screening)
    assert all(step.pressure.level <= 2 for step in steps_on(plan, {sore}))
    if sore not in screen(screening, PROTOCOL, TODAY).left_alone():  # else the hands go around it
        assert all(step.pressure.level <= 2 for step in steps_on(plan, {"back"}))  # the whole-back pass too


@settings(max_examples=100, deadline=None)
@given(
    local_cases(),
    st.text(min_size=3, max_size=40).filter(lambda text: len(text.strip()) >= 3),
)
def test_no_client_output_holds_a_therapist_note(case: tuple[list[Mark], Intake], conditions: str) -> None:
    marks, screening = case
    screening = dataclasses.replace(
        screening, flags=(*screening.flags, FlagEntry("medical_condition")), conditions=f"Q{conditions}Q"
    )
    plan = plan_for(marks, screening)
    text = client_text(plan)
    assert f"Q{conditions.strip()}Q" not in text
    for note in plan.therapist_notes:
        assert note not in text


@settings(max_examples=150, deadline=None)
@given(local_cases(), st.sampled_from(NERVE_QUALITIES), st.sampled_from(("client", "therapist")))
def test_a_region_with_numbness_or_pins_and_needles_never_gets_more_than_light(
    case: tuple[list[Mark], Intake], quality: Any, by: Any
) -> None:
    marks, screening = case
    numb = marks[0].region
    marks = [mark for mark in marks if not (mark.region == numb and mark.by == by)]
    plan = plan_for([*marks, Mark(numb, by, 10, quality=quality)], screening)
    assert all(step.pressure.level <= 2 for step in steps_touching(plan, {numb}))
    if numb in PROTOCOL.nerve_symptoms.red_flag_regions and plan.outcome in ("proceed", "modify"):
        assert any(RED_FLAG_WORDS in note for note in plan.therapist_notes)


@settings(max_examples=100, deadline=None)
@given(local_cases())
def test_a_burning_region_never_starts_firmer_than_a_clients_own_8(case: tuple[list[Mark], Intake]) -> None:
    marks, screening = case
    plan = plan_for(marks, screening)
    burning = {mark.region for mark in marks if mark.quality == "burning"}
    start = PROTOCOL.client_high_tension.start_level
    for step in steps_touching(plan, burning):
        assert step.pressure.level <= start
        assert step.technique not in PROTOCOL.client_high_tension.drop
