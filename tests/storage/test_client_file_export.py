"""Exporting a long history: the file written straight from the rows is the record's canonical text, byte for
byte, and its reads do not grow with the sessions (issue 22, point 5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from pathlib import Path

import pytest

from app.domain.plan import build_plan
from app.domain.protocol import load_protocol
from app.domain.records import (
    Amendment,
    Client,
    ClientRecord,
    Consent,
    Hold,
    Mark,
    PressureOverride,
    Session,
    Soap,
    Stroke,
)
from app.domain.region_specs import REGION_SPECS
from app.storage.client_file import dump, parse
from app.storage.record_store import RecordStore
from app.storage.sqlite_store import SqliteStore

SAST = dt.timezone(dt.timedelta(hours=2))
MASSAGED = [spec.id for spec in REGION_SPECS if spec.kind not in ("no_pressure", "caution")]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _marks(rng: random.Random) -> tuple[Mark, ...]:
    """Twelve regions on both layers, from few values: many sessions repeat the same marks, as a practice does."""
    return tuple(
        Mark(region, by, rng.randint(3, 5), rng.choice(("", "knot near the edge")), rng.choice((None, None, "aching")))
        for region in sorted(rng.sample(MASSAGED, 12))
        for by in ("client", "therapist")
    )


def long_history(sessions: int, seed: int = 22) -> ClientRecord:
    """A client seen weekly for `sessions` visits: marks, brush strokes, holds, a plan as given (a few distinct
    ones, each in many sessions), overrides and amendments, the last visit still open."""
    rng = random.Random(seed)
    protocol = load_protocol()
    plans = [build_plan(_marks(rng), None, 60, protocol, on=dt.date(2024, 1, 1)).to_json() for _ in range(3)]
    first = dt.datetime(2020, 1, 6, 9, 0, tzinfo=SAST)
    made = []
    for visit in range(sessions):
        start = first + dt.timedelta(weeks=visit, minutes=rng.randint(0, 90))
        finalised = None if visit == sessions - 1 else start + dt.timedelta(minutes=70)
        session = Session(
            id=_id(rng),
            start=start,
            minutes=rng.choice((45, 60, 90)),
            therapist="Jo Sample",
            medium="unscented lotion",
            override=PressureOverride(2, "bruises easily") if visit % 7 == 3 else None,
            marks=_marks(rng),
            strokes=tuple(
                Stroke(
                    rng.choice(("client", "therapist")),
                    rng.randint(1, 10),
                    14.0,
                    tuple((round(rng.uniform(150, 350), 1), round(rng.uniform(150, 600), 2)) for _ in range(12)),
                )
                for _ in range(rng.randint(0, 3))
            ),
            soap=Soap(subjective="Neck stiff by the afternoon; Zoë's desk is new.", pain_before=rng.randint(2, 8)),
            shared_note="Roll your shoulders back every hour.",
            holds=(Hold("suboccipital_l", 12.5),) if visit % 3 == 0 else (),
            finalised=finalised,
            plan=None if visit % 5 == 4 else plans[visit % len(plans)],
        )
        if finalised is not None and visit % 4 == 1:
            mark = session.marks[0]
            session = dataclasses.replace(
                session,
                amendments=(
                    Amendment(
                        finalised + dt.timedelta(days=1),
                        f"marks.{mark.region}.{mark.by}",
                        {"tension": 9, "note": "", "quality": "burning"},
                        {"tension": mark.tension, "note": mark.note},
                        "entered on the wrong side",
                    ),
                ),
            )
        made.append(session)
    consent = Consent(dt.date(2020, 1, 6), "1")
    client = Client(_id(rng), "Ana Example", dt.date(1980, 4, 2), consent=consent)
    return ClientRecord(client, (), tuple(made))


def test_a_long_history_exports_as_its_record_reads_in_every_store(store: RecordStore, tmp_path: Path) -> None:
    """The export writes from the rows, not from Session objects: the file is still the record's canonical text,
    the one dump() writes from the history as read, and imports back to the same record."""
    record = long_history(40)
    store.import_records([record])
    exported = store.export_client(record.client.id, tmp_path / "ana.json").read_bytes()
    assert exported == dump(store.history(record.client.id)).encode("utf-8")
    assert parse(exported.decode("utf-8")) == parse(dump(record))


@pytest.mark.local_file(reason="counts the statements the SQLite store sends (its connection's trace)")
def test_an_export_reads_each_table_once_however_long_the_history(repository: SqliteStore, tmp_path: Path) -> None:
    sent: dict[int, list[str]] = {}
    for sessions in (2, 40):
        record = long_history(sessions, seed=sessions)
        repository.import_records([record])
        statements: list[str] = []
        repository._connection.set_trace_callback(statements.append)
        try:
            repository.export_client(record.client.id, tmp_path / f"{sessions}.json")
        finally:
            repository._connection.set_trace_callback(None)
        sent[sessions] = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(sent[40]) == len(sent[2])


@pytest.mark.local_file(reason="writes a stroke's points into the SQLite file as another program could")
def test_points_stored_as_whole_numbers_are_exported_as_the_file_writes_them(
    repository: SqliteStore, tmp_path: Path
) -> None:
    record = long_history(6)
    repository.import_records([record])
    with repository._connection:
        changed = repository._connection.execute("UPDATE strokes SET points = '[[101, 220], [130, 228.5]]'")
    assert changed.rowcount > 0
    exported = repository.export_client(record.client.id, tmp_path / "ana.json").read_text(encoding="utf-8")
    assert exported == dump(repository.history(record.client.id))
    assert "101.0" in exported
