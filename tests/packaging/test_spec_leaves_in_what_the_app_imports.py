"""No Qt module the app imports is among those packaging/backmap.spec leaves out of the bundle (QtNetwork was,
once the app kept one instance per data folder: the built app then hung at start-up)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def qt_modules_left_out() -> set[str]:
    """The spec's UNUSED_QT list, read without running the spec (it needs PyInstaller's globals)."""
    spec = ast.parse((REPO / "packaging" / "backmap.spec").read_text(encoding="utf-8"))
    (names,) = (
        node.value
        for node in spec.body
        if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "UNUSED_QT" for target in node.targets)
    )
    return set(ast.literal_eval(names))


def qt_modules_imported_by_the_app() -> set[str]:
    """Every PySide6 module named in an import anywhere in app/ (`import PySide6.X`, `from PySide6(.X) import`)."""
    found = set()
    for path in (REPO / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "PySide6":
                modules = [f"PySide6.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            found |= {module.split(".")[1] for module in modules if module.startswith("PySide6.")}
    return found


def test_the_bundle_keeps_every_qt_module_the_app_imports() -> None:
    imported = qt_modules_imported_by_the_app()
    assert {"QtCore", "QtGui", "QtWidgets", "QtNetwork"} <= imported
    assert imported & qt_modules_left_out() == set()
