"""Storage failures the user can act on; each message names the file or record and what to do."""

from __future__ import annotations

from app.errors import BackmapError


class StorageError(BackmapError):
    """The database could not be read or written; nothing was changed."""


class ReadOnlyError(StorageError):
    """A write to a database that was opened read-only (newer schema, read-only file)."""


class DamagedDatabaseError(StorageError):
    """The database file is damaged; it was left as found, and the message says how to restore a backup."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail  # what SQLite found, e.g. "database disk image is malformed"


class StaleWriteError(StorageError):
    """A write based on an older version of a record than the one stored: someone else changed it meanwhile."""


class SessionLockedError(StorageError):
    """A plain edit of a finalised session: changes to it must be dated amendments."""


class NotFoundError(StorageError):
    """No client or session with the id (or name) given."""


class ConsentRequiredError(BackmapError):
    """A session for a client whose consent is not recorded (privacy rule: consent comes first)."""


class ClientFileError(BackmapError):
    """A client file that cannot be imported; `path` names the field (e.g. sessions[0].marks[2].tension)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
