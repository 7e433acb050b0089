"""A database file that is not ours is refused and left untouched; a write the disk refuses
(full, read-only) is refused whole, with a clear message, and the chain still verifies."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qdplan_cli.record import store as store_module
from qdplan_cli.record.store import Store

from .conftest import DATA, Clock, Result, venv_bin
from .test_record_chain import count

Run = Callable[..., Result]
CASE = str(DATA / "prep-power-delay.toml")


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and the SHA-256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def other_apps_database(path: Path, *, with_migrations: bool = False) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL)")
    db.execute("INSERT INTO users (name) VALUES ('王五')")
    if with_migrations:  # a common table name: ours is recognised by what it records
        db.execute("CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at)")
        db.execute("INSERT INTO _migrations VALUES (1, 'create_users', '2025-01-01')")
    db.commit()
    db.close()


def newer_qdplan_database(path: Path) -> None:
    with Store.open(path.parent) as store, store.transaction() as db:
        db.execute("INSERT INTO _migrations VALUES (99, 'from_the_future', datetime('now'))")


def damaged_qdplan_database(path: Path) -> None:
    """A real qdplan database whose event pages were overwritten (a bad sector, a bad copy)."""
    with Store.open(path.parent) as store:
        for n in range(40):
            incident_id = store.create_incident(
                store_now(),
                [store_module.NewEvent("log", store_now(), f"记录{n}" * 40)],
                store_now(),
            )
        assert incident_id
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[2 * page : len(data) - page] = os.urandom(len(data) - 3 * page)
    path.write_bytes(bytes(data))


def store_now() -> object:
    from datetime import datetime

    from qdplan_cli.plan.times import shanghai

    return datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())


FOREIGN: dict[str, Callable[[Path], None]] = {
    "text file": lambda p: p.write_text("这是一份会议纪要，不是数据库。\n" * 50, encoding="utf-8"),
    "binary junk": lambda p: p.write_bytes(bytes(range(256)) * 40),
    "truncated header": lambda p: p.write_bytes(b"SQLite format"),
    "another app's SQLite": other_apps_database,
    "another app with _migrations": lambda p: other_apps_database(p, with_migrations=True),
}


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
@pytest.mark.parametrize(
    "command", [["list"], ["log", "已通知"], ["incident", "--case", CASE, "--no-input"], ["verify"]]
)
def test_a_foreign_file_is_refused_and_left_byte_for_byte(
    run: Run, clock: Clock, qdplan_home: Path, make: Callable[[Path], None], command: list[str]
) -> None:
    qdplan_home.mkdir(parents=True)
    path = qdplan_home / "qdplan.db"
    make(path)
    before = fingerprint(qdplan_home)
    mode = path.stat().st_mode
    result = run(*command)
    assert result.code == 2, result.out + result.err
    assert "不是 qdplan 的事件数据库" in result.err
    assert "没有改动" in result.err and "移到别处" in result.err and "QDPLAN_HOME" in result.err
    assert "Traceback" not in result.err
    assert fingerprint(qdplan_home) == before  # no byte changed, no file added
    assert path.stat().st_mode == mode


def test_a_database_from_a_newer_qdplan_is_refused_untouched(
    run: Run, clock: Clock, qdplan_home: Path
) -> None:
    newer_qdplan_database(qdplan_home / "qdplan.db")
    before = fingerprint(qdplan_home)
    for command in (["list"], ["log", "已通知"], ["verify"]):
        result = run(*command)
        assert result.code == 2
        assert "更新版本的 qdplan" in result.err and "第 99 版" in result.err
        assert "升级" in result.err
        assert fingerprint(qdplan_home) == before


def test_a_damaged_database_is_refused_untouched(run: Run, clock: Clock, qdplan_home: Path) -> None:
    qdplan_home.mkdir(parents=True)
    damaged_qdplan_database(qdplan_home / "qdplan.db")
    before = fingerprint(qdplan_home)
    for command in (["list"], ["log", "已通知"], ["verify"], ["show"]):
        result = run(*command)
        assert result.code == 2, (command, result.out, result.err)
        assert "已损坏" in result.err and "QDPLAN_HOME" in result.err, result.err
        assert "Traceback" not in result.err
        assert fingerprint(qdplan_home) == before, command


def test_an_empty_file_is_a_new_database(run: Run, clock: Clock, qdplan_home: Path) -> None:
    """A zero-length file (a crash right after creating it) holds nothing: it is set up anew."""
    qdplan_home.mkdir(parents=True)
    (qdplan_home / "qdplan.db").touch()
    assert run("incident", "--case", CASE, "--no-input").code == 0
    assert run("verify").code == 0


# ----------------------------------------------------------------- the disk refuses a write


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every opened database may not grow by a single page: SQLite then fails
    the write with SQLITE_FULL, exactly what it reports when the disk is full."""
    original = Store.open.__func__  # type: ignore[attr-defined]

    def full_open(cls: type[Store], directory: Path | None = None) -> Store:
        opened: Store = original(cls, directory)
        pages = opened.db.execute("PRAGMA page_count").fetchone()[0]
        opened.db.execute(f"PRAGMA max_page_count = {pages}")
        return opened

    monkeypatch.setattr(Store, "open", classmethod(full_open))


def test_disk_full_refuses_the_event_and_keeps_the_chain(
    run: Run, clock: Clock, qdplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    events = count(qdplan_home)
    long_line = "保障人员现场排查配电柜，" * 400  # needs new pages
    fill_the_disk(monkeypatch)
    result = run("log", long_line)
    assert result.code == 4, result.out + result.err
    assert "磁盘已满" in result.err and "没有保存任何内容" in result.err
    assert "已记录" not in result.out  # never acknowledged
    assert count(qdplan_home) == events  # nothing half-written
    check = run("verify")  # reading a full disk still works, and the chain is whole
    assert check.code == 0, check.out


def test_after_a_full_disk_the_log_goes_on_and_verifies(
    run: Run, clock: Clock, qdplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    other = qdplan_home / "other.toml"  # another case: the same one again is the first incident
    text = Path(CASE).read_text(encoding="utf-8")
    other.write_text(text.replace("QDCG-2026-1102", "QDCG-2026-1103"), encoding="utf-8")
    with monkeypatch.context() as patch:
        fill_the_disk(patch)
        refused = run("log", "配电柜排查记录。" * 600)
        assert refused.code == 4
        # A new incident under a full disk is not created at all.
        assert run("incident", "--case", str(other), "--no-input").code == 4
    clock.advance(minutes=1)
    after = run("log", "空间腾出后继续记录")
    assert after.code == 0, after.err
    check = run("verify")
    assert check.code == 0 and "共 9 条记录" in check.out
    listed = run("list", "--json")
    assert listed.out.count('"id"') == 1


def test_a_read_only_database_refuses_the_event(
    run: Run, clock: Clock, qdplan_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own read-only mode (``query_only``): the refusal every read-only path ends in."""
    assert run("incident", "--case", CASE, "--no-input").code == 0
    events = count(qdplan_home)
    original = Store.open.__func__  # type: ignore[attr-defined]

    def read_only_open(cls: type[Store], directory: Path | None = None) -> Store:
        opened: Store = original(cls, directory)
        opened.db.execute("PRAGMA query_only = 1")
        return opened

    monkeypatch.setattr(Store, "open", classmethod(read_only_open))
    result = run("log", "已通知")
    assert result.code == 4
    assert "只读" in result.err and "没有保存任何内容" in result.err
    assert "已记录" not in result.out
    assert count(qdplan_home) == events
    assert run("verify").code == 0


# Real permissions: as root chmod does not bite, so the command runs there without the
# capabilities that bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER).
@pytest.fixture
def shared_home() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="qdplan-ro-"))
    base.chmod(0o755)
    try:
        yield base / "home"
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base)


def as_user(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QDPLAN_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions do not apply")
        # Root without the capabilities that override file permissions: the mode bits bite,
        # and the run still reaches the checkout's environment wherever the clone lives (a
        # 0700 home, a mktemp -d), which an unprivileged user could not.
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    return subprocess.run(
        [*prefix, str(venv_bin("qdplan")), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=60,
        cwd=home.parent,
    )


posix_permissions = pytest.mark.skipif(
    os.name == "nt" or not hasattr(os, "geteuid"), reason="POSIX permissions"
)


@posix_permissions
@pytest.mark.parametrize("what", ["directory", "directory and file"])
def test_a_read_only_data_directory_refuses_the_event(
    shared_home: Path, clock: Clock, what: str
) -> None:
    made = as_user(shared_home, "incident", "--case", CASE, "--no-input")
    assert made.returncode == 0, made.stderr
    db = shared_home / "qdplan.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    shared_home.chmod(0o500)
    if what == "directory and file":
        db.chmod(0o400)
    result = as_user(shared_home, "log", "已通知保障人员")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "只读" in result.stderr and "没有保存任何内容" in result.stderr
    assert "已记录" not in result.stdout
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    shared_home.chmod(0o700)
    assert as_user(shared_home, "verify").returncode == 0


@posix_permissions
def test_a_read_only_database_file_can_be_read_but_not_written(
    shared_home: Path, clock: Clock
) -> None:
    made = as_user(shared_home, "incident", "--case", CASE, "--no-input")
    assert made.returncode == 0, made.stderr
    db = shared_home / "qdplan.db"
    db.chmod(0o400)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = as_user(shared_home, "log", "已通知保障人员")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "只读" in result.stderr and "已记录" not in result.stdout
    assert stat.S_IMODE(db.stat().st_mode) == 0o400  # the owner's choice is kept
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    for argv in (["verify"], ["list"], ["show"]):
        assert as_user(shared_home, *argv).returncode == 0, argv
