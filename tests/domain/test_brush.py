from __future__ import annotations

from app.domain.brush import tensions_from_stroke


def test_a_stroke_marks_regions_it_covers_by_at_least_a_fifth() -> None:
    coverage = {"lower_back_l": 0.35, "paraspinal_lumbar_l": 0.2, "latissimus_l": 0.19}
    assert tensions_from_stroke(coverage, 6, current={}) == {"lower_back_l": 6, "paraspinal_lumbar_l": 6}


def test_a_stroke_never_lowers_a_higher_tension_already_marked() -> None:
    coverage = {"lower_back_l": 0.9, "lower_back_r": 0.9, "paraspinal_lumbar_r": 0.5}
    current = {"lower_back_l": 8, "lower_back_r": 6, "paraspinal_lumbar_r": 2}
    assert tensions_from_stroke(coverage, 6, current) == {"paraspinal_lumbar_r": 6}


def test_a_stroke_across_the_back_leaves_the_spine_and_sacrum_alone() -> None:
    coverage = {"spine": 0.6, "sacrum": 0.8, "paraspinal_lumbar_l": 0.4}
    assert tensions_from_stroke(coverage, 5, current={}) == {"paraspinal_lumbar_l": 5}
