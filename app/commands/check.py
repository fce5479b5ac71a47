"""`backmap check`: PRAGMA integrity_check of the whole database, on a connection that cannot change it."""

from __future__ import annotations

import argparse
from typing import Any

from app.errors import BackmapError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the records for damage (reads the whole database; changes nothing)",
        description="Read the whole database with PRAGMA integrity_check, without changing it or its -wal and "
        "-shm files. Exits 1 with what to do if it is damaged.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.commands.unlocking import unlock
    from app.storage.backup import damaged
    from app.storage.database import DB_FILENAME, check_integrity
    from app.storage.errors import NotFoundError
    from app.storage.location import resolve_data_dir

    if args.database is not None:
        raise BackmapError(
            "`backmap check` reads a local data folder, not a clinic server: the server's administrator checks its "
            "database with the server's tools (pg_amcheck, a test restore of pg_dump: docs/clinic.md)"
        )
    data_dir = resolve_data_dir(args.data_dir)
    path = data_dir / DB_FILENAME
    if not path.exists() or path.stat().st_size == 0:
        raise NotFoundError(f"there are no Backmap records in {data_dir} (no {DB_FILENAME}, or it is empty)")
    problems = check_integrity(path, unlock(args, data_dir))
    if problems:
        raise damaged(path, "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else ""))
    print(f"{path}: no damage found (PRAGMA integrity_check: ok)")
    return 0
