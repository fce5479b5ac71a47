"""The clinic server as the therapist names it in "Connect to clinic server…": where, which database, as whom,
and how strictly TLS is checked. It becomes the libpq connection string the app remembers (never a password)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from app.storage.postgres.connection import REQUIRED_SSLMODE, keyring_account, with_required_tls

DEFAULT_PORT = 5432
# libpq's sslmodes, strictest first, as the dialog offers them; only the first is allowed for another machine.
TLS_MODES = {
    REQUIRED_SSLMODE: "Check the certificate and the server's name (verify-full)",
    "verify-ca": "Check the certificate only (verify-ca; this computer's server only)",
    "require": "Encrypt, check nothing (require; this computer's server only)",
    "prefer": "Encrypt if the server offers it (prefer; this computer's server only)",
    "disable": "No encryption (disable; this computer's server only)",
}


@dataclass(frozen=True, slots=True)
class ClinicServer:
    host: str
    port: int
    database: str
    user: str  # the person's own login role
    sslmode: str = REQUIRED_SSLMODE

    def conninfo(self) -> str:
        """The libpq connection string; ClinicConnectionError when its TLS is too weak for where the server is."""
        parameters = {**self._where(), "sslmode": self.sslmode}
        return make_conninfo("", **with_required_tls(parameters, os.environ))

    def keyring_account(self) -> str:
        """Under which name the keyring keeps this person's password for this server and database."""
        return keyring_account(self._where(), {})

    def _where(self) -> dict[str, str]:
        return {"host": self.host, "port": str(self.port), "dbname": self.database, "user": self.user}

    @classmethod
    def from_conninfo(cls, conninfo: str) -> ClinicServer:
        """The server a remembered connection string names (libpq's defaults where it names none)."""
        parameters = {key: str(value) for key, value in conninfo_to_dict(conninfo).items()}
        port = parameters.get("port", "")
        return cls(
            parameters.get("host", "localhost"),
            int(port) if port.isdigit() else DEFAULT_PORT,
            parameters.get("dbname", ""),
            parameters.get("user", ""),
            parameters.get("sslmode", REQUIRED_SSLMODE),
        )
