"""What the app remembers between runs (QSettings). Never a client's name or notes: only ids and layout."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from app.domain.practice import PracticeSettings

PageSizeName = Literal["A4", "Letter"]  # the paper of the printed plan, a setting of the practice


DEFAULT_LOCK_AFTER_MINUTES = 5


class AppSettings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings("Backmap", "Backmap")

    def _text(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return value if isinstance(value, str) else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else None

    def sync(self) -> None:
        self._settings.sync()

    # Window layout.
    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def splitter_state(self, name: str) -> QByteArray | None:
        return self._bytes(f"splitters/{name}")

    def save_window(self, geometry: QByteArray, state: QByteArray, splitters: dict[str, QByteArray]) -> None:
        self._settings.setValue("window/geometry", geometry)
        self._settings.setValue("window/state", state)
        for name, value in splitters.items():
            self._settings.setValue(f"splitters/{name}", value)

    # The last client, by id only (a name here would leak health information into a plain settings file).
    def last_client_id(self) -> str:
        return self._text("session/last_client_id")

    def set_last_client_id(self, client_id: str) -> None:
        self._settings.setValue("session/last_client_id", client_id)

    # The practice, printed on plans; empty until the therapist fills it in. Its dataclass loads on first use:
    # the window's first paint reads only the layout, and does without the dataclasses module.
    def practice(self) -> PracticeSettings:
        from app.domain.practice import PracticeSettings

        return PracticeSettings(**{name: self._text(f"practice/{name}") for name in _practice_fields()})

    def set_practice(self, practice: PracticeSettings) -> None:
        for name in _practice_fields():
            self._settings.setValue(f"practice/{name}", getattr(practice, name))

    def screening_recheck_days(self) -> int:
        """After how many days a screening is flagged for a re-check with the client."""
        from app.domain.intake_rules import SCREENING_RECHECK_DAYS

        value = self._settings.value("practice/screening_recheck_days", SCREENING_RECHECK_DAYS)
        try:
            days = int(value)  # type: ignore[call-overload]  # an INI file gives it back as text
        except (TypeError, ValueError):
            return SCREENING_RECHECK_DAYS
        return days if days > 0 else SCREENING_RECHECK_DAYS

    def set_screening_recheck_days(self, days: int) -> None:
        self._settings.setValue("practice/screening_recheck_days", days)

    def plan_zoom(self) -> float:
        """Plan mode's type size (1.0 as designed), as the therapist last left it."""
        value = self._settings.value("plan/zoom", 1.0)
        try:
            return float(value)  # type: ignore[arg-type]  # an INI file gives it back as text
        except (TypeError, ValueError):
            return 1.0

    def set_plan_zoom(self, zoom: float) -> None:
        self._settings.setValue("plan/zoom", zoom)

    def page_size(self) -> PageSizeName:
        return "Letter" if self._text("print/page_size", "A4") == "Letter" else "A4"

    def set_page_size(self, size: str) -> None:
        if size not in ("A4", "Letter"):
            raise ValueError(f"page size {size!r} is not A4 or Letter")
        self._settings.setValue("print/page_size", size)

    # The clinic server (app.ui.clinic): its libpq connection string, never a password (the keyring, a pass
    # file or a service file keeps that). Empty: this computer's records.
    def clinic_conninfo(self) -> str:
        return self._text("clinic/conninfo")

    def set_clinic_conninfo(self, conninfo: str) -> None:
        self._settings.setValue("clinic/conninfo", conninfo)

    # Encryption and the screen lock (app.ui.encryption).
    def encryption_put_off(self) -> bool:
        return self._text("privacy/encryption_put_off") == "yes"

    def set_encryption_put_off(self, put_off: bool) -> None:
        self._settings.setValue("privacy/encryption_put_off", "yes" if put_off else "no")

    def lock_after_minutes(self) -> int:
        """Idle minutes before the window locks (a practice setting; 5 unless changed)."""
        value = self._text("privacy/lock_after_minutes", str(DEFAULT_LOCK_AFTER_MINUTES))
        return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_LOCK_AFTER_MINUTES

    def set_lock_after_minutes(self, minutes: int) -> None:
        if minutes < 1:
            raise ValueError("the screen locks after one minute at the soonest")
        self._settings.setValue("privacy/lock_after_minutes", str(minutes))


@cache
def _practice_fields() -> tuple[str, ...]:
    from dataclasses import fields

    from app.domain.practice import PracticeSettings

    return tuple(field.name for field in fields(PracticeSettings))
