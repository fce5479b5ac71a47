"""What a freehand brush stroke means for the marks (DESIGN.md, "UI"; issue 5: the 20 % rule)."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.region_specs import SPECS_BY_ID

COVERAGE_THRESHOLD = 0.20  # a stroke must cover at least this share of a region to mark it


def tensions_from_stroke(
    coverage: Mapping[str, float],
    tension: int,
    current: Mapping[str, int],
    threshold: float = COVERAGE_THRESHOLD,
) -> dict[str, int]:
    """The regions a stroke of `tension` sets, in the layer whose marks are `current`.

    A region is set when the stroke covers at least `threshold` of it and it has no higher (or equal) tension
    already. The spine and the sacrum are skipped: a stroke across the back is about the muscles beside the
    spine, and those two are marked only by choosing them on purpose.
    """
    changes: dict[str, int] = {}
    for region_id, share in coverage.items():
        if share < threshold or SPECS_BY_ID[region_id].kind in ("no_pressure", "caution"):
            continue
        before = current.get(region_id)
        if before is None or before < tension:
            changes[region_id] = tension
    return dict(sorted(changes.items()))
