"""A clean record: a new project starts empty, incidents can be set aside (never deleted), the
default target is the most recent active incident and is named, ticks are events corrected by
later events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from qdplan_cli.record.incident import load
from qdplan_cli.record.store import Store

from .conftest import ENTER, Clock, Keyboard, Result
from .test_incident_wizard import LEAVE, pick, project_file

FIRST_NAMES = (
    "青岛某某道路改造工程",
    "QDJS-2026-0733",
    "青岛某某城市建设有限公司",
    "山东某某招标代理有限公司",
)


def test_a_second_incident_for_a_new_project_has_no_trace_of_the_first(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    first_keys = pick(1) + pick(2) + pick(0) + pick(0) + pick(0) + LEAVE
    with keyboard.typing(first_keys):
        assert run("incident", "--project", str(project_file(tmp_path))).code == 0
    clock.advance(minutes=30)
    second_keys = (
        pick(2)  # 评标环节
        + pick(2)  # 断电
        + pick(0)  # onset: now
        + pick(1)  # 新项目 (the last one is offered first, by name)
        + "青岛市某医院医疗设备采购项目"
        + ENTER
        + "QDCG-2026-1208"
        + ENTER
        + pick(1)  # 政府采购
        + ENTER * 6  # the rest left empty
        + pick(0)  # 能
        + pick(1)  # 记录一条进展
        + "已通知物业值班室"
        + ENTER
        + LEAVE
    )
    with keyboard.typing(second_keys):
        result = run("incident")
    assert result.code == 0, result.err
    store = Store.open()
    first, second = store.incident_ids()
    events = json.dumps([(e.text, e.data) for e in store.events(second)], ensure_ascii=False)
    exported = run("export", second).out
    shown = run("show", second).out
    for name in FIRST_NAMES:
        assert name not in events, name
        assert name not in exported, name
        assert name not in shown, name
    assert "青岛市某医院医疗设备采购项目" in exported
    # The first incident still has its own project, untouched.
    assert load(store, first).project.name == FIRST_NAMES[0]


def test_discard_sets_an_incident_aside_and_the_default_target_skips_it(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[project]\nname = "真项目"\n[incident]\nstage = "opening"\nfault = "power"\n'
        "started_at = 2026-12-08T09:00:00\nwithin_2h = true\n",
        encoding="utf-8",
    )
    assert run("incident", "--case", str(case), "--no-input").code == 0
    test = tmp_path / "test.toml"
    test.write_text(case.read_text(encoding="utf-8").replace("真项目", "测试"), encoding="utf-8")
    assert run("incident", "--case", str(test), "--no-input").code == 0
    real, trial = Store.open().incident_ids()

    assert run("discard", trial).code == 2  # a reason is required
    discarded = run("discard", trial, "--reason", "误操作创建的测试记录")
    assert discarded.code == 0, discarded.err
    listed = run("list")
    assert real in listed.out and trial not in listed.out
    assert "另有 1 个已作废的事件未列出" in listed.err
    assert trial in run("list", "--all").out
    # Without an id, commands act on the most recent active incident, and name it.
    logged = run("log", "已通知物业值班室")
    assert logged.code == 0 and real in logged.out
    shown = run("show")
    assert f"事件 {real}：真项目" in shown.err
    assert "已通知物业值班室" in shown.out
    assert "已通知物业值班室" not in " ".join(e.text for e in load(Store.open(), trial).log)
    # Nothing was deleted: the set-aside incident's chain still verifies.
    assert run("verify", trial).code == 0
    assert run("discard", trial, "--reason", "再次").code == 2


def test_tick_marks_a_step_done_and_a_later_tick_corrects_it(
    clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[project]\nname = "真项目"\n[incident]\nstage = "evaluation"\nfault = "power"\n'
        "started_at = 2026-12-08T09:00:00\nwithin_2h = true\n",
        encoding="utf-8",
    )
    assert run("incident", "--case", str(case), "--no-input").code == 0
    listing = run("tick")
    assert listing.code == 0 and "□1" in listing.out
    done = run("tick", "1", "--at", "2026-12-08 09:05")
    assert done.code == 0, done.err
    assert "已完成：" in done.out
    shown = run("show").out
    assert "√1" in shown and "已于 2026年12月8日（周二）09:05 完成" in shown
    fixed = run("tick", "1", "--at", "2026-12-08 09:07")
    assert "更正：" in fixed.out and "09:05 → 2026年12月8日（周二）09:07" in fixed.out
    undone = run("tick", "1", "--undo")
    assert undone.code == 0 and "撤销" in undone.out
    assert "√1" not in run("show").out
    assert run("tick", "99").code == 2
    assert run("tick", "1", "--at", "2026-12-08 10:00").code == 2  # later than now (09:15)
    store = Store.open()
    (incident_id,) = store.incident_ids()
    ticks = [e for e in store.events(incident_id) if e.kind == "tick"]
    assert len(ticks) == 3  # appended, never rewritten
    assert [e.data["old"] is None for e in ticks] == [True, False, False]
    # The record's 经过 is written from the ticks, in plain sentences.
    record = [e.text for e in load(store, incident_id).timeline]
    assert any(t.startswith("已完成：") for t in record)


def test_the_printed_checklist_shows_a_ticked_step_with_its_time(
    clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    import docx

    case = tmp_path / "case.toml"
    case.write_text(
        '[project]\nname = "真项目"\n[incident]\nstage = "evaluation"\nfault = "power"\n'
        "started_at = 2026-12-08T09:00:00\nwithin_2h = true\n",
        encoding="utf-8",
    )
    assert run("incident", "--case", str(case), "--no-input").code == 0
    assert run("tick", "1", "--at", "2026-12-08 09:05").code == 0
    out = tmp_path / "清单.docx"
    printed = run("checklist", "--out", str(out))
    assert printed.code == 0, printed.err
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "√ " in text and "（2026年12月8日（周二）09:05 完成）" in text
    assert text.count("√ ") == 1  # only the ticked step


def test_a_wrong_resolution_is_corrected_by_a_later_event(
    clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        '[project]\nname = "真项目"\n[incident]\nstage = "evaluation"\nfault = "power"\n'
        "started_at = 2026-12-08T09:00:00\nwithin_2h = true\n",
        encoding="utf-8",
    )
    assert run("incident", "--case", str(case), "--no-input").code == 0
    assert run("resolve", "--at", "2026-12-08 09:10").code == 0
    fixed = run("resolve", "--at", "2026-12-08 09:12")
    assert "09:10 → 2026年12月8日（周二）09:12" in fixed.out
    undone = run("resolve", "--undo")
    assert undone.code == 0 and "撤销故障排除记录" in undone.out
    store = Store.open()
    (incident_id,) = store.incident_ids()
    assert load(store, incident_id).resolved_at is None
    assert [e.kind for e in store.events(incident_id)].count("resolved") == 3
    assert run("resolve", "--undo").code == 2
