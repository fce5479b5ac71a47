"""A consult as a therapist does it, on the real main window: client, screening, marks, a brush stroke, notes,
undo; then the app is closed and opened again on the same data folder and shows exactly the same."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QGraphicsPathItem, QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.domain.brush import tensions_from_stroke
from app.domain.records import Consent, FlagEntry, Intake
from app.domain.regions import RegionMap, load_region_map
from app.resources import map_svg_path
from app.storage.sqlite_store import SqliteStore
from app.ui.application import create_main_window
from app.ui.body_map.view import SETTLED_STROKE_ALPHA
from app.ui.clients.client_dialog import ClientDialog
from app.ui.clients.intake_dialog import IntakeDialog
from app.ui.main_window import MainWindow
from tests.e2e.consult_driver import (
    by_name,
    click_region,
    fill_dialogs,
    ini_settings,
    open_window,
    shown_state,
)

CLIENT_NAME = "Ana Example"


def new_client_on_blood_thinners(dialog: ClientDialog, qtbot: QtBot) -> None:
    qtbot.keyClicks(dialog.name_edit, CLIENT_NAME)
    qtbot.mouseClick(dialog.consent_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def tick_blood_thinners(dialog: IntakeDialog, qtbot: QtBot) -> None:
    row = next(row for row in dialog.flag_rows if row.info.id == "blood_thinners")
    row.checkbox.setChecked(True)  # a click in a scroll area lands wherever it was scrolled; the tick is the point
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def type_and_save(qtbot: QtBot, field: QPlainTextEdit, text: str, saved: object) -> None:
    """Types into a field, then waits for the debounce to write it (the check reads the disk)."""
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.waitUntil(saved, timeout=3000)  # type: ignore[arg-type]


def zigzag_across_lower_back(region_map: RegionMap) -> list[tuple[float, float]]:
    """Map points sweeping up and down from the left lower back to the right one."""
    (left, y), (right, _) = region_map.info("lower_back_l").anchor, region_map.info("lower_back_r").anchor
    passes = 10
    return [
        (left - 22 + (right - left + 44) * index / passes, y - 48 if index % 2 == 0 else y + 52)
        for index in range(passes + 1)
    ]


def paint_zigzag(qtbot: QtBot, window: MainWindow, points: list[tuple[float, float]]) -> None:
    view = window.workspace.consult.map_view
    viewport = view.viewport()
    corners = [view.map_to_view(x, y).toPoint() for x, y in points]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=corners[0])
    for start, end in pairwise(corners):
        for step in range(1, 6):
            qtbot.mouseMove(viewport, start + (end - start) * step / 5)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=corners[-1])


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "settings"
    folder.mkdir()
    return folder


def test_a_whole_consult_survives_closing_and_reopening_the_app(
    qtbot: QtBot, data_dir: Path, settings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region_map = load_region_map(map_svg_path())
    fill_dialogs(
        monkeypatch,
        qtbot,
        client=lambda dialog: new_client_on_blood_thinners(dialog, qtbot),
        intake=lambda dialog: tick_blood_thinners(dialog, qtbot),
    )
    window = open_window(qtbot, data_dir, ini_settings(settings_dir))
    page, view, repo = window.workspace.consult, window.workspace.consult.map_view, window.workspace.repository

    # A new client with consent, screened: blood thinners -> modify.
    window.workspace.decisions.new_client()
    assert window.workspace.client_header.text() == CLIENT_NAME
    assert window.workspace.banner.text().startswith("Modify")
    qtbot.mouseClick(window.workspace.start_button, Qt.MouseButton.LeftButton)
    session_id = window.workspace.controller.session.id if window.workspace.controller.session else ""
    assert session_id

    def disk_marks(layer: str = "therapist") -> dict[str, int]:
        session = repo.get_session(session_id)
        return {region: mark.tension for region, mark in session.layer(layer).items()}  # type: ignore[arg-type]

    # The left upper trapezius, clicked where it is drawn; 7 on the map.
    click_region(qtbot, window, region_map, "trapezius_upper_l")
    assert view.hasFocus()
    guidance = by_name(page, QLabel, "Techniques and cautions for this region").text()
    assert "at most 2" in guidance  # blood thinners cap the pressure at 2
    qtbot.keyClick(view, Qt.Key.Key_7)
    assert disk_marks() == {"trapezius_upper_l": 7}
    assert view.shown("trapezius_upper_l")[1] == "7"

    # The client's own layer: they say their right rhomboid is a 4.
    qtbot.mouseClick(by_name(page, type(page.brush_button), "Edit the client's layer"), Qt.MouseButton.LeftButton)
    click_region(qtbot, window, region_map, "rhomboid_r")
    qtbot.keyClick(view, Qt.Key.Key_4)
    assert disk_marks("client") == {"rhomboid_r": 4}
    qtbot.mouseClick(by_name(page, type(page.brush_button), "Edit the therapist's layer"), Qt.MouseButton.LeftButton)
    assert view.shown("rhomboid_r")[1] == "(4)"  # the other layer, in brackets

    # A brush stroke of tension 5 painted back and forth across the lower back (one straight pass of the brush
    # covers under 10 % of each region there, below the 20 % rule).
    qtbot.mouseClick(page.brush_button, Qt.MouseButton.LeftButton)
    assert page.brush_button.isChecked()
    paint_zigzag(qtbot, window, zigzag_across_lower_back(region_map))
    qtbot.mouseClick(page.brush_button, Qt.MouseButton.LeftButton)
    stroke = repo.get_session(session_id).strokes[0]
    expected = tensions_from_stroke(region_map.coverage(stroke.points, stroke.width), 5, {"trapezius_upper_l": 7})
    assert expected, "the stroke across the lower back marks nothing: the test draws in the wrong place"
    assert "spine" not in expected
    assert disk_marks() == {"trapezius_upper_l": 7, **expected}

    # A note on the trapezius and a SOAP note, saved after typing pauses.
    click_region(qtbot, window, region_map, "trapezius_upper_l")
    note_field = by_name(page, QPlainTextEdit, "Region note, therapist only")
    type_and_save(
        qtbot,
        note_field,
        "knot near the neck",
        lambda: repo.get_session(session_id).layer("therapist")["trapezius_upper_l"].note == "knot near the neck",
    )
    subjective = by_name(page, QPlainTextEdit, "Subjective note, therapist only")
    type_and_save(
        qtbot, subjective, "stiff neck since Monday", lambda: repo.get_session(session_id).soap.subjective != ""
    )
    assert repo.get_session(session_id).soap.subjective == "stiff neck since Monday"

    # Ctrl+Z in a text field undoes that field's typing only (the field's own undo): the map and the session's
    # undo history are untouched; Ctrl+Shift+Z brings the typing back and it is saved.
    stack = window.workspace.controller.undo_stack()
    assert stack is not None
    steps = stack.count()
    qtbot.keyClicks(subjective, " and shoulder")
    qtbot.keyClick(subjective, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "shoulder" not in subjective.toPlainText()
    assert stack.count() == steps
    assert disk_marks() == {"trapezius_upper_l": 7, **expected}
    assert repo.get_session(session_id).strokes == (stroke,)
    qtbot.keyClick(subjective, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert subjective.toPlainText() == "stiff neck since Monday and shoulder"
    qtbot.waitUntil(lambda: repo.get_session(session_id).soap.subjective == "stiff neck since Monday and shoulder")

    # On the map, Ctrl+Z undoes the map's last change (a 9 given to the wrong region).
    click_region(qtbot, window, region_map, "scapula_r")
    qtbot.keyClick(view, Qt.Key.Key_9)
    assert disk_marks()["scapula_r"] == 9
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "scapula_r" not in disk_marks())
    assert disk_marks() == {"trapezius_upper_l": 7, **expected}
    assert view.shown("scapula_r") == (None, "")

    before = shown_state(window)
    assert before["strokes"] == 1
    client_id = repo.list_clients()[0].id
    window.close()
    repo.close()

    # The app again, on the same folder and settings: the last client by id, the session exactly as it was.
    again = open_window(qtbot, data_dir, ini_settings(settings_dir))
    assert shown_state(again) == before
    assert again.settings.last_client_id() == client_id
    settings_text = (settings_dir / "settings.ini").read_text(encoding="utf-8")
    assert CLIENT_NAME not in settings_text  # ids only: a name there would leak health data
    click_region(qtbot, again, region_map, "trapezius_upper_l")
    assert (
        by_name(again.workspace.consult, QPlainTextEdit, "Region note, therapist only").toPlainText()
        == "knot near the neck"
    )
    again.workspace.repository.close()


def test_the_demo_never_writes_the_real_settings(qtbot: QtBot, settings_dir: Path) -> None:
    real = ini_settings(settings_dir)
    real.set_last_client_id("a-real-client")
    real.sync()
    before = (settings_dir / "settings.ini").read_bytes()
    window = create_main_window(None, demo=True, settings=real)
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert (settings_dir / "settings.ini").read_bytes() == before
    assert QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat).value(
        "session/last_client_id"
    ) == ("a-real-client")
    window.workspace.repository.close()


def reopened(qtbot: QtBot, data_dir: Path, settings_dir: Path) -> MainWindow:
    return open_window(qtbot, data_dir, ini_settings(settings_dir))


def test_a_deleted_last_client_reopens_to_an_empty_window(qtbot: QtBot, data_dir: Path, settings_dir: Path) -> None:
    settings = ini_settings(settings_dir)
    settings.set_last_client_id("gone")
    with SqliteStore.open(data_dir):
        pass
    window = reopened(qtbot, data_dir, settings_dir)
    assert window.workspace.client_header.text() == "Choose a client, or create one"
    assert not window.workspace.start_button.isEnabled()
    window.workspace.repository.close()


def test_a_note_waits_for_a_rating_and_is_saved_in_its_layer_even_when_the_layer_changes_at_once(
    qtbot: QtBot, data_dir: Path, settings_dir: Path
) -> None:
    window = open_window(qtbot, data_dir, ini_settings(settings_dir))
    repo = window.workspace.repository
    client = repo.create_client(CLIENT_NAME, consent=Consent(dt.date(2026, 11, 20), "1"))
    session = repo.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    region_map = load_region_map(map_svg_path())
    click_region(qtbot, window, region_map, "rhomboid_l")
    note_field = by_name(window.workspace.consult, QPlainTextEdit, "Region note, therapist only")
    assert note_field.isReadOnly()  # not rated yet: a note would have nothing to belong to
    assert note_field.placeholderText().startswith("Give this region a tension first")
    qtbot.keyClick(window.workspace.consult.map_view, Qt.Key.Key_5)
    assert not note_field.isReadOnly()
    note_field.setFocus()
    qtbot.keyClicks(note_field, "guarded")
    # Within the typing pause: the layer buttons do not take the focus, so the field never hears focus-out.
    layer_button = by_name(
        window.workspace.consult, type(window.workspace.consult.brush_button), "Edit the client's layer"
    )
    qtbot.mouseClick(layer_button, Qt.MouseButton.LeftButton)
    assert repo.get_session(session.id).layer("therapist")["rhomboid_l"].note == "guarded"
    assert "rhomboid_l" not in repo.get_session(session.id).layer("client")
    repo.close()


def test_a_region_the_screening_leaves_alone_is_marked_on_the_map(qtbot: QtBot, settings_dir: Path) -> None:
    window = create_main_window(None, demo=True, settings=ini_settings(settings_dir))
    qtbot.addWidget(window)
    window.show()
    workspace = window.workspace
    (client,) = workspace.repository.list_clients()
    # The demo client's old strain has settled; today she strained her left lower back again, lifting.
    assert workspace.banner.text().startswith("Proceed")
    today = dt.date.today()
    workspace.repository.save_intake(
        client.id, Intake(today, flags=(FlagEntry("recent_injury", "lower_back_l", since=today),))
    )
    workspace.decisions.open_client(client.id)
    assert workspace.banner.text().startswith("Modify")
    # The strained muscle and what lies under and beside it: the same-side lower back and its point.
    assert workspace.consult.map_view.withheld_regions() == {
        "lower_back_l",
        "paraspinal_lumbar_l",
        "lower_back_point_l",
    }
    listed = [workspace.consult.region_list.item(row).text() for row in range(workspace.consult.region_list.count())]
    assert len([text for text in listed if "left alone today" in text]) == 3
    window.close()
    window.workspace.repository.close()


def test_a_brush_stroke_says_what_it_marked_outlines_it_and_its_trace_fades(
    qtbot: QtBot, data_dir: Path, settings_dir: Path
) -> None:
    region_map = load_region_map(map_svg_path())
    window = open_window(qtbot, data_dir, ini_settings(settings_dir))
    repo = window.workspace.repository
    client = repo.create_client(CLIENT_NAME, consent=Consent(dt.date(2026, 1, 5), "1"))
    repo.start_session(client.id)
    window.workspace.decisions.open_client(client.id)
    page = window.workspace.consult
    qtbot.mouseClick(page.brush_button, Qt.MouseButton.LeftButton)
    assert "20 %" in page.brush_button.toolTip()

    paint_zigzag(qtbot, window, zigzag_across_lower_back(region_map))

    assert "Lower back (quadratus lumborum), left 5" in page.brush_result.text()
    assert "lower_back_l" in page.map_view.flashing()
    qtbot.waitUntil(lambda: not page.map_view.flashing(), timeout=5000)
    (trace,) = [
        item for item in page.map_view.scene().items() if isinstance(item, QGraphicsPathItem) and item.zValue() == 4
    ]
    qtbot.waitUntil(lambda: trace.pen().color().alpha() == SETTLED_STROKE_ALPHA, timeout=5000)
    repo.close()
