"""Where the map's outlines are read from (the first paint, the plan's map, `backmap regions`), and the cache written
when the map was edited.

The outlines of the map (app.domain.map_outlines) come from a JSON file keyed by the SVG's checksum:
app/data/map_outlines.json as shipped (written by tools/build_map.py), else a copy in the user cache folder.
When neither matches the SVG (someone edited it), they are rebuilt from regions.py, which loads the heavy
libraries once, and cached.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import platformdirs

from app.domain.map_outlines import MapOutlines, build_outlines, svg_checksum
from app.resources import data_path, map_svg_path
from app.storage.files import write_private_file

SHIPPED_NAME = "map_outlines.json"


def cache_path(checksum: str) -> Path:
    return Path(platformdirs.user_cache_dir("backmap")) / f"map_outlines-{checksum}.json"


def _read_matching(path: Path, checksum: str) -> MapOutlines | None:
    try:
        outlines = MapOutlines.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, stale format or damaged: rebuilt by the caller
    return outlines if outlines.matches(checksum) else None


def load_map_outlines(svg_path: Path | None = None) -> MapOutlines:
    """The outlines of the map at `svg_path` (default: the bundled one), the cheapest way that matches it."""
    svg_path = svg_path or map_svg_path()
    checksum = svg_checksum(svg_path)
    cached = cache_path(checksum)
    for candidate in (data_path(SHIPPED_NAME), cached):
        outlines = _read_matching(candidate, checksum)
        if outlines is not None:
            return outlines
    outlines = build_outlines(svg_path)
    # A read-only or full cache folder only costs the next start the rebuild.
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_private_file(cached, outlines.to_json().encode("utf-8"))
    return outlines
