"""The record commands with `--database`: the same commands, the clinic server's records (issue 19, point 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.storage.client_file import dump, parse
from tests.clinic.template import ClinicCopy
from tests.storage.test_client_file import EXAMPLE

pytestmark = pytest.mark.postgres

ANA = "0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"


def test_import_plan_export_and_erase_on_the_server(
    clinic_copy: ClinicCopy, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana_file = tmp_path / "ana.json"
    ana_file.write_text(dump(parse(EXAMPLE)), encoding="utf-8")
    server = ["--database", clinic_copy.template.conninfo(clinic_copy.database, clinic_copy.template.therapists[0])]

    assert main([*server, "import", str(ana_file)]) == 0
    assert capsys.readouterr().out == ANA + "\n"
    assert main([*server, "export", "ana example"]) == 0
    assert capsys.readouterr().out == ana_file.read_text(encoding="utf-8")
    assert main([*server, "plan", ANA, "--format", "json"]) == 0
    assert capsys.readouterr().out.startswith("{")
    assert main([*server, "backup"]) == 1
    assert "not kept in a local data folder" in capsys.readouterr().err
    assert main([*server, "delete", ANA, "--yes"]) == 0
    assert "backups made before the erasure" in capsys.readouterr().out
    assert main([*server, "export", ANA]) == 1
    assert not data_dir.exists()  # nothing of the clinic's records on this computer


def test_a_password_in_the_connection_string_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database", "postgresql://thandi:secret@127.0.0.1/clinic", "export", ANA]) == 1
    assert "a password does not belong in the connection string" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "instead"),
    [
        (["check"], "checks its database with the server's tools (pg_amcheck, a test restore of pg_dump"),
        (["key", "encrypt"], "each person logs in with their own role over TLS"),
        (["key", "change"], "each person logs in with their own role over TLS"),
        (["key", "forget-keyring"], "each person logs in with their own role over TLS"),
    ],
)
def test_the_local_folders_check_and_keys_say_they_are_not_for_a_clinic_server(
    command: list[str], instead: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run against the server they would act on this computer's data folder instead: each says so, in one line."""
    assert main(["--database", "host=127.0.0.1 dbname=clinic user=thandi", *command]) == 1
    said = capsys.readouterr().err
    assert said.startswith(f"backmap: `backmap {command[0]}` ")
    assert "not a clinic server" in said
    assert instead in said
    assert said.count("\n") == 1
    assert not data_dir.exists()
