"""Help → Keyboard shortcuts and how-to: a first day's consult in five steps, and every key the app answers to."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.domain.records import QUALITY_WORDS
from app.ui.body_map.qualities import PLAIN_TENSION_KEY, QUALITY_KEYS

HOW_TO = (
    (
        "Create the client",
        "<i>New client…</i> (Ctrl+Shift+N): name, date of birth, contact, and their consent "
        "once they have read the privacy notice.",
    ),
    (
        "Screen them",
        "<i>Client → Safety screening</i> (Ctrl+I): tick what applies today, or tick “none of these "
        "apply” once you went through it together. The banner above the map shows the outcome.",
    ),
    (
        "Start the session",
        "<i>Start session</i> (Ctrl+N). Click a region (or choose it in the list) and press a "
        "number for its tension; write the SOAP notes on the right as you go. Everything saves as you type.",
    ),
    (
        "Explain the plan",
        "<i>Plan</i> (Ctrl+2): go through it with the client, time the point holds, print it or "
        "save a PDF, then <i>Mark as given</i>.",
    ),
    (
        "Finalise",
        "<i>Finalise session</i> locks it. A later correction is a dated amendment "
        "(<i>Session → Amend finalised session</i>).",
    ),
)

SHORTCUTS = (
    (
        "Anywhere",
        (
            ("Ctrl+Shift+N", "New client"),
            ("Ctrl+N", "Start session (or continue the open one)"),
            ("Ctrl+I", "Safety screening"),
            ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Consult / Plan / History"),
            ("Ctrl+E", "Export the client"),
            ("F1", "This help"),
        ),
    ),
    (
        "On the map and in the region list",
        (
            ("0 … 9", "Tension of the selected region"),
            ("T", "Tension 10"),
            ("Delete", "Not assessed"),
            (
                " / ".join(QKeySequence(key).toString() for key in QUALITY_KEYS),
                "What it feels like: " + ", ".join(QUALITY_WORDS[quality] for quality in QUALITY_KEYS.values()),
            ),
            (QKeySequence(PLAIN_TENSION_KEY).toString(), "Plain tension again (the right-click menu offers the same)"),
            ("Arrow keys", "Select the next region (Left / Right beside the spine: the other side)"),
            ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the map (in a text field: the text)"),
            ("Tab", "Leave the map for the next control; in a note, the next note"),
        ),
    ),
    (
        "In Plan mode",
        (
            ("Space", "Start or stop the hold timer (it stops by itself at the longest hold)"),
            ("Ctrl++ / Ctrl+-", "Larger or smaller type (remembered)"),
        ),
    ),
)


def help_html() -> str:
    steps = "".join(f"<li><b>{title}.</b> {text}</li>" for title, text in HOW_TO)
    tables = "".join(
        f"<h3>{place}</h3><table cellpadding='3'>"
        + "".join(f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in rows)
        + "</table>"
        for place, rows in SHORTCUTS
    )
    return f"<h2>A consult, step by step</h2><ol>{steps}</ol><h2>Keyboard shortcuts</h2>{tables}"


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backmap help: how-to and keyboard shortcuts")
        self.resize(720, 640)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("How-to and keyboard shortcuts")
        self.browser.setHtml(help_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
