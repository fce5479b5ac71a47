"""`backmap clinic init`: the clinic's IT person sets up the database and its first owner, once."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest

from app.cli import main
from app.storage.postgres.schema import SCHEMA_VERSION
from tests.clinic.conftest import EmptyDatabase
from tests.clinic.server import SUPERUSER

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin_server(empty_database: EmptyDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The administrator's connection string as an IT person writes it: no password, which is in ~/.pgpass."""
    server = empty_database.server
    password_file = tmp_path / "pgpass"
    password_file.write_text(f"*:*:*:{SUPERUSER}:{server.superuser_password}\n", encoding="utf-8")
    password_file.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(password_file))
    return f"host={server.socket_dir} port={server.port} dbname={empty_database.name} user={SUPERUSER}"


def secret_file(folder: Path, text: str) -> Path:
    path = folder / f"password-{secrets.token_hex(3)}"
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def init(server: str, owner: str, password_file: Path) -> int:
    return main(["clinic", "init", server, "--owner", owner, "--owner-name", "Olga Owner", "--owner-password-file",
                 str(password_file)])  # fmt: skip


def has_schema(database: EmptyDatabase) -> bool:
    with psycopg.connect(database.admin()) as connection:
        row = connection.execute("SELECT to_regnamespace('backmap') IS NOT NULL").fetchone()
    return bool(row and row[0])


def test_init_sets_up_the_clinic_and_its_owner_logs_in_with_the_new_password(
    admin_server: str, empty_database: EmptyDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = f"olga_{secrets.token_hex(3)}"
    password = "correct horse battery staple"
    assert init(admin_server, owner, secret_file(tmp_path, password)) == 0
    assert (
        capsys.readouterr().out
        == f"clinic database ready: schema version {SCHEMA_VERSION} created; owner {owner} added\n"
    )
    login = empty_database.server.tcp_conninfo(owner, password, dbname=empty_database.name)
    with psycopg.connect(login) as olga:
        assert olga.execute("SELECT session_user::text, kind, name FROM backmap.people").fetchall() == [
            (owner, "owner", "Olga Owner")
        ]
        assert olga.execute("SELECT version FROM backmap.schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_init_again_with_the_same_owner_changes_nothing(
    admin_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = f"olga_{secrets.token_hex(3)}"
    password_file = secret_file(tmp_path, "correct horse battery staple")
    assert init(admin_server, owner, password_file) == 0
    capsys.readouterr()
    assert init(admin_server, owner, password_file) == 0
    assert capsys.readouterr().out == (
        f"clinic database ready: schema version {SCHEMA_VERSION} (was {SCHEMA_VERSION}); "
        f"owner {owner} was there already\n"
    )


def test_init_with_another_owner_is_refused(
    admin_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = (f"{name}_{secrets.token_hex(3)}" for name in ("olga", "oscar"))
    password_file = secret_file(tmp_path, "correct horse battery staple")
    assert init(admin_server, first, password_file) == 0
    capsys.readouterr()
    assert init(admin_server, second, password_file) == 1
    said = capsys.readouterr().err
    assert (
        said
        == f"backmap: this clinic database already has its owner ({first}); `clinic init` only creates the first one\n"
    )


def test_a_refused_init_leaves_the_database_as_it_was(
    admin_server: str, empty_database: EmptyDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The schema is built before the owner's name is checked: one transaction, so none of it stays."""
    assert init(admin_server, "Olga Owner", secret_file(tmp_path, "correct horse battery staple")) == 1
    assert "'Olga Owner' cannot be a login name" in capsys.readouterr().err
    assert not has_schema(empty_database)


def test_a_database_of_a_newer_backmap_is_refused(
    admin_server: str, empty_database: EmptyDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password_file = secret_file(tmp_path, "correct horse battery staple")
    assert init(admin_server, f"olga_{secrets.token_hex(3)}", password_file) == 0
    with psycopg.connect(empty_database.admin()) as connection:
        connection.execute("UPDATE backmap.schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    capsys.readouterr()
    assert init(admin_server, f"olga_{secrets.token_hex(3)}", password_file) == 1
    assert f"has schema version {SCHEMA_VERSION + 1}, newer than this Backmap's" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("server", "refusal"),
    [
        ("host=/run/postgresql dbname=clinic password=hunter22", "a password does not belong in the connection"),
        ("host=db.clinic.example dbname=clinic sslmode=require", "the clinic server db.clinic.example is not on"),
        ("postgresql://db.clinic.example/clinic?sslmode=disable", "sslmode=verify-full), not sslmode=disable"),
    ],
)
def test_an_unsafe_connection_string_is_refused_before_connecting(
    server: str, refusal: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(server, "olga", secret_file(tmp_path, "correct horse battery staple")) == 1
    said = capsys.readouterr().err
    assert refusal in said
    assert said.count("\n") == 1


def test_a_short_owner_password_is_refused(
    admin_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(admin_server, "olga", secret_file(tmp_path, "hunter2")) == 1
    assert "at least 12 characters" in capsys.readouterr().err


def test_the_owners_it_person_adds_a_therapist_who_then_logs_in_as_themselves(
    admin_server: str, empty_database: EmptyDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner, therapist = (f"{name}_{secrets.token_hex(3)}" for name in ("olga", "thandi"))
    assert init(admin_server, owner, secret_file(tmp_path, "correct horse battery staple")) == 0
    password = "a different long password"
    added = ["clinic", "add", admin_server, therapist, "--kind", "therapist", "--name", "Thandi Therapist"]
    assert main([*added, "--password-file", str(secret_file(tmp_path, password))]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{therapist} added as therapist"
    login = empty_database.server.tcp_conninfo(therapist, password, dbname=empty_database.name)
    with psycopg.connect(login) as thandi:
        groups = thandi.execute(
            "SELECT b.rolname::text FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = session_user"
        ).fetchall()
    assert groups == [("backmap_therapist",)]
    assert main([*added, "--password-file", str(secret_file(tmp_path, password))]) == 1
    assert f"the server already has a role {therapist}" in capsys.readouterr().err


def test_people_are_added_only_to_a_clinic_that_was_set_up(
    admin_server: str, empty_database: EmptyDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password_file = secret_file(tmp_path, "correct horse battery staple")
    added = ["clinic", "add", admin_server, f"rita_{secrets.token_hex(3)}", "--kind", "receptionist"]
    assert main([*added, "--name", "Rita Reception", "--password-file", str(password_file)]) == 1
    assert "this database has no clinic yet: set it up first with `backmap clinic init`" in capsys.readouterr().err
    assert not has_schema(empty_database)


def test_two_inits_at_once_build_the_clinic_once(empty_database: EmptyDatabase) -> None:
    """Two set-ups started together (two IT people, a retried script): the second waits for the first's
    transaction, then finds the clinic built and its owner there."""
    from concurrent.futures import ThreadPoolExecutor

    from app.storage.postgres.clinic import Person, SetUp, set_up

    owner = Person(f"olga_{secrets.token_hex(3)}", "owner", "Olga Owner")

    def init_directly() -> SetUp:
        with psycopg.connect(empty_database.admin()) as connection:
            return set_up(connection, owner, "correct horse battery staple")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [future.result() for future in [pool.submit(init_directly) for _ in range(2)]]
    assert sorted(results, key=lambda done: done.owner_added) == [
        SetUp(schema_from=SCHEMA_VERSION, owner_added=False),
        SetUp(schema_from=None, owner_added=True),
    ]
