"""The consult screen: marking tension with the client (map, region panel, session notes, undo)."""
