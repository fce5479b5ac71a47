"""Reaching the clinic's server: TLS that checks the server's certificate and name for any host but this machine
(issue 19, point 6; docs/clinic.md, "TLS"), and one-line errors.

A connection string is libpq's (`host=... dbname=...` or `postgresql://...`), with the environment's PG*
variables and a service file as libpq reads them. Its password is refused: a command line and a remembered
setting are both read by others; the password belongs in ~/.pgpass (or PGPASSFILE) or the system keyring, where
it is looked up only when libpq found none (service KEYRING_SERVICE, account `user@host:port/dbname`), after a
password typed into the app for this run only (remember_until_quit), which is held in memory and nowhere else.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.errors import BackmapError

if TYPE_CHECKING:
    import psycopg

REQUIRED_SSLMODE = "verify-full"
APPLICATION_NAME = "backmap"
CONNECT_TIMEOUT_S = 10
KEYRING_SERVICE = "Backmap clinic server"
_NO_PASSWORD = "no password supplied"  # libpq's words when the server asks for one and none was found


_TYPED_THIS_RUN: dict[str, str] = {}  # keyring account -> a password typed into the app, not kept anywhere


def remember_until_quit(account: str, password: str | None) -> None:
    """A password typed into the app (Connect to clinic server…), used as the keyring's would be until the app
    quits, and for logging in again after a lost connection; None forgets it (it was refused)."""
    if password is None:
        _TYPED_THIS_RUN.pop(account, None)
    else:
        _TYPED_THIS_RUN[account] = password


class ClinicConnectionError(BackmapError):
    """The clinic server cannot be reached as asked, or not safely; nothing was read or written."""


def _on_this_machine(host: str) -> bool:
    """A unix socket (a path, or an abstract one), or a loopback name or address."""
    if not host or host.startswith(("/", "@")) or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_required_tls(parameters: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """`parameters` with sslmode=verify-full where a host is not this machine; ClinicConnectionError for a
    weaker sslmode there. `environ` supplies PGHOST, PGHOSTADDR and PGSSLMODE when the string does not."""
    chosen = dict(parameters)
    if "password" in chosen:
        raise ClinicConnectionError(
            "a password does not belong in the connection string (others can read it): put it in ~/.pgpass "
            "(mode 0600) or a PGPASSFILE"
        )
    hosts = (chosen.get("host") or environ.get("PGHOST", "")).split(",")
    addresses = (chosen.get("hostaddr") or environ.get("PGHOSTADDR", "")).split(",")
    remote = [place for place in (*hosts, *addresses) if not _on_this_machine(place.strip())]
    if not remote:
        return chosen
    sslmode = chosen.get("sslmode") or environ.get("PGSSLMODE") or REQUIRED_SSLMODE
    if sslmode != REQUIRED_SSLMODE:
        raise ClinicConnectionError(
            f"the clinic server {remote[0]} is not on this machine, so it is reached only over TLS that checks its "
            f"certificate and name (sslmode={REQUIRED_SSLMODE}), not sslmode={sslmode}: see docs/clinic.md, TLS"
        )
    chosen["sslmode"] = REQUIRED_SSLMODE
    return chosen


def connect(conninfo: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the clinic server as the person the string (or the environment) names."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parameters = {key: str(value) for key, value in conninfo_to_dict(conninfo).items()}
    except psycopg.ProgrammingError as error:
        raise ClinicConnectionError(f"not a connection string: {first_line(error)}") from error
    chosen = with_required_tls(parameters, os.environ)
    chosen.setdefault("application_name", APPLICATION_NAME)
    chosen.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    try:
        return psycopg.connect(make_conninfo("", **chosen), autocommit=autocommit)
    except psycopg.OperationalError as error:
        kept = _password_kept(keyring_account(chosen, os.environ)) if _NO_PASSWORD in str(error) else None
        if kept is None:
            raise ClinicConnectionError(f"cannot reach the clinic server: {first_line(error)}") from error
    try:  # the keyring's password goes to libpq alone, never into a string anyone else sees
        return psycopg.connect(make_conninfo("", **chosen), password=kept, autocommit=autocommit)
    except psycopg.OperationalError as error:
        raise ClinicConnectionError(f"cannot reach the clinic server: {first_line(error)}") from error


def keyring_account(parameters: Mapping[str, str], environ: Mapping[str, str]) -> str:
    """Whose password for which server and database, as the keyring keeps it (libpq's defaults filled in)."""
    user = parameters.get("user") or environ.get("PGUSER") or getpass.getuser()
    host = parameters.get("host") or environ.get("PGHOST") or "localhost"
    port = parameters.get("port") or environ.get("PGPORT") or "5432"
    database = parameters.get("dbname") or environ.get("PGDATABASE") or user
    return f"{user}@{host}:{port}/{database}"


def _password_kept(account: str) -> str | None:
    return _TYPED_THIS_RUN.get(account) or keyring_password(account)


def keyring_password(account: str) -> str | None:
    """The password the system keyring keeps for `account`; None when it keeps none or cannot be asked."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, account)
    except KeyringError:
        return None


def first_line(error: Exception) -> str:
    """libpq's message without its continuation lines (DETAIL, HINT, the server's address repeated)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
