"""The switch the built app's smoke check relies on (packaging/smoke_check.py): with it set, the desktop app
starts all the way and quits by itself with status 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.ui.application import QUIT_WHEN_STARTED_ENV


def test_the_app_quits_by_itself_once_started(tmp_path: Path) -> None:
    env = {**os.environ, QUIT_WHEN_STARTED_ENV: "1", "QT_QPA_PLATFORM": "offscreen"}
    data_dir = tmp_path / "data"
    probe = (
        "import sys; from app.cli import main; status = main(sys.argv[1:]); "
        "assert {'app.ui.workspace.widget', 'app.storage.sqlite_store'} <= set(sys.modules); sys.exit(status)"
    )
    subprocess.run(
        [sys.executable, "-c", probe, "--data-dir", str(data_dir)], env=env, cwd=tmp_path, check=True, timeout=120
    )
    assert (data_dir / "backmap.sqlite3").is_file()  # the records were opened, not only the frame painted
