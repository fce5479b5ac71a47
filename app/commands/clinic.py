"""`backmap clinic init|add SERVER ...`: a clinic's PostgreSQL database set up, and its people added
(docs/clinic.md), by the server's administrator, whose password comes from ~/.pgpass. `backmap --database
CONNINFO clinic import DATA_DIR`: a therapist's own records moved onto the clinic server, by that therapist.
`backmap --database CONNINFO clinic share|unshare CLIENT COLLEAGUE` and `clinic shares CLIENT`: a client shared
with a colleague, or no longer, and with whom, by the client's therapist or the owner."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import BackmapError

if TYPE_CHECKING:
    from app.storage.postgres.store import PostgresStore

# A login reachable over the network: long enough that guessing it online is hopeless.
MIN_PASSWORD_LENGTH = 12
SERVER_HELP = (
    "the administrator's libpq connection string (host=... dbname=... user=..., or postgresql://...); its password "
    "comes from ~/.pgpass or PGPASSFILE, never the command line. A server not on this machine is reached with "
    "sslmode=verify-full"
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "clinic",
        help="set up a clinic's records on a PostgreSQL server, and add its people",
        description="A clinic keeps its records on one PostgreSQL server (15 or newer), each person logging in as "
        "their own role. See docs/clinic.md for the server, TLS and backups.",
    )
    actions = parser.add_subparsers(dest="clinic_action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="create the schema, the clinic's roles and its first owner",
        description="Connect to SERVER as its administrator (a superuser, or a role with CREATEROLE that owns the "
        "database) and, in one transaction, create the Backmap schema (or migrate it forward), the groups "
        "backmap_owner, backmap_therapist and backmap_receptionist, row-level security, the audit log, and the "
        "first owner's login role. Run again with the same owner it changes nothing.",
    )
    init.add_argument("server", metavar="SERVER", help=SERVER_HELP)
    init.add_argument("--owner", required=True, metavar="LOGIN", help="the owner's login name (lowercase)")
    init.add_argument("--owner-name", required=True, metavar="NAME", help="the owner's name, as the clinic says it")
    init.add_argument(
        "--owner-password-file",
        type=Path,
        metavar="FILE",
        help="the owner's new password on FILE's first line (readable by you only); else typed twice",
    )
    init.set_defaults(func=run_init)
    add = actions.add_parser(
        "add",
        help="give a new owner, therapist or receptionist their own login",
        description="Connect to SERVER as its administrator and create LOGIN, a member of the group its --kind "
        "names: a therapist reads and writes their own clients' records, a receptionist names, contact and "
        "consent only, an owner everything (reads of others' clients are audit-logged).",
    )
    add.add_argument("server", metavar="SERVER", help=SERVER_HELP)
    add.add_argument("login", metavar="LOGIN", help="their login name (lowercase letters, digits, _)")
    add.add_argument("--kind", required=True, choices=("owner", "therapist", "receptionist"))
    add.add_argument("--name", required=True, metavar="NAME", help="their name, as the clinic says it")
    add.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="their first password on FILE's first line (readable by you only); else typed twice",
    )
    add.set_defaults(func=run_add)
    move = actions.add_parser(
        "import",
        help="move a therapist's own records (a Backmap data folder) onto the clinic server",
        description="Log in with --database as the therapist the records belong to (or as the owner, with "
        "--therapist), read every client of DATA_DIR (encrypted records open with --passphrase-file, the keyring "
        "or the terminal) and store them on the server in one transaction, with the ids they have: all of them or "
        "none. Refused if the server already has one of the ids, or if a record's text holds a character the "
        "server cannot store (NUL). The server's audit log records every row stored; DATA_DIR is left unchanged.",
    )
    move.add_argument("folder", metavar="DATA_DIR", type=Path, help="the data folder the records are in")
    move.add_argument(
        "--therapist",
        metavar="LOGIN",
        help="whose clients they become, when the clinic's owner imports for a therapist (default: yours)",
    )
    move.set_defaults(func=run_import)
    for action, what in (
        ("share", "let COLLEAGUE find CLIENT and open their whole record (each opening logged)"),
        ("unshare", "no longer share CLIENT with COLLEAGUE"),
    ):
        sharing = actions.add_parser(
            action,
            help=what,
            description=f"Log in with --database as the client's therapist or the clinic's owner and {what}; the "
            "server's audit log records it. COLLEAGUE is a therapist's or owner's login name.",
        )
        sharing.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
        sharing.add_argument("colleague", metavar="COLLEAGUE", help="the colleague's login name")
        sharing.set_defaults(func=run_sharing)
    shares = actions.add_parser(
        "shares",
        help="the colleagues CLIENT is shared with",
        description="Log in with --database and list the colleagues CLIENT is shared with, one a line: login name "
        "and name (a colleague the client is shared with sees themselves only).",
    )
    shares.add_argument("client", metavar="CLIENT", help="the client's id, or their whole name (any case)")
    shares.set_defaults(func=run_shares)


def run_init(args: argparse.Namespace) -> int:
    from app.storage.postgres.clinic import Person, set_up
    from app.storage.postgres.connection import connect
    from app.storage.postgres.schema import SCHEMA_VERSION

    password = _new_password(args.owner_password_file, "--owner-password-file", "the owner's")
    with connect(args.server) as connection:
        done = set_up(connection, Person(args.owner, "owner", args.owner_name), password)
    schema = (
        f"schema version {SCHEMA_VERSION} created"
        if done.schema_from is None
        else f"schema version {SCHEMA_VERSION} (was {done.schema_from})"
    )
    owner = f"owner {args.owner} added" if done.owner_added else f"owner {args.owner} was there already"
    print(f"clinic database ready: {schema}; {owner}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from app.storage.postgres.clinic import Person, add_to_clinic
    from app.storage.postgres.connection import connect

    password = _new_password(args.password_file, "--password-file", f"{args.login}'s")
    with connect(args.server) as connection:
        add_to_clinic(connection, Person(args.login, args.kind, args.name), password)
    print(f"{args.login} added as {args.kind}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from app.commands.common import open_repository, printable
    from app.storage.local_folder import holds_records
    from app.storage.location import resolve_data_dir
    from app.storage.postgres.connection import connect
    from app.storage.postgres.importing import move_in
    from app.ui.single_instance import InstanceLock

    if args.database is None:
        raise BackmapError("clinic import: give the clinic server with --database CONNINFO, logged in as yourself")
    folder = resolve_data_dir(args.folder)
    if not holds_records(folder):  # checked before the lock, which would leave a folder behind
        raise BackmapError(f"there are no Backmap records in {folder}: give the data folder they are in")
    lock = InstanceLock(folder)
    if not lock.acquire():  # what the app wrote while the records move would be left behind
        raise BackmapError(f"Backmap is open on {folder} ({lock.holder()}): close it, then import")
    try:
        solo_args = argparse.Namespace(**{**vars(args), "data_dir": args.folder, "database": None})
        with open_repository(solo_args, create=False) as solo:
            records = [solo.history(client.id) for client in solo.list_clients()]
        if not records:
            raise BackmapError(f"there are no clients in {folder}: nothing to import")
        with connect(args.database) as connection:
            moved = move_in(connection, records, args.therapist)
    finally:
        lock.release()
    print(
        printable(
            f"imported {moved.clients} clients ({moved.intakes} screenings, {moved.sessions} sessions) from "
            f"{folder} as {moved.therapist}'s clients; the records in {folder} are unchanged"
        )
    )
    return 0


def run_sharing(args: argparse.Namespace) -> int:
    from app.commands.common import find_client, printable

    sharing = args.clinic_action == "share"
    with _clinic_store(args) as store:
        client = find_client(store, args.client)
        (store.share_client if sharing else store.unshare_client)(client.id, args.colleague)
    done = "shared with" if sharing else "no longer shared with"
    print(printable(f"{client.name} ({client.id}) {done} {args.colleague}"))
    return 0


def run_shares(args: argparse.Namespace) -> int:
    from app.commands.common import find_client, printable

    with _clinic_store(args) as store:
        client = find_client(store, args.client)
        for colleague in store.shared_with(client.id):
            print(f"{colleague.role}\t{printable(colleague.name)}")
    return 0


def _clinic_store(args: argparse.Namespace) -> PostgresStore:
    from app.storage.postgres.store import PostgresStore

    if args.database is None:
        raise BackmapError(f"clinic {args.clinic_action}: give the clinic server with --database CONNINFO")
    return PostgresStore.connect(args.database)


def _new_password(file: Path | None, option: str, whose: str) -> str:
    """A new login password: the first line of `file`, else typed twice on the terminal."""
    from app.commands.unlocking import read_secret_file

    if file is not None:
        chosen = read_secret_file(file, option)
    elif sys.stdin.isatty() and sys.stderr.isatty():
        import getpass

        chosen = getpass.getpass(f"{whose.capitalize()} new password: ")
        if getpass.getpass("The same password again: ") != chosen:
            raise BackmapError("the two passwords differ; nothing was changed")
    else:
        raise BackmapError(f"{whose} password is needed: give it with {option} FILE (readable by you only)")
    if len(chosen) < MIN_PASSWORD_LENGTH:
        raise BackmapError(f"{whose} password must have at least {MIN_PASSWORD_LENGTH} characters")
    return chosen
