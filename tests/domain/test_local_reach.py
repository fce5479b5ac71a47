"""The knowledge base's table of what lies on what (protocol.toml, "overlaps") agrees with the map's geometry."""

from __future__ import annotations

from app.domain.protocol import load_protocol
from app.domain.region_specs import REGION_SPECS
from app.domain.regions import load_region_map


def test_every_point_overlaps_exactly_the_areas_the_table_says() -> None:
    protocol = load_protocol()
    region_map = load_region_map()
    polygons = region_map.polygons
    areas = [spec.id for spec in REGION_SPECS if spec.kind == "area"]
    for spec in REGION_SPECS:
        if spec.kind != "point":
            continue
        under = {area for area in areas if polygons[spec.id].intersection(polygons[area]).area > 0}
        assert under == set(protocol.overlaps.get(spec.id, ())), spec.id
        for area in under:
            assert spec.id in protocol.overlaps[area]  # and the other way round
