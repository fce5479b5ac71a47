"""What the record commands share: opening the repository of --data-dir, choosing a session."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.errors import BackmapError

if TYPE_CHECKING:
    from app.domain.records import Session
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


def chosen_session(sessions: Sequence[Session], client_id: str, wanted: str) -> Session:
    """The session `--session` names: its id, or "latest"; BackmapError when there is none."""
    if not sessions:
        raise BackmapError(f"client {client_id} has no sessions yet")
    session_id = sessions[-1].id if wanted == "latest" else wanted
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        raise BackmapError(f"--session: client {client_id} has no session {wanted!r}")
    return session
