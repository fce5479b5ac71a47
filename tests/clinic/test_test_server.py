"""The suite's own PostgreSQL server is what it claims: version 15, not run by root, reachable from this machine
only; and a server that cannot be set up is an error that names the cause, never a skipped test."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import psycopg
import pytest

from tests.clinic import server as test_server
from tests.clinic.server import ServerDidNotStart, ThrowawayServer

pytestmark = pytest.mark.postgres


def test_the_server_is_postgresql_15_run_by_an_unprivileged_user_on_a_private_port(
    postgres_server: ThrowawayServer,
) -> None:
    with psycopg.connect(postgres_server.conninfo()) as connection:
        found = connection.execute(
            "SELECT name, setting FROM pg_settings "
            "WHERE name IN ('server_version_num', 'listen_addresses', 'unix_socket_directories', 'port')"
        ).fetchall()
    settings = {str(name): str(value) for name, value in found}
    assert settings["server_version_num"].startswith("15")
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["unix_socket_directories"] == str(postgres_server.socket_dir)
    assert settings["port"] == str(postgres_server.port)
    runs_as = (postgres_server.folder / "data").stat().st_uid
    expected = pwd.getpwnam(test_server.UNPRIVILEGED_USER).pw_uid if os.geteuid() == 0 else os.geteuid()
    assert runs_as == expected != 0


def test_a_server_that_cannot_be_set_up_is_an_error_naming_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(test_server, "BIN", tmp_path)
    with pytest.raises(ServerDidNotStart, match="initdb not found: install Debian's postgresql package"):
        test_server.start()
