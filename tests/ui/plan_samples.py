"""Realistic plans in the `plan --format json` shape of DESIGN.md, as the plan builder produces them.

Three outcomes: a proceed plan with point holds, a modify plan for a client on blood thinners (pressure caps,
dropped friction and holds, a nut-free medium, a clearance required), and a postpone plan with a referral.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app.domain.plan import build_plan
from app.domain.practice import PracticeSettings
from app.domain.protocol import load_protocol
from app.domain.records import Intake, Mark
from app.domain.region_specs import REGION_IDS

STAND_IN_MAP = Path(__file__).with_name("stand_in_map.svg")
DATE = dt.date(2026, 11, 23)
PRACTICE = PracticeSettings(
    therapist_name="Sam Example",
    practice_name="Quiet Hands Massage",
    phone="021 000 0000",
    email="sam@example.org",
)
SHARED_NOTE = "Roll your shoulders back gently every hour while you work at the computer."

_SEED_TIPS = "seed 000 (back massage tips)"
_SEED_POINTS = "seed 004 (therapeutic techniques)"

WARM_UP_WHY = "Warms the muscles and lets your therapist feel where you are tight."
FINISH_WHY = "Slowing down at the end tells your body the massage is finishing, so you can rest."


# A therapist's note inside the plan: it must never reach the client's screen or paper either.
THERAPIST_NOTE = "Past DVT: stop and refer if the calf swells (therapist only)."


def _step(
    order: int,
    region: str,
    technique: str,
    level: int,
    why: str,
    source: str,
    *,
    hold: list[int] | None = None,
    holds: int | None = None,
    repetitions: int | None = None,
    minutes: int = 0,
    adjustments: list[dict[str, Any]] | None = None,
    regions: list[str] | None = None,
    finishing: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "order": order,
        "regions": regions or [region],
        "side": None,
        "technique": technique,
        "pressure": {"level": level, "label": LABELS[level]},
        "hold_seconds": hold,
        "holds": holds,
        "repetitions": repetitions,
        "minutes": minutes,
        "why": why,
        "finishing": finishing or [],
        "source": source,
        "adjustments": adjustments or [],
    }


LABELS = {0: "still hold, no pressure", 1: "very light", 2: "light", 3: "moderate", 4: "firm", 5: "deep"}
HOME_ROUTINE = ["Shoulder rolls: sitting tall, roll your shoulders slowly up, back and down, 5 times."]


def proceed_plan() -> dict[str, Any]:
    return {
        "plan_version": 2,
        "outcome": "proceed",
        "requires_clearance": False,
        "position": "prone",
        "medium": {
            "name": "jojoba oil",
            "why": "Oil lets the hands glide without pulling the skin; you have no allergies we know of.",
        },
        "for_client": [],
        "therapist_notes": [THERAPIST_NOTE],
        "refer": None,
        "refer_urgency": None,
        "steps": [
            _step(
                1,
                "back",
                "effleurage",
                2,
                WARM_UP_WHY,
                f"{_SEED_TIPS}: 'Begin with gentle, broad strokes'",
                minutes=5,
            ),
            _step(
                2,
                "trapezius_upper_l",
                "petrissage",
                3,
                "You marked the top of this shoulder 7 out of 10: kneading eases tension from posture.",
                f"{_SEED_TIPS}: 'Use kneading and circular motions to relieve tension'",
                minutes=6,
            ),
            _step(
                3,
                "trapezius_upper_r",
                "petrissage",
                3,
                "Tight too (5 out of 10); working both sides keeps your shoulders even.",
                f"{_SEED_TIPS}: 'Use kneading and circular motions to relieve tension'",
                minutes=4,
            ),
            _step(
                4,
                "suboccipital_l",
                "pressure_point_hold",
                2,
                "The base of the skull holds tension from stress; a steady, gentle hold lets it ease.",
                f"{_SEED_POINTS}: 'steady pressure for 10-15 seconds'",
                hold=[10, 15],
                holds=3,
                minutes=3,
            ),
            _step(
                5,
                "scapula_edge_l",
                "pressure_point_hold",
                3,
                "A tight spot on the inner edge of your shoulder blade; pressing gently along it eases it.",
                f"{_SEED_POINTS}: 'Press gently along the edges to ease tightness'",
                hold=[10, 15],
                holds=2,
                minutes=3,
            ),
            _step(
                6,
                "rhomboid_l",
                "friction",
                3,
                "Small circles loosen the knot between your shoulder blade and spine.",
                f"{_SEED_POINTS}: 'Deep, circular movements targeting tight spots'",
                minutes=3,
            ),
            _step(
                7,
                "paraspinal_lumbar_r",
                "petrissage",
                2,
                "The lower back is more sensitive, so we knead it gently beside the spine, never on it.",
                f"{_SEED_TIPS}: 'Be cautious with pressure in the lower back'",
                minutes=4,
            ),
            _step(
                8,
                "back",
                "effleurage",
                1,
                FINISH_WHY,
                f"{_SEED_TIPS}: 'Gradually reduce the intensity'",
                minutes=3,
            ),
        ],
        "aftercare": [
            "Take a moment to rest quietly before you get up.",
            "Gentle stretches for your neck and shoulders later today help the looseness last.",
            "If anything feels sore or bruised tomorrow, tell your therapist at your next visit.",
        ],
        "home_routine": list(HOME_ROUTINE),
        "protocol_version": "1",
        "map_version": "1",
    }


BLOOD_THINNER_WARNINGS = [
    "You take blood thinners, so you bruise more easily: we keep the pressure light, and leave out deep "
    "circles, tapping and long holds on points.",
    "At every visit, please tell your therapist about any new bruising.",
]


def modify_plan_blood_thinners() -> dict[str, Any]:
    cap_reason = "Blood thinners make bruising more likely, so the pressure stays light."
    return {
        "plan_version": 2,
        "outcome": "modify",
        "requires_clearance": True,
        "position": "prone",
        "medium": {
            "name": "unscented lotion",
            "why": "You told us you are allergic to almonds, so we use a nut-free, unscented lotion.",
        },
        "for_client": list(BLOOD_THINNER_WARNINGS),
        "therapist_notes": [THERAPIST_NOTE, "Ask about new bruising at every visit."],
        "refer": None,
        "refer_urgency": None,
        "steps": [
            _step(
                1,
                "back",
                "effleurage",
                1,
                WARM_UP_WHY,
                f"{_SEED_TIPS}: 'Begin with gentle, broad strokes'",
                minutes=5,
            ),
            _step(
                2,
                "trapezius_upper_l",
                "petrissage",
                2,
                "You marked the top of this shoulder 8 out of 10; gentle kneading eases it without bruising.",
                f"{_SEED_POINTS}: 'Avoid deep pressure or aggressive kneading'",
                minutes=5,
                adjustments=[{"rule": "blood_thinners.pressure_cap", "from": 4, "to": 2, "reason": cap_reason}],
            ),
            _step(
                3,
                "rhomboid_l",
                "effleurage",
                2,
                "Long strokes between your shoulder blade and spine ease the tightness you feel there.",
                f"{_SEED_POINTS}: 'Choose gentle techniques'",
                minutes=4,
                adjustments=[
                    {
                        "rule": "blood_thinners.no_friction",
                        "from": "friction",
                        "to": "effleurage",
                        "reason": "Deep circles on one spot can bruise while you take blood thinners.",
                    }
                ],
            ),
            _step(
                4,
                "suboccipital_r",
                "effleurage",
                1,
                "The base of the skull holds tension from stress; light strokes ease it.",
                f"{_SEED_POINTS}: 'Avoid deep pressure'",
                minutes=2,
                adjustments=[
                    {
                        "rule": "blood_thinners.no_sustained_hold",
                        "from": [10, 15],
                        "to": None,
                        "reason": "No long holds on points while you take blood thinners.",
                    }
                ],
            ),
            _step(
                5,
                "paraspinal_lumbar_l",
                "petrissage",
                2,
                "Your lower back felt stiff; gentle kneading beside the spine loosens it.",
                f"{_SEED_TIPS}: 'Be cautious with pressure in the lower back'",
                minutes=4,
                adjustments=[{"rule": "blood_thinners.pressure_cap", "from": 3, "to": 2, "reason": cap_reason}],
            ),
            _step(
                6,
                "back",
                "effleurage",
                1,
                FINISH_WHY,
                f"{_SEED_TIPS}: 'Gradually reduce the intensity'",
                minutes=3,
            ),
        ],
        "aftercare": [
            "Look at the places we worked over the next two days; if you see unusual marks or feel "
            "pain, tell your therapist and your doctor.",
            "Take a moment to rest quietly before you get up.",
        ],
        "home_routine": list(HOME_ROUTINE),
        "protocol_version": "1",
        "map_version": "1",
    }


POSTPONE_WARNING = (
    "You told us about new swelling and pain in your left calf. That can be a sign of a blood clot, "
    "and massage could move it."
)
POSTPONE_REFERRAL = (
    "Please see your doctor today, or go to an emergency unit at once if you feel short of breath or have chest pain."
)


def postpone_plan_dvt() -> dict[str, Any]:
    return {
        "plan_version": 2,
        "outcome": "postpone",
        "requires_clearance": False,
        "position": "prone",
        "medium": {"name": "none", "why": ""},
        "for_client": [POSTPONE_WARNING],
        "therapist_notes": [THERAPIST_NOTE],
        "refer": POSTPONE_REFERRAL,
        "refer_urgency": "today",
        "steps": [],
        "aftercare": [],
        "home_routine": [],
        "protocol_version": "1",
        "map_version": "1",
    }


# Therapist-only text that must never reach the client's screen or paper.
SOAP_TEXT = "S: reports stress at home. A: guarding, left upper trapezius."
REGION_NOTE = "knot near the neck; client tearful when pressed"


def version_1_plan() -> dict[str, Any]:
    """A plan as stored before plan version 2: one "warnings" list whose voice nobody can tell."""
    plan = modify_plan_blood_thinners()
    for key in ("plan_version", "for_client", "therapist_notes", "refer_urgency", "home_routine"):
        del plan[key]
    for step in plan["steps"]:
        step["region"] = step["regions"][0]
        for key in ("regions", "side", "holds", "finishing"):
            del step[key]
    plan["warnings"] = [*BLOOD_THINNER_WARNINGS, THERAPIST_NOTE]
    return plan


# A typical visit: both shoulders, the base of the skull, a knot beside a shoulder blade, a sore lower back.
TYPICAL_MARKS = [
    Mark("trapezius_upper_l", "client", 7),
    Mark("trapezius_upper_r", "client", 6),
    Mark("rhomboid_l", "therapist", 6),
    Mark("suboccipital_l", "client", 5),
    Mark("suboccipital_r", "client", 5),
    Mark("lower_back_l", "therapist", 4),
]


def every_region_plan() -> dict[str, Any]:
    """A real plan, as the builder makes it, with every region of the map marked 7 by the therapist."""
    marks = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]
    return build_plan(marks, Intake(DATE), 60, load_protocol(), on=DATE).to_json()
