from __future__ import annotations

import json
import subprocess
import sys

from app.domain.region_specs import REGION_IDS, SPECS_BY_ID


def backmap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, check=False)


def test_regions_json_lists_all_24_regions() -> None:
    result = backmap("regions", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["id"] for row in rows} == REGION_IDS
    assert len(rows) == 24
    for row in rows:
        assert set(row) == {"id", "name", "kind", "side", "centroid", "anchor", "area"}
        spec = SPECS_BY_ID[row["id"]]
        assert (row["name"], row["kind"], row["side"]) == (spec.name, spec.kind, spec.side)
        assert len(row["centroid"]) == len(row["anchor"]) == 2
        assert row["area"] > 0


def test_regions_text_is_an_aligned_table_by_default() -> None:
    result = backmap("regions")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["id", "name", "kind", "side"]
    assert len(lines) == 2 + 24
    kind_column = lines[0].index("kind")
    assert {line[kind_column:].split()[0] for line in lines[2:]} == {
        "area",
        "point",
        "no_pressure",
        "caution",
    }
    assert any(line.startswith("lower_back_point_l ") for line in lines)


def test_an_unknown_format_is_a_usage_error() -> None:
    result = backmap("regions", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_the_catalogue_comes_from_the_maps_outlines_without_the_geometry_libraries() -> None:
    probe = (
        "import contextlib, io, json, sys\n"
        "from app.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['regions'])\n"
        "print(json.dumps([name for name in ('numpy', 'shapely', 'svgelements') if name in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
