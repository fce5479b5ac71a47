"""The process the crash-safety test kills: saves whole sessions in a loop, printing each id once saved.

python -m tests.storage.crash_child DATA_DIR CLIENT_ID FIRST_INDEX
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from app.domain.records import Hold, Mark, Session, Soap, Stroke
from app.storage.sqlite_store import SqliteStore

REGIONS = ("neck_l", "neck_r", "rhomboid_l", "rhomboid_r", "scapula_l", "scapula_r")
START = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def session_number(index: int) -> Session:
    """The session a child saves as number `index`: fully determined, so the test can compare it whole."""
    return Session(
        id=f"crash-{index}",
        start=START + dt.timedelta(hours=index),
        minutes=30 + index % 60,
        marks=tuple(
            Mark(region, layer, (index + offset) % 11, f"note {index} " * 30)
            for offset, region in enumerate(REGIONS)
            for layer in ("client", "therapist")
        ),
        strokes=(Stroke("therapist", index % 11, 8.0, tuple((float(i), float(index)) for i in range(50))),),
        soap=Soap(subjective=f"visit {index}", pain_before=index % 11),
        shared_note="x" * (index % 5000),
        holds=(Hold("suboccipital_l", 12.5),),
    )


def main() -> None:
    data_dir, client_id, first = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    with SqliteStore.open(data_dir) as repository:
        print("ready", flush=True)
        index = first
        while True:
            repository.add_session(client_id, session_number(index))
            print(index, flush=True)  # only after the save call returned
            index += 1


if __name__ == "__main__":
    main()
