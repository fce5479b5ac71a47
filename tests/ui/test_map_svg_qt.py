from __future__ import annotations

import pytest
from PySide6.QtSvg import QSvgRenderer

from app.domain.regions import load_region_map
from app.resources import map_svg_path


def test_qt_draws_every_region_where_shapely_puts_it(qapp: object) -> None:
    renderer = QSvgRenderer(str(map_svg_path()))
    assert renderer.isValid()
    region_map = load_region_map()
    assert (renderer.defaultSize().width(), renderer.defaultSize().height()) == (
        region_map.width,
        region_map.height,
    )
    for info in region_map.catalogue:
        assert renderer.elementExists(info.id), info.id
        rect = renderer.transformForElement(info.id).mapRect(renderer.boundsOnElement(info.id))
        min_x, min_y, max_x, max_y = region_map.polygons[info.id].bounds
        assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx(
            (min_x, min_y, max_x, max_y), abs=1.0
        ), info.id
