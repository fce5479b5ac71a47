"""`backmap import / export / backup` via app.cli.main: output, exit status, nothing written on error."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from app.cli import main
from app.storage import database
from app.storage.client_file import dump, parse
from app.storage.driver import sqlite3
from app.storage.keys import DatabaseKey
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import damage_data, damage_schema, db_path, fill, fingerprint
from tests.storage.test_client_file import EXAMPLE

pytestmark = pytest.mark.local_file(reason="the command line on a data folder (--data-dir), backups of its file")

ANA = "0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"
BEN = "b0b0b0b0-0000-4000-8000-000000000002"


@pytest.fixture
def ana_file(tmp_path: Path) -> Path:
    path = tmp_path / "ana.json"
    path.write_text(dump(parse(EXAMPLE)), encoding="utf-8")
    return path


def test_import_export_round_trip(ana_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(ana_file)]) == 0
    assert capsys.readouterr().out == ANA + "\n"
    assert main(["export", "ana example"]) == 0
    assert capsys.readouterr().out == ana_file.read_text(encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["export", ANA, "--format", "json", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == ana_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no temp left


def test_exports_and_backups_are_audit_logged(ana_file: Path, data_dir: Path, tmp_path: Path) -> None:
    assert main(["import", str(ana_file)]) == 0
    assert main(["export", ANA, "-o", str(tmp_path / "out.json")]) == 0
    assert main(["backup"]) == 0
    with SqliteStore.open(data_dir) as repository:
        assert [entry[1] for entry in repository.audit_entries()] == ["import", "export", "backup"]


def test_backup_writes_a_checked_private_copy(
    ana_file: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    assert main(["backup"]) == 0
    made = Path(capsys.readouterr().out.strip())
    assert made.parent == data_dir / "backups"
    assert made.name.startswith("backmap-")
    assert made.suffix == ".sqlite3"
    chosen = tmp_path / "mine.sqlite3"
    assert main(["backup", "-o", str(chosen)]) == 0
    for backup in (made, chosen):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        copy = sqlite3.connect(backup)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert copy.execute("SELECT id FROM clients").fetchall() == [(ANA,)]
        finally:
            copy.close()


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str], message: str) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("backmap: ")
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_an_existing_client_is_refused_without_replace(
    ana_file: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    before = fingerprint(data_dir)
    _fails(["import", str(ana_file)], capsys, f"client {ANA} (Ana Example) is already here; use --replace")
    assert fingerprint(data_dir) == before
    assert main(["import", "--replace", str(ana_file)]) == 0


def test_a_bad_file_among_several_imports_nothing(
    ana_file: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(ana_file.read_text(encoding="utf-8"))
    good = tmp_path / "ben.json"
    data["client"]["id"] = BEN
    data["sessions"][0]["id"] = "1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0"
    good.write_text(json.dumps(data), encoding="utf-8")
    data["client"]["id"] = "c0c0c0c0-0000-4000-8000-000000000003"
    data["sessions"][0]["marks"][0]["tension"] = 12
    bad = tmp_path / "cara.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    fill(data_dir, sessions=1)
    before = fingerprint(data_dir)
    _fails(
        ["import", str(good), str(bad)],
        capsys,
        f"{bad}: sessions[0].marks[0].tension: must be a whole number",
    )
    data["client"]["id"] = "d0d0d0d0-0000-4000-8000-000000000004"
    data["sessions"][0]["marks"][0]["tension"] = 2
    data["sessions"][0]["marks"][0]["colour"] = "red"
    bad.write_text(json.dumps(data), encoding="utf-8")
    _fails(["import", str(good), str(bad)], capsys, "sessions[0].marks[0].colour: unknown key")
    bad.write_bytes(b"\xff\xfe not utf-8")
    _fails(["import", str(good), str(bad)], capsys, "not UTF-8")
    _fails(["import", str(good), str(tmp_path / "missing.json")], capsys, "missing.json: cannot read it")
    assert fingerprint(data_dir) == before


def test_a_session_id_of_another_client_is_refused(
    ana_file: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    before = fingerprint(data_dir)
    data = json.loads(ana_file.read_text(encoding="utf-8"))
    data["client"]["id"] = BEN
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    _fails(["import", str(copy)], capsys, f"{copy}: session")  # the file it is about, then why
    _fails(["import", str(copy)], capsys, f"already belongs to client {ANA}")
    assert fingerprint(data_dir) == before


def test_the_same_client_in_two_files_names_the_second(
    ana_file: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    again = tmp_path / "again.json"
    again.write_bytes(ana_file.read_bytes())
    before = fingerprint(data_dir)
    argv = ["import", "--replace", str(ana_file), str(again)]
    _fails(argv, capsys, f"{again}: client {ANA} is also in an earlier file")
    assert fingerprint(data_dir) == before


def test_odd_unicode_round_trips_through_the_command_line(
    ana_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(ana_file.read_text(encoding="utf-8"))
    data["client"]["name"] = "Zoe\u0308 \u05e9\u05dc\u05d5\u05dd \u202eabc\u202c 👩🏽‍⚕️"
    data["sessions"][0]["shared_note"] = "ñ\u0303 " + "é" * 1_000_000
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    assert main(["import", str(odd)]) == 0
    capsys.readouterr()
    assert main(["export", "ZOË שלום \u202eabc\u202c 👩🏽‍⚕️"]) == 0  # the whole name, in any case
    exported = capsys.readouterr().out
    assert exported == dump(parse(odd.read_text(encoding="utf-8")))
    assert "Zoë שלום" in exported


def test_unknown_and_ambiguous_clients_are_named(ana_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    _fails(["export", "Bea"], capsys, "no client has the id or the whole name 'Bea'")


def test_commands_on_a_folder_without_records_write_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails(["export", "Ana Example"], capsys, "there are no Backmap records in")
    _fails(["backup"], capsys, "there are no Backmap records in")
    assert not data_dir.exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export"], ["import"], ["export", "Ana", "--format", "xml"], ["backup", "--bogus"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
        assert "usage: backmap" in capsys.readouterr().err


def test_a_file_that_is_not_a_database(ana_file: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir()
    db_path(data_dir).write_bytes(b"\x00garbage" * 1000)
    before = fingerprint(data_dir)
    _fails(["import", str(ana_file)], capsys, "is not a Backmap database (it is not an SQLite file)")
    _fails(["export", "Ana Example"], capsys, "is not a Backmap database")
    _fails(["backup"], capsys, "is not a Backmap database")
    assert fingerprint(data_dir) == before


def test_a_damaged_database(ana_file: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir)
    damage_schema(db_path(data_dir))
    before = fingerprint(data_dir)
    for argv in (["import", str(ana_file)], ["export", "Ana Example"], ["backup"]):
        _fails(argv, capsys, "is damaged")
    assert fingerprint(data_dir) == before


def test_damage_in_the_rows_stops_a_backup(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Opening reads only the header and the schema; the backup's full check finds the rest and keeps no copy.
    fill(data_dir)
    damage_data(db_path(data_dir))
    before = fingerprint(data_dir)
    _fails(["backup"], capsys, "is damaged")
    assert fingerprint(data_dir) == before


def test_a_newer_database(ana_file: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(data_dir, sessions=1)
    raw = sqlite3.connect(db_path(data_dir))
    raw.execute("PRAGMA user_version = 7")
    raw.close()
    before = fingerprint(data_dir)
    for argv in (["import", str(ana_file)], ["export", "Ana Example"], ["backup"]):
        _fails(argv, capsys, "written by a newer Backmap (database version 7")
    assert fingerprint(data_dir) == before


def test_a_full_disk(
    ana_file: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(data_dir, sessions=1)
    before = fingerprint(data_dir)
    connect = database.connect_read_write

    def full(path: Path, key: DatabaseKey | None = None) -> sqlite3.Connection:
        connection = connect(path, key)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(database, "connect_read_write", full)
    data = json.loads(ana_file.read_text(encoding="utf-8"))
    data["sessions"][0]["shared_note"] = "x" * 1_000_000
    ana_file.write_text(json.dumps(data), encoding="utf-8")
    _fails(["import", str(ana_file)], capsys, "the disk is full")
    assert fingerprint(data_dir) == before


def test_a_read_only_database(
    ana_file: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(data_dir, sessions=1)
    before = fingerprint(data_dir)[db_path(data_dir).name]

    def read_only(path: Path, key: DatabaseKey | None = None) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)

    monkeypatch.setattr(database, "connect_read_write", read_only)
    _fails(["import", str(ana_file)], capsys, "is read-only: nothing was saved")
    _fails(["export", "Ana Example"], capsys, "is read-only")  # the export could not be audit-logged
    assert fingerprint(data_dir)[db_path(data_dir).name] == before


def test_export_to_a_missing_folder_writes_and_logs_nothing(
    ana_file: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(ana_file)])
    capsys.readouterr()
    _fails(["export", ANA, "-o", str(tmp_path / "nowhere" / "out.json")], capsys, "cannot write")
    with SqliteStore.open(data_dir) as repository:
        assert [entry[1] for entry in repository.audit_entries()] == ["import"]
