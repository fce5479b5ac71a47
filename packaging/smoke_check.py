"""The built app folder, checked headless the way a therapist would meet it; any failure fails the build.

Run by packaging/build with the build venv's Python (its PyInstaller reads the bundle's table of contents):
    packaging/.venv/bin/python packaging/smoke_check.py packaging/dist/backmap
Every program runs from an empty folder with its own data, settings and cache folders, so nothing in the
checkout or the user's home can stand in for the bundle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PyInstaller.archive.readers import CArchiveReader

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the checkout's app, the one the spec bundled

from app.cli import modules_imported_by_name  # noqa: E402
from app.ui.application import QUIT_WHEN_STARTED_ENV  # noqa: E402

CLIENT_FILE = REPO / "tests" / "storage" / "design_example.json"  # its client is "Ana Example"
TIMEOUT_S = 120  # a hung program (an error dialog nobody closes) fails the check instead of waiting for ever


def program(folder: Path, name: str) -> Path:
    """A program of the folder by its Linux name: Windows adds .exe; macOS has one program, `backmap`, for both."""
    if sys.platform == "win32":
        return folder / f"{name}.exe"
    return folder / ("backmap" if sys.platform == "darwin" else name)


def bundled_modules(folder: Path) -> set[str]:
    """The Python modules in the bundle's archive (PYZ), read from the program's table of contents."""
    program_archive = CArchiveReader(str(program(folder, "backmap")))
    (archive_name,) = (name for name, entry in program_archive.toc.items() if entry[-1] == "z")
    return set(program_archive.open_embedded_archive(archive_name).toc)


def check_modules_imported_by_name(folder: Path) -> None:
    missing = sorted(set(modules_imported_by_name()) - bundled_modules(folder))
    if missing:
        raise SystemExit(f"smoke check: imported by name but not in the bundle: {', '.join(missing)}")
    print(f"== the {len(modules_imported_by_name())} modules the app imports by name are all in the bundle")


def run(folder: Path, scratch: Path, *command: str, env: dict[str, str] | None = None) -> str:
    """Runs a program of the folder in `scratch`; returns its stdout, or ends the check with its stderr."""
    print("== smoke check:", " ".join(command), flush=True)
    try:
        result = subprocess.run(
            [str(program(folder, command[0])), *command[1:]],
            cwd=scratch,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as timeout:
        stderr = timeout.stderr or b""
        sys.stderr.write(stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr)
        raise SystemExit(f"smoke check: {' '.join(command)} was still running after {TIMEOUT_S} s") from None
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"smoke check: {' '.join(command)} exited with status {result.returncode}")
    return result.stdout


def refusal(folder: Path, scratch: Path, *command: str) -> str:
    """Runs a program of the folder that must refuse (exit 1); returns what it said on stderr."""
    print("== smoke check (refused):", " ".join(command), flush=True)
    result = subprocess.run(
        [str(program(folder, command[0])), *command[1:]],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if result.returncode != 1:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"smoke check: {' '.join(command)} exited with {result.returncode}, not 1")
    return result.stderr


def main(folder: Path) -> None:
    check_modules_imported_by_name(folder)
    with tempfile.TemporaryDirectory(prefix="backmap-smoke-") as temporary:
        scratch = Path(temporary)
        os.environ.pop("PYTHONPATH", None)
        os.environ.update(
            QT_QPA_PLATFORM="offscreen",
            BACKMAP_DATA_DIR=str(scratch / "data"),
            XDG_CONFIG_HOME=str(scratch / "config"),
            XDG_CACHE_HOME=str(scratch / "cache"),
            XDG_DATA_HOME=str(scratch / "share"),
        )
        if "usage: backmap" not in run(folder, scratch, "backmap", "--help"):
            raise SystemExit("smoke check: backmap --help printed no usage")
        regions = json.loads(run(folder, scratch, "backmap", "regions", "--format", "json"))
        if "spine" not in {region["id"] for region in regions}:
            raise SystemExit("smoke check: the region catalogue has no spine")
        run(folder, scratch, "backmap", "import", str(CLIENT_FILE))
        run(folder, scratch, "backmap", "plan", "Ana Example", "--format", "pdf", "-o", "plan.pdf")
        if not (scratch / "plan.pdf").read_bytes().startswith(b"%PDF"):
            raise SystemExit("smoke check: backmap plan wrote no PDF")
        # The clinic server's driver loads in the bundle: libpq parses the connection string, then Backmap refuses
        # a server elsewhere without verified TLS, before any traffic.
        password_file = scratch / "password"
        password_file.write_text("a long enough password\n", encoding="utf-8")
        password_file.chmod(0o600)
        weak_tls = "host=db.clinic.example sslmode=require"
        person = ["thandi", "--kind", "therapist", "--name", "T", "--password-file", str(password_file)]
        said = refusal(folder, scratch, "backmap", "clinic", "add", weak_tls, *person)
        if "(sslmode=verify-full), not sslmode=require" not in said:
            raise SystemExit(f"smoke check: backmap clinic add did not refuse weak TLS: {said}")
        # The desktop app on the imported records: its window painted, records open, region model loaded.
        run(folder, scratch, "backmap-app", env={QUIT_WHEN_STARTED_ENV: "1"})
    print(
        "== smoke check passed: --help, regions, import + plan PDF, the clinic driver, the desktop app started and quit"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
