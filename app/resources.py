"""Where the bundled files are: inside the installed package, or in a source checkout (one fallback)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def map_svg_path() -> Path:
    """assets/back_regions.svg: the wheel carries it as app/assets/; a checkout has it at the repo root."""
    packaged = resources.files("app") / "assets" / "back_regions.svg"
    if packaged.is_file():
        return Path(str(packaged))
    return _CHECKOUT_ROOT / "assets" / "back_regions.svg"


def data_path(name: str) -> Path:
    """A file under app/data (protocol.toml, fonts/...), the same from a checkout and a wheel."""
    return Path(str(resources.files("app") / "data" / name))
