"""How a person's password reaches the server: libpq's pass file, or the system keyring when there is none; never
the connection string (issue 19, point 1; docs/clinic.md, "Each person's computer")."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from app.storage.postgres.connection import KEYRING_SERVICE, ClinicConnectionError
from app.storage.postgres.store import PostgresStore
from tests.clinic.template import ClinicCopy
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.postgres


def test_the_keyring_keeps_the_password_when_no_pass_file_does(
    clinic_copy: ClinicCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    therapist = clinic_copy.template.therapists[0]
    conninfo = clinic_copy.template.conninfo(clinic_copy.database, therapist)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pass-file"))
    memory = MemoryKeyring()
    before = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        with pytest.raises(ClinicConnectionError, match="no password supplied"):
            PostgresStore.connect(conninfo)
        account = f"{therapist.role}@127.0.0.1:{clinic_copy.template.server.port}/{clinic_copy.database}"
        memory.set_password(KEYRING_SERVICE, account, clinic_copy.template.passwords[therapist.role])
        with PostgresStore.connect(conninfo) as store:
            assert store.list_clients() == []
    finally:
        keyring.set_keyring(before)
