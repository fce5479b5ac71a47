"""Where the data folder is, and making it private (owner-only): client records are health data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "BACKMAP_DATA_DIR"


def resolve_data_dir(explicit: Path | None = None) -> Path:
    """--data-dir, else $BACKMAP_DATA_DIR, else the user data folder of this platform."""
    if explicit is not None:
        return explicit.expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("backmap", appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Creates `path` (and parents) and makes it 0700, whatever the umask."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
