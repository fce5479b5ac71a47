"""`backmap regions [--format json|text]`: the back map's region catalogue (DESIGN.md, "Command line")."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.domain.map_outlines import RegionInfo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "regions",
        help="list the regions of the back map",
        description="The region catalogue: id, name, kind, side, centroid, anchor and area (map px).",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.domain.map_outlines import OutlineLocator
    from app.storage.map_cache import load_map_outlines  # the map's cached outlines: no numpy, shapely, svgelements

    catalogue = OutlineLocator(load_map_outlines().regions).catalogue
    print(catalogue_json(catalogue) if args.format == "json" else catalogue_table(catalogue))
    return 0


def _xy(point: tuple[float, float]) -> list[float]:
    return [round(point[0], 1), round(point[1], 1)]


def catalogue_json(catalogue: tuple[RegionInfo, ...]) -> str:
    rows = [
        {
            "id": info.id,
            "name": info.name,
            "kind": info.kind,
            "side": info.side,
            "centroid": _xy(info.centroid),
            "anchor": _xy(info.anchor),
            "area": round(info.area),
        }
        for info in catalogue
    ]
    # One region per line: readable, and still one JSON document.
    return "[\n" + ",\n".join(f"  {json.dumps(row, ensure_ascii=False)}" for row in rows) + "\n]"


def catalogue_table(catalogue: tuple[RegionInfo, ...]) -> str:
    header = ("id", "name", "kind", "side", "centroid", "anchor", "area px²")
    rows = [
        (
            info.id,
            info.name,
            info.kind,
            info.side,
            "{:.1f}, {:.1f}".format(*info.centroid),
            "{:.1f}, {:.1f}".format(*info.anchor),
            f"{info.area:.0f}",
        )
        for info in catalogue
    ]
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    numeric = {4, 5, 6}  # right-aligned columns

    def line(cells: tuple[str, ...]) -> str:
        padded = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(header), line(tuple("-" * width for width in widths)), *map(line, rows)])
