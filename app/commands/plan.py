"""`backmap plan CLIENT [--session ID|latest] [--format text|json|pdf] [-o FILE]`: a session's plan, headless."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    add_output_arguments,
    add_session_arguments,
    printable,
    read_chosen_session,
    write_output,
)

if TYPE_CHECKING:
    from app.domain.records import Session


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="print or write a session's plan (text, JSON or the client's PDF)",
        description="The plan of one session: the plan as given if it was recorded, otherwise built from the "
        "session's marks and the screening in force that day. Therapist-only notes never appear in it.",
    )
    add_session_arguments(parser)
    parser.add_argument("--format", choices=("text", "json", "pdf"), default="text", help="default: text")
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.domain.plan_text import render_plan_text
    from app.domain.protocol import load_protocol
    from app.domain.session_plan import intake_on, plan_for_session
    from app.storage.client_file import escape_terminal_controls

    chosen = read_chosen_session(args)
    session, intakes = chosen.session, chosen.record.intakes
    plan = plan_for_session(session, intakes, load_protocol())
    day = session.start.date()
    intake = intake_on(intakes, day)
    clearance = intake is not None and intake.clearance is not None and intake.clearance.valid_on(day)
    if args.format == "pdf":
        data = _pdf(plan.to_json(), chosen.client.name, session, clearance)
    elif args.format == "json":
        data = (escape_terminal_controls(json.dumps(plan.to_json(), ensure_ascii=False, indent=2)) + "\n").encode()
    else:
        # A plan given earlier is stored as it was, from a client file too: its text must not drive the terminal.
        text = render_plan_text(plan, clearance_on_record=clearance)
        data = "\n".join(printable(line) for line in text.split("\n")).encode("utf-8")
    write_output(args, data, chosen.data_folder, binary=args.format == "pdf")
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
