"""What the marks themselves ask of the plan, whatever the screening says (protocol.toml: client_high_tension,
beside_bone, bone_pain).

- A client's own 8-10 is irritated tissue: check first and start gentle there, whatever the therapist rated.
- A mark on the spine or the sacrum: the bone is never pressed; the muscles beside it get gentle strokes.
- Pain on the bone (the client's 7+, or any mark there with fragile bones or cancer treatment) can be a warning
  sign: the session becomes "modify" and the therapist asks the red-flag questions before starting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.plain_words import is_or_are, joined
from app.domain.protocol import Outcome, Protocol
from app.domain.records import Intake, Mark
from app.domain.region_specs import REGION_SPECS, SPECS_BY_ID
from app.domain.safety import Reason

CLIENT_HIGH_TENSION_RULE = "client_high_tension"
BESIDE_BONE_RULE = "beside_bone"
BONE_PAIN_RULE = "bone_pain"


@dataclass(frozen=True, slots=True)
class MarkReview:
    outcome: Outcome  # proceed, or modify when the marks ask for care
    reasons: tuple[Reason, ...]  # for the client
    therapist_notes: tuple[str, ...]
    irritated: Mapping[str, int]  # region -> the client's own 8-10
    beside_bone: Mapping[str, str]  # region beside a marked bone -> the client's reason
    bone_pain: bool


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def review_marks(marks: Iterable[Mark], intake: Intake | None, protocol: Protocol) -> MarkReview:
    marks = tuple(marks)
    client = {mark.region: mark.tension for mark in marks if mark.by == "client"}
    high = protocol.client_high_tension
    # Bone is never worked, so there is nothing to start gently on: pain there is the bone-pain rule's.
    irritated = {
        region: tension
        for region, tension in client.items()
        if tension >= high.min_tension and protocol.regions[region].techniques
    }
    reasons: list[Reason] = []
    notes: list[str] = []
    if irritated:
        places = [SPECS_BY_ID[spec.id].plain for spec in REGION_SPECS if spec.id in irritated]
        text = high.reason.format(places=joined(places), verb=is_or_are(places))
        reasons.append(Reason(CLIENT_HIGH_TENSION_RULE, _capitalised(text), high.source))

    bones = protocol.beside_bone.beside
    marked_bones = sorted({mark.region for mark in marks if mark.region in bones and mark.tension > 0})
    beside: dict[str, str] = {}
    if marked_bones:
        text = _capitalised(
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
        and (fragile or (mark.by == "client" and mark.tension >= rule.min_client_tension))
        for mark in marks
    )
    if bone_pain:
        reasons.append(Reason(BONE_PAIN_RULE, rule.reason, rule.source))
        notes.insert(0, rule.therapist)
    return MarkReview(
        outcome="modify" if bone_pain or irritated else "proceed",
        reasons=tuple(reasons),
        therapist_notes=tuple(notes),
        irritated=irritated,
        beside_bone=beside,
        bone_pain=bone_pain,
    )
