"""ConsultController: the consult's logic. It drives a ConsultView and writes through a ConsultStore.

Every edit is written first; only when the write returned is an undo command pushed (the screen stays true to
the disk). A failed write becomes a message and the view is reloaded from the store. Each write names the
session version it is based on (the one shown), so a session changed elsewhere (another window, a command) is
never overwritten: the store refuses with StaleWriteError and the view reloads. The undo steps of a session
that changed elsewhere are dropped, so an undo never takes back what someone else wrote. The view is a small
interface, so this is tested with a fake view (tests/ui/test_consult_controller.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoGroup, QUndoStack

from app.domain.brush import tensions_from_stroke
from app.domain.records import QUALITY_WORDS, Layer, Mark, MarkState, PressureOverride, Quality, Session, Stroke
from app.domain.region_specs import SPECS_BY_ID
from app.errors import BackmapError
from app.storage.errors import StaleWriteError
from app.ui.consult.undo_commands import WrittenEdit
from app.ui.error_text import plain_error


@dataclass(frozen=True, slots=True)
class RegionSelection:
    """What the panel shows for the selected region in the layer being edited."""

    region_id: str | None
    name: str = ""
    kind: str = ""
    tension: int | None = None  # None: not assessed (not 0)
    note: str = ""
    guidance_html: str = ""
    editable: bool = False
    quality: Quality | None = None  # None: plain tension (or not assessed)


NOTHING_SELECTED = RegionSelection(None)


LONG_SESSION_MINUTES = 120  # longer asks first: a slip of the wheel or a typo, more often than a plan


class ConsultView(Protocol):
    def show_marks(self, active: Mapping[str, int], other: Mapping[str, int], layer: Layer) -> None: ...

    def show_selection(self, selection: RegionSelection) -> None: ...

    def show_qualities(self, active: Mapping[str, Quality], other: Mapping[str, Quality]) -> None: ...

    def show_session(self, session: Session | None, editable: bool) -> None: ...

    def show_strokes(self, strokes: Sequence[Stroke]) -> None: ...

    def show_brush_result(self, marked: Mapping[str, int]) -> None: ...

    def show_error(self, message: str) -> None: ...

    def confirm(self, question: str) -> bool: ...


class ConsultStore(Protocol):
    """What the consult needs from the repository (app.storage.record_store.RecordStore); each call commits."""

    def get_session(self, session_id: str) -> Session: ...

    def set_mark(
        self,
        session_id: str,
        region: str,
        by: Layer,
        tension: int,
        note: str = "",
        *,
        quality: Quality | None = None,
        based_on: int | None = None,
    ) -> Session: ...

    def clear_mark(self, session_id: str, region: str, by: Layer, *, based_on: int | None = None) -> Session: ...

    def write_marks(self, shown: Session, states: Sequence[MarkState]) -> Session: ...

    def write_field(self, shown: Session, name: str, value: Any) -> Session: ...

    def apply_stroke(
        self, session_id: str, stroke: Stroke, marks: Sequence[Mark], *, based_on: int | None = None
    ) -> Session: ...

    def undo_stroke(
        self, session_id: str, stroke: Stroke, restore: Sequence[MarkState], *, based_on: int | None = None
    ) -> Session: ...

    def set_field(self, session_id: str, name: str, value: Any, *, based_on: int | None = None) -> Session: ...

    def finalise(self, session_id: str, *, based_on: int | None = None) -> Session: ...

    def discard_session(self, session_id: str, *, based_on: int | None = None) -> None: ...


Coverage = Callable[[Sequence[tuple[float, float]], float], dict[str, float]]
# (region id, the session's pressure override) -> the panel's HTML for this client, as the plan will dose it
Guidance = Callable[[str, PressureOverride | None], str]


class ConsultController:
    def __init__(
        self,
        store: ConsultStore,
        view: ConsultView,
        undo_group: QUndoGroup,
        coverage: Coverage,
        guidance: Guidance,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._store = store
        self._view = view
        self._undo_group = undo_group
        self._coverage = coverage
        self._guidance = guidance
        self._today = today
        self._stacks: dict[str, QUndoStack] = {}
        self._versions: dict[str, int] = {}  # session id -> the version this screen last wrote or loaded
        self._client_id: str | None = None
        self._session: Session | None = None
        self._layer: Layer = "therapist"
        self._selected: str | None = None
        # An open session started on an earlier day is shown with its date but not edited until the therapist
        # chooses to continue it: today's marks never land in last week's session unseen.
        self._held = False
        # The panel's guidance for (region, override, guidance) last shown: the same region's again is not rebuilt.
        self._guidance_shown: tuple[tuple[object, ...], str] | None = None

    # ---- state ---------------------------------------------------------------------------------------
    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def layer(self) -> Layer:
        return self._layer

    @property
    def selected(self) -> str | None:
        return self._selected

    @property
    def editable(self) -> bool:
        """Whether edits go to the session shown: it is open, and from today or continued on purpose."""
        return self._session is not None and not self._session.is_final and not self._held

    @property
    def held(self) -> bool:
        """An open session of an earlier day, waiting for Continue, Finalise or Discard."""
        return self._held

    def undo_stack(self) -> QUndoStack | None:
        return self._stacks.get(self._client_id) if self._client_id else None

    def open_session(self, client_id: str, session: Session | None, guidance: Guidance | None = None) -> None:
        """Show `session` of `client_id` (None: the client has no session open), with that client's undo."""
        shown_already = session is not None and self._session is not None and session.id == self._session.id
        self._client_id = client_id
        self._session = session
        if not shown_already:  # the same session read again keeps the therapist's choice to continue it
            self._held = (
                session is not None and not session.is_final and session.start.astimezone().date() < self._today()
            )
        if guidance is not None:
            self._guidance = guidance
        stack = self._stacks.get(client_id)
        if stack is None:
            stack = QUndoStack(self._undo_group)
            self._stacks[client_id] = stack
        if session is not None and self._versions.get(session.id, session.version) != session.version:
            stack.clear()  # changed elsewhere since: the undo steps were based on what is no longer there
        self._note(session)
        self._undo_group.setActiveStack(stack)
        self._refresh()

    def adopt(self, session: Session) -> None:
        """`session` as another screen of this window just wrote it (a hold, the plan as given): not elsewhere."""
        if self._session is not None and self._session.id == session.id:
            self._session = session
            self._refresh()
        self._note(session)

    def forget_client(self, client_id: str) -> None:
        """Drop a client's undo history (e.g. after the client was deleted)."""
        stack = self._stacks.pop(client_id, None)
        if stack is not None:
            self._undo_group.removeStack(stack)
        if self._client_id == client_id:
            self._client_id = None
            self._session = None
            self._held = False
            self._selected = None  # its panel showed this client's guidance
            self._refresh()

    # ---- intents from the view ---------------------------------------------------------------------
    def continue_session(self) -> None:
        """Goes on editing the open session of an earlier day that is shown."""
        if self._session is not None and self._held:
            self._held = False
            self._refresh()

    def discard_session(self) -> bool:
        """Erases the open session shown (the caller asked first, unless it is empty); its undo goes with it."""
        session = self._session
        if session is None or session.is_final:
            return False
        try:
            self._store.discard_session(session.id, based_on=self._based_on(session.id))
        except BackmapError as error:
            self._report(error)
            return False
        self._session = None
        self._held = False
        stack = self.undo_stack()
        if stack is not None:
            stack.clear()  # its edits were of a session that no longer exists
        self._refresh()
        return True

    def choose_layer(self, layer: Layer) -> None:
        self._layer = layer
        self._refresh()

    def select_region(self, region_id: str) -> None:
        self._selected = region_id
        self._refresh_selection()

    def set_tension(self, tension: int | None, dragging: bool = False) -> None:
        """Tension 0-10 for the selected region in the active layer; None marks it "not assessed"."""
        session, region = self._session, self._selected
        if session is None or region is None or not self.editable:
            return
        layer = self._layer
        before = session.layer(layer).get(region)
        if (before.tension if before else None) == tension:
            return
        note = before.note if before else ""
        quality = before.quality if before else None
        label = SPECS_BY_ID[region].name
        text = f"{label}: not assessed" if tension is None else f"{label}: tension {tension} ({layer})"
        self._edit(
            text,
            write_after=lambda: self._write_mark(session.id, MarkState(region, layer, tension, note, quality)),
            write_before=lambda: self._write_mark(
                session.id, MarkState(region, layer, before.tension if before else None, note, quality)
            ),
            merge_key=("tension", session.id, region, layer) if dragging else None,
        )

    def _mark_to_amend(self, then: str) -> tuple[Session, str, Mark] | None:
        """The session, region and mark a note or a quality changes; None (the reason shown) when there is no
        mark: a note or a quality belongs to a tension, and creating one would invent a tension never given."""
        session, region = self._session, self._selected
        if session is None or region is None or not self.editable:
            return None
        before = session.layer(self._layer).get(region)
        if before is None:
            self._view.show_error(f"Give this region a tension first (0-10), then {then}.")
            self._refresh_selection()
            return None
        return session, region, before

    def set_region_note(self, note: str) -> None:
        found = self._mark_to_amend("add a note to it")
        if found is None:
            return
        session, region, before = found
        self._edit(
            f"{SPECS_BY_ID[region].name}: note",
            write_after=lambda: self._write_mark(session.id, replace(_state(before), note=note)),
            write_before=lambda: self._write_mark(session.id, _state(before)),
            merge_key=("note", session.id, region, self._layer),
        )

    def set_quality(self, quality: Quality | None) -> None:
        """What the selected region's tension feels like in the active layer; None: plain tension."""
        found = self._mark_to_amend("say what it feels like")
        if found is None:
            return
        session, region, before = found
        if before.quality == quality:
            return
        words = "plain tension" if quality is None else QUALITY_WORDS[quality]
        self._edit(
            f"{SPECS_BY_ID[region].name}: {words} ({self._layer})",
            write_after=lambda: self._write_mark(session.id, replace(_state(before), quality=quality)),
            write_before=lambda: self._write_mark(session.id, _state(before)),
        )

    def add_stroke(self, points: Sequence[tuple[float, float]], width: float, tension: int) -> None:
        session = self._session
        if session is None or not self.editable or not points:
            return
        layer = self._layer
        current_marks = session.layer(layer)
        current = {region: mark.tension for region, mark in current_marks.items()}
        changes = tensions_from_stroke(self._coverage(points, width), tension, current)
        marks = [
            replace(current_marks[region], tension=value) if region in current_marks else Mark(region, layer, value)
            for region, value in changes.items()
        ]
        restore = [
            _state(current_marks[region]) if region in current_marks else MarkState(region, layer, None)
            for region in changes
        ]
        stroke = Stroke(layer, tension, width, tuple((round(x, 1), round(y, 1)) for x, y in points))
        if self._edit(
            f"Brush stroke ({len(changes)} region{'s' if len(changes) != 1 else ''})",
            write_after=lambda: self._store.apply_stroke(
                session.id, stroke, marks, based_on=self._based_on(session.id)
            ),
            write_before=lambda: self._store.undo_stroke(
                session.id, stroke, restore, based_on=self._based_on(session.id)
            ),
        ):
            self._view.show_brush_result(changes)

    def set_field(self, field: str, value: Any) -> None:
        session = self._session
        if session is None or not self.editable:
            return
        before = session.field_value(field)
        if before == value:
            return
        if (
            field == "minutes"
            and value > LONG_SESSION_MINUTES >= before
            and not self._view.confirm(
                f"A session of {value} minutes is long: most back massages take 30 to 90 minutes. "
                f"Plan {value} minutes for this session?"
            )
        ):
            self._refresh()  # the length shown goes back to what is stored
            return
        self._edit(
            f"Edit {field.replace('soap.', '').replace('_', ' ')}",
            write_after=lambda: self._write_field(session.id, field, value),
            write_before=lambda: self._write_field(session.id, field, before),
            merge_key=("field", session.id, field),
            refresh=self._refresh_fields,
        )

    def finalise(self) -> bool:
        session = self._session
        if session is None or session.is_final:
            return False
        try:
            self._session = self._store.finalise(session.id, based_on=self._based_on(session.id))
            self._note(self._session)
            self._held = False
        except BackmapError as error:
            self._report(error)
            return False
        stack = self.undo_stack()
        if stack is not None:
            stack.clear()  # nothing before the lock can be undone silently: later changes are amendments
        self._refresh()
        return True

    # ---- internals -----------------------------------------------------------------------------------
    def _based_on(self, session_id: str) -> int | None:
        return self._versions.get(session_id)

    def _note(self, session: Session | None) -> None:
        if session is not None:
            self._versions[session.id] = session.version

    def _shown(self, session_id: str) -> Session | None:
        """The session on screen if it is `session_id`: an edit of it writes what changed and reads nothing back."""
        session = self._session
        return session if session is not None and session.id == session_id else None

    def _write_mark(self, session_id: str, state: MarkState) -> Session:
        shown = self._shown(session_id)
        if shown is not None:
            return self._store.write_marks(shown, (state,))
        based_on = self._based_on(session_id)  # an undo of a session no longer shown
        if state.tension is None:
            return self._store.clear_mark(session_id, state.region, state.by, based_on=based_on)
        return self._store.set_mark(
            session_id, state.region, state.by, state.tension, state.note, quality=state.quality, based_on=based_on
        )

    def _write_field(self, session_id: str, field: str, value: Any) -> Session:
        # One field's column alone, so an undo of one field never rolls back another edited since.
        shown = self._shown(session_id)
        if shown is not None:
            return self._store.write_field(shown, field, value)
        return self._store.set_field(session_id, field, value, based_on=self._based_on(session_id))

    def _edit(
        self,
        text: str,
        write_after: Callable[[], Session],
        write_before: Callable[[], Session],
        merge_key: tuple[object, ...] | None = None,
        refresh: Callable[[], None] | None = None,
    ) -> bool:
        """Writes the edit, then pushes its undo; False (and the error shown) when the write failed.

        `refresh`: what shows the edit (by default everything the consult shows), after it and its undo or redo."""
        shows = refresh or self._refresh
        try:
            self._session = write_after()
        except BackmapError as error:
            self._report(error)
            return False
        self._note(self._session)
        stack = self.undo_stack()
        if stack is not None:
            stack.push(
                WrittenEdit(
                    text,
                    write_before=lambda: self._apply(write_before, shows),
                    write_after=lambda: self._apply(write_after, shows),
                    on_error=self._report,
                    merge_key=merge_key,
                )
            )
        shows()
        return True

    def _apply(self, write: Callable[[], Session], shows: Callable[[], None]) -> None:
        self._session = write()
        self._note(self._session)
        shows()

    def _refresh_fields(self) -> None:
        """A session field's edit shows in the session's panel alone: the map, the list and the region are as
        they were."""
        self._view.show_session(self._session, self.editable)

    def _report(self, error: BackmapError) -> None:
        self._view.show_error(f"That change was not saved: {plain_error(error)}")
        stack = self.undo_stack()
        if isinstance(error, StaleWriteError) and stack is not None:
            # Called from inside the stack's undo(): clearing it there would delete the running command.
            QTimer.singleShot(0, stack.clear)
        if self._session is not None:
            try:
                self._session = self._store.get_session(self._session.id)
                self._note(self._session)
            except BackmapError as reload_error:
                self._view.show_error(f"The session could not be read back: {plain_error(reload_error)}")
        self._refresh()

    def _refresh(self) -> None:
        session = self._session
        self._view.show_session(session, self.editable)
        if session is None:
            self._view.show_marks({}, {}, self._layer)
            self._view.show_qualities({}, {})
            self._view.show_strokes([])
        else:
            other: Layer = "client" if self._layer == "therapist" else "therapist"
            active = {region: mark.tension for region, mark in session.layer(self._layer).items()}
            passive = {region: mark.tension for region, mark in session.layer(other).items()}
            self._view.show_marks(active, passive, self._layer)
            self._view.show_qualities(_qualities(session, self._layer), _qualities(session, other))
            self._view.show_strokes(session.strokes)
        self._refresh_selection()

    def _refresh_selection(self) -> None:
        region, session = self._selected, self._session
        if region is None:
            self._view.show_selection(NOTHING_SELECTED)
            return
        spec = SPECS_BY_ID[region]
        mark = session.layer(self._layer).get(region) if session else None
        editable = self.editable
        self._view.show_selection(
            RegionSelection(
                region,
                f"{spec.name} — {self._layer}'s layer",
                spec.kind,
                mark.tension if mark else None,
                mark.note if mark else "",
                self._guidance_for(region, session.override if session else None),
                editable,
                mark.quality if mark else None,
            )
        )

    def _guidance_for(self, region: str, override: PressureOverride | None) -> str:
        key = (region, override, self._guidance)
        if self._guidance_shown is None or self._guidance_shown[0] != key:
            self._guidance_shown = (key, self._guidance(region, override))
        return self._guidance_shown[1]


def _state(mark: Mark) -> MarkState:
    """A mark as the state an undo puts back."""
    return MarkState(mark.region, mark.by, mark.tension, mark.note, mark.quality)


def _qualities(session: Session, layer: Layer) -> dict[str, Quality]:
    return {region: mark.quality for region, mark in session.layer(layer).items() if mark.quality is not None}
