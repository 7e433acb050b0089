"""Fixtures of the archive tests: a real PostgreSQL server (``tests/pgserver.py``), a fresh
database per test, initialised, with a pushing role that has INSERT and SELECT only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..pgserver import PUSHER, PUSHER_PASSWORD, PgServer, server


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    pytest.importorskip("psycopg", reason="没有安装 qdplan[centre]（psycopg）：跳过档案库测试")
    with server() as found:
        if isinstance(found, str):
            pytest.skip(found)
        import psycopg

        with psycopg.connect(found.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (PUSHER,)).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {PUSHER} LOGIN PASSWORD '{PUSHER_PASSWORD}'")
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
    """Initialised with ``qdplan archive init`` as the owner, the pushing role granted as the
    README says, and QDPLAN_ARCHIVE_URL pointing at it as the pushing role."""
    from qdplan_cli.record.archive import push_grants

    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", blank_db.admin_url)
    result = run("archive", "init")
    assert result.code == 0, result.err
    blank_db.sql(push_grants(blank_db.name, PUSHER))
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", blank_db.push_url)
    return blank_db


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
