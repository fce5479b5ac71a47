"""The client's plan on screen: large calm type, the numbered map, each step and its why, the safety changes.

The view takes only what a client may see (a `Handout`: the plan, first name, date, shared note, practice), so
therapist-only text (SOAP notes, region notes) has no way in. It emits intents; Plan mode's controller does the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeyEvent, QKeySequence, QPalette, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.plain_words import capitalised
from app.domain.plan_wording import (
    CLEARANCE_HEADING,
    NOTE_HEADING,
    Handout,
    StepText,
    can_mark_as_given,
    clearance_missing,
    clearance_text,
    closing,
    postpone_heading,
    postpone_text,
    steps_heading,
)
from app.domain.protocol import NO_MASSAGE
from app.resources import map_svg_path
from app.ui.accessible_names import name_inner_parts
from app.ui.plan_view.hold_timer import HoldTimer
from app.ui.plan_view.map_image import render_plan_map
from app.ui.plan_view.style import (
    CAUTION,
    CAUTION_WASH,
    PRESSURE_COLOURS,
    badge_text_colour,
    font_family,
    legend_html,
)

MAP_WIDTH = 330
BODY_POINT_SIZE = 13
PAGE_MAX_WIDTH = 1100
BADGE_SIZE = 38
ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)  # Ctrl++ / Ctrl+- step through these


class PlanView(QWidget):
    """Plan mode's plan. Inputs: `show_handout(...)`, `set_given(...)`, `set_finalised(...)`."""

    markedAsGiven = Signal()
    zoomChanged = Signal(float)  # the new zoom, for the settings to remember
    holdLogged = Signal(str, float)  # region id, seconds held (from a step's hold timer)
    printRequested = Signal()
    savePdfRequested = Signal()
    letterRequested = Signal()  # the letter for the doctor; Plan mode enables its button when a plan needs one

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        map_svg: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._map_svg = map_svg or map_svg_path()
        self._clock = clock
        self._handout: Handout | None = None
        self._shown: tuple[Handout, bool, float] | None = None  # what the page on screen was built from
        self._clearance_on_record = False
        self._given = False
        self._final = False
        self._held = False
        self._zoom = 1.0
        self.hold_timers: list[HoldTimer] = []

        self._scroll = QScrollArea()
        self._scroll.setAccessibleName("The plan")
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.print_button = QPushButton("Print…")
        self.save_pdf_button = QPushButton("Save as PDF…")
        self.letter_button = QPushButton("Letter for the doctor…")
        self.mark_given_button = QPushButton("Mark as given")
        self.mark_given_button.setObjectName("markGiven")
        self.given_hint = QLabel()
        self.given_hint.setObjectName("givenHint")
        self.print_button.clicked.connect(self.printRequested)
        self.save_pdf_button.clicked.connect(self.savePdfRequested)
        self.letter_button.clicked.connect(self.letterRequested)
        self.mark_given_button.clicked.connect(self._mark_given)

        actions = QHBoxLayout()
        actions.setContentsMargins(24, 10, 24, 14)
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_pdf_button)
        actions.addWidget(self.letter_button)
        actions.addStretch(1)
        actions.addWidget(self.given_hint)
        actions.addWidget(self.mark_given_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(actions)
        self._apply_style()
        name_inner_parts(self)
        for keys, step in (
            (QKeySequence.StandardKey.ZoomIn, 1),
            (QKeySequence("Ctrl+="), 1),  # Ctrl++ without Shift on most keyboards
            (QKeySequence.StandardKey.ZoomOut, -1),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.step_zoom(step))
        self._scroll.setWidget(self._placeholder())
        self._update_actions()

    # Inputs -----------------------------------------------------------------------------------------------

    def show_handout(self, handout: Handout, *, clearance_on_record: bool = False) -> None:
        """Shows a plan in the client's words (app.domain.session_plan.handout_for); BackmapError when the map
        cannot be drawn (nothing on screen changes)."""
        ratio = self.devicePixelRatioF()
        if (handout, clearance_on_record, ratio) == self._shown:
            # Back to Plan mode with nothing changed: the ~250 labels on screen (and hold timers running) stay.
            return
        # The map is the other thing that can fail (an unreadable SVG): before anything on screen changes.
        picture = self._render_map(handout)
        self._handout = handout
        self._clearance_on_record = clearance_on_record
        self._shown = (handout, clearance_on_record, ratio)
        self._given = False
        self._final = False
        self._show_page(picture)

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        """Type and map size (1.0: as designed); a plan on screen is laid out again (not while a hold runs)."""
        if any(timer.running for timer in self.hold_timers) or zoom == self._zoom:
            return
        self._zoom = min(max(zoom, ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        self._apply_style()
        if self._handout is not None:
            self._show_page(self._render_map(self._handout))
        self.zoomChanged.emit(self._zoom)

    def step_zoom(self, step: int) -> None:
        """Ctrl++ (1) or Ctrl+- (-1): the next larger or smaller of ZOOM_STEPS."""
        nearest = min(range(len(ZOOM_STEPS)), key=lambda index: abs(ZOOM_STEPS[index] - self._zoom))
        self.set_zoom(ZOOM_STEPS[min(max(nearest + step, 0), len(ZOOM_STEPS) - 1)])

    def _scaled(self, size: float) -> int:
        return round(size * self._zoom)

    def _render_map(self, handout: Handout) -> QImage:
        ratio = self.devicePixelRatioF()
        return render_plan_map(self._map_svg, handout.plan.map_marks, self._scaled(MAP_WIDTH), device_pixel_ratio=ratio)

    def _show_page(self, picture: QImage) -> None:
        assert self._handout is not None
        self.hold_timers = []
        self._scroll.setWidget(self._page(self._handout, picture))
        self.set_finalised(self._final, held=self._held)  # the new timers follow the session's state

    def set_given(self, given: bool) -> None:
        """Call once the plan is stored as given (after markedAsGiven succeeded)."""
        self._given = given
        self._update_actions()

    def toggle_hold(self) -> None:
        """Space in the plan: stops the running hold, else starts the first timer with holds still to do."""
        if self._final or not self.hold_timers:
            return
        running = next((timer for timer in self.hold_timers if timer.running), None)
        if running is not None:
            running.stop()
            return
        to_do = [timer for timer in self.hold_timers if timer.holds_to_do]
        (to_do or self.hold_timers)[0].start()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Only what no focused control took (a focused button still presses with Space, as everywhere).
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            self.toggle_hold()
            event.accept()
            return
        super().keyPressEvent(event)

    def set_finalised(self, final: bool, *, held: bool = False) -> None:
        """Call for a finalised session (its plan is shown as it was; nothing is given or timed any more) or a
        held one (an open session of an earlier day: nothing is given or timed until it is continued)."""
        self._final, self._held = final, held
        why = (
            "The session is finalised: holds are timed during the session"
            if final
            else "Continue this session in Consult first: it was started on an earlier day"
            if held
            else ""
        )
        for timer in self.hold_timers:
            timer.setEnabled(not final and not held)
            timer.setToolTip(why)
        self._update_actions()

    @property
    def clearance_on_record(self) -> bool:
        return self._clearance_on_record

    def handout(self) -> Handout | None:
        """What is on screen, for printing or a PDF of exactly the same plan."""
        return self._handout

    # Actions ----------------------------------------------------------------------------------------------

    def _mark_given(self) -> None:
        if self._handout is not None and can_mark_as_given(self._handout.plan, self._clearance_on_record):
            self.markedAsGiven.emit()

    def _update_actions(self) -> None:
        handout = self._handout
        allowed = handout is not None and can_mark_as_given(handout.plan, self._clearance_on_record)
        self.mark_given_button.setEnabled(allowed and not self._given and not self._final and not self._held)
        # A postponed plan has nothing to give: no button to wonder about, the hint says why.
        self.mark_given_button.setVisible(handout is None or handout.plan.outcome not in NO_MASSAGE)
        self.print_button.setEnabled(handout is not None)
        self.save_pdf_button.setEnabled(handout is not None)
        if handout is None:
            hint = ""
        elif handout.plan.outcome in NO_MASSAGE:
            hint = "No massage today"
        elif self._given:
            hint = "Given ✓"
        elif self._final:
            hint = "The session was finalised without the plan marked as given"
        elif self._held:
            hint = "Continue this session in Consult to give the plan"
        elif clearance_missing(handout.plan, self._clearance_on_record):
            hint = "Waiting for the doctor's clearance"
        else:
            hint = ""
        self.given_hint.setText(hint)
        self.mark_given_button.setText("Given" if self._given else "Mark as given")

    # Building the page ------------------------------------------------------------------------------------

    def _placeholder(self) -> QWidget:
        label = QLabel("No plan to show yet. Mark the map in Consult mode, then come back here.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setObjectName("muted")
        return label

    def _page(self, handout: Handout, map_image: QImage) -> QWidget:
        plan = handout.plan
        column = QVBoxLayout()
        column.setSpacing(18)
        column.addWidget(_label(handout.title, "planTitle"))
        column.addWidget(_label(handout.subtitle, "planSubtitle"))
        clearance_box = _caution_box(f"⚠  {CLEARANCE_HEADING}", [clearance_text(plan, handout.client_first_name)])
        clearance_box.setObjectName("clearanceBox")
        clearance_box.setVisible(clearance_missing(plan, self._clearance_on_record))
        column.addWidget(clearance_box)
        if plan.outcome in NO_MASSAGE:
            column.addWidget(self._postpone_box(handout))
            if handout.shared_note:
                column.addWidget(_card(NOTE_HEADING, [handout.shared_note]))
        else:
            column.addLayout(self._two_columns(handout, map_image))
        column.addStretch(1)

        # A comfortable line length on wide screens: the page is centred with a maximum width.
        inner = QWidget()
        inner.setLayout(column)
        inner.setMaximumWidth(self._scaled(PAGE_MAX_WIDTH))
        page = QWidget()
        page.setObjectName("planPage")
        outer = QHBoxLayout(page)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.addWidget(inner, 1)
        return page

    def _two_columns(self, handout: Handout, map_image: QImage) -> QHBoxLayout:
        """Left: the map, its key, position and medium. Right: safety first, then the steps and aftercare."""
        plan = handout.plan
        left = QVBoxLayout()
        left.setSpacing(14)
        picture = QLabel()
        picture.setObjectName("planMap")
        picture.setPixmap(QPixmap.fromImage(map_image))
        picture.setAccessibleName("Map of your back with the numbered places we work on")
        # Screen readers cannot see the picture: the description says what the numbers mark.
        picture.setAccessibleDescription(
            "; ".join(f"step {step.order}: {step.where}" for step in plan.steps if step.region != "back")
        )
        left.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
        legend = QLabel(legend_html(plan.levels_used))
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        legend.setObjectName("legend")
        left.addWidget(legend)
        left.addWidget(self._setup_card(handout))
        left.addStretch(1)
        holder = QWidget()
        holder.setLayout(left)
        holder.setFixedWidth(self._scaled(MAP_WIDTH) + 24)

        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(_label(steps_heading(plan), "sectionTitle"))
        for step in plan.steps:
            right.addWidget(self._step_card(step))
        if plan.for_client:
            right.addWidget(self._safety_box(handout))
        if plan.aftercare:
            right.addWidget(_card("After your massage", [f"•  {line}" for line in plan.aftercare]))
        if plan.home_routine:
            right.addWidget(_card("Your home routine", [f"•  {line}" for line in plan.home_routine]))
        if handout.shared_note:
            right.addWidget(_card(NOTE_HEADING, [handout.shared_note]))
        last = closing(handout.practice)
        right.addWidget(_card(last.heading, list(last.lines)))
        right.addStretch(1)

        row = QHBoxLayout()
        row.setSpacing(28)
        row.addWidget(holder, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(right, 1)
        return row

    def _postpone_box(self, handout: Handout) -> QFrame:
        plan = handout.plan
        lines = [postpone_text(handout.client_first_name, plan.outcome), *plan.for_client]
        box = _caution_box(postpone_heading(plan), lines, _label(plan.refer or "", "referral"))
        box.setObjectName("postponeBox")
        return box

    def _safety_box(self, handout: Handout) -> QFrame:
        plan = handout.plan
        lines = [f"•&nbsp; {escape(reason)}" for reason in plan.for_client]
        box = _caution_box("What we changed for your safety", [], *(_rich_label(line, "cautionLine") for line in lines))
        box.setObjectName("safetyBox")
        return box

    def _step_card(self, step: StepText) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        row = QHBoxLayout(card)
        row.setContentsMargins(14, 12, 16, 12)
        row.setSpacing(14)
        badge = QLabel(str(step.order))
        badge.setObjectName("stepBadge")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setFixedSize(self._scaled(BADGE_SIZE), self._scaled(BADGE_SIZE))
        level = step.pressure_level
        badge.setStyleSheet(f"background: {PRESSURE_COLOURS[level]}; color: {badge_text_colour(level)};")
        badge.setAccessibleName(f"Step {step.order}")
        row.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(4)
        if step.turn:
            text.addWidget(_label(step.turn, "stepTurn"))
        text.addWidget(_label(step.where, "stepWhere"))
        text.addWidget(_label(f"{step.technique} · {step.pressure} pressure", "stepHow"))
        if step.dose:
            text.addWidget(_label(capitalised(step.dose), "stepDose"))
        if step.why:
            text.addWidget(_label(step.why, "stepWhy"))
        if step.finishing:
            text.addWidget(_label(step.finishing, "stepWhy"))
        if step.hold is not None:
            for region in step.regions:  # one timer a point, so each hold is logged where it was done
                timer = HoldTimer(region, step.hold, repetitions=step.holds, clock=self._clock)
                timer.holdLogged.connect(self.holdLogged)
                self.hold_timers.append(timer)
                text.addWidget(timer)
        row.addLayout(text, 1)
        return card

    def _setup_card(self, handout: Handout) -> QFrame:
        plan = handout.plan
        lines = [f"Position: {plan.position}", f"Oil or lotion: {plan.medium}"]
        if plan.medium_why:
            lines.append(f"Why: {plan.medium_why}")
        return _card("Position, oil or lotion", lines)

    # Style ------------------------------------------------------------------------------------------------

    def _apply_style(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = _blend(text, palette.color(QPalette.ColorRole.Window), 0.62).name()
        line = _blend(text, palette.color(QPalette.ColorRole.Window), 0.18).name()
        family = font_family()
        font = QFont(family)
        font.setPointSize(self._scaled(BODY_POINT_SIZE))
        pt = self._scaled  # every size in the sheet follows the zoom
        self.setFont(font)  # fonts propagate to child widgets; style sheet fonts would not
        self.setStyleSheet(
            f"""
            QLabel#planTitle {{ font-size: {pt(24)}pt; font-weight: bold; }}
            QLabel#planSubtitle, QLabel#muted, QLabel#givenHint, QLabel#legend {{ color: {muted}; }}
            QLabel#sectionTitle, QLabel#cardTitle {{ font-size: {pt(15)}pt; font-weight: bold; }}
            QLabel#cautionTitle {{ font-size: {pt(15)}pt; font-weight: bold; color: palette(window-text); }}
            QLabel#stepWhere {{ font-size: {pt(14)}pt; font-weight: bold; }}
            QLabel#stepDose, QLabel#referral {{ font-weight: bold; }}
            QLabel#stepWhy {{ color: {muted}; }}
            QLabel#stepTurn {{ color: {CAUTION}; font-weight: bold; }}
            QLabel#stepBadge {{ border-radius: {pt(BADGE_SIZE) // 2}px; font-size: {pt(14)}pt; font-weight: bold; }}
            QLabel#legend {{ font-size: {pt(11)}pt; }}
            QFrame#card {{ background: palette(base); border: 1px solid {line}; border-radius: 10px; }}
            QFrame#card QLabel, QFrame#caution QLabel {{ background: transparent; border: none; }}
            QFrame#caution, QFrame#clearanceBox, QFrame#postponeBox, QFrame#safetyBox {{
                background: {CAUTION_WASH}; border: none; border-left: 6px solid {CAUTION};
                border-radius: 2px;
            }}
            QPushButton {{ font-family: "{family}"; font-size: {pt(12)}pt; padding: 6px 14px; }}
            QPushButton#markGiven {{ font-weight: bold; }}
            """
        )


def _label(text: str, name: str) -> QLabel:
    """Plain text always: a plan's words are never read as markup."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _rich_label(markup: str, name: str) -> QLabel:
    """Rich text for emphasis only: every piece of plan text in `markup` must already be escaped."""
    label = _label("", name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(markup)
    return label


def _card(title: str, lines: list[str]) -> QFrame:
    return _titled_box("card", title, lines, left_margin=18)


def _caution_box(title: str, lines: list[str], *extra: QWidget) -> QFrame:
    return _titled_box("caution", title, lines, *extra, left_margin=20)


def _titled_box(style: str, title: str, lines: list[str], *extra: QWidget, left_margin: int) -> QFrame:
    """A framed box styled by `style` ("card", "caution"): a title, lines of text, then any extra widgets."""
    box = QFrame()
    box.setObjectName(style)
    column = QVBoxLayout(box)
    column.setContentsMargins(left_margin, 14, 18, 16)
    column.setSpacing(6)
    column.addWidget(_label(title, f"{style}Title"))
    for line in lines:
        column.addWidget(_label(line, f"{style}Line"))
    for widget in extra:
        column.addWidget(widget)
    return box


def _blend(front: QColor, back: QColor, amount: float) -> QColor:
    """`amount` of `front` over `back`: muted text and hairlines that suit light and dark palettes alike."""
    return QColor(
        round(front.red() * amount + back.red() * (1 - amount)),
        round(front.green() * amount + back.green() * (1 - amount)),
        round(front.blue() * amount + back.blue() * (1 - amount)),
    )
