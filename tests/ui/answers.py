"""Stands in for the user at Qt's static dialogs, so that tests of the main window never block on one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox


class Answers:
    """Stands in for the user at QMessageBox / QInputDialog / QFileDialog: records what was shown."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.typed = ("", False)
        self.save_path = ""
        for kind in ("information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, kind, self._message(kind))
        monkeypatch.setattr(QMessageBox, "question", self._question)
        monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kwargs: self.typed)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kwargs: (self.save_path, ""))

    def _message(self, kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def record(_parent: object, title: str, text: str, *_rest: object) -> QMessageBox.StandardButton:
            self.shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok

        return record

    def _question(self, _parent: object, title: str, text: str, *_rest: object) -> QMessageBox.StandardButton:
        self.shown.append(("question", title, text))
        return QMessageBox.StandardButton.Yes

    def texts(self) -> str:
        return "\n".join(f"{title}\n{text}" for _kind, title, text in self.shown)
