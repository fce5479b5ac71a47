"""The `backmap` command line (DESIGN.md, "Command line": a contract). No subcommand opens the desktop app."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from app import __version__
from app.errors import BackmapError

if TYPE_CHECKING:
    import argparse

# Subcommand modules under app/commands, in the order `backmap --help` lists them. The desktop app starts through
# this parser too, so a command module imports what its command needs (records, numpy, Qt) only when it runs.
COMMAND_MODULES: tuple[str, ...] = (
    "regions",
    "import_clients",
    "export_client",
    "plan",
    "letter",
    "backup",
    "restore",
    "check",
    "delete_client",
    "key",
    "clinic",
)


def modules_imported_by_name() -> list[str]:
    """Every module the app imports by name, which static analysis cannot see: packaging/backmap.spec bundles
    these, and tests/packaging checks that nothing else in app/ is imported that way."""
    return [f"app.commands.{name}" for name in COMMAND_MODULES]


NO_DISPLAY_MESSAGE = """\
backmap: the desktop app needs a display, and none was found (DISPLAY and WAYLAND_DISPLAY are unset).
Run it from a desktop session, or use the headless commands, for example:
  backmap regions --format text
  backmap import client.json
  backmap plan CLIENT --format pdf -o plan.pdf
See `backmap --help` for all of them."""


APP_FLAGS = ("--demo",)
APP_OPTIONS = ("--data-dir", "--database")  # each takes a value


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    import argparse  # not when the arguments only open the app (app_options)

    parser = argparse.ArgumentParser(
        prog="backmap",
        description="Mark where a client holds tension on a map of the back, and turn it into a safe plan.",
    )
    parser.add_argument("--version", action="version", version=f"backmap {__version__}")
    parser.add_argument(
        APP_OPTIONS[0],
        type=Path,
        default=None,
        help="the data folder to use (default: $BACKMAP_DATA_DIR, else the user data folder)",
    )
    parser.add_argument(
        APP_OPTIONS[1],
        default=None,
        metavar="CONNINFO",
        help="use a clinic's PostgreSQL server instead of the data folder: a libpq connection string "
        "(postgresql://thandi@db.clinic.example/clinic or 'host=… dbname=… user=…'), the password from ~/.pgpass, "
        "a service file or the system keyring, never in the string (docs/clinic.md)",
    )
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="unlock encrypted records with the passphrase on the first line of FILE (readable by you only); "
        "a new data folder is then created encrypted. Without it, a command asks on the terminal",
    )
    parser.add_argument(
        APP_FLAGS[0],
        action="store_true",
        help="open the app on a sample client, in its own throwaway data folder",
    )
    parser.set_defaults(command=None)
    if not with_commands:
        return parser
    import importlib

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules_imported_by_name():
        importlib.import_module(module).register(subparsers)
    return parser


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


class AppOptions(NamedTuple):
    """What opening the desktop app takes from the command line (build_parser describes each option)."""

    data_dir: Path | None = None
    database: str | None = None
    demo: bool = False


def app_options(arguments: Sequence[str]) -> AppOptions | None:
    """The desktop app's options, when the arguments hold nothing else (no command, no help, no typo); else None,
    and argparse reads them. Read here without argparse: building even the app's own parser (gettext looks each of
    its messages up on disk) took ~4 ms of the window's first paint."""
    values: dict[str, str] = {}
    demo = False
    rest = list(arguments)
    while rest:
        argument = rest.pop(0)
        option, has_value, value = argument.partition("=")
        if argument in APP_FLAGS:
            demo = True
        elif option in APP_OPTIONS and has_value:
            values[option] = value
        elif argument in APP_OPTIONS and rest and not rest[0].startswith("-"):
            values[argument] = rest.pop(0)
        else:
            return None
    data_dir = values.get(APP_OPTIONS[0])
    return AppOptions(Path(data_dir) if data_dir is not None else None, values.get(APP_OPTIONS[1]), demo)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    options = app_options(arguments)
    if options is not None:  # how a therapist starts it: the parsers are never built
        return _reporting_errors(lambda: _open_app(options))
    args = build_parser().parse_args(arguments)
    return _reporting_errors(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.passphrase_file is not None:
        from app.commands.unlocking import read_secret_file

        read_secret_file(args.passphrase_file, "--passphrase-file")  # one others can read is refused, used or not
    if args.command is None:
        return _open_app(AppOptions(args.data_dir, args.database, args.demo))
    # A polite kill (SIGTERM) unwinds like Ctrl+C, so a half-written output file is removed on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    status: int = args.func(args)
    return status


def _reporting_errors(run: Callable[[], int]) -> int:
    """`run`'s status; a BackmapError is one line on stderr and status 1, Ctrl+C status 130. SIGTERM's handler is
    put back afterwards."""
    previous = signal.getsignal(signal.SIGTERM)
    try:
        return run()
    except BackmapError as error:
        from app.commands.common import printable

        print(f"backmap: {printable(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`backmap regions | head`): not an error; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _open_app(options: AppOptions) -> int:
    if not _has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    from app.ui.application import run_app

    return run_app(data_dir=options.data_dir, demo=options.demo, database=options.database)
