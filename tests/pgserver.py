"""A real, throwaway PostgreSQL server for the archive tests.

- ``QDPLAN_TEST_PG`` set (CI: ``.ci/run`` starts the cluster): a superuser URL of that server;
  ``QDPLAN_TEST_PGDATA``, ``QDPLAN_TEST_PGBIN`` and ``QDPLAN_TEST_PGUSER`` tell how to stop and
  start it (for the test that kills the server between two batches of a push).
- Else, when PostgreSQL's binaries are installed (``initdb`` on PATH or in
  /usr/lib/postgresql/*/bin): a cluster of our own in a temporary directory, on a Unix socket
  only (no TCP), password authentication (scram-sha-256), removed at the end. PostgreSQL refuses
  to run as root: as root, the cluster runs as the ``postgres`` user.
- Else the tests skip with one line saying so.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ADMIN = "qdplan_admin"
ADMIN_PASSWORD = "admin-secret"
PUSHER = "qdplan_push"
PUSHER_PASSWORD = "push-secret"
_counter = itertools.count(1)


def find_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


@dataclass
class PgServer:
    host: str  # the socket directory (or a host name)
    port: int
    bindir: Path | None
    datadir: Path | None
    runas: str | None
    admin: str = ADMIN
    admin_password: str = ADMIN_PASSWORD

    def url(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        if user is None:
            user, password = self.admin, self.admin_password
        password = password or ""
        return (
            f"postgresql://{quote(user)}:{quote(password)}@/{dbname}"
            f"?host={quote(self.host)}&port={self.port}"
        )

    def _ctl(self, *args: str) -> None:
        if self.bindir is None or self.datadir is None:
            raise RuntimeError("this server cannot be stopped or started by the tests")
        argv = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", *args]
        subprocess.run(_as(self.runas, argv), check=True, capture_output=True, timeout=120)

    @property
    def controllable(self) -> bool:
        return self.bindir is not None and self.datadir is not None

    def stop(self) -> None:
        """Kill the server (immediate shutdown: what a dropped network looks like to a client)."""
        self._ctl("stop", "-m", "immediate")

    def start(self) -> None:
        log = self.datadir.parent / "server.log" if self.datadir else Path("server.log")
        self._ctl("start", "-l", str(log))

    def new_database(self) -> str:
        import psycopg

        name = f"qdplan_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name


def _as(user: str | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *argv]
    return ["su", user, "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]


def _runas() -> str | None:
    if sys.platform == "win32" or os.geteuid() != 0:
        return None
    import pwd

    for name in ("qdplan-pg", "postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


@contextlib.contextmanager
def server() -> Iterator[PgServer | str]:
    """The server, or (a string) why there is none."""
    external = os.environ.get("QDPLAN_TEST_PG")
    if external:
        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(external)
        data = os.environ.get("QDPLAN_TEST_PGDATA")
        bindir = os.environ.get("QDPLAN_TEST_PGBIN")
        yield PgServer(
            host=str(info.get("host") or "localhost"),
            port=int(info.get("port") or 5432),
            bindir=Path(bindir) if bindir else None,
            datadir=Path(data) if data else None,
            runas=os.environ.get("QDPLAN_TEST_PGUSER") or None,
            admin=str(info.get("user") or ADMIN),
            admin_password=str(info.get("password") or ""),
        )
        return
    bindir = find_bindir()
    if bindir is None:
        yield "没有安装 PostgreSQL（找不到 initdb）：跳过档案库测试"
        return
    runas = _runas()
    if sys.platform != "win32" and os.geteuid() == 0 and runas is None:
        yield "以 root 运行且没有 postgres 用户：PostgreSQL 拒绝以 root 运行，跳过档案库测试"
        return
    root = Path(tempfile.mkdtemp(prefix="qdplan-pg-"))
    try:
        if runas is not None:
            import pwd

            entry = pwd.getpwnam(runas)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        data = root / "data"
        pwfile = root / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
        if runas is not None:
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            _as(
                runas,
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    ADMIN,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
            ),
            check=True,
            capture_output=True,
            timeout=300,
        )
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{root}'\nport = 5432\n")
            conf.write("fsync = off\n")  # a throwaway cluster: speed over durability
        server = PgServer(host=str(root), port=5432, bindir=bindir, datadir=data, runas=runas)
        server.start()
        try:
            yield server
        finally:
            with contextlib.suppress(subprocess.SubprocessError, RuntimeError):
                server._ctl(
                    "stop", "-m", "immediate"
                )  # a throwaway cluster: no shutdown checkpoint
    finally:
        shutil.rmtree(root, ignore_errors=True)
