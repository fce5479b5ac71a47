"""`--data-dir` on an existing folder never changes its permissions: the records go in a private folder inside
it (and the user is told if the folder itself is readable by others), while old data folders open as before."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.cli import main
from app.commands.common import PLAIN_FOLDER_NOTE
from app.storage.database import DB_FILENAME
from app.storage.location import RECORDS_SUBFOLDER, locate_data_folder
from app.storage.sqlite_store import SqliteStore
from tests.storage.test_client_file import EXAMPLE

pytestmark = pytest.mark.local_file(reason="where the data folder is and what Backmap may do with it")

ANA = "0b7f5c1e-2d7a-4c55-9a51-3c1f6f0d2a10"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "ana.json"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def test_an_existing_shared_folder_is_left_as_it_is_and_the_records_go_in_a_private_one(
    tmp_path: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    shared = tmp_path / "Documents"
    shared.mkdir()
    shared.chmod(0o755)
    (shared / "letter.txt").write_text("the user's own file", encoding="utf-8")
    assert main(["--data-dir", str(shared), "import", str(example)]) == 0
    captured = capsys.readouterr()
    records = shared / RECORDS_SUBFOLDER
    assert captured.out == f"{ANA}\n"
    assert captured.err == (
        f"backmap: note: {shared} can be read by other users of this computer; it is left as it is, and the records "
        f"are kept in the private folder {records} inside it.\n"
        f"backmap: note: {PLAIN_FOLDER_NOTE.format(folder=records)}\n"
    )
    assert mode(shared) == 0o755
    assert mode(records) == 0o700
    assert (records / DB_FILENAME).is_file()
    assert sorted(path.name for path in shared.iterdir()) == [RECORDS_SUBFOLDER, "letter.txt"]
    # The same folder keeps finding its records, and says it once.
    assert main(["--data-dir", str(shared), "export", ANA, "-o", str(tmp_path / "out.json")]) == 0
    assert main(["--data-dir", str(shared), "backup"]) == 0
    assert capsys.readouterr().err == ""
    assert mode(shared) == 0o755
    assert (records / "backups").is_dir()


def test_a_private_folder_with_other_files_gets_the_records_folder_without_a_warning(
    tmp_path: Path, example: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o711)
    mine.chmod(0o711)
    (mine / "notes.txt").touch()
    monkeypatch.setenv("BACKMAP_DATA_DIR", str(mine))  # the environment variable is a named folder too
    assert main(["import", str(example)]) == 0
    # No warning about the folder: only the note that new records made without a passphrase are plain.
    assert capsys.readouterr().err == f"backmap: note: {PLAIN_FOLDER_NOTE.format(folder=mine / RECORDS_SUBFOLDER)}\n"
    assert mode(mine) == 0o711
    assert (mine / RECORDS_SUBFOLDER / DB_FILENAME).is_file()


def test_an_old_data_folder_with_the_database_in_it_opens_as_before(
    tmp_path: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old"
    with SqliteStore.open(old) as repository:  # how this version and every earlier one laid a folder out
        repository.create_client("Bo Old")
    (old / "unrelated.txt").touch()
    assert main(["--data-dir", str(old), "import", str(example)]) == 0
    assert main(["--data-dir", str(old), "export", "bo old"]) == 0
    assert capsys.readouterr().err == ""
    assert not (old / RECORDS_SUBFOLDER).exists()
    with SqliteStore.open(old) as repository:
        assert {client.name for client in repository.list_clients()} == {"Bo Old", "Ana Example"}
    # With the database moved aside (to restore a backup), what SQLite or a migration left still says so.
    (old / DB_FILENAME).rename(tmp_path / "aside.sqlite3")
    (old / f"{DB_FILENAME}.v0-20261101T000000Z.backup").touch()
    assert locate_data_folder(old).records == old


def test_a_new_or_empty_private_folder_holds_the_records_itself(tmp_path: Path) -> None:
    new = tmp_path / "new"
    assert locate_data_folder(new).records == new
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    assert locate_data_folder(empty).records == empty
    empty.chmod(0o750)
    assert locate_data_folder(empty).records == empty / RECORDS_SUBFOLDER
    (empty / "backmap.lock").touch()  # a first start has the folder, and makes the database next
    assert locate_data_folder(empty).records == empty
    assert main(["--data-dir", str(new), "import", str(tmp_path / "missing.json")]) == 1
    assert main(["--data-dir", str(new), "backup"]) == 1  # no records there: nothing is made either
    assert not new.exists()


def test_a_folder_name_that_is_not_text_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "records\udcff"  # the bytes b"records\xff", as Python passes them on
    odd.mkdir()
    assert main(["--data-dir", str(odd), "backup"]) == 1
    assert (
        capsys.readouterr().err
        == f"backmap: the data folder {tmp_path}/records\\udcff has a name that is not UTF-8 text: choose another\n"
    )
    assert list(odd.iterdir()) == []
