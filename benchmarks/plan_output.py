"""How long a plan and its PDF take, against a bare QTextDocument PDF of the same text, and how many pages.

    .venv/bin/python benchmarks/plan_output.py

The plan: every region of the map marked, built by the plan builder (screening, doses, shape) and printed as the
client's handout (map, badges, layout, page breaks). The baseline: the handout's own words as plain text in one
QTextDocument printed by one QPdfWriter, in the same run (CPU time, the two taking turns). Also the page count of
a typical plan and of an every-region plan (goals: one page and two pages at most).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPainter, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from app.domain.plan import build_plan
from app.domain.plan_wording import make_handout
from app.domain.protocol import load_protocol
from app.domain.records import Intake, Mark
from app.domain.region_specs import REGION_IDS
from app.ui.plan_view.plan_pdf import handout_pdf_bytes
from tests.ui import plan_samples

RUNS = 15
DAY = dt.date(2026, 11, 20)
EVERY_REGION = [Mark(region, "therapist", 7) for region in sorted(REGION_IDS)]


def _median_seconds(*works: Callable[[], object]) -> list[float]:
    """Each work's median CPU time (this process's: other work on a shared machine does not count), the works
    taking turns so that caches and clocks treat them alike."""
    for work in works:
        work()  # warm-up: fonts, the SVG parser, first allocations
    times: list[list[float]] = [[] for _ in works]
    for _ in range(RUNS):
        for work, taken in zip(works, times, strict=True):
            start = time.process_time()
            work()
            taken.append(time.process_time() - start)
    return [statistics.median(taken) for taken in times]


def _plan_pdf(marks: list[Mark]) -> bytes:
    plan = build_plan(marks, Intake(DAY), 60, load_protocol(), on=DAY)
    handout = make_handout(plan, client_first_name="Ana", date=DAY, shared_note="", practice=plan_samples.PRACTICE)
    return handout_pdf_bytes(handout)


def _bare_pdf(text: str) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    document = QTextDocument()
    document.setPlainText(text)
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    painter = QPainter(writer)
    for page in range(document.pageCount()):
        if page:
            writer.newPage()
        painter.save()
        painter.translate(0, -page * document.pageSize().height())
        document.drawContents(painter)
        painter.restore()
    painter.end()
    return bytes(buffer.data().data())


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    every = _plan_pdf(EVERY_REGION)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(every)).pages)
    baseline, real = _median_seconds(lambda: _bare_pdf(text), lambda: _plan_pdf(EVERY_REGION))
    print(f"bare PDF of the same text          {baseline * 1000:7.1f} ms")
    print(f"plan + PDF, every region marked    {real * 1000:7.1f} ms   {real / baseline:5.1f}x bare (goal <= 3x)")
    typical = _pages(_plan_pdf(plan_samples.TYPICAL_MARKS))
    print(f"pages: typical plan {typical} (goal 1), every region {_pages(every)} (goal <= 2)")
    del app


if __name__ == "__main__":
    main()
