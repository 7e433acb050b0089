"""The incident commands without prompts: --case --no-input, log, list, show, resolve, export."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from qdplan_cli.plan.calendar import WorkCalendar
from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.model import Outcome
from qdplan_cli.record.casefile import load_case, parse_case
from qdplan_cli.record.incident import decide_incident, load
from qdplan_cli.record.store import Store

from .conftest import DATA, Clock, Result, venv_bin

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def start_from_case(run: Callable[..., Result], name: str) -> str:
    result = run("incident", "--case", str(DATA / name), "--no-input")
    assert result.code == 0, result.err
    return Store.open().incident_ids()[-1]


def test_without_a_terminal_the_wizard_exits_2_and_names_the_way_out(
    run: Callable[..., Result], clock: Clock
) -> None:
    result = run("incident")
    assert result.code == 2
    assert "--case" in result.err and "--no-input" in result.err
    assert Store.open().incident_ids() == []


def test_without_a_terminal_the_installed_command_never_waits(tmp_path: Path) -> None:
    qdplan = venv_bin("qdplan")
    env = {**os.environ, "QDPLAN_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [str(qdplan), "incident"],
        stdin=subprocess.PIPE,  # an open pipe that never sends anything
        capture_output=True,
        env=env,
        timeout=20,
    )
    assert done.returncode == 2
    assert "--case" in done.stderr.decode("utf-8")


def test_case_no_input_stores_the_incident_and_prints_the_checklist(
    run: Callable[..., Result], clock: Clock
) -> None:
    clock.advance(days=3)  # after the example's events (2026-12-10)
    result = run("incident", "--case", str(DATA / "evaluation-system-wait.toml"), "--no-input")
    assert result.code == 0, result.err
    assert "说明情况，等候修复后继续" in result.out
    assert "故障已于 2026年12月10日（周四）14:55 排除" in result.out
    listed = json.loads(run("list", "--json").out)
    assert len(listed) == 1
    item = listed[0]
    assert item["project"] == "青岛市某某区智慧校园平台建设项目"
    assert (item["stage"], item["fault"], item["outcome"]) == (
        "evaluation",
        "system",
        "wait_and_resume",
    )
    assert item["started_at"] == "2026-12-10T13:40:00+08:00"
    assert item["id"] == "20261211-0915-1"
    listed_text = run("list").out
    assert "20261211-0915-1  青岛市某某区智慧校园平台建设项目" in listed_text
    assert "评审环节 · 系统故障 · 发生于 2026年12月10日（周四）13:40" in listed_text  # 政府采购


def test_case_no_input_with_a_missing_fact_exits_2_naming_it(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[incident]\nstage = "opening"\nfault = "system"\nstarted_at = 2026-12-08T09:10:00\n',
        encoding="utf-8",
    )
    result = run("incident", "--case", str(case), "--no-input")
    assert result.code == 2
    assert "incident.within_2h" in result.err
    assert "故障能否在2小时内解决" in result.err
    assert "尚需确认" in result.out  # the checklist so far is still printed
    assert "未建立事件记录" in result.err
    # Nothing is stored (README: a missing fact with --no-input stores nothing): a retry, or
    # the same file completed, does not leave one incident per attempt behind.
    assert Store.open().incident_ids() == []
    again = run("incident", "--case", str(case), "--no-input")
    assert again.code == 2 and Store.open().incident_ids() == []


def test_a_case_the_engine_refuses_is_not_stored(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[incident]\nstage = "opening"\nfault = "system"\nwithin_2h = false\nplan = 1\n',
        encoding="utf-8",
    )
    result = run("incident", "--case", str(case), "--no-input")
    assert result.code == 2
    assert "plan" in result.err and "方案二或方案三" in result.err
    assert Store.open().incident_ids() == []


def test_no_input_needs_a_case(run: Callable[..., Result], clock: Clock) -> None:
    result = run("incident", "--no-input")
    assert result.code == 2
    assert "--case" in result.err


def test_log_appends_timestamped_lines_to_the_latest_or_given_incident(
    run: Callable[..., Result], clock: Clock
) -> None:
    first = start_from_case(run, "opening-network-plan3.toml")
    clock.advance(minutes=1)
    second = start_from_case(run, "evaluation-power-plan2.toml")
    assert (first, second) == ("20261208-0915-1", "20261208-0916-1")

    clock.advance(days=1, seconds=7)  # multi-day: the date must be printed in full
    latest = run("log", "已通知保障人员张三")
    assert latest.code == 0, latest.err
    assert latest.out.strip().endswith("2026年12月9日（周三）09:16:07 已通知保障人员张三")
    assert second in latest.out
    given = run("log", first, "--at", "2026-12-08 09:20", "更换移动数据网络后仍无法解密")
    assert given.code == 0, given.err
    assert "2026年12月8日（周二）09:20:00" in given.out

    store = Store.open()
    texts_first = [e.text for e in load(store, first).timeline]
    texts_second = [e.text for e in load(store, second).timeline]
    assert "更换移动数据网络后仍无法解密" in texts_first
    assert "已通知保障人员张三" in texts_second
    assert "已通知保障人员张三" not in texts_first


def test_log_to_an_unknown_incident_names_the_id(run: Callable[..., Result], clock: Clock) -> None:
    start_from_case(run, "opening-network-plan3.toml")
    result = run("log", "20991231-0000-9", "随便")
    assert result.code == 2
    assert "20991231-0000-9" in result.err


def test_commands_without_any_incident_say_how_to_start(
    run: Callable[..., Result], clock: Clock
) -> None:
    for args in (("log", "x"), ("show",), ("export",), ("resolve",)):
        result = run(*args)
        assert result.code == 2, args
        assert "qdplan incident" in result.err
    assert "qdplan incident" in run("list").out
    assert json.loads(run("list", "--json").out) == []


def test_show_prints_the_timeline_with_full_dates_and_the_checklist(
    run: Callable[..., Result], clock: Clock
) -> None:
    incident_id = start_from_case(run, "opening-network-plan3.toml")
    run("log", "技术人员到场")
    result = run("show", incident_id)
    assert result.code == 0, result.err
    out = result.out
    assert "2026年12月8日（周二）09:13:00" in out and "代理机构会同见证人员通知保障人员" in out
    assert "2026年12月8日（周二）09:15:00" in out and "技术人员到场" in out
    # The timeline reads in time order, whatever order the lines were logged in.
    assert out.index("通知保障人员") < out.index("更换移动数据网络后仍无法解密")
    assert "方案三：另行择期开评标" in out


def test_resolve_freezes_the_decision(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[incident]\nstage = "opening"\nfault = "power"\nstarted_at = 2026-12-08T09:10:00\n'
        "within_2h = true\n",
        encoding="utf-8",
    )
    assert run("incident", "--case", str(case), "--no-input").code == 0
    clock.advance(minutes=50)  # 10:05, inside the two hours
    result = run("resolve")
    assert result.code == 0, result.err
    assert "2026年12月8日（周二）10:05 排除" in result.out
    store = Store.open()
    incident = load(store, store.incident_ids()[0])
    at_resolve = decide_incident(incident, clock())
    clock.advance(days=2)  # far past the two-hour line: the answer does not change
    assert decide_incident(incident, clock()) == at_resolve
    assert at_resolve.outcome is Outcome.WAIT_AND_RESUME
    # Without the freeze the engine would now say the plans apply.
    unfrozen = decide(replace(incident.case().situation, resolved_at=None), clock())
    assert unfrozen.outcome is Outcome.CHOOSE_PLAN


def test_resolve_rejects_a_time_before_the_onset(run: Callable[..., Result], clock: Clock) -> None:
    start_from_case(run, "opening-network-plan3.toml")  # started 09:12
    result = run("resolve", "--at", "2026-12-08 09:00")
    assert result.code == 2
    assert "--at" in result.err


@pytest.mark.parametrize(
    "name", ["opening-network-plan3.toml", "evaluation-system-wait.toml", "prep-power-delay.toml"]
)
def test_export_round_trips_through_the_case_file_and_the_engine(
    run: Callable[..., Result], clock: Clock, name: str
) -> None:
    clock.advance(days=3)
    incident_id = start_from_case(run, name)
    run("log", "导出前的一条进展")
    exported = run("export", incident_id)
    assert exported.code == 0, exported.err
    case = parse_case(tomllib.loads(exported.out))
    original = load_case(DATA / name)
    assert case.incident_id == incident_id
    assert case.project == original.project
    assert case.situation == original.situation
    assert (case.experts, case.bidders, case.cause) == (
        original.experts,
        original.bidders,
        original.cause,
    )
    texts = [e.text for e in case.timeline]
    assert all(e.text in texts for e in original.timeline)
    assert "导出前的一条进展" in texts
    incident = load(Store.open(), incident_id)
    calendar = WorkCalendar()
    assert decide(case.situation, clock(), calendar=calendar) == decide(
        incident.case().situation, clock(), calendar=calendar
    )


def test_export_of_a_wizard_incident_is_a_case_file_decide_accepts(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    incident_id = start_from_case(run, "opening-network-plan3.toml")
    out = tmp_path / "case.toml"
    assert run("export", "--out", str(out)).code == 0
    decided = run("decide", "--case", str(out), "--now", "2026-12-08T09:30", "--json")
    assert decided.code == 0, decided.err
    assert json.loads(decided.out)["plan"] == 3
    assert f'id = "{incident_id}"' in out.read_text(encoding="utf-8")


@posix_only
def test_database_and_exports_are_owner_only(
    run: Callable[..., Result], clock: Clock, qdplan_home: Path, tmp_path: Path
) -> None:
    previous = os.umask(0o022)  # the common default: files world-readable unless made private
    try:
        clock.advance(days=3)
        start_from_case(run, "evaluation-system-wait.toml")
    finally:
        os.umask(previous)
    assert (qdplan_home / "qdplan.db").stat().st_mode & 0o777 == 0o600
    assert qdplan_home.stat().st_mode & 0o777 == 0o700
    out = tmp_path / "case.toml"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)  # an existing, world-readable file is tightened, not trusted
    assert run("export", "--out", str(out)).code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert "专家甲" in out.read_text(encoding="utf-8")


@posix_only
def test_export_redirected_by_the_shell_is_made_owner_only(
    run: Callable[..., Result], clock: Clock, qdplan_home: Path, tmp_path: Path
) -> None:
    start_from_case(run, "evaluation-system-wait.toml")
    out = tmp_path / "redirected.toml"
    done = subprocess.run(
        f'umask 022; "{venv_bin("qdplan")}" export > "{out}"',
        shell=True,
        env={**os.environ, "QDPLAN_HOME": str(qdplan_home)},
        timeout=30,
    )
    assert done.returncode == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert "专家甲" in out.read_text(encoding="utf-8")


def test_export_to_stdout_is_utf8_toml(run: Callable[..., Result], clock: Clock) -> None:
    start_from_case(run, "opening-network-plan3.toml")
    text = run("export").out
    assert text.startswith("# qdplan 事件")
    assert tomllib.loads(text)["incident"]["stage"] == "opening"


def test_log_with_only_an_id_asks_for_the_text(run: Callable[..., Result], clock: Clock) -> None:
    incident_id = start_from_case(run, "opening-network-plan3.toml")
    result = run("log", incident_id)
    assert result.code == 2
    assert "缺少内容" in result.err
    assert incident_id not in [e.text for e in load(Store.open(), incident_id).timeline]


def test_project_file_is_only_for_a_new_incident(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    result = run("incident", "--resume", "--project", str(DATA / "prep-power-delay.toml"))
    assert result.code == 2
    assert "--project" in result.err
