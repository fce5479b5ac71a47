"""`backmap letter CLIENT [--session ID|latest] [-o FILE]`: the letter for the client's doctor, as a PDF."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from app.commands.common import add_output_arguments, add_session_arguments, read_chosen_session, write_output
from app.errors import BackmapError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "letter",
        help="write the letter for the client's doctor (PDF), when a session's plan needs one",
        description="A one-page letter for the client's GP, midwife or oncology team, when the session's plan "
        "needs a clearance that is not on record, or when massage was postponed or the client sent for emergency "
        "care: what the client reported, the massage proposed, the question, and lines for the reply. "
        "Therapist-only notes never appear in it.",
    )
    add_session_arguments(parser)
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Qt is needed for the PDF and the practice's details (QSettings) alike.
    from app.domain.doctor_letter import letter_for_session
    from app.domain.protocol import load_protocol
    from app.ui.plan_view.letter_pdf import letter_pdf_bytes
    from app.ui.plan_view.plan_pdf import ensure_application
    from app.ui.settings import AppSettings

    chosen = read_chosen_session(args)
    ensure_application()
    settings = AppSettings()
    letter = letter_for_session(
        chosen.client,
        chosen.session,
        chosen.record.intakes,
        load_protocol(),
        practice=settings.practice(),
        written_on=dt.date.today(),
    )
    if letter is None:
        raise BackmapError("this plan needs no letter for the doctor: massage goes ahead and no clearance is missing")
    write_output(args, letter_pdf_bytes(letter, page_size=settings.page_size()), chosen.data_folder, binary=True)
    return 0
