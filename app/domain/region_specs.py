"""The region ids of the back map and what each one is (DESIGN.md, "Regions": a contract).

This table needs no geometry, so the knowledge base, storage and client files can validate region ids without
loading the SVG. The map (assets/back_regions.svg) must carry exactly these ids; a test checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RegionKind = Literal["area", "point", "no_pressure", "caution"]
Side = Literal["left", "right", "centre"]

MAP_VERSION = "1"

# Retired ids -> current id, so sessions saved under an older map still read. Empty for map version 1.
ALIASES: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class RegionSpec:
    id: str
    name: str  # the therapist's name for it, e.g. in the region list
    plain: str  # the client's words, e.g. in the printed plan
    kind: RegionKind
    side: Side


def _pair(base: str, kind: RegionKind, name: str, plain: str) -> tuple[RegionSpec, RegionSpec]:
    # `name`/`plain` take {side}: the client's own left or right.
    return (
        RegionSpec(f"{base}_l", name.format(side="left"), plain.format(side="left"), kind, "left"),
        RegionSpec(f"{base}_r", name.format(side="right"), plain.format(side="right"), kind, "right"),
    )


REGION_SPECS: tuple[RegionSpec, ...] = (
    *_pair("neck", "area", "Neck, {side}", "the {side} side of the back of your neck"),
    *_pair("trapezius_upper", "area", "Upper trapezius, {side}", "the top of your {side} shoulder"),
    *_pair("rhomboid", "area", "Rhomboids, {side}", "between your {side} shoulder blade and your spine"),
    *_pair("scapula", "area", "Shoulder blade, {side}", "over your {side} shoulder blade"),
    *_pair("latissimus", "area", "Latissimus, {side}", "the {side} side of your back, below the armpit"),
    *_pair(
        "paraspinal_thoracic",
        "area",
        "Thoracic paraspinals, {side}",
        "the muscles beside your spine in your upper and middle back, {side} side",
    ),
    *_pair(
        "paraspinal_lumbar",
        "area",
        "Lumbar paraspinals, {side}",
        "the muscles beside your spine in your lower back, {side} side",
    ),
    *_pair("lower_back", "area", "Lower back (quadratus lumborum), {side}", "the {side} side of your lower back"),
    RegionSpec("spine", "Spine", "your spine", "no_pressure", "centre"),
    RegionSpec("sacrum", "Sacrum", "the flat bone at the base of your spine", "caution", "centre"),
    *_pair("suboccipital", "point", "Base of the skull, {side}", "the base of your skull, {side} side"),
    *_pair(
        "scapula_edge",
        "point",
        "Shoulder blade edge, {side}",
        "the inner edge of your {side} shoulder blade",
    ),
    *_pair("lower_back_point", "point", "Lower back point, {side}", "beside your lower spine, {side} side"),
)

REGION_IDS: frozenset[str] = frozenset(spec.id for spec in REGION_SPECS)
SPECS_BY_ID: dict[str, RegionSpec] = {spec.id: spec for spec in REGION_SPECS}


def canonical_region_id(region_id: str) -> str:
    """The current id for `region_id` (following retired aliases); KeyError naming it when unknown."""
    current = ALIASES.get(region_id, region_id)
    if current not in SPECS_BY_ID:
        raise KeyError(f"unknown region id {region_id!r}")
    return current


def twin(region_id: str) -> str | None:
    """The other side's region (`trapezius_upper_l` -> `trapezius_upper_r`); None for centre regions."""
    if region_id.endswith("_l"):
        return region_id[:-2] + "_r"
    if region_id.endswith("_r"):
        return region_id[:-2] + "_l"
    return None
