"""What the marks themselves ask of the plan, whatever the screening says (protocol.toml: client_high_tension,
beside_bone, bone_pain, nerve_symptoms, burning).

- A client's own 8-10 is irritated tissue: check first and start gentle there, whatever the therapist rated.
- A mark on the spine or the sacrum: the bone is never pressed; the muscles beside it get gentle strokes.
- Pain on the bone (the client's 7+, or any mark there with fragile bones or cancer treatment) can be a warning
  sign: the session becomes "modify" and the therapist asks the red-flag questions before starting. A mark on the
  bone that feels sharp or stabbing counts too, whatever its number.
- Numbness or pins and needles (in either layer: only the client can feel it): the client cannot judge the
  pressure there, so light at most, and the therapist asks about nerve symptoms; in the lower back the red-flag
  questions come first.
- Burning: irritated tissue, so check first and start gentle there, as for a client's own 8-10.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from app.domain.plain_words import capitalised, is_or_are, joined
from app.domain.protocol import Outcome, Protocol
from app.domain.records import QUALITY_WORDS, Intake, Mark
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID, plain_places
from app.domain.safety import Reason

CLIENT_HIGH_TENSION_RULE = "client_high_tension"
BESIDE_BONE_RULE = "beside_bone"
BONE_PAIN_RULE = "bone_pain"
NERVE_SYMPTOMS_RULE = "nerve_symptoms"
BURNING_RULE = "burning"


@dataclass(frozen=True, slots=True)
class MarkReview:
    outcome: Outcome  # proceed, or modify when the marks ask for care
    reasons: tuple[Reason, ...]  # for the client
    therapist_notes: tuple[str, ...]
    irritated: Mapping[str, int]  # region -> the client's own 8-10
    beside_bone: Mapping[str, str]  # region beside a marked bone -> the client's reason
    bone_pain: bool
    # Regions with numbness or pins and needles, and the points or areas they overlap -> the client's reason.
    numb: Mapping[str, str]
    burning: Mapping[str, str]  # region that burns (and can be worked) -> the client's reason


def review_marks(
    marks: Iterable[Mark], intake: Intake | None, protocol: Protocol, left_alone: Collection[str] = ()
) -> MarkReview:
    """`left_alone`: the regions the screening keeps hands off today (nothing there to start gently on)."""
    marks = tuple(marks)
    client = {mark.region: mark.tension for mark in marks if mark.by == "client"}
    high = protocol.client_high_tension
    # Bone is never worked either, so there is nothing to start gently on: pain there is the bone-pain rule's.
    irritated = {
        region: tension
        for region, tension in client.items()
        if tension >= high.min_tension and protocol.regions[region].techniques and region not in left_alone
    }
    reasons: list[Reason] = []
    notes: list[str] = []
    if irritated:
        places = [SPECS_BY_ID[spec.id].plain for spec in REGION_SPECS if spec.id in irritated]
        text = high.reason.format(places=joined(places), verb=is_or_are(places))
        reasons.append(Reason(CLIENT_HIGH_TENSION_RULE, capitalised(text), high.source))

    bones = protocol.beside_bone.beside
    marked_bones = sorted({mark.region for mark in marks if mark.region in bones and mark.tension > 0})
    beside: dict[str, str] = {}
    if marked_bones:
        text = capitalised(
            protocol.beside_bone.reason.format(places=joined([SPECS_BY_ID[b].plain for b in marked_bones]))
        )
        for bone in marked_bones:
            for region in bones[bone]:
                beside.setdefault(region, text)
        reasons.append(Reason(BESIDE_BONE_RULE, text, protocol.beside_bone.source))
        for bone in marked_bones:
            on_bone = sorted((mark for mark in marks if mark.region == bone), key=lambda mark: mark.by)
            tensions = ", ".join(f"{mark.by} {mark.tension}/10" for mark in on_bone)
            notes.append(f"{SPECS_BY_ID[bone].name} ({tensions}): noted, never pressed.")

    rule = protocol.bone_pain
    fragile = intake is not None and bool(intake.flag_ids() & rule.with_flags)
    bone_pain = any(
        mark.region in rule.regions
        and mark.tension > 0
        and (
            fragile
            or (mark.by == "client" and mark.tension >= rule.min_client_tension)
            or mark.quality in rule.with_qualities
        )
        for mark in marks
    )
    if bone_pain:
        reasons.append(Reason(BONE_PAIN_RULE, rule.reason, rule.source))
        notes.insert(0, rule.therapist)
    numb = _numb(marks, protocol, reasons, notes, questions_asked=bone_pain)
    burning = _burning(marks, protocol, reasons, notes)
    return MarkReview(
        outcome="modify" if bone_pain or irritated or numb or burning else "proceed",
        reasons=tuple(reasons),
        therapist_notes=tuple(notes),
        irritated=irritated,
        beside_bone=beside,
        bone_pain=bone_pain,
        numb=numb,
        burning=burning,
    )


def _felt(marks: tuple[Mark, ...], qualities: frozenset[str]) -> list[str]:
    """The regions (map order) where a mark in either layer feels like one of `qualities`."""
    felt = {mark.region for mark in marks if mark.quality in qualities}
    return [spec.id for spec in REGION_SPECS if spec.id in felt]


def _numb(
    marks: tuple[Mark, ...], protocol: Protocol, reasons: list[Reason], notes: list[str], *, questions_asked: bool
) -> dict[str, str]:
    """`questions_asked`: pain on the bone already asks the red-flag questions first; they are asked once."""
    rule = protocol.nerve_symptoms
    regions = _felt(marks, rule.qualities)
    if not regions:
        return {}
    places = plain_places(regions)
    reason = capitalised(rule.reason.format(places=joined(places), verb=is_or_are(places)))
    reasons.append(Reason(NERVE_SYMPTOMS_RULE, reason, rule.source))
    felt = [quality for quality in rule.qualities if any(mark.quality == quality for mark in marks)]
    feelings = capitalised(" and ".join(QUALITY_WORDS[quality] for quality in sorted(felt)))
    names = joined([SPECS_BY_ID[region].name for region in regions])
    if not questions_asked and any(region in rule.red_flag_regions for region in regions):
        reasons.append(Reason(NERVE_SYMPTOMS_RULE, rule.red_flag_reason, rule.source))
        notes.insert(0, rule.red_flag_therapist.format(feelings=feelings))
    notes.append(rule.therapist.format(feelings=feelings, names=names))
    # "There" is the skin the client marked: a point lies on an area, so both are kept light.
    reached = {*regions, *(other for region in regions for other in protocol.overlaps.get(region, ()))}
    return dict.fromkeys(reached, reason)


def _burning(marks: tuple[Mark, ...], protocol: Protocol, reasons: list[Reason], notes: list[str]) -> dict[str, str]:
    rule = protocol.burning
    # Bone is never worked: there is nothing to start gently on.
    regions = [region for region in _felt(marks, rule.qualities) if protocol.regions[region].techniques]
    if not regions:
        return {}
    places = plain_places(regions)
    reason = capitalised(rule.reason.format(places=joined(places), verb=is_or_are(places)))
    reasons.append(Reason(BURNING_RULE, reason, rule.source))
    notes.append(rule.therapist.format(names=joined([SPECS_BY_ID[region].name for region in regions])))
    return dict.fromkeys(regions, reason)
