"""`backmap backup [-o FILE]`: a checked copy of the database (online backup API, integrity_check, 0600)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands.common import open_repository, printable
from app.errors import BackmapError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="back up the records to a timestamped file in <data folder>/backups",
        description="Copy the database to a timestamped file in <data folder>/backups (or FILE), check it "
        "with PRAGMA integrity_check, and record the backup in the audit log. Prints the backup's path.",
    )
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the backup to FILE instead")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_repository(args, create=False) as repository:
        folder = repository.local_folder
        if folder is None:
            raise BackmapError("these records are not kept in a local data folder: back them up where they are kept")
        made = folder.backup(args.output, replace=args.force)
    print(printable(str(made)))
    return 0
