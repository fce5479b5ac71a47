"""CLIENT names exactly one client, by id or whole name, for every command that takes it; else nothing happens."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.cli import main
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import fingerprint
from tests.storage.test_client_file import example_data

pytestmark = pytest.mark.local_file(reason="the command line on a data folder (--data-dir)")

COMMANDS = [["delete", "--yes"], ["export"], ["plan"], ["letter"]]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], data_dir: Path, *listed: str) -> str:
    """Runs a command that must fail (exit 1, one line, every `listed` text in it) and change nothing."""
    before = fingerprint(data_dir)
    status, out, err = run(argv, capsys)
    assert (status, out) == (1, ""), err
    assert err.startswith("backmap: ")
    assert err.count("\n") == 1
    for text in listed:
        assert text in err
    assert fingerprint(data_dir) == before
    return err


@pytest.fixture
def clients(data_dir: Path) -> dict[str, str]:
    """Name -> id of clients whose names overlap in every way a loose match would confuse."""
    with SqliteStore.open(data_dir) as repository:
        ana = repository.create_client("Ana Example", born=dt.date(1980, 4, 2))
        anna = repository.create_client("Anabel Example")
        zoe = repository.create_client("Zoë Smith")
        # A name that is another client's id: a command given that id must not take this client.
        twin = repository.create_client(ana.id)
        return {"Ana Example": ana.id, "Anabel Example": anna.id, "Zoë Smith": zoe.id, "twin": twin.id}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_part_of_a_name_names_nobody_and_lists_the_candidates(
    command: list[str], clients: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(
        [command[0], "Ana", *command[1:]],
        capsys,
        data_dir,
        "no client has the id or the whole name 'Ana'",
        f"{clients['Ana Example']} 'Ana Example' (born 1980-04-02)",
        f"{clients['Anabel Example']} 'Anabel Example' (born unknown)",
    )
    assert "Zoë" not in err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_an_id_that_is_also_a_name_is_refused_listing_both(
    command: list[str], clients: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana = clients["Ana Example"]
    refused(
        [command[0], ana, *command[1:]],
        capsys,
        data_dir,
        f"'{ana}' names 2 clients; give the id of one",
        f"{clients['twin']} '{ana}'",
        f"{ana} 'Ana Example'",
    )


def test_delete_erases_exactly_the_client_named_by_whole_name_or_id(
    clients: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Case and Unicode normalisation do not matter; the whole name does.
    status, out, err = run(["delete", "ZOE\u0308 SMITH", "--yes"], capsys)
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == f"deleted client {clients['Zoë Smith']}"
    status, out, err = run(["delete", clients["twin"], "--yes"], capsys)
    assert (status, err) == (0, "")
    with SqliteStore.open(data_dir) as repository:
        left = {client.id for client in repository.list_clients()}
    assert left == {clients["Ana Example"], clients["Anabel Example"]}
    # With its twin gone, Ana's id names Ana alone.
    assert run(["delete", clients["Ana Example"], "--yes"], capsys)[0] == 0


def test_two_clients_of_the_same_name_need_the_id(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteStore.open(data_dir) as repository:
        first = repository.create_client("Sam Lee")
        second = repository.create_client("SAM LEE", born=dt.date(1990, 1, 2))
    refused(["delete", "sam lee", "--yes"], capsys, data_dir, first.id, f"{second.id} 'SAM LEE' (born 1990-01-02)")
    assert run(["delete", second.id, "--yes"], capsys)[0] == 0


def test_an_unknown_id_lists_nobody(
    clients: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["delete", "00000000-0000-4000-8000-000000000000", "--yes"], capsys, data_dir)
    assert "Example" not in err


@pytest.mark.parametrize(
    "client_id",
    [
        "ana",
        "Ana Example",
        "0B7F5C1E-2D7A-4C55-9A51-3C1F6F0D2A10",  # upper case: Backmap writes lower case
        "0b7f5c1e2d7a4c559a513c1f6f0d2a10",  # no hyphens
        "0b7f5c1e-2d7a-1c55-9a51-3c1f6f0d2a10",  # a version 1 UUID
        " 0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10",
    ],
)
def test_import_refuses_ids_unlike_those_backmap_makes(
    client_id: str, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = example_data()
    data["client"]["id"] = client_id
    path = tmp_path / "client.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    refused(["import", str(path)], capsys, data_dir, "client.id: must be an id as Backmap makes them")
    data = example_data()
    data["sessions"][0]["id"] = client_id
    path.write_text(json.dumps(data), encoding="utf-8")
    refused(["import", str(path)], capsys, data_dir, "sessions[0].id: must be an id as Backmap makes them")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_client_argument_that_is_not_text_is_refused(
    command: list[str], clients: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # How Python passes on argument bytes that are not UTF-8: `backmap delete $'\xff'` in a shell.
    refused([command[0], "Ana\udcff\x1b", *command[1:]], capsys, data_dir, "'Ana\\udcff\\x1b' is not a client's")
