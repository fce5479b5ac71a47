"""The desktop app starts through the command line's parser: building it must load no command's dependencies."""

from __future__ import annotations

import subprocess
import sys

# What the commands need when they run; none of it may load while the parser is built.
COMMAND_DEPENDENCIES = ("numpy", "shapely", "svgelements", "sqlite3", "PySide6", "app.storage.repository")


def test_building_the_parser_loads_no_command_dependency() -> None:
    code = (
        "import sys; from app.cli import build_parser; parser = build_parser(); "
        "assert 'plan' in parser.format_help(); "
        f"print(sorted(m for m in {COMMAND_DEPENDENCIES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"
