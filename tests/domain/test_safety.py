from __future__ import annotations

import copy
import datetime as dt

import pytest

from app.domain.allergies import choose_medium
from app.domain.protocol import load_protocol, parse_protocol
from app.domain.records import Clearance, FlagEntry, Intake, RecordError
from app.domain.region_specs import REGION_IDS
from app.domain.safety import is_area_limit, region_guidance, screen
from tests.domain.test_protocol import RAW

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()


def intake(
    *flags: FlagEntry | str,
    allergies: tuple[str, ...] = (),
    conditions: str = "",
    clearance: Clearance | None = None,
) -> Intake:
    entries = tuple(FlagEntry(flag) if isinstance(flag, str) else flag for flag in flags)
    return Intake(TODAY, flags=entries, allergies=allergies, conditions=conditions, clearance=clearance)


def test_no_intake_proceeds_with_a_warning_to_screen_first() -> None:
    screening = screen(None, PROTOCOL, TODAY)
    assert screening.outcome == "proceed"
    assert any("No safety screening" in note for note in screening.therapist_notes)


def test_a_clear_intake_proceeds_face_down_without_warnings() -> None:
    screening = screen(intake(), PROTOCOL, TODAY)
    assert screening.outcome == "proceed"
    assert screening.position_for("prone") == "prone"
    assert screening.caps == ()
    assert screening.may_be_given


@pytest.mark.parametrize("flag", ["blood_thinners", "bleeding_disorder"])
def test_bleeding_risk_keeps_it_light_and_needs_a_clearance(flag: str) -> None:
    screening = screen(intake(flag), PROTOCOL, TODAY)
    assert screening.outcome == "modify"
    assert {cap.level for cap in screening.caps if cap.region is None} == {2}
    assert set(screening.dropped()) == {"friction", "tapotement", "pressure_point_hold"}
    assert screening.requires_clearance
    assert not screening.clearance_on_record
    assert not screening.may_be_given  # shown, not given
    assert "Ask about new bruising at every visit." in screening.therapist_notes
    assert any("Clearance needed" in note for note in screening.therapist_notes)


def test_a_valid_clearance_lets_the_plan_be_given_and_an_expired_one_does_not() -> None:
    clearance = Clearance("Dr N. Example", dt.date(2026, 11, 19), "light pressure only", dt.date(2026, 12, 1))
    valid = screen(intake("blood_thinners", clearance=clearance), PROTOCOL, TODAY)
    assert valid.may_be_given
    assert any("light pressure only" in note for note in valid.therapist_notes)
    lapsed = screen(intake("blood_thinners", clearance=clearance), PROTOCOL, dt.date(2027, 1, 5))
    assert not lapsed.may_be_given
    assert any("expired on 1 December 2026" in note for note in lapsed.therapist_notes)


def test_a_past_clot_modifies_but_a_current_one_postpones_and_refers() -> None:
    history = screen(intake("dvt_history"), PROTOCOL, TODAY)
    assert history.outcome == "modify"
    assert history.refer is None
    assert history.requires_clearance  # the reason promises a doctor's check: the program requires it
    assert not history.may_be_given
    current = screen(intake("dvt_current"), PROTOCOL, TODAY)
    assert current.outcome == "postpone"
    assert current.urgency == "today"
    assert current.refer is not None
    assert "doctor today" in current.refer


@pytest.mark.parametrize("flag", ["dvt_current", "fever", "contagious_skin", "red_flag_back_pain"])
def test_postpone_flags_refer_kindly_with_the_reason_and_source(flag: str) -> None:
    screening = screen(intake(flag, "pregnancy"), PROTOCOL, TODAY)
    assert screening.outcome == "postpone"
    assert screening.refer
    assert screening.refer.startswith("Please")
    reason = next(reason for reason in screening.reasons if reason.rule == flag)
    assert reason.source == PROTOCOL.flags[flag].source
    assert not screening.may_be_given


def test_a_healing_injury_is_stroked_lightly_and_a_fresh_one_is_left_alone_with_a_date_to_come_back() -> None:
    healing = screen(intake(FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 11, 1))), PROTOCOL, TODAY)
    assert healing.outcome == "modify"
    assert "lower_back_l" not in healing.left_alone()
    assert healing.allowed_here("lower_back_l", "effleurage")
    assert not healing.allowed_here("lower_back_point_l", "pressure_point_hold")
    assert healing.allowed_here("lower_back_r", "pressure_point_hold")
    fresh = screen(intake(FlagEntry("recent_injury", "scapula_r", dt.date(2026, 11, 18))), PROTOCOL, TODAY)
    assert fresh.outcome == "modify"  # the rest of the back can still be worked
    assert set(fresh.left_alone()) == {"scapula_r", "scapula_edge_r", "rhomboid_r"}
    assert any("22 November 2026" in reason.reason for reason in fresh.reasons)


def test_an_injury_without_a_place_is_flagged_for_the_therapist() -> None:
    screening = screen(intake(FlagEntry("recent_injury", since=dt.date(2026, 10, 1))), PROTOCOL, TODAY)
    assert screening.outcome == "modify"
    assert screening.local == ()
    assert any("no place recorded" in note for note in screening.therapist_notes)


def test_a_skin_condition_avoids_its_region_only() -> None:
    screening = screen(intake(FlagEntry("skin_condition", "scapula_l", dt.date(2026, 9, 1))), PROTOCOL, TODAY)
    assert screening.outcome == "modify"
    assert set(screening.left_alone()) == {"scapula_l", "scapula_edge_l"}  # and the point that lies on it
    guidance = region_guidance("scapula_l", screening, PROTOCOL)
    assert guidance.techniques == ()
    assert guidance.withheld is not None


def test_pregnancy_is_side_lying_with_gentle_lumbar_work_and_high_risk_needs_clearance() -> None:
    pregnant = screen(intake("pregnancy"), PROTOCOL, TODAY)
    assert pregnant.position_for("prone") == "side-lying"
    assert pregnant.position_for("seated") == "seated"
    assert {cap.region: cap.level for cap in pregnant.caps}["lower_back_l"] == 2
    assert not pregnant.requires_clearance
    high_risk = screen(intake("pregnancy_high_risk"), PROTOCOL, TODAY)
    assert high_risk.position_for("prone") == "side-lying"  # implies pregnancy
    assert high_risk.requires_clearance


@pytest.mark.parametrize("flag", ["osteoporosis", "cancer_treatment"])
def test_fragile_bone_means_no_tapping_and_no_pressing_on_ribs(flag: str) -> None:
    screening = screen(intake(flag), PROTOCOL, TODAY)
    assert "tapotement" in screening.dropped()
    assert region_guidance("paraspinal_thoracic_l", screening, PROTOCOL).max_pressure.level == 1
    assert region_guidance("trapezius_upper_l", screening, PROTOCOL).max_pressure.level == 2


def test_a_medical_condition_is_a_warning_until_a_clearance_settles_it() -> None:
    unresolved = screen(intake("medical_condition", conditions="type 1 diabetes"), PROTOCOL, TODAY)
    assert unresolved.outcome == "modify"
    assert any("type 1 diabetes" in note for note in unresolved.therapist_notes)
    assert not any("diabetes" in reason.reason for reason in unresolved.reasons)  # the client's words only
    assert unresolved.requires_clearance
    clearance = Clearance("Dr N. Example", dt.date(2026, 11, 1))
    settled = screen(intake("medical_condition", clearance=clearance), PROTOCOL, TODAY)
    assert settled.outcome == "proceed"
    assert settled.may_be_given


def test_the_screening_says_why_the_doctor_is_asked_in_the_clients_words_in_flag_order() -> None:
    told = intake("medical_condition", "fragility_fracture", "blood_thinners", conditions="type 2 diabetes")
    screening = screen(told, PROTOCOL, TODAY)
    order = ("blood_thinners", "fragility_fracture", "medical_condition")  # the controlled list's order
    assert screening.clearance_reasons == tuple(PROTOCOL.flags[flag].clearance_reason for flag in order)
    assert not any("diabetes" in why for why in screening.clearance_reasons)  # the intake's words stay its own
    assert screen(intake("pregnancy", "osteoporosis"), PROTOCOL, TODAY).clearance_reasons == ()


def test_a_clearance_on_record_settles_the_condition_it_resolves_but_not_the_blood_thinners() -> None:
    clearance = Clearance("Dr N. Example", dt.date(2026, 11, 1))
    screening = screen(intake("medical_condition", "blood_thinners", clearance=clearance), PROTOCOL, TODAY)
    assert screening.clearance_reasons == (PROTOCOL.flags["blood_thinners"].clearance_reason,)
    assert screening.clearance_on_record
    assert screening.may_be_given


def test_two_flags_with_the_same_reason_for_the_doctor_say_it_once() -> None:
    data = copy.deepcopy(RAW)
    data["flags"]["bleeding_disorder"]["clearance_reason"] = data["flags"]["blood_thinners"]["clearance_reason"]
    screening = screen(intake("blood_thinners", "bleeding_disorder"), parse_protocol(data), TODAY)
    assert screening.clearance_reasons == (PROTOCOL.flags["blood_thinners"].clearance_reason,)


@pytest.mark.parametrize(
    ("allergies", "medium"),
    [
        ((), "jojoba"),
        (("jojoba",), "almond"),
        (("jojoba", "Nuts"), "coconut oil"),
        (("jojoba", "tree nuts", "coconut"), "unscented lotion"),
        (("jojoba", "peanut", "coconut oil", "lanolin"), "none"),
    ],
)
def test_the_medium_avoids_every_listed_allergen(allergies: tuple[str, ...], medium: str) -> None:
    choice, _ = choose_medium(allergies, PROTOCOL)
    assert choice.name == medium
    assert choice.why


def test_an_allergy_nobody_lists_asks_to_check_the_label() -> None:
    choice, notes = choose_medium(("latex",), PROTOCOL)
    assert notes == (
        "Allergy to 'latex' is on no ingredient list here: check the label of the oil or lotion before use.",
    )
    assert "checks the label for latex" in choice.why


def test_an_unknown_flag_is_refused_by_name_before_it_can_reach_the_screening() -> None:
    with pytest.raises(RecordError, match="'sunburn'"):
        intake("sunburn")


def test_region_guidance_applies_and_lists_the_clients_adjustments() -> None:
    screening = screen(intake("blood_thinners"), PROTOCOL, TODAY)
    skull = region_guidance("suboccipital_l", screening, PROTOCOL)
    assert skull.techniques == ()
    assert skull.hold_seconds is None
    assert "no knuckles" in " ".join(skull.cautions).lower()
    shoulder = region_guidance("trapezius_upper_l", screening, PROTOCOL)
    assert [t.id for t in shoulder.techniques] == ["effleurage", "petrissage", "vibration", "stretching"]
    assert shoulder.max_pressure.level == 2
    assert shoulder.max_pressure.label == "light"
    assert {adjustment.rule for adjustment in shoulder.adjustments} >= {"blood_thinners"}


def test_region_guidance_without_flags_gives_the_protocol_values() -> None:
    screening = screen(intake(), PROTOCOL, TODAY)
    point = region_guidance("scapula_edge_r", screening, PROTOCOL)
    assert point.hold_seconds == (10, 15)
    assert point.pressure.level == 2
    assert point.max_pressure.level == 4  # the default cap
    lumbar = region_guidance("lower_back_l", screening, PROTOCOL)
    assert lumbar.max_pressure.level == 3
    assert [caution for caution in lumbar.cautions if "kidney" in caution] == [
        "No tapping over the kidney area below the ribs."  # once: the standing rule is its one source
    ]
    spine = region_guidance("spine", screening, PROTOCOL)
    assert spine.techniques == ()
    assert spine.withheld is not None
    assert spine.withheld.startswith("Never pressed")


def test_an_areas_own_limits_are_told_apart_from_this_clients_changes() -> None:
    plain = screen(intake(), PROTOCOL, TODAY)
    for region_id in REGION_IDS:
        guidance = region_guidance(region_id, plain, PROTOCOL)
        assert all(is_area_limit(a.rule, PROTOCOL) for a in guidance.adjustments), region_id
    on_blood_thinners = screen(intake("blood_thinners"), PROTOCOL, TODAY)
    lumbar = region_guidance("lower_back_l", on_blood_thinners, PROTOCOL)
    assert {a.rule for a in lumbar.adjustments if not is_area_limit(a.rule, PROTOCOL)} == {"blood_thinners"}
    assert {a.rule for a in lumbar.adjustments if is_area_limit(a.rule, PROTOCOL)} == {"lower_back"}
