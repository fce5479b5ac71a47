"""Where the bundled files are: inside the installed package, or in a source checkout (one fallback).

Plain paths next to this module, not importlib.resources: Qt and the PDF writer need real files, an installed
wheel and a PyInstaller folder both have them on disk, and start-up stays free of the zip-import machinery.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE.parent


def map_svg_path() -> Path:
    """assets/back_regions.svg: the wheel carries it as app/assets/; a checkout has it at the repo root."""
    packaged = _PACKAGE / "assets" / "back_regions.svg"
    return packaged if packaged.is_file() else _CHECKOUT_ROOT / "assets" / "back_regions.svg"


def data_path(name: str) -> Path:
    """A file under app/data (protocol.toml, fonts/...), the same from a checkout and a wheel."""
    return _PACKAGE / "data" / name
