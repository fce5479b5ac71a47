"""The printed plan as Qt rich text (the HTML subset QTextDocument lays out), for the PDF and the printer.

Every string from the plan is escaped: a plan's words are text, never markup. The pictures (the map, the step
badges) are <img>s named `MAP_URL` and `badge_url(order)` with their size in CSS pixels; the caller draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from app.domain.plan_wording import (
    CLEARANCE_HEADING,
    NOTE_HEADING,
    Handout,
    StepText,
    clearance_missing,
    clearance_text,
    closing,
    postpone_heading,
    postpone_text,
    steps_heading,
)
from app.domain.protocol import NO_MASSAGE
from app.ui.plan_view.style import CAUTION, CAUTION_WASH_PRINT, INK, MUTED_INK, legend_html

HAIRLINE = "#d5d8de"
MAP_URL = "backmap://map.png"
BADGE_PX = 24  # CSS pixels (1/96 inch)


@dataclass(frozen=True, slots=True)
class Spacing:
    """The handout's type sizes (points) and gaps (points, or CSS pixels in tables): a comfortable set, and a
    tighter one for a plan that would otherwise spill a little onto another page."""

    body_pt: float
    small_pt: float  # the steps' whys and the columns at the foot
    step_pt: float  # each step's place
    title_pt: float
    heading_pt: float
    steps_heading_pt: float
    gap_pt: float  # under a paragraph or a list item
    section_pt: float  # above a heading, and under a box
    step_px: int  # between two steps, each side of their hairline
    box_px: int  # inside a box, above and below its text


COMFORTABLE = Spacing(
    body_pt=9.5,
    small_pt=8.5,
    step_pt=10,
    title_pt=19,
    heading_pt=12,
    steps_heading_pt=13,
    gap_pt=3,
    section_pt=4,
    step_px=4,
    box_px=8,
)
COMPACT = Spacing(
    body_pt=9,
    small_pt=8,
    step_pt=9.5,
    title_pt=16,
    heading_pt=11,
    steps_heading_pt=12,
    gap_pt=1.5,
    section_pt=2.5,
    step_px=2,
    box_px=5,
)


def badge_url(order: int) -> str:
    return f"backmap://badge/{order}.png"


def handout_html(
    handout: Handout, *, clearance_on_record: bool, map_width: int, map_height: int, spacing: Spacing = COMFORTABLE
) -> str:
    return _Html(spacing).handout(handout, clearance_on_record, map_width, map_height)


class _Html:
    """The handout's parts, each spaced by one `Spacing`."""

    def __init__(self, spacing: Spacing) -> None:
        self.s = spacing

    def handout(self, handout: Handout, clearance_on_record: bool, map_width: int, map_height: int) -> str:
        plan = handout.plan
        parts = [self._header(handout)]
        if clearance_missing(plan, clearance_on_record):
            text = clearance_text(plan, handout.client_first_name)
            parts.append(self._caution(CLEARANCE_HEADING, self._p(escape(text))))
        if plan.outcome in NO_MASSAGE:
            lines = [postpone_text(handout.client_first_name, plan.outcome), *plan.for_client]
            body = "".join(self._p(escape(line)) for line in lines) + self._p(f"<b>{escape(plan.refer or '')}</b>")
            parts.append(self._caution(postpone_heading(plan), body))
        else:
            parts.append(self._map_and_steps(handout, map_width, map_height))
            if plan.for_client:
                changes = self._bullets([escape(reason) for reason in plan.for_client])
                parts.append(self._space() + self._caution("What we changed for your safety", changes))
            parts.append(self._footer(handout))
        if handout.shared_note and plan.outcome in NO_MASSAGE:
            parts.append(self._heading(NOTE_HEADING) + self._p(escape(handout.shared_note)))
        return f'<html><body style="color:{INK}">{"".join(parts)}</body></html>'

    def _p(self, inner: str, style: str = "", after: float | None = None) -> str:
        """A paragraph with explicit spacing: QTextDocument's default margins are too loose for print."""
        below = self.s.gap_pt if after is None else after
        return f'<p style="margin-top:0; margin-bottom:{below}pt; {style}">{inner}</p>'

    def _space(self) -> str:
        """An empty line `section_pt` high: Qt collapses margins between tables, not this."""
        return self._p("&nbsp;", f"font-size:{self.s.section_pt}pt", 0)

    def _bullets(self, items: list[str]) -> str:
        """A list with hanging indents (the document's indent width sets how far); items are already escaped."""
        rows = "".join(f'<li style="margin-bottom:{self.s.gap_pt}pt">{item}</li>' for item in items)
        return f'<ul style="margin-top:0; margin-bottom:0">{rows}</ul>'

    def _header(self, handout: Handout) -> str:
        practice = handout.practice.practice_name.strip()
        over = self._p(escape(practice.upper()), f"color:{MUTED_INK}; font-size:8.5pt", 4) if practice else ""
        return (
            over
            + self._p(escape(handout.title), f"font-size:{self.s.title_pt}pt; font-weight:bold", 1)
            + self._p(escape(handout.subtitle), f"color:{MUTED_INK}; font-size:10pt", 2 * self.s.section_pt)
        )

    def _caution(self, title: str, body: str) -> str:
        """A tinted box with a bar on its left; its heading says what it is, so colour is never the only cue."""
        box = self.s.box_px
        return (
            '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="5" style="background-color:{CAUTION}"></td>'
            f'<td style="background-color:{CAUTION_WASH_PRINT}; padding-left:12px; padding-right:12px;'
            f' padding-top:{box}px; padding-bottom:{box - 2}px">'
            f"{self._p(escape(title), 'font-size:12.5pt; font-weight:bold', self.s.gap_pt + 1)}{body}</td></tr></table>"
            + self._space()
        )

    def _map_and_steps(self, handout: Handout, map_width: int, map_height: int) -> str:
        """The map, its key and the set-up beside the steps: one page for a typical plan."""
        plan = handout.plan
        steps = "".join(self._step(step) for step in plan.steps)
        side = [
            f'<img src="{MAP_URL}" width="{map_width}" height="{map_height}">',
            f'<div style="color:{MUTED_INK}; font-size:8pt">{legend_html(plan.levels_used)}</div>',
            self._heading("Position, oil or lotion") + self._setup(handout),
        ]
        heading = f"font-size:{self.s.steps_heading_pt}pt; font-weight:bold"
        return (
            '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="{map_width + 18}" valign="top" style="padding-right:18px; padding-top:4px">'
            f"{''.join(side)}</td>"
            '<td valign="top">'
            f"{self._p(escape(steps_heading(plan)), heading, 2 * self.s.gap_pt)}"
            f"{steps}</td></tr></table>"
        )

    def _footer(self, handout: Handout) -> str:
        """After the massage, at home, the closing words: three short columns, so the foot of the page stays short."""
        plan = handout.plan
        last = closing(handout.practice)
        # The therapist's note heads the last column, which is the shortest: a typical plan stays on one page.
        note = self._heading(NOTE_HEADING) + self._p(escape(handout.shared_note)) if handout.shared_note else ""
        columns = [  # (title, body, share of the width): the longest list gets the widest column
            ("After your massage", self._bullets([escape(i) for i in plan.aftercare]) if plan.aftercare else "", 30),
            (
                "Your home routine",
                self._bullets([escape(i) for i in plan.home_routine]) if plan.home_routine else "",
                45,
            ),
            (last.heading, "".join(self._p(escape(text)) for text in last.lines), 25),
        ]
        cells = [
            f'<td width="{width}%" valign="top" style="padding-right:12px; font-size:{self.s.small_pt}pt">'
            f"{note if title == last.heading else ''}{self._heading(title)}{body}</td>"
            for title, body, width in columns
            if body
        ]
        return '<table width="100%" cellspacing="0" cellpadding="0"><tr>' + "".join(cells) + "</tr></table>"

    def _heading(self, title: str) -> str:
        return self._space() + self._p(
            escape(title), f"font-size:{self.s.heading_pt}pt; font-weight:bold", self.s.gap_pt
        )

    def _step(self, step: StepText) -> str:
        how = f"{escape(step.technique)} · <b>{escape(step.pressure)} pressure</b>"
        lines = [
            self._p(escape(step.where), f"font-size:{self.s.step_pt}pt; font-weight:bold", 1),
            self._p(f"{how} · {escape(step.dose)}" if step.dose else how, after=1),
        ]
        if step.why:
            lines.append(self._p(escape(step.why), f"color:{MUTED_INK}; font-size:{self.s.small_pt}pt", 1))
        if step.finishing:
            lines.append(self._p(escape(step.finishing), after=1))
        if step.turn:
            lines.insert(0, self._p(f"<b>{escape(step.turn)}</b>", f"color:{CAUTION}", 2))
        gap = self.s.step_px
        # One table per step, so the PDF can keep each step whole on a page.
        return (
            f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-bottom:{gap + 1}px">'
            f'<tr><td width="{BADGE_PX + 8}" valign="top" style="padding-top:1px">'
            f'<img src="{badge_url(step.order)}" width="{BADGE_PX}" height="{BADGE_PX}"></td>'
            f'<td valign="top" style="padding-bottom:{gap}px; border-bottom:1px solid {HAIRLINE}">'
            f"{''.join(lines)}</td></tr></table>"
        )

    def _setup(self, handout: Handout) -> str:
        plan = handout.plan
        lines = [
            self._p(f"<b>Position:</b> {escape(plan.position)}"),
            self._p(f"<b>Oil or lotion:</b> {escape(plan.medium)}"),
        ]
        if plan.medium_why:
            lines.append(self._p(f"Why: {escape(plan.medium_why)}", f"color:{MUTED_INK}"))
        return "".join(lines)
