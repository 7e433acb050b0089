"""Fixtures of the archive tests: a real PostgreSQL server (``tests/pgserver.py``), a fresh
database per test, initialised, with the three roles granted as ``qdplan archive init`` prints:
a pushing role, a reader (no names) and a confidential reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..pgserver import PUSHER, PUSHER_PASSWORD, PgServer, server

READER = "qdplan_reader"
CONFIDENTIAL = "qdplan_confidential"
ROLE_PASSWORD = {PUSHER: PUSHER_PASSWORD, READER: "reader-secret", CONFIDENTIAL: "conf-secret"}


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    pytest.importorskip("psycopg", reason="没有安装 qdplan[centre]（psycopg）：跳过档案库测试")
    with server() as found:
        if isinstance(found, str):
            pytest.skip(found)
        import psycopg

        with psycopg.connect(found.url("postgres"), autocommit=True) as conn:
            for role in (PUSHER, READER, CONFIDENTIAL):
                exists = conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                ).fetchone()
                if not exists:
                    conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{ROLE_PASSWORD[role]}'")
        yield found


@dataclass
class ArchiveDb:
    server: PgServer
    name: str

    @property
    def admin_url(self) -> str:
        return self.server.url(self.name)

    @property
    def push_url(self) -> str:
        return self.server.url(self.name, PUSHER, PUSHER_PASSWORD)

    @property
    def reader_url(self) -> str:
        return self.server.url(self.name, READER, ROLE_PASSWORD[READER])

    @property
    def confidential_url(self) -> str:
        return self.server.url(self.name, CONFIDENTIAL, ROLE_PASSWORD[CONFIDENTIAL])

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []


@pytest.fixture
def blank_db(pg: PgServer) -> ArchiveDb:
    """A new, empty database (no schema yet)."""
    return ArchiveDb(pg, pg.new_database())


@pytest.fixture
def archive_db(blank_db: ArchiveDb, monkeypatch: pytest.MonkeyPatch, run) -> ArchiveDb:  # type: ignore[no-untyped-def]
    """Initialised with ``qdplan archive init`` as the owner, the roles granted with the very
    statements it prints, and QDPLAN_ARCHIVE_URL pointing at it as the pushing role."""
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", blank_db.admin_url)
    result = run("archive", "init")
    assert result.code == 0, result.err
    statements = result.out[result.out.index("GRANT CONNECT") :]
    blank_db.sql(statements)
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", blank_db.push_url)
    return blank_db


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
