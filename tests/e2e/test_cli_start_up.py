"""The desktop app starts through the command line: opening it must not wait for argparse or the commands'
parsers, and building those must load none of the commands' dependencies (records, numpy, Qt)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import AppOptions, app_options, main

# What the commands need when they run; none of it may load while the parser is built.
COMMAND_DEPENDENCIES = ("numpy", "shapely", "svgelements", "sqlite3", "PySide6", "app.storage.sqlite_store")


def loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after running `code`."""
    probe = f"import json, sys; {code}; print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_building_the_whole_parser_loads_no_command_dependency() -> None:
    code = "from app.cli import build_parser; assert 'plan' in build_parser().format_help()"
    assert loaded_after(code, COMMAND_DEPENDENCIES) == []


def test_opening_the_app_builds_no_parser() -> None:
    code = "from app.cli import app_options; assert app_options(['--demo']).demo"
    assert loaded_after(code, ("argparse", "app.commands.regions", "app.commands.plan", "app.commands.common")) == []


@pytest.mark.parametrize(
    ("arguments", "options"),
    [
        ([], AppOptions()),
        (["--demo"], AppOptions(demo=True)),
        (["--data-dir", "plan"], AppOptions(Path("plan"))),  # a folder named like a command is still a folder
        (["--data-dir=records", "--demo"], AppOptions(Path("records"), demo=True)),
        (["--data-dir", "old", "--data-dir=new"], AppOptions(Path("new"))),  # the last one counts, as in argparse
        (["--database", "postgresql://thandi@db/clinic"], AppOptions(database="postgresql://thandi@db/clinic")),
        (["--data-dir"], None),  # missing its value: the whole parser says so
        (["--data-dir", "--demo"], None),  # likewise
        (["--data", "records"], None),  # argparse's abbreviations are argparse's
        (["--passphrase-file", "secret"], None),
        (["regions"], None),
        (["--help"], None),
        (["--version"], None),
        (["regoins"], None),
    ],
)
def test_only_the_apps_own_options_skip_the_parsers(arguments: list[str], options: AppOptions | None) -> None:
    assert app_options(arguments) == options


@pytest.mark.parametrize(
    "arguments", [["--data-dir", "plan"], ["--data-dir=records", "--demo"], ["--database", "host=db"], []]
)
def test_the_app_options_read_without_argparse_mean_what_argparse_reads(arguments: list[str]) -> None:
    from app.cli import build_parser

    parsed = build_parser().parse_args(arguments)
    assert app_options(arguments) == AppOptions(parsed.data_dir, parsed.database, parsed.demo)


def test_a_mistyped_command_is_still_named_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["regoins"])
    assert stopped.value.code == 2
    assert "invalid choice: 'regoins'" in capsys.readouterr().err


def test_a_plain_start_with_the_set_up_put_off_shows_its_frame_before_loading_the_passphrase_dialogs(
    tmp_path: Path,
) -> None:
    # The therapist put the encryption set-up off: nothing is asked, so the dialogs' Qt classes wait for later; nor
    # does the frame wait for OpenSSL's hashlib (the keys' randomness, the raise socket's name) or json.
    config = tmp_path / "config" / "Backmap"
    config.mkdir(parents=True)
    (config / "Backmap.conf").write_text("[privacy]\nencryption_put_off=yes\n")
    start = (
        "import os, sys\n"
        "from app.ui.main_window import MainWindow\n"
        "def show(window):\n"
        "    waited = ('app.ui.encryption.dialogs', 'hashlib', 'json.decoder')\n"
        "    print(*[name for name in waited if name in sys.modules], flush=True)\n"
        "    os._exit(0)\n"
        "MainWindow.show = show\n"
        f"from app.cli import main; main(['--data-dir', {str(tmp_path / 'records')!r}])\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = subprocess.run([sys.executable, "-c", start], check=True, capture_output=True, text=True, env=env)
    assert result.stdout.split() == []


# A start through the launcher that reopens the last client, reporting once the client is open and the map ready.
REOPEN_AND_REPORT = """
import json, linecache, os, sys
from pathlib import Path
from app.ui.main_window import MainWindow  # as app.cli starts the app: nothing imports PySide6 before app.ui
import app
from PySide6.QtCore import QTimer

show = MainWindow.show

def show_and_watch(window):
    def report_when_ready():
        workspace = window.workspace
        if workspace.decisions.client is None or workspace.controller.session is None:
            QTimer.singleShot(5, report_when_ready)
            return
        workspace.warm_up()
        from PySide6.support.feature import pyside_feature_dict
        print(json.dumps({
            "loaded": [name for name in %r if name in sys.modules],
            "sources_kept": [path for path in linecache.cache if path.startswith(str(Path(app.__file__).parent))],
            "pyside_users": [name for name in ("app.ui.main_window", "json") if pyside_feature_dict.get(name) == 0],
        }), flush=True)
        os._exit(0)
    window.workspaceAttached.connect(report_when_ready)
    show(window)

MainWindow.show = show_and_watch
from app.cli import main
main(["--data-dir", sys.argv[1]])
"""
# What showing a client does without: OpenSSL (hashlib maps libcrypto) and the geometry libraries.
NOT_FOR_SHOWING_A_CLIENT = ("hashlib", "numpy", "shapely", "svgelements")


def test_reopening_the_last_client_loads_no_openssl_nor_geometry_and_keeps_no_source_in_memory(
    tmp_path: Path,
) -> None:
    from app.domain.records import Consent
    from app.storage.sqlite_store import SqliteStore

    records = tmp_path / "records"
    with SqliteStore.open(records) as store:
        client = store.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
        store.start_session(client.id)
    config = tmp_path / "config" / "Backmap"
    config.mkdir(parents=True)
    (config / "Backmap.conf").write_text(
        f"[privacy]\nencryption_put_off=yes\n[session]\nlast_client_id={client.id}\n", encoding="utf-8"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    start = REOPEN_AND_REPORT % (NOT_FOR_SHOWING_A_CLIENT,)
    result = subprocess.run(
        [sys.executable, "-c", start, str(records)], check=True, capture_output=True, text=True, env=env, timeout=60
    )
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["loaded"] == []
    # PySide6 still learns which modules name it (app.ui's own test of the source), without linecache keeping them.
    assert seen["sources_kept"] == []
    assert seen["pyside_users"] == ["app.ui.main_window"]
