"""Hears the clinic server's announcements of changes on a thread of its own (the wait blocks), and says when the
connection is lost and when it is back. Its signals reach the GUI thread queued."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from app.errors import BackmapError
from app.storage.postgres.store import ChangeFeed, ConnectionLostError

WAIT_S = 0.5  # how long one wait lasts: stop() returns within it
RETRY_S = 2.0  # between attempts to log in again while the server is away


class ChangeListener(QObject):
    changed = Signal(str, int)  # the client's id, the server process that wrote the change
    lost = Signal(str)  # why (one line); nothing can be saved until `back`
    back = Signal()  # listening again: what changed meanwhile was not heard, so read everything afresh

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = feed
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="clinic server changes", daemon=True)

    @property
    def listening(self) -> bool:
        """Logged in and listening: from now on a change by anyone is heard."""
        return self._listening.is_set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ends the wait and logs out (within WAIT_S); no signal comes after it."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _listen(self) -> None:
        listening, was_lost = False, False
        while not self._stopping.is_set():
            if not listening:
                try:
                    self._feed.open()
                except BackmapError as error:
                    if not was_lost:
                        self.lost.emit(str(error))
                    was_lost = True
                    self._stopping.wait(RETRY_S)
                    continue
                listening = True
                self._listening.set()
                if was_lost:
                    was_lost = False
                    self.back.emit()
            try:
                for change in self._feed.changes(WAIT_S):
                    self.changed.emit(change.client_id, change.by_backend)
            except ConnectionLostError as error:
                listening, was_lost = False, True
                self._listening.clear()
                self.lost.emit(str(error))
        self._listening.clear()
        self._feed.close()
