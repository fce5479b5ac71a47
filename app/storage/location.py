"""Where the data folder is, and making it private (owner-only): client records are health data.

A folder the user names (--data-dir, $BACKMAP_DATA_DIR) is theirs: Backmap never changes its permissions.
The records go directly in it if it does not exist yet (Backmap makes it, private), if it is empty and private
already (e.g. made with `mkdir -m 700`, or the demo's temporary folder), or if it already holds Backmap's
files (how every version so far kept them, so old data folders open as before): `backmap.sqlite3` or what lies
beside it (its -wal, a migration's backup, a damaged copy set aside), or the app's `backmap.lock`, which a first
start takes just before it makes the database. Otherwise they go in a private folder inside it,
`backmap-records`. The user data folder of the platform is Backmap's own.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.storage.errors import StorageError

DATA_DIR_ENV = "BACKMAP_DATA_DIR"
RECORDS_SUBFOLDER = "backmap-records"
OWN_FILE_PREFIX = "backmap."  # backmap.sqlite3 and its companions, backmap.lock

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


@dataclass(frozen=True, slots=True)
class DataFolder:
    chosen: Path  # the folder the user named (or the user data folder)
    records: Path  # where the records are: `chosen` itself or its private RECORDS_SUBFOLDER

    def exposure_warning(self) -> str | None:
        """A note for the user when the records go inside a folder that other users can read, else None."""
        if self.records == self.chosen or not self.chosen.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
        return (
            f"{self.chosen} can be read by other users of this computer; it is left as it is, and the records are "
            f"kept in the private folder {self.records} inside it."
        )


def locate_data_folder(explicit: Path | None = None) -> DataFolder:
    """--data-dir, else $BACKMAP_DATA_DIR, else the user data folder of this platform; and the records in it."""
    from_env = os.environ.get(DATA_DIR_ENV)
    if explicit is not None:
        chosen = explicit.expanduser().resolve()
    elif from_env:
        chosen = Path(from_env).expanduser().resolve()
    else:
        own = Path(platformdirs.user_data_dir("backmap", appauthor=False))
        return DataFolder(own, own)
    try:
        str(chosen).encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, which SQLite cannot be given as a file name
        raise StorageError(f"the data folder {chosen} has a name that is not UTF-8 text: choose another") from None
    in_place = not chosen.exists() or any(chosen.glob(f"{OWN_FILE_PREFIX}*")) or _empty_and_private(chosen)
    return DataFolder(chosen, chosen if in_place else chosen / RECORDS_SUBFOLDER)


def _empty_and_private(folder: Path) -> bool:
    try:
        return folder.is_dir() and not folder.stat().st_mode & 0o077 and not any(folder.iterdir())
    except OSError:
        return False


def resolve_data_dir(explicit: Path | None = None) -> Path:
    """The folder that holds the records (see locate_data_folder)."""
    return locate_data_folder(explicit).records


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
