"""Renders every screen of the README from the demo client: the consult, the plan (screen and PDF page),
review (side by side, trends, heat map). Run through scripts/screenshots; writes docs/screenshots/*.png."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.domain.practice import PracticeSettings  # noqa: E402
from app.domain.regions import load_region_map  # noqa: E402
from app.ui.application import create_application, create_main_window  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.plan_view.plan_pdf import write_handout_pdf  # noqa: E402

SIZE = (1440, 900)
DEMO_PRACTICE = PracticeSettings(therapist_name="Jo Sample", practice_name="Example Massage Studio")


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path}")


def save_pdf_page_png(pdf: Path, path: Path, *, page: int = 1, dpi: int = 80) -> None:
    """One page of a PDF as PNG through poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        stem = Path(folder) / "page"
        pages = ["-f", str(page), "-l", str(page)]
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), *pages, "-singlefile", str(pdf), str(stem)], check=True)
        stem.with_suffix(".png").replace(path)
    print(f"wrote {path}")


def consult(window: MainWindow, out: Path) -> None:
    window.workspace.mode_bar.setCurrentIndex(0)
    window.workspace.controller.select_region("trapezius_upper_l")
    save(window, out / "consult.png")


def plan(window: MainWindow, out: Path) -> None:
    window.settings.set_practice(DEMO_PRACTICE)
    window.workspace.mode_bar.setCurrentIndex(1)
    save(window, out / "plan.png")
    page = window.workspace.plan_page()
    handout = page.view.handout()
    assert handout is not None
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "plan.pdf"
        write_handout_pdf(handout, pdf, page_size="A4", clearance_on_record=page.view.clearance_on_record)
        save_pdf_page_png(pdf, out / "plan_pdf.png")


def history(window: MainWindow, out: Path) -> None:
    window.workspace.mode_bar.setCurrentIndex(2)
    page = window.workspace.history_page()
    client_id = window.workspace.repository.list_clients()[0].id
    sessions = sorted(window.workspace.repository.list_sessions(client_id), key=lambda s: s.start)
    page.tabs.setCurrentIndex(1)
    page.choose_comparison(sessions[0].id, sessions[-1].id)
    save(window, out / "history_compare.png")
    page.tabs.setCurrentIndex(2)
    page.trends.choose_region("trapezius_upper_l")
    save(window, out / "history_trends.png")
    page.tabs.setCurrentIndex(3)
    save(window, out / "history_heatmap.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    window = create_main_window(None, demo=True)
    window.resize(*SIZE)
    window.show()
    load_region_map()  # what warm_up does after the first paint
    window.workspace.warm_up()
    consult(window, args.out_dir)
    plan(window, args.out_dir)
    history(window, args.out_dir)
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
