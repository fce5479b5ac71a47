"""The printed plan as Qt rich text (the HTML subset QTextDocument lays out), for the PDF and the printer.

Every string from the plan is escaped: a plan's words are text, never markup. The pictures (the map, the step
badges) are <img>s named `MAP_URL` and `badge_url(order)` with their size in CSS pixels; the caller draws them.
"""

from __future__ import annotations

from html import escape

from app.domain.plan_wording import (
    CLOSING,
    NOTE_HEADING,
    Handout,
    StepText,
    clearance_missing,
    clearance_text,
    next_visit_text,
    postpone_heading,
    postpone_text,
    steps_heading,
)
from app.domain.protocol import NO_MASSAGE
from app.ui.plan_view.style import CAUTION, CAUTION_WASH_PRINT, INK, MUTED_INK, legend_html

HAIRLINE = "#d5d8de"
MAP_URL = "backmap://map.png"
BADGE_PX = 24  # CSS pixels (1/96 inch)


def badge_url(order: int) -> str:
    return f"backmap://badge/{order}.png"


def handout_html(handout: Handout, *, clearance_on_record: bool, map_width: int, map_height: int) -> str:
    plan = handout.plan
    parts = [_header(handout)]
    if clearance_missing(plan, clearance_on_record):
        text = clearance_text(handout.client_first_name)
        parts.append(_caution("Please check with your doctor first", _p(escape(text))))
    if plan.outcome in NO_MASSAGE:
        lines = [postpone_text(handout.client_first_name, plan.outcome), *plan.for_client]
        body = "".join(_p(escape(line)) for line in lines) + _p(f"<b>{escape(plan.refer or '')}</b>")
        parts.append(_caution(postpone_heading(plan), body))
    else:
        parts.append(_map_and_steps(handout, map_width, map_height))
        if plan.for_client:
            changes = _bullets([escape(reason) for reason in plan.for_client])
            parts.append(_p("&nbsp;", "font-size:4pt", 0) + _caution("What we changed for your safety", changes))
        parts.append(_footer(handout))
    if handout.shared_note and plan.outcome in NO_MASSAGE:
        parts.append(_heading(NOTE_HEADING) + _p(escape(handout.shared_note)))
    return f'<html><body style="color:{INK}">{"".join(parts)}</body></html>'


def _p(inner: str, style: str = "", after: float = 3) -> str:
    """A paragraph with explicit spacing: QTextDocument's default margins are too loose for print."""
    return f'<p style="margin-top:0; margin-bottom:{after}pt; {style}">{inner}</p>'


def _bullets(items: list[str]) -> str:
    """A list with hanging indents (the document's indent width sets how far); items are already escaped."""
    rows = "".join(f'<li style="margin-bottom:3pt">{item}</li>' for item in items)
    return f'<ul style="margin-top:0; margin-bottom:0">{rows}</ul>'


def _header(handout: Handout) -> str:
    practice = handout.practice.practice_name.strip()
    over = _p(escape(practice.upper()), f"color:{MUTED_INK}; font-size:8.5pt", 4) if practice else ""
    return (
        over
        + _p(escape(handout.title), "font-size:19pt; font-weight:bold", 1)
        + _p(escape(handout.subtitle), f"color:{MUTED_INK}; font-size:10pt", 8)
    )


def _caution(title: str, body: str) -> str:
    """A tinted box with a bar on its left; its heading says what it is, so colour is never the only cue."""
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="5" style="background-color:{CAUTION}"></td>'
        f'<td style="background-color:{CAUTION_WASH_PRINT}; padding-left:12px; padding-right:12px;'
        ' padding-top:9px; padding-bottom:6px">'
        f"{_p(escape(title), 'font-size:12.5pt; font-weight:bold', 4)}{body}</td></tr></table>"
        + _p("&nbsp;", "font-size:6pt", 0)
    )


def _map_and_steps(handout: Handout, map_width: int, map_height: int) -> str:
    """The map, its key and the set-up beside the steps: one page for a typical plan."""
    plan = handout.plan
    steps = "".join(_step(step) for step in plan.steps)
    side = [
        f'<img src="{MAP_URL}" width="{map_width}" height="{map_height}">',
        f'<div style="color:{MUTED_INK}; font-size:8pt">{legend_html(plan.levels_used)}</div>',
    ]
    side.append(_heading("Position, oil or lotion") + _setup(handout))
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="{map_width + 18}" valign="top" style="padding-right:18px; padding-top:4px">'
        f"{''.join(side)}</td>"
        '<td valign="top">'
        f"{_p(escape(steps_heading(plan)), 'font-size:13pt; font-weight:bold', 6)}"
        f"{steps}</td></tr></table>"
    )


def _footer(handout: Handout) -> str:
    """After the massage, at home, next time: three short columns, so the foot of the page stays short."""
    plan = handout.plan
    closing = [text for text in (next_visit_text(handout.practice), CLOSING) if text]
    # The therapist's note heads the last column, which is the shortest: a typical plan stays on one page.
    note = _heading(NOTE_HEADING) + _p(escape(handout.shared_note)) if handout.shared_note else ""
    columns = [  # (title, body, share of the width): the longest list gets the widest column
        ("After your massage", _bullets([escape(item) for item in plan.aftercare]) if plan.aftercare else "", 30),
        ("Your home routine", _bullets([escape(i) for i in plan.home_routine]) if plan.home_routine else "", 45),
        ("Next time", "".join(_p(escape(text)) for text in closing), 25),
    ]
    cells = [
        f'<td width="{width}%" valign="top" style="padding-right:12px; font-size:8.5pt">'
        f"{note if title == 'Next time' else ''}{_heading(title)}{body}</td>"
        for title, body, width in columns
        if body
    ]
    return '<table width="100%" cellspacing="0" cellpadding="0"><tr>' + "".join(cells) + "</tr></table>"


def _heading(title: str) -> str:
    return _p("&nbsp;", "font-size:4pt", 0) + _p(escape(title), "font-size:12pt; font-weight:bold", 3)


def _step(step: StepText) -> str:
    how = f"{escape(step.technique)} · <b>{escape(step.pressure)} pressure</b>"
    lines = [
        _p(escape(step.where), "font-size:10pt; font-weight:bold", 1),
        _p(f"{how} · {escape(step.dose)}" if step.dose else how, after=1),
    ]
    if step.why:
        lines.append(_p(escape(step.why), f"color:{MUTED_INK}; font-size:8.5pt", 1))
    if step.finishing:
        lines.append(_p(escape(step.finishing), after=1))
    if step.turn:
        lines.insert(0, _p(f"<b>{escape(step.turn)}</b>", f"color:{CAUTION}", 2))
    # One table per step, so the PDF can keep each step whole on a page.
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" style="margin-bottom:5px">'
        f'<tr><td width="{BADGE_PX + 8}" valign="top" style="padding-top:1px">'
        f'<img src="{badge_url(step.order)}" width="{BADGE_PX}" height="{BADGE_PX}"></td>'
        f'<td valign="top" style="padding-bottom:4px; border-bottom:1px solid {HAIRLINE}">'
        f"{''.join(lines)}</td></tr></table>"
    )


def _setup(handout: Handout) -> str:
    plan = handout.plan
    lines = [
        _p(f"<b>Position:</b> {escape(plan.position)}"),
        _p(f"<b>Oil or lotion:</b> {escape(plan.medium)}"),
    ]
    if plan.medium_why:
        lines.append(_p(f"Why: {escape(plan.medium_why)}", f"color:{MUTED_INK}"))
    return "".join(lines)
