"""EncryptionController: the decisions around the records' passphrase, through a small view (EncryptionView).

It decides what happens at start (the key asked for, or the set-up offered until put off), when the records are
encrypted (closed first, the recovery key shown once, the keyring asked to keep the key, plain copies left
reported; from the window, Backmap ends afterwards), when the passphrase is changed and when the keyring's copy
is forgotten. It imports no widget: every question and message goes through the view, so it is tested with a
fake view (tests/ui/test_encryption_controller.py); the dialogs (dialogs.py) only ask and tell. The work is
app.storage.keys and app.storage.encryption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.errors import BackmapError
from app.storage.errors import StorageError
from app.storage.keys import (
    DatabaseKey,
    change_passphrase,
    forget_keyring,
    is_encrypted,
    keep_in_keyring,
    keyring_key,
)
from app.ui.settings import AppSettings

PLAIN_COPIES_TITLE = "Plain copies remain"


def asks_at_start(data_dir: Path, settings: AppSettings, *, offer_set_up: bool) -> bool:
    """Whether opening the records at start asks the therapist anything: the passphrase of encrypted records, or
    the set-up of plain ones while it is offered and not put off."""
    return is_encrypted(data_dir) or (offer_set_up and not settings.encryption_put_off())


class UnlockCancelled(Exception):
    """The therapist closed the passphrase dialog: the records stay closed."""


@dataclass(frozen=True, slots=True)
class NewPassphrase:
    """A passphrase chosen for the records (already typed twice and checked), and whether the keyring keeps the
    key so the records open without typing."""

    passphrase: str
    keep_in_keyring: bool


class EncryptionView(Protocol):
    def ask_new_passphrase(self, *, can_put_off: bool) -> NewPassphrase | None:
        """The passphrase to encrypt the records with; None if put off ("Not now") or cancelled."""

    def ask_replacement_passphrase(self) -> str | None:
        """The passphrase to replace the current one (the keyring is not asked about); None if cancelled."""

    def ask_key(self) -> DatabaseKey | None:
        """The key, from the passphrase or the recovery key typed at start; None if the dialog is closed."""

    def ask_current_key(self) -> DatabaseKey | None:
        """The key, from the current passphrase or the recovery key, before changing it; None if cancelled."""

    def show_recovery_key(self, recovery_key: str) -> None: ...

    def show_info(self, text: str) -> None: ...

    def show_warning(self, text: str, *, title: str = "Backmap") -> None: ...

    def show_error(self, text: str) -> None: ...

    def quit(self) -> None:
        """Ends Backmap (once the events now queued are handled)."""


class EncryptionController:
    """The passphrase decisions for the records of one local data folder."""

    def __init__(self, view: EncryptionView, data_dir: Path) -> None:
        self._view = view
        self._data_dir = data_dir

    def key_at_start(self, settings: AppSettings, *, offer_set_up: bool = True) -> DatabaseKey | None:
        """The key to open the records with at start: asked for when encrypted; for plain records, the set-up is
        offered (if `offer_set_up`) until the therapist puts it off (the window then warns until it is done).
        UnlockCancelled if the therapist closes the passphrase dialog."""
        if not asks_at_start(self._data_dir, settings, offer_set_up=offer_set_up):
            return None
        if is_encrypted(self._data_dir):
            return self.ask_for_key()
        key = self.set_up_encryption(can_put_off=True)
        if key is None:
            settings.set_encryption_put_off(True)
        return key

    def ask_for_key(self) -> DatabaseKey:
        """The key of encrypted records: from the keyring if it keeps it, else typed; UnlockCancelled if not
        given."""
        kept = keyring_key(self._data_dir)
        if kept is not None:
            return kept
        typed = self._view.ask_key()
        if typed is None:
            raise UnlockCancelled
        return typed

    def set_up_encryption(
        self, *, can_put_off: bool, before_encrypting: Callable[[], None] = lambda: None
    ) -> DatabaseKey | None:
        """Asks for a passphrase and encrypts the records (new or plain); None if put off or cancelled.

        The records must not be open meanwhile (the conversion replaces the file): `before_encrypting` closes
        them. A failed encryption raises (BackmapError); the keyring not keeping the key is only a warning."""
        chosen = self._view.ask_new_passphrase(can_put_off=can_put_off)
        if chosen is None:
            return None
        before_encrypting()
        from app.storage.encryption import encrypt_records  # SQLCipher's conversion: not before the first paint

        done = encrypt_records(self._data_dir, chosen.passphrase)
        self._view.show_recovery_key(done.recovery_key)
        if chosen.keep_in_keyring:
            try:
                keep_in_keyring(self._data_dir, done.key)
            except StorageError as error:
                self._view.show_warning(str(error))
        notes = [f"{path} could not be read, so it is still plain: delete it." for path in done.left_plain]
        notes += [
            f"The backup {path} outside the data folder still holds plain records." for path in done.plain_elsewhere
        ]
        if notes:
            self._view.show_warning("\n".join(notes), title=PLAIN_COPIES_TITLE)
        return done.key

    def encrypt_now(self, close_records: Callable[[], None]) -> None:
        """Encrypts the open records from the window: `close_records` closes them first (the file is replaced),
        and Backmap ends afterwards, done or not, to be started again with the passphrase."""
        try:
            key = self.set_up_encryption(can_put_off=False, before_encrypting=close_records)
        except BackmapError as error:
            self._view.show_error(f"The records were not encrypted: {error}. Backmap closes now.")
            self._view.quit()
            return
        if key is not None:
            self._view.show_info("The records are encrypted. Backmap closes now: start it again.")
            self._view.quit()

    def change_passphrase(self) -> None:
        """Asks for the current passphrase (or the recovery key), then a new one; the recovery key stays."""
        key = self._view.ask_current_key()
        if key is None:
            return
        new_passphrase = self._view.ask_replacement_passphrase()
        if new_passphrase is None:
            return
        try:
            change_passphrase(self._data_dir, key, new_passphrase)
        except BackmapError as error:  # e.g. the key file cannot be written: the old passphrase still opens them
            self._view.show_error(f"The passphrase was not changed: {error}")
            return
        self._view.show_info("The passphrase was changed. The recovery key stays the same.")

    def forget_keyring(self) -> None:
        """Removes the keyring's copy of the key, so Backmap asks for the passphrase at start."""
        try:
            removed = forget_keyring(self._data_dir)
        except BackmapError as error:
            self._view.show_warning(str(error))
            return
        self._view.show_info(
            "The keyring no longer keeps the key: Backmap asks for the passphrase when it starts."
            if removed
            else "The keyring did not keep the key."
        )
