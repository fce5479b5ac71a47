"""What the record commands share: opening the records of --data-dir, naming a client, choosing a session,
printing safely."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import BackmapError

if TYPE_CHECKING:
    from app.domain.records import Client, ClientRecord, Session
    from app.storage.keys import DatabaseKey
    from app.storage.record_store import RecordStore

# Candidates listed when CLIENT names nobody exactly.
MAX_CANDIDATES = 10


def printable(text: str) -> str:
    """`text` with terminal control characters (and lone surrogates) escaped, so printing it cannot drive the
    terminal or break a one-line message: a name with ESC or a newline in it prints as \\x1b or \\n."""
    return "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in ("Cc", "Cs") else char
        for char in text
    )


def note(message: str) -> None:
    """A notice on stderr that does not stop the command."""
    print(f"backmap: note: {printable(message)}", file=sys.stderr)


def open_repository(args: argparse.Namespace, *, create: bool = True) -> RecordStore:
    """The records of --data-dir (else $BACKMAP_DATA_DIR, else the user data folder); says once on stderr
    why they are read-only, if they are, and any warning about them.

    First removes what an earlier, killed command left half-written, and says so. Encrypted records are unlocked
    with --passphrase-file, the keyring or the terminal (app.commands.unlocking); a new folder is created
    encrypted when --passphrase-file is given, and plain otherwise (said once).

    With --database, the records are the clinic server's instead (app.storage.postgres), as its person.
    """
    if args.database is not None:
        from app.storage.postgres.store import PostgresStore

        return PostgresStore.connect(args.database)
    from app.commands.unlocking import unlock
    from app.storage.files import remove_unfinished_outputs
    from app.storage.local_folder import holds_records
    from app.storage.location import locate_data_folder
    from app.storage.sqlite_store import SqliteStore

    folder = locate_data_folder(args.data_dir)
    removed = remove_unfinished_outputs(folder.records)
    if removed:
        places = ", ".join(sorted({str(path.parent) for path in removed}))
        note(f"removed {len(removed)} half-written file(s) that an interrupted backmap command left in {places}")
    new_records_folder = not folder.records.exists()
    is_new = create and not holds_records(folder.records)
    key = unlock(args, folder.records)
    if key is None and is_new and args.passphrase_file is not None:
        key = _set_up_encrypted_folder(folder.records, args.passphrase_file)
    repository = SqliteStore.open(folder.records, create=create, key=key)
    exposed = folder.exposure_warning() if new_records_folder else None
    plain = None
    if key is None and is_new:
        plain = PLAIN_FOLDER_NOTE.format(folder=folder.records)
    elif key is None and args.passphrase_file is not None:
        plain = (
            f"--passphrase-file was not used: the records in {folder.records} are not encrypted (`backmap key encrypt`)"
        )
    for notice in (repository.read_only_reason, *repository.open_warnings, exposed, plain):
        if notice:
            note(notice)
    return repository


PLAIN_FOLDER_NOTE = (
    "the new records in {folder} are not encrypted (no --passphrase-file was given): anyone who can read the "
    "folder can read them; `backmap key encrypt` encrypts them"
)


def _set_up_encrypted_folder(data_dir: Path, passphrase_file: Path) -> DatabaseKey:
    """Keys for a new, encrypted folder; its recovery key goes to stderr, once (it is stored nowhere)."""
    from app.commands.unlocking import read_secret_file
    from app.storage.encryption import set_up_new_folder

    keys = set_up_new_folder(data_dir, read_secret_file(passphrase_file, "--passphrase-file"))
    print(recovery_key_notice(keys.recovery_key), file=sys.stderr)
    return keys.key


def recovery_key_notice(recovery_key: str) -> str:
    return (
        f"backmap: the records are encrypted. Their recovery key, shown this once:\n\n    {recovery_key}\n\n"
        "Print it or write it down and keep it away from this computer: it unlocks the records if the passphrase "
        "is lost (`backmap key recover`). Without both, the records cannot be read by anyone."
    )


def add_session_arguments(parser: argparse.ArgumentParser) -> None:
    """CLIENT and --session, for the commands that print one session's plan or letter."""
    parser.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
    parser.add_argument("--session", default="latest", metavar="ID|latest", help="which session (default: latest)")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """-o FILE and --force: every command that writes a file."""
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (mode 0600), not stdout")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


@dataclass(frozen=True, slots=True)
class ChosenSession:
    client: Client
    record: ClientRecord
    session: Session
    data_folder: Path


def read_chosen_session(args: argparse.Namespace) -> ChosenSession:
    """The client CLIENT names, their record and the session --session names (the records closed again)."""
    from app.storage.location import locate_data_folder

    with open_repository(args, create=False) as repository:
        client = find_client(repository, args.client)
        record = repository.history(client.id)
    data_folder = locate_data_folder(args.data_dir).records  # where a half-written output is noted
    return ChosenSession(client, record, chosen_session(record.sessions, client.id, args.session), data_folder)


def write_output(args: argparse.Namespace, data: bytes, data_folder: Path, *, binary: bool) -> None:
    """`data` to -o FILE (atomic, 0600, --force to replace), else to stdout (never a PDF to a terminal)."""
    from app.storage.files import output_file

    if args.output is None:
        if binary and sys.stdout.isatty():
            raise BackmapError("a PDF is not for the terminal: add -o FILE")
        sys.stdout.buffer.write(data)
        return
    with output_file(args.output, data_folder, replace=args.force) as temporary:
        temporary.write_bytes(data)


def chosen_session(sessions: Sequence[Session], client_id: str, wanted: str) -> Session:
    """The session `--session` names: its id, or "latest"; BackmapError when there is none."""
    if not sessions:
        raise BackmapError(f"client {client_id} has no sessions yet")
    session_id = sessions[-1].id if wanted == "latest" else wanted
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        raise BackmapError(f"--session: client {client_id} has no session {wanted!r}")
    return session


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _describe(client: Client) -> str:
    born = client.born.isoformat() if client.born else "unknown"
    return f"{client.id} {client.name!r} (born {born})"


def find_client(repository: RecordStore, text: str) -> Client:
    """The one client whose id is `text` or whose whole name is `text` (ignoring case, NFC), for every command
    that takes CLIENT. Never part of a name: anything but exactly one such client is an error that lists the
    candidates (id, name, born), so nothing is done to a client the user did not name."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes in the argument that are not UTF-8 (Python keeps them as surrogates)
        raise BackmapError(f"{text!r} is not a client's id or name: part of it is not UTF-8 text") from None
    key = _name_key(text)
    named = [client for client in repository.list_clients() if client.id == text or _name_key(client.name) == key]
    if len(named) == 1:
        return repository.get_client(named[0].id)  # as handed out for an edit (its version noted)
    if named:
        candidates = named
        problem = f"{text!r} names {len(named)} clients; give the id of one"
    else:
        candidates = repository.search_clients(text) if text.strip() else []
        problem = f"no client has the id or the whole name {text!r}"
        if candidates:
            problem += "; give a whole name or an id"
    if not candidates:
        raise BackmapError(problem)
    listing = "; ".join(_describe(client) for client in candidates[:MAX_CANDIDATES])
    more = f"; and {len(candidates) - MAX_CANDIDATES} more" if len(candidates) > MAX_CANDIDATES else ""
    raise BackmapError(f"{problem}: {listing}{more}")
