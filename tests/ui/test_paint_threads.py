"""The window paints on its own thread: Qt's pool for large fills is not started (app.ui.application)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A window whose paint is a large gradient fill, which Qt's raster engine would hand to its pool; the threads of
# the process after it has painted, one name a line.
PAINT = """
import os, sys
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication, QWidget
if sys.argv[1] == "backmap":
    from app.ui.application import create_application
    app = create_application([])
else:
    app = QApplication([])
class Filled(QWidget):
    def paintEvent(self, event):
        gradient = QLinearGradient(0, 0, 800, 800)
        gradient.setColorAt(0, QColor("red"))
        gradient.setColorAt(1, QColor(0, 0, 255, 128))
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(gradient)
        painter.drawEllipse(10, 10, 700, 700)
        painter.end()
window = Filled()
window.resize(800, 800)
window.show()
window.repaint()
app.processEvents()
for task in os.listdir("/proc/self/task"):
    print(open(f"/proc/self/task/{task}/comm").read().strip())
"""


def _threads_after_painting(way: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"} | {
        "QT_QPA_PLATFORM": "offscreen"
    }
    done = subprocess.run(
        [sys.executable, "-c", PAINT, way], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_backmap_paints_a_large_fill_without_qts_thread_pool() -> None:
    assert "(pooled)" not in " ".join(_threads_after_painting("backmap"))
    # The same paint in a plain QApplication does start the pool (given a second core to start it on).
    assert "(pooled)" in " ".join(_threads_after_painting("plain")) or (os.cpu_count() or 1) < 2
