"""Process start -> first painted main window: Backmap's against a bare PySide6 QMainWindow (goal: ratio <= 1.3).

Each run is a fresh interpreter (offscreen), timed from just before the process is spawned to the moment the
child reports the first Paint event of its main window. Runs alternate between the two so that drift in the
machine's load hits both alike; medians are reported.

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
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class _FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
            obj.removeEventFilter(self)
        return False
"""

BARE = (
    _PAINT_HOOK
    + """
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
import sys
from pathlib import Path
from app.ui.application import create_application, create_main_window
app = create_application([])
window = create_main_window(data_dir=Path(sys.argv[1]), demo=False)
hook = _FirstPaint()
window.installEventFilter(hook)
window.show()
app.exec()
"""
)


def time_once(code: str, data_dir: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    with subprocess.Popen([sys.executable, "-c", code, data_dir], stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = time.perf_counter() - start
        child.wait(timeout=30)
    if line.strip() != "painted":
        raise SystemExit(f"the child never painted (exit {child.returncode})")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as data_dir:
        time_once(BACKMAP, data_dir)  # warm the file cache and the outline cache once, untimed
        bare: list[float] = []
        backmap: list[float] = []
        for _ in range(runs):
            bare.append(time_once(BARE, data_dir))
            backmap.append(time_once(BACKMAP, data_dir))
    bare_ms = statistics.median(bare) * 1000
    backmap_ms = statistics.median(backmap) * 1000
    print(f"runs: {runs} each, alternating")
    print(f"bare QMainWindow first paint: median {bare_ms:.0f} ms")
    print(f"Backmap main window first paint: median {backmap_ms:.0f} ms")
    print(f"ratio: {backmap_ms / bare_ms:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
