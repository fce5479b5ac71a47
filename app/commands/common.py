"""What the record commands share: opening the repository of --data-dir."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.repository import Repository


def open_repository(args: argparse.Namespace, *, create: bool = True) -> Repository:
    """The records of --data-dir (else $BACKMAP_DATA_DIR, else the user data folder)."""
    from app.storage.location import resolve_data_dir
    from app.storage.repository import Repository

    return Repository.open(resolve_data_dir(args.data_dir), create=create)
