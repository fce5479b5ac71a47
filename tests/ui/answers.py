"""Stands in for the user at Qt's static dialogs, so that tests of the main window never block on one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox


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

    def click_in_next_box(self, button_text: str) -> None:
        """The next message box with buttons of its own (exec'd): the user reads it and clicks `button_text`."""

        def click() -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox), box
            self.shown.append(("box", box.windowTitle(), f"{box.text()}\n{box.informativeText()}"))
            chosen = [button for button in box.buttons() if button.text() == button_text]
            assert len(chosen) == 1, [button.text() for button in box.buttons()]
            chosen[0].click()

        QTimer.singleShot(0, click)

    def texts(self) -> str:
        return "\n".join(f"{title}\n{text}" for _kind, title, text in self.shown)
