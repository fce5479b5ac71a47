from __future__ import annotations

import pytest

from app.domain.region_specs import REGION_IDS, REGION_SPECS, SPECS_BY_ID, canonical_region_id, twin


def test_the_design_table_is_complete_with_kinds_and_sides() -> None:
    assert len(REGION_SPECS) == len(REGION_IDS) == 24
    assert SPECS_BY_ID["spine"].kind == "no_pressure"
    assert SPECS_BY_ID["sacrum"].kind == "caution"
    assert {SPECS_BY_ID[f"{p}_l"].kind for p in ("suboccipital", "scapula_edge", "lower_back_point")} == {"point"}
    for spec in REGION_SPECS:
        expected_side = {"_l": "left", "_r": "right"}.get(spec.id[-2:], "centre")
        assert spec.side == expected_side, spec.id
        assert spec.side in spec.plain or spec.side == "centre"


def test_twins_mirror_left_and_right() -> None:
    assert twin("trapezius_upper_l") == "trapezius_upper_r"
    assert twin("scapula_edge_r") == "scapula_edge_l"
    assert twin("spine") is None


def test_unknown_region_ids_are_named_in_the_error() -> None:
    assert canonical_region_id("neck_l") == "neck_l"
    with pytest.raises(KeyError, match="shoulder_x"):
        canonical_region_id("shoulder_x")
