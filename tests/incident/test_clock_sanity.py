"""A sane clock (issue 24): a clock set back (a flat CMOS battery after a power cut) is refused,
or in the wizard warned about in red and confirmed, instead of taken silently; a line logged
with a stated time shows when it was recorded beside it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qdplan_cli.plan.clock import clock_behind
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.store import Store

from .conftest import DATA, Clock, Keyboard, Result
from .test_incident_wizard import pick, project_file

Run = Callable[..., Result]
T = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
CASE = str(DATA / "prep-power-delay.toml")


def test_clock_behind_is_a_pure_check() -> None:
    assert clock_behind(None, T) is None
    assert clock_behind(T, T + timedelta(hours=1)) is None
    assert clock_behind(T, T - timedelta(seconds=30)) is None  # a clock stepped back a little
    problem = clock_behind(T, datetime(2019, 6, 1, 8, 0, tzinfo=shanghai()))
    assert problem is not None
    assert "2019年6月1日" in problem.message and "2026年12月8日" in problem.message


def events(home: Path) -> int:
    with Store.open(home) as store:
        return sum(len(store.events(i)) for i in store.incident_ids())


@pytest.mark.parametrize("command", [("log", "第二条"), ("tick", "1"), ("resolve",)])
def test_a_clock_set_back_is_refused_and_nothing_is_written(
    command: tuple[str, ...],
    run: Run,
    clock: Clock,
    qdplan_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    assert run("log", "第一条").code == 0
    before = events(qdplan_home)
    clock.now = datetime(2019, 6, 1, 8, 0, tzinfo=shanghai())  # the CMOS battery went flat
    result = run(*command)
    assert result.code == 2, (result.out, result.err)
    # The clock check, or for resolve the onset rule that meets the 2019 time first.
    assert "2019年6月1日" in result.err and "早于" in result.err
    assert events(qdplan_home) == before
    # The witness who knows the clock is right says so explicitly.
    monkeypatch.setenv("QDPLAN_CLOCK_OK", "1")
    assert run("log", "时钟无误").code == 0


def test_a_new_incident_on_a_clock_set_back_is_refused(run: Run, clock: Clock) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    clock.now = datetime(2019, 6, 1, 8, 0, tzinfo=shanghai())
    other = str(DATA / "opening-network-plan3.toml")  # the same file again would resume
    result = run("incident", "--case", other, "--no-input")
    assert result.code == 2 and "早于上一条记录的记录时间" in result.err
    assert run("list").out.count("2026120") == 1  # the one incident; no id from 2019


def test_the_wizard_warns_in_red_and_asks(
    keyboard: Keyboard, clock: Clock, run: Run, tmp_path: Path
) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    clock.now = datetime(2019, 6, 1, 8, 0, tzinfo=shanghai())
    with keyboard.typing(pick(0) + pick(0)):  # the project; then "do not record"
        stopped = run("incident", "--project", str(project_file(tmp_path)))
    assert stopped.code == 2, stopped.err
    assert "警告：本机时钟显示 2019年6月1日" in stopped.out
    assert run("list").out.count("2026120") == 1
    with keyboard.typing(pick(0) + pick(1) + "\x03"):  # the project; "the clock is right"
        confirmed = run("incident", "--project", str(project_file(tmp_path)))
    assert confirmed.code == 130, confirmed.err
    assert "20190601-0800-1" in run("list").out


def test_a_stated_time_shows_when_it_was_recorded(run: Run, clock: Clock) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    clock.advance(minutes=20)  # 09:35
    assert run("log", "--at", "09:20", "已通知保障人员").code == 0
    assert run("log", "现在记下的一条").code == 0
    shown = run("show").out
    assert "已通知保障人员（记录于 2026年12月8日（周二）09:35）" in shown
    assert "现在记下的一条（记录于" not in shown


def test_an_at_before_the_onset_is_refused(run: Run, clock: Clock) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    result = run("log", "--at", "2026-12-01 08:00", "太早的一条")
    assert result.code == 2 and "--at" in result.err
