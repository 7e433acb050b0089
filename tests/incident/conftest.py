"""Fixtures of the incident tests: a private data directory, a fixed clock, the CLI, a keyboard."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from qdplan_cli import incident_cli
from qdplan_cli.__main__ import main
from qdplan_cli.timefmt import shanghai

DATA = Path(__file__).resolve().parent / "data"
DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
CTRL_C = "\x03"


@pytest.fixture(autouse=True)
def qdplan_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory: never the user's real incident log."""
    home = tmp_path / "qdplan-home"
    monkeypatch.setenv("QDPLAN_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")  # Rich wraps at 80 columns without a terminal
    return home


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The incident commands' clock, fixed at Tue 2026-12-08 09:15 Asia/Shanghai."""
    fixed = Clock(datetime(2026, 12, 8, 9, 15, tzinfo=shanghai()))
    monkeypatch.setattr(incident_cli, "clock", fixed)
    return fixed


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``qdplan ARGS`` in-process through ``__main__.main`` (the real error handling)."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


class Keyboard:
    """A terminal the test types into: questionary reads the keys given to ``typing``.

    The keys are all sent up front and the pipe is then closed, so a test that runs out of
    keys ends with EOF (exit 130) instead of waiting forever for a key that never comes."""

    @contextmanager
    def typing(self, keys: str) -> Iterator[None]:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text(keys)
            pipe.close()
            yield


@pytest.fixture
def keyboard(monkeypatch: pytest.MonkeyPatch) -> Keyboard:
    monkeypatch.setattr(incident_cli, "_interactive", lambda: True)
    return Keyboard()


def venv_bin(name: str) -> Path:
    """A console script of the environment running the tests (the installed ``qdplan``)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return candidate
    pytest.skip(f"{name} is not installed next to {sys.executable}")
