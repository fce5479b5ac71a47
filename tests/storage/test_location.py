from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.storage.location import cloud_sync_provider, cloud_sync_warning, ensure_private_dir, resolve_data_dir

pytestmark = pytest.mark.local_file(reason="where the data folder is")


@pytest.mark.parametrize(
    ("folder", "provider"),
    [
        ("Dropbox/backmap", "Dropbox"),
        ("OneDrive - Clinic Ltd/backmap", "OneDrive"),
        ("Google Drive/My Drive/backmap", "Google Drive"),
        ("Library/Mobile Documents/com~apple~CloudDocs/backmap", "iCloud Drive"),
        ("Documents/backmap", None),
        ("megadata/backmap", None),  # a name that merely starts like a provider is not one
    ],
)
def test_a_data_folder_in_a_cloud_sync_folder_is_recognised(tmp_path: Path, folder: str, provider: str | None) -> None:
    assert cloud_sync_provider(tmp_path / folder) == provider


def test_the_warning_names_the_provider_and_the_way_out(tmp_path: Path) -> None:
    warning = cloud_sync_warning(tmp_path / "Dropbox" / "backmap")
    assert warning is not None
    assert "Dropbox" in warning
    assert "--data-dir" in warning
    assert cloud_sync_warning(tmp_path / "records") is None


def test_the_data_folder_is_owner_only_and_follows_the_environment(data_dir: Path) -> None:
    assert resolve_data_dir() == data_dir.resolve()
    assert resolve_data_dir(data_dir / "other") == (data_dir / "other").resolve()
    ensure_private_dir(data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
