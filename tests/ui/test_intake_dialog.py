"""The screening dialog: pre-filled from an Intake and back exactly; local flags need a region; allergies."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QDialog
from pytestqt.qtbot import QtBot

from app.domain.flag_info import flag_infos
from app.domain.protocol import load_protocol
from app.domain.records import Clearance, FlagEntry, Intake
from app.ui.clients.intake_dialog import FlagRow, IntakeDialog

DAY = dt.date(2026, 11, 20)
FULL_INTAKE = Intake(
    date=DAY,
    flags=(
        FlagEntry("blood_thinners"),
        FlagEntry("recent_injury", region="lower_back_l", since=dt.date(2026, 11, 1)),
        FlagEntry("skin_condition", region="scapula_r"),
    ),
    allergies=("almond", "latex gloves"),
    conditions="Mild asthma; uses an inhaler.",
    clearance=Clearance("Dr N. Example", dt.date(2026, 11, 19), "light pressure only", dt.date(2027, 5, 19)),
)

DEFAULT_FLAGS = flag_infos(load_protocol())


def make_dialog(qtbot: QtBot, intake: Intake | None = None) -> IntakeDialog:
    dialog = IntakeDialog(DEFAULT_FLAGS, intake, day=DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    return dialog


def row(dialog: IntakeDialog, flag: str) -> FlagRow:
    return next(r for r in dialog.flag_rows if r.info.id == flag)


def tick(qtbot: QtBot, dialog: IntakeDialog, flag: str) -> FlagRow:
    """Scrolls the flag into view and clicks its checkbox, as a user would."""
    flag_row = row(dialog, flag)
    dialog.flag_scroll.ensureWidgetVisible(flag_row.checkbox)
    # On its words (a wide checkbox is only clickable on its box and text, like any checkbox).
    qtbot.mouseClick(flag_row.checkbox, Qt.MouseButton.LeftButton, pos=QPoint(30, flag_row.checkbox.height() // 2))
    return flag_row


def click_words(qtbot: QtBot, checkbox: QCheckBox) -> None:
    """A wide checkbox is clickable on its box and words only, like any checkbox."""
    qtbot.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=QPoint(30, checkbox.height() // 2))


def save(qtbot: QtBot, dialog: IntakeDialog) -> Intake:
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog.intake_record()


def test_an_existing_intake_is_shown_and_comes_back_exactly(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, FULL_INTAKE)
    assert row(dialog, "blood_thinners").checkbox.isChecked()
    injury = row(dialog, "recent_injury")
    assert injury.local_box.isVisible()
    assert injury.region_combo is not None
    assert injury.region_combo.currentText() == "Lower back (quadratus lumborum), left"
    assert not row(dialog, "fever").checkbox.isChecked()
    assert dialog.clearance_group.isChecked()
    assert dialog.clearance_by.text() == "Dr N. Example"
    assert save(qtbot, dialog) == FULL_INTAKE


def test_flags_keep_their_order_and_a_second_injury_the_form_cannot_show_is_kept(qtbot: QtBot) -> None:
    intake = Intake(
        date=DAY,
        flags=(
            FlagEntry("fever"),
            FlagEntry("recent_injury", region="neck_l"),
            FlagEntry("recent_injury", region="neck_r", since=dt.date(2026, 10, 1)),  # a second injury
            FlagEntry("blood_thinners"),
        ),
    )
    dialog = make_dialog(qtbot, intake)
    assert dialog.kept_label.isVisible()
    assert "Neck, right" in dialog.kept_label.text()
    assert save(qtbot, dialog) == intake


def test_an_untouched_screening_is_saved_only_once_reviewed_with_the_client(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert not dialog.ok_button.isEnabled()
    assert "none of these apply" in dialog.blank_problem.text()
    qtbot.keyClick(dialog.clearance_by, Qt.Key.Key_Return)  # Enter does not get round it
    assert dialog.result() != QDialog.DialogCode.Accepted
    click_words(qtbot, dialog.none_apply)
    assert save(qtbot, dialog) == Intake(date=DAY)


def test_none_of_these_apply_cannot_stand_beside_a_ticked_flag(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    click_words(qtbot, dialog.none_apply)
    tick(qtbot, dialog, "fever")
    assert not dialog.none_apply.isChecked()
    assert not dialog.none_apply.isEnabled()
    assert save(qtbot, dialog).flags == (FlagEntry("fever"),)


def test_a_new_visits_screening_is_a_new_dated_one_that_starts_from_the_last(qtbot: QtBot) -> None:
    last_week = dataclasses.replace(FULL_INTAKE, date=DAY - dt.timedelta(days=7))
    dialog = make_dialog(qtbot, last_week)
    assert dialog.carried_label.isVisible()
    assert "Friday 13 November 2026" in dialog.carried_label.text()
    assert dialog.date_edit.value() == DAY
    assert save(qtbot, dialog) == dataclasses.replace(last_week, date=DAY)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1957-03-14", dt.date(1957, 3, 14)), ("14/03/1957", dt.date(1957, 3, 14)), ("3/4/1957", dt.date(1957, 4, 3))],
)
def test_an_onset_is_stored_as_typed(qtbot: QtBot, typed: str, stored: dt.date) -> None:
    dialog = make_dialog(qtbot, Intake(DAY, (FlagEntry("skin_condition", "sacrum"),)))
    skin = row(dialog, "skin_condition")
    assert skin.onset_edit is not None
    qtbot.keyClicks(skin.onset_edit.line_edit, typed)
    assert save(qtbot, dialog).flags == (FlagEntry("skin_condition", "sacrum", stored),)


@pytest.mark.parametrize("typed", ["03/14/1957", "14.03.57", "1957-02-30", "yesterday"])
def test_a_date_that_is_not_one_is_refused_visibly(qtbot: QtBot, typed: str) -> None:
    dialog = make_dialog(qtbot)
    dialog.clearance_group.setChecked(True)
    qtbot.keyClicks(dialog.clearance_by, "Dr N. Example")
    dialog.clearance_date.line_edit.clear()
    qtbot.keyClicks(dialog.clearance_date.line_edit, typed)
    assert dialog.clearance_date.problem_label.isVisible()
    assert "is not a date" in dialog.clearance_date.problem_label.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()


def test_a_clearance_expiry_picked_from_the_calendar_is_stored(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.clearance_group.setChecked(True)
    qtbot.keyClicks(dialog.clearance_by, "Dr N. Example")
    expires = dialog.clearance_expires
    qtbot.mouseClick(expires.calendar_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(expires.calendar.isVisible)
    qtbot.keyClick(expires.calendar.focusWidget() or expires.calendar, Qt.Key.Key_Down)  # a week on
    qtbot.keyClick(expires.calendar.focusWidget() or expires.calendar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not expires.calendar.isVisible())
    assert expires.read_as.text() == "Friday 27 November 2026"
    assert save(qtbot, dialog).clearance == Clearance("Dr N. Example", DAY, "", DAY + dt.timedelta(days=7))


def test_a_local_flag_requires_a_region(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert not row(dialog, "recent_injury").local_box.isVisible()
    injury = tick(qtbot, dialog, "recent_injury")
    assert injury.local_box.isVisible()
    assert injury.problem.isVisible()
    assert "Recent injury: choose the region it concerns." in injury.problem.text()
    assert not dialog.ok_button.isEnabled()
    assert injury.region_combo is not None
    assert injury.onset_edit is not None
    injury.region_combo.setFocus()
    qtbot.keyClick(injury.region_combo, Qt.Key.Key_Down)  # the first region after "Choose a region…"
    assert injury.region() == "neck_l"
    qtbot.keyClicks(injury.onset_edit.line_edit, "15/11/2026")
    assert not injury.problem.isVisible()
    assert save(qtbot, dialog).flags == (FlagEntry("recent_injury", "neck_l", dt.date(2026, 11, 15)),)


def test_an_onset_after_the_screening_is_refused(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Intake(DAY, (FlagEntry("skin_condition", "sacrum"),)))
    skin = row(dialog, "skin_condition")
    assert skin.onset_edit is not None
    qtbot.keyClicks(skin.onset_edit.line_edit, "2026-12-01")
    assert "after the screening date" in skin.problem.text()
    assert not dialog.ok_button.isEnabled()


def test_an_injury_that_has_settled_is_recorded_with_the_day_it_settled(qtbot: QtBot) -> None:
    injury_then = FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 10, 1))
    dialog = make_dialog(qtbot, Intake(DAY, (injury_then,)))
    injury = row(dialog, "recent_injury")
    assert injury.settled_edit is not None
    qtbot.keyClicks(injury.settled_edit.line_edit, "2026-09-20")  # before it began: refused where it was typed
    assert "settled before it began" in injury.problem.text()
    assert not dialog.ok_button.isEnabled()
    injury.settled_edit.line_edit.clear()
    qtbot.keyClicks(injury.settled_edit.line_edit, "10/11/2026")
    assert not injury.problem.isVisible()
    assert save(qtbot, dialog).flags == (
        FlagEntry("recent_injury", "lower_back_l", dt.date(2026, 10, 1), settled=dt.date(2026, 11, 10)),
    )


def test_a_ticked_flag_unticked_is_dropped(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, FULL_INTAKE)
    tick(qtbot, dialog, "blood_thinners")
    tick(qtbot, dialog, "fever")
    flags = save(qtbot, dialog).flags
    assert [entry.flag for entry in flags] == ["recent_injury", "skin_condition", "fever"]


def test_allergies_typed_or_suggested_in_order_without_duplicates(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    editor = dialog.allergies
    editor.entry.setFocus()
    qtbot.keyClicks(editor.entry, "  Lanolin ")
    qtbot.keyClick(editor.entry, Qt.Key.Key_Return)  # adds; does not press "Save screening"
    assert dialog.isVisible()
    assert not editor.suggestion_buttons["lanolin"].isEnabled()  # already listed
    qtbot.mouseClick(editor.suggestion_buttons["nuts"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.entry, "NUTS")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.allergies() == ("lanolin", "nuts")
    editor.list_widget.setCurrentRow(0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert save(qtbot, dialog).allergies == ("nuts",)


def test_a_clearance_needs_who_gave_it(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.clearance_group.setChecked(True)
    assert "say who gave it" in dialog.clearance_problem.text()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.clearance_by, "Dr N. Example")
    qtbot.keyClicks(dialog.clearance_limits, "light pressure only")
    qtbot.keyClicks(dialog.clearance_expires.line_edit, "2027-05-19")
    assert save(qtbot, dialog).clearance == Clearance("Dr N. Example", DAY, "light pressure only", dt.date(2027, 5, 19))


def test_conditions_are_free_text(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    qtbot.keyClicks(dialog.conditions_edit, "Migraines, about monthly.")
    assert save(qtbot, dialog).conditions == "Migraines, about monthly."
