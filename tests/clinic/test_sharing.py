"""A therapist shares a client with a colleague, and takes it back, from the app's store and the command line
(issue 19, point 3: other therapists' clients only if shared). The server decides who may; its log says who did."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest

from app.cli import main
from app.domain.records import Client, Consent
from app.storage.errors import NotFoundError, StorageError
from app.storage.postgres.clinic import Person, add_person
from app.storage.postgres.store import Colleague, PostgresStore
from tests.clinic.template import ClinicCopy

pytestmark = pytest.mark.postgres


def ana(store: PostgresStore) -> Client:
    return store.create_client("Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))


def colleague(person: Person) -> Colleague:
    return Colleague(person.role, person.name, person.kind)


def test_thandi_shares_ana_with_pieter_who_opens_her_until_it_is_taken_back(clinic_copy: ClinicCopy) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi_person) as thandi, clinic_copy.store_of(pieter_person) as pieter:
        client = ana(thandi)
        assert thandi.colleagues() == (colleague(clinic_copy.template.owner), colleague(pieter_person))
        assert [found.id for found in pieter.list_clients()] == []

        thandi.share_client(client.id, pieter_person.role)
        assert thandi.shared_with(client.id) == (colleague(pieter_person),)
        assert [found.id for found in pieter.list_clients()] == [client.id]
        assert pieter.history(client.id).client.name == "Ana Example"
        assert pieter.shared_with(client.id) == (colleague(pieter_person),)

        thandi.unshare_client(client.id, pieter_person.role)
        assert thandi.shared_with(client.id) == ()
        assert [found.id for found in pieter.list_clients()] == []
        with pytest.raises(StorageError, match="neither yours nor shared with you"):
            pieter.history(client.id)
    with clinic_copy.store_of(clinic_copy.template.owner) as olga:
        logged = [(action, what) for _at, action, _client, what in olga.audit_entries(client.id)]
    assert ("share", f"shared with {pieter_person.role}") in logged
    assert ("unshare", f"no longer shared with {pieter_person.role}") in logged
    assert ("read", "record opened") in logged  # Pieter's opening, while it was shared


def test_only_the_clients_therapist_or_the_owner_shares_and_only_with_a_therapist(
    clinic_copy: ClinicCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    rita_person = Person(f"rita_{secrets.token_hex(3)}", "receptionist", "Rita Reception")
    rita_password = secrets.token_urlsafe(16)
    with clinic_copy.admin() as admin, admin.cursor() as cursor:
        add_person(cursor, rita_person, rita_password)
    pass_file = tmp_path / "pgpass"
    server = clinic_copy.template.server
    pass_file.write_text(
        clinic_copy.template.pass_file.read_text(encoding="utf-8")
        + f"127.0.0.1:{server.port}:*:{rita_person.role}:{rita_password}\n",
        encoding="utf-8",
    )
    pass_file.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pass_file))
    with clinic_copy.store_of(thandi_person) as thandi:
        client = ana(thandi)
        thandi.share_client(client.id, pieter_person.role)
        with pytest.raises(StorageError, match=f"{rita_person.role} is not a therapist of the clinic"):
            thandi.share_client(client.id, rita_person.role)
        with pytest.raises(StorageError, match="nobody_at_all is not a therapist of the clinic"):
            thandi.share_client(client.id, "nobody_at_all")
    with clinic_copy.store_of(pieter_person) as pieter:
        with pytest.raises(StorageError, match="only the client's therapist or the owner shares client"):
            pieter.share_client(client.id, clinic_copy.template.owner.role)
        with pytest.raises(StorageError, match="only the client's therapist or the owner unshares client"):
            pieter.unshare_client(client.id, pieter_person.role)
    with (
        clinic_copy.store_of(rita_person) as rita,
        pytest.raises(StorageError, match="permission denied for function share_client"),
    ):
        rita.share_client(client.id, pieter_person.role)
    with clinic_copy.store_of(clinic_copy.template.owner) as olga:
        olga.unshare_client(client.id, pieter_person.role)
        assert olga.shared_with(client.id) == ()
        with pytest.raises(NotFoundError, match="no client with id 'c-no-such-client'"):
            olga.share_client("c-no-such-client", pieter_person.role)


def test_sharing_from_the_command_line(clinic_copy: ClinicCopy, capsys: pytest.CaptureFixture[str]) -> None:
    thandi_person, pieter_person = clinic_copy.template.therapists
    with clinic_copy.store_of(thandi_person) as thandi:
        client = ana(thandi)
    server = ["--database", clinic_copy.template.conninfo(clinic_copy.database, thandi_person)]

    assert main([*server, "clinic", "share", "ana example", pieter_person.role]) == 0
    assert capsys.readouterr().out == f"Ana Example ({client.id}) shared with {pieter_person.role}\n"
    assert main([*server, "clinic", "shares", client.id]) == 0
    assert capsys.readouterr().out == f"{pieter_person.role}\t{pieter_person.name}\n"
    assert main([*server, "clinic", "unshare", client.id, pieter_person.role]) == 0
    assert capsys.readouterr().out == f"Ana Example ({client.id}) no longer shared with {pieter_person.role}\n"
    assert main([*server, "clinic", "shares", client.id]) == 0
    assert capsys.readouterr().out == ""

    assert main([*server, "clinic", "share", client.id, "nobody_at_all"]) == 1
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert "nobody_at_all is not a therapist of the clinic" in said


def test_sharing_without_a_clinic_server_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clinic", "share", "ana example", "pieter"]) == 1
    assert capsys.readouterr().err == ("backmap: clinic share: give the clinic server with --database CONNINFO\n")
