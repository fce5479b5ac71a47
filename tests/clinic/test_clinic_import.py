"""`backmap clinic import`: a therapist who kept her own records joins the clinic and moves them onto its server
(issue 19, point 2): all or nothing, the ids kept, in the server's audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.domain.records import Soap
from app.storage.keys import new_keys, unlock_with_passphrase, write_key_file
from app.storage.location import ensure_private_dir
from app.storage.sqlite_store import SqliteStore
from tests.clinic.records import count
from tests.clinic.template import ClinicCopy
from tests.storage.privacy_records import FilledClient, fill_client

pytestmark = pytest.mark.postgres

PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True, slots=True)
class SoloFolder:
    path: Path
    passphrase_file: Path
    clients: tuple[FilledClient, ...]

    def store(self) -> SqliteStore:
        return SqliteStore.open(self.path, create=False, key=unlock_with_passphrase(self.path, PASSPHRASE))


@pytest.fixture
def solo_folder(tmp_path: Path) -> SoloFolder:
    """Thandi's own encrypted records: three clients, each screened, with a finalised and amended session (marks,
    a stroke, a hold, SOAP notes, a plan given) and an open one."""
    path = ensure_private_dir(tmp_path / "thandi-solo")
    keys = new_keys(PASSPHRASE)
    write_key_file(path, keys.key_file)
    with SqliteStore.open(path, key=keys.key) as solo:
        clients = tuple(fill_client(solo, tag) for tag in ("Ana", "Ben", "Cleo"))
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    passphrase_file.chmod(0o600)
    return SoloFolder(path, passphrase_file, clients)


def clinic_import(clinic_copy: ClinicCopy, login: str, folder: SoloFolder, *more: str) -> int:
    person = next(p for p in (clinic_copy.template.owner, *clinic_copy.template.therapists) if p.role == login)
    server = clinic_copy.template.conninfo(clinic_copy.database, person)
    passphrase = ["--passphrase-file", str(folder.passphrase_file)]
    return main(["--database", server, *passphrase, "clinic", "import", str(folder.path), *more])


def server_rows(clinic_copy: ClinicCopy) -> dict[str, int]:
    """How many rows each record table and the audit log hold, seen by the server's administrator."""
    tables = ("clients", "intakes", "sessions", "marks", "strokes", "holds", "amendments", "plans", "audit_log")
    with clinic_copy.admin() as admin:
        return {table: count(admin, f"SELECT count(*) FROM backmap.{table}") for table in tables}


def test_a_therapist_moves_her_encrypted_records_onto_the_server_with_their_ids(
    clinic_copy: ClinicCopy, solo_folder: SoloFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    thandi = clinic_copy.template.therapists[0]
    assert clinic_import(clinic_copy, thandi.role, solo_folder) == 0
    assert capsys.readouterr().out == (
        f"imported 3 clients (3 screenings, 6 sessions) from {solo_folder.path} as {thandi.role}'s clients; "
        f"the records in {solo_folder.path} are unchanged\n"
    )
    with solo_folder.store() as solo, clinic_copy.store_of(thandi) as server:
        assert [client.id for client in server.list_clients()] == [client.id for client in solo.list_clients()]
        for client in solo_folder.clients:
            assert server.history(client.client_id) == solo.history(client.client_id)
    with clinic_copy.admin() as admin:
        entries = admin.execute(
            "SELECT client_id, by_role, xact::text FROM backmap.audit_log WHERE action = 'insert' AND what = 'clients'"
        ).fetchall()
        therapists = admin.execute("SELECT DISTINCT therapist FROM backmap.clients").fetchall()
    assert sorted(str(client_id) for client_id, _, _ in entries) == sorted(c.client_id for c in solo_folder.clients)
    assert {(by_role, xact) for _, by_role, xact in entries} == {(thandi.role, entries[0][2])}  # one transaction
    assert therapists == [(thandi.role,)]


def test_a_second_import_is_refused_and_writes_nothing(
    clinic_copy: ClinicCopy, solo_folder: SoloFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    thandi = clinic_copy.template.therapists[0]
    assert clinic_import(clinic_copy, thandi.role, solo_folder) == 0
    before = server_rows(clinic_copy)
    capsys.readouterr()
    assert clinic_import(clinic_copy, thandi.role, solo_folder) == 1
    first = solo_folder.clients[0]
    assert capsys.readouterr().err == (
        f"backmap: client {first.client_id} ({first.name} Person) is already on the clinic server (ids are kept, "
        "so it cannot be stored twice). Nothing was imported\n"
    )
    assert server_rows(clinic_copy) == before


def test_an_id_another_therapist_holds_is_refused_though_she_cannot_see_it(
    clinic_copy: ClinicCopy, solo_folder: SoloFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pieter already has Thandi's last client (he imported a copy of her file): the first two clients are not kept
    either."""
    thandi, pieter = clinic_copy.template.therapists
    last = solo_folder.clients[-1]
    with solo_folder.store() as solo, clinic_copy.store_of(pieter) as server:
        server.import_records([solo.history(last.client_id)])
    before = server_rows(clinic_copy)
    assert clinic_import(clinic_copy, thandi.role, solo_folder) == 1
    said = capsys.readouterr().err
    assert f"client {last.client_id} ({last.name} Person) is already on the clinic server" in said
    assert server_rows(clinic_copy) == before


def test_text_with_a_nul_character_is_refused_naming_the_client_and_writes_nothing(
    clinic_copy: ClinicCopy, solo_folder: SoloFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL's text cannot hold NUL (SQLite's can): the whole folder waits until the note is put right."""
    ben = solo_folder.clients[1]
    open_session = ben.session_ids[1]
    with solo_folder.store() as solo:
        solo.set_soap(open_session, Soap(subjective="pasted from a PDF\x00 form"))
    before = server_rows(clinic_copy)
    assert clinic_import(clinic_copy, clinic_copy.template.therapists[0].role, solo_folder) == 1
    said = capsys.readouterr().err
    assert said == (
        f"backmap: client {ben.client_id} ({ben.name} Person): session {open_session} (2026-11-27): "
        "soap.subjective holds a NUL character (\\x00), which the clinic server cannot store; remove it in Backmap "
        "on this computer and import again. Nothing was imported\n"
    )
    assert server_rows(clinic_copy) == before


def test_the_owner_imports_for_a_therapist_who_then_treats_the_clients(
    clinic_copy: ClinicCopy, solo_folder: SoloFolder
) -> None:
    owner, (thandi, _) = clinic_copy.template.owner, clinic_copy.template.therapists
    assert clinic_import(clinic_copy, owner.role, solo_folder, "--therapist", thandi.role) == 0
    with clinic_copy.admin() as admin:
        handed = admin.execute(
            "SELECT by_role, action, what FROM backmap.audit_log WHERE what = 'clients: therapist'"
        ).fetchall()
        therapists = admin.execute("SELECT DISTINCT therapist FROM backmap.clients").fetchall()
    assert handed == [(owner.role, "update", "clients: therapist")] * 3
    assert therapists == [(thandi.role,)]
    with clinic_copy.store_of(thandi) as server:
        assert len(server.history(solo_folder.clients[0].client_id).sessions) == 2


@pytest.mark.parametrize(
    ("who", "therapist", "refusal"),
    [
        ("thandi", "pieter", "only the clinic's owner imports records for another therapist (--therapist)"),
        ("owner", "nobody_here", "--therapist: nobody_here is not a therapist of this clinic"),
    ],
)
def test_importing_for_someone_else_is_the_owners_and_only_for_a_therapist(
    who: str,
    therapist: str,
    refusal: str,
    clinic_copy: ClinicCopy,
    solo_folder: SoloFolder,
    capsys: pytest.CaptureFixture[str],
) -> None:
    template = clinic_copy.template
    people = {"thandi": template.therapists[0], "pieter": template.therapists[1], "owner": template.owner}
    receiver = people[therapist].role if therapist in people else therapist
    before = server_rows(clinic_copy)
    assert clinic_import(clinic_copy, people[who].role, solo_folder, "--therapist", receiver) == 1
    assert capsys.readouterr().err == f"backmap: {refusal.replace(therapist, receiver)}\n"
    assert server_rows(clinic_copy) == before


def test_without_a_server_the_import_says_how_to_name_it(
    solo_folder: SoloFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clinic", "import", str(solo_folder.path)]) == 1
    assert capsys.readouterr().err == (
        "backmap: clinic import: give the clinic server with --database CONNINFO, logged in as yourself\n"
    )


def test_a_folder_without_clients_has_nothing_to_import(
    clinic_copy: ClinicCopy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = SoloFolder(ensure_private_dir(tmp_path / f"empty-{secrets.token_hex(3)}"), tmp_path / "unused", ())
    SqliteStore.open(empty.path).close()
    server = clinic_copy.template.conninfo(clinic_copy.database, clinic_copy.template.therapists[0])
    assert main(["--database", server, "clinic", "import", str(empty.path)]) == 1
    assert capsys.readouterr().err == f"backmap: there are no clients in {empty.path}: nothing to import\n"


def test_a_folder_without_records_is_named_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "not-a-data-folder"
    assert main(["--database", "host=127.0.0.1 dbname=clinic user=thandi", "clinic", "import", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"backmap: there are no Backmap records in {missing}: give the data folder they are in\n"
    )
    assert not missing.exists()
