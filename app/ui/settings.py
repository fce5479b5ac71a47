"""What the app remembers between runs (QSettings). Never a client's name or notes: only ids and layout."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


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

    # The practice, printed on plans; empty until the therapist fills it in.
    def practice_name(self) -> str:
        return self._text("practice/name")

    def practice_contact(self) -> str:
        return self._text("practice/contact")

    def therapist_name(self) -> str:
        return self._text("practice/therapist")

    def set_practice(self, name: str, therapist: str, contact: str) -> None:
        self._settings.setValue("practice/name", name)
        self._settings.setValue("practice/therapist", therapist)
        self._settings.setValue("practice/contact", contact)

    def page_size(self) -> str:
        size = self._text("print/page_size", "A4")
        return size if size in ("A4", "Letter") else "A4"

    def set_page_size(self, size: str) -> None:
        if size not in ("A4", "Letter"):
            raise ValueError(f"page size {size!r} is not A4 or Letter")
        self._settings.setValue("print/page_size", size)
