"""Importing several clients' records at once, the same on every store: all or nothing, and a refusal names the
record it is about (the command turns that into the file's name)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.records import ClientRecord
from app.errors import BackmapError
from app.storage.errors import DamagedDatabaseError, ReadOnlyError, StorageError


class RecordRefusedError(StorageError):
    """One of the records being imported cannot be stored (its client or a session is already someone else's…);
    `index` says which, so the message can name its file. Nothing was stored."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def import_each(records: Sequence[ClientRecord], import_one: Callable[[ClientRecord], None]) -> list[str]:
    """Calls `import_one` for each record inside the caller's one transaction; returns the client ids."""
    ids = [record.client.id for record in records]
    for index, client_id in enumerate(ids):
        if client_id in ids[:index]:
            raise RecordRefusedError(index, f"client {client_id} is also in an earlier file")
    for index, record in enumerate(records):
        try:
            import_one(record)
        except (ReadOnlyError, DamagedDatabaseError):
            raise  # about the store, not this record
        except BackmapError as error:  # the record's own conflict: its consent, its client or session ids
            raise RecordRefusedError(index, str(error)) from error
    return ids
