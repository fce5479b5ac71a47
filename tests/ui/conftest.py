"""Fixtures shared by the tests of the desktop app's screens."""

from __future__ import annotations

import pytest

from tests.ui.answers import Answers


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)
