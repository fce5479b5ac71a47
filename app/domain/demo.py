"""A made-up client with about six months of sessions, for `backmap --demo`, screenshots and review tests.

The story: an office worker whose upper trapezius tension (worse on the left) eases slowly over the visits,
while the right lower back stays at 6-7 throughout. She rates her own tension a little higher than the
therapist does. A left lower-back strain from before the first visit is on the intake and has healed. Every
name and text is fictional (example.org, "Example", "Sample"); nothing comes from the seed texts' practice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid

from app.domain.records import (
    Amendment,
    Client,
    Consent,
    FlagEntry,
    Hold,
    Intake,
    Layer,
    Mark,
    Quality,
    Session,
    Soap,
)
from app.domain.region_specs import SPECS_BY_ID

SAST = dt.timezone(dt.timedelta(hours=2))  # South Africa: +02:00 all year
THERAPIST = "Jo Sample"
MEDIUM = "unscented lotion"  # the client is allergic to almond
HISTORY_DAYS = 182
POINT_HOLD_SECONDS = (10.0, 15.0)

_SUBJECTIVE = (
    "Long days at the desk; neck and shoulders stiff by the afternoon.",
    "Slept badly on Sunday, woke with the left shoulder tight.",
    "Better week, took the stretch breaks most days.",
    "Right lower back aches after sitting through meetings.",
    "Gardening on Saturday; lower back sore on the right since.",
    "Shoulders feel lighter than last month; lower back unchanged.",
)
_SHARED_NOTES = (
    "Roll your shoulders back and down every hour at the desk.",
    "A warm shower on your lower back before bed can help it settle.",
    "Drink some water and take it easy for the rest of the day.",
    "Keep the screen at eye level so your neck stays long.",
    "Gentle knee-to-chest stretch for your lower back, morning and evening.",
)
_MARK_NOTES = {
    "trapezius_upper_l": "knot near the neck",
    "lower_back_r": "guarded, ropey along the crest",
    "suboccipital_l": "tender",
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _clamp(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, round(value)))


def _session_days(rng: random.Random, today: dt.date) -> list[dt.date]:
    """12-16 visit days, about every 1-3 weeks over ~6 months, the last one today; no Sundays before it."""
    count = rng.randint(12, 16)
    raw = [rng.choice((7, 10, 14, 14, 17, 21)) for _ in range(count - 1)]
    scale = HISTORY_DAYS / sum(raw)
    gaps = [max(7, min(21, round(gap * scale))) for gap in raw]
    days = [today]
    for gap in reversed(gaps):
        day = days[-1] - dt.timedelta(days=gap)
        days.append(day - dt.timedelta(days=1) if day.weekday() == 6 else day)  # Sunday -> Saturday
    return days[::-1]


def _marks(rng: random.Random, progress: float, visit: int) -> list[Mark]:
    """One visit's marks; `progress` runs from 0 (first visit) to 1 (today)."""
    therapist: dict[str, int] = {
        # The upper trapezius eases slowly, the left side from higher up.
        "trapezius_upper_l": _clamp(7.5 - 4.5 * progress + rng.uniform(-0.7, 0.7)),
        "trapezius_upper_r": _clamp(6.0 - 3.5 * progress + rng.uniform(-0.7, 0.7)),
        # The right lower back persists.
        "lower_back_r": rng.choice((6, 7, 7)),
    }
    if visit < 4:  # the healed strain, checked on the first visits only
        therapist["lower_back_l"] = _clamp(3 - 0.7 * visit)
    if rng.random() < 0.5:
        therapist["neck_l"] = rng.randint(3, 5)
    if rng.random() < 0.6:
        therapist["suboccipital_l"] = _clamp(5.5 - 2 * progress + rng.uniform(-0.5, 0.5))
        therapist["suboccipital_r"] = therapist["suboccipital_l"] - rng.choice((0, 1))
    if rng.random() < 0.4:
        therapist["scapula_edge_r"] = rng.randint(4, 5)
    if rng.random() < 0.5:
        therapist["lower_back_point_r"] = rng.randint(5, 6)
    # The client rates the sides she notices herself, usually a point or two above the therapist.
    client: dict[str, int] = {
        region: _clamp(therapist[region] + rng.choice((0, 1, 1, 2)))
        for region in ("trapezius_upper_l", "trapezius_upper_r", "lower_back_r")
    }
    if rng.random() < 0.4:
        client["rhomboid_r"] = rng.randint(3, 5)  # only she mentions it
    layers: tuple[tuple[Layer, dict[str, int]], ...] = (("client", client), ("therapist", therapist))
    return sorted(
        (
            Mark(
                region,
                by,
                tension,
                _MARK_NOTES.get(region, "") if by == "therapist" else "",
                _feels_like(region, by, progress),
            )
            for by, tensions in layers
            for region, tension in tensions.items()
        ),
        key=lambda mark: (mark.region, mark.by),
    )


def _feels_like(region: str, by: Layer, progress: float) -> Quality | None:
    """What she says it feels like: the right lower back aches throughout; the left shoulder burned at first."""
    if by != "client":
        return None
    if region == "lower_back_r":
        return "aching"
    if region == "trapezius_upper_l" and progress < 0.3:
        return "burning"
    return None


def _holds(rng: random.Random, marks: list[Mark]) -> tuple[Hold, ...]:
    """A timed hold on each pressure point the therapist marked (marks come sorted by region)."""
    points = [mark.region for mark in marks if mark.by == "therapist" and SPECS_BY_ID[mark.region].kind == "point"]
    return tuple(Hold(region, round(rng.uniform(*POINT_HOLD_SECONDS), 1)) for region in points)


def _soap(rng: random.Random, progress: float, marks: list[Mark], weeks_to_next: int | None) -> Soap:
    found = {mark.region: mark.tension for mark in marks if mark.by == "therapist"}  # objective: her findings
    pain_before = _clamp(6.5 - 3 * progress + rng.uniform(-0.6, 0.6), low=1)
    objective = (
        f"Upper trapezius L {found['trapezius_upper_l']}/10, R {found['trapezius_upper_r']}/10; "
        f"right lower back {found['lower_back_r']}/10, guarded on side bending."
    )
    if weeks_to_next is None:  # today's visit, still open: only what was noted before the massage
        return Soap(subjective=rng.choice(_SUBJECTIVE), objective=objective, pain_before=pain_before)
    pain_after = max(0, pain_before - rng.randint(2, 3))
    return Soap(
        subjective=rng.choice(_SUBJECTIVE),
        objective=objective,
        assessment=f"Pain {pain_before}/10 before, {pain_after}/10 after. No adverse reaction.",
        plan=f"Next visit in about {weeks_to_next} week{'s' if weeks_to_next > 1 else ''}; "
        "home care: hourly shoulder rolls, lower-back stretch twice a day.",
        pain_before=pain_before,
        pain_after=pain_after,
    )


def demo_client(today: dt.date, seed: int = 7) -> tuple[Client, tuple[Intake, ...], list[Session]]:
    """The demo client, her screenings and her sessions (oldest first; the last one today, still open).

    She was screened at her first visit and again at her last one before today, as a therapist re-checks within
    the practice's re-check age: the demo opens on a current screening, not on a reminder.

    Deterministic for a given `today` and `seed`.
    """
    rng = random.Random(seed)
    days = _session_days(rng, today)
    first = days[0]
    client = Client(
        id=_uuid(rng),
        name="Zanele Example",
        born=dt.date(1988, 3, 14),
        email="zanele@example.org",
        consent=Consent(date=first, notice_version="1"),
    )
    intake = Intake(
        date=first,
        flags=(
            FlagEntry(
                "recent_injury",
                region="lower_back_l",
                since=first - dt.timedelta(weeks=7),
                settled=first + dt.timedelta(weeks=2),
            ),
        ),
        allergies=("almond",),
        conditions="Strained the left lower back lifting boxes; a physiotherapist saw it, healing well.",
    )
    recheck = dataclasses.replace(
        intake,
        date=days[-2],
        conditions="Strained the left lower back lifting boxes; settled now, nothing new since.",
    )
    span = max(1, (today - first).days)
    sessions: list[Session] = []
    for visit, day in enumerate(days):
        progress = (day - first).days / span
        is_last = visit == len(days) - 1
        # Today's open visit starts early so it is not in the future when the demo opens.
        time = dt.time(8) if is_last else dt.time(rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((0, 30)))
        start = dt.datetime.combine(day, time, SAST)
        weeks_to_next = None if is_last else max(1, round((days[visit + 1] - day).days / 7))
        marks = _marks(rng, progress, visit)
        sessions.append(
            Session(
                id=_uuid(rng),
                start=start,
                minutes=60,
                therapist=THERAPIST,
                position="prone",
                medium=MEDIUM,
                marks=tuple(marks),
                soap=_soap(rng, progress, marks, weeks_to_next),
                shared_note=rng.choice(_SHARED_NOTES),
                holds=_holds(rng, marks),
                finalised=None if is_last else start + dt.timedelta(minutes=60 + rng.randint(5, 15)),
            )
        )
    # The second visit's shared note was corrected after it was finalised: the audit trail shows it.
    second = sessions[1]
    corrected = f"{second.shared_note} Stand up and stretch once an hour, too."
    amendment = Amendment(
        at=second.start + dt.timedelta(days=1),
        field="shared_note",
        before=second.shared_note,
        after=corrected,
        reason="added the standing stretch we agreed on",
    )
    sessions[1] = dataclasses.replace(second, shared_note=corrected, amendments=(amendment,))
    return client, (intake, recheck), sessions
