"""No therapist note reaches the client's paper: plans for generated flags and free-text conditions, rendered
to the real PDF and read back (the domain tests check the same for the screen's words and the text output)."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from app.domain.plan import build_plan
from app.domain.plan_wording import make_handout
from app.domain.protocol import FLAG_IDS, load_protocol
from app.domain.records import FlagEntry, Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.ui.plan_view.plan_pdf import handout_pdf_bytes
from tests.ui.plan_samples import PRACTICE, STAND_IN_MAP

TODAY = dt.date(2026, 11, 20)
PROTOCOL = load_protocol()
MARKS = [Mark(region, "therapist", 6) for region in sorted(REGION_IDS)]
# Words that appear only in therapist notes: a PDF that holds one of them holds a therapist note.
THERAPIST_ONLY = ("oncology team", "Past DVT", "resolve it into specific flags", "kidney", "Condition as written")


def _pdf_words(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flags=st.sets(st.sampled_from([flag for flag in FLAG_IDS if not PROTOCOL.flags[flag].local]), max_size=4),
    injury=st.none() | st.tuples(st.sampled_from(sorted(REGION_IDS)), st.integers(0, 120)),
    conditions=st.from_regex(r"[A-Z][a-z]{6,12} [a-z]{5,10}", fullmatch=True),
)
def test_the_pdf_never_holds_a_therapist_note(
    qapp: QApplication, flags: set[str], injury: tuple[str, int] | None, conditions: str
) -> None:
    entries = [FlagEntry(flag) for flag in sorted(flags | {"medical_condition"})]
    if injury is not None:
        entries.append(FlagEntry("recent_injury", injury[0], TODAY - dt.timedelta(days=injury[1])))
    intake = Intake(TODAY, flags=tuple(entries), conditions=conditions)
    plan = build_plan(MARKS, intake, 60, PROTOCOL, on=TODAY)
    handout = make_handout(plan, client_first_name="Ana", date=TODAY, shared_note="", practice=PRACTICE)
    words = _pdf_words(handout_pdf_bytes(handout, map_svg=STAND_IN_MAP))
    assert conditions not in words
    for leaked in THERAPIST_ONLY:
        assert leaked not in words
