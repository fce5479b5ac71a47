"""The desktop app started on encrypted records, end to end through run_app: the therapist is asked for the
passphrase before any client shows; a wrong one is refused plainly, slowed and writes nothing; the right one,
the recovery key, or the keyring's copy opens the client list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.core
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.storage.database import check_integrity
from app.storage.encryption import set_up_new_folder
from app.storage.keys import keep_in_keyring, unlock_with_recovery_key
from app.storage.local_folder import LocalDataFolder
from app.storage.sqlite_store import SqliteStore
from app.ui import application
from app.ui.application import create_application, run_app
from app.ui.encryption.dialogs import UnlockDialog
from app.ui.main_window import MainWindow
from tests.memory_keyring import MemoryKeyring
from tests.storage.faults import fingerprint
from tests.storage.privacy_records import FilledClient, fill_client, found_in_bytes
from tests.ui.answers import Answers

PASSPHRASE = "correct horse battery staple"
STEP_MS = 20


@pytest.fixture
def encrypted_records(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FilledClient, str]:
    """A client in encrypted records, closed; and the recovery key shown when they were set up."""
    # The crash dialog stands in for pytest-qt's own report of an error in a callback: not here.
    monkeypatch.setattr(application, "install_crash_handler", lambda: None)
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    with SqliteStore.open(data_dir, key=keys.key) as repository:
        filled = fill_client(repository, "U")
    return filled, keys.recovery_key


_WATCHING: list[QTimer] = []  # stopped after each test, so that none acts in the next one


def when(ready: Callable[[], object], then: Callable[[], None]) -> None:
    """Runs `then` in the event loop once `ready()` holds (the app's own loops run meanwhile)."""
    watch = QTimer()
    watch.setInterval(STEP_MS)

    def poll() -> None:
        if ready():
            watch.stop()
            then()

    watch.timeout.connect(poll)
    watch.start()
    _WATCHING.append(watch)


def unlock_dialog() -> UnlockDialog | None:
    shown = QApplication.activeModalWidget()
    return shown if isinstance(shown, UnlockDialog) else None


def started_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible() and widget._workspace is not None:
            return widget
    return None


@pytest.fixture
def background_checks(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What each integrity check found (the one the window starts in the background after opening)."""
    found: list[list[str]] = []

    def noted(folder: LocalDataFolder) -> list[str]:
        problems = check_integrity(folder.database_path, folder.key)
        found.append(problems)
        return problems

    monkeypatch.setattr(LocalDataFolder, "check_integrity", noted)
    return found


def read_client_list_then_close(seen: dict[str, object], checks: list[list[str]]) -> None:
    """Once the window is up and its background check done: what its client list shows, whether the records
    are writable; then the therapist closes Backmap (its last window)."""

    def read() -> None:
        window = started_window()
        assert window is not None
        QApplication.processEvents()  # the check's result, queued to the window
        model = window.workspace.clients.model
        seen["client list"] = [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]
        seen["read-only"] = window.workspace.repository.read_only_reason
        window.close()

    when(lambda: started_window() is not None and checks, read)


@pytest.fixture
def app() -> Iterator[QApplication]:
    started = create_application([])
    bound = QTimer()
    bound.setSingleShot(True)
    bound.timeout.connect(QApplication.quit)
    bound.start(60_000)  # a bound on a hung run, not a measurement
    yield started
    bound.stop()
    for watch in _WATCHING:
        watch.stop()
    _WATCHING.clear()
    for widget in QApplication.topLevelWidgets():  # run_app's window and dialogs: none lives on into the next test
        widget.close()
        widget.deleteLater()
    QCoreApplication.removePostedEvents(started, QEvent.Type.Quit)  # the last window's, for this test's loop
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_wrong_passphrase_is_refused_slowed_and_writes_nothing_then_the_right_one_shows_the_clients(
    qtbot: QtBot,
    app: QApplication,
    data_dir: Path,
    encrypted_records: tuple[FilledClient, str],
    answers: Answers,
    background_checks: list[list[str]],
) -> None:
    filled, _recovery_key = encrypted_records
    seen: dict[str, object] = {}

    def type_a_wrong_passphrase() -> None:
        dialog = unlock_dialog()
        assert dialog is not None
        seen["asked"] = dialog.message.text()
        seen["windows while asked"] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        before = fingerprint(data_dir)
        dialog.passphrase.setText("tomorrow's passphrase")
        dialog.unlock_button.click()
        seen["refused"] = dialog.message.text()
        seen["unlock enabled at once"] = dialog.unlock_button.isEnabled()
        seen["written by the wrong try"] = {
            name: digest for name, digest in fingerprint(data_dir).items() if before.get(name) != digest
        }
        when(dialog.unlock_button.isEnabled, type_the_passphrase)

    def type_the_passphrase() -> None:
        dialog = unlock_dialog()
        assert dialog is not None
        dialog.passphrase.setText(PASSPHRASE)
        dialog.unlock_button.click()
        read_client_list_then_close(seen, background_checks)

    when(unlock_dialog, type_a_wrong_passphrase)
    assert run_app(data_dir, demo=False) == 0

    assert "encrypted" in str(seen["asked"])
    assert seen["windows while asked"] == []  # nothing of the records is on screen before the passphrase
    assert "does not unlock these records" in str(seen["refused"])
    assert "Try again in 1 s" in str(seen["refused"])
    assert seen["unlock enabled at once"] is False
    assert seen["written by the wrong try"] == {}
    assert any(filled.name in text for text in seen["client list"])  # type: ignore[attr-defined]
    assert background_checks == [[]]  # read with the key: no damage where there is none
    assert seen["read-only"] is None
    assert answers.shown == []
    settings_file = Path(QSettings().fileName())  # the app's own settings, written as the window closed
    assert settings_file.is_file()
    assert found_in_bytes([settings_file, *(p for p in data_dir.rglob("*") if p.is_file())], filled.markers) == {}


def test_the_recovery_key_opens_the_records_when_the_passphrase_is_lost(
    qtbot: QtBot,
    app: QApplication,
    data_dir: Path,
    encrypted_records: tuple[FilledClient, str],
    background_checks: list[list[str]],
) -> None:
    filled, recovery_key = encrypted_records
    seen: dict[str, object] = {}

    def type_the_recovery_key() -> None:
        dialog = unlock_dialog()
        assert dialog is not None
        dialog.use_recovery_key.setChecked(True)
        dialog.passphrase.setText(recovery_key.lower())  # as copied from the printout, in any case
        dialog.unlock_button.click()
        read_client_list_then_close(seen, background_checks)

    when(unlock_dialog, type_the_recovery_key)
    assert run_app(data_dir, demo=False) == 0
    assert any(filled.name in text for text in seen["client list"])  # type: ignore[attr-defined]


def test_the_keyrings_copy_opens_the_records_without_asking(
    qtbot: QtBot,
    app: QApplication,
    data_dir: Path,
    encrypted_records: tuple[FilledClient, str],
    monkeypatch: pytest.MonkeyPatch,
    background_checks: list[list[str]],
) -> None:
    filled, recovery_key = encrypted_records
    # The stand-in replaces the keyring for this test only; the system's is never asked, not even which it is.
    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())
    keep_in_keyring(data_dir, unlock_with_recovery_key(data_dir, recovery_key))

    def never(_dialog: UnlockDialog) -> int:
        raise AssertionError("asked for the passphrase although the keyring keeps the key")

    monkeypatch.setattr(UnlockDialog, "exec", never)
    seen: dict[str, object] = {}
    read_client_list_then_close(seen, background_checks)
    assert run_app(data_dir, demo=False) == 0
    assert any(filled.name in text for text in seen["client list"])  # type: ignore[attr-defined]


def test_closing_the_passphrase_dialog_at_start_opens_nothing_and_writes_nothing(
    qtbot: QtBot, app: QApplication, data_dir: Path, encrypted_records: tuple[FilledClient, str]
) -> None:
    filled, _recovery_key = encrypted_records
    before = fingerprint(data_dir)

    def close_it() -> None:
        dialog = unlock_dialog()
        assert dialog is not None
        dialog.reject()

    when(unlock_dialog, close_it)
    assert run_app(data_dir, demo=False) == 0
    assert not any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
    assert fingerprint(data_dir) == before
    assert found_in_bytes([p for p in data_dir.rglob("*") if p.is_file()], filled.markers) == {}


def test_the_unlock_dialog_keeps_its_pause_after_a_wrong_try(qtbot: QtBot, app: QApplication, data_dir: Path) -> None:
    set_up_new_folder(data_dir, PASSPHRASE)
    dialog = UnlockDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "a guess")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "Try again in 1 s" in dialog.message.text()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)  # during the pause: not tried
    dialog.try_unlock()  # nor by any other way in
    assert dialog.result() != QDialog.DialogCode.Accepted.value
    assert dialog.key is None
