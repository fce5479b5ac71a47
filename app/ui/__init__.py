"""The PySide6 desktop interface: thin views over the domain and storage layers.

PySide6 looks into every module imported after it for the word "PySide6", to know which modules take part in its
__feature__ switching (PYSIDE-2029), through inspect.getsource: linecache then keeps every line of every such
module for the life of the process (~4.5 MiB once a client is open; numpy's and shapely's with a brush stroke).
Backmap selects no feature, so only the answer matters: PySide6 gets it from the same test on a source read
without being kept.
"""

from __future__ import annotations

from types import ModuleType

import PySide6.support.feature  # type: ignore[import-not-found]  # PySide6 ships no stubs for it


def _names_pyside(module: ModuleType) -> bool:
    """Whether `module`'s source names PySide6 (False without a source: builtin, extension, bytecode only)."""
    spec = getattr(module, "__spec__", None)
    get_source = getattr(getattr(spec, "loader", None), "get_source", None)
    if spec is None or get_source is None:
        return False
    try:
        source = get_source(spec.name)
    except (ImportError, OSError, SyntaxError, ValueError):  # SyntaxError, ValueError: an unreadable encoding
        return False
    return isinstance(source, str) and "PySide6" in source


# PySide6's own hook, by its private name: a PySide6 that renamed it would keep the sources again, which
# tests/e2e/test_cli_start_up.py would then say.
PySide6.support.feature._mod_uses_pyside = _names_pyside
