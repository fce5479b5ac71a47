"""Copies of the database made with SQLite's online backup API, checked before they are kept.

Backups in the data folder (the backups folder, and the copies taken before a migration) are found by looking
there. A backup written elsewhere (`backmap backup -o FILE`) is remembered by its location in
`<data folder>/backups-elsewhere/`, one small file per backup, so that erasing a client can list it too.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from app.storage.driver import is_plain_file, sqlite3
from app.storage.errors import DamagedDatabaseError, StorageError
from app.storage.files import create_private_file, private_file, write_private_file
from app.storage.keys import DatabaseKey
from app.storage.location import ensure_private_dir

BACKUPS_FOLDER = "backups"  # in the data folder
BACKUP_SUFFIX = ".sqlite3"
ELSEWHERE_FOLDER = "backups-elsewhere"
# A check reads every page twice (the b-trees, then each table's rows for its NOT NULL columns): a page cache that
# holds the whole file (a 10-year practice is ~45 MB) reads, and for an encrypted file decrypts and authenticates,
# each page once. Memory taken page by page on the check's own connection while it runs: for the checks the
# therapist waits for (a backup, encrypting), not the background check at every start, which stays lean.
CHECK_CACHE_KIB = 64 * 1024


def cache_whole_file(connection: sqlite3.Connection) -> None:
    """Gives `connection` the page cache of a check that reads the whole file (CHECK_CACHE_KIB)."""
    connection.execute(f"PRAGMA cache_size = -{CHECK_CACHE_KIB}")


def restore_advice(path: Path) -> str:
    """What to do about a damaged database; both ways keep the damaged files."""
    folder = path.parent / BACKUPS_FOLDER
    backups = sorted(folder.glob(f"*{BACKUP_SUFFIX}"))
    which = (
        f"`backmap restore {backups[-1]}` (the latest backup)"
        if backups
        else (f"`backmap restore BACKUP` with your latest backup (there is none in {folder})")
    )
    return (
        f"Close Backmap and run {which}: it checks the backup, then moves the damaged files aside. "
        f"Or by hand: move {path.name} and its -wal and -shm files out of {path.parent}, "
        f"then copy the backup in as {path.name}."
    )


def damaged(path: Path, detail: str, state: str = "it was left untouched") -> DamagedDatabaseError:
    return DamagedDatabaseError(f"the database {path} is damaged ({detail}); {state}. {restore_advice(path)}", detail)


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """`folder/stem+suffix`, or with -2, -3... when a backup of the same second exists."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def copy_database(
    source: sqlite3.Connection, copy: Path, key: DatabaseKey | None = None, *, every_page: bool = True
) -> None:
    """Copies the database into the empty file `copy` (a standalone file without WAL) and checks it.

    `key`: the source's key, which the copy is encrypted with too (None for a plain database). The copy is made of
    the files' bytes while the write lock holds the records still (`_copy_files`, which checks that nothing was
    cut short), and must then have the records' size in pages; without the lock to be had, it is made through the
    online backup API. `every_page`: the copy's every page is also checked (`_every_page_problems`). False, when a
    full check of the records has lately found them sound (`LocalDataFolder` keeps the time): the copy holds their
    very pages. Without the lock, every page is checked.
    sqlite3.Error if the copy fails or is not whole; DamagedDatabaseError if it shows the database is damaged.
    """
    try:
        with _writes_held(source) as held:
            pages = source.execute("PRAGMA page_count").fetchone()[0] if held else None
            if held:
                _copy_files(source, copy)
        with closing(sqlite3.connect(copy, isolation_level=None)) as target:
            if key is not None:
                target.execute(key.pragma)
            if not held:
                source.backup(target)
            # The copy carries the source's WAL flag; a backup is one self-contained file.
            target.execute("PRAGMA journal_mode = DELETE")
            if pages is not None and (copied := target.execute("PRAGMA page_count").fetchone()[0]) != pages:
                raise sqlite3.DatabaseError(f"the copy holds {copied} of the records' {pages} pages; it was not kept")
            problems = _every_page_problems(target, encrypted=key is not None) if every_page or pages is None else []
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            raise damaged(_path_of(source), str(error)) from error
        raise
    if problems:
        # The copy holds the very pages of the source: the source is damaged, and no backup is kept.
        raise damaged(
            _path_of(source), f"found by the check of a backup, which was not kept: {'; '.join(problems[:3])}"
        )


def _every_page_problems(copy: sqlite3.Connection, *, encrypted: bool) -> list[str]:
    """Every page of the copy checked: the problems found, [] if none.

    Plain: every page of every table and index read and its b-tree checked (quick_check leaves out only the
    comparison of each index with its table: derived data, which `backmap check` and restoring check).
    Encrypted: every page's HMAC verified (SQLCipher's cipher_integrity_check), which any changed byte fails, at
    about the cost of a plain quick_check; the b-trees of encrypted records are checked in full by the check at
    every start and `backmap check` (decrypting and parsing every page here as well would cost half as much again).
    """
    if encrypted:
        return [row[0] for row in copy.execute("PRAGMA cipher_integrity_check")]
    cache_whole_file(copy)
    return [row[0] for row in copy.execute("PRAGMA quick_check") if row[0] != "ok"]


@contextmanager
def _writes_held(source: sqlite3.Connection) -> Iterator[bool]:
    """The source's write lock for the block (True), so that nothing is added meanwhile; False, holding nothing,
    when it is not to be had (another writer; a transaction already open on `source`)."""
    held = not source.in_transaction
    if held:
        try:
            source.execute("BEGIN IMMEDIATE")  # a read snapshot that is also the newest: nobody can commit after it
        except sqlite3.OperationalError:
            held = False
    try:
        yield held
    finally:
        if held:
            source.execute("ROLLBACK")


def _copy_files(source: sqlite3.Connection, copy: Path) -> None:
    """Copies the source's file and its -wal into `copy` (and `copy`-wal) byte for byte, with the source's write
    lock held by the caller: the operating system copies the bytes (for an encrypted file, no page is decrypted
    and encrypted again as the backup API would). The copy's first open reads the -wal like the source's, and
    folding it into the copy leaves the source's files as they were (damaged ones too). A checkpoint by another
    connection meanwhile only writes pages that the -wal copied here also holds.
    """
    path = _path_of(source)
    _copy_whole(path, copy)
    wal = path.with_name(f"{path.name}-wal")
    if wal.exists():
        wal_copy = copy.with_name(f"{copy.name}-wal")
        create_private_file(wal_copy)
        _copy_whole(wal, wal_copy)


def _copy_whole(file: Path, copy: Path) -> None:
    """Copies `file`, which the write lock keeps as it is, into `copy`; sqlite3.DatabaseError if the copy is
    shorter: SQLite would read a -wal copied short without the commits cut off, and say nothing."""
    whole = file.stat().st_size
    shutil.copyfile(file, copy)
    if (copied := copy.stat().st_size) != whole:
        raise sqlite3.DatabaseError(f"the copy of {file.name} holds {copied} of its {whole} bytes; it was not kept")


def _path_of(connection: sqlite3.Connection) -> Path:
    return Path(connection.execute("PRAGMA database_list").fetchone()[2])


def backup_to(
    source: sqlite3.Connection,
    destination: Path,
    *,
    journal: Path,
    key: DatabaseKey | None = None,
    every_page: bool = True,
) -> Path:
    """A checked copy of the database at `destination` (0600, atomic); `journal` is the data folder."""
    try:
        with private_file(destination, journal=journal) as copy:
            copy_database(source, copy, key, every_page=every_page)
    except sqlite3.Error as error:
        raise StorageError(f"could not back up the database to {destination}: {error}") from error
    except OSError as error:
        raise StorageError(f"could not write the backup {destination}: {error.strerror}") from error
    return destination


def backup_beside(source: sqlite3.Connection, db_path: Path, label: str, key: DatabaseKey | None = None) -> Path:
    """The backup taken before a migration: next to the database, named by the old version and the time."""
    destination = free_name(db_path.parent, f"{db_path.name}.{label}-{timestamp()}", ".backup")
    return backup_to(source, destination, journal=db_path.parent, key=key)


def backup_into(
    source: sqlite3.Connection,
    folder: Path,
    *,
    journal: Path,
    key: DatabaseKey | None = None,
    every_page: bool = True,
) -> Path:
    """A timestamped backup in `folder` (e.g. <data>/backups)."""
    try:
        ensure_private_dir(folder)
    except OSError as error:
        raise StorageError(f"could not make the backups folder {folder}: {error.strerror}") from error
    destination = free_name(folder, f"backmap-{timestamp()}", BACKUP_SUFFIX)
    return backup_to(source, destination, journal=journal, key=key, every_page=every_page)


def remember_backup(data_folder: Path, backup: Path) -> None:
    """Notes where a backup outside the data folder was made (the same place twice is one note)."""
    location = os.fsencode(backup.resolve())
    folder = ensure_private_dir(data_folder / ELSEWHERE_FOLDER)
    import hashlib  # here, not at import: the records open at start-up without OpenSSL

    write_private_file(folder / hashlib.sha256(location).hexdigest()[:32], location, journal=data_folder)


def remembered_backups(data_folder: Path) -> list[Path]:
    """The backups made outside the data folder, as remembered; a deleted one is forgotten here.

    One whose folder is missing too is kept: it may be on a disk that is not connected now.
    """
    try:
        notes = sorted((data_folder / ELSEWHERE_FOLDER).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    backups = []
    for note in notes:
        if note.name.startswith("."):
            continue  # a note being written
        backup = Path(os.fsdecode(note.read_bytes()))
        if not backup.exists() and backup.parent.is_dir():
            note.unlink()
            continue
        backups.append(backup)
    return backups


def may_hold_client(backup: Path, client_id: str, key: DatabaseKey | None = None) -> bool:
    """Whether the backup holds the client, or cannot be read (missing, damaged, another key) and so may hold them.

    `key`: the records' key, for an encrypted backup (a plain one is read without it)."""
    if not backup.is_file():
        return True
    try:
        with closing(sqlite3.connect(f"{backup.as_uri()}?mode=ro&immutable=1", uri=True)) as copy:
            if key is not None and not is_plain_file(backup):
                copy.execute(key.pragma)
            return copy.execute("SELECT 1 FROM clients WHERE id = ?", (client_id,)).fetchone() is not None
    except sqlite3.Error:
        return True
