from __future__ import annotations

import unicodedata
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.domain.privacy_notice import load_privacy_notice
from app.ui.clients.privacy_notice import SCREEN_POINT_SIZE, PrivacyNoticeDialog, render_notice_pdf


def pdf_text(path: Path) -> str:
    # Qt's PDFs use ligatures ("ﬁ") and tabs between words: normalise both before comparing.
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def test_the_notice_renders_to_a_pdf_with_its_key_sections(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    render_notice_pdf(load_privacy_notice("Harbour Bodywork"), path)
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
    metadata = PdfReader(path).metadata
    assert metadata is not None
    assert metadata.title == "Privacy notice (version 1)"


def test_the_dialog_shows_the_notice_in_large_type(qtbot: QtBot) -> None:
    dialog = PrivacyNoticeDialog(load_privacy_notice("Harbour Bodywork"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Only your therapist at Harbour Bodywork" in dialog.browser.toPlainText()
    assert dialog.browser.document().defaultFont().pointSizeF() == SCREEN_POINT_SIZE
    assert dialog.browser.accessibleName() == "Privacy notice, version 1"
    assert dialog.print_button.text() == "Print…"
