"""The doses of the marked regions shaped into a session a therapist would follow, and timed.

A step covers one or more regions: the same technique at the same pressure on neighbouring regions of one area
(left and right together) is one step. Areas are worked one after the other, top to bottom, each with its
techniques in the seeds' order; tapping, shaking and stretching are the finishing touches of an area's last
step. Lying on the side, all of one side is worked, then one turn, then the other side. The warm-up and the
finish get their share within bounds; each regional step at least a few minutes and more the tighter its area,
up to its share of the most a step takes (a mildly tight area a few minutes, a very tight one about a quarter
of an hour); the time left over goes to general work of the back at a comfortable pressure, in rounds of the
seeds' routine: kneading either side of the spine before the marked areas, then a glide and more kneading after
them. When time is short, the tightest areas come first and the therapist is told what waits for next time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.mark_review import BONE_PAIN_RULE
from app.domain.plain_words import joined
from app.domain.plan_dose import STROKING, Dose
from app.domain.plan_model import Finishing, Step
from app.domain.protocol import Protocol, Technique
from app.domain.records import PressureOverride
from app.domain.region_specs import SPECS_BY_ID, plain_places
from app.domain.safety import BACK, Adjustment, Pressure, Screening, cap_pressure

LIGHT = 2  # the level the marks' own rules keep a place to
TENSION_MAX = 10  # the marks' scale: an area at 10/10 may have the most a step takes
STROKES_PER_MINUTE = 2  # a long glide over the back takes about half a minute
WARM_UP_LEVEL = 2  # "gentle, broad strokes"
FINISH_LEVEL = 1  # "gradually reduce the intensity"
SIDE_LYING = "side-lying"
FULL_SESSION = 30  # from this many minutes on the warm-up and finish get their full bounds


@dataclass
class _Draft:
    """A step before its order and final minutes are known."""

    block: int  # 0, or lying on the side: 0 for the first side, 1 for the second
    side: str | None
    area: int
    technique: Technique
    doses: list[Dose]
    finishing: list[Finishing]
    minutes: int = 0

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(dose.region for dose in self.doses))

    @property
    def tension(self) -> int:
        return max(dose.tension for dose in self.doses)


def shape_steps(
    doses: Sequence[Dose],
    minutes: int,
    position: str,
    screening: Screening,
    protocol: Protocol,
    override: PressureOverride | None,
    notes: list[str],
) -> tuple[Step, ...]:
    session = protocol.session
    warm_up, finish = _bounds(minutes, protocol)
    drafts = _drafts(doses, position, protocol, notes)
    kept = _fit(drafts, minutes - warm_up - finish, notes)
    spare = minutes - warm_up - finish - sum(draft.minutes for draft in kept)
    spare = _lengthen(kept, spare, protocol)
    room = 0  # what the warm-up and the finish may still take, in a full session
    if minutes >= FULL_SESSION:
        room = session.warm_up_minutes[1] - warm_up + session.finish_minutes[1] - finish
    general = _General.of(position, screening, protocol, override, _kept_light(doses))
    if general is not None and room < spare < session.step_minutes[0]:
        spare += _shorten(kept, session.step_minutes[0] - spare, protocol)  # enough for a round of general work
    rounds = general.rounds(spare, room, kept) if general else {}
    spare -= sum(step.minutes for side_rounds in rounds.values() for step in side_rounds)
    warm_extra = min(spare, session.warm_up_minutes[1] - warm_up) if minutes >= FULL_SESSION else 0
    finish_extra = min(spare - warm_extra, session.finish_minutes[1] - finish) if minutes >= FULL_SESSION else 0
    unplanned = spare - warm_extra - finish_extra
    if unplanned > 0:
        notes.append(f"The plan fills {minutes - unplanned} of {minutes} minutes: the rest is time to rest or talk.")
    steps: list[Step] = []
    first = _back_step(protocol, screening, override, "warm-up", warm_up + warm_extra)
    steps.extend([first] if first else [])
    for side in _sides_in_order(kept, rounds):
        general_work = rounds.get(side, [])
        steps.extend(general_work[:1])  # a first round loosens the back before the marked areas
        in_block = [draft for draft in kept if draft.side == side]
        for index, draft in enumerate(in_block):
            same_places = index > 0 and in_block[index - 1].regions == draft.regions
            steps.append(_step(draft, protocol, said_how_tight=same_places))
        steps.extend(general_work[1:])  # then a glide and more rounds bring the back together
    last = _back_step(protocol, screening, override, "finish", finish + finish_extra)
    steps.extend([last] if last and finish + finish_extra > 0 else [])
    return tuple(replace(step, order=order) for order, step in enumerate(steps, start=1))


def _bounds(minutes: int, protocol: Protocol) -> tuple[int, int]:
    """The warm-up's and the finish's minutes: within their bounds in a full session, a share of a short one."""
    session = protocol.session
    if minutes >= FULL_SESSION:
        low, high = session.warm_up_minutes
        warm_up = max(low, min(high, round(minutes * 0.1)))
        low, high = session.finish_minutes
        return warm_up, max(low, min(high, round(minutes * 0.07)))
    warm_up = max(1, round(minutes * 0.15))
    finish = 0 if minutes < 4 else max(1, round(minutes * 0.1))
    return min(warm_up, minutes), min(finish, minutes - min(warm_up, minutes))


def _area_of(region: str, protocol: Protocol) -> int:
    base = SPECS_BY_ID[region].base
    return next(index for index, area in enumerate(protocol.areas) if base in area.bases)


def _drafts(doses: Sequence[Dose], position: str, protocol: Protocol, notes: list[str]) -> list[_Draft]:
    """Doses grouped into steps by side block, area, technique and pressure; finishing touches attached."""
    session = protocol.session
    rank = {STROKING: -1} | {technique: index for index, technique in enumerate(session.order)}
    side_lying = position == SIDE_LYING
    mains: dict[tuple[int, int, int], list[Dose]] = {}
    touches: dict[tuple[int, int], dict[str, list[Dose]]] = {}
    for dose in doses:
        spec = SPECS_BY_ID[dose.region]
        block = (0 if spec.side == "left" else 1) if side_lying else 0
        area = _area_of(dose.region, protocol)
        if dose.technique in session.finishing:
            touches.setdefault((block, area), {}).setdefault(dose.technique, []).append(dose)
            continue
        mains.setdefault((block, area, rank[dose.technique]), []).append(dose)
    drafts = []
    for (block, area, _), group in sorted(mains.items()):
        side = SPECS_BY_ID[group[0].region].side if side_lying else None
        for similar in _similar_levels(group):
            drafts.append(_Draft(block, side, area, protocol.techniques[similar[0].technique], similar, []))
    for (block, area), by_touch in touches.items():
        finishing = _finishing(by_touch, position, protocol, notes)
        owner = [draft for draft in drafts if (draft.block, draft.area) == (block, area)]
        # The touches end the area's work, but never lengthen a dose that has a limit (friction).
        open_ended = [draft for draft in owner if draft.technique.max_minutes is None]
        if owner:
            (open_ended or owner)[-1].finishing.extend(finishing)
        elif finishing:  # only finishing touches here (e.g. kneading left out): the first one leads the step
            first, *rest = finishing
            lead = by_touch[first.technique]
            side = SPECS_BY_ID[lead[0].region].side if position == SIDE_LYING else None
            drafts.append(_Draft(block, side, area, protocol.techniques[first.technique], lead, rest))
    drafts.sort(key=lambda d: (d.block, d.area, rank.get(d.technique.id, len(rank))))
    for draft in drafts:
        draft.minutes = _base_minutes(draft, protocol)
    return drafts


def _similar_levels(doses: list[Dose]) -> list[list[Dose]]:
    """One technique's doses in one area, split where their pressures differ by more than one level; each part
    is then done at its lightest level (never firmer than any of its regions may have)."""
    parts: list[list[Dose]] = []
    for dose in sorted(doses, key=lambda d: -d.level):
        if parts and parts[-1][0].level - dose.level <= 1:
            parts[-1].append(dose)
        else:
            parts.append([dose])
    return [sorted(part, key=lambda d: doses.index(d)) for part in parts]


def _finishing(by_touch: dict[str, list[Dose]], position: str, protocol: Protocol, notes: list[str]) -> list[Finishing]:
    """Each touch once per area, at the gentlest pressure any of its places may have."""
    finishing = []
    order = {technique: index for index, technique in enumerate(protocol.session.finishing)}
    for technique, group in sorted(by_touch.items(), key=lambda item: order[item[0]]):
        level = min(dose.level for dose in group)
        regions = [dose.region for dose in group]
        how = ""
        if technique == "stretching":
            method = {r: protocol.stretches.get(SPECS_BY_ID[r].base, {}).get(position) for r in regions}
            without = [SPECS_BY_ID[r].name for r in regions if not method[r]]
            if without:
                notes.append(f"No stretch for {', '.join(without)} in this position ({position}).")
            regions = [r for r in regions if method[r]]
            if not regions:
                continue
            how = " ".join(sorted({text for text in method.values() if text}))
        finishing.append(Finishing(technique, Pressure.of(level), tuple(regions), how))
    return finishing


def _holds_minutes(draft: _Draft, protocol: Protocol) -> int:
    session = protocol.session
    hold = max((protocol.regions[dose.region].hold_seconds or (0, 0))[1] for dose in draft.doses)
    seconds = len(draft.doses) * session.holds_per_point * (hold + session.rest_seconds)
    return math.ceil(seconds / 60)


def _base_minutes(draft: _Draft, protocol: Protocol) -> int:
    least = protocol.session.step_minutes[0]
    if draft.technique.max_minutes is not None:
        return min(least, draft.technique.max_minutes)  # its finishing touches fit in its minutes
    if draft.technique.hold_seconds is not None:
        return max(least, _holds_minutes(draft, protocol)) + min(2, len(draft.finishing))
    return least + min(2, len(draft.finishing))


def _fit(drafts: list[_Draft], free: int, notes: list[str]) -> list[_Draft]:
    """The steps that fit in `free` minutes, the tightest areas first; what waits is told to the therapist.

    Lying on the side, a step and its mirror on the other side stay or wait together, so both sides match."""
    units: dict[tuple[int, str], list[_Draft]] = {}
    for draft in drafts:
        units.setdefault((draft.area, draft.technique.id), []).append(draft)
    by_priority = sorted(
        units.values(), key=lambda u: (-max(d.tension for d in u), -u[0].technique.importance, u[0].area)
    )
    kept: list[_Draft] = []
    used = 0
    for unit in by_priority:
        cost = sum(draft.minutes for draft in unit)
        if used + cost <= free:
            kept.extend(unit)
            used += cost
    waiting = [draft for draft in drafts if draft not in kept]
    if waiting:
        notes.append(
            "Short on time, waits for next time: "
            + "; ".join(f"{d.technique.name} on {joined(plain_places(d.regions))}" for d in waiting)
            + "."
        )
    return [draft for draft in drafts if draft in kept]


def _ceiling(draft: _Draft, protocol: Protocol) -> int:
    """The most a step takes: its area's share of the most a step takes by tension (half up), never under its
    least, never over the technique's own limit (friction)."""
    least = _base_minutes(draft, protocol)
    if draft.technique.max_minutes is not None:
        return least
    most = protocol.session.step_minutes[1]
    share = (2 * most * draft.tension + TENSION_MAX) // (2 * TENSION_MAX)
    return max(least, share + min(2, len(draft.finishing)))


def _lengthen(kept: list[_Draft], spare: int, protocol: Protocol) -> int:
    """Spare minutes to the steps that earn them (kneading where it is tight), by weight and tension, each up to
    its ceiling; what is left is the general work's."""
    while spare > 0:
        earning = [d for d in kept if d.technique.weight * d.tension > 0 and d.minutes < _ceiling(d, protocol)]
        if not earning:
            break
        weights = [draft.technique.weight * draft.tension for draft in earning]
        shares = [spare * weight // sum(weights) for weight in weights]
        if not any(shares):  # fewer minutes than steps: one each, the most earning first
            order = sorted(range(len(earning)), key=lambda index: -weights[index])
            shares = [1 if index in order[:spare] else 0 for index in range(len(earning))]
        for draft, share in zip(earning, shares, strict=True):
            extra = min(share, _ceiling(draft, protocol) - draft.minutes)
            draft.minutes += extra
            spare -= extra
    return spare


def _shorten(kept: list[_Draft], minutes: int, protocol: Protocol) -> int:
    """Takes up to `minutes` back from the lengthened steps, the least tight first; returns how many it took."""
    taken = 0
    for draft in sorted(kept, key=lambda d: d.tension):
        back = min(minutes - taken, draft.minutes - _base_minutes(draft, protocol))
        draft.minutes -= back
        taken += back
    return taken


def _sides_in_order(kept: list[_Draft], rounds: dict[str | None, list[Step]]) -> list[str | None]:
    """The blocks of the session: one lying face down or sitting, left then right lying on the side."""
    sides = {draft.side for draft in kept} | set(rounds)
    return sorted(sides, key=lambda side: (None, "left", "right").index(side)) or [None]


@dataclass(frozen=True)
class _General:
    """The general work of the back today: kneading either side of the spine at a comfortable pressure within
    every cap (lightly when the marks keep any place light: the hands pass over those places too), in rounds
    joined by a glide of long strokes."""

    kneading: Technique
    level: int
    adjustments: tuple[Adjustment, ...]
    lightly_over: str  # the places that keep the whole pass light, in the client's words; "" if none
    glide: Technique | None  # None when a rule leaves the strokes out
    glide_level: int
    glide_adjustments: tuple[Adjustment, ...]
    side_lying: bool
    protocol: Protocol

    @classmethod
    def of(
        cls,
        position: str,
        screening: Screening,
        protocol: Protocol,
        override: PressureOverride | None,
        kept_light: Sequence[str],
    ) -> _General | None:
        session = protocol.session
        kneading = protocol.techniques[session.general]
        if kneading.id in screening.dropped():
            return None
        level, adjustments = cap_pressure(
            min(session.general_level, kneading.max_pressure), BACK, screening, protocol, override
        )
        lightly_over = ""
        if kept_light and level > LIGHT:
            lightly_over = joined(plain_places(kept_light))
            adjustments += (Adjustment("kept_light", level, LIGHT, f"Light over {lightly_over}, as there."),)
            level = LIGHT
        if level < 1:
            return None
        glide = protocol.techniques[session.warm_up]
        glide_level, glide_adjustments = cap_pressure(
            min(WARM_UP_LEVEL, glide.max_pressure), BACK, screening, protocol, override
        )
        usable = glide.id not in screening.dropped() and glide_level >= 1
        return cls(
            kneading,
            level,
            adjustments,
            lightly_over,
            glide if usable else None,
            glide_level,
            glide_adjustments,
            position == SIDE_LYING,
            protocol,
        )

    def rounds(self, minutes: int, room: int, kept: list[_Draft]) -> dict[str | None, list[Step]]:
        """`minutes` of general work by side: the first round before the side's marked areas, then a glide and
        another round after them, as many as the time asks with no round longer than the most a step takes.
        What the rounds cannot take (at most `room`) is left to the warm-up and the finish."""
        least, most = self.protocol.session.step_minutes
        if minutes < least:
            return {}
        sides: list[str | None] = [None]
        if self.side_lying:
            worked = [side for side in ("left", "right") if any(draft.side == side for draft in kept)]
            sides = [*worked, *(side for side in ("left", "right") if side not in worked)]
            if minutes < 2 * least:
                sides = sides[:1]
        glide = least if self.glide else 0
        count = 1
        while minutes - room > len(sides) * (most + (count - 1) * (glide + most)):
            count += 1
        kneading = min(minutes - len(sides) * (count - 1) * glide, len(sides) * count * most)
        rounds: dict[str | None, list[Step]] = {}
        for side, side_minutes in zip(sides, _split(kneading, len(sides)), strict=True):
            rounds[side] = []
            for index, round_minutes in enumerate(_split(side_minutes, count)):
                if index:
                    rounds[side].extend(self._glide(glide, side))
                rounds[side].append(self._kneading(round_minutes, side, again=index > 0))
        return rounds

    def _kneading(self, minutes: int, side: str | None, *, again: bool) -> Step:
        where = "your whole back" if side is None else f"the {side} side of your back"
        if again:
            why = f"More kneading either side of your spine, at a pressure that feels good, to loosen {where} evenly."
        else:
            why = f"Kneading either side of your spine, at a pressure that feels good, to loosen {where}."
            if self.lightly_over:  # say why the whole pass is light; a rule's own reason says so itself
                why += f" Only lightly over {self.lightly_over}."
        return _whole_back_step(self.kneading, self.protocol, self.level, minutes, why, self.adjustments, side=side)

    def _glide(self, minutes: int, side: str | None) -> list[Step]:
        if self.glide is None:
            return []
        where = "your whole back" if side is None else f"the {side} side of your back"
        low, high = self.glide.repetitions or (0, 0)
        strokes = min(high, minutes * STROKES_PER_MINUTE)
        why = f"Long strokes over {where} again, to smooth out the work so far."
        return [
            _whole_back_step(
                self.glide,
                self.protocol,
                self.glide_level,
                minutes,
                why,
                self.glide_adjustments,
                repetitions=strokes if strokes >= low else None,
                side=side,
            )
        ]


def _split(minutes: int, parts: int) -> list[int]:
    """`minutes` in `parts` as even as whole minutes go, the longer ones first."""
    return [minutes // parts + (1 if index < minutes % parts else 0) for index in range(parts)]


def _kept_light(doses: Sequence[Dose]) -> list[str]:
    """The regions the marks themselves keep light (a client's 8-10, burning, numbness or pins and needles, the
    muscles beside a painful bone): the general work of the back passes over them too."""
    beside_painful_bone = {
        dose.region for dose in doses if any(a.rule == BONE_PAIN_RULE for a in dose.adjustments) or dose.reason
    }
    return list(dict.fromkeys(d.region for d in doses if d.irritated or d.numb or d.region in beside_painful_bone))


def _tension_words(doses: list[Dose]) -> str:
    """How tight it is, in words that never pass the therapist's number off as the client's feeling."""
    top = max(doses, key=lambda dose: dose.tension)
    several = len({dose.region for dose in doses}) > 1
    up_to = "up to " if several and any(dose.tension != top.tension for dose in doses) else ""
    if top.marked_by == "client":
        return f"You rated it {up_to}{top.tension} out of 10"
    if top.client_tension is not None and top.client_tension != top.tension:
        return f"You rated it {top.client_tension} out of 10 and your therapist found {top.tension}"
    feel = "a little tight" if top.tension <= 3 else "tight" if top.tension <= 6 else "very tight"
    return f"It felt {feel} to your therapist ({up_to}{top.tension} out of 10)"


def _step(draft: _Draft, protocol: Protocol, *, said_how_tight: bool) -> Step:
    """A drafted step in full; `said_how_tight` when the step before worked the same places and said so."""
    technique = draft.technique
    regions = draft.regions
    substitute = next((dose.reason for dose in draft.doses if dose.reason), None)
    if substitute is not None or all(dose.tension == 0 for dose in draft.doses):
        why = f"Light strokes ease it without pressing: {substitute}." if substitute else "Light strokes ease it."
    elif said_how_tight:
        why = f"{technique.purpose.capitalize()}."
    else:
        why = f"{_tension_words(draft.doses)}, {technique.purpose}."
    if any(dose.irritated for dose in draft.doses):
        why += " We check with you first and start gently."
    adjustments: dict[tuple[str, object, object], Adjustment] = {}
    for dose in draft.doses:
        for adjustment in dose.adjustments:
            adjustments.setdefault((adjustment.rule, adjustment.before, adjustment.after), adjustment)
    holds = protocol.session.holds_per_point if technique.hold_seconds is not None else None
    hold_seconds = None
    if technique.hold_seconds is not None:
        hold_seconds = protocol.regions[regions[0]].hold_seconds or technique.hold_seconds
    return Step(
        order=0,
        regions=regions,
        technique=technique.id,
        pressure=Pressure.of(min(dose.level for dose in draft.doses)),
        hold_seconds=hold_seconds,
        holds=holds,
        repetitions=None,
        minutes=draft.minutes,
        why=why,
        source="; ".join(dict.fromkeys([technique.source, *(protocol.regions[r].source for r in regions)])),
        adjustments=tuple(adjustments.values()),
        side=draft.side,
        finishing=tuple(draft.finishing),
    )


def _back_step(
    protocol: Protocol,
    screening: Screening,
    override: PressureOverride | None,
    part: str,
    minutes: int,
) -> Step | None:
    """The whole-back warm-up or finish; None when a rule drops its technique."""
    session = protocol.session
    technique_id = session.warm_up if part == "warm-up" else session.finish
    if technique_id in screening.dropped() or minutes <= 0:
        return None
    technique = protocol.techniques[technique_id]
    target = min(WARM_UP_LEVEL if part == "warm-up" else FINISH_LEVEL, technique.max_pressure)
    level, adjustments = cap_pressure(target, BACK, screening, protocol, override)
    low, high = technique.repetitions or (0, 0)
    if part == "warm-up":
        why = f"{technique.purpose.capitalize()}."
        repetitions = high if minutes * STROKES_PER_MINUTE >= high else None
    else:
        why = "Lighter and lighter, to finish."
        repetitions = low if minutes * STROKES_PER_MINUTE >= low else None
    if part == "warm-up" and screening.left_alone():  # said once, at the first pass, for every pass after it
        why += " All the work on your whole back will go around the places left alone today."
    return _whole_back_step(technique, protocol, level, minutes, why, adjustments, repetitions=repetitions or None)


def _whole_back_step(
    technique: Technique,
    protocol: Protocol,
    level: int,
    minutes: int,
    why: str,
    adjustments: tuple[Adjustment, ...],
    *,
    repetitions: int | None = None,
    side: str | None = None,
) -> Step:
    """A step over the whole back (or one side of it, lying on the side): warm-up, general work, finish."""
    return Step(
        order=0,
        regions=(BACK,),
        technique=technique.id,
        pressure=Pressure.of(level),
        hold_seconds=None,
        holds=None,
        repetitions=repetitions,
        minutes=minutes,
        why=why,
        source=f"{technique.source}; {protocol.session.source}",
        adjustments=adjustments,
        side=side,
    )
