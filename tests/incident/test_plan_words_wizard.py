"""Issue 25, point 4, in the wizard: the evaluation stage asks about 第五条 1's own emergency
network (无线等其它应急网络), not 第四条's (无线、移动数据)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qdplan_cli.ui import prompts

from .conftest import CTRL_C, DOWN, ENTER, Clock, Keyboard, Result

PROJECT_TOML = """\
[project]
name = "青岛某某道路改造工程"
type = "construction"
tenderer = "青岛某某城市建设有限公司"
agency = "山东某某招标代理有限公司"
opening_time = 2026-12-08T09:00:00
"""


@pytest.mark.parametrize(
    ("stage_index", "wanted", "unwanted"),
    [
        (2, "更换无线等其它应急网络后，能否正常评标？", "移动数据"),
        (1, "无线、移动数据等其它应急网络", ""),
    ],
)
def test_point_4_the_fallback_question_is_in_the_stage_s_own_words(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stage_index: int,
    wanted: str,
    unwanted: str,
) -> None:
    asked: list[str] = []
    hints: list[str] = []
    select, hint = prompts.select, prompts.hint

    def spy_select(message: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(message)
        return select(message, *args, **kwargs)

    def spy_hint(text: str, *args: Any, **kwargs: Any) -> Any:
        hints.append(text)
        return hint(text, *args, **kwargs)

    monkeypatch.setattr(prompts, "select", spy_select)
    monkeypatch.setattr(prompts, "hint", spy_hint)
    project = tmp_path / "project.toml"
    project.write_text(PROJECT_TOML, encoding="utf-8")
    keys = (
        DOWN * stage_index
        + ENTER  # 环节 (advice first: stage, fault, onset, then the project)
        + ENTER  # 故障：网络
        + ENTER  # 故障何时发生？ 刚刚
        + ENTER  # 哪个项目？ 使用项目文件
        + CTRL_C  # at the emergency-network question
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project))
    assert result.code == 130, result.err
    question = next(m for m in asked if "应急网络" in m)
    assert wanted in question
    said = question + "".join(h for h in hints if "应急网络" in h)
    assert not unwanted or unwanted not in said
