"""How long the plan view and the plan PDF take to build, against a one-paragraph PDF from the same run.

    .venv/bin/python benchmarks/plan_output.py

The baseline is the cheapest PDF Qt can make here (QPdfWriter + QTextDocument, one line of text): the ratios
say how much the plan itself (map rendering, badges, layout, page breaks) costs on top of Qt's own start-up.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPainter, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from app.domain.plan_wording import make_handout
from app.ui.pdf.plan_pdf import handout_pdf_bytes
from app.ui.plan_view.plan_view import PlanView
from tests.ui import plan_samples

RUNS = 15


def _median_seconds(work: Callable[[], object]) -> float:
    work()  # warm-up: fonts, the SVG parser, first allocations
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline_pdf() -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    document = QTextDocument()
    document.setPlainText("Your massage plan")
    painter = QPainter(writer)
    document.drawContents(painter)
    painter.end()
    return bytes(buffer.data().data())


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    handout = make_handout(
        plan_samples.modify_plan_blood_thinners(),
        client_first_name="Ana",
        date=plan_samples.DATE,
        shared_note=plan_samples.SHARED_NOTE,
        practice=plan_samples.PRACTICE,
    )
    view = PlanView(map_svg=plan_samples.STAND_IN_MAP)

    def show() -> None:
        view.show_plan(
            plan_samples.modify_plan_blood_thinners(),
            client_first_name="Ana",
            date=plan_samples.DATE,
            shared_note=plan_samples.SHARED_NOTE,
            practice=plan_samples.PRACTICE,
        )

    baseline = _median_seconds(_baseline_pdf)
    pdf = _median_seconds(lambda: handout_pdf_bytes(handout, map_svg=plan_samples.STAND_IN_MAP))
    screen = _median_seconds(show)
    print(f"baseline one-line PDF     {baseline * 1000:7.1f} ms")
    print(f"plan PDF (2 pages)        {pdf * 1000:7.1f} ms   {pdf / baseline:5.1f}x baseline")
    print(f"plan view (show_plan)     {screen * 1000:7.1f} ms   {screen / baseline:5.1f}x baseline")
    del app


if __name__ == "__main__":
    main()
