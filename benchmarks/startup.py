"""Process start -> first painted main window: Backmap's against a bare PySide6 QMainWindow (goal: ratio <= 1.3).

Each run is a fresh interpreter (offscreen), timed from just before the process is spawned to the moment the
child reports the first Paint event of its main window. Backmap's child starts the way `backmap-app` does: the
command line's parser, the QApplication with the bundled fonts, then start_main_window (the frame first, the
records and the workspace after its first paint, the region model after that). It also reports when the
workspace is open ("records open") and when the region model is loaded ("ready for the first click").
Runs alternate between the two so that drift in the machine's load hits both alike; medians are reported.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

_PAINT_HOOK = """
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

def report(stage):
    print(stage, flush=True)

class _FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            report("painted")
            obj.removeEventFilter(self)
            if FINISH_AT_FIRST_PAINT:
                QTimer.singleShot(0, QApplication.instance().quit)
        return False
"""

BARE = (
    _PAINT_HOOK
    + """
FINISH_AT_FIRST_PAINT = True
from PySide6.QtWidgets import QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
hook = _FirstPaint()
window.installEventFilter(hook)
window.show()
app.exec()
"""
)

BACKMAP = (
    _PAINT_HOOK
    + """
FINISH_AT_FIRST_PAINT = False
import sys
from app.cli import parse_arguments
args = parse_arguments(["--data-dir", sys.argv[1]])
from app.ui.application import create_application, install_crash_handler, start_main_window
app = create_application([])
install_crash_handler()
window = start_main_window(args.data_dir, args.demo)
hook = _FirstPaint()
window.installEventFilter(hook)

def ready():
    window.workspace.warm_up()  # loads the region model unless the app's own warm-up already has
    report("ready")
    app.quit()

window.workspaceAttached.connect(lambda: (report("records open"), QTimer.singleShot(0, ready)))
app.exec()
"""
)

STAGES = ("painted", "records open", "ready")


def time_once(code: str, data_dir: str) -> dict[str, float]:
    """Seconds from spawning the child to each stage it reports."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    reached: dict[str, float] = {}
    start = time.perf_counter()
    with subprocess.Popen([sys.executable, "-c", code, data_dir], stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:
            reached[line.strip()] = time.perf_counter() - start
        child.wait(timeout=30)
    if "painted" not in reached:
        raise SystemExit(f"the child never painted (exit {child.returncode})")
    return reached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as data_dir:
        time_once(BACKMAP, data_dir)  # warm the file cache and create the database once, untimed
        bare: list[float] = []
        backmap: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for _ in range(runs):
            bare.append(time_once(BARE, data_dir)["painted"])
            reached = time_once(BACKMAP, data_dir)
            for stage in STAGES:
                backmap[stage].append(reached[stage])
    bare_ms = statistics.median(bare) * 1000
    print(f"runs: {runs} each, alternating")
    print(f"bare QMainWindow first paint: median {bare_ms:.0f} ms")
    for stage, label in zip(STAGES, ("first paint", "records open", "ready for the first click"), strict=True):
        stage_ms = statistics.median(backmap[stage]) * 1000
        print(f"Backmap {label}: median {stage_ms:.0f} ms, {stage_ms / bare_ms:.2f} x bare")
    first_paint_ms = statistics.median(backmap["painted"]) * 1000
    print(f"ratio (first paint): {first_paint_ms / bare_ms:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
