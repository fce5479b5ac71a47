"""Process start -> first painted main window: Backmap's against a bare PySide6 QMainWindow (goal: ratio <= 1.3).

Each run is a fresh interpreter (offscreen), timed from just before the process is spawned to the moment the
child reports the first Paint event of its main window. Backmap's child starts the way `backmap-app` does: the
command line's parser, the QApplication with the bundled fonts, then start_main_window (the frame first, the
records and the workspace after its first paint, the region model after that). It also reports when the
workspace is open ("records open") and when the region model is loaded ("ready for the first click").
Runs alternate between the two so that drift in the machine's load hits both alike; medians are reported.

It also starts Backmap exactly as a user does (issue 22): the `backmap` console script of this environment, on a
data folder holding four clients, from cached bytecode, timed to the main window's first paint. That way also
takes the single-instance lock, resolves the data folder and clears half-written outputs before the frame, and
parses the full command line: the difference between the two figures.

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
from pathlib import Path

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.storage.sqlite_store import SqliteStore  # noqa: E402 (the checkout's app, for the four clients)

STAGES = ("painted", "records open", "ready")

# The real launcher: the `backmap` console script beside this Python, as a user starts it. Nothing of the app is
# changed: this sitecustomize (on PYTHONPATH) wraps MainWindow.show once app.ui.main_window is imported, so the
# window's first Paint event is reported and the app then quits. The filter sits on the window alone: one on the
# whole application would run Python for every event of start-up (measured: +40 ms, a quarter of a bare start).
LAUNCHER_HOOK = """
import importlib.abc, importlib.util, sys

class _Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "app.ui.main_window":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            from PySide6.QtCore import QEvent, QObject, QTimer
            from PySide6.QtWidgets import QApplication

            class FirstPaint(QObject):
                def eventFilter(self, obj, event):
                    if event.type() == QEvent.Type.Paint:
                        obj.removeEventFilter(self)
                        print("painted", flush=True)
                        QTimer.singleShot(0, QApplication.instance().quit)
                    return False

            show = module.MainWindow.show

            def show_and_watch(window):
                window._first_paint = FirstPaint()
                window.installEventFilter(window._first_paint)
                show(window)

            module.MainWindow.show = show_and_watch

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _Watch())
"""


def time_once(code: str, data_dir: str, hook_dir: str | None = None) -> dict[str, float]:
    """Seconds from spawning the child to each stage it reports: `code` run by Python, or (code "") the console
    script with the launcher hook in `hook_dir`. Modules load from cached bytecode, as on a user's machine."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-c", code, data_dir]
    if not code:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (hook_dir, env.get("PYTHONPATH"))))
        command = [str(Path(sys.executable).with_name("backmap")), "--data-dir", data_dir]
    reached: dict[str, float] = {}
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
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
    with tempfile.TemporaryDirectory() as data_dir, tempfile.TemporaryDirectory() as hook_dir:
        (Path(hook_dir) / "sitecustomize.py").write_text(LAUNCHER_HOOK)
        with SqliteStore.open(Path(data_dir)) as repository:  # a data folder holding four clients
            for name in ("Ana Example", "Ben Example", "Chloé Example", "Dumi Example"):
                repository.create_client(name)
        time_once(BACKMAP, data_dir)  # warm the file cache and the bytecode once, untimed
        time_once("", data_dir, hook_dir)
        bare: list[float] = []
        launcher: list[float] = []
        backmap: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for _ in range(runs):
            bare.append(time_once(BARE, data_dir)["painted"])
            reached = time_once(BACKMAP, data_dir)
            for stage in STAGES:
                backmap[stage].append(reached[stage])
            bare.append(time_once(BARE, data_dir)["painted"])
            launcher.append(time_once("", data_dir, hook_dir)["painted"])
    bare_ms = statistics.median(bare) * 1000
    launcher_ms = statistics.median(launcher) * 1000
    print(
        f"through the `backmap` console script (as a user starts it), first paint: median {launcher_ms:.0f} ms, "
        f"{launcher_ms / bare_ms:.2f} x bare"
    )
    print(f"runs: {runs} each, alternating")
    print(f"bare QMainWindow first paint: median {bare_ms:.0f} ms")
    for stage, label in zip(STAGES, ("first paint", "records open", "ready for the first click"), strict=True):
        stage_ms = statistics.median(backmap[stage]) * 1000
        print(f"Backmap {label}: median {stage_ms:.0f} ms, {stage_ms / bare_ms:.2f} x bare")
    first_paint_ms = statistics.median(backmap["painted"]) * 1000
    print(f"ratio (first paint): {first_paint_ms / bare_ms:.2f} (goal <= 1.3)")


if __name__ == "__main__":
    main()
