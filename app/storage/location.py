"""Where the data folder is, and making it private (owner-only): client records are health data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "BACKMAP_DATA_DIR"

# Folder names the common sync clients create; health records synced to a cloud leave this machine.
_CLOUD_SYNC_MARKERS = (
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("my drive", "Google Drive"),
    ("icloud", "iCloud Drive"),
    ("mobile documents", "iCloud Drive"),
    ("com~apple~clouddocs", "iCloud Drive"),
    ("nextcloud", "Nextcloud"),
    ("owncloud", "ownCloud"),
    ("pcloud", "pCloud"),
    ("box sync", "Box"),
    ("mega", "MEGA"),
)


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


def cloud_sync_provider(path: Path) -> str | None:
    """The sync service whose folder holds `path` (judged by folder names), or None."""
    for part in path.expanduser().resolve().parts:
        folded = part.casefold()
        for marker, provider in _CLOUD_SYNC_MARKERS:
            if folded == marker or folded.startswith((f"{marker} ", f"{marker}-", f"{marker}_")):
                return provider
    return None


def cloud_sync_warning(path: Path) -> str | None:
    """A warning for the therapist when the data folder is synced to a cloud, else None."""
    provider = cloud_sync_provider(path)
    if provider is None:
        return None
    return (
        f"The data folder {path} seems to be inside a {provider} folder. Client records are health data: "
        f"syncing them sends them off this computer. Move the data folder out of {provider} "
        "(backmap --data-dir, or BACKMAP_DATA_DIR), or make sure your agreement with the provider covers it."
    )
