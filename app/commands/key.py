"""`backmap key encrypt|change|recover|remember|forget-keyring`: the passphrase, the recovery key and the keyring."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands.common import recovery_key_notice
from app.commands.unlocking import new_passphrase, read_secret_file, unlock
from app.errors import BackmapError

NEW_PASSPHRASE_OPTION = "--new-passphrase-file"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "key",
        help="encrypt the records, change or recover their passphrase, keep or forget the keyring copy",
        description="Encrypted records open with a passphrase, or with the recovery key shown when they were "
        "encrypted. Passphrases come from files readable by you only (--passphrase-file, --new-passphrase-file) "
        "or are typed on the terminal; never from an argument or the environment.",
    )
    actions = parser.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    encrypt = actions.add_parser(
        "encrypt",
        help="encrypt plain records and the backups in the data folder (prints the recovery key once)",
        description="Back up the plain records, encrypt them with a new key wrapped by the passphrase of "
        "--passphrase-file (or typed twice), verify the encrypted copy (integrity_check, rows per table), then "
        "overwrite the plain file and encrypt the backups in the data folder. Lists backups made elsewhere that "
        "are still plain. Refused while the desktop app has these records open.",
    )
    encrypt.set_defaults(func=run_encrypt)
    change = actions.add_parser(
        "change",
        help="change the passphrase (the recovery key stays the same)",
        description="Unlock with the current passphrase (--passphrase-file, or typed), then wrap the key with "
        f"the new one ({NEW_PASSPHRASE_OPTION} FILE, or typed twice). The records themselves are not rewritten.",
    )
    change.add_argument(NEW_PASSPHRASE_OPTION, type=Path, metavar="FILE", help="the new passphrase, first line")
    change.set_defaults(func=run_change)
    recover = actions.add_parser(
        "recover",
        help="set a new passphrase with the recovery key",
        description="Unlock with the recovery key (--recovery-key-file FILE, or typed), then set a new passphrase "
        f"({NEW_PASSPHRASE_OPTION} FILE, or typed twice). The recovery key stays valid.",
    )
    recover.add_argument("--recovery-key-file", type=Path, metavar="FILE", help="the recovery key, first line")
    recover.add_argument(NEW_PASSPHRASE_OPTION, type=Path, metavar="FILE", help="the new passphrase, first line")
    recover.set_defaults(func=run_recover)
    remember = actions.add_parser(
        "remember",
        help="keep the key in the system keyring too, so that the records open without the passphrase",
        description="Unlock, then keep the database key in the system keyring (Secret Service, Keychain, "
        "Windows Credential Locker) for this data folder. Anyone logged in as you can then open the records.",
    )
    remember.set_defaults(func=run_remember)
    forget = actions.add_parser(
        "forget-keyring",
        help="remove the key from the system keyring (the passphrase is needed again)",
        description="Remove this data folder's key from the system keyring. Needs no passphrase.",
    )
    forget.set_defaults(func=run_forget_keyring)


def _data_dir(args: argparse.Namespace) -> Path:
    from app.storage.location import resolve_data_dir

    if args.database is not None:
        raise BackmapError(
            "`backmap key` encrypts a local data folder, not a clinic server: there each person logs in with their "
            "own role over TLS, and the server's disk and backups are encrypted by its administrator (docs/clinic.md)"
        )
    return resolve_data_dir(args.data_dir)


def _encrypted_data_dir(args: argparse.Namespace) -> Path:
    from app.storage.keys import is_encrypted

    data_dir = _data_dir(args)
    if not is_encrypted(data_dir):
        raise BackmapError(f"the records in {data_dir} are not encrypted: `backmap key encrypt` encrypts them")
    return data_dir


def run_encrypt(args: argparse.Namespace) -> int:
    from app.storage.encryption import encrypt_records
    from app.ui.single_instance import InstanceLock

    data_dir = _data_dir(args)
    passphrase = new_passphrase(args.passphrase_file, "--passphrase-file", data_dir)
    lock = InstanceLock(data_dir)
    if not lock.acquire():
        raise BackmapError(f"Backmap is open on {data_dir} ({lock.holder()}): close it, then encrypt")
    try:
        done = encrypt_records(data_dir, passphrase)
    finally:
        lock.release()
    print(recovery_key_notice(done.recovery_key), file=sys.stderr)
    for backup in done.encrypted_backups:
        print(f"encrypted: {backup}")
    for backup in done.left_plain:
        print(f"backmap: note: {backup} could not be read, so it is still plain: delete it", file=sys.stderr)
    for backup in done.plain_elsewhere:
        print(f"backmap: note: the backup {backup} outside the data folder still holds plain records", file=sys.stderr)
    return 0


def run_change(args: argparse.Namespace) -> int:
    from app.storage.keys import change_passphrase

    data_dir = _encrypted_data_dir(args)
    key = unlock(args, data_dir, use_keyring=False)  # changing it asks for the current one, whatever is kept
    assert key is not None  # the folder is encrypted
    change_passphrase(data_dir, key, new_passphrase(args.new_passphrase_file, NEW_PASSPHRASE_OPTION, data_dir))
    print(f"the passphrase of the records in {data_dir} was changed", file=sys.stderr)
    return 0


def run_recover(args: argparse.Namespace) -> int:
    import getpass

    from app.storage.keys import AttemptPacer, WrongPassphraseError, change_passphrase, unlock_with_recovery_key

    data_dir = _encrypted_data_dir(args)
    if args.recovery_key_file is not None:
        recovery_key = read_secret_file(args.recovery_key_file, "--recovery-key-file")
    elif sys.stdin.isatty():
        recovery_key = getpass.getpass("Recovery key (8 groups of 4 letters and digits): ")
    else:
        raise BackmapError("the recovery key is needed: give it with --recovery-key-file FILE (readable by you only)")
    try:
        key = unlock_with_recovery_key(data_dir, recovery_key)
    except WrongPassphraseError:
        pacer = AttemptPacer()
        pacer.wait(pacer.failed())
        raise
    change_passphrase(data_dir, key, new_passphrase(args.new_passphrase_file, NEW_PASSPHRASE_OPTION, data_dir))
    print(f"the records in {data_dir} have a new passphrase; the recovery key still works", file=sys.stderr)
    return 0


def run_remember(args: argparse.Namespace) -> int:
    from app.storage.keys import keep_in_keyring

    data_dir = _encrypted_data_dir(args)
    key = unlock(args, data_dir, use_keyring=False)
    assert key is not None  # the folder is encrypted
    keep_in_keyring(data_dir, key)
    print(f"the system keyring now keeps the key of the records in {data_dir}", file=sys.stderr)
    return 0


def run_forget_keyring(args: argparse.Namespace) -> int:
    from app.storage.keys import forget_keyring

    data_dir = _encrypted_data_dir(args)
    removed = forget_keyring(data_dir)
    print(
        f"the system keyring {'no longer keeps' if removed else 'did not keep'} the key of the records in {data_dir}",
        file=sys.stderr,
    )
    return 0
