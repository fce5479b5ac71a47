"""TLS that checks the server's certificate and name for any server not on this machine (issue 19, point 6)."""

from __future__ import annotations

import pytest

from app.storage.postgres.connection import ClinicConnectionError, with_required_tls

ON_THIS_MACHINE = [
    {},  # libpq's default unix socket
    {"host": "/run/postgresql"},
    {"host": "@backmap"},  # an abstract unix socket
    {"host": "localhost"},
    {"host": "127.0.0.1"},
    {"host": "127.0.0.53"},
    {"host": "::1"},
    {"host": "localhost", "sslmode": "disable"},
]


@pytest.mark.parametrize("parameters", ON_THIS_MACHINE)
def test_a_server_on_this_machine_is_reached_as_given(parameters: dict[str, str]) -> None:
    assert with_required_tls(parameters, {}) == parameters


@pytest.mark.parametrize(
    ("parameters", "environ"),
    [
        ({"host": "db.clinic.example"}, {}),
        ({"host": "10.0.0.5"}, {}),
        ({"host": "db.clinic.example", "sslmode": "verify-full"}, {}),
        ({}, {"PGHOST": "db.clinic.example"}),
        ({"host": "localhost", "hostaddr": "192.0.2.7"}, {}),  # the name is local, the address is not
        ({"host": "localhost,db.clinic.example"}, {}),  # any of several hosts
        ({"host": "db.clinic.example"}, {"PGSSLMODE": "verify-full"}),
    ],
)
def test_any_other_server_is_reached_with_verify_full(parameters: dict[str, str], environ: dict[str, str]) -> None:
    assert with_required_tls(parameters, environ) == {**parameters, "sslmode": "verify-full"}


@pytest.mark.parametrize(
    ("parameters", "environ", "weaker"),
    [
        ({"host": "db.clinic.example", "sslmode": "require"}, {}, "require"),
        ({"host": "db.clinic.example", "sslmode": "verify-ca"}, {}, "verify-ca"),
        ({"host": "db.clinic.example"}, {"PGSSLMODE": "prefer"}, "prefer"),
        ({}, {"PGHOST": "db.clinic.example", "PGSSLMODE": "disable"}, "disable"),
    ],
)
def test_a_weaker_sslmode_for_another_server_is_refused_in_one_line(
    parameters: dict[str, str], environ: dict[str, str], weaker: str
) -> None:
    with pytest.raises(ClinicConnectionError) as refusal:
        with_required_tls(parameters, environ)
    assert str(refusal.value) == (
        "the clinic server db.clinic.example is not on this machine, so it is reached only over TLS that checks its "
        f"certificate and name (sslmode=verify-full), not sslmode={weaker}: see docs/clinic.md, TLS"
    )
