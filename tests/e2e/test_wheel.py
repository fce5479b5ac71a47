"""The wheel, built and installed into its own venv, runs from anywhere and finds its files inside itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import __version__

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    site_packages: Path

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip wheel . --no-deps`, installed --no-deps --no-index into a venv that borrows our dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(root / "dist")],
        check=True,
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("backmap-*.whl")
    target = root / "venv"
    venv.create(target, with_pip=False)
    target_python = target / "bin" / "python"
    pip_install = [sys.executable, "-m", "pip", "--python", str(target_python), "install", "-q"]
    subprocess.run([*pip_install, "--no-deps", "--no-index", str(wheel)], check=True, cwd=root)
    site_packages = Path(
        subprocess.run(
            [str(target_python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # A venv made from a venv's python gets the BASE interpreter's site-packages with --system-site-packages,
    # not ours, so PySide6 and the rest would be missing. Plain path lines in a .pth add our site-packages
    # after the venv's own (the installed `app` wins) without running our .pth files: the editable install's
    # pointer to this checkout stays out.
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site_packages / "test_dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(ours)))
    return Installed(wheel=wheel, venv=target, site_packages=site_packages)


def run_installed(command: list[str], cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Runs a command from the installed venv in `cwd`, away from the checkout, offscreen."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", BACKMAP_DATA_DIR=str(data_dir))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=120)


def test_the_wheel_carries_the_package_the_map_and_all_data_files(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    data_files = {
        f"app/{path.relative_to(REPO / 'app').as_posix()}"
        for path in (REPO / "app" / "data").rglob("*")
        if path.is_file()
    }
    assert "app/data/fonts/DejaVuSans.ttf" in data_files
    assert data_files <= names
    assert {"app/__init__.py", "app/cli.py", "app/resources.py", "app/assets/back_regions.svg"} <= names
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    scripts = zipfile.ZipFile(installed.wheel).read(entry_points).decode()
    assert "backmap = app.cli:main" in scripts
    assert "backmap-app = app.cli:main" in scripts


def test_the_installed_package_finds_its_files_inside_itself(installed: Installed, tmp_path: Path) -> None:
    probe = (
        "import json, app, app.resources as r; "
        "print(json.dumps({'app': app.__file__, 'svg': str(r.map_svg_path()), "
        "'font': str(r.data_path('fonts/DejaVuSans.ttf'))}))"
    )
    result = run_installed([str(installed.bin("python")), "-c", probe], cwd=tmp_path, data_dir=tmp_path / "d")
    found = {key: Path(value) for key, value in json.loads(result.stdout).items()}
    package = installed.site_packages / "app"
    assert found["app"] == package / "__init__.py"
    assert found["svg"] == package / "assets" / "back_regions.svg"
    assert found["font"] == package / "data" / "fonts" / "DejaVuSans.ttf"
    assert found["svg"].read_bytes() == (REPO / "assets" / "back_regions.svg").read_bytes()
    assert found["font"].stat().st_size > 100_000


@dataclass(frozen=True)
class Run:
    """Commands of the installed package (program name first), run in order in an empty folder; each
    must succeed. `{repo}` in an argument is the checkout (for input files only). The last command's stdout
    must contain `stdout`; `writes`, if given, is a file it must leave in the folder, starting with `magic`.
    """

    commands: tuple[tuple[str, ...], ...]
    stdout: str = ""
    writes: str = ""
    magic: bytes = b""


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(Run((("backmap", "--help"),), stdout="usage: backmap"), id="help"),
        pytest.param(Run((("backmap", "--version"),), stdout=f"backmap {__version__}"), id="version"),
        pytest.param(Run((("backmap-app", "--help"),), stdout="usage: backmap"), id="gui-launcher"),
        pytest.param(Run((("backmap", "regions", "--format", "json"),), stdout='"id": "spine"'), id="regions-json"),
        pytest.param(
            Run(
                (
                    ("backmap", "import", "{repo}/tests/storage/design_example.json"),
                    ("backmap", "plan", "Ana Example", "--format", "pdf", "-o", "plan.pdf"),
                ),
                writes="plan.pdf",
                magic=b"%PDF",
            ),
            id="plan-pdf",
        ),
    ],
)
def test_the_installed_commands_run_from_another_folder(installed: Installed, tmp_path: Path, run: Run) -> None:
    output = ""
    for program, *args in run.commands:
        argv = [str(installed.bin(program)), *(arg.format(repo=REPO) for arg in args)]
        output = run_installed(argv, cwd=tmp_path, data_dir=tmp_path / "data").stdout
    assert run.stdout in output
    if run.writes:
        assert (tmp_path / run.writes).read_bytes().startswith(run.magic)
