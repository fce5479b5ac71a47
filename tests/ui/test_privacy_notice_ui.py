from __future__ import annotations

import unicodedata
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QPdfWriter
from pytestqt.qtbot import QtBot

from app.domain.privacy_notice import load_privacy_notice
from app.ui.clients.privacy_notice import SCREEN_POINT_SIZE, PrivacyNoticeDialog, print_notice


def pdf_text(path: Path) -> str:
    # Qt's PDFs use ligatures ("ﬁ") and tabs between words: normalise both before comparing.
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def test_the_notice_prints_with_its_key_sections(qtbot: QtBot, tmp_path: Path) -> None:
    # What the print dialog's printer receives, printed to a PDF file instead of paper.
    path = tmp_path / "notice.pdf"
    print_notice(load_privacy_notice("Harbour Bodywork"), QPdfWriter(str(path)))
    text = pdf_text(path)
    for expected in (
        "Privacy notice",
        "Notice version: 1",
        "What is recorded",
        "Why it is recorded",
        "Where it is kept",
        "Only on this computer",
        "Who can see it",
        "Only your therapist at Harbour Bodywork",
        "How long it is kept",
        "Your rights",
        "Protection of Personal Information Act (POPIA)",
        "Information Regulator of South Africa",
        "GDPR",
        "HIPAA",
    ):
        assert expected in text


def test_the_dialog_shows_the_notice_in_large_type(qtbot: QtBot) -> None:
    dialog = PrivacyNoticeDialog(load_privacy_notice("Harbour Bodywork"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Only your therapist at Harbour Bodywork" in dialog.browser.toPlainText()
    assert dialog.browser.document().defaultFont().pointSizeF() == SCREEN_POINT_SIZE
    assert dialog.browser.accessibleName() == "Privacy notice, version 1"
    assert dialog.print_button.text() == "Print…"
