"""What the screen says about a failed action. The storage's messages are written for the command line and name
records by id; a therapist at the window is told what happened and what to do instead, never a raw id or an
ISO timestamp."""

from __future__ import annotations

import re

from app.errors import BackmapError
from app.storage.errors import NotFoundError, SessionLockedError

_UUID = re.compile(r"\s*'?\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b'?", re.IGNORECASE)


def plain_error(error: BackmapError) -> str:
    if isinstance(error, SessionLockedError):
        return (
            "this session is finalised, so it is not changed in place: record the change as a dated amendment "
            "(Session → Amend finalised session)."
        )
    if isinstance(error, NotFoundError):
        return "that record is no longer there (it may have been deleted in another Backmap window)."
    return _UUID.sub("", str(error))
