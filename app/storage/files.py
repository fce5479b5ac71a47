"""Owner-only files written atomically: a reader sees the old file or the new one, never half of one.

Every file Backmap writes whole (exports, plans, backups) is first written to a hidden temporary file beside it,
named `.backmap-partial-<random>` so it can be recognised, and renamed into place once complete. A process that
is killed (SIGKILL, a power cut) cannot remove its temporary file, so while it exists a marker in the data folder
names it (`<data folder>/unfinished-outputs/`); the next start removes what the markers name.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.storage.errors import StorageError
from app.storage.location import ensure_private_dir

PRIVATE_FILE_MODE = 0o600
TEMPORARY_PREFIX = ".backmap-partial-"
UNFINISHED_FOLDER = "unfinished-outputs"
# What SQLite may create beside a database file while writing it (a backup's temporary copy).
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def create_private_file(path: Path) -> None:
    """Creates an empty 0600 file; FileExistsError if it is there (never clobbers)."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE_MODE)  # whatever the umask


def fsync_dir(folder: Path) -> None:
    """Makes a rename in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temporary_sibling(path: Path) -> Path:
    """A hidden name beside `path` for a writer that links or renames its file into place itself (first start,
    restore); named by process id, so a rerun under the same id finds its own leftover."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_temporary(temporary: Path) -> list[Path]:
    """Removes the temporary file and whatever SQLite left beside it; the paths that were there."""
    removed = []
    for leftover in (temporary, *(temporary.with_name(temporary.name + side) for side in _SQLITE_SIDE_FILES)):
        with suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover)
    return removed


# -- markers of outputs being written -----------------------------------------------------------------------

if sys.platform == "win32":

    def _claim(descriptor: int) -> bool:
        # Windows refuses to delete a file another process has open, which guards the marker the same way.
        return True

else:
    import fcntl

    def _claim(descriptor: int) -> bool:
        """Takes the marker's lock; False while its writer holds it (the lock dies with the process)."""
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _mark_unfinished(journal: Path, temporary: Path) -> int | None:
    """Writes the marker naming `temporary` and holds its lock; its descriptor, or None if it cannot be written."""
    marker = journal / UNFINISHED_FOLDER / temporary.name
    try:
        ensure_private_dir(marker.parent)
        descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except OSError:
        return None  # e.g. a read-only data folder: the file is still written; only a kill would leave it behind
    try:
        _claim(descriptor)
        os.write(descriptor, os.fsencode(temporary))
    except OSError:
        _unmark(journal, temporary, descriptor)
        return None
    return descriptor


def _unmark(journal: Path, temporary: Path, descriptor: int) -> None:
    folder = journal / UNFINISHED_FOLDER
    with suppress(FileNotFoundError):
        (folder / temporary.name).unlink()
    os.close(descriptor)
    with suppress(OSError):
        folder.rmdir()  # when no other output is being written: the data folder stays as it was


def remove_unfinished_outputs(journal: Path) -> list[Path]:
    """Removes the temporary files that killed processes left (as their markers in `journal` name them).

    Markers whose writer is still running are left alone. Returns the files removed.
    """
    try:
        markers = sorted((journal / UNFINISHED_FOLDER).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed: list[Path] = []
    for marker in markers:
        try:
            descriptor = os.open(marker, os.O_RDONLY)
        except OSError:
            continue  # gone already, or not ours to read
        try:
            if not _claim(descriptor):
                continue
            named = os.read(descriptor, 65536)
            if not named:
                continue  # its writer has not named its file yet
            marker.unlink()  # first: on Windows this fails while the writer still has the marker open
            temporary = Path(os.fsdecode(named))
            if temporary.name.startswith(TEMPORARY_PREFIX):  # a marker never makes Backmap delete anything else
                removed += _remove_temporary(temporary)
        except OSError:
            continue
        finally:
            os.close(descriptor)
    with suppress(OSError):
        (journal / UNFINISHED_FOLDER).rmdir()  # if no marker is left
    return removed


# -- writing -------------------------------------------------------------------------------------------------


@contextmanager
def private_file(path: Path, *, journal: Path | None = None) -> Iterator[Path]:
    """A new temporary file beside `path` for the block to fill; renamed over `path` (0600, fsynced) after it.

    If the block fails, the temporary file is removed and `path` is as it was. `journal` is the data folder,
    where a marker names the temporary file while it exists (see the module's docstring).
    """
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{os.urandom(8).hex()}")  # secrets.token_hex, without hashlib
    marker = None if journal is None else _mark_unfinished(journal, temporary)
    try:
        create_private_file(temporary)
        yield temporary
        _fsync_file(temporary)
        os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, path)
        fsync_dir(path.parent)
    finally:
        _remove_temporary(temporary)  # after the rename only what SQLite may have left beside it
        if marker is not None and journal is not None:
            _unmark(journal, temporary, marker)


def write_private_file(path: Path, data: bytes, *, journal: Path | None = None) -> None:
    """Writes `data` to `path` (0600), atomically: `path` is the old file or the new one, never half of one."""
    with private_file(path, journal=journal) as temporary:
        temporary.write_bytes(data)


# -- files the user names (-o) -------------------------------------------------------------------------------


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def is_within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or inside it, compared by file identity (links, bind mounts, letter case)."""
    try:
        target = folder.stat()
    except OSError:
        return False
    resolved = path.resolve()
    for candidate in (resolved, *resolved.parents):
        with suppress(OSError):
            if os.path.samestat(candidate.stat(), target):
                return True
    return False


def checked_output_path(path: Path, data_folder: Path | None, *, replace: bool) -> Path:
    """The file that writing `path` would change: `path`, or where a symbolic link there points (the link stays).

    Refused with a StorageError saying why, before anything is written: always, a path inside the data folder
    (an export must never replace the database) and a folder, device, pipe or socket (or a link to one);
    unless `replace`, an existing file.
    """
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise StorageError(f"cannot write {path}: its symbolic links cannot be followed") from None
    if data_folder is not None and (is_within(target, data_folder) or is_within(path.absolute().parent, data_folder)):
        raise StorageError(
            f"{path} is inside the Backmap data folder {data_folder}: nothing was written. Choose a file elsewhere."
        )
    try:
        folder_mode = target.parent.stat().st_mode
    except OSError:
        raise StorageError(f"cannot write {path}: the folder {target.parent} does not exist") from None
    if not stat.S_ISDIR(folder_mode):
        raise StorageError(f"cannot write {path}: {target.parent} is not a folder")
    try:
        kind = file_kind(target.stat().st_mode)
    except FileNotFoundError:
        return target
    if kind is not None:
        raise StorageError(f"{path} is {kind}, not a file Backmap can write: nothing was written")
    if not replace:
        raise StorageError(f"{path} already exists: nothing was written. Add --force to replace it")
    return target


@contextmanager
def output_file(path: Path, data_folder: Path | None, *, replace: bool) -> Iterator[Path]:
    """The file the user named with -o: checked (checked_output_path), then written as private_file does.

    A failure to write is a StorageError naming the file.
    """
    target = checked_output_path(path, data_folder, replace=replace)
    try:
        with private_file(target, journal=data_folder) as temporary:
            yield temporary
    except OSError as error:
        raise StorageError(f"cannot write {path}: {error.strerror or error}") from None
