"""The letter for the doctor on paper: one page of Qt rich text, drawn with the plan PDF's page set-up.

The practice's details head the page; the reply at the foot has a line for each field of the clearance record.
Every string from the letter is escaped: its words are text, never markup. When a long letter would run over,
the whole page is drawn a little smaller until it fits one page (a letter the clinician can return in one piece).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QFont, QPagedPaintDevice, QPainter, QTextDocument

from app.domain.doctor_letter import REPLY_LINES, DoctorLetter, Proposal, pressure_scale
from app.domain.plain_words import capitalised, long_date
from app.errors import BackmapError
from app.ui.plan_view.handout_html import HAIRLINE
from app.ui.plan_view.plan_pdf import (
    BODY_POINT_SIZE,
    LIST_INDENT_PX,
    MARGIN_SIDE_MM,
    pdf_bytes,
    write_private_pdf,
)
from app.ui.plan_view.style import CAUTION, CAUTION_WASH_PRINT, INK, MUTED_INK, font_family
from app.ui.settings import PageSizeName

# The letter has no running header or footer, so its top and bottom margins match the sides.
MARGIN_MM = MARGIN_SIDE_MM
SMALLEST_SCALE = 0.7  # about 7.5 pt type at the smallest
SCALE_STEP = 0.05
LABEL_WIDTH_PX = 112  # the proposal's labels ("Techniques") on one line


def write_letter_pdf(letter: DoctorLetter, path: Path, *, page_size: PageSizeName = "A4") -> None:
    """Writes the letter as a PDF to `path` (atomically, 0600); BackmapError names what went wrong."""
    write_private_pdf(Path(path), letter_pdf_bytes(letter, page_size=page_size), "the letter")


def letter_pdf_bytes(letter: DoctorLetter, *, page_size: PageSizeName = "A4") -> bytes:
    return pdf_bytes(letter.title, page_size, lambda writer: paint_letter(writer, letter))


def paint_letter(device: QPagedPaintDevice, letter: DoctorLetter) -> None:
    """Lays the letter out on one page of `device` (its page layout set, margins zero) and paints it."""
    mm = device.logicalDpiY() / 25.4
    margin = MARGIN_MM * mm
    body = QSizeF(device.width() - 2 * margin, device.height() - 2 * margin)
    document, scale = _fitted_document(letter_html(letter), device, body)
    page = document.pageSize()
    painter = QPainter()
    if not painter.begin(device):
        raise BackmapError("cannot start the PDF (is the target writable?)")
    try:
        for index in range(document.pageCount()):  # one page, unless even the smallest scale overflows
            if index and not device.newPage():
                raise BackmapError("cannot start a new page on the PDF")
            painter.save()
            painter.translate(margin, margin)
            painter.scale(scale, scale)
            painter.translate(0, -index * page.height())
            document.drawContents(painter, QRectF(0, index * page.height(), page.width(), page.height()))
            painter.restore()
    finally:
        painter.end()


def _fitted_document(html: str, device: QPagedPaintDevice, body: QSizeF) -> tuple[QTextDocument, float]:
    """The letter laid out, and the scale that fits it on one page (1, or smaller for a long letter)."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    font = QFont(font_family())
    font.setPointSizeF(BODY_POINT_SIZE)
    document.setDefaultFont(font)
    document.documentLayout().setPaintDevice(device)
    document.setIndentWidth(LIST_INDENT_PX)
    document.setHtml(html)
    scale = 1.0
    while True:
        document.setPageSize(body / scale)
        if document.pageCount() == 1 or scale <= SMALLEST_SCALE:
            return document, scale
        scale -= SCALE_STEP


def letter_html(letter: DoctorLetter) -> str:
    parts = [
        _letterhead(letter),
        _p(escape(long_date(letter.written_on)), after=12),
        _p(f"<b>To:</b> {escape(capitalised(letter.addressee))}", after=2),
        _p(f"<b>About:</b> {escape(letter.regarding)}", after=16),
        _p(escape(letter.subject), "font-size:13pt; font-weight:bold", after=12),
        _p(f"{escape(letter.greeting)},", after=8),
        _p(escape(letter.opening), after=0),
    ]
    if letter.reported:
        parts.append(_section("What the client told us", _bullets(letter.reported)))
    if letter.told_client:
        # One paragraph, not a list: the client's sentences are long, and a page has room for every one of them.
        quoted = " ".join(f"“{reason}”" for reason in letter.told_client)
        parts.append(_section("What we told the client", _p(escape(quoted), f"color:{MUTED_INK}", after=0)))
    if letter.advice:
        parts.append(_section("Our advice to the client", _p(f"“{escape(letter.advice)}”")))
    if letter.proposal is not None:
        parts.append(_section("The massage we propose", _proposal(letter.proposal)))
    parts += [
        _p("&nbsp;", "font-size:4pt", after=8),
        _question(letter.question),
        _p("With thanks,", after=2),
        _p(escape(letter.signature), after=16),
        _reply(letter),
    ]
    return f'<html><body style="color:{INK}">{"".join(parts)}</body></html>'


def _p(inner: str, style: str = "", after: int = 4, before: int = 0) -> str:
    """A paragraph with explicit spacing in CSS pixels (Qt's rich text ignores margins in points)."""
    return f'<p style="margin-top:{before}px; margin-bottom:{after}px; {style}">{inner}</p>'


def _bullets(items: tuple[str, ...]) -> str:
    rows = "".join(f'<li style="margin-bottom:3px">{escape(item)}</li>' for item in items)
    return f'<ul style="margin-top:0; margin-bottom:0">{rows}</ul>'


def _section(title: str, body: str) -> str:
    return _p(escape(title), "font-size:11pt; font-weight:bold", after=4, before=12) + body


def _letterhead(letter: DoctorLetter) -> str:
    practice = letter.practice
    name = practice.practice_name.strip() or practice.therapist_name.strip()
    details = [
        part.strip()
        for part in (
            practice.therapist_name if practice.practice_name.strip() else "",
            practice.address,
            practice.phone,
            practice.email,
        )
        if part.strip()
    ]
    if not name and not details:
        return ""  # no practice details yet (File → Practice details): no empty letterhead
    lines = _p(escape(name), "font-size:15pt; font-weight:bold", after=2) if name else ""
    if details:
        lines += _p(escape(" · ".join(details)), f"color:{MUTED_INK}; font-size:9pt", after=6)
    rule = f'<table width="100%" cellspacing="0" cellpadding="0"><tr><td style="border-bottom:1px solid {HAIRLINE}">'
    return f"{rule}{lines}</td></tr></table>" + _p("&nbsp;", "font-size:4pt", after=8)


def _proposal(proposal: Proposal) -> str:
    rows = [
        ("Session", [f"about {proposal.minutes} minutes, {proposal.position}"]),
        ("Areas", list(proposal.areas)),
        ("Techniques", [", ".join(proposal.techniques)]),
        ("Pressure", [proposal.ceiling_words]),
    ]
    if proposal.left_out:
        rows.append(("Left out", list(proposal.left_out)))
    cells = "".join(
        f'<tr><td width="{LABEL_WIDTH_PX}" valign="top" style="padding-top:2px"><b>{escape(label)}</b></td>'
        '<td valign="top" style="padding-top:2px">'
        + "".join(_p(escape(capitalised(line)), after=3) for line in lines)
        + "</td></tr>"
        for label, lines in rows
    )
    scale = _p(escape(pressure_scale()), f"color:{MUTED_INK}; font-size:8.5pt", after=0, before=2)
    return f'<table width="100%" cellspacing="0" cellpadding="0">{cells}</table>{scale}'


def _question(question: str) -> str:
    """The question in a tinted box with a bar on its left, like the handout's boxes."""
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="5" style="background-color:{CAUTION}"></td>'
        f'<td style="background-color:{CAUTION_WASH_PRINT}; padding:8px 12px">'
        f"{_p(escape(question), 'font-size:11.5pt; font-weight:bold', after=0)}</td></tr></table>"
        + _p("&nbsp;", "font-size:4pt", after=8)
    )


def _reply(letter: DoctorLetter) -> str:
    """The clinician's reply: a choice, then a line per field of the clearance record, two to a row (the limits
    get a whole row and one more), and the signature."""
    contact = letter.practice.contact_line()
    back = f"Please return this page to {contact}." if contact else "Please return this page to the client's therapist."
    choices = "&nbsp;&nbsp;&nbsp;&nbsp;".join(f"☐ {escape(choice)}" for choice in letter.reply_choices)
    labels = dict(REPLY_LINES)
    # (label, its width, the line's width) in per cent of the row; the first column lines up the labels.
    rows = [
        _fill_row((labels["by"], 21, 41), (labels["date"], 10, 28)),
        _fill_row((labels["limits"], 21, 79)),
        _fill_row(("", 21, 79)),
        _fill_row((labels["expires"], 21, 24), ("Signature", 15, 40)),
    ]
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" style="border-collapse:collapse">'
        f'<tr><td style="border:1px solid {MUTED_INK}; padding:8px 12px">'
        f"{_p(f'<b>Your reply.</b> {escape(back)}', after=6)}"
        f"{_p(choices, after=2)}"
        f"{''.join(rows)}</td></tr></table>"
    )


def _fill_row(*fields: tuple[str, int, int]) -> str:
    """A row of labelled lines to write on, its own table since rows differ in their columns."""
    cells = []
    for index, (label, label_width, line_width) in enumerate(fields):
        padding = "padding-left:14px; padding-right:6px" if index else "padding-right:6px"
        caption = escape(f"{label}:") if label else ""
        cells.append(
            f'<td width="{label_width}%" valign="bottom" style="{padding}; padding-top:16px">{caption}</td>'
            f'<td width="{line_width}%" style="border-bottom:1px solid {MUTED_INK}; padding-top:16px">&nbsp;</td>'
        )
    return f'<table width="100%" cellspacing="0" cellpadding="0"><tr>{"".join(cells)}</tr></table>'
