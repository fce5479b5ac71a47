"""The clickable back map: a QGraphicsView over the SVG, with region overlays from the domain's polygons."""
