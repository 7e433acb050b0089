"""Fixtures of the incident tests: a private data directory, a fixed clock, the CLI, a keyboard."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from qdplan_cli import runtime
from qdplan_cli.commands import incident as incident_cli
from qdplan_cli.plan.times import shanghai

from ..conftest import DATA, Result  # the shared example cases and the `run` fixture's result

__all__ = ["DATA", "Result"]
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
    monkeypatch.setattr(runtime, "clock", fixed)
    return fixed


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


def interruptible() -> None:
    """A pty child's ``preexec_fn``: Ctrl-C interrupts, as in a witness's terminal, even when
    pytest itself was started in the background by a script (SIGINT ignored there, and
    inherited by every child)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def venv_bin(name: str) -> Path:
    """A console script of the environment running the tests (the installed ``qdplan``)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return candidate
    pytest.skip(f"{name} is not installed next to {sys.executable}")
