"""`backmap delete CLIENT --yes`: erase a client for good (right to erasure); lists backups that still hold them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.common import find_client, open_repository, printable


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "delete",
        help="erase a client and everything about them, for good",
        description="Erase every record of one client (intakes, sessions, notes, plans) from the database, "
        "overwriting the freed space. The audit log keeps that it happened, by client id only. Backups made "
        "before still hold the client: they are listed, for you to deal with.",
    )
    parser.add_argument("client", metavar="CLIENT", help="the client's id (or their whole name, any case)")
    parser.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.yes:
        print("backmap: deleting a client cannot be undone; add --yes to confirm", file=sys.stderr)
        return 2
    with open_repository(args, create=False) as repository:
        client = find_client(repository, args.client)
        erasure = repository.delete_client(client.id)
    print(f"deleted client {erasure.client_id}")
    if erasure.traces_left:
        print(erasure.traces_left)
    if erasure.backups_holding_client:
        print("these backups still hold the client (delete or re-create them to complete the erasure):")
        for path in erasure.backups_holding_client:
            missing = "" if path.exists() else "  (not found now: on a disk that is not connected?)"
            print(f"  {printable(str(path))}{missing}")
    return 0
