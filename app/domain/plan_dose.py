"""What each marked region may have today and how firmly: one Dose per region and technique.

Every level passes through the screening's caps (app.domain.safety) and what the marks themselves ask
(app.domain.mark_review); each change is kept as an Adjustment with the rule that made it. How the doses are
grouped into steps and timed is app.domain.plan_shape's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.mark_review import (
    BONE_PAIN_RULE,
    BURNING_RULE,
    CLIENT_HIGH_TENSION_RULE,
    NERVE_SYMPTOMS_RULE,
    MarkReview,
)
from app.domain.protocol import PRESSURE_MAX, Protocol
from app.domain.records import Layer, Mark, PressureOverride, effective_marks
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID, RegionSpec
from app.domain.safety import Adjustment, Screening, cap_pressure, techniques_today

STROKING = "effleurage"  # the gentle substitute where nothing else may be done
STROKING_LEVEL = 2  # light
# Why a region gets only light strokes, after "Light strokes ease it without pressing: ".
BESIDE_BONE_WHY = "the bone beside it is never pressed"
LEFT_OUT_WHY = "stronger work there is left out today, for your safety"


@dataclass(frozen=True, slots=True)
class Dose:
    """One technique on one region today."""

    region: str
    technique: str
    level: int
    tension: int  # the tension that counts (the therapist's where both marked); 0 beside a marked bone
    client_tension: int | None  # the client's own rating, if they gave one
    marked_by: Layer | None
    irritated: bool  # the client's own 8-10, or burning: check first, start gentle
    adjustments: tuple[Adjustment, ...]
    reason: str  # why only light strokes (a gentle substitute), for the client; "" for ordinary work
    numb: bool = False  # numbness or pins and needles: light at most, whatever the number


def target_level(default: int, tension: int) -> int:
    """Firmer where tension is higher: around the region's default, before any cap."""
    if tension <= 3:
        offset = -1
    elif tension <= 6:
        offset = 0
    elif tension <= 8:
        offset = 1
    else:
        offset = 2
    return max(1, min(PRESSURE_MAX, default + offset))


def region_doses(
    marks: Sequence[Mark],
    screening: Screening,
    review: MarkReview,
    protocol: Protocol,
    override: PressureOverride | None,
    notes: list[str],
) -> list[Dose]:
    """The doses of every region in map order; regions left alone, bone and unmarked regions get none."""
    effective = effective_marks(marks)
    client = {mark.region: mark.tension for mark in marks if mark.by == "client"}
    high = protocol.client_high_tension
    wanted = set(protocol.session.order) | set(protocol.session.finishing)
    left_alone = screening.left_alone()
    doses: list[Dose] = []
    for spec in REGION_SPECS:
        region = protocol.regions[spec.id]
        mark = effective.get(spec.id)
        beside_bone = review.beside_bone.get(spec.id)
        if not region.techniques or spec.id in left_alone:
            continue  # bone (the review notes it) or left alone today (the screening says why)
        if mark is None or mark.tension == 0:
            if beside_bone is not None:
                doses.extend(_stroking(spec, BESIDE_BONE_WHY, None, (), screening, protocol, override))
            continue
        burning = review.burning.get(spec.id)
        irritated = spec.id in review.irritated or burning is not None
        numb = review.numb.get(spec.id)
        kept, left_out = techniques_today(spec.id, screening, protocol)
        kept = [t for t in kept if t in wanted and not (irritated and t in high.drop)]
        techniques = [t for t in kept if mark.tension >= protocol.techniques[t].min_tension]
        notes.extend(f"{spec.name}: {caution}" for caution in protocol.cautions_for(spec.id))
        if not techniques:
            # The rule's own reason is in "what we changed for your safety": the step says it only briefly.
            reason = BESIDE_BONE_WHY if beside_bone is not None else LEFT_OUT_WHY
            # A point is stroked as part of the area it lies on; that area once is enough.
            targets = [spec] if spec.kind != "point" else [SPECS_BY_ID[a] for a in sorted(protocol.overlaps[spec.id])]
            substitute = [
                dose
                for target in targets
                if target.id not in {done.region for done in doses}
                for dose in _stroking(target, reason, mark, tuple(left_out), screening, protocol, override)
            ]
            doses.extend(substitute)
            if not substitute and not any(done.region in protocol.overlaps.get(spec.id, ()) for done in doses):
                notes.append(f"{spec.name}: nothing today; every technique for it is left out.")
            continue
        for technique_id in techniques:
            technique = protocol.techniques[technique_id]
            target = min(target_level(region.default_pressure, mark.tension), technique.max_pressure)
            level, adjustments = cap_pressure(target, spec.id, screening, protocol, override)
            if irritated and level > high.start_level:
                if burning is None:
                    rule, reason = (
                        CLIENT_HIGH_TENSION_RULE,
                        f"You told us {spec.plain} is very sore, so we start gently there.",
                    )
                else:
                    rule, reason = BURNING_RULE, burning
                adjustments += (Adjustment(rule, level, high.start_level, reason),)
                level = high.start_level
            if numb is not None and level > protocol.nerve_symptoms.max_level:
                adjustments += (Adjustment(NERVE_SYMPTOMS_RULE, level, protocol.nerve_symptoms.max_level, numb),)
                level = protocol.nerve_symptoms.max_level
            if beside_bone is not None and review.bone_pain and level > STROKING_LEVEL:
                adjustments += (Adjustment(BONE_PAIN_RULE, level, STROKING_LEVEL, beside_bone),)
                level = STROKING_LEVEL
            if level >= 1:
                doses.append(
                    Dose(
                        spec.id,
                        technique_id,
                        level,
                        mark.tension,
                        client.get(spec.id),
                        mark.by,
                        irritated,
                        adjustments,
                        "",
                        numb is not None,
                    )
                )
    return doses


def _stroking(
    spec: RegionSpec,
    reason: str,
    mark: Mark | None,
    left_out: tuple[Adjustment, ...],
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None,
) -> list[Dose]:
    """Light strokes on one region: the gentle substitute where nothing stronger may be done today."""
    if not screening.allowed_here(spec.id, STROKING) or STROKING in screening.dropped(spec.id):
        return []
    target = min(STROKING_LEVEL, protocol.techniques[STROKING].max_pressure)
    level, adjustments = cap_pressure(target, spec.id, screening, protocol, override)
    if level < 1:
        return []
    tension = 0 if mark is None else mark.tension
    by = None if mark is None else mark.by
    return [Dose(spec.id, STROKING, level, tension, None, by, False, left_out + adjustments, reason)]
