"""The live 2-hour clock: the status block counts down while a question waits, announces the
crossing at once, and at the next answer the wizard moves on to the plan choice (5.1 → 5.2)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.model import Fault, Role, Situation, Stage
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.store import Store
from qdplan_cli.ui import prompts
from qdplan_cli.ui.status import StatusInput, status_lines

from .conftest import ENTER, UP, Clock, Keyboard, Result
from .test_incident_wizard import answers, pick, project_file

pyte = pytest.importorskip("pyte")


class Screen:
    """What prompt_toolkit writes, fed to an 80×24 terminal emulator."""

    encoding = "utf-8"

    def __init__(self) -> None:
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.screen)
        self.lock = threading.Lock()

    def write(self, data: str) -> int:
        with self.lock:
            self.stream.feed(data)
        return len(data)

    def answer_through(self, pipe: PipeInput) -> None:
        """Answer the cursor-position query (``ESC [6n``) through ``pipe``, the keyboard, as a
        real terminal does. Unanswered, prompt_toolkit waits a second for it as each question
        ends."""
        self.screen.write_process_input = pipe.send_text  # type: ignore[method-assign]

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        with self.lock:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while needle not in (text := self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {needle!r}\n{text}")
            time.sleep(0.02)
        return text


def test_the_countdown_runs_and_the_crossing_is_announced_while_a_question_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    clock = Clock(start)
    situation = Situation(
        stage=Stage.EVALUATION, fault=Fault.POWER, within_2h=True, started_at=start
    )
    state = StatusInput(
        decide(situation, start), {}, {Role.PROPERTY_STAFF: [("赵物业", "0532-81110004")]}
    )
    monkeypatch.setattr(prompts, "REFRESH_S", 0.05)
    prompts.set_status(lambda width: status_lines(state, clock(), width))
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")  # type: ignore[arg-type]
    answer: list[str] = []
    try:
        with create_pipe_input() as pipe:
            screen.answer_through(pipe)

            def ask() -> None:  # the app session is per thread (a context variable)
                with create_app_session(input=pipe, output=output):
                    answer.append(prompts.select("下一步做什么？", [("记录一条进展", "log")]))

            worker = threading.Thread(target=ask)
            worker.start()
            first = screen.wait_for("剩余 2:00:00")
            assert "物业楼层服务人员 赵物业 0532-81110004" in first
            clock.advance(minutes=41, seconds=7)  # nothing typed: the block redraws itself
            screen.wait_for("剩余 1:18:53")
            clock.now = start + timedelta(hours=2, seconds=5)  # the 2-hour line passes
            crossed = screen.wait_for("已过2小时节点")
            assert "超过 0:00:05" in crossed
            assert "回答后转入应急方案，由招标人选择" in crossed
            assert "剩余" not in crossed
            pipe.send_text(ENTER)
            worker.join(timeout=10)
    finally:
        prompts.set_status(None)
    assert answer == ["log"]


def test_after_the_line_passes_the_next_answer_moves_on_to_the_plan(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_select = prompts.select
    hubs = []

    def select(message: str, *args: Any, **kwargs: Any) -> str:
        if message == "下一步做什么？":
            hubs.append(clock())
            if len(hubs) == 1:  # the witness waits at the menu past the 2-hour line
                clock.advance(hours=2, minutes=1)
        return real_select(message, *args, **kwargs)

    monkeypatch.setattr(prompts, "select", select)
    keys = (
        pick(2)  # 评标环节
        + pick(2)  # 断电
        + pick(0)  # onset: 09:15
        + pick(0)  # project from the file
        + pick(0)  # 2小时内：能
        + pick(1)  # hub: 记录一条进展 (the line has passed meanwhile)
        + "仍在等候供电恢复"
        + ENTER
        + pick(2)  # the plan question comes next, 暂不选择 first: 方案二
        + UP
        + ENTER  # hub: 退出
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store = Store.open()
    (incident_id,) = store.incident_ids()
    assert answers(store, incident_id)[-1] == ("plan", None, 2)
    assert "已过2小时节点" in result.out


def test_the_status_block_fits_six_lines_of_80_columns_in_every_situation() -> None:
    import itertools

    from qdplan_cli.plan.errors import PlanNotAllowedError
    from qdplan_cli.plan.model import ProjectType
    from qdplan_cli.ui.status import width_of

    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    contacts = {role: [("某某某", "0532-81110000")] for role in Role}
    seen = 0
    for stage, fault, ptype, within, plan, minutes in itertools.product(
        Stage, Fault, ProjectType, (None, True, False), (None, 1, 2, 3), (10, 130)
    ):
        situation = Situation(
            stage=stage,
            fault=fault,
            project_type=ptype,
            within_2h=within,
            plan=plan,
            fallback_works=False,
            quick_fix_works=False,
            fixed_before_deadline=None,
            bidders_can_sign_in=True,
            started_at=start,
            bid_deadline=start + timedelta(minutes=30) if stage is Stage.PREP else None,
        )
        now = start + timedelta(minutes=minutes)
        try:
            decision = decide(situation, now)
        except PlanNotAllowedError:
            continue
        lines = status_lines(StatusInput(decision, {}, contacts), now, 80)
        assert 1 <= len(lines) <= 6
        assert all(width_of(text) <= 80 for _, text in lines), lines
        assert lines[0][1].startswith("结论：")
        seen += 1
    assert seen > 100
