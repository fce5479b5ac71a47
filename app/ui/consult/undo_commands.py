"""Undo for the consult: every edit is written first; the command is pushed only after the write succeeded.

A command carries two closures that write the "before" and "after" state through the repository. Its first
redo() (which QUndoStack.push calls) writes nothing, because the edit is already on disk. A write that fails
on undo or redo is reported and the screen is reloaded from the disk, so it never shows what is not saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from PySide6.QtGui import QUndoCommand

from app.errors import BackmapError

MERGE_WINDOW_S = 1.5  # a slider drag or a burst of typing in one field becomes a single undo step
_MERGE_ID = 4217


class WrittenEdit(QUndoCommand):
    def __init__(
        self,
        text: str,
        write_before: Callable[[], None],
        write_after: Callable[[], None],
        on_error: Callable[[BackmapError], None],
        merge_key: Hashable | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(text)
        self._write_before = write_before
        self._write_after = write_after
        self._on_error = on_error
        self._merge_key = merge_key
        self._clock = clock
        self._at = clock()
        self._already_written = True

    def id(self) -> int:
        return _MERGE_ID if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, WrittenEdit) or other._merge_key != self._merge_key:
            return False
        if other._at - self._at > MERGE_WINDOW_S:
            return False
        self._write_after = other._write_after
        self._at = other._at
        return True

    def redo(self) -> None:
        if self._already_written:
            self._already_written = False
            return
        self._run(self._write_after)

    def undo(self) -> None:
        self._run(self._write_before)

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BackmapError as error:
            self._on_error(error)
