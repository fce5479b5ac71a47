"""The privacy notice on screen (large, readable type) and on paper (a printer, or a PDF file)."""

from __future__ import annotations

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QPagedPaintDevice, QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.domain.privacy_notice import PrivacyNotice

SCREEN_POINT_SIZE = 15.0  # read across the table by a client, often without their glasses
PRINT_POINT_SIZE = 11.0
PAGE_MARGINS_MM = QMarginsF(20, 20, 20, 20)


def notice_document(notice: PrivacyNotice, point_size: float) -> QTextDocument:
    document = QTextDocument()
    font = QFont()
    font.setPointSizeF(point_size)
    document.setDefaultFont(font)
    document.setMarkdown(notice.markdown)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, "Privacy notice")
    return document


def print_notice(notice: PrivacyNotice, device: QPagedPaintDevice) -> None:
    """Lays the notice out on A4 pages of `device` (a QPrinter or a QPdfWriter)."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            PAGE_MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    notice_document(notice, PRINT_POINT_SIZE).print_(device)


class PrivacyNoticeDialog(QDialog):
    def __init__(self, notice: PrivacyNotice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        self.setWindowTitle("Privacy notice")
        self.browser = QTextBrowser(self)
        self.browser.setDocument(notice_document(notice, SCREEN_POINT_SIZE))
        self.browser.document().setParent(self.browser)
        self.browser.document().setDocumentMargin(24)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(f"Privacy notice, version {notice.version}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = buttons.addButton("Print…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_with_dialog)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(820, 760)

    def print_with_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the privacy notice")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_notice(self.notice, printer)
