"""What the record commands share: opening the repository of --data-dir."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.repository import Repository


def open_repository(args: argparse.Namespace, *, create: bool = True) -> Repository:
    """The records of --data-dir (else $BACKMAP_DATA_DIR, else the user data folder); says once on stderr
    why they are read-only, if they are, and any warning about them."""
    from app.storage.location import resolve_data_dir
    from app.storage.repository import Repository

    repository = Repository.open(resolve_data_dir(args.data_dir), create=create)
    for notice in (repository.read_only_reason, *repository.open_warnings):
        if notice:
            print(f"backmap: note: {notice}", file=sys.stderr)
    return repository
