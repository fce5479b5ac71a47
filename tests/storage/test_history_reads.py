"""History read as columns (issue 22): the same answers as loading every session whole, for less work."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from app.domain.analytics import TensionMatrix
from app.domain.demo import demo_client
from app.domain.records import ClientRecord, Consent, Mark, Session
from app.domain.session_summary import NOTHING_MARKED, MarksTally, MarkTable, line_of, tally_of
from app.storage.record_store import RecordStore
from app.storage.rows import utc_key
from app.storage.sqlite_store import SqliteStore
from tests.storage.faults import written_elsewhere

TODAY = dt.date(2026, 11, 23)


def _demo(store: RecordStore) -> str:
    client, intakes, sessions = demo_client(TODAY)
    store.import_records([ClientRecord(client, intakes, tuple(sessions))])
    return client.id


def test_the_timeline_lines_and_tallies_are_those_of_the_whole_sessions(store: RecordStore) -> None:
    client_id = _demo(store)
    sessions = store.list_sessions(client_id)
    assert any(session.amendments for session in sessions)  # the demo has an amended session
    assert store.session_lines(client_id) == [line_of(session) for session in sessions]
    tallies = store.marks_tallies(client_id, [session.id for session in sessions])
    assert tallies == {session.id: tally_of(session) for session in sessions}


def test_the_highest_tension_is_the_therapists_where_both_layers_marked_a_region(store: RecordStore) -> None:
    client_id = _demo(store)
    start = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    marks = (Mark("neck_l", "client", 9), Mark("neck_l", "therapist", 3), Mark("neck_r", "client", 5))
    store.add_session(client_id, Session("both-layers", start, marks=marks))
    assert store.session_lines(client_id)[0].session_id == "both-layers"
    assert store.marks_tallies(client_id, ["both-layers"]) == {"both-layers": MarksTally(regions_marked=2, highest=5)}


def test_a_session_with_nothing_assessed_has_no_highest_tension(store: RecordStore) -> None:
    client_id = _demo(store)
    start = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    store.add_session(client_id, Session("unmarked", start))
    store.add_session(
        client_id, Session("all-tens", start + dt.timedelta(hours=1), marks=(Mark("neck_l", "client", 10),))
    )
    tallies = store.marks_tallies(client_id, ["unmarked", "all-tens"])
    assert tallies == {"unmarked": NOTHING_MARKED, "all-tens": MarksTally(regions_marked=1, highest=10)}
    other = store.create_client("Another Client", consent=Consent(TODAY, "1"))
    assert store.marks_tallies(other.id, ["all-tens"]) == {"all-tens": NOTHING_MARKED}  # not another's marks


def test_the_mark_table_gives_the_matrices_of_the_whole_sessions(store: RecordStore) -> None:
    client_id = _demo(store)
    sessions = sorted(store.list_sessions(client_id), key=lambda session: session.start)
    table = store.mark_table(client_id)
    assert _same_marks(table, MarkTable.from_sessions(sessions))
    every_layer = TensionMatrix.layers_from_marks(table, ("client", "therapist", "effective"))  # Trends' way
    for layer in ("client", "therapist", "effective"):
        expected = TensionMatrix.from_sessions(sessions, layer)
        for got in (TensionMatrix.from_marks(table, layer), every_layer[layer]):
            assert (got.layer, got.session_ids, got.dates) == (layer, expected.session_ids, expected.dates)
            np.testing.assert_array_equal(got.values, expected.values)  # NaN (not assessed) where it is NaN


def _same_marks(a: MarkTable, b: MarkTable) -> bool:
    """The same sessions and the same marks, in any order of the marks (SQL promises none)."""

    def marks(table: MarkTable) -> set[tuple[int, str, str, int]]:
        return set(zip(table.session_rows, table.regions, table.layers, table.tensions, strict=True))

    return (a.session_ids, a.dates) == (b.session_ids, b.dates) and marks(a) == marks(b)


def test_the_latest_session_is_the_newest_whole_and_none_without_sessions(store: RecordStore) -> None:
    client_id = _demo(store)
    assert store.latest_session(client_id) == store.list_sessions(client_id)[0]
    empty = store.create_client("No Sessions")
    assert store.latest_session(empty.id) is None
    assert store.session_lines(empty.id) == []
    assert store.marks_tallies(empty.id, []) == {}
    assert store.mark_table(empty.id) == MarkTable.from_sessions([])


def test_sessions_on_the_same_local_day_in_other_offsets_keep_their_own_dates(store: RecordStore) -> None:
    client_id = _demo(store)
    late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))  # 1 Dec in UTC
    store.add_session(client_id, dataclasses.replace(Session("late", late), marks=(Mark("neck_l", "client", 4),)))
    table = store.mark_table(client_id)
    assert table.dates[table.session_ids.index("late")] == dt.date(2026, 11, 30)


def test_the_latest_open_session_is_the_newest_not_finalised(store: RecordStore) -> None:
    client_id = _demo(store)
    sessions = store.list_sessions(client_id)
    assert store.latest_open_session(client_id) == next(s for s in sessions if not s.is_final)
    for session in sessions:
        if not session.is_final:
            store.finalise(session.id)
    assert store.latest_open_session(client_id) is None


def test_the_timeline_shows_a_change_as_soon_as_it_is_made(store: RecordStore) -> None:
    client_id = _demo(store)
    before = store.session_lines(client_id)
    still_open = next(line for line in before if not line.finalised)
    store.finalise(still_open.session_id)
    after = {line.session_id: line for line in store.session_lines(client_id)}
    assert after[still_open.session_id].finalised
    started = store.start_session(client_id)
    assert store.session_lines(client_id)[0].session_id == started.id


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_the_timeline_is_read_again_only_after_the_file_changed(repository: SqliteStore, data_dir: Path) -> None:
    client_id = _demo(repository)
    read: list[str] = []
    repository._connection.set_trace_callback(read.append)
    first = repository.session_lines(client_id)
    assert repository.session_lines(client_id) == first
    assert sum("FROM sessions WHERE client_id" in sql for sql in read) == 1  # kept: the file did not change
    written_elsewhere(  # another program (or a background job) writes the file
        data_dir,
        (
            "UPDATE sessions SET shared_note = 'changed elsewhere', version = version + 1 WHERE id = ?",
            (first[0].session_id,),
        ),
    )
    assert repository.session_lines(client_id)[0].shared_note == "changed elsewhere"
    assert sum("FROM sessions WHERE client_id" in sql for sql in read) == 2


def _whole_lines_read(statements: list[str]) -> list[str]:
    """The statements that read timeline lines whole (the amendments counted), not just ids and versions."""
    return [sql for sql in statements if "count(*) FROM amendments" in sql]


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_a_session_added_in_another_window_is_the_one_line_read_again(repository: SqliteStore, data_dir: Path) -> None:
    client_id = _demo(repository)
    before = repository.session_lines(client_id)
    other = SqliteStore.open(data_dir)  # another window on the same records
    started = other.start_session(client_id)
    read: list[str] = []
    repository._connection.set_trace_callback(read.append)
    after = repository.session_lines(client_id)
    assert [line.session_id for line in after] == [started.id] + [line.session_id for line in before]
    [whole_read] = _whole_lines_read(read)  # one statement, for that session alone
    assert started.id in whole_read
    assert all(kept is old for kept, old in zip(after[1:], before, strict=True))  # the very lines kept
    other.close()


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_a_session_amended_in_another_window_shows_its_amendment(repository: SqliteStore, data_dir: Path) -> None:
    client_id = _demo(repository)
    before = {line.session_id: line for line in repository.session_lines(client_id)}
    final = next(line for line in before.values() if line.finalised)
    other = SqliteStore.open(data_dir)
    corrected = dataclasses.replace(other.get_session(final.session_id), shared_note="Drink water after.")
    other.amend(final.session_id, corrected, "the note was the wrong client's")
    read: list[str] = []
    repository._connection.set_trace_callback(read.append)
    after = {line.session_id: line for line in repository.session_lines(client_id)}
    assert after[final.session_id].shared_note == "Drink water after."
    assert after[final.session_id].amendments == final.amendments + 1
    [whole_read] = _whole_lines_read(read)  # one statement, for that session alone
    assert final.session_id in whole_read
    other.close()


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_a_note_changed_in_another_window_is_the_one_line_read_and_keeps_its_place(
    repository: SqliteStore, data_dir: Path
) -> None:
    client_id = _demo(repository)
    before = repository.session_lines(client_id)
    changed = before[2]
    written_elsewhere(
        data_dir,
        (
            "UPDATE sessions SET shared_note = 'Walk after lunch.', version = version + 1 WHERE id = ?",
            (changed.session_id,),
        ),
    )
    read: list[str] = []
    repository._connection.set_trace_callback(read.append)
    after = repository.session_lines(client_id)
    assert after[2].shared_note == "Walk after lunch."
    [whole_read] = _whole_lines_read(read)
    assert changed.session_id in whole_read
    assert not [sql for sql in read if "FROM sessions" in sql and "ORDER BY" in sql]  # no order read: none moved
    assert all(kept is old for row, (kept, old) in enumerate(zip(after, before, strict=True)) if row != 2)


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_a_session_moved_to_another_day_in_another_window_takes_its_place_in_time(
    repository: SqliteStore, data_dir: Path
) -> None:
    client_id = _demo(repository)
    before = repository.session_lines(client_id)
    oldest = before[-1]
    newer = oldest.start.replace(year=oldest.start.year + 5)
    written_elsewhere(  # the start moved
        data_dir,
        (
            "UPDATE sessions SET start = ?, start_utc = ?, version = version + 1 WHERE id = ?",
            (newer.isoformat(), utc_key(newer), oldest.session_id),
        ),
    )
    after = repository.session_lines(client_id)
    assert [line.session_id for line in after] == [oldest.session_id] + [line.session_id for line in before[:-1]]
    assert after[0].start == newer
    assert all(kept is old for kept, old in zip(after[1:], before[:-1], strict=True))


@pytest.mark.local_file(reason="the timeline kept between reads is the SQLite store's, checked on its file")
def test_another_window_s_work_on_other_records_leaves_the_timeline_as_it_was(
    repository: SqliteStore, data_dir: Path
) -> None:
    client_id = _demo(repository)
    other = SqliteStore.open(data_dir)
    started = other.start_session(client_id)
    with_it = repository.session_lines(client_id)
    other.create_client("Another Client", consent=Consent(TODAY, "1"))
    assert repository.session_lines(client_id) is with_it  # nothing of this client's read again
    other.discard_session(started.id)
    assert started.id not in {line.session_id for line in repository.session_lines(client_id)}
    other.close()


@pytest.mark.local_file(reason="the mark table kept between reads is the SQLite store's, checked on its file")
def test_the_mark_table_is_kept_while_its_marks_are_and_read_again_when_a_session_comes(
    repository: SqliteStore, data_dir: Path
) -> None:
    client_id = _demo(repository)
    shown = repository.mark_table(client_id)
    final = next(line for line in repository.session_lines(client_id) if line.finalised)
    other = SqliteStore.open(data_dir)  # another window on the same records
    corrected = dataclasses.replace(other.get_session(final.session_id), shared_note="Drink water after.")
    other.amend(final.session_id, corrected, "the note was the wrong client's")
    assert repository.mark_table(client_id) is shown  # no mark changed: the very table
    started = other.start_session(client_id)
    other.close()
    after = repository.mark_table(client_id)
    assert after.session_ids == (*shown.session_ids, started.id)
    assert after.tensions == shown.tensions
