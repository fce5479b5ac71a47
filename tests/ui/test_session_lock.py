"""The session lock's calls into Windows and macOS, run here against stand-ins for their libraries.

What these stand-ins cannot show is left to a real machine: that Windows delivers WM_WTSSESSION_CHANGE to the
filter as Qt's "windows_generic_MSG" once WTSRegisterSessionNotification accepted the window, and that macOS
still puts CGSSessionScreenIsLocked in the session dictionary while the screen is locked (docs/privacy.md).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray
from pytestqt.qtbot import QtBot

from app.ui.encryption import session_lock
from app.ui.encryption.session_lock import (
    WINDOWS_MESSAGE_EVENT,
    WM_WTSSESSION_CHANGE,
    WTS_SESSION_LOCK,
    WindowsMessage,
    follow_windows_session,
    macos_screen_is_locked,
)

WINDOW_HANDLE = 0x5EED


# -- Windows ----------------------------------------------------------------------------------------------


@dataclass
class LibraryFunction:
    """A function of a loaded library: what it was declared to take and give, and each call made to it."""

    answer: int = 0
    argtypes: tuple[object, ...] = ()
    restype: object = None
    calls: list[tuple[object, ...]] = field(default_factory=list)

    def __call__(self, *arguments: object) -> int:
        self.calls.append(arguments)
        return self.answer


class Wtsapi32:
    def __init__(self, registers: bool) -> None:
        self.WTSRegisterSessionNotification = LibraryFunction(answer=int(registers))
        self.WTSUnRegisterSessionNotification = LibraryFunction(answer=1)


class Signal:
    def __init__(self) -> None:
        self.slots: list[Callable[[], None]] = []

    def connect(self, slot: Callable[[], None]) -> None:
        self.slots.append(slot)

    def emit(self) -> None:
        for slot in self.slots:
            slot()


class Application:
    """The application as the session lock uses it: its native event filters and its aboutToQuit."""

    def __init__(self) -> None:
        self.filters: list[QAbstractNativeEventFilter] = []
        self.aboutToQuit = Signal()

    def installNativeEventFilter(self, native_filter: QAbstractNativeEventFilter) -> None:
        self.filters.append(native_filter)


@dataclass
class ApplicationClass:
    """QCoreApplication as the session lock asks it for the running application (here: one of these, or none)."""

    running: Application | None

    def instance(self) -> Application | None:
        return self.running


class Window:
    def winId(self) -> int:
        return WINDOW_HANDLE


StandInWindows = Callable[[bool, Application | None], Wtsapi32]  # whether it registers; the running application


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> StandInWindows:
    """Stands Windows' wtsapi32.dll and the application in; gives the library that answers (register or not)."""

    def stand_in(registers: bool, application: Application | None) -> Wtsapi32:
        library = Wtsapi32(registers)
        monkeypatch.setattr(ctypes, "WinDLL", lambda name: library if name == "wtsapi32" else None, raising=False)
        monkeypatch.setattr(session_lock, "QCoreApplication", ApplicationClass(application))
        return library

    return stand_in


def test_windows_tells_the_window_of_a_session_lock_until_backmap_quits(windows: StandInWindows, qtbot: QtBot) -> None:
    application = Application()
    library = windows(True, application)
    locks: list[str] = []
    session_filter = follow_windows_session(Window(), lambda: locks.append("locked"))  # type: ignore[arg-type]
    assert session_filter is not None
    register = library.WTSRegisterSessionNotification
    assert register.calls == [(WINDOW_HANDLE, session_lock.NOTIFY_FOR_THIS_SESSION)]
    assert register.argtypes == (ctypes.c_void_p, ctypes.c_uint32)  # a window handle is pointer-sized
    assert application.filters == [session_filter]
    locked = WindowsMessage(hwnd=WINDOW_HANDLE, message=WM_WTSSESSION_CHANGE, wParam=WTS_SESSION_LOCK)
    session_filter.nativeEventFilter(QByteArray(WINDOWS_MESSAGE_EVENT), ctypes.addressof(locked))
    qtbot.waitUntil(lambda: locks == ["locked"])
    assert library.WTSUnRegisterSessionNotification.calls == []
    application.aboutToQuit.emit()
    assert library.WTSUnRegisterSessionNotification.calls == [(WINDOW_HANDLE,)]


def test_where_windows_refuses_the_window_the_idle_time_and_ctrl_l_lock_alone(
    windows: StandInWindows,
) -> None:
    application = Application()
    library = windows(False, application)
    assert follow_windows_session(Window(), lambda: None) is None  # type: ignore[arg-type]
    assert application.filters == []
    assert library.WTSUnRegisterSessionNotification.calls == []


def test_without_an_application_the_window_is_unregistered_again(
    windows: StandInWindows,
) -> None:
    library = windows(True, None)
    assert follow_windows_session(Window(), lambda: None) is None  # type: ignore[arg-type]
    assert library.WTSUnRegisterSessionNotification.calls == [(WINDOW_HANDLE,)]


# -- macOS ------------------------------------------------------------------------------------------------

BOOLEAN_TYPE = 21
NUMBER_TYPE = 22


class Quartz:
    """CoreGraphics and CoreFoundation as far as the reading goes: objects by address, and who released which.

    `session`: the session dictionary's entries (None: no session, as over SSH); a bool is a CFBoolean,
    an int a CFNumber."""

    def __init__(self, session: dict[bytes, bool | int] | None) -> None:
        self.objects: dict[int, object] = {}
        self.owned: set[int] = set()  # what a Create or Copy call handed out: the caller must release it
        self.released: list[int] = []
        self._session = session

    def _new(self, value: object, *, owned: bool) -> int:
        address = 0x1000 + 0x10 * len(self.objects)
        self.objects[address] = value
        if owned:
            self.owned.add(address)
        return address

    def CGSessionCopyCurrentDictionary(self) -> int | None:
        return None if self._session is None else self._new(self._session, owned=True)

    def CFStringCreateWithCString(self, allocator: None, text: bytes, encoding: int) -> int:
        assert encoding == 0x08000100  # kCFStringEncodingUTF8
        return self._new(text, owned=True)

    def CFDictionaryGetValue(self, dictionary: int, key: int) -> int | None:
        entries = self.objects[dictionary]
        assert isinstance(entries, dict)
        if self.objects[key] not in entries:
            return None
        return self._new(entries[self.objects[key]], owned=False)  # the Get rule: the dictionary keeps it

    def CFGetTypeID(self, value: int) -> int:
        return BOOLEAN_TYPE if isinstance(self.objects[value], bool) else NUMBER_TYPE

    def CFBooleanGetTypeID(self) -> int:
        return BOOLEAN_TYPE

    def CFBooleanGetValue(self, value: int) -> bool:
        return bool(self.objects[value])

    def CFRelease(self, value: int) -> None:
        self.released.append(value)


StandInMac = Callable[[dict[bytes, bool | int] | None], Quartz]  # the session dictionary, or None


@pytest.fixture
def mac(monkeypatch: pytest.MonkeyPatch) -> StandInMac:
    def stand_in(session: dict[bytes, bool | int] | None) -> Quartz:
        quartz = Quartz(session)
        monkeypatch.setattr(session_lock, "_quartz", lambda: (quartz, quartz))
        return quartz

    return stand_in


@pytest.mark.parametrize(
    ("session", "reading"),
    [
        ({b"CGSSessionScreenIsLocked": True, b"kCGSSessionOnConsoleKey": True}, True),
        ({b"kCGSSessionOnConsoleKey": True}, False),  # the key is there only while the screen is locked
        ({b"CGSSessionScreenIsLocked": 1}, None),  # not a CFBoolean: not guessed at
    ],
    ids=["locked", "unlocked", "not-a-boolean"],
)
def test_the_mac_reading_of_the_session_dictionary(
    mac: StandInMac, session: dict[bytes, bool | int], reading: bool | None
) -> None:
    quartz = mac(session)
    assert macos_screen_is_locked() is reading
    assert sorted(quartz.released) == sorted(quartz.owned)  # the dictionary and the key, once each; not the value


def test_the_mac_cannot_tell_without_a_session_dictionary(
    mac: StandInMac,
) -> None:
    quartz = mac(None)  # started over SSH, or before anyone logged in at the console
    assert macos_screen_is_locked() is None
    assert quartz.released == []


def test_the_mac_cannot_tell_where_the_frameworks_do_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> tuple[ctypes.CDLL, ctypes.CDLL]:
        raise OSError("dlopen(CoreGraphics): image not found")

    monkeypatch.setattr(session_lock, "_quartz", missing)
    assert macos_screen_is_locked() is None


def test_every_core_foundation_object_comes_back_as_a_whole_pointer(monkeypatch: pytest.MonkeyPatch) -> None:
    """ctypes takes an undeclared result as a C int: a 64-bit address would come back cut to 32 bits."""
    loaded: dict[str, dict[str, LibraryFunction]] = {}

    class Library:
        def __init__(self, path: str) -> None:
            self.functions = loaded.setdefault(path, {})

        def __getattr__(self, name: str) -> LibraryFunction:
            return self.functions.setdefault(name, LibraryFunction())

    monkeypatch.setattr(session_lock.ctypes.util, "find_library", lambda name: f"/System/Library/Frameworks/{name}")
    monkeypatch.setattr(session_lock.ctypes, "CDLL", Library)
    session_lock._quartz.cache_clear()
    try:
        session_lock._quartz()
    finally:
        session_lock._quartz.cache_clear()
    graphics = loaded["/System/Library/Frameworks/CoreGraphics"]
    foundation = loaded["/System/Library/Frameworks/CoreFoundation"]
    objects = [
        graphics["CGSessionCopyCurrentDictionary"],
        foundation["CFStringCreateWithCString"],
        foundation["CFDictionaryGetValue"],
    ]
    assert all(function.restype is ctypes.c_void_p for function in objects)
    assert foundation["CFDictionaryGetValue"].argtypes == (ctypes.c_void_p, ctypes.c_void_p)
    assert foundation["CFRelease"].argtypes == (ctypes.c_void_p,)
    assert foundation["CFBooleanGetValue"].restype is ctypes.c_bool
