"""A 10-year practice (issue 22): start, open, History, Trends, edits, export, backup, size and memory, each
against a bare baseline measured in the same run.

The practice is built deterministically through the repository's public API: about 2,000 clients with about
8 sessions each, and one heavy client with 1,000 sessions of 24 marks (12 regions, both layers), brush strokes
and a plan as given. Plans come from the planner itself (build_plan on random marks); building one takes ~6 ms,
so a pool of PLAN_POOL distinct plans is built once and each session takes one of them by its number (a real
practice repeats plans too: the same client, the same back, the same plan).

Each figure is a median over runs that alternate Backmap and its bare baseline, so drift in the machine's load
hits both; on a shared machine, read the ratios rather than the milliseconds. Qt runs offscreen.

    .venv/bin/python benchmarks/practice.py [--scale 0.1] [--runs 7] [--only open,history,...] [--encrypted]

--encrypted adds open, save, History and backup on an encrypted copy against the plain practice (issue 18);
`--only '' --encrypted` runs those alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.plan import build_plan
from app.domain.protocol import load_protocol
from app.domain.records import Client, ClientRecord, Consent, Mark, Session, Soap, Stroke
from app.domain.region_specs import REGION_SPECS
from app.storage.database import DB_FILENAME

# The app's own SQLite for the bare baselines too: two SQLite libraries on one -wal in one process disagree.
from app.storage.driver import sqlite3
from app.storage.sqlite_store import SqliteStore

CLIENTS = 2_000
SESSIONS_PER_CLIENT = 8  # on average: 16,000 sessions over the practice
HEAVY_SESSIONS = 1_000
HEAVY_ID = "heavy-client"
SMALL_ID = "two-sessions"
PLAN_POOL = 64
SAST = dt.timezone(dt.timedelta(hours=2))
FIRST_DAY = dt.datetime(2016, 1, 4, 9, 0, tzinfo=SAST)
DAYS = 3_650
MASSAGED = [spec.id for spec in REGION_SPECS if spec.kind not in ("no_pressure", "caution")]
STAGES = ("start", "open", "history", "trends", "edits", "plan", "export", "backup", "size", "memory")


# ---- the practice ------------------------------------------------------------------------------------------
def _marks(rng: random.Random, regions: int) -> tuple[Mark, ...]:
    chosen = sorted(rng.sample(MASSAGED, regions))
    return tuple(
        Mark(region, by, rng.randint(0, 10), rng.choice(("", "", "knot near the edge", "tender")))
        for region in chosen
        for by in ("client", "therapist")
    )


def _strokes(rng: random.Random, count: int) -> tuple[Stroke, ...]:
    strokes = []
    for _ in range(count):
        x, y = rng.uniform(150, 350), rng.uniform(150, 600)
        points = tuple((round(x + 3 * i, 1), round(y + rng.uniform(-2, 2) + 2 * i, 1)) for i in range(30))
        strokes.append(Stroke(rng.choice(("client", "therapist")), rng.randint(1, 10), 14.0, points))
    return tuple(strokes)


def _plan_pool(rng: random.Random) -> list[dict[str, object]]:
    protocol = load_protocol()
    return [build_plan(_marks(rng, 12), None, 60, protocol, on=dt.date(2024, 1, 1)).to_json() for _ in range(PLAN_POOL)]


def _session(
    rng: random.Random, number: int, day: int, regions: int, strokes: int, plans: list[dict[str, object]]
) -> Session:
    start = FIRST_DAY + dt.timedelta(days=day, minutes=number % 480)
    return Session(
        id=f"session-{number:07d}",
        start=start,
        minutes=60,
        therapist="Jo Sample",
        medium="unscented lotion",
        marks=_marks(rng, regions),
        strokes=_strokes(rng, strokes),
        soap=Soap(
            subjective="Long days at the desk; neck and shoulders stiff by the afternoon. " * 2,
            objective="Upper trapezius guarded on the left, ropey along the crest.",
            assessment="Tension easing slowly; lower back unchanged.",
            plan="Next visit in about 3 weeks; stretch breaks at the desk.",
            pain_before=rng.randint(2, 8),
            pain_after=rng.randint(0, 5),
        ),
        shared_note="Roll your shoulders back and down every hour at the desk.",
        finalised=start + dt.timedelta(minutes=70),
        plan=plans[number % len(plans)],
    )


def build_practice(data_dir: Path, scale: float) -> dict[str, int]:
    """The practice in `data_dir` (deterministic); returns the counts."""
    rng = random.Random(22)
    plans = _plan_pool(rng)
    consent = Consent(dt.date(2016, 1, 4), "1")
    number = 0
    records = []
    heavy_sessions = max(20, round(HEAVY_SESSIONS * scale))
    heavy = []
    for index in range(heavy_sessions):
        heavy.append(_session(rng, number, index * DAYS // heavy_sessions, 12, 3, plans))
        number += 1
    records.append(
        ClientRecord(Client(HEAVY_ID, "Heavy Example", dt.date(1970, 5, 1), consent=consent), (), tuple(heavy))
    )
    small = []
    for day in (DAYS - 30, DAYS - 2):
        small.append(_session(rng, number, day, 12, 3, plans))
        number += 1
    records.append(ClientRecord(Client(SMALL_ID, "Small Example", consent=consent), (), tuple(small)))
    for index in range(max(10, round(CLIENTS * scale))):
        count = rng.randint(1, 2 * SESSIONS_PER_CLIENT - 1)
        first = rng.randrange(DAYS - 1)
        sessions = []
        for visit in range(count):
            day = min(DAYS - 1, first + visit * rng.randint(7, 60))
            sessions.append(_session(rng, number, day, rng.randint(4, 12), rng.randint(0, 3), plans))
            number += 1
        name = f"{rng.choice(('Ana', 'Ben', 'Chloé', 'Dumi', 'Esther', 'Farid'))} Example {index:04d}"
        records.append(ClientRecord(Client(f"client-{index:05d}", name, consent=consent), (), tuple(sessions)))
    with SqliteStore.open(data_dir) as repository:
        for chunk in range(0, len(records), 200):
            repository.import_records(records[chunk : chunk + 200])
    return {"clients": len(records), "sessions": number, "heavy": heavy_sessions}


# ---- measuring ---------------------------------------------------------------------------------------------
def alternate(
    real: Callable[[], float | None], bare: Callable[[], float | None], runs: int, *, collected: bool = False
) -> tuple[float, float]:
    """Median milliseconds of `real` and of `bare`, run turn about `runs` times each.

    A run that times only part of itself (after setting the scene up) returns its own milliseconds. `collected`:
    each run starts from a collected heap, for two sides that do the same Python work (the same records, plain
    and encrypted): the collector's full passes come every so many allocations, and with the sides taking turns
    they can fall on the same side every time and be charged to it.
    """
    real_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(runs):
        for run, times in ((bare, bare_times), (real, real_times)):
            if collected:
                gc.collect()
            began = time.perf_counter()
            own = run()
            times.append(own if own is not None else (time.perf_counter() - began) * 1000)
    return statistics.median(real_times), statistics.median(bare_times)


def report(action: str, real_ms: float, bare_ms: float, baseline: str, goal: str = "") -> None:
    ratio = real_ms / bare_ms if bare_ms else float("inf")
    suffix = f"  (goal {goal})" if goal else ""
    print(f"{action:<44} {real_ms:9.1f} ms | bare {bare_ms:8.1f} ms ({baseline}) | {ratio:5.2f}x{suffix}", flush=True)


def evict(path: Path) -> None:
    """Drops this file (and its -wal) from the page cache: a cold start without a root-wide cache drop."""
    for each in (path, path.with_name(path.name + "-wal")):
        if each.exists():
            descriptor = os.open(each, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


_CHILD_HOOK = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    # `then` runs at the Paint event itself: in the next turn of the event loop it would also time whatever the
    # program had queued for after its paint (Backmap builds the rest of its workspace then).
    def __init__(self, widget, then):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            self.then()
        return False

def done(stage):
    # VmHWM, the peak resident memory of this program (ru_maxrss would carry the parent's over the fork); the CPU
    # time it used so far (steadier than the wall clock when the machine is loaded).
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    print(stage, peak, time.process_time(), flush=True)
    QApplication.instance().quit()
"""

# The bare client list: the clients' names from sqlite3 in a QListView, painted.
BARE_LIST = (
    _CHILD_HOOK
    + """
import sqlite3
from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QListView, QMainWindow
app = QApplication([])
connection = sqlite3.connect(sys.argv[1] + "/backmap.sqlite3")
names = [row[0] for row in connection.execute("SELECT name FROM clients ORDER BY name_key, id")]
window = QMainWindow()
window.resize(1360, 860)
view = QListView()
view.setModel(QStringListModel(names))
window.setCentralWidget(view)
FirstPaint(view.viewport(), lambda: done("list"))
window.show()
app.exec()
"""
)

# Backmap as the `backmap` command starts it (app.cli.main: the single-instance lock, the key looked for, the frame,
# then the records), until its client list has painted (or, `open`, the last client is open and ready too).
BACKMAP_LIST = (
    _CHILD_HOOK
    + """
from app.ui import main_window
show = main_window.MainWindow.show

def show_and_watch(window):
    if sys.argv[2] == "list":
        window.clientsShown.connect(lambda: FirstPaint(window.clients.list_view.viewport(), lambda: done("list")))
    else:
        def opened():
            workspace = window.workspace
            client = workspace.decisions.client
            return client is not None and client.id == sys.argv[3] and workspace.controller.session is not None
        def wait():
            if opened():
                window.workspace.warm_up()  # the region model too (if the app has not loaded it yet): ready
                done("open")
            else:
                QTimer.singleShot(5, wait)
        window.workspaceAttached.connect(wait)
    show(window)

main_window.MainWindow.show = show_and_watch
from app.cli import main
main(["--data-dir", sys.argv[1]])
"""
)


def run_child(code: str, *arguments: str, env: dict[str, str]) -> tuple[float, int, float]:
    """Milliseconds from spawning the child until it reports (not until it has quit: closing Backmap's window and
    records is no part of its start), its peak resident memory in KiB and the CPU milliseconds it had used."""
    began = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as child:
        assert child.stdout is not None
        report = child.stdout.readline().split()
        elapsed = (time.perf_counter() - began) * 1000
        _rest, errors = child.communicate(timeout=120)
    if len(report) < 3:
        raise SystemExit(f"the child did not report (exit {child.returncode}):\n{errors[-2000:]}")
    return elapsed, int(report[1]), float(report[2]) * 1000


def child_env(config_home: Path, last_client: str) -> dict[str, str]:
    """A child's environment: offscreen, with its own QSettings file remembering `last_client` (and the encryption
    set-up put off, as a therapist with plain records has: otherwise its dialog comes first)."""
    folder = config_home / "Backmap"
    folder.mkdir(parents=True, exist_ok=True)
    remembered = f"[session]\nlast_client_id={last_client}\n" if last_client else ""
    (folder / "Backmap.conf").write_text(f"[privacy]\nencryption_put_off=yes\n{remembered}")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config_home))
    # As on a user's machine, modules load from their cached bytecode (the untimed first run writes it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure_start(data_dir: Path, runs: int) -> None:
    db = data_dir / DB_FILENAME
    with tempfile.TemporaryDirectory() as config:
        config_home = Path(config)
        folder = str(data_dir)
        for label, last, cold in (
            ("warm", "", False),
            ("cold", "", True),
            ("warm, last client heavy", HEAVY_ID, False),
        ):
            env = child_env(config_home, last)
            run_child(BACKMAP_LIST, folder, "list", env=env)  # untimed: caches, and the settings file
            cpu: dict[str, list[float]] = {"real": [], "bare": []}

            def real(env: dict[str, str] = env, cold: bool = cold, cpu: dict[str, list[float]] = cpu) -> float:
                if cold:
                    evict(db)
                elapsed, _peak, used = run_child(BACKMAP_LIST, folder, "list", env=env)
                cpu["real"].append(used)
                return elapsed

            def bare(env: dict[str, str] = env, cold: bool = cold, cpu: dict[str, list[float]] = cpu) -> float:
                if cold:
                    evict(db)
                elapsed, _peak, used = run_child(BARE_LIST, folder, env=env)
                cpu["bare"].append(used)
                return elapsed

            real_ms, bare_ms = alternate(real, bare, runs)
            goal = "<= 2x" if cold else "<= 1.5x"
            report(f"start -> client list painted, {label}", real_ms, bare_ms, "QListView of the clients", goal)
            real_cpu, bare_cpu = statistics.median(cpu["real"]), statistics.median(cpu["bare"])
            report(f"  the same in CPU time, {label}", real_cpu, bare_cpu, "QListView of the clients", goal)


def measure_memory(data_dir: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory() as config:
        env = child_env(Path(config), HEAVY_ID)
        real = [run_child(BACKMAP_LIST, str(data_dir), "open", HEAVY_ID, env=env)[1] for _ in range(max(3, runs // 2))]
        bare = [run_child(BARE_LIST, str(data_dir), env=env)[1] for _ in range(max(3, runs // 2))]
    real_mib, bare_mib = statistics.median(real) / 1024, statistics.median(bare) / 1024
    print(
        f"{'peak memory, heavy client open':<44} {real_mib:9.1f} MiB | bare {bare_mib:7.1f} MiB (the bare list) | "
        f"{real_mib / bare_mib:5.2f}x  (goal <= 1.5x)",
        flush=True,
    )


def measure_files(data_dir: Path, counts: dict[str, int], runs: int, stages: set[str]) -> None:
    db = data_dir / DB_FILENAME
    with tempfile.TemporaryDirectory() as out_folder:
        out = Path(out_folder)
        names = (f"{i}" for i in range(1_000_000))
        with SqliteStore.open(data_dir) as repository:
            if "size" in stages:
                repository._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                size = db.stat().st_size
                plain = sqlite3.connect(db)
                plans, stored = plain.execute("SELECT count(*), total(length(json)) FROM plans").fetchone()
                plain.close()
                print(
                    f"{'size per session':<44} {size / counts['sessions'] / 1024:9.2f} KiB | "
                    f"{size / 1e6:.0f} MB for {counts['sessions']} sessions; {plans} distinct plans, "
                    f"{stored / 1e6:.1f} MB compressed  (goal <= 5 KiB)",
                    flush=True,
                )
            if "export" in stages:
                bare_connection = sqlite3.connect(db)
                soap_keys = ("subjective", "objective", "assessment", "plan", "pain_before", "pain_after")

                def bare_export() -> None:
                    """The heavy client's file from its rows with sqlite3 and json alone: the same document (every
                    key and value of the client file, each session's plan in it), written by json's C encoder
                    (compact: the indented one is json's Python generator)."""
                    query = bare_connection.execute
                    of_client = "SELECT id FROM sessions WHERE client_id = ?"
                    parts: dict[str, dict[str, list[object]]] = {table: {} for table in ("marks", "strokes", "holds")}
                    for session_id, region, by, tension, note, quality in query(
                        f"SELECT session_id, region, by, tension, note, quality FROM marks "
                        f"WHERE session_id IN ({of_client}) ORDER BY session_id, region, by",
                        (HEAVY_ID,),
                    ):
                        mark = {"region": region, "by": by, "tension": tension, "note": note}
                        if quality is not None:
                            mark["quality"] = quality
                        parts["marks"].setdefault(session_id, []).append(mark)
                    for session_id, by, tension, width, points in query(
                        f"SELECT session_id, by, tension, width, points FROM strokes "
                        f"WHERE session_id IN ({of_client}) ORDER BY session_id, position",
                        (HEAVY_ID,),
                    ):
                        stroke = {"by": by, "tension": tension, "width": width, "points": json.loads(points)}
                        parts["strokes"].setdefault(session_id, []).append(stroke)
                    for session_id, region, seconds in query(
                        f"SELECT session_id, region, seconds FROM holds WHERE session_id IN ({of_client}) "
                        "ORDER BY session_id, position",
                        (HEAVY_ID,),
                    ):
                        parts["holds"].setdefault(session_id, []).append({"region": region, "seconds": seconds})
                    plans = {
                        key: json.loads(zlib.decompress(data))
                        for key, data in query(
                            "SELECT sha256, json FROM plans WHERE sha256 IN "
                            "(SELECT plan_sha256 FROM sessions WHERE client_id = ?)",
                            (HEAVY_ID,),
                        )
                    }
                    sessions = [
                        {
                            "id": row[0],
                            "start": row[1],
                            "minutes": row[2],
                            "therapist": row[3],
                            "position": row[4],
                            "medium": row[5],
                            "override": None if row[6] is None else {"max_level": row[6], "reason": row[7]},
                            "marks": parts["marks"].get(row[0], []),
                            "strokes": parts["strokes"].get(row[0], []),
                            "soap": dict(zip(soap_keys, row[8:14], strict=True)),
                            "shared_note": row[14],
                            "holds": parts["holds"].get(row[0], []),
                            "finalised": row[15],
                            "amendments": [],  # the heavy client has none
                            "plan": None if row[16] is None else plans[row[16]],
                        }
                        for row in query(
                            "SELECT id, start, minutes, therapist, position, medium, override_max_level, "
                            "override_reason, soap_subjective, soap_objective, soap_assessment, soap_plan, "
                            "pain_before, pain_after, shared_note, finalised, plan_sha256 FROM sessions "
                            "WHERE client_id = ? ORDER BY start_utc, id",
                            (HEAVY_ID,),
                        )
                    ]
                    name, born, phone, email, consent_date, notice = query(
                        "SELECT name, born, phone, email, consent_date, consent_notice_version FROM clients "
                        "WHERE id = ?",
                        (HEAVY_ID,),
                    ).fetchone()
                    client = {"id": HEAVY_ID, "name": name, "born": born, "phone": phone, "email": email}
                    document = {
                        "format": "backmap-client",
                        "version": 1,
                        "client": {**client, "consent": {"date": consent_date, "notice_version": notice}},
                        "intakes": [],  # the heavy client has none
                        "sessions": sessions,
                    }
                    (out / f"bare-{next(names)}.json").write_text(json.dumps(document, ensure_ascii=False))

                def export() -> None:
                    repository.export_client(HEAVY_ID, out / f"{next(names)}.json")

                real_ms, bare_ms = alternate(export, bare_export, runs)
                bare_connection.close()
                report("export the heavy client", real_ms, bare_ms, "the same document by json, compact", "<= 2x")
            if "backup" in stages:
                source = sqlite3.connect(db)

                def bare_backup() -> None:
                    target = sqlite3.connect(out / f"bare-{next(names)}.sqlite3")
                    source.backup(target)
                    target.close()

                def first_backup() -> None:
                    """As from the command line, or the desktop before its start's check is done: every page."""
                    with SqliteStore.open(data_dir) as fresh:
                        assert fresh.local_folder is not None
                        fresh.local_folder.backup(out / f"{next(names)}.sqlite3")

                def backup() -> None:
                    """As the desktop's menu: on a store of the duty's own, after the start's check."""
                    with repository.opener()() as duty:
                        assert duty.local_folder is not None
                        duty.local_folder.backup(out / f"{next(names)}.sqlite3")

                real_ms, bare_ms = alternate(first_backup, bare_backup, max(3, runs // 2))
                report("backup before any check (open + every page)", real_ms, bare_ms, "Connection.backup")
                repository.local_folder.check_integrity()  # the desktop's background check at every start
                real_ms, bare_ms = alternate(backup, bare_backup, max(3, runs // 2))
                source.close()
                report(
                    "backup of the practice (after the start's check)", real_ms, bare_ms, "Connection.backup", "<= 1.3x"
                )


# ---- in the window -----------------------------------------------------------------------------------------
def measure_window(data_dir: Path, runs: int, stages: set[str]) -> None:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSettings, Qt
    from PySide6.QtGui import QBrush, QColor
    from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QTableView

    from app.ui.application import create_application, create_main_window
    from app.ui.settings import AppSettings

    app = create_application([])

    def settle() -> None:
        for _ in range(3):
            app.processEvents()

    settings = AppSettings(QSettings(str(data_dir / "bench-settings.ini"), QSettings.Format.IniFormat))
    window = create_main_window(data_dir, demo=False, settings=settings)
    window.resize(1360, 860)
    window.show()
    workspace = window.workspace
    workspace.warm_up()
    settle()
    bare_db = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    bare_db.execute("PRAGMA synchronous = FULL")

    if "open" in stages:
        workspace.decisions.open_client(SMALL_ID)
        settle()

        def open_heavy() -> None:
            workspace.decisions.open_client(HEAVY_ID)
            settle()

        def open_small() -> None:
            workspace.decisions.open_client(SMALL_ID)
            settle()

        heavy_ms, small_ms = alternate(open_heavy, open_small, runs)
        report("open the heavy client (Consult painted)", heavy_ms, small_ms, "a 2-session client", "<= 1.3x")

    if "history" in stages or "trends" in stages:

        class BareTimeline(QAbstractTableModel):
            def __init__(self, rows: list[tuple[object, ...]]) -> None:
                super().__init__()
                self.rows = rows

            def rowCount(self, parent: object = QModelIndex()) -> int:
                return len(self.rows)

            def columnCount(self, parent: object = QModelIndex()) -> int:
                return 6

            def data(
                self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
            ) -> object:
                if role != Qt.ItemDataRole.DisplayRole:
                    return None
                return str(self.rows[index.row()][index.column()])

        bare_table = QTableView()
        bare_table.resize(1000, 700)
        bare_table.show()

        def bare_history() -> None:
            rows = bare_db.execute(
                "SELECT start, (SELECT count(*) FROM marks WHERE session_id = id), pain_before, pain_after, "
                "shared_note, finalised FROM sessions WHERE client_id = ? ORDER BY start_utc DESC",
                (HEAVY_ID,),
            ).fetchall()
            bare_table.setModel(BareTimeline(rows))
            settle()

        workspace.decisions.open_client(HEAVY_ID)
        workspace.mode_bar.setCurrentIndex(2)  # builds the page (pyqtgraph loads): not what is timed
        settle()

        def history() -> float:
            workspace.mode_bar.setCurrentIndex(0)
            settle()
            began = time.perf_counter()
            workspace.mode_bar.setCurrentIndex(2)
            settle()
            return (time.perf_counter() - began) * 1000

        newest = workspace.repository.session_lines(HEAVY_ID)[0].session_id
        notes = (f"changed elsewhere {i}" for i in range(1_000_000))

        def history_changed() -> float:
            """History after another window wrote to the newest session: its line read again, and it reopened."""
            workspace.mode_bar.setCurrentIndex(0)
            settle()
            bare_db.execute(  # as a writer does, with the version raised
                "UPDATE sessions SET shared_note = ?, version = version + 1 WHERE id = ?", (next(notes), newest)
            )
            began = time.perf_counter()
            workspace.mode_bar.setCurrentIndex(2)
            settle()
            return (time.perf_counter() - began) * 1000

        if "history" in stages:
            real_ms, bare_ms = alternate(history, bare_history, runs)
            report("open History on the heavy client", real_ms, bare_ms, "QTableView of the same rows", "<= 2x")
            real_ms, bare_ms = alternate(history_changed, bare_history, runs)
            report("open History, changed elsewhere since", real_ms, bare_ms, "QTableView of the same rows", "<= 2x")
        if "trends" in stages:
            import pyqtgraph as pg

            page = workspace.history_page()
            page.tabs.setCurrentWidget(page.trends)
            settle()
            regions = iter(MASSAGED * 100)
            plot = pg.PlotWidget()
            plot.resize(800, 400)
            plot.show()

            def bare_trend() -> None:
                """Both layers' points, as Trends draws a line for the client's rating and one for the therapist's."""
                region = next(regions)
                points = bare_db.execute(
                    "SELECT m.by, m.tension FROM marks m JOIN sessions s ON s.id = m.session_id "
                    "WHERE s.client_id = ? AND m.region = ? ORDER BY s.start_utc",
                    (HEAVY_ID, region),
                ).fetchall()
                plot.clear()
                for layer, symbol in (("client", "o"), ("therapist", "s")):
                    tensions = [tension for by, tension in points if by == layer]
                    plot.plot(list(range(len(tensions))), tensions, symbol=symbol)
                settle()

            def trend() -> None:
                page.trends.choose_region(next(regions))
                settle()

            real_ms, bare_ms = alternate(trend, bare_trend, runs * 2)
            report(
                "Trends: choose a region (heavy client)", real_ms, bare_ms, "its points from sqlite3, plotted", "<= 2x"
            )
        workspace.mode_bar.setCurrentIndex(0)
        settle()

    if "edits" in stages:
        repository = workspace.repository
        session = repository.start_session(SMALL_ID)
        for stroke in _strokes(random.Random(30), 30):
            repository.add_stroke(session.id, stroke)
        workspace.decisions.open_client(SMALL_ID)
        settle()
        controller = workspace.controller
        controller.select_region("trapezius_upper_l")
        settle()
        texts = (f"stiff, day {i}" for i in range(10_000))
        bare_texts = (f"stiff, bare {i}" for i in range(10_000))

        def note() -> None:
            controller.set_field("soap.subjective", next(texts))
            settle()

        def bare_note() -> None:
            bare_db.execute("BEGIN IMMEDIATE")
            bare_db.execute("UPDATE sessions SET soap_objective = ? WHERE id = ?", (next(bare_texts), session.id))
            bare_db.execute("COMMIT")

        real_ms, bare_ms = alternate(note, bare_note, runs * 3)
        report("save a SOAP note (30 brush strokes)", real_ms, bare_ms, "UPDATE + COMMIT", "<= 3x")

        scene = QGraphicsScene()
        rect = QGraphicsRectItem(QRectF(0, 0, 200, 200))
        scene.addItem(rect)
        bare_view = QGraphicsView(scene)
        bare_view.show()
        tensions = iter(list(range(1, 11)) * 100)
        bare_tensions = iter(list(range(1, 11)) * 100)

        def tension_key() -> None:
            controller.set_tension(next(tensions))
            settle()

        def bare_key() -> None:
            value = next(bare_tensions)
            bare_db.execute("BEGIN IMMEDIATE")
            bare_db.execute(
                "INSERT OR REPLACE INTO marks (session_id, region, by, tension, note) VALUES (?, ?, ?, ?, '')",
                (session.id, "neck_r", "client", value),
            )
            bare_db.execute("COMMIT")
            rect.setBrush(QBrush(QColor.fromHsv(value * 30, 200, 200)))
            settle()

        real_ms, bare_ms = alternate(tension_key, bare_key, runs * 3)
        report("tension key -> saved and repainted (30 strokes)", real_ms, bare_ms, "write + repaint", "<= 3x")

    if "plan" in stages:
        from PySide6.QtWidgets import QTextBrowser

        repository = workspace.repository
        session = repository.start_session(SMALL_ID)
        for region in MASSAGED:
            repository.set_mark(session.id, region, "therapist", 5)
        workspace.decisions.open_client(SMALL_ID)
        workspace.mode_bar.setCurrentIndex(1)
        settle()
        from PySide6.QtWidgets import QLabel

        html = "<br>".join(label.text() for label in workspace.plan_page().view.findChildren(QLabel))
        plain = QTextBrowser()
        plain.resize(1000, 700)
        plain.show()

        def plan_mode() -> float:
            workspace.mode_bar.setCurrentIndex(0)
            settle()
            began = time.perf_counter()
            workspace.mode_bar.setCurrentIndex(1)
            settle()
            return (time.perf_counter() - began) * 1000

        def bare_plan() -> None:
            plain.setHtml(html)
            settle()

        real_ms, bare_ms = alternate(plan_mode, bare_plan, runs)
        report("Plan mode shown, every region marked", real_ms, bare_ms, "same rich text in a plain view", "<= 2x")
        workspace.mode_bar.setCurrentIndex(0)

    bare_db.close()
    window.close()
    QApplication.processEvents()


# ---- encrypted at rest (issue 18): the same practice encrypted, against the plain one ---------------------
def measure_encryption(data_dir: Path, runs: int) -> None:
    """Open, save, History and backup on an SQLCipher copy of the practice against a plain copy.

    Storage alone (the window's Qt work is the same for both): each pair alternates, so the ratio is the cost of
    encryption. The encrypted copy is made by `encrypt_records`, as a therapist's first start of this version
    makes it; the plain one by VACUUM INTO, compacted alike (a tidier file favours neither), and the practice
    itself is left as it was for the next run.
    """
    import dataclasses
    import shutil

    from app.storage.encryption import encrypt_records
    from app.storage.keys import DatabaseKey

    with tempfile.TemporaryDirectory() as work:
        plain_dir, encrypted_dir = Path(work) / "plain", Path(work) / "encrypted"
        for folder in (plain_dir, encrypted_dir):
            folder.mkdir()
        with SqliteStore.open(data_dir) as repository:
            repository._connection.execute("VACUUM INTO ?", (str(plain_dir / DB_FILENAME),))
        shutil.copyfile(plain_dir / DB_FILENAME, encrypted_dir / DB_FILENAME)
        began = time.perf_counter()
        key = encrypt_records(encrypted_dir, "a benchmark passphrase").key
        print(f"{'encrypted copy made (sqlcipher_export)':<44} {(time.perf_counter() - began) * 1000:9.1f} ms")
        out = Path(work) / "backups"
        out.mkdir()
        names = (f"{i}" for i in range(1_000_000))
        rng = random.Random(18)
        plans = _plan_pool(rng)[:4]
        fresh = (
            dataclasses.replace(_session(rng, number, DAYS - 1, 12, 3, plans), finalised=None)
            for number in range(9_000_000, 10_000_000)
        )

        def opened(folder: Path, folder_key: DatabaseKey | None) -> Callable[[], None]:
            return lambda: SqliteStore.open(folder, key=folder_key).close()

        # An open takes about a millisecond: many pairs, or one slow spell decides the ratio.
        real_ms, bare_ms = alternate(opened(encrypted_dir, key), opened(plain_dir, None), max(runs, 201))
        report("open the records, encrypted", real_ms, bare_ms, "the plain practice", "<= 1.3x")
        with SqliteStore.open(plain_dir) as plain, SqliteStore.open(encrypted_dir, key=key) as encrypted:

            def history_of(repository: SqliteStore) -> Callable[[], None]:
                def load() -> None:
                    repository.history(HEAVY_ID)

                return load

            real_ms, bare_ms = alternate(history_of(encrypted), history_of(plain), runs, collected=True)
            report("History of the heavy client, encrypted", real_ms, bare_ms, "the plain practice", "<= 1.3x")
            sessions = [next(fresh) for _ in range(max(runs, 21))]  # the same new sessions saved in each store

            def saving(repository: SqliteStore) -> Callable[[], None]:
                new = iter(sessions)

                def save() -> None:
                    repository.add_session(SMALL_ID, next(new))

                return save

            real_ms, bare_ms = alternate(saving(encrypted), saving(plain), len(sessions))
            report("save a session, encrypted", real_ms, bare_ms, "the plain practice", "<= 1.3x")

            def backing_up(
                repository: SqliteStore, folder_key: DatabaseKey | None, checked: bool
            ) -> Callable[[], None]:
                """As the desktop's menu: on a store of the duty's own, sharing the window's checks (`checked`: the
                start's); else as the command line, on a store opened anew, which checks every page of its copy."""

                def back_up() -> None:
                    folder = repository.local_folder.path
                    with repository.opener()() if checked else SqliteStore.open(folder, key=folder_key) as duty:
                        duty.local_folder.backup(out / f"{next(names)}.sqlite3")

                return back_up

            pairs = max(5, runs)
            real_ms, bare_ms = alternate(backing_up(encrypted, key, False), backing_up(plain, None, False), pairs)
            report("backup before any check, encrypted", real_ms, bare_ms, "the plain practice")
            for repository in (encrypted, plain):
                repository.local_folder.check_integrity()  # the desktop's background check at every start
            real_ms, bare_ms = alternate(backing_up(encrypted, key, True), backing_up(plain, None, True), pairs)
            report("backup of the practice, encrypted", real_ms, bare_ms, "the plain practice", "<= 1.3x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 2,000 clients and 1,000 sessions")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=",".join(STAGES), help=f"comma-separated, of: {', '.join(STAGES)}")
    parser.add_argument("--data-dir", type=Path, help="keep the practice here (built if it holds none)")
    parser.add_argument(
        "--encrypted", action="store_true", help="also open, save, History and backup on an encrypted copy"
    )
    args = parser.parse_args()
    stages = set(args.only.split(","))
    with _folder(args.data_dir) as data_dir:
        began = time.perf_counter()
        counts_file = data_dir / "practice.json"
        if counts_file.exists():
            counts = json.loads(counts_file.read_text())
        else:
            counts = build_practice(data_dir, args.scale)
            counts_file.write_text(json.dumps(counts))
            print(f"built in {time.perf_counter() - began:.1f} s: ", end="")
        print(
            f"{counts['clients']} clients, {counts['sessions']} sessions, the heavy client {counts['heavy']}; "
            f"medians of {args.runs} alternating runs",
            flush=True,
        )
        measure_files(data_dir, counts, args.runs, stages)
        if stages & {"start"}:
            measure_start(data_dir, args.runs)
        if stages & {"memory"}:
            measure_memory(data_dir, args.runs)
        if stages & {"open", "history", "trends", "edits", "plan"}:
            measure_window(data_dir, args.runs, stages)
        if args.encrypted:
            measure_encryption(data_dir, args.runs)


@contextmanager
def _folder(kept: Path | None) -> Iterator[Path]:
    """`kept` (made if missing), else a temporary folder removed afterwards."""
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory() as made:
        yield Path(made)


if __name__ == "__main__":
    main()
