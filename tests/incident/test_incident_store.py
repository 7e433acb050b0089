"""The event store: location, migrations, append-only events, durability and concurrency."""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from platformdirs import user_data_dir

from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.checks import check_incident
from qdplan_cli.record.events import created_event
from qdplan_cli.record.store import MIGRATIONS, Store, data_dir

from .conftest import venv_bin

NOW = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and file modes")


KILL_ROUNDS = 5


def new_incident(store: Store, at: datetime = NOW) -> str:
    return store.create_incident(at, [created_event(at, Project(name="测试项目"), at, "test")], at)


def incident_for_real_clock(store: Store) -> str:
    """An incident created no later than now: the ``qdplan log`` processes below record with
    the real clock, which must not read earlier than the record (``plan.clock``)."""
    from qdplan_cli.runtime import clock

    return new_incident(store, min(NOW, clock()))


def test_data_dir_follows_qdplan_home_or_the_platform(
    qdplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert data_dir() == qdplan_home
    monkeypatch.delenv("QDPLAN_HOME")
    assert data_dir() == Path(user_data_dir("qdplan", appauthor=False))


def test_migrations_are_numbered_recorded_and_run_once(qdplan_home: Path) -> None:
    with Store.open() as store:
        new_incident(store)
    with Store.open() as store:
        assert store.migrations() == [(n, name) for n, name, _ in MIGRATIONS]
        assert len(store.incident_ids()) == 1  # reopening kept the data


def test_journal_is_wal_and_sync_is_full(qdplan_home: Path) -> None:
    with Store.open() as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_events_are_append_only(qdplan_home: Path) -> None:
    with Store.open() as store:
        incident_id = new_incident(store)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.db.execute("UPDATE events SET text = 'rewritten'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.db.execute("DELETE FROM events")
        assert store.events(incident_id)[0].text.startswith("创建事件记录")


def test_ids_are_readable_and_sort_by_creation(qdplan_home: Path) -> None:
    with Store.open() as store:
        ids = [new_incident(store) for _ in range(3)]
        later = store.create_incident(NOW.replace(hour=10), [], NOW)
    assert ids == ["20261208-0915-1", "20261208-0915-2", "20261208-0915-3"]
    assert later == "20261208-1015-1"
    assert sorted([*ids, later]) == [*ids, later]


@posix_only
def test_database_files_are_owner_only_while_in_use(qdplan_home: Path) -> None:
    previous = os.umask(0o022)
    try:
        with Store.open() as store:
            new_incident(store)
            files = sorted(qdplan_home.iterdir())
            assert {f.name for f in files} >= {"qdplan.db", "qdplan.db-wal"}
            for path in files:
                assert path.stat().st_mode & 0o777 == 0o600, path.name
    finally:
        os.umask(previous)


def _logger(incident_id: str, tag: str, count: int) -> subprocess.Popen[bytes]:
    script = (
        f'for i in $(seq 1 {count}); do "{venv_bin("qdplan")}" log {incident_id} "{tag}-$i" '
        "|| exit 1; done"
    )
    return subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@posix_only
def test_two_concurrent_loggers_both_land_in_order(qdplan_home: Path) -> None:
    with Store.open() as store:
        incident_id = incident_for_real_clock(store)
    count = 12
    first, second = _logger(incident_id, "A", count), _logger(incident_id, "B", count)
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode("utf-8")
    with Store.open() as store:
        texts = [e.text for e in store.events(incident_id) if e.kind == "log"]
        seqs = [e.seq for e in store.events(incident_id)]
    assert sorted(texts) == sorted(
        [f"A-{i}" for i in range(1, count + 1)] + [f"B-{i}" for i in range(1, count + 1)]
    )
    for tag in ("A", "B"):
        mine = [t for t in texts if t.startswith(tag)]
        assert mine == [f"{tag}-{i}" for i in range(1, count + 1)]
    assert seqs == list(range(1, len(seqs) + 1))
    with Store.open() as store:  # two writers interleaved: the hash chain is still one chain
        assert check_incident(store, incident_id).ok


@posix_only
def test_sigkill_never_loses_an_acknowledged_event(qdplan_home: Path) -> None:
    """Kill a ``qdplan log`` loop with SIGKILL a few times; every line it printed is stored.
    The long soak (1,000 rounds) is ``bench/soak_kill.py``."""
    with Store.open() as store:
        incident_id = incident_for_real_clock(store)
    rng = random.Random(4)
    acknowledged: list[str] = []
    for round_ in range(KILL_ROUNDS):
        proc = subprocess.Popen(
            [
                "sh",
                "-c",
                f'i=0; while true; do i=$((i+1)); "{venv_bin("qdplan")}" log {incident_id} '
                f'"r{round_}-$i" || exit 1; done',
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches qdplan too
        )
        assert proc.stdout is not None
        # Let the loop get going (one line acknowledged), then kill it at a random moment of
        # a later run: starting up, inside the commit, or printing.
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "qdplan log printed nothing within a minute"
        time.sleep(rng.uniform(0.0, 0.8))
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        for line in out.decode("utf-8", errors="replace").splitlines():
            if line.startswith("已记录"):
                acknowledged.append(line.rsplit(" ", 1)[-1])
    with Store.open() as store:
        stored = {e.text for e in store.events(incident_id) if e.kind == "log"}
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(acknowledged) >= KILL_ROUNDS
    missing = [text for text in acknowledged if text not in stored]
    assert missing == []
    with Store.open() as store:  # no kill left a half-chained event behind
        assert check_incident(store, incident_id).ok


def test_a_damaged_database_is_a_clear_error_not_a_traceback(
    qdplan_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qdplan_cli.__main__ import main

    qdplan_home.mkdir(parents=True)
    (qdplan_home / "qdplan.db").write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(SystemExit) as exit_info:
        main(["list"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "事件数据库" in err and "QDPLAN_HOME" in err
    assert "Traceback" not in err
