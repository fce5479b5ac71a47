"""A backmap command that is killed just before it renames its finished output into place.

python -m tests.storage.killed_output_child SIGNAL COMMAND ARGS...   (SIGNAL: SIGKILL or SIGTERM)

The kill lands where it leaves the most behind: the temporary file complete, its marker written, no rename yet.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from app.cli import main


def run() -> int:
    signal_number = signal.Signals[sys.argv[1]]
    rename = os.replace

    def killed_before_renaming(source: str | Path, destination: str | Path) -> None:
        os.kill(os.getpid(), signal_number)
        rename(source, destination)

    os.replace = killed_before_renaming  # type: ignore[assignment]
    return main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(run())
