"""The witness console at 80×24, as the witness sees it: a real pseudo-terminal running the
installed ``qdplan``, its output fed to a terminal emulator (pyte), the screen read back.

At every prompt after the first answer the status block is on screen: the conclusion, the next
step with a phone number, and the time left to the 2-hour line."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from qdplan_cli.record.incident import load
from qdplan_cli.record.store import Store

from .conftest import DOWN, ENTER, interruptible, venv_bin

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

ROWS, COLS = 24, 80
SCREENS = Path(os.environ.get("QDPLAN_SCREENS", "")) if os.environ.get("QDPLAN_SCREENS") else None

CONFIG = """\
[[contacts.property_staff]]
name = "赵物业"
phone = "0532-81110004"
[[contacts.agency]]
name = "钱代理"
phone = "0532-81110002"
[[contacts.experts]]
name = "专家组"
phone = "0532-81110009"
[[contacts.tenderer]]
name = "孙采购"
phone = "0532-81110001"
[[contacts.witness]]
name = "李见证"
phone = "0532-81110003"
"""
PROJECT = '[project]\nname = "青岛市某医院医疗设备采购项目"\nnumber = "QDCG-2026-1208"\n'
PHONE = re.compile(r"0532-\d{8}")
LEFT = re.compile(r"剩余 \d:\d\d:\d\d")


class Terminal:
    """``qdplan`` in an 80×24 pty; ``wait_for`` reads until the screen shows the text."""

    def __init__(self, args: list[str], home: Path, config: Path) -> None:
        env = {
            **os.environ,
            "QDPLAN_HOME": str(home),
            "QDPLAN_CONFIG": str(config),
            "TERM": "xterm",
            "COLUMNS": str(COLS),
            "LINES": str(ROWS),
            "PROMPT_TOOLKIT_NO_CPR": "1",  # nothing in a pty answers the cursor query
        }
        self.child = pexpect.spawn(
            str(venv_bin("qdplan")),
            args,
            env=env,
            encoding="utf-8",
            timeout=20,
            dimensions=(ROWS, COLS),
            preexec_fn=interruptible,
        )
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.Stream(self.screen)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, timeout: float = 90) -> str:  # a loaded machine
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {needle!r}\n{self.text()}")
            try:
                self.stream.feed(self.child.read_nonblocking(4096, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
        return self.text()

    def wait_for_match(self, pattern: re.Pattern[str], timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while not pattern.search(self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {pattern.pattern!r}\n{self.text()}")
            try:
                self.stream.feed(self.child.read_nonblocking(4096, timeout=0.2))
            except pexpect.TIMEOUT:
                continue
        return self.text()

    def menu(self, question: str) -> str:
        """Wait until ``question`` is the live menu (its key hint beside it), not an answered line."""
        return self.wait_for(f"{question} （↑↓ 选择")

    def send(self, keys: str) -> None:
        self.child.send(keys)


def status_on_screen(screen: str, *, left: bool = True) -> None:
    assert "结论：" in screen, screen
    assert re.search(r"下一步 \d+\. .*\n  电话：.*0532-\d{8}", screen), screen
    if left:
        assert LEFT.search(screen), screen


def save(name: str, screen: str) -> None:
    if SCREENS is not None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        (SCREENS / name).write_text(screen + "\n", encoding="utf-8")


def test_a_whole_incident_at_80x24_keeps_the_status_block_on_screen(
    qdplan_home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    project = tmp_path / "project.toml"
    project.write_text(PROJECT, encoding="utf-8")
    term = Terminal(["incident", "--project", str(project)], qdplan_home, config)
    term.menu("故障发生在哪个环节？")
    term.send(DOWN + DOWN + ENTER)  # 评标环节
    screen = term.menu("发生了什么故障？")
    assert "结论：" in screen  # the incident exists: its (empty) conclusion is shown
    term.send(DOWN + DOWN + ENTER)  # 断电
    screen = term.menu("故障何时发生？")
    term.send(ENTER)  # 刚刚
    screen = term.menu("哪个项目？")
    status_on_screen(screen)  # who to call, after three answers
    term.send(ENTER)  # 使用项目文件
    screen = term.menu("2小时内解决？")
    status_on_screen(screen)
    assert "物业楼层服务人员 赵物业 0532-81110004" in screen
    save("console-80x24-within-2h-question.txt", screen)
    term.send(ENTER)  # 能
    screen = term.menu("下一步做什么？")
    status_on_screen(screen)
    assert "说明情况，等候修复后继续" in screen
    save("console-80x24-hub.txt", screen)
    term.send(ENTER)  # 勾选已完成的步骤
    screen = term.wait_for("哪一步已完成？")
    status_on_screen(screen)
    term.send(ENTER)  # step 1
    screen = term.menu("何时完成？")
    status_on_screen(screen)
    term.send(ENTER)  # 刚刚
    screen = term.wait_for("已记录：已完成：")
    screen = term.menu("下一步做什么？")
    status_on_screen(screen)
    # Step 1 is done: the block now names step 2 first, with the agency's number.
    assert re.search(r"下一步 2\. .*\n  电话：招标代理机构 钱代理 0532-81110002", screen), screen
    save("console-80x24-after-tick.txt", screen)
    term.send(DOWN * 4 + ENTER)  # 故障已排除
    screen = term.menu("故障何时排除？")
    status_on_screen(screen)
    term.send(ENTER)  # 刚刚
    screen = term.menu("下一步做什么？")
    assert "结论：" in screen and PHONE.search(screen)
    assert "排除：清单按排除时定格" in screen  # the clock has stopped
    save("console-80x24-resolved.txt", screen)
    term.send("\x1b[A" + ENTER)  # 退出 (the last choice)
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0

    store = Store.open()
    (incident_id,) = store.incident_ids()
    incident = load(store, incident_id)
    assert len(incident.ticks) == 1 and incident.resolved_at is not None
    kinds = [e.kind for e in store.events(incident_id)]
    assert kinds[0] == "created" and "tick" in kinds and kinds[-1] == "resolved"


def test_abandoned_at_the_first_question_leaves_no_incident(
    qdplan_home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    term = Terminal(["incident"], qdplan_home, config)
    term.wait_for("故障发生在哪个环节？")
    term.child.sendintr()
    term.child.expect("没有创建事件记录")
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 130
    assert Store.open().incident_ids() == []


def test_watch_shows_the_board_and_lines_logged_by_another_process(
    qdplan_home: Path, tmp_path: Path
) -> None:
    import subprocess
    from datetime import datetime, timedelta

    from qdplan_cli.plan.times import shanghai

    onset = (datetime.now(shanghai()) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:00")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(
        PROJECT + '[incident]\nstage = "evaluation"\nfault = "power"\n'
        f"started_at = {onset}\nwithin_2h = true\n",
        encoding="utf-8",
    )
    env = {**os.environ, "QDPLAN_HOME": str(qdplan_home), "QDPLAN_CONFIG": str(config)}
    qdplan = str(venv_bin("qdplan"))
    subprocess.run(
        [qdplan, "incident", "--case", str(case), "--no-input"],
        env=env,
        check=True,
        capture_output=True,
    )
    term = Terminal(["watch", "--interval", "0.2"], qdplan_home, config)
    # Each piece is waited for, not read off one snapshot: a redraw caught half-way (seen once
    # in CI under load) shows the frame's border around part of its lines.
    term.wait_for("qdplan 看板")
    term.wait_for("青岛市某医院医疗设备采购项目")
    term.wait_for("评标环节 · 断电")
    term.wait_for("步骤（已完成 0/")
    assert LEFT.search(term.wait_for_match(LEFT))  # the live countdown
    subprocess.run(
        [qdplan, "log", "已通知物业值班室赵物业"], env=env, check=True, capture_output=True
    )
    subprocess.run([qdplan, "tick", "1"], env=env, check=True, capture_output=True)
    term.wait_for("已通知物业值班室赵物业")
    term.wait_for("步骤（已完成 1/")
    screen = term.wait_for("√ ")  # the step ticked from the other shell
    save("watch-80x24.txt", screen)
    term.child.sendintr()
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0


def test_show_leads_with_the_conclusion_and_pages_the_rest_at_80x24(
    qdplan_home: Path, tmp_path: Path
) -> None:
    import subprocess

    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(
        PROJECT + '[incident]\nstage = "evaluation"\nfault = "power"\n'
        "started_at = 2026-12-08T09:10:00\nwithin_2h = false\nplan = 2\n",
        encoding="utf-8",
    )
    env = {**os.environ, "QDPLAN_HOME": str(qdplan_home), "QDPLAN_CONFIG": str(config)}
    made = subprocess.run(
        [str(venv_bin("qdplan")), "incident", "--case", str(case), "--no-input"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr.decode("utf-8")
    term = Terminal(["show"], qdplan_home, config)
    term.child.setecho(False)
    # The whole first page, not the first piece of it to arrive (a loaded machine draws it in
    # several writes): the conclusion, the next step with its phone, the timeline's table.
    term.wait_for("结论：")
    term.wait_for_match(re.compile(r"下一步 \d+\. .*\n  电话：.*0532-\d{8}"))
    screen = term.wait_for("┌")
    lines = screen.splitlines()
    # The pager's first screen starts with the summary: incident, conclusion, next step; the
    # timeline and the checklist come after it.
    first = next(i for i, line in enumerate(lines) if line.startswith("结论："))
    assert lines[first - 1].startswith("事件 ") and "·" in lines[first - 1], screen
    assert re.search(r"下一步 \d+\. .*\n  电话：.*0532-\d{8}", screen), screen
    assert first < next(i for i, line in enumerate(lines) if line.startswith("┌")), screen
    assert lines[-1].strip() in (":", "") or "(END)" not in screen, screen  # less is waiting
    save("show-80x24-first-page.txt", screen)
    term.send("q")
    term.child.expect(pexpect.EOF)
    term.stream.feed(term.child.before)
    term.child.close()
    assert term.child.exitstatus == 0
    # Once the pager is left, the summary is printed again: the conclusion stays on screen.
    after = term.text().rstrip().splitlines()
    assert any(line.startswith("结论：") for line in after[-8:]), "\n".join(after)
