"""The client's plan on paper, through Qt only: a QTextDocument laid out page by page (QPdfWriter, QPrinter).

The same `paint_handout` draws the PDF and the printout: the bundled font, generous margins, a running header
after the first page, a footer with the practice's contact and the page number. A PDF is written to a
temporary file beside the target, then moved into place (owner-only, 0600): a failure leaves nothing behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QObject, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QPyTextObject,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from app.domain.plan_wording import Handout
from app.errors import BackmapError
from app.resources import map_svg_path
from app.storage.files import write_private_file
from app.ui.plan_view.handout_html import COMFORTABLE, COMPACT, HAIRLINE, MAP_URL, Spacing, badge_url, handout_html
from app.ui.plan_view.map_image import map_size, paint_plan_map, paint_step_badge
from app.ui.plan_view.style import INK, MUTED_INK, font_family
from app.ui.settings import PageSizeName

PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}
PDF_RESOLUTION = 1200
# Margins in millimetres: wide sides for a calm page; room at the top and bottom for the header and footer,
# which sit where every printer reaches (8 mm and more from the paper's edge).
MARGIN_SIDE_MM = 16.0
MARGIN_TOP_MM = 15.0
MARGIN_BOTTOM_MM = 17.0
HEADER_TOP_MM = 8.0  # from the top edge
FOOTER_RULE_MM = 12.0  # from the bottom edge: the footer's hairline, its line of text under it
BODY_POINT_SIZE = COMFORTABLE.body_pt
FOOTER_POINT_SIZE = 8.5
LIST_INDENT_PX = 16
# A table shorter than this share of a page is moved whole rather than cut by a page break.
SMALL_TABLE_SHARE = 0.4
# A plan whose text runs less than this share of a page onto its last page is laid out again tighter (COMPACT is
# about a tenth shorter), and kept so when that saves the page: a typical plan on one page, whatever its flags.
SPILL_WORTH_TIGHTENING = 0.15
MAX_PAGE_BREAK_MOVES = 100
MAP_WIDTH_PX = 175  # in CSS pixels (1/96 inch): about 4.6 cm on paper
CSS_DPI = 96
# Kept for the life of the process: Qt must not lose its application while painting.
_headless_app: QApplication | None = None


def write_handout_pdf(
    handout: Handout,
    path: Path,
    *,
    page_size: PageSizeName = "A4",
    clearance_on_record: bool = False,
    map_svg: Path | None = None,
) -> None:
    data = handout_pdf_bytes(handout, page_size=page_size, clearance_on_record=clearance_on_record, map_svg=map_svg)
    write_private_pdf(Path(path), data)


def handout_pdf_bytes(
    handout: Handout,
    *,
    page_size: PageSizeName = "A4",
    clearance_on_record: bool = False,
    map_svg: Path | None = None,
) -> bytes:
    """The PDF in memory (for `backmap plan --format pdf`, which may write to stdout)."""
    return pdf_bytes(
        handout.title,
        page_size,
        lambda writer: paint_handout(writer, handout, clearance_on_record=clearance_on_record, map_svg=map_svg),
    )


def pdf_bytes(title: str, page_size: PageSizeName, paint: Callable[[QPdfWriter], None]) -> bytes:
    """A PDF in memory: `paint` draws on a writer whose page layout is set, margins zero (it draws its own)."""
    ensure_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(title)  # no client name in the metadata: the file may be shared or synced
    writer.setCreator("Backmap")
    writer.setPageLayout(_page_layout(page_size))
    paint(writer)
    buffer.close()
    return bytes(buffer.data().data())


def ensure_application() -> None:
    """Qt's fonts and painting need an application object: the command line gets an offscreen one."""
    global _headless_app
    if QGuiApplication.instance() is None:
        platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
        _headless_app = QApplication(["backmap", "-platform", platform])


def new_printer(title: str, page_size: PageSizeName) -> QPrinter:
    """A printer set up like the PDF: painted from the paper's corner (paint_handout draws its own margins)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(page_size))
    printer.setDocName(title)
    return printer


def paint_handout(
    device: QPagedPaintDevice,
    handout: Handout,
    *,
    clearance_on_record: bool = False,
    map_svg: Path | None = None,
) -> None:
    """Lays the plan out on `device` (its page layout already set, margins zero) and paints every page."""
    dpi = device.logicalDpiY()
    mm = dpi / 25.4
    left, top, bottom = MARGIN_SIDE_MM * mm, MARGIN_TOP_MM * mm, MARGIN_BOTTOM_MM * mm
    body = QSizeF(device.width() - 2 * left, device.height() - top - bottom)
    document = _laid_out(handout, clearance_on_record, map_svg or map_svg_path(), device, body)
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(device):
        raise BackmapError("cannot start the PDF or the printer (is the target writable?)")
    try:
        for index in range(pages):
            if index and not device.newPage():
                raise BackmapError("cannot start a new page on the PDF or the printer")
            painter.save()
            painter.translate(left, top - index * body.height())
            document.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
            painter.restore()
            _furniture(painter, device, handout, index, pages, mm)
    finally:
        painter.end()


def _laid_out(
    handout: Handout, clearance_on_record: bool, map_svg: Path, device: QPagedPaintDevice, body: QSizeF
) -> QTextDocument:
    """The handout in pages: comfortably spaced, or tighter when only that keeps a page from holding a few lines."""
    document = _document(handout, clearance_on_record, map_svg, device, body, COMFORTABLE)
    blank = _keep_small_tables_whole(document, body.height()).blank
    pages = document.pageCount()
    # In pages, the text without the blank that moving tables whole left (measured after: no extra layout pass).
    text = (document.size().height() - blank) / body.height()
    if pages == 1 or text - (pages - 1) > SPILL_WORTH_TIGHTENING:
        return document
    tighter = _document(handout, clearance_on_record, map_svg, device, body, COMPACT)
    _keep_small_tables_whole(tighter, body.height())
    return tighter if tighter.pageCount() < pages else document


def _document(
    handout: Handout,
    clearance_on_record: bool,
    map_svg: Path,
    device: QPagedPaintDevice,
    body: QSizeF,
    spacing: Spacing,
) -> QTextDocument:
    """The handout laid out once for `device` and pages of `body` size: everything that changes the layout is
    set before the text goes in (each setting after it would lay the whole document out again)."""
    document = QTextDocument()
    layout = document.documentLayout()
    layout.setPaintDevice(device)
    # The map and the badges are drawn as vectors where the layout puts their <img>: sharp on paper, and no
    # picture of them to render and compress for each PDF.
    pictures = _Pictures(handout, map_svg, device.logicalDpiY() / CSS_DPI, document)
    layout.registerHandler(QTextFormat.ObjectTypes.ImageObject, pictures)
    # In CSS pixels like the rest of the document; Qt's default (40 px) leaves bullets adrift on paper.
    document.setIndentWidth(LIST_INDENT_PX)
    document.setPageSize(body)
    document.setDocumentMargin(0)
    font = QFont(font_family())
    font.setPointSizeF(spacing.body_pt)
    document.setDefaultFont(font)
    map_height = map_size(map_svg, MAP_WIDTH_PX).height()
    document.setHtml(
        handout_html(
            handout,
            clearance_on_record=clearance_on_record,
            map_width=MAP_WIDTH_PX,
            map_height=round(map_height),
            spacing=spacing,
        )
    )
    return document


class _Pictures(QPyTextObject):  # QPyTextObject: a Python handler Qt's layout accepts (qobject_cast)
    """Draws the handout's <img>s (the map under MAP_URL, the step badges under badge_url) with the page's
    painter, at the size the HTML gives them in CSS pixels."""

    def __init__(self, handout: Handout, map_svg: Path, device_per_css_px: float, parent: QObject) -> None:
        super().__init__(parent)
        self._marks = handout.plan.map_marks
        self._levels = {badge_url(step.order): (step.order, step.pressure_level) for step in handout.plan.steps}
        self._map_svg = map_svg
        self._scale = device_per_css_px
        self._sizes: dict[str, QSizeF] = {}

    def intrinsicSize(self, _document: QTextDocument, _position: int, text_format: QTextFormat) -> QSizeF:
        # Asked at every layout pass (about 200 times for a long plan): the sizes are measured once per picture.
        name = text_format.toImageFormat().name()
        if name not in self._sizes:
            image = text_format.toImageFormat()
            self._sizes[name] = QSizeF(image.width() * self._scale, image.height() * self._scale)
        return self._sizes[name]

    def drawObject(
        self,
        painter: QPainter,
        rect: QRectF | QRect,
        _document: QTextDocument,
        _position: int,
        text_format: QTextFormat,
    ) -> None:
        name = text_format.toImageFormat().name()
        box = QRectF(rect)
        painter.save()
        painter.translate(box.topLeft())
        painter.scale(self._scale, self._scale)  # from here on, CSS pixels
        if name == MAP_URL:
            paint_plan_map(painter, self._map_svg, self._marks, box.width() / self._scale)
        elif name in self._levels:
            order, level = self._levels[name]
            paint_step_badge(painter, QRectF(0, 0, box.width() / self._scale, box.height() / self._scale), order, level)
        painter.restore()


class _Moves(NamedTuple):
    tables: int  # how many moves: each lays the document out again
    blank: float  # the height the moves leave blank at the feet of pages


def _keep_small_tables_whole(document: QTextDocument, page_height: float) -> _Moves:
    """Moves a step or a safety box that a page break would cut to the next page (one at a time, since each
    move shifts everything after it). Big tables (the map and steps side by side) may still break."""
    layout = document.documentLayout()
    blank = 0.0
    for moves in range(MAX_PAGE_BREAK_MOVES):
        for frame in _frames(document.rootFrame()):
            box = layout.frameBoundingRect(frame)
            crosses = int(box.top() // page_height) != int((box.bottom() - 1) // page_height)
            if (
                isinstance(frame, QTextTable)
                and crosses
                and box.height() < page_height * SMALL_TABLE_SHARE
                # A moved table starts its page, though the layout's rounding may put its top a hair above the
                # page's (moving it again, up to MAX_PAGE_BREAK_MOVES times, laid the document out each time).
                and not frame.frameFormat().pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
            ):
                table_format = frame.frameFormat()
                table_format.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                frame.setFrameFormat(table_format)
                blank += (box.top() // page_height + 1) * page_height - box.top()
                break
        else:
            return _Moves(moves, blank)
    return _Moves(MAX_PAGE_BREAK_MOVES, blank)


def _frames(parent: QTextFrame) -> Iterator[QTextFrame]:
    for child in parent.childFrames():
        yield child
        yield from _frames(child)


def _furniture(
    painter: QPainter, device: QPagedPaintDevice, handout: Handout, index: int, pages: int, mm: float
) -> None:
    """The running header (after page 1) and the footer: contact on the left, "Page 2 of 3" on the right."""
    left = MARGIN_SIDE_MM * mm
    width = device.width() - 2 * left
    font = QFont(font_family())
    font.setPointSizeF(FOOTER_POINT_SIZE)
    painter.save()
    painter.setFont(font)
    line_height = painter.fontMetrics().height()
    footer_top = device.height() - FOOTER_RULE_MM * mm
    painter.setPen(QPen(QColor(HAIRLINE), max(1.0, 0.25 * mm)))
    painter.drawLine(QRectF(left, footer_top, width, 0).topLeft(), QRectF(left, footer_top, width, 0).topRight())
    text_box = QRectF(left, footer_top + 2 * mm, width, line_height * 1.2)
    painter.setPen(QColor(MUTED_INK))
    page_label = f"Page {index + 1} of {pages}"
    page_width = painter.fontMetrics().horizontalAdvance(page_label) + 4 * mm
    contact = handout.practice.contact_line()
    contact_box = text_box.adjusted(0, 0, -page_width, 0)
    elided = painter.fontMetrics().elidedText(contact, Qt.TextElideMode.ElideRight, round(contact_box.width()))
    painter.drawText(contact_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
    painter.drawText(text_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, page_label)
    if index:
        header = QRectF(left, HEADER_TOP_MM * mm, width, line_height * 1.2)
        painter.setPen(QColor(INK))
        painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, handout.title)
        painter.setPen(QColor(MUTED_INK))
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, handout.subtitle)
    painter.restore()


def _page_layout(page_size: PageSizeName) -> QPageLayout:
    if page_size not in PAGE_SIZES:
        raise BackmapError(f"page size must be A4 or Letter, not {page_size!r}")
    # Zero margins at the device: paint_handout draws its own margins, header and footer.
    return QPageLayout(QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))


def write_private_pdf(path: Path, data: bytes, what: str = "the plan") -> None:
    """Writes a PDF atomically, owner-only; BackmapError names `what` could not be saved and why."""
    folder = path.parent
    if not folder.is_dir():
        raise BackmapError(f"cannot save {what}: the folder {folder} does not exist")
    try:
        write_private_file(path, data)
    except OSError as error:
        raise BackmapError(f"cannot save {what} to {path}: {error.strerror}") from error
