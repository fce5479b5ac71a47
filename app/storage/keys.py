"""The database key and the key file that keeps it wrapped (DESIGN.md, "Storage": encryption at rest).

The records are encrypted by SQLCipher with a random 256-bit key (a raw key: SQLCipher's own passphrase
derivation is skipped). That key is never stored as it is: the key file `backmap.key` in the data folder holds it
twice, each time sealed with AES-256-GCM under a key derived by Argon2id, once from the therapist's passphrase and
once from the recovery key shown at set-up. The Argon2id parameters and salts are stored with each wrap, so they
can be raised later without breaking older files. Changing the passphrase rewraps the same key: the database
itself is not rewritten. Optionally the operating system's keyring also keeps the key (`keyring_copy`).
"""

from __future__ import annotations

import base64
import binascii
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.storage.errors import StorageError
from app.storage.files import write_private_file

# json and secrets (OpenSSL's hashlib) are imported where they are used: the desktop app asks is_encrypted before
# its window's first paint.

KEY_FILENAME = "backmap.key"
KEY_FILE_FORMAT = "backmap-key"
KEY_FILE_VERSION = 1
DATABASE_KEY_BYTES = 32
RECOVERY_KEY_BYTES = 20  # 160 bits, written as 32 base32 letters and digits in groups of four
MINIMUM_PASSPHRASE_LENGTH = 8
KEYRING_SERVICE = "Backmap"

# RFC 9106's second recommended Argon2id option (64 MiB, 3 passes, 4 lanes): ~0.2 s here per unlock.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4
SALT_BYTES = 16
NONCE_BYTES = 12


class WrongPassphraseError(StorageError):
    """The passphrase or recovery key does not open the key file; nothing was written."""


class LockedError(StorageError):
    """The records are encrypted and no key was given for them."""


@dataclass(frozen=True, slots=True)
class DatabaseKey:
    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != DATABASE_KEY_BYTES:
            raise ValueError("a database key is 32 bytes")

    @classmethod
    def generate(cls) -> DatabaseKey:
        import secrets

        return cls(secrets.token_bytes(DATABASE_KEY_BYTES))

    @property
    def pragma(self) -> str:
        """The PRAGMA that gives SQLCipher this key as a raw key (x'...'), not as a passphrase to derive from."""
        return f"PRAGMA key = \"x'{self.raw.hex()}'\""


@dataclass(frozen=True, slots=True)
class _Wrap:
    salt: bytes
    nonce: bytes
    sealed: bytes
    time_cost: int = ARGON2_TIME_COST
    memory_kib: int = ARGON2_MEMORY_KIB
    parallelism: int = ARGON2_PARALLELISM

    def to_json(self) -> dict[str, object]:
        return {
            "kdf": {
                "name": "argon2id",
                "time_cost": self.time_cost,
                "memory_kib": self.memory_kib,
                "parallelism": self.parallelism,
                "salt": _b64(self.salt),
            },
            "aead": "aes-256-gcm",
            "nonce": _b64(self.nonce),
            "sealed": _b64(self.sealed),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> _Wrap:
        kdf = data["kdf"]
        if not isinstance(kdf, dict) or kdf.get("name") != "argon2id" or data.get("aead") != "aes-256-gcm":
            raise ValueError("unknown key derivation or cipher")
        return cls(
            salt=_unb64(kdf["salt"]),
            nonce=_unb64(data["nonce"]),
            sealed=_unb64(data["sealed"]),
            time_cost=int(kdf["time_cost"]),
            memory_kib=int(kdf["memory_kib"]),
            parallelism=int(kdf["parallelism"]),
        )


@dataclass(frozen=True, slots=True)
class KeyFile:
    """The wrapped database key, as kept in `backmap.key`."""

    by_passphrase: _Wrap
    by_recovery_key: _Wrap
    keyring_copy: bool = False  # whether the operating system's keyring holds the key too

    def to_bytes(self) -> bytes:
        document = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "cipher": "sqlcipher4-raw-key",
            "wraps": {"passphrase": self.by_passphrase.to_json(), "recovery_key": self.by_recovery_key.to_json()},
            "keyring_copy": self.keyring_copy,
        }
        import json

        return (json.dumps(document, indent=2) + "\n").encode()


def key_file_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILENAME


def is_encrypted(data_dir: Path) -> bool:
    """Whether the records in `data_dir` are encrypted (their key file is there)."""
    return key_file_path(data_dir).exists()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value, validate=True)


def _normalised(secret: str) -> bytes:
    # The same passphrase typed on another keyboard or system can differ in Unicode form: NFC makes it one.
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def _kek(secret: bytes, wrap_salt: bytes, time_cost: int, memory_kib: int, parallelism: int) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        secret,
        wrap_salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _associated(purpose: str) -> bytes:
    # Binds each sealed key to its place in the file: a passphrase wrap cannot be passed off as the recovery one.
    return f"{KEY_FILE_FORMAT} {KEY_FILE_VERSION} {purpose}".encode()


def _seal(key: DatabaseKey, secret: bytes, purpose: str) -> _Wrap:
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    kek = _kek(secret, salt, ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM)
    return _Wrap(salt, nonce, AESGCM(kek).encrypt(nonce, key.raw, _associated(purpose)))


def _open_wrap(wrap: _Wrap, secret: bytes, purpose: str) -> DatabaseKey | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kek = _kek(secret, wrap.salt, wrap.time_cost, wrap.memory_kib, wrap.parallelism)
    try:
        return DatabaseKey(AESGCM(kek).decrypt(wrap.nonce, wrap.sealed, _associated(purpose)))
    except InvalidTag:
        return None


def new_recovery_key() -> str:
    import secrets

    letters = base64.b32encode(secrets.token_bytes(RECOVERY_KEY_BYTES)).decode("ascii")
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _recovery_secret(recovery_key: str) -> bytes:
    """The recovery key as typed, forgiving of case, spaces, dashes and the letters people confuse with digits."""
    letters = "".join(recovery_key.split()).replace("-", "").upper().replace("0", "O").replace("1", "I")
    try:
        raw = base64.b32decode(letters)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != RECOVERY_KEY_BYTES:
        raise WrongPassphraseError("that is not a recovery key: it is 8 groups of 4 letters and digits")
    return raw


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MINIMUM_PASSPHRASE_LENGTH:
        raise StorageError(f"a passphrase needs at least {MINIMUM_PASSPHRASE_LENGTH} characters")


def read_key_file(data_dir: Path) -> KeyFile:
    import json

    path = key_file_path(data_dir)
    try:
        document = json.loads(path.read_bytes())
        if document.get("format") != KEY_FILE_FORMAT:
            raise ValueError("not a Backmap key file")
        if document.get("version") != KEY_FILE_VERSION:
            raise ValueError(f"key file version {document.get('version')} is not known to this Backmap")
        wraps = document["wraps"]
        return KeyFile(
            _Wrap.from_json(wraps["passphrase"]),
            _Wrap.from_json(wraps["recovery_key"]),
            bool(document.get("keyring_copy", False)),
        )
    except FileNotFoundError as error:
        raise LockedError(f"{path} is missing: the records in {data_dir} cannot be unlocked without it") from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StorageError(f"{path} cannot be read ({error}); it was left untouched") from error


def write_key_file(data_dir: Path, key_file: KeyFile) -> None:
    write_private_file(key_file_path(data_dir), key_file.to_bytes())


@dataclass(frozen=True, slots=True)
class NewKeys:
    key: DatabaseKey
    key_file: KeyFile
    recovery_key: str  # shown to the therapist once, never stored


def new_keys(passphrase: str) -> NewKeys:
    """A new database key wrapped by `passphrase` and by a new recovery key (nothing written yet)."""
    check_new_passphrase(passphrase)
    key, recovery_key = DatabaseKey.generate(), new_recovery_key()
    key_file = KeyFile(
        _seal(key, _normalised(passphrase), "passphrase"), _seal(key, _recovery_secret(recovery_key), "recovery_key")
    )
    return NewKeys(key, key_file, recovery_key)


def unlock_with_passphrase(data_dir: Path, passphrase: str) -> DatabaseKey:
    key = _open_wrap(read_key_file(data_dir).by_passphrase, _normalised(passphrase), "passphrase")
    if key is None:
        raise WrongPassphraseError(
            "that passphrase does not unlock these records (check Caps Lock and the keyboard layout; "
            "the recovery key also unlocks them: backmap key recover)"
        )
    return key


def unlock_with_recovery_key(data_dir: Path, recovery_key: str) -> DatabaseKey:
    key = _open_wrap(read_key_file(data_dir).by_recovery_key, _recovery_secret(recovery_key), "recovery_key")
    if key is None:
        raise WrongPassphraseError("that recovery key does not unlock these records")
    return key


def change_passphrase(data_dir: Path, key: DatabaseKey, new_passphrase: str) -> None:
    """Rewraps `key` with `new_passphrase`; the recovery key and the database stay as they are."""
    check_new_passphrase(new_passphrase)
    current = read_key_file(data_dir)
    rewrapped = KeyFile(
        _seal(key, _normalised(new_passphrase), "passphrase"), current.by_recovery_key, current.keyring_copy
    )
    write_key_file(data_dir, rewrapped)


class AttemptPacer:
    """Slows guessing: after each wrong passphrase the next try waits twice as long (1 s, 2 s, 4 s ... 30 s).

    Argon2id makes every guess cost ~0.2 s anyway; this keeps someone at the keyboard from trying a list.
    Kept in memory only: a wrong passphrase writes nothing.
    """

    FIRST_DELAY_S = 1.0
    LONGEST_DELAY_S = 30.0

    def __init__(self) -> None:
        self.failures = 0

    def failed(self) -> float:
        """Counts a wrong try; returns the seconds to wait before the next one."""
        self.failures += 1
        return min(self.FIRST_DELAY_S * float(2 ** (self.failures - 1)), self.LONGEST_DELAY_S)

    @staticmethod
    def wait(seconds: float) -> None:
        time.sleep(seconds)


# -- the operating system's keyring (Secret Service, Keychain, Windows Credential Locker) -------------------


def _keyring_account(data_dir: Path) -> str:
    return f"database key for {data_dir.resolve()}"


def keyring_key(data_dir: Path) -> DatabaseKey | None:
    """The key kept in the keyring for this folder, if the key file says there is one and the keyring answers."""
    if not is_encrypted(data_dir) or not read_key_file(data_dir).keyring_copy:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        stored = keyring.get_password(KEYRING_SERVICE, _keyring_account(data_dir))
    except KeyringError:
        return None
    try:
        return DatabaseKey(bytes.fromhex(stored)) if stored else None
    except ValueError:
        return None


def keep_in_keyring(data_dir: Path, key: DatabaseKey) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_account(data_dir), key.raw.hex())
    except KeyringError as error:
        raise StorageError(f"the system keyring did not keep the key ({error}); type the passphrase instead") from error
    current = read_key_file(data_dir)
    write_key_file(data_dir, KeyFile(current.by_passphrase, current.by_recovery_key, keyring_copy=True))


def forget_keyring(data_dir: Path) -> bool:
    """Removes the keyring's copy of this folder's key; whether there was one."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    current = read_key_file(data_dir)
    removed = False
    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_account(data_dir))
        removed = True
    except PasswordDeleteError:
        pass
    except KeyringError as error:
        raise StorageError(f"the system keyring could not be reached ({error}); nothing was changed") from error
    if current.keyring_copy:
        write_key_file(data_dir, KeyFile(current.by_passphrase, current.by_recovery_key, keyring_copy=False))
    return removed or current.keyring_copy
