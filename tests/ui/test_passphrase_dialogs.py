"""The desktop app's start on plain and on encrypted records: set-up (or putting it off), the recovery key shown
once, and the passphrase typed, wrong then right."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.storage.database import DB_FILENAME
from app.storage.driver import is_plain_file
from app.storage.keys import unlock_with_recovery_key
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_application
from app.ui.encryption.controller import UnlockCancelled
from app.ui.encryption.dialogs import RecoveryKeyDialog, SetUpDialog, UnlockDialog, key_at_start
from tests.e2e.consult_driver import ini_settings
from tests.storage.privacy_records import fill_client, found_in_bytes
from tests.ui.answers import Answers

PASSPHRASE = "correct horse battery staple"


def typing_into_set_up(monkeypatch: pytest.MonkeyPatch, first: str, again: str) -> None:
    def answer(dialog: SetUpDialog) -> int:
        dialog.passphrase.setText(first)
        dialog.repeated.setText(again)
        dialog._check()
        return dialog.result()

    monkeypatch.setattr(SetUpDialog, "exec", answer)


def test_the_first_start_encrypts_plain_records_and_shows_the_recovery_key_once(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_application([])
    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "S")
    shown: list[str] = []

    def read_out(dialog: RecoveryKeyDialog) -> int:
        shown.append(dialog.recovery_key)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(RecoveryKeyDialog, "exec", read_out)
    typing_into_set_up(monkeypatch, PASSPHRASE, PASSPHRASE)
    key = key_at_start(data_dir, ini_settings(tmp_path), None)
    assert key is not None
    assert len(shown) == 1
    assert unlock_with_recovery_key(data_dir, shown[0]) == key
    assert not is_plain_file(data_dir / DB_FILENAME)
    assert found_in_bytes([p for p in data_dir.rglob("*") if p.is_file()], filled.markers) == {}

    typed = iter(["not it at all", PASSPHRASE])
    messages: list[str] = []

    def type_twice(dialog: UnlockDialog) -> int:
        for attempt in typed:
            qtbot.waitUntil(dialog.unlock_button.isEnabled)  # the pause after a wrong try ends first
            dialog.passphrase.setText(attempt)
            dialog.try_unlock()
            messages.append(dialog.message.text())
        return dialog.result()

    monkeypatch.setattr(UnlockDialog, "exec", type_twice)
    assert key_at_start(data_dir, ini_settings(tmp_path), None) == key
    assert "does not unlock" in messages[0]
    assert "Try again in 1 s" in messages[0]


def test_two_different_passphrases_are_refused(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    create_application([])
    dialog = SetUpDialog()
    qtbot.addWidget(dialog)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeated.setText(PASSPHRASE + "!")
    dialog._check()
    assert dialog.result() != QDialog.DialogCode.Accepted.value
    assert "differ" in dialog.problem.text()


def test_putting_it_off_is_remembered_and_the_records_stay_plain(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_application([])
    settings = ini_settings(tmp_path)
    monkeypatch.setattr(SetUpDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected.value)
    assert key_at_start(data_dir, settings, None) is None
    assert settings.encryption_put_off()

    def never(_dialog: SetUpDialog) -> int:
        raise AssertionError("asked again after it was put off")

    monkeypatch.setattr(SetUpDialog, "exec", never)
    assert key_at_start(data_dir, settings, None) is None


def test_closing_the_passphrase_dialog_keeps_the_records_closed(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.storage.encryption import set_up_new_folder

    create_application([])
    set_up_new_folder(data_dir, PASSPHRASE)
    monkeypatch.setattr(UnlockDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected.value)
    with pytest.raises(UnlockCancelled):
        key_at_start(data_dir, ini_settings(tmp_path), None)


def test_encrypting_from_the_file_menu_closes_the_records_first_and_then_the_app(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:
    from app.ui.application import create_main_window

    create_application([])
    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "M")
    window = create_main_window(data_dir, demo=False, settings=ini_settings(tmp_path))
    qtbot.addWidget(window)
    typing_into_set_up(monkeypatch, PASSPHRASE, PASSPHRASE)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda _dialog: QDialog.DialogCode.Accepted.value)
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    encrypt = next(action for action in window.menus["File"].actions() if action.text() == "Encrypt records…")
    encrypt.trigger()
    assert quits == [True]
    assert "start it again" in answers.texts()
    assert found_in_bytes([p for p in data_dir.rglob("*") if p.is_file()], filled.markers) == {}


def test_changing_the_passphrase_from_the_window(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:
    from app.storage.encryption import set_up_new_folder
    from app.storage.keys import unlock_with_passphrase
    from app.ui.application import create_main_window

    create_application([])
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    window = create_main_window(data_dir, demo=False, settings=ini_settings(tmp_path), key=key)
    qtbot.addWidget(window)

    def type_current(dialog: UnlockDialog) -> int:
        dialog.passphrase.setText(PASSPHRASE)
        dialog.try_unlock()
        return dialog.result()

    monkeypatch.setattr(UnlockDialog, "exec", type_current)
    typing_into_set_up(monkeypatch, "a brand new passphrase", "a brand new passphrase")
    change = next(action for action in window.menus["File"].actions() if action.text() == "Change passphrase…")
    change.trigger()
    assert unlock_with_passphrase(data_dir, "a brand new passphrase") == key
    assert "recovery key stays the same" in answers.texts()
