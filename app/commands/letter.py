"""`backmap letter CLIENT [--session ID|latest] [-o FILE]`: the letter for the client's doctor, as a PDF."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from app.commands.common import chosen_session, find_client, open_repository
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
    parser.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
    parser.add_argument("--session", default="latest", metavar="ID|latest", help="which session (default: latest)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (mode 0600), not stdout")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Qt is needed for the PDF and the practice's details (QSettings) alike.
    from app.domain.doctor_letter import letter_for_session
    from app.domain.protocol import load_protocol
    from app.storage.files import output_file
    from app.ui.plan_view.letter_pdf import letter_pdf_bytes
    from app.ui.plan_view.plan_pdf import ensure_application
    from app.ui.settings import AppSettings

    with open_repository(args, create=False) as repository:
        client = find_client(repository, args.client)
        record = repository.history(client.id)
        data_folder = repository.path.parent
    session = chosen_session(record.sessions, client.id, args.session)
    ensure_application()
    settings = AppSettings()
    letter = letter_for_session(
        client, session, record.intakes, load_protocol(), practice=settings.practice(), written_on=dt.date.today()
    )
    if letter is None:
        raise BackmapError("this plan needs no letter for the doctor: massage goes ahead and no clearance is missing")
    if args.output is None and sys.stdout.isatty():
        raise BackmapError("a PDF is not for the terminal: add -o FILE")
    data = letter_pdf_bytes(letter, page_size=settings.page_size())
    if args.output is None:
        sys.stdout.buffer.write(data)
        return 0
    with output_file(args.output, data_folder, replace=args.force) as temporary:
        temporary.write_bytes(data)
    return 0
