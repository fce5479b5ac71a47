"""The operating system's word that the session locked, on Windows and on macOS (Linux: D-Bus, in screen_lock).

Windows sends it as a window message: the main window registers for session notifications
(WTSRegisterSessionNotification) and a native event filter picks WM_WTSSESSION_CHANGE with WTS_SESSION_LOCK out
of the MSG that Qt hands it. macOS sends a distributed notification (com.apple.screenIsLocked), which only an
Objective-C observer receives, not Qt's event filters; rather than a pyobjc dependency for one flag, the session
dictionary's CGSSessionScreenIsLocked (CGSessionCopyCurrentDictionary, CoreGraphics) is read every few seconds.

Both go through ctypes and answer "cannot tell" rather than guess: then the idle time and Ctrl+L are what lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QWidget

# -- Windows ----------------------------------------------------------------------------------------------

WINDOWS_MESSAGE_EVENT = b"windows_generic_MSG"  # what Qt calls a message sent to one of its windows
WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0


class _Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int32), ("y", ctypes.c_int32)]


class WindowsMessage(ctypes.Structure):
    """Win32's MSG, field for field (WPARAM and LPARAM are pointer-sized; DWORD and LONG are 32 bits)."""

    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint32),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
        ("time", ctypes.c_uint32),
        ("pt", _Point),
        ("lPrivate", ctypes.c_uint32),
    ]


def is_session_lock(event_type: bytes, message: int) -> bool:
    """Whether Qt's native event (its type, and the address of its MSG) is Windows saying the session locked."""
    if event_type != WINDOWS_MESSAGE_EVENT or not message:
        return False  # another platform's event: its address is not an MSG, so it is not read
    sent = WindowsMessage.from_address(message)
    return bool(sent.message == WM_WTSSESSION_CHANGE and sent.wParam == WTS_SESSION_LOCK)


class WindowsSessionLockFilter(QAbstractNativeEventFilter):
    """Calls `on_lock` when Windows says the session locked; lets every message through."""

    def __init__(self, on_lock: Callable[[], None]) -> None:
        super().__init__()
        self._on_lock = on_lock

    def nativeEventFilter(self, eventType: QByteArray | bytes | bytearray | memoryview, message: int) -> object:
        event_type = bytes(eventType.data() if isinstance(eventType, QByteArray) else eventType)
        if is_session_lock(event_type, int(message)):
            # Not inside Windows' dispatch of the message: locking closes dialogs and their event loops.
            QTimer.singleShot(0, self._on_lock)
        return False, 0


def follow_windows_session(window: QWidget, on_lock: Callable[[], None]) -> WindowsSessionLockFilter | None:
    """Registers `window` for session notifications and installs the filter (keep it referenced); None if
    Windows refused."""
    wtsapi32 = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined]  # ctypes has WinDLL only on Windows
    register = wtsapi32.WTSRegisterSessionNotification
    register.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
    register.restype = ctypes.c_int
    unregister = wtsapi32.WTSUnRegisterSessionNotification
    unregister.argtypes = (ctypes.c_void_p,)
    unregister.restype = ctypes.c_int
    window_handle = int(window.winId())
    if not register(window_handle, NOTIFY_FOR_THIS_SESSION):
        return None
    app = QCoreApplication.instance()
    if app is None:
        unregister(window_handle)
        return None
    session_filter = WindowsSessionLockFilter(on_lock)
    app.installNativeEventFilter(session_filter)
    app.aboutToQuit.connect(lambda: unregister(window_handle))  # while the window still exists
    return session_filter


# -- macOS ------------------------------------------------------------------------------------------------

MACOS_POLL_MS = 2000
_CF_STRING_ENCODING_UTF8 = 0x08000100


@functools.cache
def _quartz() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    """CoreGraphics and CoreFoundation, their functions typed (a wrong return type would cut pointers short)."""
    graphics = ctypes.CDLL(ctypes.util.find_library("CoreGraphics"))
    foundation = ctypes.CDLL(ctypes.util.find_library("CoreFoundation"))
    graphics.CGSessionCopyCurrentDictionary.argtypes = ()
    graphics.CGSessionCopyCurrentDictionary.restype = ctypes.c_void_p
    foundation.CFStringCreateWithCString.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32)
    foundation.CFStringCreateWithCString.restype = ctypes.c_void_p
    foundation.CFDictionaryGetValue.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
    foundation.CFDictionaryGetValue.restype = ctypes.c_void_p
    foundation.CFGetTypeID.argtypes = (ctypes.c_void_p,)
    foundation.CFGetTypeID.restype = ctypes.c_ulong
    foundation.CFBooleanGetTypeID.argtypes = ()
    foundation.CFBooleanGetTypeID.restype = ctypes.c_ulong
    foundation.CFBooleanGetValue.argtypes = (ctypes.c_void_p,)
    foundation.CFBooleanGetValue.restype = ctypes.c_bool
    foundation.CFRelease.argtypes = (ctypes.c_void_p,)
    foundation.CFRelease.restype = None
    return graphics, foundation


def macos_screen_is_locked() -> bool | None:
    """Whether this user's macOS session has its screen locked; None when that cannot be told (no session
    dictionary: e.g. started over SSH, or the frameworks are not there)."""
    try:
        graphics, foundation = _quartz()
    except (OSError, AttributeError, TypeError):
        return None
    session = graphics.CGSessionCopyCurrentDictionary()
    if not session:
        return None
    try:
        key = foundation.CFStringCreateWithCString(None, b"CGSSessionScreenIsLocked", _CF_STRING_ENCODING_UTF8)
        try:
            value = foundation.CFDictionaryGetValue(session, key)  # not owned: not released
        finally:
            foundation.CFRelease(key)
        if not value:
            return False  # the key is there only while locked
        if foundation.CFGetTypeID(value) != foundation.CFBooleanGetTypeID():
            return None
        return bool(foundation.CFBooleanGetValue(value))
    finally:
        foundation.CFRelease(session)


class SessionLockPoller(QObject):
    """Calls `on_lock` when `screen_is_locked()` turns true; stops for good when it cannot tell (None)."""

    def __init__(
        self, screen_is_locked: Callable[[], bool | None], on_lock: Callable[[], None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self._screen_is_locked = screen_is_locked
        self._on_lock = on_lock
        self._was_locked = False
        self.timer = QTimer(self)
        self.timer.setInterval(MACOS_POLL_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> bool:
        """Polls from now on, if the first reading tells; whether it does."""
        first = self._screen_is_locked()
        if first is None:
            return False
        self._was_locked = first
        self.timer.start()
        return True

    def poll(self) -> None:
        locked = self._screen_is_locked()
        if locked is None:
            self.timer.stop()
            return
        if locked and not self._was_locked:
            self._on_lock()
        self._was_locked = locked
