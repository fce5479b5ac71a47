"""A client whose every free-text field holds its own distinctive string, to look for in raw bytes afterwards."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import zlib
from dataclasses import dataclass
from pathlib import Path

from app.domain.records import Clearance, Consent, FlagEntry, Hold, Intake, PressureOverride, Soap, Stroke
from app.storage.database import DB_FILENAME
from app.storage.record_store import RecordStore

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@dataclass(frozen=True, slots=True)
class FilledClient:
    client_id: str
    session_ids: tuple[str, ...]
    markers: dict[str, str]  # field -> the distinctive string written into it

    @property
    def name(self) -> str:
        return self.markers["name"]


def markers_for(tag: str) -> dict[str, str]:
    """Distinctive strings (letters only, so no codec escapes them) that occur nowhere else."""
    fields = (
        "name",
        "phone",
        "email",
        "guardian",
        "allergy",
        "conditions",
        "clearance_by",
        "clearance_limits",
        "therapist",
        "medium",
        "override_reason",
        "region_note",
        "subjective",
        "objective",
        "assessment",
        "soap_plan",
        "shared_note",
        "plan_text",
        "amended_note",
        "amend_reason",
    )
    return {field: f"Qz{tag}{field.replace('_', '').capitalize()}Xv" for field in fields}


def fill_client(repository: RecordStore, tag: str) -> FilledClient:
    """A client with an intake and two sessions (one finalised and amended), every text field marked."""
    marks = markers_for(tag)
    client = repository.create_client(
        f"{marks['name']} Person",
        born=dt.date(2010, 5, 1),
        phone=marks["phone"],
        email=f"{marks['email']}@example.org",
        consent=Consent(dt.date(2026, 11, 20), "1", guardian=marks["guardian"]),
    )
    repository.save_intake(
        client.id,
        Intake(
            date=dt.date(2026, 11, 20),
            flags=(FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 11, 1)),),
            allergies=(marks["allergy"],),
            conditions=marks["conditions"],
            clearance=Clearance(marks["clearance_by"], dt.date(2026, 11, 19), marks["clearance_limits"]),
        ),
    )
    first = repository.start_session(client.id, start=START, therapist=marks["therapist"], medium=marks["medium"]).id
    repository.set_override(first, PressureOverride(2, marks["override_reason"]))
    repository.set_mark(first, "trapezius_upper_l", "therapist", 7, marks["region_note"])
    repository.set_mark(first, "trapezius_upper_l", "client", 5)
    repository.add_stroke(first, Stroke("therapist", 6, 14.0, ((101.5, 220.0), (130.0, 228.5))))
    repository.log_hold(first, Hold("suboccipital_l", 12.4))
    repository.set_soap(
        first,
        Soap(marks["subjective"], marks["objective"], marks["assessment"], marks["soap_plan"], 6, 3),
    )
    repository.set_shared_note(first, marks["shared_note"])
    repository.save_plan(first, {"outcome": "proceed", "aftercare": [marks["plan_text"]]})
    final = repository.finalise(first, at=START + dt.timedelta(hours=1))
    repository.amend(
        first,
        dataclasses.replace(final, shared_note=marks["amended_note"]),
        marks["amend_reason"],
        at=START + dt.timedelta(hours=2),
    )
    second = repository.start_session(client.id, start=START + dt.timedelta(days=7)).id
    repository.set_mark(second, "neck_l", "client", 4, marks["region_note"] + "Again")
    return FilledClient(client.id, (first, second), marks)


def database_files(data_dir: Path) -> list[Path]:
    """The database and its -wal and -shm (those that exist)."""
    base = data_dir / DB_FILENAME
    return [path for path in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if path.exists()]


def found_in_bytes(paths: list[Path], markers: dict[str, str]) -> dict[str, list[str]]:
    """For each file, the fields whose marker occurs in its raw bytes (ignoring case: names are also casefolded),
    or in any zlib stream among them (plans as given are stored compressed, schema 3)."""
    found: dict[str, list[str]] = {}
    for path in paths:
        raw = path.read_bytes()
        data = (raw + b"".join(_zlib_streams(raw))).lower()
        hits = [field for field, marker in markers.items() if marker.lower().encode("utf-8") in data]
        if hits:
            found[path.name] = hits
    return found


def _zlib_streams(data: bytes) -> list[bytes]:
    """What every zlib stream in `data` holds (level 9 starts with 78 DA), wherever one decompresses."""
    streams = []
    start = data.find(b"\x78\xda")
    while start >= 0:
        with contextlib.suppress(zlib.error):
            streams.append(zlib.decompressobj().decompress(data[start:]))
        start = data.find(b"\x78\xda", start + 1)
    return streams
