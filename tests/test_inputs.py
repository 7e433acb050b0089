"""Odd input paths (issue 24): a FIFO, a device such as ``/dev/zero`` or a directory given as a
case file, calendar, config, hand-over file or template is refused with exit 2 naming the path,
at once — never a hang, a MemoryError or a traceback."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import DATA, Result

Run = Callable[..., Result]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


@contextlib.contextmanager
def unblocked(fifo: Path) -> Iterator[None]:
    """Should the code under test open the FIFO and wait for a writer (the bug), a writer comes
    once the test gives up waiting, so the run ends (and fails) instead of hanging the suite."""
    done = threading.Event()

    def rescue() -> None:
        if not done.wait(20):
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if fifo.exists() else None
            if fd is not None:
                os.close(fd)

    helper = threading.Thread(target=rescue, daemon=True)
    helper.start()
    try:
        yield
    finally:
        done.set()
        helper.join()


def odd_path(kind: str, tmp_path: Path) -> Path:
    if kind == "fifo":
        path = tmp_path / "odd.toml"
        os.mkfifo(path)
        return path
    if kind == "dir":
        path = tmp_path / "odd.toml"
        path.mkdir()
        return path
    return Path("/dev/zero")


def argv_for(use: str, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    case = str(DATA / "prep-power-delay.toml")
    if use == "--case":
        return ["decide", "--case", str(path)]
    if use == "--calendar":
        return ["decide", "--case", case, "--calendar", str(path)]
    if use == "config":
        monkeypatch.setenv("QDPLAN_CONFIG", str(path))
        return ["decide", "--case", case]
    if use == "import":
        return ["archive", "import", str(path), "--into", "local"]
    templates = tmp_path / "templates"  # a template file that is not a regular file
    templates.mkdir()
    target = templates / "delay_notice.txt.j2"
    if path.is_dir() or path.is_fifo():
        path.rename(target)
        path = target
    else:
        target.symlink_to(path)
    return ["render", "--case", case, "--out", str(tmp_path / "out"), "--templates",
            str(templates), "--now", "2026-12-16T10:00"]  # fmt: skip


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "dir", "device"])
@pytest.mark.parametrize("use", ["--case", "--calendar", "config", "import", "template"])
def test_an_input_that_is_not_a_regular_file_is_refused(
    kind: str, use: str, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "device" and use == "template":
        pytest.skip("a symlink to /dev/zero leads out of the template folder: refused as such")
    path = odd_path(kind, tmp_path)
    argv = argv_for(use, path, tmp_path, monkeypatch)
    fifo = next((Path(a) for a in argv if Path(a).is_fifo()), path)
    with unblocked(fifo):
        result = run(*argv)
    assert "Traceback" not in result.err
    if use == "config":
        # A config file that cannot be read is no config (it only adds names, numbers and
        # hours, and must never stop an incident): the run goes on, without waiting on it.
        assert result.code == 0, (argv, result.code, result.err)
        return
    assert result.code == 2, (argv, result.code, result.err)
    assert "不是普通文件" in result.err or "是目录，应为文件" in result.err, result.err
