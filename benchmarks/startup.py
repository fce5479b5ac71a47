"""Process start -> first painted main window, started exactly as a user does: Backmap's against a bare PySide6
QMainWindow (goal: ratio <= 1.3, issue 22 point 8).

Each run is a fresh process timed from just before it is spawned to the moment it reports the first Paint event of
its main window. Backmap's is the `backmap` console script of this environment, with no argument, as a therapist
starts it: its data folder (holding four clients) is the user data folder, found through platformdirs. It runs from
cached bytecode, with its own settings (a therapist who put off the encryption set-up: otherwise that dialog comes
first): its options read, the single-instance lock, the data folder resolved, the key looked for, then the frame;
the records and the client list after its first paint; the rest of the workspace after the list's, the region
model after that. It also reports when the client list has painted, when the workspace is open and when the region
model is loaded ("ready for the first click"), and the CPU time each child used up to its first paint (steadier
than the wall clock when the machine is loaded). Runs alternate between the two so that drift in the machine's load
hits both alike; medians and ranges are reported, and the median of each pair's own ratio.

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

BARE = """
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", time.process_time(), sep="\t", flush=True)
            obj.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False

app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
hook = FirstPaint()
window.installEventFilter(hook)
window.show()
app.exec()
"""

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.storage.location import DATA_DIR_ENV, resolve_data_dir  # noqa: E402 (the checkout's app: the four clients)
from app.storage.sqlite_store import SqliteStore  # noqa: E402

STAGES = ("painted", "list", "records open", "ready")

# Nothing of the app is changed: this sitecustomize (on PYTHONPATH) wraps MainWindow.show once app.ui.main_window
# is imported, so the window's first Paint event is reported, then the client list's, then the workspace attached
# and the region model loaded; the app then quits. The filters sit on the window and the list alone: one on the
# whole application would run Python for every event of start-up (measured: +40 ms, a quarter of a bare start).
# It imports nothing the bare window does not (importlib.util would bring importlib.resources: ~3 ms on the
# baseline's side).
LAUNCHER_HOOK = """
import sys
from importlib.machinery import PathFinder

class _Watch:
    def find_spec(self, name, path, target=None):
        if name != "app.ui.main_window":
            return None
        sys.meta_path.remove(self)
        spec = PathFinder.find_spec(name, path)
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            import time
            from PySide6.QtCore import QEvent, QObject, QTimer
            from PySide6.QtWidgets import QApplication

            class FirstPaint(QObject):
                def __init__(self, stage):
                    super().__init__()
                    self.stage = stage

                def eventFilter(self, obj, event):
                    if event.type() == QEvent.Type.Paint:
                        obj.removeEventFilter(self)
                        print(self.stage, time.process_time(), sep="\t", flush=True)
                    return False

            def ready(window):
                print("records open", flush=True)
                window.workspace.warm_up()  # the region model, unless the app's own warm-up already loaded it
                print("ready", flush=True)
                QApplication.instance().quit()

            show = module.MainWindow.show

            def show_and_watch(window):
                window._first_paint, window._list_paint = FirstPaint("painted"), FirstPaint("list")
                window.installEventFilter(window._first_paint)
                window.clientsShown.connect(
                    lambda: window.clients.list_view.viewport().installEventFilter(window._list_paint)
                )
                window.workspaceAttached.connect(lambda: QTimer.singleShot(0, lambda: ready(window)))
                show(window)

            module.MainWindow.show = show_and_watch

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _Watch())
"""


def time_once(command: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    """Seconds from spawning `command` to each stage it reports, and the CPU seconds the child had used when it
    first painted (steadier than the wall clock on a loaded machine; the interpreter's own start included)."""
    reached: dict[str, float] = {}
    cpu_at_paint = 0.0
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:
            stage, _, cpu = line.strip().partition("\t")
            reached[stage] = time.perf_counter() - start
            if stage == "painted":
                cpu_at_paint = float(cpu)
        child.wait(timeout=60)
    if "painted" not in reached:
        raise SystemExit(f"the child never painted (exit {child.returncode})")
    return reached, cpu_at_paint


def child_env(config_home: Path, data_home: Path, hook_dir: Path) -> dict[str, str]:
    """Offscreen, modules from their cached bytecode as on a user's machine, Backmap's own settings (the
    encryption set-up put off) and user data folder, and the launcher hook."""
    (config_home / "Backmap").mkdir(parents=True, exist_ok=True)
    (config_home / "Backmap" / "Backmap.conf").write_text("[privacy]\nencryption_put_off=yes\n")
    (hook_dir / "sitecustomize.py").write_text(LAUNCHER_HOOK)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config_home))
    env["XDG_DATA_HOME"] = str(data_home)
    env.pop(DATA_DIR_ENV, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(hook_dir), env.get("PYTHONPATH"))))
    return env


def summary(label: str, times: list[float], bare_ms: float) -> str:
    median_ms = statistics.median(times) * 1000
    return (
        f"{label}: median {median_ms:.0f} ms (range {min(times) * 1000:.0f}-{max(times) * 1000:.0f}), "
        f"{median_ms / bare_ms:.2f} x bare"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        env = child_env(Path(scratch) / "config", Path(scratch) / "data", Path(scratch))
        os.environ.pop(DATA_DIR_ENV, None)
        os.environ["XDG_DATA_HOME"] = env["XDG_DATA_HOME"]  # where the app will look: the user data folder
        with SqliteStore.open(resolve_data_dir(None)) as repository:
            for name in ("Ana Example", "Ben Example", "Chloé Example", "Dumi Example"):
                repository.create_client(name)
        backmap_command = [str(Path(sys.executable).with_name("backmap"))]
        bare_command = [sys.executable, "-c", BARE]
        time_once(backmap_command, env)  # warm the file cache and the bytecode once, untimed
        bare: list[float] = []
        bare_cpu: list[float] = []
        pair_ratios: list[float] = []
        backmap: dict[str, list[float]] = {stage: [] for stage in STAGES}
        backmap_cpu: list[float] = []
        for _ in range(runs):
            reached, cpu = time_once(bare_command, env)
            bare.append(reached["painted"])
            bare_cpu.append(cpu)
            reached, cpu = time_once(backmap_command, env)
            for stage in STAGES:
                backmap[stage].append(reached[stage])
            backmap_cpu.append(cpu)
            pair_ratios.append(reached["painted"] / bare[-1])
    bare_ms = statistics.median(bare) * 1000
    print(f"runs: {runs} each, alternating; Backmap through the `backmap` console script, as a user starts it")
    print(
        f"bare QMainWindow first paint: median {bare_ms:.0f} ms (range {min(bare) * 1000:.0f}-{max(bare) * 1000:.0f})"
    )
    labels = ("first paint", "client list painted", "workspace open", "ready for the first click")
    for stage, label in zip(STAGES, labels, strict=True):
        print(summary(f"Backmap {label}", backmap[stage], bare_ms))
    bare_cpu_ms = statistics.median(bare_cpu) * 1000
    print(
        f"CPU time to the first paint: bare median {bare_cpu_ms:.0f} ms; "
        + summary("Backmap", backmap_cpu, bare_cpu_ms)
    )
    first_paint_ms = statistics.median(backmap["painted"]) * 1000
    print(
        f"ratio (first paint, wall clock): {first_paint_ms / bare_ms:.2f}; median of the pairs' own ratios "
        f"{statistics.median(pair_ratios):.2f} (goal <= 1.3)"
    )


if __name__ == "__main__":
    main()
