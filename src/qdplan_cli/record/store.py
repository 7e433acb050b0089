"""The incident store: an append-only event log in SQLite (stdlib ``sqlite3``).

- The database lives in the user data directory (platformdirs), or in ``$QDPLAN_HOME``.
- The schema grows by numbered migrations recorded in the ``_migrations`` table.
- WAL journal, ``synchronous=FULL``, one ``BEGIN IMMEDIATE`` transaction per change: an event the
  caller has acknowledged on screen survives ``kill -9`` or a power cut, and two processes
  appending to the same incident both land, in order (the second waits for the first).
- Every committed write is checkpointed at once (``wal_checkpoint(TRUNCATE)``): ``qdplan.db``
  alone holds every acknowledged event even while the wizard or ``watch`` stays open, so a copy
  of that one file, a lost ``-wal`` or a damaged one loses nothing. Writes come at the witness's
  pace (a few a minute), so the extra sync per write costs nothing anyone waits for, and unlike
  a timed checkpoint it leaves no window. A checkpoint a reader holds up is retried at the next
  write and on close; until then the ``-wal`` is checked by ``journal_problems`` (``verify``).
- ``backup`` copies the database through SQLite's backup API: one consistent snapshot, while
  other processes keep writing.
- Events are never updated or deleted (triggers refuse it), and every event carries a hash
  chained to the one before it (see ``event_hash``; ``chain.verify`` checks it). The current
  state of an incident is a fold over its events (``incident.fold``).
- The database holds expert and bidder names: it is created readable by the owner only (0600).
- A file that is not a qdplan database (another program's, damaged, or from a newer qdplan) is
  refused before anything is written to it; a write the disk refuses (full, read-only) is rolled
  back whole and reported as ``StorageError`` (exit code 4).
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import sqlite3
import stat
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qdplan_cli.plan.errors import StorageError, UserError
from qdplan_cli.record.chain import (
    canonical_content,
    event_hash,
    genesis_hash,
    ledger_genesis,
    ledger_hash,
)

# An event's ``data`` as its JSON text decodes: the one JSON edge of the store (the typed
# payloads are ``record.events``).
JsonObject = dict[str, Any]

DB_NAME = "qdplan.db"
BUSY_TIMEOUT_S = 30.0
CHECKPOINT_WAIT_MS = 2000  # how long a checkpoint waits for a reader (``watch``) to step aside
SQLITE_MAGIC = b"SQLite format 3\x00"
MOVE_ASIDE = (
    "qdplan 没有改动这个文件。请把它移到别处（例如改名为 qdplan.db.bak）后重试，"
    "或用环境变量 QDPLAN_HOME 指定另一个数据目录"
)

# SQLite primary result codes (``sqlite3.Error.sqlite_errorcode & 0xFF``).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 3, 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26
_STORAGE_CODES = {_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN}
_CORRUPT_CODES = {_SQLITE_CORRUPT, _SQLITE_NOTADB}
_STORAGE_REASONS = {
    _SQLITE_PERM: "没有写入权限",
    _SQLITE_READONLY: "数据库文件或数据目录只读",
    _SQLITE_IOERR: "磁盘读写出错",
    _SQLITE_FULL: "磁盘已满",
    _SQLITE_CANTOPEN: "无法打开或建立数据库的附属文件：数据目录只读或没有权限",
}


def data_dir() -> Path:
    """``$QDPLAN_HOME`` if set, else the platform's user data directory for qdplan."""
    env = os.environ.get("QDPLAN_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("qdplan", appauthor=False))


def owner_only(path: Path) -> None:
    """Take every permission of group and others away from ``path`` (a no-op where chmod
    cannot). Only takes away: a file its owner made read-only stays read-only."""
    with contextlib.suppress(OSError, NotImplementedError):
        status = path.stat()
        current = stat.S_IMODE(status.st_mode)
        if current & 0o077:
            path.chmod(current & (0o700 if stat.S_ISDIR(status.st_mode) else 0o600))


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist yet, and force 0600 on it."""
    flags = os.O_CREAT | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    os.close(fd)
    owner_only(path)


def _migration_1(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE events (
            incident_id TEXT NOT NULL REFERENCES incidents(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (incident_id, seq)
        )
        """
    )
    # Append-only: a later version chains the events by hash, so history is never rewritten.
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


_NO_UPDATE = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
)


def _migration_2(db: sqlite3.Connection) -> None:
    """Hash-chain the events; existing events are chained as they stand (in ``seq`` order)."""
    db.execute("ALTER TABLE events ADD COLUMN prev TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE incidents ADD COLUMN chain_head TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE incidents ADD COLUMN chain_length INTEGER NOT NULL DEFAULT 0")
    # Filling the new columns is the one update events ever get: lift the trigger for it, in
    # this same transaction, and put it back before committing.
    db.execute("DROP TRIGGER events_no_update")
    incidents = db.execute("SELECT id, created_at FROM incidents ORDER BY rowid").fetchall()
    for incident_id, created_at in incidents:
        prev = genesis_hash(incident_id, created_at)
        rows = db.execute(
            "SELECT seq, at, recorded_at, kind, text, data FROM events "
            "WHERE incident_id = ? ORDER BY seq",
            (incident_id,),
        ).fetchall()
        for seq, at, recorded_at, kind, text, data in rows:
            try:
                decoded = json.loads(data)
            except ValueError:
                raise sqlite3.DatabaseError(
                    f"事件 {incident_id} 第 {seq} 条记录的数据无法解读，无法为它建立校验链"
                ) from None
            content = canonical_content(incident_id, seq, at, recorded_at, kind, text, decoded)
            digest = event_hash(prev, content)
            db.execute(
                "UPDATE events SET prev = ?, hash = ? WHERE incident_id = ? AND seq = ?",
                (prev, digest, incident_id, seq),
            )
            prev = digest
        db.execute(
            "UPDATE incidents SET chain_head = ?, chain_length = ? WHERE id = ?",
            (prev if rows else "", len(rows), incident_id),
        )
    db.execute(_NO_UPDATE)
    # An incident's identity is part of its chain: it is never renamed or deleted either.
    db.execute(
        "CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents "
        "BEGIN SELECT RAISE(ABORT, 'incidents are never deleted'); END"
    )
    db.execute(
        "CREATE TRIGGER incidents_fixed_identity BEFORE UPDATE OF id, created_at ON incidents "
        "BEGIN SELECT RAISE(ABORT, 'incident identity is fixed'); END"
    )


def _migration_3(db: sqlite3.Connection) -> None:
    """The store-wide chain (``ledger``): one entry per incident created and per event, in the
    order they were stored, chained by hash across incidents; ``store_chain`` holds its head
    and length. Removing a whole incident, or the last events of one, leaves a gap or a dangling
    entry here; existing incidents and events are entered as they stand."""
    db.execute(
        """
        CREATE TABLE ledger (
            n INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            item TEXT NOT NULL,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE TABLE store_chain (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "head TEXT NOT NULL, length INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO store_chain (id, head, length) VALUES (1, ?, 0)", (ledger_genesis(),))
    for incident_id, created_at in db.execute(
        "SELECT id, created_at FROM incidents ORDER BY rowid"
    ).fetchall():
        _ledger_add(db, incident_id, 0, genesis_hash(incident_id, created_at))
    for incident_id, seq, digest in db.execute(
        "SELECT incident_id, seq, hash FROM events ORDER BY rowid"
    ).fetchall():
        _ledger_add(db, incident_id, seq, digest)
    db.execute(
        "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger "
        "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger "
        "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
    )


def _ledger_add(db: sqlite3.Connection, incident_id: str, seq: int, item: str) -> None:
    """Append one entry to the store-wide chain (inside the caller's transaction)."""
    prev, length = db.execute("SELECT head, length FROM store_chain WHERE id = 1").fetchone()
    n = int(length) + 1
    digest = ledger_hash(str(prev), n, incident_id, seq, item)
    db.execute(
        "INSERT INTO ledger (n, incident_id, seq, item, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
        (n, incident_id, seq, item, prev, digest),
    )
    db.execute("UPDATE store_chain SET head = ?, length = ? WHERE id = 1", (digest, n))


# Numbered migrations; each runs once, in its own transaction, and is recorded in _migrations.
MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "incidents_and_events", _migration_1),
    (2, "event_hash_chain", _migration_2),
    (3, "store_ledger", _migration_3),
)


@dataclass(frozen=True)
class EventRow:
    """One stored event, as written. ``data`` is the decoded JSON object."""

    incident_id: str
    seq: int
    at: str
    recorded_at: str
    kind: str
    text: str
    data: JsonObject
    prev: str = ""
    hash: str = ""
    damaged: str = ""  # why the stored data could not be decoded (then ``data`` is empty)


@dataclass(frozen=True)
class NewEvent:
    """An event to append. ``at`` is when it happened; the store adds when it was recorded."""

    kind: str
    at: datetime
    text: str = ""
    data: JsonObject | None = None


def _primary_code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def storage_error(path: Path, exc: BaseException) -> UserError:
    """The user-facing error for an SQLite or OS failure on the database at ``path``."""
    if isinstance(exc, UnicodeDecodeError):
        # SQLite's own message quoted bytes of a damaged schema that are not UTF-8.
        return UserError(
            f"事件数据库 {path} 已损坏，无法读取（数据库结构中有无法解读的字节）。{MOVE_ASIDE}；"
            "损坏的文件请保留备份，交维护人员恢复",
            field="QDPLAN_HOME",
        )
    if isinstance(exc, sqlite3.Error):
        code = _primary_code(exc)
        if code in _CORRUPT_CODES:
            return UserError(
                f"事件数据库 {path} 已损坏，无法读取（{exc}）。{MOVE_ASIDE}；"
                "损坏的文件请保留备份，交维护人员恢复",
                field="QDPLAN_HOME",
            )
        if code == 5 or "locked" in str(exc):  # SQLITE_BUSY after the busy timeout
            return StorageError(
                f"事件数据库 {path} 正被另一个 qdplan 占用，等待 {BUSY_TIMEOUT_S:.0f} 秒后仍未释放；"
                "本次记录未保存，请稍后重试",
                field="QDPLAN_HOME",
            )
        if code not in _STORAGE_CODES:
            return UserError(
                f"事件数据库 {path} 无法使用（{exc}）。{MOVE_ASIDE}", field="QDPLAN_HOME"
            )
        reason = f"{_STORAGE_REASONS[code]}（{exc}）"
    else:
        reason = (
            f"无法建立或写入文件（{getattr(exc, 'strerror', None) or exc}）：数据目录只读或无权限"
        )
    return StorageError(
        f"无法写入事件数据库 {path}：{reason}。本次操作没有保存任何内容，已保存的记录不受影响。"
        "请腾出磁盘空间或检查数据目录的权限后重试，或用环境变量 QDPLAN_HOME 改用其他目录",
        field="QDPLAN_HOME",
    )


def _check_header(path: Path) -> bool:
    """Whether ``path`` exists; a non-empty file must at least start like an SQLite database.

    An empty file is taken as a new database (a crash between creating the file and the
    first write leaves one; SQLite itself treats it so)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise UserError(f"无法读取事件数据库 {path}：{exc.strerror}", field="QDPLAN_HOME") from None
    if head and head != SQLITE_MAGIC:
        raise UserError(
            f"{path} 不是 qdplan 的事件数据库（不是 SQLite 数据库文件）。{MOVE_ASIDE}",
            field="QDPLAN_HOME",
        )
    return True


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse another program's database and one written by a newer qdplan — before any write."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return  # a new, empty database
    applied: dict[int, str] = {}
    if "_migrations" in tables:
        applied = {
            int(n): str(name) for n, name in db.execute("SELECT number, name FROM _migrations")
        }
    ours = "_migrations" in tables and (
        applied.get(1) == MIGRATIONS[0][1] if applied else tables == {"_migrations"}
    )
    if not ours:
        shown = "、".join(sorted(tables)[:6]) + ("等" if len(tables) > 6 else "")
        raise UserError(
            f"{path} 不是 qdplan 的事件数据库（是其他程序的 SQLite 数据库，含数据表 {shown}）。"
            f"{MOVE_ASIDE}",
            field="QDPLAN_HOME",
        )
    known = MIGRATIONS[-1][0]
    newest = max(applied, default=0)
    if newest > known:
        raise UserError(
            f"事件数据库 {path} 由更新版本的 qdplan 建立（数据库结构第 {newest} 版，"
            f"本版本只认识到第 {known} 版）。qdplan 没有改动它；请升级 qdplan 后再用，"
            "或用环境变量 QDPLAN_HOME 指定另一个数据目录",
            field="QDPLAN_HOME",
        )


# ----------------------------------------------------------------- the WAL, read as bytes
#
# SQLite ignores, without a word, a WAL frame whose checksum fails and every frame after it, and
# a WAL file that is gone. Both lose committed writes if they were not yet checkpointed. Before
# SQLite opens the database (and rebuilds its index from what it can read), the WAL and its
# index (``-shm``) are read here as the file format defines them
# (https://www.sqlite.org/fileformat2.html#walformat).

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _wal_checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = memoryview(data).cast("I")
    if big_endian != (sys.byteorder == "big"):
        swapped = array.array("I", data)
        swapped.byteswap()
        words = memoryview(swapped)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _wal_index(shm: Path) -> tuple[int, int, tuple[int, int]] | None:
    """``(frames, page size, salts)`` of the committed WAL as the index last knew it, or None
    when there is no usable index (no file, not initialised, or torn)."""
    try:
        with shm.open("rb") as handle:
            head = handle.read(96)
    except OSError:
        return None
    if len(head) < 96 or head[:48] != head[48:96]:
        return None
    _version, _unused, _change, is_init, _big, page, frames, _pages = struct.unpack(
        "=3IBBHII", head[:24]
    )
    salts = struct.unpack("=2I", head[32:40])
    if not is_init:
        return None
    return frames, (65536 if page == 1 else page), (salts[0], salts[1])


def journal_problems(path: Path) -> list[str]:
    """What is wrong with the database's WAL, read before SQLite opens it: a WAL that the index
    says held committed writes but is gone or cut short, or one with a damaged frame before
    later ones (its committed writes are ignored from there on). Empty when all is well (no
    WAL, an emptied one, or a crash's unfinished last write)."""
    wal = path.with_name(path.name + "-wal")
    index = _wal_index(path.with_name(path.name + "-shm"))
    try:
        data = wal.read_bytes() if wal.exists() else None
    except OSError as exc:
        return [f"无法读取预写日志 {wal.name}（{exc.strerror}）"]
    if data is None or len(data) < _WAL_HEADER:
        if index is not None and index[0] > 0:
            state = "不见了" if data is None else "被截短"
            return [
                f"预写日志 {wal.name} {state}：其中已确认的 {index[0]} 页数据尚未写回数据库文件，"
                "最近的记录可能已丢失"
            ]
        return []
    magic, _version, page, _ckpt, salt1, salt2, c0, c1 = struct.unpack(">8I", data[:_WAL_HEADER])
    if magic not in _WAL_MAGIC or page < 512 or page & (page - 1):
        return [f"预写日志 {wal.name} 的文件头已损坏：其中的记录无法读出，可能已丢失"]
    big = magic == _WAL_MAGIC[1]
    s = _wal_checksum(data[:24], big, 0, 0)
    if s != (c0, c1):
        return [f"预写日志 {wal.name} 的文件头已损坏：其中的记录无法读出，可能已丢失"]
    size = _FRAME_HEADER + page
    frames = (len(data) - _WAL_HEADER) // size
    good = 0
    for i in range(frames):
        start = _WAL_HEADER + i * size
        header = data[start : start + _FRAME_HEADER]
        _pgno, commit, f1, f2, k0, k1 = struct.unpack(">6I", header)
        if (f1, f2) != (salt1, salt2):
            break  # a frame left from before the last reset: not part of this WAL
        s = _wal_checksum(header[:8] + data[start + _FRAME_HEADER : start + size], big, *s)
        if s != (k0, k1):
            later = any(
                data[_WAL_HEADER + j * size + 8 : _WAL_HEADER + j * size + 16]
                == struct.pack(">2I", salt1, salt2)
                for j in range(i + 1, frames)
            )
            if later or commit:
                return [
                    f"预写日志 {wal.name} 第 {i + 1} 页已损坏：SQLite 会忽略它及其后的 "
                    f"{frames - i - 1} 页，其中已确认的记录丢失"
                ]
            break  # an unfinished last write (a crash): never acknowledged
        good = i + 1
    if index is not None and index[2] == (salt1, salt2) and index[0] > good:
        return [
            f"预写日志 {wal.name} 比它的索引记载的短 {index[0] - good} 页：最近的记录可能已丢失"
        ]
    return []


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _readable(value: str) -> bool:
    """Whether ``value`` came out of the database as valid UTF-8 (see ``_lenient_text``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: str) -> str:
    """Undecodable bytes of a stored text as U+FFFD, for showing."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _sealed(
    incident_id: str,
    seq: int,
    at: str,
    recorded_at: str,
    kind: str,
    text: str,
    data: dict[str, Any],
    row: Sequence[Any],
) -> bool:
    """Whether a stored event still matches its own hash (``row``'s ``prev`` and ``hash``)."""
    try:
        content = canonical_content(incident_id, seq, at, recorded_at, kind, text, data)
    except (TypeError, ValueError):
        return False
    return bool(event_hash(str(row[7]), content) == row[8])


class ClockBehindError(UserError):
    """The clock reads earlier than the last recorded event: nothing was written (exit 2)."""

    def __init__(self, problem: str, now: datetime, last_recorded: datetime) -> None:
        super().__init__(
            f"{problem}。本次没有记录。请先校正本机的日期和时间后重试；若本机时间确实无误，"
            "设置环境变量 QDPLAN_CLOCK_OK=1 后重试",
            field="时钟",
        )
        self.problem = problem
        self.now = now
        self.last_recorded = last_recorded


def no_such_incident(incident_id: str) -> UserError:
    """The one message for an incident id the store does not hold."""
    shown = incident_id if len(incident_id) <= 40 else incident_id[:40] + "…"
    return UserError(f"没有编号为 {shown!r} 的事件（用 qdplan list 查看）", field="ID")


class Store:
    """The incident database. Open with ``Store.open()``; close with ``close()`` or ``with``."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        # The WAL's state as found before SQLite opened it (``journal_problems``).
        self.journal_problems: list[str] = []
        # Writes check the clock against the record (``_check_clock``): the commands' stores
        # (``Runtime.open_store``); the user may confirm a clock that reads earlier.
        self.guard_clock = False
        self.accept_clock = False

    @classmethod
    def open(cls, directory: Path | None = None) -> Store:
        directory = directory or data_dir()
        path = directory / DB_NAME
        if directory.exists() and not directory.is_dir():
            raise UserError(
                f"数据目录 {directory} 不是目录（见环境变量 QDPLAN_HOME）", field="QDPLAN_HOME"
            )
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            owner_only(directory)  # an existing folder others could enter (0777) is tightened
            existed = _check_header(path)
            if not existed:
                create_private(path)
        except OSError as exc:
            raise storage_error(path, exc) from None
        journal = journal_problems(path) if existed else []
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise storage_error(path, exc) from None
        # Text that is not valid UTF-8 (a bad sector, a flipped bit) is read with the bad bytes
        # kept as surrogates instead of failing the whole query: the one row is reported and
        # skipped (``events``), the chain check finds it, every other row reads.
        db.text_factory = _lenient_text
        store = cls(db, path)
        store.journal_problems = journal
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if existed:
                _check_schema(db, path)  # reads only: a foreign file is never written to
                owner_only(path)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except BaseException as exc:
            db.close()
            if isinstance(exc, sqlite3.Error | UnicodeDecodeError):
                raise storage_error(path, exc) from None
            raise
        # The -wal and -shm files take the database's mode; make sure of it where they exist.
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                owner_only(side)
        return store

    def close(self) -> None:
        self.checkpoint()
        self.db.close()

    def checkpoint(self) -> bool:
        """Copy every committed write from the WAL into ``qdplan.db`` and empty the WAL; waits
        up to ``CHECKPOINT_WAIT_MS`` for a reader. Whether it finished: when it did not (a
        reader held it up, or the file is read-only), the writes are safe in the WAL and the next
        write or ``close`` tries again."""
        try:
            self.db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
            try:
                row = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error:
            return False
        return row is not None and row[0] == 0

    def backup(self, target: Path) -> tuple[int, int]:
        """Copy the whole database to ``target`` (a new file, created 0600) through SQLite's
        backup API: one consistent snapshot even while another process writes. The copy is a
        single self-contained file (no WAL). Returns its ``(incidents, events)``."""
        try:
            create_private(target)
            copy = sqlite3.connect(target, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise storage_error(target, exc) from None
        try:
            with self.errors():
                self.db.backup(copy)
            try:
                copy.execute("PRAGMA journal_mode = DELETE")
                check = copy.execute("PRAGMA quick_check").fetchone()
                counts = copy.execute(
                    "SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(*) FROM events)"
                ).fetchone()
            except sqlite3.Error as exc:
                raise storage_error(target, exc) from None
            if check is None or check[0] != "ok":
                raise StorageError(f"备份文件 {target} 写入后检查未通过：{check}", field="--out")
            return int(counts[0]), int(counts[1])
        finally:
            copy.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """SQLite failures as the user-facing errors of ``storage_error``."""
        try:
            yield
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise storage_error(self.path, exc) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``BEGIN IMMEDIATE`` takes the write lock up front, so a
        concurrent writer waits (busy timeout) instead of failing. All or nothing: a failure
        anywhere, the final ``COMMIT`` included (a full disk), rolls the whole of it back."""
        with self.errors():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
                raise
        self.checkpoint()  # qdplan.db alone now holds what was just acknowledged

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that see one and the same state of the database (a read transaction:
        a concurrent ``log`` lands before or after all of them, never between two)."""
        with self.errors():
            self.db.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")

    def _migrate(self) -> None:
        has_table = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
        ).fetchone()
        if has_table:
            applied = {row[0] for row in self.db.execute("SELECT number FROM _migrations")}
            if applied >= {number for number, _, _ in MIGRATIONS}:
                return  # nothing to do: no write, so a read-only file can still be read
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        done = {row[0] for row in self.db.execute("SELECT number FROM _migrations")}
        for number, name, migrate in MIGRATIONS:
            if number in done:
                continue
            with self.transaction() as db:
                # Another process may have run it while we waited for the lock.
                if db.execute("SELECT 1 FROM _migrations WHERE number = ?", (number,)).fetchone():
                    continue
                migrate(db)
                db.execute(
                    "INSERT INTO _migrations (number, name, applied_at) "
                    "VALUES (?, ?, datetime('now'))",
                    (number, name),
                )

    def migrations(self) -> list[tuple[int, str]]:
        return [
            (row[0], row[1])
            for row in self.db.execute("SELECT number, name FROM _migrations ORDER BY number")
        ]

    # ----------------------------------------------------------------- incidents

    def create_incident(
        self, created_at: datetime, events: Sequence[NewEvent], recorded_at: datetime
    ) -> str:
        """Create an incident and its first events in one transaction; return its id.

        Ids read ``YYYYMMDD-HHMM-N``: the creation minute (Asia/Shanghai) and a counter within
        that minute, so they are short, readable and sort by creation time.
        """
        prefix = created_at.strftime("%Y%m%d-%H%M-")
        with self.transaction() as db:
            self._check_clock(db, recorded_at)
            taken = db.execute(
                "SELECT COUNT(*) FROM incidents WHERE id LIKE ?", (prefix + "%",)
            ).fetchone()[0]
            incident_id = f"{prefix}{taken + 1}"
            db.execute(
                "INSERT INTO incidents (id, created_at) VALUES (?, ?)",
                (incident_id, created_at.isoformat()),
            )
            _ledger_add(db, incident_id, 0, genesis_hash(incident_id, created_at.isoformat()))
            for event in events:
                self._insert(db, incident_id, event, recorded_at)
        return incident_id

    def append(self, incident_id: str, event: NewEvent, recorded_at: datetime) -> EventRow:
        """Append one event in its own transaction; when this returns, it is on disk."""
        with self.transaction() as db:
            return self._insert(db, incident_id, event, recorded_at)

    def append_many(
        self, incident_id: str, events: Sequence[NewEvent], recorded_at: datetime
    ) -> list[EventRow]:
        with self.transaction() as db:
            return [self._insert(db, incident_id, e, recorded_at) for e in events]

    def _check_clock(self, db: sqlite3.Connection, now: datetime) -> None:
        """Refuse a write whose clock is behind the last recorded event (``plan.clock``),
        unless the user confirmed the clock (``accept_clock``, the wizard asks) or set
        ``QDPLAN_CLOCK_OK=1``."""
        if not self.guard_clock or self.accept_clock or os.environ.get("QDPLAN_CLOCK_OK") == "1":
            return
        from qdplan_cli.plan.clock import clock_behind

        row = db.execute("SELECT recorded_at FROM events ORDER BY rowid DESC LIMIT 1").fetchone()
        if row is None:
            return
        try:
            last = datetime.fromisoformat(str(row[0]))
        except ValueError:
            return  # a damaged row: reported elsewhere, no clock to compare with
        problem = clock_behind(last, now)
        if problem is not None:
            raise ClockBehindError(problem.message, problem.now, problem.last_recorded)

    def _insert(
        self, db: sqlite3.Connection, incident_id: str, event: NewEvent, recorded_at: datetime
    ) -> EventRow:
        self._check_clock(db, recorded_at)
        last = db.execute(
            "SELECT seq, hash FROM events WHERE incident_id = ? ORDER BY seq DESC LIMIT 1",
            (incident_id,),
        ).fetchone()
        if last is None:
            seq, prev = 1, genesis_hash(incident_id, self._created_at(db, incident_id))
        else:
            seq, prev = last[0] + 1, last[1]
        at, recorded = event.at.isoformat(), recorded_at.isoformat()
        data = event.data or {}
        try:
            content = canonical_content(
                incident_id, seq, at, recorded, event.kind, event.text, data
            )
        except UnicodeEncodeError:
            # Bytes a non-UTF-8 terminal passed on undecoded (Python keeps them as surrogates).
            raise UserError(
                "含有无法识别的字符，未保存（终端的字符编码可能不是 UTF-8）", field="内容"
            ) from None
        digest = event_hash(prev, content)
        row = EventRow(incident_id, seq, at, recorded, event.kind, event.text, data, prev, digest)
        db.execute(
            "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data, prev, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.incident_id,
                row.seq,
                row.at,
                row.recorded_at,
                row.kind,
                row.text,
                json.dumps(row.data, ensure_ascii=False, sort_keys=True),
                row.prev,
                row.hash,
            ),
        )
        db.execute(
            "UPDATE incidents SET chain_head = ?, chain_length = ? WHERE id = ?",
            (digest, seq, incident_id),
        )
        _ledger_add(db, incident_id, seq, digest)
        return row

    @staticmethod
    def _created_at(db: sqlite3.Connection, incident_id: str) -> str:
        row = db.execute("SELECT created_at FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if row is None:
            raise no_such_incident(incident_id)
        return str(row[0])

    def events(self, incident_id: str, after: int = 0) -> list[EventRow]:
        """The incident's events in order; with ``after``, only those with a greater seq (the
        wizard folds only what is new)."""
        with self.errors():
            rows = self.db.execute(
                "SELECT incident_id, seq, at, recorded_at, kind, text, data, prev, hash "
                "FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq",
                (incident_id, after),
            ).fetchall()
        # A row whose data cannot be decoded is handed on with empty data and flagged: the fold
        # reports it (one damaged event never stops the reading of the others).
        result: list[EventRow] = []
        for r in rows:
            texts = [str(v) for v in r[2:7]]
            try:
                data = json.loads(r[6])
                damaged = "" if isinstance(data, dict) else "数据不是一个表"
            except (TypeError, ValueError, RecursionError):
                data, damaged = {}, "数据无法解读"
            if not all(_readable(t) for t in texts):
                damaged = "含有无法解读的字节（数据库文件损坏）"
                texts = [_shown(t) for t in texts]
            at, recorded_at, kind, text, _ = texts
            if not damaged and not _sealed(r[0], r[1], at, recorded_at, kind, text, data, r):
                # A flipped bit or an edit behind the tool's back: what the event says cannot be
                # trusted, so it is reported and left out like an unreadable one.
                damaged = "与其校验码不符（被改动或已损坏）"
            result.append(
                EventRow(
                    r[0],
                    r[1],
                    at,
                    recorded_at,
                    kind,
                    text,
                    data if not damaged else {},
                    r[7],
                    r[8],
                    damaged,
                )
            )
        return result

    def raw_events(self, incident_id: str) -> list[tuple[Any, ...]]:
        """The stored rows as they are, undecoded (for ``chain.verify``)."""
        with self.errors():
            return self.db.execute(
                "SELECT seq, at, recorded_at, kind, text, data, prev, hash FROM events "
                "WHERE incident_id = ? ORDER BY seq",
                (incident_id,),
            ).fetchall()

    def chain_record(self, incident_id: str) -> tuple[str, str, int]:
        """``(created_at, chain_head, chain_length)`` as stored in the incident's row."""
        with self.errors():
            row = self.db.execute(
                "SELECT created_at, chain_head, chain_length FROM incidents WHERE id = ?",
                (incident_id,),
            ).fetchone()
        if row is None:
            raise no_such_incident(incident_id)
        return str(row[0]), str(row[1]), int(row[2])

    def missing_tables(self) -> list[str]:
        """Which of the store-wide chain's tables are gone (dropped outside qdplan)."""
        with self.errors():
            found = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            have = {str(r[0]) for r in found}
        return [t for t in ("ledger", "store_chain") if t not in have]

    def ledger(self) -> list[tuple[Any, ...]]:
        """The store-wide chain as stored: ``(n, incident_id, seq, item, prev, hash)`` rows."""
        with self.errors():
            return self.db.execute(
                "SELECT n, incident_id, seq, item, prev, hash FROM ledger ORDER BY n"
            ).fetchall()

    def ledger_record(self) -> tuple[str, int, int | None]:
        """``(head, length, counter)``: the store-wide chain's registered head and length, and
        SQLite's own counter of ledger entries ever inserted (``sqlite_sequence``; None when
        its row is gone)."""
        with self.errors():
            row = self.db.execute("SELECT head, length FROM store_chain WHERE id = 1").fetchone()
            counter = self.db.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'ledger'"
            ).fetchone()
        head, length = (str(row[0]), int(row[1])) if row else ("", 0)
        return head, length, (int(counter[0]) if counter else None)

    def all_chain_records(self) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
        """Every incident's ``created_at`` and its events' ``(seq, hash)``, for the ledger check."""
        with self.errors():
            found: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
                str(i): (str(c), [])
                for i, c in self.db.execute("SELECT id, created_at FROM incidents ORDER BY rowid")
            }
            orphans: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
            for incident_id, seq, digest in self.db.execute(
                "SELECT incident_id, seq, hash FROM events ORDER BY incident_id, seq"
            ):
                target = found.get(incident_id) or orphans.setdefault(incident_id, ("", []))
                target[1].append((seq, digest))
        return found

    def orphan_incident_ids(self) -> list[str]:
        """Incident ids that events name but the incidents table does not hold."""
        with self.errors():
            return [
                r[0]
                for r in self.db.execute(
                    "SELECT DISTINCT incident_id FROM events "
                    "WHERE incident_id NOT IN (SELECT id FROM incidents) ORDER BY incident_id"
                )
            ]

    def created_at(self, incident_id: str) -> str:
        with self.errors():
            return self._created_at(self.db, incident_id)

    def incident_ids(self) -> list[str]:
        """All incident ids, oldest first."""
        with self.errors():
            return [r[0] for r in self.db.execute("SELECT id FROM incidents ORDER BY rowid")]

    def resolve_id(self, incident_id: str | None) -> str:
        """The given incident id (checked), or the latest incident when ``None``."""
        with self.errors():
            if incident_id is None:
                row = self.db.execute(
                    "SELECT id FROM incidents ORDER BY rowid DESC LIMIT 1"
                ).fetchone()
                if row is None:
                    raise UserError("还没有任何事件记录；先运行 qdplan incident", field="ID")
                return str(row[0])
            key = incident_id.strip()
            if not key.isprintable() or key.encode("utf-8", "replace").decode() != key:
                raise no_such_incident(key)
            row = self.db.execute("SELECT id FROM incidents WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise no_such_incident(key)
        return str(row[0])

    # ----------------------------------------------------------------- hand-over

    def import_chain(self, incident_id: str, created_at: str, rows: Sequence[Sequence[Any]]) -> int:
        """Load a checked chain (``handover.read_file``) verbatim, hashes and all; return how
        many events were new. An incident already here takes only the events past its own end,
        and only when the chain it holds is the start of the one given; else refused whole."""
        return self.import_chains([(incident_id, created_at, rows)])[0]

    def import_chains(
        self, chains: Sequence[tuple[str, str, Sequence[Sequence[Any]]]]
    ) -> list[int]:
        """``import_chain`` for each, in one transaction: all of them, or (one refused) none."""
        with self.transaction() as db:
            return [self._import_one(db, i, c, rows) for i, c, rows in chains]

    @staticmethod
    def _import_one(
        db: sqlite3.Connection, incident_id: str, created_at: str, rows: Sequence[Sequence[Any]]
    ) -> int:
        have = db.execute(
            "SELECT created_at FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if have is None:
            db.execute(
                "INSERT INTO incidents (id, created_at) VALUES (?, ?)",
                (incident_id, created_at),
            )
            _ledger_add(db, incident_id, 0, genesis_hash(incident_id, created_at))
            held: list[tuple[int, str]] = []
        else:
            if str(have[0]) != created_at:
                raise UserError(
                    f"本机已有编号为 {incident_id} 的另一个事件（建立于 {have[0]}）；没有导入",
                    field="ID",
                )
            held = db.execute(
                "SELECT seq, hash FROM events WHERE incident_id = ? ORDER BY seq",
                (incident_id,),
            ).fetchall()
        for (seq, digest), row in zip(held, rows, strict=False):
            if seq != row[0] or digest != row[7]:
                raise UserError(
                    f"事件 {incident_id} 第 {seq} 条与本机已有的记录不同：两份记录分叉，没有导入",
                    field="ID",
                )
        if len(held) > len(rows):
            raise UserError(
                f"事件 {incident_id} 本机已有 {len(held)} 条记录，多于要导入的 {len(rows)} 条；"
                "没有导入",
                field="ID",
            )
        new = [tuple(r) for r in rows[len(held) :]]
        db.executemany(
            "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data, prev, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(incident_id, *r) for r in new],
        )
        for r in new:  # the store-wide chain takes each imported event, as it does a new one
            _ledger_add(db, incident_id, int(r[0]), str(r[7]))
        if new:
            db.execute(
                "UPDATE incidents SET chain_head = ?, chain_length = ? WHERE id = ?",
                (new[-1][7], new[-1][0], incident_id),
            )
        return len(new)

    def chain_heads(self) -> list[tuple[str, str, str, int]]:
        """Every incident's ``(id, created_at, chain_head, chain_length)`` as registered, oldest
        first: what a push compares with the archive before reading any event."""
        with self.errors():
            return [
                (str(i), str(c), str(h), int(n))
                for i, c, h, n in self.db.execute(
                    "SELECT id, created_at, chain_head, chain_length FROM incidents ORDER BY rowid"
                )
            ]

    def any_finished(self, kinds: Sequence[str]) -> bool:
        """Whether any incident has an event of one of ``kinds``."""
        marks = ", ".join("?" for _ in kinds)
        with self.errors():
            row = self.db.execute(
                f"SELECT 1 FROM events WHERE kind IN ({marks}) LIMIT 1", tuple(kinds)
            ).fetchone()
        return row is not None

    def finished_ids(self, kinds: Sequence[str], among: Sequence[str] | None = None) -> set[str]:
        """The incidents (of ``among``, else all) with an event of one of ``kinds`` (resolved,
        discarded)."""
        marks = ", ".join("?" for _ in kinds)
        query = f"SELECT DISTINCT incident_id FROM events WHERE kind IN ({marks})"
        found: set[str] = set()
        with self.errors():
            if among is None:
                return {str(r[0]) for r in self.db.execute(query, tuple(kinds))}
            for start in range(0, len(among), 500):
                part = tuple(among[start : start + 500])
                ids = ", ".join("?" for _ in part)
                rows = self.db.execute(f"{query} AND incident_id IN ({ids})", (*kinds, *part))
                found.update(str(r[0]) for r in rows)
        return found

    def raw_chains(
        self, incident_ids: Sequence[str] | None = None
    ) -> list[tuple[str, str, str, int, list[tuple[Any, ...]]]]:
        """``(id, created_at, chain_head, chain_length, raw rows)`` of each of ``incident_ids``
        in that order (an id the store does not hold is refused), or of every incident, oldest
        first: read in one snapshot with two queries, what ``chain_record`` and ``raw_events``
        give one by one (a push reads a batch at a time, the year in review all at once)."""
        incidents_where = events_where = ""
        params: tuple[str, ...] = ()
        if incident_ids is not None:
            marks = ", ".join("?" for _ in incident_ids)
            incidents_where = f" WHERE id IN ({marks})"
            events_where = f" WHERE incident_id IN ({marks})"
            params = tuple(incident_ids)
        with self.snapshot():
            records = self.db.execute(
                "SELECT id, created_at, chain_head, chain_length FROM incidents"
                f"{incidents_where} ORDER BY rowid",
                params,
            ).fetchall()
            rows: dict[str, list[tuple[Any, ...]]] = {}
            for r in self.db.execute(
                "SELECT incident_id, seq, at, recorded_at, kind, text, data, prev, hash "
                f"FROM events{events_where} ORDER BY incident_id, seq",
                params,
            ):
                rows.setdefault(r[0], []).append(tuple(r[1:]))
        if incident_ids is not None:
            by_id = {str(r[0]): r for r in records}
            for incident_id in incident_ids:
                if incident_id not in by_id:
                    raise no_such_incident(incident_id)
            records = [by_id[i] for i in incident_ids]
        return [(str(i), str(c), str(h), int(n), rows.get(i, [])) for i, c, h, n in records]
