"""Where a command gets the passphrase of encrypted records: --passphrase-file, the keyring, or the terminal.

Never from an argument or an environment variable: both are visible to other processes and end up in shell
history and logs. A passphrase file must be readable by its owner only.
"""

from __future__ import annotations

import argparse
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import BackmapError

if TYPE_CHECKING:
    from app.storage.keys import DatabaseKey

TERMINAL_TRIES = 3


def read_secret_file(path: Path, option: str) -> str:
    """The first line of `path`, which must be readable and writable by its owner only (0600 or 0400)."""
    try:
        mode = path.stat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise BackmapError(
                f"{option} {path}: other users can read it (mode {stat.S_IMODE(mode):o}); "
                f"make it yours only with `chmod 600 {path}`"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BackmapError(f"{option} {path}: {error.strerror}") from error
    if not lines or not lines[0]:
        raise BackmapError(f"{option} {path}: the file is empty")
    return lines[0]


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _no_terminal(data_dir: Path, what: str) -> BackmapError:
    return BackmapError(
        f"the records in {data_dir} are encrypted: {what} with --passphrase-file FILE (readable by you only), "
        "or run this on a terminal to type it"
    )


def new_passphrase(file: Path | None, option: str, data_dir: Path) -> str:
    """A new passphrase: the first line of `file`, else typed twice on the terminal."""
    from app.storage.keys import check_new_passphrase

    if file is not None:
        chosen = read_secret_file(file, option)
    elif _on_terminal():
        import getpass

        chosen = getpass.getpass("New passphrase for the records: ")
        if getpass.getpass("The same passphrase again: ") != chosen:
            raise BackmapError("the two passphrases differ; nothing was changed")
    else:
        raise BackmapError(
            f"a new passphrase for {data_dir} is needed: give it with {option} FILE (readable by you only)"
        )
    check_new_passphrase(chosen)
    return chosen


def unlock(args: argparse.Namespace, data_dir: Path, *, use_keyring: bool = True) -> DatabaseKey | None:
    """The key of `data_dir`'s records, or None when they are plain; BackmapError (exit 1) when it is not given.

    Wrong passphrases are slowed down (app.storage.keys.AttemptPacer) and write nothing."""
    from app.storage.keys import AttemptPacer, WrongPassphraseError, is_encrypted, keyring_key, unlock_with_passphrase

    if not is_encrypted(data_dir):
        return None
    if use_keyring and args.passphrase_file is None:
        kept = keyring_key(data_dir)
        if kept is not None:
            return kept
    pacer = AttemptPacer()
    if args.passphrase_file is not None:
        try:
            return unlock_with_passphrase(data_dir, read_secret_file(args.passphrase_file, "--passphrase-file"))
        except WrongPassphraseError:
            pacer.wait(pacer.failed())  # a script guessing from files gets no faster than a person typing
            raise
    if not _on_terminal():
        raise _no_terminal(data_dir, "give the passphrase")
    import getpass

    while True:
        try:
            return unlock_with_passphrase(data_dir, getpass.getpass(f"Passphrase for the records in {data_dir}: "))
        except WrongPassphraseError as error:
            if pacer.failures + 1 == TERMINAL_TRIES:
                raise
            print(f"backmap: {error}", file=sys.stderr)
            pacer.wait(pacer.failed())
