"""Owner-only files written atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE_MODE = 0o600


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
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def private_file_on_success(path: Path, data: bytes) -> Iterator[None]:
    """Writes `data` (0600) beside `path` and fsyncs it; renames it into place when the block succeeds.

    If the write or the block fails, the temporary file is removed and `path` is as it was.
    """
    temporary = temporary_sibling(path)
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()  # a leftover of a crashed run of this same process id
    try:
        descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        try:
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        yield
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    fsync_dir(path.parent)


def write_private_file(path: Path, data: bytes) -> None:
    """Writes `data` to `path` (0600), atomically: `path` is the old file or the new one, never half of one."""
    with private_file_on_success(path, data):
        pass
