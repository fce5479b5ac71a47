"""Renders the demo's consult page to a PNG in a process of its own: Qt reads QT_SCALE_FACTOR once, at start-up.
Prints the page's logical size, the map's rectangle and where the selected region is, as JSON.

    QT_SCALE_FACTOR=2 QT_QPA_PLATFORM=offscreen python -m tests.e2e.render_consult OUT.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from app.ui.application import create_application, create_main_window

LOGICAL_SIZE = (1360, 860)
SELECTED = "trapezius_upper_l"


def render(out: Path) -> dict[str, object]:
    app = create_application([])
    window = create_main_window(None, demo=True)
    window.resize(*LOGICAL_SIZE)
    window.show()
    window.workspace.warm_up()
    window.workspace.controller.select_region(SELECTED)
    app.processEvents()
    page = window.workspace.consult
    grab = page.grab()
    grab.save(str(out))
    view = page.map_view
    corner = view.mapTo(page, QPoint(0, 0))
    x, y = view.attach_locator().info(SELECTED).anchor
    anchor = view.mapTo(page, view.map_to_view(x, y).toPoint())
    result = {
        "logical": [page.width(), page.height()],
        "pixels": [grab.width(), grab.height()],
        "device_pixel_ratio": grab.devicePixelRatio(),
        "map": [corner.x(), corner.y(), view.width(), view.height()],
        "selected_anchor": [anchor.x(), anchor.y()],
    }
    window.close()
    window.workspace.repository.close()
    QApplication.processEvents()
    return result


if __name__ == "__main__":
    print(json.dumps(render(Path(sys.argv[1]))))
