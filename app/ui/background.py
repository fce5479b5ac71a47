"""Long clinic duties (a backup, an export) off the UI thread, with a progress dialog while they run.

The work runs in a QThread on a store of its own, opened as the window's was (`RecordStore.opener`; for SQLite its
own connection, since a connection stays in the thread that made it), so the window keeps painting. The dialog is
window-modal: nothing else is started meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import BackmapError
from app.storage.record_store import RecordStore

# Shown only when the work takes longer than this, so a quick export does not flash a dialog.
SHOW_AFTER_MS = 300

RecordsWork = Callable[[RecordStore], Any]


class RecordsJob(QThread):
    """`work` on a store of its own, opened as `opened` was; reports `succeeded(result)` or `failed(error)`."""

    succeeded = Signal(object)
    failed = Signal(object)  # the BackmapError

    def __init__(self, opened: RecordStore, work: RecordsWork, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open = opened.opener()  # taken here, on the UI thread; called in the job's thread
        self._work = work

    def run(self) -> None:
        try:
            with self._open() as records:
                result = self._work(records)
        except BackmapError as error:
            self.failed.emit(error)
            return
        self.succeeded.emit(result)


class _Outcome(QObject):
    """Receives the job's result on the UI thread: a QObject living there makes the connections queued (a plain
    function as the slot would run in the job's thread)."""

    def __init__(self, done: Callable[[Any], None], failed: Callable[[BackmapError], None], parent: QObject) -> None:
        super().__init__(parent)
        self._done = done
        self._failed = failed

    @Slot(object)
    def succeeded(self, result: object) -> None:
        self._done(result)

    @Slot(object)
    def failed(self, error: BackmapError) -> None:
        self._failed(error)


def run_with_progress(
    parent: QWidget,
    label: str,
    opened: RecordStore,
    work: RecordsWork,
    done: Callable[[Any], None],
    failed: Callable[[BackmapError], None],
) -> RecordsJob:
    """Starts `work` in the background with a busy dialog saying `label`; `done` or `failed` runs on the UI thread."""
    progress = QProgressDialog(label, "", 0, 0, parent)  # 0..0: busy, it cannot say how far along it is
    progress.setCancelButton(None)  # a half-written backup or export is never kept, but it cannot be stopped
    progress.setWindowTitle("Backmap")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(SHOW_AFTER_MS)
    job = RecordsJob(opened, work, parent)
    outcome = _Outcome(done, failed, job)
    # The dialog closes first, so it is gone by the time `done` or `failed` says how the work went.
    job.succeeded.connect(progress.reset)
    job.failed.connect(progress.reset)
    job.succeeded.connect(outcome.succeeded)
    job.failed.connect(outcome.failed)
    job.finished.connect(progress.reset)  # also after an error no one foresaw, which emits neither
    job.finished.connect(progress.deleteLater)
    job.finished.connect(job.deleteLater)
    job.start()
    return job
