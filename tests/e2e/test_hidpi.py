"""Crisp at any DPI (DESIGN.md, "UI"): the consult page rendered with QT_SCALE_FACTOR=2 against the same page at 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from app.ui.body_map import palette

ROOT = Path(__file__).resolve().parents[2]


def render(scale: int, out: Path) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=str(scale))
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.render_consult", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def grey(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    raw = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * image.height())
    return raw.reshape(image.height(), image.bytesPerLine())[:, : image.width()].astype(float)


def edge_energy(pixels: np.ndarray) -> float:
    """Sum of squared steps between neighbouring pixels: a sharp edge scores twice a two-pixel blur."""
    return float((np.diff(pixels, axis=0) ** 2).sum() + (np.diff(pixels, axis=1) ** 2).sum())


def ring_pixels(image: QImage, x: int, top: int, bottom: int) -> int:
    """Pixels of the selection ring's colour in one column (how thick the ring is drawn there, twice)."""
    ring = palette.SELECTED_PEN
    count = 0
    for y in range(top, bottom):
        colour = QColor(image.pixel(x, y))
        if abs(colour.red() - ring.red()) + abs(colour.green() - ring.green()) + abs(colour.blue() - ring.blue()) < 60:
            count += 1
    return count


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[QImage, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("hidpi")
    made = {}
    for scale in (1, 2):
        png = folder / f"consult@{scale}x.png"
        info = render(scale, png)
        made[scale] = (QImage(str(png)), info)
    return made


def test_at_200_percent_the_page_is_drawn_with_twice_the_pixels_and_the_map_is_there(
    renders: dict[int, tuple[QImage, dict[str, Any]]],
) -> None:
    image, info = renders[2]
    width, height = info["logical"]
    assert info["device_pixel_ratio"] == 2.0
    assert (image.width(), image.height()) == (2 * width, 2 * height)
    x, y, w, h = info["map"]
    map_pixels = grey(image.copy(2 * x, 2 * y, 2 * w, 2 * h))
    background = map_pixels[2, 2]
    assert (np.abs(map_pixels - background) > 10).mean() > 0.2  # the back, its regions and labels are drawn


def test_at_200_percent_the_map_is_drawn_anew_not_a_scaled_up_bitmap(
    renders: dict[int, tuple[QImage, dict[str, Any]]],
) -> None:
    (small, info), (large, _) = renders[1], renders[2]
    x, y, w, h = info["map"]
    upscaled = small.copy(x, y, w, h).scaled(
        2 * w, 2 * h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    drawn = large.copy(2 * x, 2 * y, 2 * w, 2 * h)
    # Drawn at 2x, every outline and letter keeps a one-pixel edge; a 1x bitmap blown up smears each over two.
    assert edge_energy(grey(drawn)) > 1.5 * edge_energy(grey(upscaled))


def test_the_selection_ring_keeps_its_width_in_logical_pixels(
    renders: dict[int, tuple[QImage, dict[str, Any]]],
) -> None:
    thickness = {}
    for scale, (image, info) in renders.items():
        x, y = info["selected_anchor"]
        thickness[scale] = ring_pixels(image, scale * x, scale * (y - 80), scale * (y + 80))
    assert thickness[1] > 0
    assert thickness[2] == pytest.approx(2 * thickness[1], abs=2)
