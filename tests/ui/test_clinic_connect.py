"""Connect to clinic server… (issue 19, point 1): Thandi, at her own computer, connects to the clinic's server and
sees her clients there, not her colleague's; the connection is remembered without the password, so the next start
goes to the server first, never asking about this computer's records she does not use; "Use this computer's
records" brings her own back. A wrong password, a server that is down, a server elsewhere without checked TLS: one
line in the dialog, and nothing else changes; at a start, this computer's records and a line saying why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import keyring.core
import pytest
from keyring.errors import KeyringLocked
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.storage.postgres.connection import KEYRING_SERVICE, remember_until_quit
from app.storage.postgres.store import PostgresStore
from app.ui.application import create_application, create_main_window, start_first_window
from app.ui.clinic.actions import NOT_CONNECTED, ClinicActions
from app.ui.clinic.dialog import ConnectDialog
from app.ui.clinic.server import ClinicServer
from app.ui.encryption import controller
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings
from tests.clinic.server import _free_port
from tests.clinic.template import ClinicCopy
from tests.e2e.consult_driver import ini_settings
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.postgres

CONSENT = Consent(dt.date(2026, 11, 20), "1")


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    settings = ini_settings(tmp_path)
    settings.set_encryption_put_off(True)  # a start on this computer's records opens them without a dialog
    return settings


@pytest.fixture
def moments(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the start did, in order: "local unlock asked" each time it consulted whether this computer's records
    ask anything (a passphrase, the offer to set one up) before opening."""
    seen: list[str] = []
    asks = controller.asks_at_start

    def noted(data_dir: Path, settings: AppSettings, *, offer_set_up: bool) -> bool:
        seen.append("local unlock asked")
        return asks(data_dir, settings, offer_set_up=offer_set_up)

    monkeypatch.setattr(controller, "asks_at_start", noted)
    return seen


def started(qtbot: QtBot, settings: AppSettings) -> MainWindow:
    """Backmap started with no data folder named, as from the desktop's menu."""
    create_application([])
    window = start_first_window(None, settings)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.findChild(ClinicActions) is not None)  # its records open
    return window


def thandis_server(clinic_copy: ClinicCopy, sslmode: str = "prefer") -> ClinicServer:
    """The server as Thandi fills it in: this computer's test server, which has no TLS (allowed for localhost)."""
    therapist = clinic_copy.template.therapists[0]
    return ClinicServer("127.0.0.1", clinic_copy.template.server.port, clinic_copy.database, therapist.role, sslmode)


def local_window(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    create_application([])
    window = create_main_window(data_dir, demo=False, settings=settings)
    qtbot.addWidget(window)
    window.show()
    return window


def actions_of(window: MainWindow) -> ClinicActions:
    found = window.findChild(ClinicActions)
    assert isinstance(found, ClinicActions)
    return found


def file_menu(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menus["File"].actions()]


def opened_on_the_server(qtbot: QtBot, actions: ClinicActions) -> MainWindow:
    opened = actions.clinic_window
    assert opened is not None
    qtbot.addWidget(opened)
    return opened


def menu_action(window: MainWindow, text: str) -> QAction:
    return next(action for action in window.menus["File"].actions() if action.text() == text)


def connect_from_the_menu(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, server: ClinicServer, password: str = "", keep: bool = False
) -> ConnectDialog:
    """File → Connect to clinic server…: she fills it in and clicks Connect once (then, if it stays open with a
    line saying what went wrong, she reads it and cancels); the dialog, as she left it."""
    seen: list[ConnectDialog] = []

    def fill_in_and_connect(dialog: ConnectDialog) -> int:
        seen.append(dialog)
        dialog.host.setText(server.host)
        dialog.port.setValue(server.port)
        dialog.database.setText(server.database)
        dialog.user.setText(server.user)
        dialog.tls.setCurrentIndex(dialog.tls.findData(server.sslmode))
        dialog.password.setText(password)
        dialog.remember.setChecked(keep)
        dialog.try_connect()
        return dialog.result()

    monkeypatch.setattr(ConnectDialog, "exec", fill_in_and_connect)
    menu_action(window, "Connect to clinic server…").trigger()
    return seen[0]


def listed(window: MainWindow) -> list[str]:
    model = window.workspace.clients.model
    return [model.client_at(row).name for row in range(model.rowCount())]


def test_thandi_connects_sees_her_clients_there_and_goes_back_to_her_own(
    qtbot: QtBot, clinic_copy: ClinicCopy, data_dir: Path, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    thandi, pieter = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi) as hers, clinic_copy.store_of(pieter) as his:
        hers.create_client("Ana Example", consent=CONSENT)
        his.create_client("Ben Other", consent=CONSENT)  # Pieter's, not shared: Thandi never sees him
    window = local_window(qtbot, data_dir, settings)
    window.workspace.repository.create_client("Carla Solo", consent=CONSENT)  # on this computer
    window.workspace.refresh_clients()

    dialog = connect_from_the_menu(window, monkeypatch, thandis_server(clinic_copy))  # the pass file has her password

    assert dialog.result() == ConnectDialog.DialogCode.Accepted
    on_server = opened_on_the_server(qtbot, actions_of(window))
    assert isinstance(on_server.workspace.repository, PostgresStore)
    assert on_server.isVisible()
    assert not window.isVisible()
    assert window.screen_lock is not None
    assert window.screen_lock.locked  # this computer's records, hidden and locked meanwhile
    assert listed(on_server) == ["Ana Example"]
    remembered = settings.clinic_conninfo()
    assert ClinicServer.from_conninfo(remembered) == thandis_server(clinic_copy)
    assert "password" not in remembered

    menu_action(on_server, "Use this computer's records").trigger()
    assert window.isVisible()
    assert not window.screen_lock.locked
    assert not on_server.isVisible()
    assert listed(window) == ["Carla Solo"]
    assert settings.clinic_conninfo() == ""  # the next start opens this computer's records


def test_a_remembered_server_is_where_the_next_start_goes_without_asking_about_this_computers_records(
    qtbot: QtBot, clinic_copy: ClinicCopy, data_dir: Path, settings: AppSettings, moments: list[str]
) -> None:
    with clinic_copy.store_of(clinic_copy.template.therapists[0]) as hers:
        hers.create_client("Ana Example", consent=CONSENT)
    settings.set_clinic_conninfo(thandis_server(clinic_copy).conninfo())  # the pass file has her password

    on_server = started(qtbot, settings)

    assert isinstance(on_server.workspace.repository, PostgresStore)
    assert on_server.isVisible()
    assert listed(on_server) == ["Ana Example"]
    assert moments == []  # no passphrase, no offer to set one up
    assert not [
        widget for widget in QApplication.topLevelWidgets() if isinstance(widget, QDialog) and widget.isVisible()
    ]

    menu_action(on_server, "Use this computer's records").trigger()  # she works at home today
    assert moments == ["local unlock asked"]  # as any start on them asks
    home = next(
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, MainWindow) and widget is not on_server and widget.isVisible()
    )
    qtbot.addWidget(home)
    qtbot.waitUntil(lambda: home.findChild(ClinicActions) is not None)
    assert home.workspace.repository.local_folder is not None
    assert not on_server.isVisible()
    assert settings.clinic_conninfo() == ""  # the next start opens this computer's records


def test_a_remembered_server_that_is_down_leaves_this_computers_records_and_says_why(
    qtbot: QtBot, data_dir: Path, settings: AppSettings, moments: list[str]
) -> None:
    settings.set_clinic_conninfo(ClinicServer("127.0.0.1", _free_port(), "clinic", "thandi", "prefer").conninfo())
    window = started(qtbot, settings)
    assert window.workspace.repository.local_folder is not None
    assert moments == ["local unlock asked"]
    assert "Could not reach the clinic server" in window.statusBar().currentMessage()
    assert "File → Connect to clinic server… tries again" in window.statusBar().currentMessage()
    assert window.isVisible()
    assert actions_of(window).clinic_window is None
    assert settings.clinic_conninfo() != ""  # tried again at the next start


def test_without_a_kept_password_the_start_asks_for_it_first(
    qtbot: QtBot,
    clinic_copy: ClinicCopy,
    data_dir: Path,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
    moments: list[str],
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(data_dir / "no-pass-file"))  # nothing keeps her password
    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())
    server = thandis_server(clinic_copy)
    settings.set_clinic_conninfo(server.conninfo())
    asked: list[ClinicServer] = []

    def thandi_types_her_password(dialog: ConnectDialog) -> int:
        asked.append(dialog.server())
        moments.append("password asked")
        dialog.password.setText(clinic_copy.template.passwords[server.user])
        dialog.try_connect()
        return dialog.result()

    monkeypatch.setattr(ConnectDialog, "exec", thandi_types_her_password)
    on_server = started(qtbot, settings)
    assert asked == [server]  # the dialog came filled in: only the password to type
    assert moments == ["password asked"]  # and this computer's records were never asked about
    assert isinstance(on_server.workspace.repository, PostgresStore)


def test_a_start_whose_password_dialog_is_cancelled_opens_this_computers_records_and_says_why(
    qtbot: QtBot,
    clinic_copy: ClinicCopy,
    data_dir: Path,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
    moments: list[str],
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(data_dir / "no-pass-file"))
    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())
    settings.set_clinic_conninfo(thandis_server(clinic_copy).conninfo())
    monkeypatch.setattr(ConnectDialog, "exec", lambda dialog: dialog.reject() or dialog.result())
    window = started(qtbot, settings)
    assert window.workspace.repository.local_folder is not None
    assert window.statusBar().currentMessage() == NOT_CONNECTED
    assert moments == ["local unlock asked"]
    assert settings.clinic_conninfo() != ""


def test_a_password_kept_in_the_keyring_logs_in_at_the_next_start(
    qtbot: QtBot,
    clinic_copy: ClinicCopy,
    data_dir: Path,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(data_dir / "no-pass-file"))  # this computer keeps no pass file
    memory = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", memory)  # the system's keyring is never touched
    server = thandis_server(clinic_copy)
    password = clinic_copy.template.passwords[server.user]
    window = local_window(qtbot, data_dir, settings)

    dialog = connect_from_the_menu(window, monkeypatch, server, password, keep=True)

    assert dialog.result() == ConnectDialog.DialogCode.Accepted
    assert memory.passwords == {(KEYRING_SERVICE, server.keyring_account()): password}
    settings.sync()
    assert password not in (tmp_path / "settings.ini").read_text(encoding="utf-8")
    opened_on_the_server(qtbot, actions_of(window)).close()
    remember_until_quit(server.keyring_account(), None)  # Backmap quit: only the keyring keeps it now
    again = started(qtbot, settings)
    assert isinstance(again.workspace.repository, PostgresStore)


class LockedKeyring(MemoryKeyring):
    """A keyring that will not take a password (locked, or refused by the desktop)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the keyring is locked")


def test_a_keyring_that_refuses_the_password_is_told_and_the_connection_stands(
    qtbot: QtBot, clinic_copy: ClinicCopy, data_dir: Path, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(data_dir / "no-pass-file"))
    monkeypatch.setattr(keyring.core, "_keyring_backend", LockedKeyring())
    server = thandis_server(clinic_copy)
    window = local_window(qtbot, data_dir, settings)
    connect_from_the_menu(window, monkeypatch, server, clinic_copy.template.passwords[server.user], keep=True)
    on_server = opened_on_the_server(qtbot, actions_of(window))
    assert on_server.isVisible()
    assert on_server.statusBar().currentMessage() == (
        "The keyring could not keep the password (the keyring is locked): it is asked again at the next start."
    )


def test_a_wrong_password_is_one_line_in_the_dialog_and_nothing_changes(
    qtbot: QtBot, clinic_copy: ClinicCopy, data_dir: Path, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(data_dir / "no-pass-file"))
    memory = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", memory)
    window = local_window(qtbot, data_dir, settings)

    dialog = connect_from_the_menu(window, monkeypatch, thandis_server(clinic_copy), "not her password", keep=True)

    assert dialog.result() != ConnectDialog.DialogCode.Accepted
    assert dialog.error.isVisibleTo(dialog)
    assert "password authentication failed" in dialog.error.text()
    assert "\n" not in dialog.error.text()
    assert window.isVisible()
    assert actions_of(window).clinic_window is None
    assert settings.clinic_conninfo() == ""
    assert memory.passwords == {}


@pytest.mark.parametrize(
    ("server", "said"),
    [
        (ClinicServer("records.clinic.example", 5432, "clinic", "thandi", "prefer"), "sslmode=verify-full"),
        (ClinicServer("127.0.0.1", _free_port(), "clinic", "thandi", "prefer"), "cannot reach the clinic server"),
    ],
    ids=["elsewhere without checked TLS", "server down"],
)
def test_a_server_that_cannot_be_reached_safely_is_one_line_in_the_dialog(
    qtbot: QtBot,
    data_dir: Path,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
    server: ClinicServer,
    said: str,
) -> None:
    window = local_window(qtbot, data_dir, settings)
    dialog = connect_from_the_menu(window, monkeypatch, server)
    assert said in dialog.error.text()
    assert "\n" not in dialog.error.text()
    assert window.isVisible()
    assert settings.clinic_conninfo() == ""


def test_the_server_without_tls_is_refused_when_tls_is_asked_for(
    qtbot: QtBot, clinic_copy: ClinicCopy, data_dir: Path, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = local_window(qtbot, data_dir, settings)
    dialog = connect_from_the_menu(window, monkeypatch, thandis_server(clinic_copy, "verify-full"))
    assert "server does not support SSL, but SSL was required" in dialog.error.text()
    assert window.isVisible()
    assert actions_of(window).clinic_window is None


def test_a_dialog_left_empty_says_what_is_missing(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> None:
    window = local_window(qtbot, data_dir, settings)
    dialog = ConnectDialog(None, actions_of(window).log_in, window)
    assert dialog.tls.currentData() == "verify-full"  # the strict check unless she chooses otherwise
    dialog.try_connect()
    assert dialog.error.text() == "Fill in the server, the database and your login."
