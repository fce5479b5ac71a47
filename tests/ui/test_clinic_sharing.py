"""Client → Share with a colleague… on the clinic server (issue 19, point 3): Thandi ticks Pieter and he finds
Ana in his list; she unticks him and Ana is gone from it. Pieter, whose client Ana is not, finds the menu entry
disabled; were the dialog opened anyway, he is told he may not share her, and it stays open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from app.domain.records import Client, Consent
from app.storage.postgres.store import PostgresStore
from app.ui.application import create_application, create_main_window
from app.ui.clinic.sharing import SharingDialog
from app.ui.main_window import MainWindow
from tests.clinic.template import ClinicCopy
from tests.e2e.consult_driver import ini_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def thandi(clinic_copy: ClinicCopy) -> Iterator[PostgresStore]:
    with clinic_copy.store_of(clinic_copy.template.therapists[0]) as store:
        yield store


@pytest.fixture
def pieter(clinic_copy: ClinicCopy) -> Iterator[PostgresStore]:
    with clinic_copy.store_of(clinic_copy.template.therapists[1]) as store:
        yield store


@pytest.fixture
def ana(thandi: PostgresStore) -> Client:
    """Thandi's client."""
    return thandi.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))


def listed(store: PostgresStore) -> list[str]:
    return [client.name for client in store.list_clients()]


def test_thandi_ticks_pieter_he_finds_ana_she_unticks_him_she_is_gone(
    qtbot: QtBot, clinic_copy: ClinicCopy, thandi: PostgresStore, pieter: PostgresStore, ana: Client
) -> None:
    olga_person, pieter_person = clinic_copy.template.owner, clinic_copy.template.therapists[1]
    dialog = SharingDialog(thandi, ana)
    qtbot.addWidget(dialog)
    assert sorted(dialog.boxes) == sorted([olga_person.role, pieter_person.role])
    assert dialog.boxes[pieter_person.role].text() == f"Pieter K (therapist, {pieter_person.role})"
    assert not any(box.isChecked() for box in dialog.boxes.values())

    dialog.boxes[pieter_person.role].setChecked(True)
    dialog.apply()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert listed(pieter) == ["Ana Example"]

    again = SharingDialog(thandi, ana)
    qtbot.addWidget(again)
    assert again.boxes[pieter_person.role].isChecked()
    assert not again.boxes[olga_person.role].isChecked()
    again.boxes[pieter_person.role].setChecked(False)
    again.apply()
    assert listed(pieter) == []


def test_pieter_may_not_share_thandis_client_and_is_told_so(
    qtbot: QtBot, clinic_copy: ClinicCopy, thandi: PostgresStore, pieter: PostgresStore, ana: Client
) -> None:
    thandi.share_client(ana.id, clinic_copy.template.therapists[1].role)
    dialog = SharingDialog(pieter, ana)
    qtbot.addWidget(dialog)
    dialog.boxes[clinic_copy.template.owner.role].setChecked(True)
    dialog.apply()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisibleTo(dialog)
    assert "only the client's therapist or the owner shares client" in dialog.error.text()
    assert thandi.shared_with(ana.id) == pieter.shared_with(ana.id)  # Pieter's alone, unchanged


def test_the_client_menu_on_the_server_shares_the_client_shown(
    qtbot: QtBot, clinic_copy: ClinicCopy, pieter: PostgresStore, ana: Client, tmp_path: Path
) -> None:
    create_application([])
    conninfo = clinic_copy.template.conninfo(clinic_copy.database, clinic_copy.template.therapists[0])
    window = create_main_window(None, demo=False, settings=ini_settings(tmp_path), database=conninfo)
    qtbot.addWidget(window)
    try:
        menu = [action.text() for action in window.menus["Client"].actions()]
        shown_last = ["Share with a colleague…", "", "Delete client for good…"]  # the erasure stays last
        assert menu[menu.index("Share with a colleague…") :] == shown_last
        window.workspace.decisions.open_client(ana.id)

        def tick_pieter() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, SharingDialog)
            dialog.boxes[clinic_copy.template.therapists[1].role].setChecked(True)
            dialog.apply()

        QTimer.singleShot(0, tick_pieter)
        share = next(action for action in window.menus["Client"].actions() if action.text().startswith("Share"))
        share.trigger()
        assert listed(pieter) == ["Ana Example"]
    finally:
        window.close()  # ends the listener's login before the database is dropped


def share_entry_as_the_client_menu_opens(window: MainWindow) -> bool:
    """Whether Client → Share with a colleague… can be chosen when the therapist opens the Client menu."""
    menu = window.menus["Client"]
    menu.popup(window.mapToGlobal(window.rect().center()))
    share = next(action for action in menu.actions() if action.text() == "Share with a colleague…")
    enabled = share.isEnabled()
    menu.close()
    return enabled


def test_the_share_entry_is_thandis_for_her_client_and_disabled_for_pieter_she_shared_it_with(
    qtbot: QtBot, clinic_copy: ClinicCopy, thandi: PostgresStore, ana: Client, tmp_path: Path
) -> None:
    thandi.share_client(ana.id, clinic_copy.template.therapists[1].role)
    create_application([])
    template = clinic_copy.template
    windows = {
        person.role: create_main_window(
            None,
            demo=False,
            settings=ini_settings(tmp_path / person.role),
            database=template.conninfo(clinic_copy.database, person),
        )
        for person in (*template.therapists, template.owner)
    }
    try:
        for window in windows.values():
            qtbot.addWidget(window)
            window.show()
            assert not share_entry_as_the_client_menu_opens(window)  # no client open yet
            window.workspace.decisions.open_client(ana.id)
        thandi_role, pieter_role = (person.role for person in template.therapists)
        assert share_entry_as_the_client_menu_opens(windows[thandi_role])  # her client
        assert share_entry_as_the_client_menu_opens(windows[template.owner.role])  # the owner's clinic
        assert not share_entry_as_the_client_menu_opens(windows[pieter_role])  # shared with him, not his
    finally:
        for window in windows.values():
            window.close()  # ends each listener's login before the database is dropped
