"""Renders the plan view and the first PDF page to PNG for docs/screenshots (offscreen: no display needed).

    .venv/bin/python scripts/plan_screenshots.py [OUT_DIR] [--map SVG]

With no arguments it uses the sample plans of tests/ui/plan_samples.py and the stand-in map;
scripts/screenshots can call `save_plan_view_png` and `save_pdf_page_png` with the demo client's plan and the
real map instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.domain.practice import PracticeSettings  # noqa: E402
from app.ui.pdf.plan_pdf import PageSizeName, write_plan_pdf  # noqa: E402
from app.ui.plan_view.plan_view import PlanView  # noqa: E402


def save_plan_view_png(
    path: Path,
    plan: Mapping[str, Any],
    *,
    client_first_name: str,
    date: dt.date,
    shared_note: str,
    practice: PracticeSettings,
    clearance_on_record: bool,
    map_svg: Path | None = None,
    size: tuple[int, int] = (1280, 1000),
) -> None:
    """The plan view as the client sees it, at `size` logical pixels (the whole page height if taller)."""
    view = PlanView(map_svg=map_svg)
    view.show_plan(
        plan,
        client_first_name=client_first_name,
        date=date,
        shared_note=shared_note,
        practice=practice,
        clearance_on_record=clearance_on_record,
    )
    view.resize(*size)
    view.show()
    QApplication.processEvents()
    if not view.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    view.close()


def save_pdf_page_png(pdf: Path, path: Path, *, page: int = 1, dpi: int = 80) -> None:
    """One page of a PDF as PNG through poppler's pdftoppm (apt-get install poppler-utils)."""
    with tempfile.TemporaryDirectory() as folder:
        stem = Path(folder) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
        )
        stem.with_suffix(".png").replace(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--map", type=Path, default=None, help="the back map SVG (default: the stand-in map)")
    parser.add_argument("--plan", choices=("proceed", "modify", "postpone"), default="modify")
    parser.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    args = parser.parse_args()

    from tests.ui import plan_samples

    plans = {
        "proceed": plan_samples.proceed_plan,
        "modify": plan_samples.modify_plan_blood_thinners,
        "postpone": plan_samples.postpone_plan_dvt,
    }
    plan = plans[args.plan]()
    map_svg = args.map or plan_samples.STAND_IN_MAP
    page_size: PageSizeName = args.page_size
    inputs: dict[str, Any] = {
        "client_first_name": "Ana",
        "date": plan_samples.DATE,
        "shared_note": plan_samples.SHARED_NOTE,
        "practice": plan_samples.PRACTICE,
    }
    app = QApplication.instance() or QApplication(sys.argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_plan_view_png(args.out_dir / "plan.png", plan, clearance_on_record=False, map_svg=map_svg, **inputs)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "plan.pdf"
        write_plan_pdf(plan, pdf, page_size=page_size, map_svg=map_svg, **inputs)
        save_pdf_page_png(pdf, args.out_dir / "plan_pdf.png")
    del app
    print(f"wrote {args.out_dir / 'plan.png'} and {args.out_dir / 'plan_pdf.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
