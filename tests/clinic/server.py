"""The test session's own PostgreSQL 15 server: a throwaway cluster in a temporary folder (issue 19, point 7).

Debian's `postgresql` package brings initdb and pg_ctl (scripts/_setup.sh installs it). PostgreSQL refuses to
run as root, and the tests do run as root in CI: then the cluster belongs to `nobody` and its programs run as
that user (subprocess's `user=`); as anyone else, as that user. The server listens on a unix socket in its own
folder and on 127.0.0.1 at a free port, never on another address. Its superuser `postgres` logs in with a
password (scram-sha-256, the way a clinic's server is reached), and nothing else of the machine is touched.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

BIN = Path("/usr/lib/postgresql/15/bin")
UNPRIVILEGED_USER = "nobody"  # when the tests run as root: it exists on every Debian and owns nothing
SUPERUSER = "postgres"
DATABASE = "backmap_clinic_tests"


class ServerDidNotStart(RuntimeError):
    """The test server could not be set up; the message carries what PostgreSQL said."""


@dataclass(frozen=True, slots=True)
class ThrowawayServer:
    folder: Path
    socket_dir: Path
    port: int
    superuser_password: str
    started_in_s: float

    def conninfo(self, user: str = SUPERUSER, password: str | None = None, *, dbname: str = DATABASE) -> str:
        """A libpq connection string over the unix socket, as `user` (the superuser's password by default)."""
        secret = self.superuser_password if password is None and user == SUPERUSER else password
        return make_conninfo(host=str(self.socket_dir), port=self.port, dbname=dbname, user=user, password=secret)

    def tcp_conninfo(self, user: str, password: str, *, dbname: str = DATABASE) -> str:
        """The same over TCP on 127.0.0.1, as a person logs in from the app."""
        return make_conninfo(host="127.0.0.1", port=self.port, dbname=dbname, user=user, password=password)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run_as(user: pwd.struct_passwd | None, *command: str | Path, cwd: Path) -> None:
    """Runs a PostgreSQL program (as `user` when given); ServerDidNotStart with its output when it fails."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": str(cwd)},
        check=False,
        timeout=120,
        user=None if user is None else user.pw_uid,
        group=None if user is None else user.pw_gid,
        extra_groups=None if user is None else [],
    )
    if result.returncode != 0:
        raise ServerDidNotStart(
            f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def start() -> ThrowawayServer:
    """Creates and starts the cluster; ServerDidNotStart (never a skip) when PostgreSQL is missing or fails."""
    if not (BIN / "initdb").exists():
        raise ServerDidNotStart(f"{BIN}/initdb not found: install Debian's postgresql package (./scripts/test does)")
    began = time.monotonic()
    user = pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="backmap-postgres-"))
    try:
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        password = secrets.token_urlsafe(18)
        password_file = folder / "superuser-password"
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        if user is not None:
            os.chown(password_file, user.pw_uid, user.pw_gid)
        data = folder / "data"
        _run_as(
            user,
            BIN / "initdb",
            "--pgdata", data,
            "--username", SUPERUSER,
            "--pwfile", password_file,
            "--auth", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C.UTF-8",
            "--no-sync",
            cwd=folder,
        )  # fmt: skip
        password_file.unlink()
        port = _free_port()
        # A throwaway cluster: no fsync (its data never outlives the test run); only this machine's loopback.
        options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        _run_as(
            user, BIN / "pg_ctl", "start", "--wait", "--pgdata", data, "--log", folder / "server.log",
            "-o", options, cwd=folder,
        )  # fmt: skip
        server = ThrowawayServer(folder, folder, port, password, time.monotonic() - began)
        _create_database(server)
    except BaseException as error:
        log = folder / "server.log"
        said = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
        _stop_folder(folder, user)
        if isinstance(error, ServerDidNotStart) and said:
            raise ServerDidNotStart(f"{error}\nserver log:\n{said}") from error
        raise
    return server


def _create_database(server: ThrowawayServer) -> None:
    with psycopg.connect(server.conninfo(dbname="postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")


def stop(server: ThrowawayServer) -> None:
    """Stops the server (fast: open connections are ended) and removes its folder."""
    _stop_folder(server.folder, pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None)


def _stop_folder(folder: Path, user: pwd.struct_passwd | None) -> None:
    try:
        if (folder / "data" / "postmaster.pid").exists():
            _run_as(user, BIN / "pg_ctl", "stop", "--pgdata", folder / "data", "--mode", "fast", "--wait", cwd=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
