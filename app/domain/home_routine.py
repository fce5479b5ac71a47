"""The client's home routine (protocol.toml, "home_routine"): seed 004's routine for a partner and gentle
stretches of their own, without what this client's screening rules out."""

from __future__ import annotations

from app.domain.protocol import NO_MASSAGE, Protocol
from app.domain.records import Intake
from app.domain.safety import Screening


def home_routine(intake: Intake | None, screening: Screening, protocol: Protocol) -> tuple[str, ...]:
    if screening.outcome in NO_MASSAGE:
        return ()
    told = intake.flag_ids() if intake is not None else frozenset()
    flags = told | {implied for flag in told for implied in protocol.flags[flag].implies}  # high risk: pregnant too
    limited = {limit.region for limit in screening.local}
    return tuple(
        item.text
        for item in protocol.home_routine
        if not item.not_with & flags
        and not (item.technique is not None and item.technique in screening.dropped())
        and not item.regions & limited
    )
