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
    from app.domain.practice import PracticeSettings
    from app.domain.session_plan import SessionHandout


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
    from app.domain.practice import PracticeSettings
    from app.domain.protocol import load_protocol
    from app.domain.session_plan import handout_for
    from app.storage.client_file import escape_terminal_controls

    chosen = read_chosen_session(args)
    # Only the PDF prints the practice's details: text and JSON read no settings (and need no Qt).
    practice = _practice() if args.format == "pdf" else PracticeSettings()
    shown = handout_for(chosen.client, chosen.session, chosen.record.intakes, load_protocol(), practice=practice)
    if args.format == "pdf":
        data = _pdf(shown)
    elif args.format == "json":
        data = (
            escape_terminal_controls(json.dumps(shown.plan.to_json(), ensure_ascii=False, indent=2)) + "\n"
        ).encode()
    else:
        # A plan given earlier is stored as it was, from a client file too: its text must not drive the terminal.
        text = render_plan_text(shown.plan, clearance_on_record=shown.clearance_on_record)
        data = "\n".join(printable(line) for line in text.split("\n")).encode("utf-8")
    write_output(args, data, chosen.data_folder, binary=args.format == "pdf")
    return 0


def _practice() -> PracticeSettings:
    # Qt only for the PDF: text and JSON stay fast and need no display libraries.
    from app.ui.plan_view.plan_pdf import ensure_application
    from app.ui.settings import AppSettings

    ensure_application()
    return AppSettings().practice()


def _pdf(shown: SessionHandout) -> bytes:
    from app.ui.plan_view.plan_pdf import handout_pdf_bytes
    from app.ui.settings import AppSettings

    page_size = AppSettings().page_size()
    pdf: bytes = handout_pdf_bytes(shown.handout, page_size=page_size, clearance_on_record=shown.clearance_on_record)
    return pdf
