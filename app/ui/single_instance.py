"""One desktop app per data folder: two windows on the same records would silently undo each other's changes.

The first Backmap holds a lock file beside the database (QLockFile: its process id and host inside; a lock
whose process has died is taken over) and, once its window is up, listens on a local socket named after the
folder. A second start sends "raise" there; when the first answers, its window comes forward and the second
ends. When it does not answer (hung, or on another computer sharing the folder), the second opens the records
read-only and says why. QtNetwork is loaded only when a socket is needed, never before the first paint.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCryptographicHash, QDeadlineTimer, QLockFile, QObject, QThread, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

LOCK_NAME = "backmap.lock"
RAISE = b"raise\n"
RAISED = b"raised\n"
ANSWER_WAIT_MS = 3000  # the first window may still be starting: its socket opens after its first paint


def server_name(data_dir: Path) -> str:
    """The local socket's name: one per user and data folder (Qt's own SHA-256: hashlib would load OpenSSL, ~3 MiB
    resident, for this one name)."""
    owner = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = QCryptographicHash.hash(f"{owner}:{data_dir.resolve()}".encode(), QCryptographicHash.Algorithm.Sha256)
    return "backmap-" + bytes(digest.toHex().data()).decode()[:16]


class InstanceLock:
    """The lock file beside the database of `data_dir`; also taken by `backmap restore`."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._file = QLockFile(str(data_dir / LOCK_NAME))
        self._file.setStaleLockTime(0)  # stale only when its process is gone, however old

    def acquire(self) -> bool:
        """True when this process now holds it (or it cannot exist: a read-only folder has no writer to fear)."""
        if not self._data_dir.exists():
            from app.storage.location import ensure_private_dir

            try:
                ensure_private_dir(self._data_dir)
            except OSError:
                return True  # the records' own opening will say what is wrong with the folder
        if self._file.tryLock(0):
            return True
        return self._file.error() != QLockFile.LockError.LockFailedError

    def holder(self) -> str:
        """Who holds it, in words (for messages)."""
        pid, host, _app = self._file.getLockInfo()
        return f"process {pid} on {host}" if pid else "another process"

    def release(self) -> None:
        self._file.unlock()


class RaiseListener(QObject):
    """The first Backmap's end of the socket: `raiseRequested` when a second start asks."""

    raiseRequested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = server_name(data_dir)
        self._server: QLocalServer | None = None

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self._name)  # left by a Backmap that died; we hold the lock, so it is stale
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._answer_all)
        self._server = server
        return server.listen(self._name)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()

    def _answer_all(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._answer)
            socket.disconnected.connect(socket.deleteLater)

    def _answer(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        socket = self.sender()
        assert isinstance(socket, QLocalSocket)
        if bytes(socket.readAll().data()).startswith(RAISE):
            self.raiseRequested.emit()
            socket.write(RAISED)
            socket.flush()
        socket.disconnectFromServer()


def ask_first_to_raise(data_dir: Path, wait_ms: int = ANSWER_WAIT_MS) -> bool:
    """True when the Backmap holding `data_dir` answered and brought its window forward."""
    from PySide6.QtNetwork import QLocalSocket

    deadline = QDeadlineTimer(wait_ms)
    socket = QLocalSocket()
    while True:
        socket.connectToServer(server_name(data_dir))
        if socket.waitForConnected(min(250, max(deadline.remainingTime(), 0))):
            break
        if deadline.hasExpired():
            return False
        QThread.msleep(100)  # not listening yet: the first window is still painting its frame
    socket.write(RAISE)
    answered = socket.waitForBytesWritten(max(deadline.remainingTime(), 0)) and socket.waitForReadyRead(
        max(deadline.remainingTime(), 0)
    )
    raised = answered and bytes(socket.readAll().data()).startswith(RAISED)
    socket.abort()
    return raised
