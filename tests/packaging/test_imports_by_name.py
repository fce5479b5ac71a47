"""The app's imports by name all go through app.cli.modules_imported_by_name, the list the PyInstaller spec bundles:
static analysis cannot see such an import, and a module it misses is missing from the installed app.
packaging/smoke_check.py checks that the built folder holds every module of that list."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from app.cli import modules_imported_by_name

APP = Path(__file__).resolve().parents[2] / "app"
IMPORT_BY_NAME = {"import_module", "__import__"}


def imports_by_name(source: Path) -> list[int]:
    """The lines of `source` that call importlib.import_module or __import__."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and (getattr(node.func, "attr", None) in IMPORT_BY_NAME or getattr(node.func, "id", None) in IMPORT_BY_NAME)
    ]


def test_only_the_command_line_imports_modules_by_name() -> None:
    found = [
        f"{path.relative_to(APP.parent).as_posix()}:{line}"
        for path in APP.rglob("*.py")
        for line in imports_by_name(path)
    ]
    assert found
    assert [place for place in found if not place.startswith("app/cli.py:")] == []


def test_every_listed_module_exists_and_registers_a_command() -> None:
    for name in modules_imported_by_name():
        assert callable(importlib.import_module(name).register), name
