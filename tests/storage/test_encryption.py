"""Encryption at rest, proven in bytes: 20 markers written into every kind of field are in no file on disk."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring
import pytest

from app.cli import main
from app.domain.records import Client, ClientRecord, Consent, Mark, Session
from app.storage import database
from app.storage.client_file import dump
from app.storage.database import DB_FILENAME, check_integrity
from app.storage.driver import is_plain_file, sqlite3
from app.storage.encryption import encrypt_records, set_up_new_folder
from app.storage.errors import DamagedDatabaseError, StorageError
from app.storage.keys import (
    AttemptPacer,
    DatabaseKey,
    LockedError,
    WrongPassphraseError,
    change_passphrase,
    key_file_path,
    read_key_file,
    unlock_with_passphrase,
    unlock_with_recovery_key,
)
from app.storage.sqlite_store import SqliteStore
from tests.memory_keyring import MemoryKeyring
from tests.storage.faults import damage_data, fingerprint
from tests.storage.privacy_records import FilledClient, fill_client, found_in_bytes, markers_for

pytestmark = pytest.mark.local_file(
    reason="the local file encrypted with SQLCipher, its key file and backups, in bytes"
)

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pacer's delays, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(AttemptPacer, "wait", staticmethod(waited.append))
    return waited


def secret_file(folder: Path, text: str, name: str = "passphrase") -> Path:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def every_file(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


def test_twenty_markers_are_in_no_file_of_an_encrypted_folder(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(markers_for("A")) == 20
    # A temporary folder of this test's own, for Python and SQLite alike: every file in it is looked at.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    for variable in ("TMPDIR", "SQLITE_TMPDIR"):
        monkeypatch.setenv(variable, str(temporary))
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    elsewhere = tmp_path / "elsewhere.sqlite3"
    with SqliteStore.open(data_dir, key=key) as repository:
        filled = fill_client(repository, "A")
        erased = fill_client(repository, "E")
        repository.local_folder.backup()
        repository.local_folder.backup(elsewhere)
        repository.delete_client(erased.client_id)  # an erasure rewrites pages and lists the backups
        assert check_integrity(data_dir / DB_FILENAME, key) == []  # as the background check and `backmap check`
        # Open, with the -wal and -shm beside it: they are looked at too.
        files = every_file(data_dir)
        assert {path.name for path in files} >= {DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm"}
        assert any(path.parent.name == "backups" for path in files)
        assert found_in_bytes([*files, elsewhere, *every_file(temporary)], filled.markers | erased.markers) == {}
        assert repository.get_client(filled.client_id).name == f"{filled.name} Person"
    assert found_in_bytes([*every_file(data_dir), *every_file(temporary)], filled.markers | erased.markers) == {}


def test_a_copied_database_opens_only_with_the_passphrase_or_the_recovery_key(data_dir: Path, tmp_path: Path) -> None:
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    with SqliteStore.open(data_dir, key=keys.key) as repository:
        filled = fill_client(repository, "B")
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    shutil.copy(data_dir / DB_FILENAME, stolen / DB_FILENAME)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(stolen / DB_FILENAME).execute("SELECT * FROM clients").fetchall()
    with pytest.raises(StorageError, match="its key does not read it"):
        SqliteStore.open(stolen, key=DatabaseKey.generate())
    shutil.copy(key_file_path(data_dir), key_file_path(stolen))  # with its key file, still the passphrase is needed
    with pytest.raises(LockedError):
        SqliteStore.open(stolen)
    with pytest.raises(WrongPassphraseError):
        unlock_with_passphrase(stolen, "a guess at it")
    for key in (unlock_with_passphrase(stolen, PASSPHRASE), unlock_with_recovery_key(stolen, keys.recovery_key)):
        with SqliteStore.open(stolen, key=key) as repository:
            assert repository.get_client(filled.client_id).name == f"{filled.name} Person"


def test_the_database_key_is_used_as_it_is_in_sqlcipher_4s_format(data_dir: Path) -> None:
    """A raw 256-bit key: SQLCipher uses it as it is, without its 256,000 PBKDF2 rounds (those are for passphrases,
    and Argon2id already guards the passphrase), so a connection opens in microseconds."""
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    with SqliteStore.open(data_dir, key=keys.key) as repository:
        filled = fill_client(repository, "K")
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as connection:
        connection.execute(keys.key.pragma)
        connection.execute("PRAGMA kdf_iter = 1")  # another key altogether, were the key a passphrase to derive from
        assert connection.execute("SELECT id FROM clients").fetchall() == [(filled.client_id,)]
        settings = [row[0] for row in connection.execute("PRAGMA cipher_settings") if "kdf" not in row[0]]
    assert settings == [
        "PRAGMA cipher_page_size = 4096;",
        "PRAGMA cipher_use_hmac = 1;",  # every page authenticated
        "PRAGMA cipher_plaintext_header_size = 0;",  # the header encrypted too
        "PRAGMA cipher_hmac_algorithm = HMAC_SHA512;",
    ]


def test_the_recovery_key_is_forgiving_of_how_it_is_typed(data_dir: Path) -> None:
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    typed = keys.recovery_key.lower().replace("-", " ")
    assert unlock_with_recovery_key(data_dir, typed) == keys.key
    with pytest.raises(WrongPassphraseError, match="not a recovery key"):
        unlock_with_recovery_key(data_dir, "ABCD-EFGH")


def test_changing_the_passphrase_rewraps_the_same_key(data_dir: Path) -> None:
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    database_before = fingerprint(data_dir).get(DB_FILENAME)
    change_passphrase(data_dir, keys.key, "a new and longer one")
    assert unlock_with_passphrase(data_dir, "a new and longer one") == keys.key
    assert unlock_with_recovery_key(data_dir, keys.recovery_key) == keys.key
    with pytest.raises(WrongPassphraseError):
        unlock_with_passphrase(data_dir, PASSPHRASE)
    assert fingerprint(data_dir).get(DB_FILENAME) == database_before
    with pytest.raises(StorageError, match="at least 8"):
        change_passphrase(data_dir, keys.key, "short")


def test_the_key_file_records_its_argon2id_parameters_and_no_key(data_dir: Path) -> None:
    keys = set_up_new_folder(data_dir, PASSPHRASE)
    text = key_file_path(data_dir).read_text(encoding="utf-8")
    assert '"argon2id"' in text
    assert '"memory_kib": 65536' in text
    assert keys.key.raw.hex() not in text
    assert keys.recovery_key not in text
    assert PASSPHRASE not in text
    assert key_file_path(data_dir).stat().st_mode & 0o777 == 0o600
    assert read_key_file(data_dir).keyring_copy is False


def test_wrong_passphrases_are_slowed_down_twice_as_much_each_time() -> None:
    pacer = AttemptPacer()
    assert [pacer.failed() for _ in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_plain_records_are_encrypted_with_their_backups_after_a_verified_copy(data_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "usb" / "backmap.sqlite3"
    outside.parent.mkdir()
    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "C")
        in_folder = repository.local_folder.backup()
        repository.local_folder.backup(outside)
        export_before = dump(repository.history(filled.client_id))
    done = encrypt_records(data_dir, PASSPHRASE)
    assert in_folder in done.encrypted_backups
    assert done.plain_elsewhere == (outside,)
    assert found_in_bytes(every_file(data_dir), filled.markers) == {}
    assert not any(is_plain_file(path) for path in every_file(data_dir) if path.suffix in (".sqlite3", ".backup"))
    pre_encryption = next(data_dir.glob(f"{DB_FILENAME}.pre-encryption-*.backup"))
    assert pre_encryption in done.encrypted_backups  # the usual backup first, itself encrypted once all is done
    with SqliteStore.open(data_dir, key=unlock_with_passphrase(data_dir, PASSPHRASE)) as repository:
        assert dump(repository.history(filled.client_id)) == export_before
    with SqliteStore.open(data_dir, key=done.key) as repository:
        pass
    assert found_in_bytes([outside], filled.markers) != {}  # the therapist was told: it is theirs to delete


def test_an_encryption_stopped_after_the_key_file_finishes_on_the_next_open(data_dir: Path) -> None:
    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "D")
    keys = set_up_new_folder_over_plain_records(data_dir)
    with SqliteStore.open(data_dir, key=keys) as repository:
        assert repository.local_folder.encrypted
        assert repository.get_client(filled.client_id).name == f"{filled.name} Person"
    assert found_in_bytes(every_file(data_dir), filled.markers) == {}


def set_up_new_folder_over_plain_records(data_dir: Path) -> DatabaseKey:
    """The key file written, the plain database not yet replaced: where a stop in encrypt_records leaves it."""
    from app.storage.keys import new_keys, write_key_file

    keys = new_keys(PASSPHRASE)
    write_key_file(data_dir, keys.key_file)
    return keys.key


# -- the command line ----------------------------------------------------------------------------------------


def test_a_command_given_a_passphrase_file_makes_an_encrypted_folder_and_prints_the_recovery_key_once(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passphrase = secret_file(tmp_path, PASSPHRASE)
    client_file = tmp_path / "client.json"
    with SqliteStore.open(tmp_path / "source") as source:
        filled: FilledClient = fill_client(source, "E")
        client_file.write_text(dump(source.history(filled.client_id)), encoding="utf-8")
    assert main(["--passphrase-file", str(passphrase), "import", str(client_file)]) == 0
    err = capsys.readouterr().err
    assert "recovery key, shown this once" in err
    recovery_key = err.split("shown this once:")[1].split()[0]
    assert unlock_with_recovery_key(data_dir, recovery_key) is not None
    assert main(["--passphrase-file", str(passphrase), "backup"]) == 0
    assert "recovery key" not in capsys.readouterr().err
    assert found_in_bytes(every_file(data_dir), filled.markers) == {}
    # Without it, and no terminal: one clear line, exit 1.
    assert main(["export", filled.client_id]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "are encrypted: give the passphrase with --passphrase-file FILE" in err


def test_a_command_without_a_passphrase_makes_a_plain_folder_and_says_so_once(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup"]) == 1  # nothing to back up yet: no folder is made
    capsys.readouterr()
    with SqliteStore.open(tmp_path / "source") as source:
        client_file = tmp_path / "client.json"
        client_file.write_text(dump(source.history(fill_client(source, "F").client_id)), encoding="utf-8")
    assert main(["import", str(client_file)]) == 0
    assert "are not encrypted" in capsys.readouterr().err
    assert main(["import", "--replace", str(client_file)]) == 0
    assert "not encrypted" not in capsys.readouterr().err
    assert is_plain_file(data_dir / DB_FILENAME)
    passphrase = secret_file(tmp_path, PASSPHRASE)
    assert main(["--passphrase-file", str(passphrase), "import", "--replace", str(client_file)]) == 0
    assert "--passphrase-file was not used" in capsys.readouterr().err
    assert is_plain_file(data_dir / DB_FILENAME)


def test_a_passphrase_file_others_can_read_is_refused(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passphrase = secret_file(tmp_path, PASSPHRASE)
    passphrase.chmod(0o644)
    assert main(["--passphrase-file", str(passphrase), "check"]) == 1
    assert "chmod 600" in capsys.readouterr().err
    assert not data_dir.exists()


def test_a_wrong_passphrase_writes_nothing_and_is_slowed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_waiting: list[float]
) -> None:
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    with SqliteStore.open(data_dir, key=key) as repository:
        fill_client(repository, "G")
    before = fingerprint(data_dir)
    wrong = secret_file(tmp_path, "not the passphrase")
    assert main(["--passphrase-file", str(wrong), "backup"]) == 1
    assert "does not unlock these records" in capsys.readouterr().err
    assert no_waiting == [1.0]
    assert fingerprint(data_dir) == before


def test_key_commands_change_recover_and_encrypt(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "H")
    first = secret_file(tmp_path, PASSPHRASE)
    assert main(["--passphrase-file", str(first), "key", "encrypt"]) == 0
    recovery_key = capsys.readouterr().err.split("shown this once:")[1].split()[0]
    assert found_in_bytes(every_file(data_dir), filled.markers) == {}
    second = secret_file(tmp_path, "the second passphrase", "second")
    assert main(["--passphrase-file", str(first), "key", "change", "--new-passphrase-file", str(second)]) == 0
    assert main(["--passphrase-file", str(first), "check"]) == 1
    assert main(["--passphrase-file", str(second), "check"]) == 0
    recovery = secret_file(tmp_path, recovery_key, "recovery")
    third = secret_file(tmp_path, "the third passphrase", "third")
    assert main(["key", "recover", "--recovery-key-file", str(recovery), "--new-passphrase-file", str(third)]) == 0
    assert main(["--passphrase-file", str(third), "export", filled.client_id]) == 0
    assert filled.client_id in capsys.readouterr().out
    assert main(["--passphrase-file", str(third), "key", "encrypt"]) == 1
    assert "already encrypted" in capsys.readouterr().err


def test_restore_takes_an_encrypted_backup_and_encrypts_a_plain_one(data_dir: Path, tmp_path: Path) -> None:
    from app.storage.restore import restore_backup

    plain_backup = tmp_path / "plain.sqlite3"
    with SqliteStore.open(tmp_path / "plain") as plain:
        old = fill_client(plain, "R")
        plain.local_folder.backup(plain_backup)
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    with SqliteStore.open(data_dir, key=key) as repository:
        new = fill_client(repository, "N")
        encrypted_backup = repository.local_folder.backup()
    with pytest.raises(StorageError, match="no key to read it"):
        restore_backup(tmp_path / "elsewhere", encrypted_backup)
    restore_backup(data_dir, plain_backup, key)
    assert found_in_bytes(every_file(data_dir), old.markers) == {}
    with SqliteStore.open(data_dir, key=key) as repository:
        assert repository.get_client(old.client_id).name == f"{old.name} Person"
    restore_backup(data_dir, encrypted_backup, key)
    with SqliteStore.open(data_dir, key=key) as repository:
        assert repository.get_client(new.client_id).name == f"{new.name} Person"


def test_an_erasure_lists_the_encrypted_backups_that_hold_the_client(data_dir: Path) -> None:
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    with SqliteStore.open(data_dir, key=key) as repository:
        kept = fill_client(repository, "K")
        before = repository.local_folder.backup()
        gone = repository.create_client("Erased Person")
        with_gone = repository.local_folder.backup()
        erasure = repository.delete_client(gone.id)
        assert erasure.backups_holding_client == (with_gone,)
        assert before not in erasure.backups_holding_client
        assert repository.get_client(kept.client_id) is not None


def test_the_keyring_copy_opens_the_records_without_the_passphrase_until_forgotten(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memory = MemoryKeyring()
    before = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        passphrase = secret_file(tmp_path, PASSPHRASE)
        SqliteStore.open(data_dir, key=set_up_new_folder(data_dir, PASSPHRASE).key).close()
        assert main(["--passphrase-file", str(passphrase), "key", "remember"]) == 0
        assert read_key_file(data_dir).keyring_copy
        assert main(["check"]) == 0  # no passphrase given, none typed: the keyring's copy
        assert main(["key", "forget-keyring"]) == 0
        assert memory.passwords == {}
        assert not read_key_file(data_dir).keyring_copy
        capsys.readouterr()
        assert main(["check"]) == 1
        assert "are encrypted: give the passphrase" in capsys.readouterr().err
    finally:
        keyring.set_keyring(before)


def test_an_encrypted_copy_that_does_not_verify_leaves_the_plain_records_and_no_key_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.storage import encryption

    with SqliteStore.open(data_dir) as repository:
        filled = fill_client(repository, "V")
    counted = encryption._table_counts
    calls: list[int] = []

    def a_row_short_in_the_copy(connection: sqlite3.Connection, schema: str) -> dict[str, int]:
        calls.append(1)
        counts = counted(connection, schema)
        return counts if len(calls) == 1 else {**counts, "clients": counts["clients"] - 1}

    monkeypatch.setattr(encryption, "_table_counts", a_row_short_in_the_copy)
    with pytest.raises(StorageError, match="did not verify"):
        encrypt_records(data_dir, PASSPHRASE)
    assert not key_file_path(data_dir).exists()
    assert is_plain_file(data_dir / DB_FILENAME)
    assert [path.name for path in data_dir.iterdir() if "encrypting" in path.name] == []
    with SqliteStore.open(data_dir) as repository:
        assert repository.get_client(filled.client_id).name == f"{filled.name} Person"


def test_a_backup_of_encrypted_records_holds_what_is_still_in_the_wal_and_leaves_their_files_as_they_were(
    data_dir: Path, tmp_path: Path
) -> None:
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    with SqliteStore.open(data_dir, key=key) as repository:
        repository._connection.execute("PRAGMA wal_autocheckpoint = 0")  # the newest rows stay in the -wal
        filled = fill_client(repository, "W")
        database, wal = data_dir / DB_FILENAME, data_dir / f"{DB_FILENAME}-wal"
        before = (database.read_bytes(), wal.read_bytes())
        backup = repository.local_folder.backup(tmp_path / "backup.sqlite3")
        # The -wal was copied, not folded in: the file is as it was, the -wal grew by the backup's audit entry only.
        assert database.read_bytes() == before[0]
        assert wal.read_bytes().startswith(before[1])
        assert len(before[1]) > 0
    assert not is_plain_file(backup)
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(backup, restored / DB_FILENAME)
    shutil.copy(key_file_path(data_dir), key_file_path(restored))
    with SqliteStore.open(restored, key=key) as repository:
        assert repository.get_client(filled.client_id).name == f"{filled.name} Person"
        assert len(repository.history(filled.client_id).sessions) == len(filled.session_ids)


def _many_pages(data_dir: Path) -> DatabaseKey:
    """Encrypted records of 40 long sessions (many pages), closed; their key."""
    key = set_up_new_folder(data_dir, PASSPHRASE).key
    client = Client("many-pages", "Ana Example", consent=Consent(dt.date(2026, 11, 20), "1"))
    sessions = tuple(
        Session(
            id=f"visit-{day}",
            start=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC) + dt.timedelta(days=day),
            marks=(Mark("neck_l", "therapist", 5, f"note {day} " * 200),),
        )
        for day in range(40)
    )
    with SqliteStore.open(data_dir, key=key) as repository:
        repository.import_records([ClientRecord(client, (), sessions)])
    return key


def test_damage_on_page_one_of_encrypted_records_is_reported_on_opening_with_the_folder_as_found(
    data_dir: Path,
) -> None:
    key = _many_pages(data_dir)
    with (data_dir / DB_FILENAME).open("r+b") as file:
        file.seek(200)  # inside page 1, after SQLCipher's salt: its HMAC no longer matches
        file.write(b"\xde\xad" * 32)
    before = fingerprint(data_dir)
    with pytest.raises(DamagedDatabaseError, match="its key does not read it"):
        SqliteStore.open(data_dir, key=key)
    assert fingerprint(data_dir) == before  # no -wal or -shm either


def test_encrypted_records_open_on_one_keyed_connection_and_damage_elsewhere_leaves_the_folder_as_found(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every page is authenticated under the key: the read-only look that a plain file gets first is not needed.
    key = _many_pages(data_dir)
    damage_data(data_dir / DB_FILENAME)  # a data page: opening reads page 1 and the schema only
    before = fingerprint(data_dir)
    connections: list[object] = []
    connect = database.sqlite3.connect

    def counted(*args: Any, **options: Any) -> sqlite3.Connection:
        connections.append(args[0])
        made: sqlite3.Connection = connect(*args, **options)
        return made

    monkeypatch.setattr(database.sqlite3, "connect", counted)
    SqliteStore.open(data_dir, key=key).close()
    assert len(connections) == 1
    assert fingerprint(data_dir) == before  # SQLite removed the -wal and -shm it made


def test_a_backup_of_damaged_encrypted_records_is_refused_and_leaves_them_as_found(data_dir: Path) -> None:
    key = _many_pages(data_dir)
    damage_data(data_dir / DB_FILENAME)  # a page's HMAC no longer matches
    with SqliteStore.open(data_dir, key=key) as repository:  # opening reads the schema's pages only
        before = fingerprint(data_dir)
        with pytest.raises(DamagedDatabaseError, match="is damaged"):
            repository.local_folder.backup()
        assert fingerprint(data_dir)[DB_FILENAME] == before[DB_FILENAME]
        assert list((data_dir / "backups").glob("*.sqlite3")) == []
