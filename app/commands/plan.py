"""`backmap plan CLIENT [--session ID|latest] [--format text|json|pdf] [-o FILE]`: a session's plan, headless."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import chosen_session, find_client, open_repository, printable
from app.errors import BackmapError

if TYPE_CHECKING:
    from app.domain.records import Session


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="print or write a session's plan (text, JSON or the client's PDF)",
        description="The plan of one session: the plan as given if it was recorded, otherwise built from the "
        "session's marks and the screening in force that day. Therapist-only notes never appear in it.",
    )
    parser.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
    parser.add_argument("--session", default="latest", metavar="ID|latest", help="which session (default: latest)")
    parser.add_argument("--format", choices=("text", "json", "pdf"), default="text", help="default: text")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (mode 0600), not stdout")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.domain.plan_text import render_plan_text
    from app.domain.protocol import load_protocol
    from app.domain.session_plan import intake_on, plan_for_session
    from app.storage.client_file import escape_terminal_controls
    from app.storage.files import output_file

    with open_repository(args, create=False) as repository:
        client = find_client(repository, args.client)
        record = repository.history(client.id)
        data_folder = repository.path.parent
    session = chosen_session(record.sessions, client.id, args.session)
    plan = plan_for_session(session, record.intakes, load_protocol())
    day = session.start.date()
    intake = intake_on(record.intakes, day)
    clearance = intake is not None and intake.clearance is not None and intake.clearance.valid_on(day)
    if args.format == "pdf":
        data = _pdf(plan.to_json(), client.name, session, clearance)
    elif args.format == "json":
        data = (escape_terminal_controls(json.dumps(plan.to_json(), ensure_ascii=False, indent=2)) + "\n").encode()
    else:
        # A plan given earlier is stored as it was, from a client file too: its text must not drive the terminal.
        text = render_plan_text(plan, clearance_on_record=clearance)
        data = "\n".join(printable(line) for line in text.split("\n")).encode("utf-8")
    if args.output is None:
        if args.format == "pdf" and sys.stdout.isatty():
            raise BackmapError("a PDF is not for the terminal: add -o FILE")
        sys.stdout.buffer.write(data)
        return 0
    with output_file(args.output, data_folder, replace=args.force) as temporary:
        temporary.write_bytes(data)
    return 0


def _pdf(plan: dict[str, Any], name: str, session: Session, clearance_on_record: bool) -> bytes:
    # Qt only for this format: text and JSON stay fast and need no display libraries.
    from app.domain.plan_wording import make_handout
    from app.ui.plan_view.plan_pdf import ensure_application, handout_pdf_bytes
    from app.ui.settings import AppSettings

    ensure_application()
    settings = AppSettings()
    handout = make_handout(
        plan,
        client_first_name=name.split()[0],
        date=session.start.date(),
        shared_note=session.shared_note,
        practice=settings.practice(),
    )
    pdf: bytes = handout_pdf_bytes(handout, page_size=settings.page_size(), clearance_on_record=clearance_on_record)
    return pdf
