""" "Start session" while a session is still open: continue it, finalise it, or discard it to start today's."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from app.domain.records import Session
from app.ui.display_dates import day_text, days_ago_text


class OpenSessionChoice(Enum):
    CONTINUE = "Continue it"
    FINALISE = "Finalise it, start a new one"
    DISCARD = "Discard it, start a new one…"
    CANCEL = "Cancel"


class FinaliseChoice(Enum):
    FINALISE = "Finalise without giving it"
    SHOW_PLAN = "Show the plan"
    CANCEL = "Cancel"


def recorded_summary(session: Session) -> str:
    """What an open session holds, in a few words: '3 marks, notes'."""
    parts = []
    marks = len(session.marks)
    if marks:
        parts.append(f"{marks} mark{'s' if marks != 1 else ''}")
    if session.strokes:
        parts.append("brush strokes")
    if session.soap.subjective or session.soap.objective or session.soap.assessment or session.soap.plan:
        parts.append("notes")
    if session.shared_note:
        parts.append("a note for the client")
    if session.holds:
        parts.append("timed holds")
    if session.plan is not None:
        parts.append("the plan as given")
    return ", ".join(parts) or "its session details"


def ask_about_open_session(parent: QWidget, session: Session, today: dt.date) -> OpenSessionChoice:
    day = session.start.astimezone().date()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("A session is still open")
    box.setText(
        f"The session of {day_text(day)} ({days_ago_text(day, today)}) is still open. "
        f"It holds {recorded_summary(session)}."
    )
    box.setInformativeText(
        "Continue it, or end it before starting a new one: finalising keeps it on record, locked; discarding erases it."
    )
    continue_button = box.addButton(OpenSessionChoice.CONTINUE.value, QMessageBox.ButtonRole.AcceptRole)
    buttons: dict[QAbstractButton, OpenSessionChoice] = {
        continue_button: OpenSessionChoice.CONTINUE,
        box.addButton(OpenSessionChoice.FINALISE.value, QMessageBox.ButtonRole.YesRole): OpenSessionChoice.FINALISE,
        box.addButton(
            OpenSessionChoice.DISCARD.value, QMessageBox.ButtonRole.DestructiveRole
        ): OpenSessionChoice.DISCARD,
        box.addButton(QMessageBox.StandardButton.Cancel): OpenSessionChoice.CANCEL,
    }
    box.setDefaultButton(continue_button)
    box.exec()
    return buttons.get(box.clickedButton(), OpenSessionChoice.CANCEL)


def ask_before_finalising_without_plan(parent: QWidget) -> FinaliseChoice:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Finalise session")
    box.setText("The plan of this session was not marked as given.")
    box.setInformativeText(
        "Once the session is finalised, the plan can no longer be marked as given and holds can no longer be "
        "timed. Later corrections to the notes are dated amendments."
    )
    show_plan = box.addButton(FinaliseChoice.SHOW_PLAN.value, QMessageBox.ButtonRole.RejectRole)
    buttons: dict[QAbstractButton, FinaliseChoice] = {
        show_plan: FinaliseChoice.SHOW_PLAN,
        box.addButton(FinaliseChoice.FINALISE.value, QMessageBox.ButtonRole.AcceptRole): FinaliseChoice.FINALISE,
        box.addButton(QMessageBox.StandardButton.Cancel): FinaliseChoice.CANCEL,
    }
    box.setDefaultButton(show_plan)
    box.exec()
    return buttons.get(box.clickedButton(), FinaliseChoice.CANCEL)
