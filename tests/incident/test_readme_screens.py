"""The README's usage screens are screens of a real run: the wizard is driven at 80×24 with a
fixed clock, each screen is read back from a terminal emulator and compared with the README's
block of the same name. A changed screen fails here; to take the new screens into the README:

    QDPLAN_UPDATE_README=1 uv run pytest tests/incident/test_readme_screens.py
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from .conftest import DOWN, ENTER, Clock, Keyboard, Result
from .test_console_clock import Screen as ClockScreen

pyte = pytest.importorskip("pyte")

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(
    r"(<!-- screen: (?P<name>[a-z0-9-]+) -->\n```text\n)(?P<body>[^`]*?)(\n```\n<!-- /screen -->)",
    re.S,
)
CONFIG = """\
[[contacts.support_staff]]
name = "张保障"
phone = "0532-81110001"
[[contacts.system_admin]]
name = "李系统"
phone = "0532-81110002"
[[contacts.vendor_technician]]
name = "王技术"
phone = "13800000003"
[[contacts.supervisor]]
name = "赵监管"
phone = "0532-81110006"
"""
PROJECT = """\
[project]
name = "青岛某某道路改造工程"
number = "QDJS-2026-0733"
type = "construction"
tenderer = "青岛某某城市建设有限公司"
agency = "山东某某招标代理有限公司"
opening_time = 2026-12-08T09:00:00
"""


class Screen(ClockScreen):
    """What prompt_toolkit writes, fed to an 80×24 terminal emulator (trailing blanks dropped)."""

    def text(self) -> str:
        return super().text().rstrip()

    def menu(self, question: str, timeout: float = 20) -> str:
        """The screen once ``question`` is the live menu (its key hint beside it)."""
        deadline = time.monotonic() + timeout
        while f"{question} （↑↓ 选择" not in (text := self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {question!r}\n{text}")
            time.sleep(0.02)
        time.sleep(0.1)  # the rest of the frame
        return self.text()


def drive(run: Callable[..., Result], project: Path) -> dict[str, str]:
    """An opening network fault at 09:15, 方案三: the screens the README shows."""
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")  # type: ignore[arg-type]
    shots: dict[str, str] = {}
    result: list[Result] = []
    with create_pipe_input() as pipe:
        screen.answer_through(pipe)

        def wizard() -> None:  # the app session is per thread (a context variable)
            with create_app_session(input=pipe, output=output):
                result.append(run("incident", "--project", str(project)))

        worker = threading.Thread(target=wizard)
        worker.start()
        try:
            shots["first-question"] = screen.menu("故障发生在哪个环节？")
            pipe.send_text(DOWN + ENTER)  # 开标过程中
            screen.menu("发生了什么故障？")
            pipe.send_text(ENTER)  # 网络
            screen.menu("故障何时发生？")
            pipe.send_text(ENTER)  # 刚刚
            shots["who-to-call"] = screen.menu("哪个项目？")
            pipe.send_text(ENTER)  # 使用项目文件
            screen.menu("能否正常进行？")
            pipe.send_text(DOWN + ENTER)  # 不能
            screen.menu("能否快速排除故障？")
            pipe.send_text(DOWN + ENTER)  # 不能
            screen.menu("2小时内解决？")
            pipe.send_text(DOWN + ENTER)  # 不能
            shots["plan-question"] = screen.menu("选择哪种应急方案？")
            pipe.send_text(DOWN + DOWN + ENTER)  # 方案三
            shots["hub"] = screen.menu("下一步做什么？")
            pipe.send_text("\x1b[A" + ENTER)  # 退出
        finally:
            pipe.close()
            worker.join(timeout=20)
    assert result and result[0].code == 0, result
    return shots


def test_the_readme_shows_the_screens_of_a_real_run(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The screens name the command as an installed qdplan, however pytest was started.
    monkeypatch.setattr(sys, "argv", ["qdplan"])
    monkeypatch.delenv("UV_RUN_RECURSION_DEPTH", raising=False)
    Path(os.environ["QDPLAN_CONFIG"]).write_text(CONFIG, encoding="utf-8")
    project = tmp_path / "project.toml"
    project.write_text(PROJECT, encoding="utf-8")
    shots = drive(run, project)
    readme = README.read_text(encoding="utf-8")
    named = {m["name"]: m["body"] for m in BLOCK.finditer(readme)}
    assert named, "the README has no <!-- screen: … --> blocks"
    assert set(named) <= set(shots), sorted(set(named) - set(shots))
    if os.environ.get("QDPLAN_UPDATE_README"):
        updated = BLOCK.sub(lambda m: m[1] + shots[m["name"]] + m[4], readme)
        README.write_text(updated, encoding="utf-8", newline="\n")
        return
    for name, body in named.items():
        assert body == shots[name], f"README screen {name!r} differs from the run:\n{shots[name]}"


def test_a_tick_made_in_another_terminal_reaches_the_waiting_wizard(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    from qdplan_cli.ui import prompts

    from .conftest import venv_bin

    monkeypatch.setattr(prompts, "REFRESH_S", 0.05)
    Path(os.environ["QDPLAN_CONFIG"]).write_text(CONFIG, encoding="utf-8")
    project = tmp_path / "project.toml"
    project.write_text(PROJECT, encoding="utf-8")
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")  # type: ignore[arg-type]
    result: list[Result] = []
    with create_pipe_input() as pipe:
        screen.answer_through(pipe)

        def wizard() -> None:
            with create_app_session(input=pipe, output=output):
                result.append(run("incident", "--project", str(project)))

        worker = threading.Thread(target=wizard)
        worker.start()
        try:
            for question, keys in (
                ("故障发生在哪个环节？", DOWN + ENTER),  # 开标过程中
                ("发生了什么故障？", DOWN + ENTER),  # 系统故障
                ("故障何时发生？", ENTER),
                ("哪个项目？", ENTER),
                ("2小时内解决？", ENTER),  # 能
            ):
                screen.menu(question)
                pipe.send_text(keys)
            before = screen.menu("下一步做什么？")
            first = re.search(r"下一步 (\d+)\. ", before)
            assert first, before
            # Another terminal ticks that step while the wizard waits at its menu.
            ticked = subprocess.run(
                [str(venv_bin("qdplan")), "tick", first[1]],
                # The wizard records on the test's fixed clock (2026-12-08), this process on the
                # machine's: said to be right, so the clock check (plan.clock) lets it write.
                env={**os.environ, "QDPLAN_CLOCK_OK": "1"},
                capture_output=True,
                check=False,
            )
            assert ticked.returncode == 0, ticked.stderr.decode("utf-8")
            deadline = time.monotonic() + 20
            while first[0] in (after := screen.text()):
                assert time.monotonic() < deadline, after
                time.sleep(0.05)
            assert re.search(r"下一步 \d+\. ", after), after
            pipe.send_text("\x1b[A" + ENTER)  # 退出
        finally:
            pipe.close()
            worker.join(timeout=20)
    assert result and result[0].code == 0, result
