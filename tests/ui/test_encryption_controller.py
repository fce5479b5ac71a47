"""The passphrase decisions with a fake view and real records: the set-up offered at start (or put off), the
records encrypted from the window (then Backmap ends), the passphrase changed, the keyring's copy forgotten. No
QApplication: the controller asks and tells only through its view."""

from __future__ import annotations

from pathlib import Path

import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError
from PySide6.QtCore import QSettings

from app.storage.encryption import encrypt_records, set_up_new_folder
from app.storage.errors import StorageError
from app.storage.keys import (
    DatabaseKey,
    is_encrypted,
    keep_in_keyring,
    keyring_key,
    read_key_file,
    unlock_with_passphrase,
    unlock_with_recovery_key,
)
from app.storage.sqlite_store import SqliteStore
from app.ui.encryption import controller
from app.ui.encryption.controller import EncryptionController, NewPassphrase, UnlockCancelled
from app.ui.settings import AppSettings
from tests.memory_keyring import MemoryKeyring
from tests.storage.privacy_records import fill_client, found_in_bytes

PASSPHRASE = "correct horse battery staple"


class FakeView:
    """Stands in for the passphrase dialogs: answers as the test says and logs what was asked and told."""

    def __init__(self) -> None:
        self.log: list[str] = []  # what was asked, shown and done, in order
        self.told: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.new_passphrase: NewPassphrase | None = None
        self.replacement: str | None = None
        self.typed_key: DatabaseKey | None = None
        self.recovery_keys: list[str] = []

    def ask_new_passphrase(self, *, can_put_off: bool) -> NewPassphrase | None:
        self.log.append("new passphrase (can put off)" if can_put_off else "new passphrase")
        return self.new_passphrase

    def ask_replacement_passphrase(self) -> str | None:
        self.log.append("replacement passphrase")
        return self.replacement

    def ask_key(self) -> DatabaseKey | None:
        self.log.append("key")
        return self.typed_key

    def ask_current_key(self) -> DatabaseKey | None:
        self.log.append("current key")
        return self.typed_key

    def show_recovery_key(self, recovery_key: str) -> None:
        self.log.append("recovery key")
        self.recovery_keys.append(recovery_key)

    def show_info(self, text: str) -> None:
        self.told.append(("info", "Backmap", text))

    def show_warning(self, text: str, *, title: str = "Backmap") -> None:
        self.told.append(("warning", title, text))

    def show_error(self, text: str) -> None:
        self.told.append(("error", "Backmap", text))

    def quit(self) -> None:
        self.log.append("quit")


class UnreachableKeyring(KeyringBackend):
    """A system keyring that does not answer (locked, or its service not running)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keyring is locked")


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """The keyring for this test only; the system's is never asked, not even which it is."""
    kept = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", kept)
    return kept


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def view() -> FakeView:
    return FakeView()


@pytest.fixture
def encryption(view: FakeView, data_dir: Path) -> EncryptionController:
    return EncryptionController(view, data_dir)


@pytest.fixture
def plain_records(data_dir: Path) -> dict[str, str]:
    """A client in plain records, closed; the texts that must not be readable once they are encrypted."""
    with SqliteStore.open(data_dir) as repository:
        return fill_client(repository, "E").markers


@pytest.fixture
def encrypted_folder(data_dir: Path) -> DatabaseKey:
    return set_up_new_folder(data_dir, PASSPHRASE).key


def readable_in(data_dir: Path, markers: dict[str, str]) -> dict[str, list[str]]:
    return found_in_bytes([path for path in data_dir.rglob("*") if path.is_file()], markers)


# At start


def test_putting_the_set_up_off_at_start_is_remembered_and_not_asked_again(
    encryption: EncryptionController,
    view: FakeView,
    settings: AppSettings,
    data_dir: Path,
    plain_records: dict[str, str],
) -> None:
    assert encryption.key_at_start(settings) is None
    assert settings.encryption_put_off()
    assert encryption.key_at_start(settings) is None
    assert view.log == ["new passphrase (can put off)"]  # once
    assert not is_encrypted(data_dir)
    assert view.told == []


def test_a_scripted_start_is_not_offered_the_set_up(
    encryption: EncryptionController, view: FakeView, settings: AppSettings
) -> None:
    assert encryption.key_at_start(settings, offer_set_up=False) is None
    assert view.log == []
    assert not settings.encryption_put_off()


def test_the_set_up_at_start_encrypts_the_records_shows_the_recovery_key_once_and_the_keyring_keeps_the_key(
    encryption: EncryptionController,
    view: FakeView,
    settings: AppSettings,
    data_dir: Path,
    plain_records: dict[str, str],
    memory_keyring: MemoryKeyring,
) -> None:
    view.new_passphrase = NewPassphrase(PASSPHRASE, keep_in_keyring=True)
    key = encryption.key_at_start(settings)
    assert key is not None
    assert view.log == ["new passphrase (can put off)", "recovery key"]
    assert unlock_with_recovery_key(data_dir, view.recovery_keys[0]) == key
    assert keyring_key(data_dir) == key
    assert readable_in(data_dir, plain_records) == {}
    assert view.told == []
    assert not settings.encryption_put_off()


def test_a_keyring_that_does_not_keep_the_key_is_a_warning_and_the_records_are_encrypted_all_the_same(
    encryption: EncryptionController,
    view: FakeView,
    settings: AppSettings,
    data_dir: Path,
    plain_records: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", UnreachableKeyring())
    view.new_passphrase = NewPassphrase(PASSPHRASE, keep_in_keyring=True)
    key = encryption.key_at_start(settings)
    assert key is not None
    assert unlock_with_passphrase(data_dir, PASSPHRASE) == key
    [(kind, title, text)] = view.told
    assert (kind, title) == ("warning", "Backmap")
    assert "did not keep the key" in text
    assert "type the passphrase instead" in text
    assert read_key_file(data_dir).keyring_copy is False


def test_a_plain_backup_made_elsewhere_is_reported_after_the_set_up(
    encryption: EncryptionController, view: FakeView, settings: AppSettings, data_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "usb" / "backmap.sqlite3"
    outside.parent.mkdir()
    with SqliteStore.open(data_dir) as repository:
        fill_client(repository, "U")
        repository.local_folder.backup(outside)
    view.new_passphrase = NewPassphrase(PASSPHRASE, keep_in_keyring=False)
    assert encryption.key_at_start(settings) is not None
    assert view.told == [
        ("warning", "Plain copies remain", f"The backup {outside} outside the data folder still holds plain records.")
    ]


def test_encrypted_records_are_opened_with_the_typed_key_and_stay_closed_without_it(
    encryption: EncryptionController,
    view: FakeView,
    settings: AppSettings,
    data_dir: Path,
    encrypted_folder: DatabaseKey,
) -> None:
    with pytest.raises(UnlockCancelled):
        encryption.key_at_start(settings)
    view.typed_key = unlock_with_passphrase(data_dir, PASSPHRASE)
    assert encryption.key_at_start(settings) == encrypted_folder
    assert view.log == ["key", "key"]  # never the set-up


# Encrypt records… from the window


def test_encrypting_from_the_window_closes_the_records_first_then_tells_and_quits(
    encryption: EncryptionController, view: FakeView, data_dir: Path, plain_records: dict[str, str]
) -> None:
    view.new_passphrase = NewPassphrase(PASSPHRASE, keep_in_keyring=False)
    encryption.encrypt_now(lambda: view.log.append("records closed"))
    assert view.log == ["new passphrase", "records closed", "recovery key", "quit"]
    assert view.told == [("info", "Backmap", "The records are encrypted. Backmap closes now: start it again.")]
    assert unlock_with_recovery_key(data_dir, view.recovery_keys[0]) == unlock_with_passphrase(data_dir, PASSPHRASE)
    assert readable_in(data_dir, plain_records) == {}


def test_an_encryption_that_fails_is_told_and_backmap_closes_all_the_same(
    encryption: EncryptionController, view: FakeView, data_dir: Path, plain_records: dict[str, str]
) -> None:
    encrypt_records(data_dir, "set meanwhile from the command line")  # backmap key encrypt, the window open
    view.new_passphrase = NewPassphrase(PASSPHRASE, keep_in_keyring=False)
    encryption.encrypt_now(lambda: view.log.append("records closed"))
    assert view.log == ["new passphrase", "records closed", "quit"]  # the records were closed: nothing to go on with
    [(kind, _title, text)] = view.told
    assert kind == "error"
    assert text.startswith("The records were not encrypted: ")
    assert "already encrypted" in text
    assert text.endswith("Backmap closes now.")


def test_cancelling_the_encryption_leaves_the_records_open_and_plain(
    encryption: EncryptionController, view: FakeView, data_dir: Path, plain_records: dict[str, str]
) -> None:
    encryption.encrypt_now(lambda: view.log.append("records closed"))
    assert view.log == ["new passphrase"]
    assert view.told == []
    assert not is_encrypted(data_dir)


# Change passphrase…


def test_cancelling_at_the_current_passphrase_asks_nothing_more(
    encryption: EncryptionController, view: FakeView, data_dir: Path, encrypted_folder: DatabaseKey
) -> None:
    view.replacement = "a brand new passphrase"
    encryption.change_passphrase()
    assert view.log == ["current key"]
    assert view.told == []
    assert unlock_with_passphrase(data_dir, PASSPHRASE) == encrypted_folder


def test_cancelling_at_the_new_passphrase_keeps_the_old_one(
    encryption: EncryptionController, view: FakeView, data_dir: Path, encrypted_folder: DatabaseKey
) -> None:
    view.typed_key = encrypted_folder
    encryption.change_passphrase()
    assert view.log == ["current key", "replacement passphrase"]
    assert view.told == []
    assert unlock_with_passphrase(data_dir, PASSPHRASE) == encrypted_folder


def test_changing_the_passphrase_keeps_the_key_and_says_the_recovery_key_stays(
    encryption: EncryptionController, view: FakeView, data_dir: Path, encrypted_folder: DatabaseKey
) -> None:
    view.typed_key = encrypted_folder
    view.replacement = "a brand new passphrase"
    encryption.change_passphrase()
    assert unlock_with_passphrase(data_dir, "a brand new passphrase") == encrypted_folder
    assert view.told == [("info", "Backmap", "The passphrase was changed. The recovery key stays the same.")]


def test_a_passphrase_that_cannot_be_saved_is_told_and_the_old_one_still_opens_the_records(
    encryption: EncryptionController,
    view: FakeView,
    data_dir: Path,
    encrypted_folder: DatabaseKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(*_args: object) -> None:
        raise StorageError("the key file could not be written (no space left on the device)")

    monkeypatch.setattr(controller, "change_passphrase", disk_full)
    view.typed_key = encrypted_folder
    view.replacement = "a brand new passphrase"
    encryption.change_passphrase()
    assert view.told == [
        (
            "error",
            "Backmap",
            "The passphrase was not changed: the key file could not be written (no space left on the device)",
        )
    ]
    assert unlock_with_passphrase(data_dir, PASSPHRASE) == encrypted_folder


# Forget the keyring copy of the key


def test_forgetting_the_keyrings_copy_says_the_passphrase_is_asked_at_start(
    encryption: EncryptionController,
    view: FakeView,
    data_dir: Path,
    encrypted_folder: DatabaseKey,
    memory_keyring: MemoryKeyring,
) -> None:
    keep_in_keyring(data_dir, encrypted_folder)
    encryption.forget_keyring()
    assert view.told == [
        ("info", "Backmap", "The keyring no longer keeps the key: Backmap asks for the passphrase when it starts.")
    ]
    assert keyring_key(data_dir) is None
    assert memory_keyring.passwords == {}


def test_forgetting_a_copy_the_keyring_never_kept_says_so(
    encryption: EncryptionController, view: FakeView, encrypted_folder: DatabaseKey, memory_keyring: MemoryKeyring
) -> None:
    encryption.forget_keyring()
    assert view.told == [("info", "Backmap", "The keyring did not keep the key.")]


def test_a_keyring_that_does_not_answer_is_a_warning_and_changes_nothing(
    encryption: EncryptionController,
    view: FakeView,
    data_dir: Path,
    encrypted_folder: DatabaseKey,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keep_in_keyring(data_dir, encrypted_folder)
    monkeypatch.setattr(keyring.core, "_keyring_backend", UnreachableKeyring())
    encryption.forget_keyring()
    [(kind, _title, text)] = view.told
    assert kind == "warning"
    assert "could not be reached" in text
    assert "nothing was changed" in text
    assert read_key_file(data_dir).keyring_copy is True
    assert len(memory_keyring.passwords) == 1
