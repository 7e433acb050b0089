"""The incident store: an append-only event log in SQLite (stdlib ``sqlite3``).

- The database lives in the user data directory (platformdirs), or in ``$QDPLAN_HOME``.
- The schema grows by numbered migrations recorded in the ``_migrations`` table.
- WAL journal, ``synchronous=FULL``, one ``BEGIN IMMEDIATE`` transaction per change: an event the
  caller has acknowledged on screen survives ``kill -9`` or a power cut, and two processes
  appending to the same incident both land, in order (the second waits for the first).
- Events are never updated or deleted (triggers refuse it), so a later version can hash-chain
  them; the current state of an incident is a fold over its events (``incident.fold``).
- The database holds expert and bidder names: it is created readable by the owner only (0600).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import UserError

DB_NAME = "qdplan.db"
BUSY_TIMEOUT_S = 30.0


def data_dir() -> Path:
    """``$QDPLAN_HOME`` if set, else the platform's user data directory for qdplan."""
    env = os.environ.get("QDPLAN_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("qdplan", appauthor=False))


def owner_only(path: Path) -> None:
    """Make ``path`` readable and writable by its owner only (a no-op where chmod cannot)."""
    with contextlib.suppress(OSError, NotImplementedError):
        path.chmod(0o600)


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


# Numbered migrations; each runs once, in its own transaction, and is recorded in _migrations.
MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "incidents_and_events", _migration_1),
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
    data: dict[str, Any]


@dataclass(frozen=True)
class NewEvent:
    """An event to append. ``at`` is when it happened; the store adds when it was recorded."""

    kind: str
    at: datetime
    text: str = ""
    data: dict[str, Any] | None = None


class Store:
    """The incident database. Open with ``Store.open()``; close with ``close()`` or ``with``."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, directory: Path | None = None) -> Store:
        directory = directory or data_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = directory / DB_NAME
            create_private(path)
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(
                f"无法打开事件数据库 {directory / DB_NAME}：{exc}（可用环境变量 QDPLAN_HOME 指定其他目录）",
                field="QDPLAN_HOME",
            ) from None
        store = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise UserError(
                f"事件数据库 {path} 无法使用：{exc}（请勿删除，先备份后联系维护人员；"
                "也可用环境变量 QDPLAN_HOME 临时改用其他目录）",
                field="QDPLAN_HOME",
            ) from None
        # The -wal and -shm files take the database's mode; make sure of it where they exist.
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                owner_only(side)
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``BEGIN IMMEDIATE`` takes the write lock up front, so a
        concurrent writer waits (busy timeout) instead of failing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
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
            taken = db.execute(
                "SELECT COUNT(*) FROM incidents WHERE id LIKE ?", (prefix + "%",)
            ).fetchone()[0]
            incident_id = f"{prefix}{taken + 1}"
            db.execute(
                "INSERT INTO incidents (id, created_at) VALUES (?, ?)",
                (incident_id, created_at.isoformat()),
            )
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

    def _insert(
        self, db: sqlite3.Connection, incident_id: str, event: NewEvent, recorded_at: datetime
    ) -> EventRow:
        seq = db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE incident_id = ?", (incident_id,)
        ).fetchone()[0]
        row = EventRow(
            incident_id=incident_id,
            seq=seq,
            at=event.at.isoformat(),
            recorded_at=recorded_at.isoformat(),
            kind=event.kind,
            text=event.text,
            data=event.data or {},
        )
        db.execute(
            "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                row.incident_id,
                row.seq,
                row.at,
                row.recorded_at,
                row.kind,
                row.text,
                json.dumps(row.data, ensure_ascii=False, sort_keys=True),
            ),
        )
        return row

    def events(self, incident_id: str) -> list[EventRow]:
        return [
            EventRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]))
            for r in self.db.execute(
                "SELECT incident_id, seq, at, recorded_at, kind, text, data FROM events "
                "WHERE incident_id = ? ORDER BY seq",
                (incident_id,),
            )
        ]

    def created_at(self, incident_id: str) -> str:
        row = self.db.execute(
            "SELECT created_at FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            raise UserError(f"没有编号为 {incident_id!r} 的事件（用 qdplan list 查看）", field="ID")
        return str(row[0])

    def incident_ids(self) -> list[str]:
        """All incident ids, oldest first."""
        return [r[0] for r in self.db.execute("SELECT id FROM incidents ORDER BY rowid")]

    def resolve_id(self, incident_id: str | None) -> str:
        """The given incident id (checked), or the latest incident when ``None``."""
        if incident_id is None:
            row = self.db.execute("SELECT id FROM incidents ORDER BY rowid DESC LIMIT 1").fetchone()
            if row is None:
                raise UserError("还没有任何事件记录；先运行 qdplan incident", field="ID")
            return str(row[0])
        key = incident_id.strip()
        row = self.db.execute("SELECT id FROM incidents WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise UserError(f"没有编号为 {key!r} 的事件（用 qdplan list 查看）", field="ID")
        return str(row[0])
