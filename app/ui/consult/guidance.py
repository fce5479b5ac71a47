"""The region panel's guidance as HTML: techniques, pressure, holds and cautions, with this client's changes."""

from __future__ import annotations

from html import escape

from app.domain.protocol import Protocol
from app.domain.records import PressureOverride
from app.domain.safety import DEFAULT_CAP_RULE, Screening, region_guidance


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
        parts.append(
            f"<p><b>Pressure:</b> start at {guidance.pressure.level} ({escape(guidance.pressure.label)}), "
            f"at most {guidance.max_pressure.level} ({escape(guidance.max_pressure.label)})</p>"
        )
        if guidance.hold_seconds is not None:
            low, high = guidance.hold_seconds
            parts.append(f"<p><b>Hold:</b> {low}–{high} seconds of steady pressure</p>")
    # The default cap of 4 holds for everyone, so it is not a change "for this client".
    changes = [a for a in guidance.adjustments if a.rule != DEFAULT_CAP_RULE]
    if changes:
        items = "".join(
            f"<li>{escape(a.reason)}"
            + (f" ({escape(str(a.before))} → {escape(str(a.after))})" if a.after is not None else "")
            + "</li>"
            for a in changes
        )
        parts.append(f"<p><b>Changed for this client:</b></p><ul>{items}</ul>")
    if guidance.cautions:
        items = "".join(f"<li>{escape(caution)}</li>" for caution in guidance.cautions)
        parts.append(f"<p><b>Cautions:</b></p><ul>{items}</ul>")
    return "".join(parts)
