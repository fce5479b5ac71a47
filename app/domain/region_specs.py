"""The region ids of the back map and what each one is (DESIGN.md, "Regions": a contract).

This table needs no geometry, so the knowledge base, storage and client files can validate region ids without
loading the SVG. The map (assets/back_regions.svg) must carry exactly these ids; a test checks it.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    plain: str  # the client's words, a noun phrase for any sentence ("the top of your left shoulder")
    kind: RegionKind
    side: Side
    both: str = ""  # the client's words for this region on both sides ("the tops of both shoulders")

    @property
    def base(self) -> str:
        """The id without its side (`trapezius_upper_l` -> `trapezius_upper`)."""
        return self.id[:-2] if self.side != "centre" else self.id


def _pair(base: str, kind: RegionKind, name: str, plain: str, both: str) -> tuple[RegionSpec, RegionSpec]:
    # `name`/`plain` take {side}: the client's own left or right.
    return (
        RegionSpec(f"{base}_l", name.format(side="left"), plain.format(side="left"), kind, "left", both),
        RegionSpec(f"{base}_r", name.format(side="right"), plain.format(side="right"), kind, "right", both),
    )


REGION_SPECS: tuple[RegionSpec, ...] = (
    *_pair(
        "neck",
        "area",
        "Neck, {side}",
        "the {side} side of the back of your neck",
        "both sides of the back of your neck",
    ),
    *_pair(
        "trapezius_upper",
        "area",
        "Upper trapezius, {side}",
        "the top of your {side} shoulder",
        "the tops of both shoulders",
    ),
    *_pair(
        "rhomboid",
        "area",
        "Rhomboids, {side}",
        "the muscles between your {side} shoulder blade and your spine",
        "the muscles between your shoulder blades",
    ),
    *_pair("scapula", "area", "Shoulder blade, {side}", "your {side} shoulder blade", "both shoulder blades"),
    *_pair(
        "latissimus",
        "area",
        "Latissimus, {side}",
        "the {side} side of your back, below the armpit",
        "both sides of your back, below the armpits",
    ),
    *_pair(
        "paraspinal_thoracic",
        "area",
        "Thoracic paraspinals, {side}",
        "the muscles on the {side} of your spine in your upper and middle back",
        "the muscles on both sides of your spine in your upper and middle back",
    ),
    *_pair(
        "paraspinal_lumbar",
        "area",
        "Lumbar paraspinals, {side}",
        "the muscles on the {side} of your spine in your lower back",
        "the muscles on both sides of your spine in your lower back",
    ),
    *_pair(
        "lower_back",
        "area",
        "Lower back (quadratus lumborum), {side}",
        "the {side} side of your lower back",
        "both sides of your lower back",
    ),
    RegionSpec("spine", "Spine", "your spine", "no_pressure", "centre"),
    RegionSpec("sacrum", "Sacrum", "the flat bone at the base of your spine", "caution", "centre"),
    *_pair(
        "suboccipital",
        "point",
        "Base of the skull, {side}",
        "the {side} side of the base of your skull",
        "both sides of the base of your skull",
    ),
    *_pair(
        "scapula_edge",
        "point",
        "Shoulder blade edge, {side}",
        "the inner edge of your {side} shoulder blade",
        "the inner edges of both shoulder blades",
    ),
    *_pair(
        "lower_back_point",
        "point",
        "Lower back point, {side}",
        "a point on the {side} of your lower spine",
        "points on both sides of your lower spine",
    ),
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


def plain_places(region_ids: Iterable[str]) -> list[str]:
    """The regions in the client's words, in map order, a pair of sides said once ("both shoulder blades")."""
    wanted = set(region_ids)
    places: list[str] = []
    for spec in REGION_SPECS:
        if spec.id not in wanted:
            continue
        other = twin(spec.id)
        if other in wanted:
            if spec.side == "left":
                places.append(spec.both)
            continue
        places.append(spec.plain)
    return places
