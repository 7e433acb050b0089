"""Terminal conventions on the incident commands: the one time parser and future-time rule on
``log --at`` / ``resolve --at``; ``list`` and ``show`` readable at 60 columns."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import DATA, ENTER, Clock, Keyboard, Result

Run = Callable[..., Result]


def start(run: Run) -> str:
    result = run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input")
    assert result.code == 0, result.err
    return "20261208-0915-1"


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_log_at_a_bare_clock_time_means_today_and_says_so(run: Run, clock: Clock) -> None:
    start(run)
    result = run("log", "--at", "9:13", "已通知保障人员")
    assert result.code == 0, result.err
    assert "--at：理解为 2026年12月8日（周二）09:13" in result.err
    assert "2026年12月8日（周二）09:13:00 已通知保障人员" in result.out


def test_log_at_with_a_full_width_colon_is_accepted(run: Run, clock: Clock) -> None:
    start(run)
    result = run("log", "--at", "０９：１４", "拨通技术支持电话")
    assert result.code == 0, result.err
    assert "2026年12月8日（周二）09:14:00 拨通技术支持电话" in result.out


def test_resolve_at_tomorrow_is_refused_naming_the_field(run: Run, clock: Clock) -> None:
    start(run)
    result = run("resolve", "--at", "明天 9:00")
    assert result.code == 2
    assert result.err.strip() == (
        "错误：--at：故障排除时间 2026年12月9日（周三）09:00 晚于现在"
        "（2026年12月8日（周二）09:15），请核对"
    )


def test_resolve_within_the_slack_is_accepted(run: Run, clock: Clock) -> None:
    start(run)
    result = run("resolve", "--at", "9:19")  # four minutes ahead of a clock that may be slow
    assert result.code == 0, result.err
    assert "2026年12月8日（周二）09:19 排除" in result.out


def test_log_without_text_names_the_missing_words_and_an_example(run: Run, clock: Clock) -> None:
    result = run("log")
    assert result.code == 2
    assert "缺少内容" in result.err and 'qdplan log "' in result.err
    assert "args" not in result.err


@pytest.mark.parametrize("command", ["list", "show"])
def test_list_and_show_fit_60_columns_with_dates_unbroken(
    run: Run, clock: Clock, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    start(run)
    run("log", "--at", "9:14", "已通知保障人员张三，电话已接通，正在排查机房交换机和出口线路")
    monkeypatch.setenv("COLUMNS", "60")
    result = run(command)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(columns(line) for line in lines) <= 60
    assert any("2026年12月8日（周二）09:12" in line for line in lines)  # a date on one line
    if command == "show":
        assert any("2026年12月8日（周二）09:14:00" in line for line in lines)
        body = "".join(line.strip("│ ") for line in lines)
        assert "正在排查机房交换机和出口线路" in body
    else:
        assert "开标过程中 · 网络故障" in result.out


def test_the_wizard_reads_a_short_onset_as_today_says_so_and_refuses_the_future(
    keyboard: Keyboard,
    clock: Clock,
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qdplan_cli.ui import prompts

    from .test_incident_wizard import answers, only_incident, pick, project_file

    hints: list[str] = []  # what the wizard prints beside its prompts
    monkeypatch.setattr(prompts, "hint", hints.append)

    keys = (
        pick(0)  # stage
        + pick(0)  # fault
        + pick(1)  # onset: other time…
        + "明天 9:00"  # refused beside the prompt (the future-time rule): typed over
        + ENTER
        + "\x7f" * 7
        + "０９０５"  # full-width digits from a Chinese input method, no colon
        + ENTER
    )  # the keys end at the next question: the wizard stops there, every answer saved
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 130 and "已回答的内容都已保存" in result.err
    store, incident_id = only_incident()
    started = [a for a in answers(store, incident_id) if a[0] == "started_at"]
    assert started[-1][2] == "2026-12-08T09:05:00+08:00"  # not tomorrow: refused at the prompt
    assert "理解为 2026年12月8日（周二）09:05" in hints
