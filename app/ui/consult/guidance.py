"""The region panel's guidance as HTML: techniques, pressure, holds and cautions, with this client's changes."""

from __future__ import annotations

from html import escape

from app.domain.protocol import Protocol
from app.domain.records import PressureOverride
from app.domain.safety import Screening, is_area_limit, region_guidance


def guidance_html(
    region_id: str, screening: Screening, protocol: Protocol, override: PressureOverride | None = None
) -> str:
    guidance = region_guidance(region_id, screening, protocol, override)
    parts: list[str] = []
    if guidance.withheld:
        parts.append(f"<p><b>Not worked today.</b> {escape(guidance.withheld)}</p>")
    else:
        techniques = ", ".join(escape(t.name) for t in guidance.techniques)
        parts.append(f"<p><b>Techniques:</b> {techniques}</p>")
        standing_cap = protocol.standing_rule_capping(region_id)
        why_the_cap = f" {escape(standing_cap.reason)}" if standing_cap is not None else ""
        parts.append(
            f"<p><b>Pressure:</b> start at {guidance.pressure.level} ({escape(guidance.pressure.label)}), "
            f"at most {guidance.max_pressure.level} ({escape(guidance.max_pressure.label)}).{why_the_cap}</p>"
        )
        if guidance.hold_seconds is not None:
            low, high = guidance.hold_seconds
            parts.append(f"<p><b>Hold:</b> {low}–{high} seconds of steady pressure</p>")
    # An area's own limits hold for everyone: the pressure line shows them, they are not changes "for this client".
    changes = [a for a in guidance.adjustments if not is_area_limit(a.rule, protocol)]
    if changes:
        items = "".join(
            f"<li>{escape(a.reason)}"
            + (f" ({escape(str(a.before))} → {escape(str(a.after))})" if a.after is not None else "")
            + "</li>"
            for a in changes
        )
        parts.append(f"<p><b>Changed for this client:</b></p><ul>{items}</ul>")
    cautions = [caution for caution in guidance.cautions if caution not in (guidance.withheld or "")]
    if cautions:
        items = "".join(f"<li>{escape(caution)}</li>" for caution in cautions)
        parts.append(f"<p><b>Cautions:</b></p><ul>{items}</ul>")
    return "".join(parts)
