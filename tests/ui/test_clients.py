"""The client list pane and the new client / client details dialog, driven like a user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.domain.privacy_notice import load_privacy_notice
from app.domain.records import Client, Consent
from app.storage.sqlite_store import SqliteStore
from app.ui.clients.client_dialog import ClientDialog
from app.ui.clients.client_list import ClientListPane
from app.ui.clients.privacy_notice import PrivacyNoticeDialog

TODAY = dt.date(2026, 11, 20)
CLIENTS = (
    Client("id-ana", "Ana Example", dt.date(1980, 4, 2)),
    Client("id-zoe", "Zoë Ñúñez"),
    Client("id-ben", "Ben Other", dt.date(1975, 1, 9)),
)


def make_pane(qtbot: QtBot, data_dir: Path, clients: Sequence[Client] = CLIENTS) -> ClientListPane:
    """The pane on the repository's own search, as the main window wires it."""
    repository = SqliteStore.open(data_dir)
    for client in clients:
        repository.create_client(client.name, born=client.born, client_id=client.id, consent=client.consent)
    pane = ClientListPane(repository.search_clients)
    qtbot.addWidget(pane)
    pane.show()
    pane.activateWindow()
    qtbot.waitExposed(pane)
    return pane


def listed_names(pane: ClientListPane) -> list[str]:
    return [pane.model.client_at(row).name for row in range(pane.model.rowCount())]


def test_the_list_shows_every_client_with_date_of_birth_for_screen_readers(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    assert listed_names(pane) == ["Ana Example", "Ben Other", "Zoë Ñúñez"]
    first = pane.model.index(0)
    assert pane.model.data(first, Qt.ItemDataRole.AccessibleTextRole) == "Ana Example — born 1980-04-02"
    assert pane.model.data(pane.model.index(2)) == "Zoë Ñúñez\ndate of birth not given"
    assert pane.list_view.accessibleName() == "Clients"
    assert pane.search_box.accessibleName() == "Search clients"


def test_typing_filters_the_list_ignoring_case_and_accents(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    pane.search_box.setFocus()
    qtbot.keyClicks(pane.search_box, "NUNE")
    qtbot.waitUntil(lambda: listed_names(pane) == ["Zoë Ñúñez"])
    qtbot.keyClicks(pane.search_box, "x")
    qtbot.waitUntil(lambda: pane.empty_label.isVisible())
    assert listed_names(pane) == []
    assert "No client matches “NUNEx”" in pane.empty_label.text()


def test_down_moves_into_the_list_and_enter_chooses(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    pane.search_box.setFocus()
    qtbot.keyClicks(pane.search_box, "b")
    qtbot.keyClick(pane.search_box, Qt.Key.Key_Down)  # before the debounce ran: the search runs first
    qtbot.waitUntil(pane.list_view.hasFocus)
    assert listed_names(pane) == ["Ben Other"]
    with qtbot.waitSignal(pane.clientChosen) as chosen:
        qtbot.keyClick(pane.list_view, Qt.Key.Key_Return)
    assert chosen.args == ["id-ben"]


def test_enter_in_the_search_box_chooses_the_first_match(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    qtbot.keyClicks(pane.search_box, "ana")
    with qtbot.waitSignal(pane.clientChosen) as chosen:
        qtbot.keyClick(pane.search_box, Qt.Key.Key_Enter)
    assert chosen.args == ["id-ana"]


def test_a_click_chooses_and_select_does_not_emit(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    with qtbot.assertNotEmitted(pane.clientChosen):
        pane.select("id-zoe")
    assert pane.selected_id() == "id-zoe"
    ben = pane.list_view.visualRect(pane.model.index(1)).center()
    with qtbot.waitSignal(pane.clientChosen) as chosen:
        qtbot.mouseClick(pane.list_view.viewport(), Qt.MouseButton.LeftButton, pos=ben)
    assert chosen.args == ["id-ben"]


def test_refresh_shows_a_new_client_and_keeps_the_selection(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    pane.select("id-zoe")
    with SqliteStore.open(data_dir) as elsewhere:  # e.g. the new-client dialog's save
        elsewhere.create_client("Aaron New", client_id="id-aaron")
    pane.refresh()
    assert listed_names(pane)[0] == "Aaron New"
    assert pane.selected_id() == "id-zoe"


def test_new_client_button(qtbot: QtBot, data_dir: Path) -> None:
    pane = make_pane(qtbot, data_dir)
    with qtbot.waitSignal(pane.newClientRequested):
        qtbot.mouseClick(pane.new_button, Qt.MouseButton.LeftButton)


def make_dialog(qtbot: QtBot, client: Client | None = None) -> ClientDialog:
    dialog = ClientDialog(load_privacy_notice("Harbour Bodywork"), client, today=TODAY, new_id=lambda: "new-id")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    return dialog


def test_create_a_client_with_consent(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.windowTitle() == "New client"
    assert not dialog.ok_button.isEnabled()  # no name yet
    qtbot.keyClicks(dialog.name_edit, "  ")
    assert not dialog.ok_button.isEnabled()  # blank is not a name
    qtbot.keyClicks(dialog.name_edit, "Ana Example")
    qtbot.keyClicks(dialog.born_edit.line_edit, "1980-04-02")
    qtbot.keyClicks(dialog.phone_edit, "021 555 0100")
    qtbot.keyClicks(dialog.email_edit, "ana@example.org")
    assert "age 46" in dialog.age_label.text()
    assert dialog.guardian_edit.isHidden()  # an adult consents for themselves
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert dialog.consent_box.isChecked()
    assert "privacy notice" in dialog.consent_box.accessibleName()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.client_record() == Client(
        id="new-id",
        name="Ana Example",
        born=dt.date(1980, 4, 2),
        phone="021 555 0100",
        email="ana@example.org",
        consent=Consent(date=TODAY, notice_version="1", guardian=""),
    )


def test_clicking_the_consent_words_ticks_the_box(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.mouseClick(dialog.consent_text, Qt.MouseButton.LeftButton)
    assert dialog.consent_box.isChecked()


def test_a_client_without_consent_has_none_recorded(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.keyClicks(dialog.name_edit, "Ben Other")
    assert "record no health information" in dialog.consent_record_label.text()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.client_record().consent is None


def test_a_minor_needs_a_named_guardian_to_consent(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.keyClicks(dialog.name_edit, "Sam Young")
    qtbot.keyClicks(dialog.born_edit.line_edit, "01/05/2012")
    assert dialog.minor()
    assert dialog.guardian_edit.isVisible()
    assert "parent or guardian" in dialog.consent_text.text()
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert dialog.guardian_problem.isVisible()
    assert "enter the name of the parent or guardian" in dialog.guardian_problem.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted  # Enter cannot get round the check
    qtbot.keyClicks(dialog.guardian_edit, "Pat Young")
    assert not dialog.guardian_problem.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.client_record().consent == Consent(date=TODAY, notice_version="1", guardian="Pat Young")


def test_a_future_date_of_birth_and_a_bad_email_are_shown_and_block_saving(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.keyClicks(dialog.name_edit, "Ana")
    qtbot.keyClicks(dialog.born_edit.line_edit, "2027-12-31")
    qtbot.keyClicks(dialog.email_edit, "ana.example.org")
    assert "in the future" in dialog.born_problem.text()
    assert "name@example.org" in dialog.email_problem.text()
    assert not dialog.ok_button.isEnabled()
    dialog.born_edit.line_edit.selectAll()
    qtbot.keyClick(dialog.born_edit.line_edit, Qt.Key.Key_Delete)
    assert dialog.born_edit.value() is None
    dialog.email_edit.clear()
    assert dialog.ok_button.isEnabled()


def test_editing_a_client_keeps_its_id_and_the_consent_on_file(qtbot: QtBot) -> None:
    consent = Consent(date=dt.date(2025, 1, 10), notice_version="0")
    client = Client("id-ana", "Ana Example", dt.date(1980, 4, 2), "", "", consent)
    dialog = make_dialog(qtbot, client)
    assert dialog.windowTitle() == "Client details"
    assert "recorded on Friday 10 January 2025" in dialog.consent_record_label.text()
    assert ".." not in dialog.consent_record_label.text()
    assert "The notice has changed since" in dialog.consent_record_label.text()
    dialog.phone_edit.setFocus()
    qtbot.keyClicks(dialog.phone_edit, "021 555 0100")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.client_record() == Client("id-ana", "Ana Example", dt.date(1980, 4, 2), "021 555 0100", "", consent)


def test_consent_withdrawn_and_given_again_is_dated_today(qtbot: QtBot) -> None:
    client = Client("id-ana", "Ana Example", consent=Consent(dt.date(2025, 1, 10), "0"))
    dialog = make_dialog(qtbot, client)
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert dialog.consent() is None
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    assert dialog.consent() == Consent(TODAY, "1")


def test_the_privacy_notice_opens_from_the_dialog(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.mouseClick(dialog.notice_button, Qt.MouseButton.LeftButton)
    notice = dialog.findChild(PrivacyNoticeDialog)
    assert notice is not None
    qtbot.waitUntil(notice.isVisible)
    assert "Harbour Bodywork" in notice.browser.toPlainText()
