"""Acknowledged writes are in ``qdplan.db`` itself (issue 24): a copy of that one file, a lost or
damaged ``-wal`` loses nothing; ``verify`` reports a WAL that held writes and is gone or damaged,
and a store-wide chain whose tables or counter were removed; ``backup`` copies a consistent
snapshot while another process writes."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.store import NewEvent, Store

from .conftest import Result

Run = Callable[..., Result]
NOW = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())


@pytest.fixture
def open_store(qdplan_home: Path) -> Iterator[Store]:
    """The wizard's store, left open (as during an incident) with 3 acknowledged lines."""
    store = Store.open(qdplan_home)
    incident_id = store.create_incident(NOW, [NewEvent("log", NOW, "第一条")], NOW)
    store.append(incident_id, NewEvent("log", NOW, "第二条"), NOW)
    store.append(incident_id, NewEvent("log", NOW, "第三条"), NOW)
    yield store
    store.close()


def events_in(folder: Path) -> int:
    db = sqlite3.connect(folder / "qdplan.db")
    try:
        return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:  # no such table: the file holds none of the data
        return 0
    finally:
        db.close()


def copy(home: Path, to: Path, *suffixes: str) -> Path:
    to.mkdir()
    for suffix in suffixes:
        source = home / f"qdplan.db{suffix}"
        if source.exists():
            shutil.copyfile(source, to / source.name)
    return to


def test_the_database_file_alone_holds_every_acknowledged_line(
    open_store: Store, qdplan_home: Path, tmp_path: Path
) -> None:
    alone = copy(qdplan_home, tmp_path / "alone", "")
    assert events_in(alone) == 3


def test_a_lost_wal_loses_no_acknowledged_line(
    open_store: Store, qdplan_home: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_wal = copy(qdplan_home, tmp_path / "nowal", "", "-shm")
    monkeypatch.setenv("QDPLAN_HOME", str(without_wal))
    result = run("verify")
    assert result.code == 0, result.out
    assert events_in(without_wal) == 3


@pytest.fixture
def wal_kept(qdplan_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """3 lines committed but left in the WAL (a checkpoint that a reader held up), the store
    still open: what a copy or a crash at that moment finds."""
    monkeypatch.setattr(Store, "checkpoint", lambda self: False, raising=False)
    store = Store.open(qdplan_home)
    store.db.execute("PRAGMA wal_autocheckpoint = 0")
    incident_id = store.create_incident(NOW, [NewEvent("log", NOW, "第一条")], NOW)
    store.append(incident_id, NewEvent("log", NOW, "第二条"), NOW)
    store.append(incident_id, NewEvent("log", NOW, "第三条"), NOW)
    assert (qdplan_home / "qdplan.db-wal").stat().st_size > 0
    yield qdplan_home
    monkeypatch.undo()
    store.db.close()


def test_verify_reports_a_missing_wal_that_held_writes(
    wal_kept: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_wal = copy(wal_kept, tmp_path / "nowal", "", "-shm")
    monkeypatch.setenv("QDPLAN_HOME", str(without_wal))
    result = run("verify")
    assert result.code == 1, result.out
    assert "预写日志 qdplan.db-wal 不见了" in result.out


def test_verify_reports_a_damaged_wal(
    wal_kept: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = copy(wal_kept, tmp_path / "flipped", "", "-wal", "-shm")
    wal = damaged / "qdplan.db-wal"
    data = bytearray(wal.read_bytes())
    data[32 + 24 + 100] ^= 0x10  # one bit of the first frame's page
    wal.write_bytes(bytes(data))
    monkeypatch.setenv("QDPLAN_HOME", str(damaged))
    result = run("verify")
    assert result.code == 1, result.out
    assert "预写日志 qdplan.db-wal 第 1 页已损坏" in result.out


def test_an_intact_wal_after_a_crash_is_not_reported(
    wal_kept: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed = copy(wal_kept, tmp_path / "crashed", "", "-wal", "-shm")
    monkeypatch.setenv("QDPLAN_HOME", str(crashed))
    result = run("verify")
    assert result.code == 0, result.out
    assert events_in(crashed) == 3


def tamper(home: Path, *sql: str) -> None:
    db = sqlite3.connect(home / "qdplan.db")
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()


def test_a_deleted_counter_row_is_reported(open_store: Store, qdplan_home: Path, run: Run) -> None:
    open_store.close()
    tamper(qdplan_home, "DELETE FROM sqlite_sequence WHERE name = 'ledger'")
    result = run("verify")
    assert result.code == 1, result.out
    assert "写入计数" in result.out


def test_a_dropped_ledger_is_reported(open_store: Store, qdplan_home: Path, run: Run) -> None:
    open_store.close()
    tamper(qdplan_home, "DROP TABLE ledger")
    result = run("verify")
    assert result.code == 1, result.out + result.err
    assert "数据库总链（表 ledger）被删除" in result.out


def test_backup_copies_a_consistent_snapshot_while_the_wizard_is_open(
    open_store: Store, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "backup.db"
    result = run("backup", "--out", str(target))
    assert result.code == 0, result.err
    assert "1 个事件、3 条记录" in result.err + result.out
    assert not target.with_name("backup.db-wal").exists()
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    restored = tmp_path / "restored"
    restored.mkdir()
    target.rename(restored / "qdplan.db")
    monkeypatch.setenv("QDPLAN_HOME", str(restored))
    assert run("verify").code == 0
    assert events_in(restored) == 3


def test_backup_never_overwrites_and_names_a_missing_path(
    open_store: Store, tmp_path: Path, run: Run
) -> None:
    target = tmp_path / "backup.db"
    target.write_text("mine", encoding="utf-8")
    result = run("backup", "--out", str(target))
    assert result.code == 2 and "已存在" in result.err
    assert target.read_text(encoding="utf-8") == "mine"
    assert run("backup", "--out", "--pdf").code == 2
    assert run("backup", "--out", str(tmp_path / "no" / "x.db")).code == 2
    into_folder = run("backup", "--out", str(tmp_path))
    assert into_folder.code == 0, into_folder.err
    assert list(tmp_path.glob("qdplan-backup-*.db"))
