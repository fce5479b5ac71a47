"""Hypothesis strategies for whole client records in canonical form (NFC text, marks sorted, oldest first)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from hypothesis import strategies as st

from app.domain.flags import FLAG_IDS
from app.domain.records import (
    LAYERS,
    QUALITIES,
    Amendment,
    Clearance,
    Client,
    ClientRecord,
    Consent,
    FlagEntry,
    Hold,
    Intake,
    Mark,
    PressureOverride,
    Session,
    Soap,
    Stroke,
)
from app.domain.region_specs import REGION_IDS
from app.storage.codec import has_visible_character

REGIONS = sorted(REGION_IDS)
texts = st.text(max_size=30).map(lambda text: unicodedata.normalize("NFC", text))
names = texts.filter(lambda text: text.strip() != "")
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2099, 12, 30)),
    offsets,
)
coordinates = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
tensions = st.integers(min_value=0, max_value=10)
json_leaves = st.none() | st.booleans() | st.integers(-1000, 1000) | texts
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)


@st.composite
def marks(draw: st.DrawFn) -> tuple[Mark, ...]:
    keys = draw(st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(LAYERS)), unique=True, max_size=6))
    qualities = st.none() | st.sampled_from(QUALITIES)
    return tuple(
        sorted((Mark(region, by, draw(tensions), draw(texts), draw(qualities)) for region, by in keys), key=_mark_key)
    )


def _mark_key(mark: Mark) -> tuple[str, str]:
    return (mark.region, mark.by)


strokes = st.builds(
    Stroke,
    by=st.sampled_from(LAYERS),
    tension=tensions,
    width=st.floats(min_value=0.1, max_value=100, allow_nan=False),
    points=st.lists(st.tuples(coordinates, coordinates), min_size=1, max_size=4).map(tuple),
)
soaps = st.builds(
    Soap,
    subjective=texts,
    objective=texts,
    assessment=texts,
    plan=texts,
    pain_before=st.none() | st.integers(0, 10),
    pain_after=st.none() | st.integers(0, 10),
)
holds = st.builds(Hold, region=st.sampled_from(REGIONS), seconds=st.floats(min_value=0, max_value=600, allow_nan=False))
overrides = st.builds(PressureOverride, max_level=st.integers(0, 5), reason=names)
amendable_fields = st.sampled_from(["minutes", "medium", "shared_note", "soap.pain_after", "marks.neck_l.client"])
amendments = st.builds(
    Amendment, at=moments, field=amendable_fields, before=json_values, after=json_values, reason=texts
)
plans: st.SearchStrategy[dict[str, Any] | None] = st.none() | st.dictionaries(texts, json_values, max_size=4)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    finalised = draw(st.none() | moments)
    return Session(
        id=str(draw(st.uuids(version=4))),
        start=draw(moments),
        minutes=draw(st.integers(1, 480)),
        therapist=draw(texts),
        position=draw(st.sampled_from(["prone", "side-lying", "seated"])),
        medium=draw(texts),
        override=draw(st.none() | overrides),
        marks=draw(marks()),
        strokes=tuple(draw(st.lists(strokes, max_size=2))),
        soap=draw(soaps),
        shared_note=draw(texts),
        holds=tuple(draw(st.lists(holds, max_size=3))),
        finalised=finalised,
        amendments=() if finalised is None else tuple(draw(st.lists(amendments, max_size=2))),
        plan=draw(plans),
    )


flag_entries = st.builds(
    FlagEntry,
    flag=st.sampled_from(FLAG_IDS),
    region=st.none() | st.sampled_from(REGIONS),
    since=st.none() | dates,
)
clearances = st.builds(
    lambda by, given, limits, days: Clearance(
        by, given, limits, None if days is None else given + dt.timedelta(days=days)
    ),
    names,
    dates,
    texts,
    st.none() | st.integers(0, 400),
)


@st.composite
def intakes(draw: st.DrawFn) -> tuple[Intake, ...]:
    days = sorted(draw(st.lists(dates, unique=True, max_size=3)))
    return tuple(
        Intake(
            date=day,
            flags=tuple(draw(st.lists(flag_entries, max_size=3))),
            allergies=tuple(draw(st.lists(names, max_size=2))),
            conditions=draw(texts),
            clearance=draw(st.none() | clearances),
        )
        for day in days
    )


@st.composite
def client_records(draw: st.DrawFn) -> ClientRecord:
    session_list = draw(st.lists(sessions(), max_size=3, unique_by=lambda session: session.id))
    consent = Consent(draw(dates), draw(names)) if session_list else draw(st.none() | st.builds(Consent, dates, names))
    client = Client(
        id=str(draw(st.uuids(version=4))),
        name=draw(names.filter(has_visible_character)),
        born=draw(st.none() | dates),
        phone=draw(texts),
        email=draw(texts),
        consent=consent,
    )
    ordered = tuple(sorted(session_list, key=lambda session: (session.start, session.id)))
    return ClientRecord(client, draw(intakes()), ordered)
