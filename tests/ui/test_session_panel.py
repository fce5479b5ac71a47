"""The consult's session panel and the amend dialog, built from the session fields' descriptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain.records import Session, Soap
from app.domain.session_fields import SCALAR_FIELDS, SessionField
from app.ui.consult.amend_dialog import AmendDialog
from app.ui.consult.session_panel import SessionPanel
from tests.e2e.consult_driver import by_name

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
MEDIA = ("unscented lotion", "jojoba", "none")
SESSION = Session(
    id="s1",
    start=START,
    minutes=45,
    position="side-lying",
    medium="jojoba",
    soap=Soap(subjective="stiff neck since Monday", plan="back in two weeks", pain_before=6),
    shared_note="Stretch your neck every hour.",
)
EDITED = [field for field in SCALAR_FIELDS if field.editor is not None]


def _widget(root: QWidget, field: SessionField) -> QWidget:
    return by_name(root, QWidget, field.spoken)


def _shown(widget: QWidget) -> Any:
    if isinstance(widget, QSpinBox):
        return None if widget.value() == widget.minimum() and widget.specialValueText() else widget.value()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    assert isinstance(widget, QLineEdit)
    return widget.text()


def _type(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QSpinBox):
        widget.setValue(value)
    elif isinstance(widget, QComboBox):
        widget.setCurrentText(value)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    else:
        assert isinstance(widget, QLineEdit)
        widget.setText(value)


def test_the_panel_shows_each_described_field_of_the_session_under_its_spoken_name(qtbot: QtBot) -> None:
    panel = SessionPanel(MEDIA)
    qtbot.addWidget(panel)
    panel.show_session(SESSION, editable=True)
    assert {field.name: _shown(_widget(panel, field)) for field in EDITED} == {
        field.name: SESSION.field_value(field.name) for field in EDITED
    }
    panel.show_session(None, editable=False)  # nothing of that session stays on screen
    # A choice with nothing recorded shows the first one (the medium's list has no empty line).
    assert {field.name: _shown(_widget(panel, field)) for field in EDITED} == {
        **{field.name: field.default for field in EDITED},
        "medium": MEDIA[0],
    }


def test_an_edit_in_the_panel_names_its_field_and_loading_a_session_edits_nothing(qtbot: QtBot) -> None:
    panel = SessionPanel(MEDIA)
    qtbot.addWidget(panel)
    edits: list[tuple[str, object]] = []
    panel.fieldEdited.connect(lambda name, value: edits.append((name, value)))
    panel.show_session(SESSION, editable=True)
    assert edits == []
    typed = {
        "minutes": 90,
        "position": "seated",
        "medium": "none",
        "soap.pain_after": 2,
        "soap.objective": "tight left trapezius",
        "shared_note": "Drink water.",
    }
    for field in EDITED:
        if field.name in typed:
            _type(_widget(panel, field), typed[field.name])
    panel.flush_pending()  # typed text is saved after a pause, or now
    assert dict(edits) == typed


def test_a_saved_field_shown_again_leaves_every_other_field_as_it_is_on_screen(qtbot: QtBot) -> None:
    # Text typed in one note and not yet saved (it waits for a pause) stays while another field's save shows.
    panel = SessionPanel(MEDIA)
    qtbot.addWidget(panel)
    panel.show_session(SESSION, editable=True)
    objective = _widget(panel, next(field for field in EDITED if field.name == "soap.objective"))
    assert isinstance(objective, QPlainTextEdit)
    objective.setFocus()
    qtbot.keyClicks(objective, "tight left trapezius")
    saved = SESSION.with_field("minutes", 90)
    panel.show_session(saved, editable=True)
    assert _shown(_widget(panel, EDITED[0])) == 90
    assert objective.toPlainText() == "tight left trapezius"


def test_the_amend_dialog_offers_the_free_text_fields_and_asks_why(qtbot: QtBot) -> None:
    session = Session(id="s1", start=START, soap=Soap(assessment="went well"), finalised=START)
    dialog = AmendDialog(session)
    qtbot.addWidget(dialog)
    choice = by_name(dialog, QComboBox, "Field to amend")
    amended = by_name(dialog, QPlainTextEdit, "Amended text")
    offered = [choice.itemData(index) for index in range(choice.count())]
    assert offered == [field.name for field in SCALAR_FIELDS if field.editor in ("note", "line")]
    choice.setCurrentIndex(offered.index("soap.assessment"))
    assert amended.toPlainText() == "went well"
    amended.setPlainText("went well; bruising reported the next day")
    by_name(dialog, QLineEdit, "Reason for the amendment").setText("client called")
    request = dialog.request()
    assert (request.field, request.after, request.reason) == (
        "soap.assessment",
        "went well; bruising reported the next day",
        "client called",
    )
