"""The full integrity check runs in the background once the window is usable and speaks up only about damage."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.e2e.consult_driver import ini_settings, open_window
from tests.storage.faults import damage_data, db_path, fill
from tests.ui.answers import Answers


def test_damage_found_in_the_background_is_reported_and_stops_writes(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, answers: Answers
) -> None:
    fill(data_dir)
    damage_data(db_path(data_dir))
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))  # opening does not read the damaged rows
    workspace = window.workspace
    with qtbot.waitSignal(workspace.recordsChecked, timeout=60_000) as checked:
        workspace.check_records_in_background()
    assert checked.args is not None
    assert checked.args[0] != []
    (kind, title, text) = answers.shown[-1]
    assert (kind, title) == ("critical", "The records are damaged")
    assert "nothing more is written to it" in text
    assert "backmap restore" in text
    assert workspace.read_only_banner.isVisible()
    assert workspace.read_only_banner.text().startswith("Read-only: the database ")
    answers.shown.clear()
    workspace.decisions.open_client(workspace.repository.list_clients()[0].id)
    workspace.decisions.start_session()  # refused, saying why
    assert "is damaged" in answers.texts()
    workspace.repository.close()


def test_a_sound_file_gets_a_word_in_the_status_bar(qtbot: QtBot, data_dir: Path, tmp_path: Path) -> None:
    fill(data_dir, sessions=2)
    window = open_window(qtbot, data_dir, ini_settings(tmp_path))
    with qtbot.waitSignal(window.workspace.recordsChecked, timeout=60_000):
        window.workspace.check_records_in_background()
    assert window.statusBar().currentMessage() == "Records checked: no damage found."
    assert not window.workspace.read_only_banner.isVisible()
    window.workspace.repository.close()
