"""The front desk on the clinic server (issue 19, point 3): a receptionist's window lists the clients, shows one's
name, date of birth, contact and consent, edits them and books a new client for a therapist, and never asks the
server for a treatment record; a therapist's window is the usual one (the rest of tests/ui)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from app.domain.records import Consent
from app.storage.postgres.clinic import Person, add_person
from app.ui.application import create_application, create_main_window
from app.ui.clients.client_dialog import ClientDialog
from app.ui.display_dates import day_text
from app.ui.main_window import MainWindow
from app.ui.workspace.widget import RECEPTION_LINE
from tests.clinic.template import ClinicCopy
from tests.e2e.consult_driver import ini_settings
from tests.ui.answers import Answers

pytestmark = pytest.mark.postgres


@pytest.fixture
def rita(clinic_copy: ClinicCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Person:
    """The clinic's receptionist, her password in the pass file with everyone else's."""
    person = Person(f"rita_{secrets.token_hex(3)}", "receptionist", "Rita Reception")
    password = secrets.token_urlsafe(16)
    with clinic_copy.admin() as admin, admin.cursor() as cursor:
        add_person(cursor, person, password)
    template = clinic_copy.template
    pass_file = tmp_path / "pgpass"
    pass_file.write_text(
        template.pass_file.read_text() + f"127.0.0.1:{template.server.port}:*:{person.role}:{password}\n"
    )
    pass_file.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pass_file))
    return person


@pytest.fixture
def ritas_window(
    qtbot: QtBot, clinic_copy: ClinicCopy, rita: Person, tmp_path: Path, answers: Answers
) -> Iterator[MainWindow]:
    create_application([])
    conninfo = clinic_copy.template.conninfo(clinic_copy.database, rita)
    window = create_main_window(None, False, ini_settings(tmp_path), database=conninfo)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.workspace.repository.close()


def dialog_filled(fill: Callable[[ClientDialog], None]) -> Callable[[ClientDialog], int]:
    """ClientDialog.exec as the receptionist uses it: she types, then presses OK."""

    def run(dialog: ClientDialog) -> int:
        fill(dialog)
        dialog.ok_button.click()
        return dialog.result()

    return run


def ritas_audit_actions(clinic_copy: ClinicCopy, rita: Person) -> list[str]:
    with clinic_copy.admin() as admin:
        found = admin.execute("SELECT action FROM backmap.audit_log WHERE by_role = %s ORDER BY id", (rita.role,))
        return [str(action) for (action,) in found]


def test_reception_sees_a_clients_details_and_consent_and_nothing_of_their_treatment(
    qtbot: QtBot, clinic_copy: ClinicCopy, rita: Person, ritas_window: MainWindow, answers: Answers
) -> None:
    thandi = clinic_copy.template.therapists[0]
    with clinic_copy.store_of(thandi) as hers:
        ana = hers.create_client(
            "Ana Example", born=dt.date(1990, 5, 17), phone="082 555 0100", consent=Consent(dt.date(2026, 11, 20), "1")
        )
        hers.start_session(ana.id, therapist="Thandi M", position="prone")
    workspace = ritas_window.workspace
    workspace.refresh_clients()
    assert workspace.clients.model.rowCount() == 1

    workspace.decisions.open_client(ana.id)

    assert workspace.client_header.text() == "Ana Example"
    details = workspace.reception_details.text()
    assert "082 555 0100" in details
    assert day_text(dt.date(1990, 5, 17)) in details
    assert f"given on {day_text(dt.date(2026, 11, 20))}" in details
    assert workspace.reception_note.text() == RECEPTION_LINE
    assert workspace.reception_note.isVisible()
    for treating in (workspace.start_button, workspace.mode_bar, workspace.pages, workspace.banner):
        assert not treating.isVisible()
    menus = ritas_window.menus
    offered = {action.text() for name in ("File", "Client", "Session", "View") for action in menus[name].actions()}
    assert not offered & {"Start session", "Export client…", "Safety screening…", "Delete client for good…"}
    assert not offered & {"Finalise session", "Consult", "History"}
    assert answers.shown == []
    assert "read" not in ritas_audit_actions(clinic_copy, rita)  # no treatment record was opened


def test_reception_edits_a_phone_number_and_books_a_client_for_a_therapist(
    qtbot: QtBot,
    clinic_copy: ClinicCopy,
    rita: Person,
    ritas_window: MainWindow,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thandi = clinic_copy.template.therapists[0]
    with clinic_copy.store_of(thandi) as hers:
        ana = hers.create_client("Ana Example", phone="082 555 0100")
    workspace = ritas_window.workspace
    workspace.refresh_clients()
    workspace.decisions.open_client(ana.id)

    def new_phone(dialog: ClientDialog) -> None:
        dialog.phone_edit.setText("082 555 0199")

    monkeypatch.setattr(ClientDialog, "exec", dialog_filled(new_phone))
    workspace.decisions.edit_client()
    assert "082 555 0199" in workspace.reception_details.text()

    def new_client(dialog: ClientDialog) -> None:
        dialog.name_edit.setText("Ben Booked")
        dialog.phone_edit.setText("083 555 0111")

    offered: list[list[str]] = []

    def choose_thandi(_parent: object, _title: str, _label: str, items: list[str], *_rest: object) -> tuple[str, bool]:
        offered.append(items)
        return next(item for item in items if thandi.role in item), True

    monkeypatch.setattr(ClientDialog, "exec", dialog_filled(new_client))
    monkeypatch.setattr(QInputDialog, "getItem", choose_thandi)
    workspace.decisions.new_client()

    assert workspace.client_header.text() == "Ben Booked"
    assert answers.shown == []
    assert len(offered[0]) == 3  # the clinic's two therapists and its owner
    with clinic_copy.store_of(thandi) as hers:
        found = {client.name: client for client in hers.list_clients()}
    assert found["Ana Example"].phone == "082 555 0199"
    assert found["Ben Booked"].phone == "083 555 0111"  # Thandi's client: she sees it
    assert "read" not in ritas_audit_actions(clinic_copy, rita)
