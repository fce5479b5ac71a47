"""`backmap export CLIENT [--format json] [-o FILE]`: one client's whole record (right of access)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.common import add_output_arguments, find_client, open_repository


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export one client's whole record as a client file",
        description="Export one client's whole record as a client file (format version 1, or 2 when it needs it). "
        "The export is recorded in the audit log.",
    )
    parser.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
    parser.add_argument("--format", choices=("json",), default="json", help="the file format (default: json)")
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    output: Path | None = args.output
    with open_repository(args, create=False) as repository:
        client = find_client(repository, args.client)
        if output is not None:
            repository.export_client(client.id, output, replace=args.force)
            return 0
        parts = repository.client_file_parts(client.id)
        repository.log_export(client.id, to_file=False)
    sys.stdout.writelines(parts)
    return 0
