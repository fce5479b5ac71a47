"""The Linux desktop files agree with each other and with pyproject.toml: launcher, binaries, icon."""

from __future__ import annotations

import configparser
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import __version__

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
PYPROJECT = tomllib.loads((PACKAGING.parent / "pyproject.toml").read_text(encoding="utf-8"))
DESKTOP_FILE = PACKAGING / "backmap.desktop"
METAINFO_FILE = PACKAGING / "io.github.backmap.Backmap.metainfo.xml"
ICON_FILE = PACKAGING / "backmap.svg"


@pytest.fixture(scope="module")
def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keep keys case-sensitive
    parser.read_string(DESKTOP_FILE.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


@pytest.fixture(scope="module")
def component() -> ET.Element:
    return ET.parse(METAINFO_FILE).getroot()


def test_the_launcher_starts_the_gui_entry_point(desktop_entry: configparser.SectionProxy) -> None:
    assert desktop_entry["Type"] == "Application"
    assert desktop_entry["Name"] == "Backmap"
    assert desktop_entry["Exec"].split()[0] == "backmap-app"
    assert "backmap-app" in PYPROJECT["project"]["gui-scripts"]
    assert desktop_entry["Terminal"] == "false"
    assert desktop_entry["Icon"] == ICON_FILE.stem
    categories = desktop_entry["Categories"].split(";")
    assert {"Office", "MedicalSoftware"} <= set(categories)
    assert categories[-1] == ""  # the spec ends the list with a semicolon


def test_the_metainfo_names_the_launcher_binaries_icon_and_version(
    component: ET.Element, desktop_entry: configparser.SectionProxy
) -> None:
    assert component.tag == "component"
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == METAINFO_FILE.name.removesuffix(".metainfo.xml")
    assert component.findtext("name") == desktop_entry["Name"]
    assert (component.findtext("summary") or "").strip()
    assert component.findall("description/p")
    launchable = component.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name
    binaries = {element.text for element in component.findall("provides/binary")}
    assert binaries == set(PYPROJECT["project"]["scripts"]) | set(PYPROJECT["project"]["gui-scripts"])
    assert component.findtext("icon[@type='stock']") == desktop_entry["Icon"]
    assert component.findtext("project_license") == PYPROJECT["project"]["license"]
    content_rating = component.find("content_rating")
    assert content_rating is not None
    assert content_rating.get("type") == "oars-1.1"
    newest = component.find("releases/release")
    assert newest is not None
    assert newest.get("version") == __version__ == PYPROJECT["project"]["version"]


def test_the_metainfo_screenshots_are_the_readme_screenshots(component: ET.Element) -> None:
    images = [element.text or "" for element in component.findall("screenshots/screenshot/image")]
    assert images
    assert all(image.startswith("https://") for image in images)
    assert all("/docs/screenshots/" in image and image.endswith(".png") for image in images)
    readme = (PACKAGING.parent / "README.md").read_text(encoding="utf-8")
    for image in images:
        relative = "docs/screenshots/" + image.rsplit("/", 1)[1]
        assert (PACKAGING.parent / relative).is_file(), relative
        assert relative in readme, relative
    defaults = component.findall("screenshots/screenshot[@type='default']")
    assert len(defaults) == 1


def test_the_icon_is_a_square_svg() -> None:
    svg = ET.parse(ICON_FILE).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"
    assert svg.get("width") == svg.get("height")
