"""`backmap restore BACKUP`: a checked backup in place of the database, which is kept aside with a dated suffix."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="put a backup in place of the records (the current files are kept aside)",
        description="Check BACKUP (PRAGMA integrity_check), then rename the current database and its -wal and "
        "-shm files aside with a dated suffix (they are not opened, so they stay as found) and put a copy of "
        "BACKUP in its place. Refused while the desktop app has these records open.",
    )
    parser.add_argument("backup", type=Path, metavar="BACKUP", help="the backup file (e.g. from <data>/backups)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.commands.unlocking import unlock
    from app.errors import BackmapError
    from app.storage.location import resolve_data_dir
    from app.storage.restore import restore_backup
    from app.ui.single_instance import InstanceLock

    data_dir = resolve_data_dir(args.data_dir)
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise BackmapError(f"Backmap is open on {data_dir} ({lock.holder()}): close it, then restore")
    try:
        restored = restore_backup(data_dir, args.backup.expanduser().resolve(), unlock(args, data_dir))
    finally:
        lock.release()
    print(f"restored {args.backup} as {restored.database}")
    for path in restored.set_aside:
        print(f"kept aside: {path}")
    return 0
