"""End to end: the installed ``qdplan incident`` in a real pseudo-terminal, keys as a user types."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qdplan_cli.plan.model import Outcome
from qdplan_cli.record.incident import decide_incident, load
from qdplan_cli.record.store import Store

from .conftest import DOWN, ENTER, UP, interruptible, venv_bin

pexpect = pytest.importorskip("pexpect")

PROJECT = """\
[project]
name = "青岛某某道路改造工程"
number = "QDJS-2026-0733"
"""


def spawn(args: list[str], home: Path) -> pexpect.spawn:
    env = {
        **os.environ,
        "QDPLAN_HOME": str(home),
        "COLUMNS": "160",
        "LINES": "50",
        "TERM": "xterm",
        # Nothing in this pty answers the cursor-position query; unanswered, prompt_toolkit
        # waits a second for it as each question ends (a real terminal answers at once).
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    child = pexpect.spawn(
        str(venv_bin("qdplan")),
        args,
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 160),
        preexec_fn=interruptible,
    )
    return child


def test_incident_from_first_question_to_checklist(qdplan_home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project.toml"
    project.write_text(PROJECT, encoding="utf-8")
    child = spawn(["incident", "--project", str(project)], qdplan_home)
    child.expect("故障发生在哪个环节？")
    child.send(DOWN + DOWN + ENTER)  # 评标环节
    child.expect("发生了什么故障？")
    child.send(DOWN + DOWN + ENTER)  # 断电
    child.expect("故障何时发生？")
    child.send(ENTER)  # 刚刚
    child.expect("哪个项目？")
    child.send(ENTER)  # 使用项目文件
    child.expect("故障能否在发生后2小时内解决？")
    child.send(DOWN + ENTER)  # 不能
    child.expect("选择哪种应急方案？")
    child.send(DOWN + ENTER)  # 方案二
    child.expect("结论：由招标人选择应急方案并报监管部门备案")  # the status block
    child.expect("下一步做什么？")
    child.send(UP + ENTER)  # 退出 (the last choice: questionary wraps around)
    child.expect("开评标区域封闭方案")  # the full checklist, printed on leaving
    child.expect("已保存")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    store = Store.open()
    (incident_id,) = store.incident_ids()
    incident = load(store, incident_id)
    decision = decide_incident(incident, incident.created_at)
    assert decision.outcome is Outcome.CHOOSE_PLAN and decision.plan == 2


def test_ctrl_c_in_a_terminal_prints_how_to_resume(qdplan_home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project.toml"
    project.write_text(PROJECT, encoding="utf-8")
    child = spawn(["incident", "--project", str(project)], qdplan_home)
    child.expect("故障发生在哪个环节？")
    child.send(ENTER)
    child.expect("发生了什么故障？")
    child.send(ENTER)
    child.expect("故障何时发生？")
    child.sendintr()
    child.expect(r"qdplan incident --resume (\d{8}-\d{4}-\d+)")
    incident_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert Store.open().incident_ids() == [incident_id]
