"""Run by Debian's system python3 (it has pyatspi), inside a D-Bus session on an X display: starts the AT-SPI bus,
starts the app (the command after "--"), walks its accessibility tree as a screen reader sees it, and prints JSON:
{"seen": nodes walked, "unnamed": [each focusable, showing control without a name, with its path]}.

Exit status 2 (with {"error": ...}) when the bus or the app cannot be reached: the test then fails, it never
passes by default. Not a test module itself (pytest runs tests/e2e/test_accessibility_atspi.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
READY_NAME = "Back map"  # the consult is on screen once a node of this name is
WAIT_S = 60.0


def fail(message: str) -> None:
    print(json.dumps({"error": message}))
    sys.exit(2)


def main() -> None:
    app_command = sys.argv[sys.argv.index("--") + 1 :]
    try:
        import pyatspi  # type: ignore[import-not-found]  # Debian's python3-pyatspi
    except ImportError as error:
        fail(f"pyatspi is missing ({error}): apt-get install python3-pyatspi")
    bus = subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], stderr=subprocess.DEVNULL)
    app = subprocess.Popen(app_command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        root = wait_for_app(pyatspi, app)
        unnamed: list[str] = []
        seen = walk(pyatspi, root, unnamed)
        print(json.dumps({"seen": seen, "unnamed": unnamed}))
    finally:
        app.terminate()
        bus.terminate()
        app.wait(10)
        bus.wait(10)


def wait_for_app(pyatspi: Any, app: subprocess.Popen[bytes]) -> Any:
    # A polling wait in this helper process: AT-SPI has no "application ready" event to wait on.
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if app.poll() is not None:
            said = app.stderr.read().decode()[-2000:] if app.stderr is not None else ""
            fail(f"the app ended with status {app.returncode}: {said}")
        try:
            desktop = pyatspi.Registry.getDesktop(0)
            for candidate in desktop:
                if candidate is not None and "backmap" in (candidate.name or "").lower() and find(candidate):
                    return candidate
        except Exception as error:
            fail(f"the accessibility bus did not answer: {error}")
        time.sleep(0.25)
    fail(f"no Backmap window with a '{READY_NAME}' appeared on the accessibility bus within {WAIT_S:g} s")
    raise AssertionError  # unreachable: fail() exits


def find(node: Any, depth: int = 0) -> bool:
    if node is None or depth > 40:
        return False
    if getattr(node, "name", "") == READY_NAME:
        return True
    return any(find(child, depth + 1) for child in node)


def walk(pyatspi: Any, node: Any, unnamed: list[str], depth: int = 0) -> int:
    if node is None or depth > 60:
        return 0
    states = node.getState()
    focusable = states.contains(pyatspi.STATE_FOCUSABLE) and states.contains(pyatspi.STATE_SHOWING)
    if focusable and not (node.name or "").strip():
        unnamed.append(path_of(node))
    return 1 + sum(walk(pyatspi, child, unnamed, depth + 1) for child in node)


def path_of(node: Any) -> str:
    parts: list[str] = []
    up = node
    while up is not None and len(parts) < 6:
        parts.append(f"{up.getRoleName()} '{up.name}'")
        up = up.parent
    return " < ".join(parts)


if __name__ == "__main__":
    main()
