"""The wizard driven through a real questionary/prompt_toolkit session fed by a pipe."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qdplan_cli.plan.calendar import WorkCalendar
from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.model import Outcome
from qdplan_cli.record.casefile import parse_case
from qdplan_cli.record.incident import decide_incident, load
from qdplan_cli.record.store import Store

from .conftest import CTRL_C, DOWN, ENTER, UP, Clock, Keyboard, Result

PROJECT_TOML = """\
[project]
name = "青岛某某道路改造工程"
number = "QDJS-2026-0733"
type = "construction"
tenderer = "青岛某某城市建设有限公司"
agency = "山东某某招标代理有限公司"
opening_time = 2026-12-08T09:00:00
"""


def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "project.toml"
    path.write_text(PROJECT_TOML, encoding="utf-8")
    return path


def pick(index: int) -> str:
    """Move the pointer ``index`` places down, then confirm."""
    return DOWN * index + ENTER


# The hub: 记录一条进展, 故障已排除, ← 返回上一步, 刷新清单, 原因经过措施, 退出.
LEAVE = UP + ENTER  # the last choice (questionary wraps around)
HUB_DETAILS = UP * 2 + ENTER  # the hub ends: ← 返回上一步, 原因经过措施, 退出
HUB_BACK = UP * 3 + ENTER


def only_incident() -> tuple[Store, str]:
    store = Store.open()
    ids = store.incident_ids()
    assert len(ids) == 1
    return store, ids[0]


def answers(store: Store, incident_id: str) -> list[tuple[str, object, object]]:
    return [
        (e.data["field"], e.data["old"], e.data["value"])
        for e in store.events(incident_id)
        if e.kind == "answer"
    ]


def test_full_run_from_first_question_to_plan(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)  # 环节：开标过程中 (the first question: stage, fault, onset, then the project)
        + pick(0)  # 故障：网络
        + pick(0)  # 故障何时发生？ 刚刚 09:15 (the launch time)
        + pick(0)  # 哪个项目？ 使用项目文件
        + pick(1)  # 应急网络：不能
        + pick(1)  # 简单维修：不能
        + pick(1)  # 2小时内：不能
        + pick(2)  # 方案三
        + LEAVE  # 退出
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    # The checklist after the plan was chosen: plan 3, the two-hour line as a clock time.
    assert "方案三：另行择期开评标" in result.out
    assert "2026年12月8日（周二）11:15 前未恢复 → 招标人可在三种方案中选择一种" in result.out
    assert "延期开标书面补充公告" in result.out
    store, incident_id = only_incident()
    assert incident_id == "20261208-0915-1"
    assert answers(store, incident_id) == [
        ("stage", None, "opening"),
        ("fault", None, "network"),
        ("fallback_works", None, False),
        ("quick_fix_works", None, False),
        ("within_2h", None, False),
        ("plan", None, 3),
    ]
    incident = load(store, incident_id)
    assert incident.project.name == "青岛某某道路改造工程"
    decision = decide_incident(incident, clock())
    assert decision.outcome is Outcome.CHOOSE_PLAN and decision.plan == 3
    assert not decision.missing
    # The wizard's incident exported is a case file the engine decides the same way.
    exported = run("export")
    case = parse_case(tomllib.loads(exported.out))
    assert decide(case.situation, clock(), calendar=WorkCalendar()) == decide_incident(
        incident, clock()
    )
    # Answers are in the event log (``show``), not in the written record's 经过.
    assert "确认 所处环节：开标过程中" in [e.text for e in incident.log]
    assert "确认 所处环节：开标过程中" not in [e.text for e in case.timeline]


def test_the_full_checklist_is_printed_once_on_leaving(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = pick(2) + pick(2) + pick(0) + pick(0) + pick(0) + LEAVE
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    # The status block sits above each question; the full checklist is printed once, on leaving.
    assert result.out.count("事件 20261208-0915-1 ·") == 1
    assert "说明情况，等候修复后继续" in result.out
    assert "物业楼层服务人员" in result.out


def test_going_back_changes_an_answer_and_records_old_and_new(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)  # stage: opening
        + pick(3)  # fault question: ← 返回上一步 (network, system, power, back)
        # The stage again, the pointer on the current answer (开标过程中); one down: 评标环节.
        + pick(1)
        + pick(1)  # fault: system
        + pick(0)  # onset: now
        + pick(0)  # project: the file
        + pick(0)  # within_2h: 能
        + LEAVE  # hub: 退出
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    assert answers(store, incident_id)[:2] == [
        ("stage", None, "opening"),
        ("stage", "opening", "evaluation"),
    ]
    timeline = [e.text for e in store.events(incident_id)]
    assert "更改 所处环节：开标过程中 → 评标环节" in timeline
    decision = decide_incident(load(store, incident_id), clock())
    assert decision.stage.value == "evaluation"
    assert decision.outcome is Outcome.WAIT_AND_RESUME


def test_back_twice_reaches_the_onset_time(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(2)  # stage: evaluation
        + pick(0)  # fault: network
        + pick(0)  # onset: 刚刚
        + pick(4)  # project (file, new, edit, later, back): back → the onset
        + pick(1)  # onset: 刚刚 (kept), other → other
        + "09:05"
        + ENTER
        + pick(0)  # project: the file
        + pick(1)  # fallback: 不能
        + pick(1)  # quick fix: 不能
        + pick(1)  # within 2 h: 不能
        + pick(0)  # plan 1
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    started = [a for a in answers(store, incident_id) if a[0] == "started_at"]
    assert started == [("started_at", "2026-12-08T09:15:00+08:00", "2026-12-08T09:05:00+08:00")]
    incident = load(store, incident_id)
    decision = decide_incident(incident, clock())
    # The two-hour line moved with the onset.
    assert decision.two_hour_line is not None
    assert decision.two_hour_line.strftime("%H:%M") == "11:05"
    assert decision.plan == 1


def test_ctrl_c_saves_and_resume_after_the_two_hour_line_asks_for_the_plan(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)
        + pick(2)  # opening, power
        + pick(0)
        + pick(0)  # onset, project
        + pick(0)  # within_2h: 能 → wait and resume
        + CTRL_C  # at the hub
    )
    with keyboard.typing(keys):
        first = run("incident", "--project", str(project_file(tmp_path)))
    assert first.code == 130
    assert "qdplan incident --resume 20261208-0915-1" in first.err
    store, incident_id = only_incident()
    assert [a[0] for a in answers(store, incident_id)] == ["stage", "fault", "within_2h"]
    store.close()

    clock.advance(hours=3)  # the two-hour line (11:15) passes while away
    keys = pick(2) + LEAVE  # plan 2 (below 暂不选择: the 2-hour question was skipped), leave
    with keyboard.typing(keys):
        second = run("incident", "--resume")
    assert second.code == 0, second.err
    assert "离开期间已过2小时节点（2026年12月8日（周二）11:15）" in second.out
    store = Store.open()
    decision = decide_incident(load(store, incident_id), clock())
    assert decision.outcome is Outcome.CHOOSE_PLAN and decision.plan == 2


def test_ctrl_c_on_the_very_first_question_creates_no_incident(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = CTRL_C
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 130
    assert "没有创建事件记录" in result.err
    assert Store.open().incident_ids() == []
    assert "没有未作废的事件" not in run("list").err


def test_resolving_in_the_wizard_freezes_the_decision(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(2)
        + pick(1)  # evaluation, system
        + pick(0)
        + pick(0)  # onset, project
        + pick(0)  # within_2h: 能
    )
    keys += (
        pick(1)  # hub: 记录一条进展
        + "已通知系统管理人员李四"
        + ENTER
        + pick(4)  # hub (勾选, 进展, 专家到离, 专家提前离开, 故障已排除, …): 故障已排除
        + pick(0)  # 故障何时排除？ 刚刚
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    assert "故障已于 2026年12月8日（周二）09:15 排除" in result.out
    store, incident_id = only_incident()
    incident = load(store, incident_id)
    assert incident.resolved_at == clock()
    assert "已通知系统管理人员李四" in [e.text for e in incident.timeline]
    # A day later the incident decides exactly as when it was cleared.
    assert decide_incident(incident, clock.now.replace(day=9)) == decide_incident(incident, clock())
    assert decide(incident.case().situation, incident.resolved_at) == decide_incident(
        incident, clock.now.replace(day=9)
    )


def test_a_new_project_is_typed_in_and_the_next_incident_offers_it(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result]
) -> None:
    keys = (
        pick(0)  # stage
        + pick(0)  # fault
        + pick(0)  # onset: now
        + pick(2)  # project (later as 建设工程, later as 政府采购, now): now
        + "青岛某某学校采购项目"
        + ENTER  # name
        + "QDCG-2026-0001"
        + ENTER  # number
        + pick(1)  # type: 政府采购
        + ENTER * 5  # tenderer, agency, venue, contact, phone: skipped
        + "2026-12-08 09:30"
        + ENTER  # opening time
        + CTRL_C
    )
    with keyboard.typing(keys):
        assert run("incident").code == 130
    # Stage, fault, onset, then the last project offered first: one keystroke.
    keys = pick(0) + pick(0) + pick(0) + pick(0) + CTRL_C
    with keyboard.typing(keys):
        assert run("incident").code == 130
    store = Store.open()
    first, second = (load(store, i) for i in store.incident_ids())
    assert first.project == second.project
    assert second.project.type == "procurement"
    assert second.project.opening_time is not None
    assert second.project.opening_time.strftime("%Y-%m-%d %H:%M") == "2026-12-08 09:30"


def test_a_prepared_case_asks_only_what_is_missing(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[incident]\nstage = "opening"\nfault = "system"\nstarted_at = 2026-12-08T09:10:00\n',
        encoding="utf-8",
    )
    keys = (
        pick(3)  # within_2h (能, 不能, 故障已排除, back): back → the project
        + pick(3)  # project (later ×2, now, back): back → the onset
        + pick(3)  # onset (keep 09:10, now, other, back): back → the fault from the case file
        + pick(1)  # fault: pointer on 系统故障 (1); one down: 断电
        + pick(1)  # within_2h: 不能
        + pick(0)  # plan 1 (allowed again: a power cut allows all three)
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--case", str(case))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    assert answers(store, incident_id)[-3:] == [
        ("fault", "system", "power"),
        ("within_2h", None, False),
        ("plan", None, 1),
    ]


def test_changing_the_fault_drops_a_plan_it_forbids_and_asks_again(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)  # stage: opening
        + pick(2)  # fault: power
        + pick(0)  # onset: keep
        + pick(0)  # project: the file
        + pick(1)  # within 2 h: 不能
        + pick(0)  # plan 1
        + HUB_BACK  # hub: ← 返回上一步 → the plan
        + pick(3)  # plan (1, 2, 3, back), pointer on plan 1: back → within 2 h
        + pick(2)  # within 2 h (能, 不能, 已排除, back), pointer on 不能: back → the project
        + pick(3)  # project (keep, edit, new, back): back → the onset
        + pick(2)  # onset (刚刚, other, back): back → the fault
        + UP
        + ENTER  # fault, pointer on 断电: one up is 系统故障
        + pick(0)  # plan asked again, only 2 and 3 offered: plan 2
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    assert answers(store, incident_id)[-3:] == [
        ("fault", "power", "system"),
        ("plan", 1, None),
        ("plan", None, 2),
    ]
    texts = [e.text for e in store.events(incident_id)]
    # The timeline names no role (政府采购: 采购人) and no stage-bound plan name.
    assert "更改 选择的应急方案：方案一（另行选择地点） → （未填）" in texts
    assert decide_incident(load(store, incident_id), clock()).plan == 2


def test_going_back_passes_over_answers_that_no_longer_matter(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)  # stage: opening
        + pick(0)  # fault: network
        + pick(0)  # onset: keep
        + pick(0)  # project: the file
        + pick(1)  # emergency network: 不能
        + pick(0)  # quick fix: 能 → proceed
        + HUB_BACK  # hub: back → the quick fix
        + pick(3)  # quick fix, pointer on 能: back → the emergency network
        + UP
        + ENTER  # emergency network, pointer on 不能: one up is 能 → proceed
        + HUB_BACK  # hub: back → the quick fix no longer matters: the emergency network
        + pick(1)  # pointer on 能: one down is 不能
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    assert answers(store, incident_id)[2:] == [
        ("fallback_works", None, False),
        ("quick_fix_works", None, True),
        ("fallback_works", False, True),
        ("fallback_works", True, False),
    ]


def test_an_onset_in_the_future_is_refused_until_corrected(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(0)  # stage
        + pick(0)  # fault
        + pick(1)  # onset: 刚刚, other → other
        + "23:59"
        + ENTER  # later than now (09:15): refused, the text stays for correcting
        + "\x7f" * 5
        + "09:02"
        + ENTER
        + CTRL_C  # at the project question
    )
    with keyboard.typing(keys):
        assert run("incident", "--project", str(project_file(tmp_path))).code == 130
    store, incident_id = only_incident()
    started = load(store, incident_id).started_at
    assert started is not None and started.strftime("%H:%M") == "09:02"


def test_cause_course_and_measures_are_recorded_for_the_written_record(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(2)  # stage: evaluation
        + pick(2)  # fault: power
        + pick(0)  # onset: keep
        + pick(0)  # project: the file
        + pick(0)  # within 2 h: 能
        + HUB_DETAILS  # hub: 填写原因、经过、解决措施
        + "评标室所在楼层配电箱跳闸"
        + ENTER
        + ENTER  # course: left empty
        + "物业恢复供电，专家在休息区等候"
        + ENTER
        + LEAVE
    )
    with keyboard.typing(keys):
        assert run("incident", "--project", str(project_file(tmp_path))).code == 0
    exported = parse_case(tomllib.loads(run("export").out))
    assert exported.cause == "评标室所在楼层配电箱跳闸"
    assert exported.course == ""
    assert exported.measures == "物业恢复供电，专家在休息区等候"
    # The record carries them as 原因 and 解决措施; its 经过 is not a log of what was typed.
    texts = [e.text for e in exported.timeline]
    assert not any(t.startswith("填写 原因") for t in texts)


def test_recording_the_supplementary_notice_gives_the_earliest_reopening(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        pick(1)  # 开标过程中
        + pick(2)  # 停电
        + pick(0)  # 故障发生时间：刚刚
        + pick(0)  # 项目文件
        + pick(1)  # 2小时内：不能
        + pick(2)  # 方案三
        # hub: 勾选步骤, 记录进展, 方案三·出具, ·经监管部门备案, ·现场公布, 拟定新时间, …
        + pick(2)
        # the clock reads 09:15, the fault began then: a publication lies neither ahead of
        # now nor before the onset
        + "2026-12-08 09:15"
        + ENTER
        + pick(5)  # 填写拟定的新开标时间
        + "2026-12-09 09:00"
        + ENTER
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    # 4.2.1 方案三: issued Tue → Wed is the one full working day → Thu 09:00.
    assert "最早 2026年12月10日（周四）09:00" in result.out
    assert "早于原则上的最早时间" in result.out
    store, incident_id = only_incident()
    fields = [field for field, _, _ in answers(store, incident_id)]
    assert fields[-2:] == ["supplement_issued_at", "new_time"]
    exported = run("export", incident_id)
    assert "supplement_issued_at = 2026-12-08 09:15:00+08:00" in exported.out


def test_after_the_line_a_keystroke_meant_for_the_skipped_question_picks_no_plan(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qdplan_cli.ui import prompts

    alarms: list[str] = []
    monkeypatch.setattr(prompts, "alarm", alarms.append)
    keys = (
        pick(1)  # 开标过程中
        + pick(2)  # 停电
        + pick(1)  # onset: other
        + "06:00"  # three hours ago: the 2-hour line (08:00) has passed
        + ENTER
        + pick(0)  # the project file
        + ENTER  # meant for "能否在2小时内解决？", which is not asked: lands on 暂不选择
        + LEAVE  # the hub
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store, incident_id = only_incident()
    assert "plan" not in [field for field, _, _ in answers(store, incident_id)]
    assert any("不再询问“能否在2小时内解决”" in text for text in alarms), alarms


def test_facts_out_of_the_plans_order_are_shown_at_once_with_the_clause(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qdplan_cli.ui import prompts

    alarms: list[str] = []
    monkeypatch.setattr(prompts, "alarm", alarms.append)
    keys = (
        pick(0)  # 开标准备阶段
        + pick(1)  # 系统故障
        + pick(1)  # onset: other
        + "08:40"
        + ENTER
        + pick(0)  # the project file (opening 09:00, passed: a delay notice)
        # hub: 勾选, 进展, 延迟开标公告已发布, 拟定新时间, 故障已排除, …
        + pick(2)
        + "09:10"  # published while the system is still down (待系统服务恢复后)
        + ENTER
    )
    with keyboard.typing(keys + LEAVE):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    assert len(alarms) == 1 and "第四条（一）2" in alarms[0] and "待系统服务恢复后" in alarms[0]
    alarms.clear()
    keys = (
        pick(3)  # 拟定的新开标时间 (the earliest: 11:10)
        + "2026-12-08 10:00"
        + ENTER
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--resume")
    assert result.code == 0, result.err
    early = [a for a in alarms if "早于原则上的最早时间" in a]
    assert len(early) == 1 and "例外理由" in early[0] and "原则上" in early[0], alarms


def test_a_procurement_project_hears_procurement_words_in_every_question(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qdplan_cli.ui import prompts

    said: list[str] = []
    real_select, real_text = prompts.select, prompts.text

    def select(message: str, choices: list[tuple[str, str]], *args: Any, **kw: Any) -> str:
        said.extend([message, *(title for title, _ in choices)])
        return real_select(message, choices, *args, **kw)

    def text(message: str, *args: Any, **kw: Any) -> str:
        said.append(message)
        return real_text(message, *args, **kw)

    monkeypatch.setattr(prompts, "select", select)
    monkeypatch.setattr(prompts, "text", text)
    monkeypatch.setattr(prompts, "hint", said.append)
    project = tmp_path / "project.toml"
    project.write_text(PROJECT_TOML.replace('"construction"', '"procurement"'), encoding="utf-8")
    keys = (
        pick(2)  # 评审环节
        + pick(2)  # 断电
        + pick(0)  # onset
        + pick(0)  # the project file
        + pick(1)  # 2小时内：不能
        + pick(0)  # 方案一
        # hub: 勾选, 进展, 方案备案, 专家到离, 专家提前离开, 故障已排除, …
        + pick(3)
        + ENTER  # one expert
        + pick(1)  # arrived: 故障发生时
        + pick(0)  # left: now
        + pick(0)  # 已开始评审
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project))
    assert result.code == 0, result.err
    words = "\n".join(said)
    assert "评审环节" in words and "采购人选择哪种应急方案？" in words
    assert "这些专家是否已开始评审？" in words and "故障发生时（" in words
    assert "物业楼层服务人员判断" in words  # a power cut: not 技术人员
    for wrong in ("评标", "招标人", "投标人"):
        assert wrong not in words, (wrong, words)


def _columns(text: str) -> int:
    """Columns on a console that draws East-Asian-ambiguous characters two wide (conhost)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def _wider_than_80(menu: list[str]) -> list[str]:
    """The entries of a menu that overflow 80 columns after its pointer (" » ")."""
    return [title for title in menu if _columns(" » " + title) > 80]


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The entries of every menu the wizard shows, in order (``prompts.select`` still asks)."""
    from qdplan_cli.ui import prompts

    shown: list[list[str]] = []
    select = prompts.select

    def seen(message: str, choices: Any, default: str | None = None) -> str:
        shown.append([title for title, _ in choices])
        return select(message, choices, default)

    monkeypatch.setattr(prompts, "select", seen)
    return shown


def test_a_recorded_time_keeps_every_hub_entry_within_80_columns(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    menus: list[list[str]],
) -> None:
    """Once a time is recorded, its hub entry says it (已记录 12月8日 09:15) in place of what
    recording it is for, and the line still fits 80 columns after the pointer: a cut entry
    hid the time itself ("…（已记录 12月4")."""
    from qdplan_cli.ui.wizard import _recorded
    from qdplan_cli.ui.wording import WIZARD

    at = "2026-12-08 09:15" + ENTER
    keys = (
        pick(1)  # 开标过程中
        + pick(2)  # 停电
        + pick(0)  # 刚刚
        + pick(0)  # 项目文件
        + pick(1)  # 2小时内：不能
        + pick(2)  # 方案三
        + pick(2)  # 方案三·出具
        + at
        + pick(3)  # 方案三·经监管部门备案
        + at
        + pick(4)  # 方案三·现场公布
        + at
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    last = menus[-1]
    recorded = [title for title in last if "（已记录 12月8日 09:15）" in title]
    assert len(recorded) == 3, last
    assert not _wider_than_80(last), last
    # Every time a hub entry records, when recorded (the delay notice's and the filing's too).
    moment = clock()
    for key in (
        "notice_published_at",
        "plan_filed_at",
        "supplement_issued_at",
        "supplement_announced_at",
        "plan3_filed_at",
    ):
        title = _recorded(WIZARD[key], moment.replace(month=12, day=28, hour=23, minute=59))
        assert title.endswith("（已记录 12月28日 23:59）"), title
        assert _columns(" » " + title) <= 80, title


def test_a_recorded_filing_keeps_its_hub_entry_within_80_columns(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    menus: list[list[str]],
) -> None:
    """Evaluation, 方案二 filed: the entry "方案已报监管部门备案…" once recorded fits 80 columns."""
    keys = (
        pick(2)  # 评标环节
        + pick(2)  # 停电
        + pick(0)  # 刚刚
        + pick(0)  # 项目文件
        + pick(1)  # 2小时内：不能
        + pick(1)  # 方案二
        + pick(2)  # 方案已报监管部门备案
        + "2026-12-08 09:15"
        + ENTER
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    filed = [title for title in menus[-1] if title.startswith("方案已报监管部门备案")]
    assert filed == ["方案已报监管部门备案：记录备案时间（已记录 12月8日 09:15）"], menus[-1]
    assert not _wider_than_80(menus[-1]), menus[-1]
