"""`backmap import FILE... [--replace]`: client files in, all or nothing; prints the client ids."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.common import open_repository
from app.errors import BackmapError

if TYPE_CHECKING:
    from app.domain.records import ClientRecord


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import client files (all are checked before any is stored)",
        description="Import client files (format version 1). All files are checked before any is stored, "
        "and they are stored in one transaction: all or nothing. Prints the client ids.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a client file (JSON)")
    parser.add_argument("--replace", action="store_true", help="overwrite clients whose id is already here")
    parser.set_defaults(func=run)


def read_client_file(path: Path) -> ClientRecord:
    from app.storage.client_file import read_file

    try:
        return read_file(path)
    except BackmapError as error:
        raise BackmapError(f"{path}: {error}") from None


def run(args: argparse.Namespace) -> int:
    from app.storage.importing import RecordRefusedError

    records = [read_client_file(path) for path in args.files]
    with open_repository(args) as repository:
        try:
            ids = repository.import_records(records, replace=args.replace)
        except RecordRefusedError as error:
            raise BackmapError(f"{args.files[error.index]}: {error}") from None
    for client_id in ids:
        print(client_id)
    return 0
