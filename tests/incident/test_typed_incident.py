"""Issue 19, "one typed incident": what the witness recorded is what every reader reads. One test
per point of the issue (1–9), each failing on the code before it."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qdplan_cli.plan.times import SHANGHAI
from qdplan_cli.record import casefile
from qdplan_cli.record import incident as incident_module
from qdplan_cli.record.handover import local_chain, review_item
from qdplan_cli.record.incident import decide_incident, load
from qdplan_cli.record.review_stats import review
from qdplan_cli.record.store import NewEvent, Store
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui import prompts
from qdplan_cli.ui.wizard import Wizard

from .conftest import DATA, Clock, Result

Run = Callable[..., Result]

# 方案二 chosen and filed with the supervisor, then the fault fixed inside the 2 hours; the new
# time earlier than the minimum, with its reason (原则上).
FILED_THEN_FIXED = """
[project]
name = "某某工程"
opening_time = 2026-12-08T09:00:00

[incident]
stage = "opening"
fault = "network"
started_at = 2026-12-08T09:10:00
fallback_works = false
quick_fix_works = false
within_2h = false
plan = 2
plan_filed_at = 2026-12-08T09:40:00
resolved_at = 2026-12-08T10:30:00
override_reason = "到场投标人均书面同意"
"""


def case_file(tmp_path: Path, text: str = FILED_THEN_FIXED, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_id() -> str:
    (incident_id,) = Store.open().incident_ids()
    return incident_id


# 1 ---------------------------------------------------------------------------------------------


def test_1_an_imported_filing_and_reason_are_kept_by_the_incident_and_its_export(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    path = case_file(tmp_path)
    assert run("incident", "--case", str(path), "--no-input").code == 0
    with Store.open() as store:
        stored = load(store, only_id()).case()
    assert stored.situation.plan_filed_at == datetime(2026, 12, 8, 9, 40, tzinfo=SHANGHAI)
    assert stored.situation.override_reason == "到场投标人均书面同意"
    # A filed 方案二 stands, fixed inside the 2 hours or not: not "等候修复".
    listed = json.loads(run("list", "--json").out)
    assert listed[0]["outcome"] == "choose_plan" and listed[0]["plan"] == 2
    exported = run("export")
    assert exported.code == 0, exported.err
    data = tomllib.loads(exported.out)
    assert data["incident"]["override_reason"] == "到场投标人均书面同意"
    assert "plan_filed_at" in data["incident"]
    again = case_file(tmp_path, exported.out, "exported.toml")
    at = "--now", "2026-12-08 10:30"
    assert (
        run("decide", "--case", str(again), "--json", *at).out
        == run("decide", "--case", str(path), "--json", *at).out
    )


# 2 ---------------------------------------------------------------------------------------------


def test_2_the_review_reads_acts_not_texts_leaves_discarded_out_and_counts_experts(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    evaluation = FILED_THEN_FIXED.replace('"opening"', '"evaluation"').replace(
        "resolved_at = 2026-12-08T10:30:00", "resolved_at = 2026-12-08T12:10:00"
    )
    unfiled_text = evaluation.replace("plan_filed_at = 2026-12-08T09:40:00\n", "")
    clock.now = datetime(2026, 12, 8, 12, 30, tzinfo=SHANGHAI)
    ids = []
    for n, text in enumerate(
        (
            unfiled_text,  # a log line says "尚未备案": no filing
            evaluation,  # filed
            evaluation + ATTENDANCE,  # five experts recorded by count, no names
            evaluation,  # set aside
        )
    ):
        path = case_file(tmp_path, text.replace("某某工程", f"某某工程（备案）{n}"), f"{n}.toml")
        assert run("incident", "--case", str(path), "--no-input").code == 0
        ids.append(Store.open().incident_ids()[-1])
    unfiled, filed, counted, discarded = ids
    assert run("log", unfiled, "尚未备案").code == 0
    assert run("discard", discarded, "--reason", "误建").code == 0
    with Store.open() as store:
        items = [review_item(local_chain(store, i, laptop="", hall="中心")) for i in ids]
    result = review(items, 2026)
    figures = {f.key: f for f in result.figures()}
    assert discarded not in figures["total"].ids and figures["total"].count == 3
    assert result.discarded.ids == [discarded]
    assert unfiled in figures["gap.unfiled"].ids  # "尚未备案" is no filing
    assert filed not in figures["gap.unfiled"].ids
    assert figures["experts.hours"].ids == [counted]  # 5 experts by count, no names
    assert figures["experts.hours"].value == 15.0  # 5 × 3 h


ATTENDANCE = """
[[attendance]]
arrived_at = 2026-12-08T08:50:00
left_at = 2026-12-08T12:10:00
count = 5
"""


# 3 ---------------------------------------------------------------------------------------------


def test_3_a_tick_reads_in_the_record_with_the_steps_whole_text(run: Run, clock: Clock) -> None:
    assert (
        run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input").code == 0
    )
    with Store.open() as store:
        target = load(store, only_id())
        decision = decide_incident(target, clock.now)
    number, step = next(
        (n, s)
        for n, s in enumerate(incident_module.numbered_steps(decision), 1)
        if len(s[2].text) > 60
    )
    assert run("tick", str(number)).code == 0
    with Store.open() as store:
        texts = [e.text for e in load(store, only_id()).case().timeline]
    whole = step[2].text.rstrip("。；")
    assert f"已完成：{whole}" in texts
    assert not any("…" in t for t in texts)


# 4 ---------------------------------------------------------------------------------------------


def scripted(answers: dict[str, str], clock: Clock, asked: list[str]) -> Callable[..., str]:
    """``prompts.select`` answering by the question; each answer takes the witness 80 s."""

    def select(message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
        asked.append(message)
        clock.advance(seconds=80)
        for question, value in answers.items():
            if question in message:
                return value
        raise AssertionError(f"unexpected question {message!r}")

    return select


def test_4_an_expert_leaving_is_stamped_when_answered_the_commitment_asked_the_draw_later(
    run: Run, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = DATA / "evaluation-system-wait.toml"  # the fault 13:40–14:55 on 2026-12-10
    clock.now = datetime(2026, 12, 10, 14, 30, tzinfo=SHANGHAI)
    assert run("incident", "--case", str(case), "--no-input").code == 0
    incident_id = only_id()
    asked: list[str] = []
    answers = {"何时离开": "now", "何时到达": "keep", "承诺": "false", "补抽": "false"}
    monkeypatch.setattr(prompts, "select", scripted(answers, clock, asked))
    monkeypatch.setattr(prompts, "done", lambda text: None)
    with Store.open() as store:
        wizard = Wizard(store, Runtime(), incident_id)
        wizard.ask_expert_left(wizard.load())
        answered = clock.now - timedelta(seconds=80 * 3)  # the 1st answer, after its 80 s
        left = wizard.load()
        assert any("承诺" in q for q in asked)
        (leaver,) = left.leavers
        assert leaver.left_at == answered  # not the moment the menu was drawn
        assert leaver.commitment is False and leaver.replaced_at is None
        assert "尚未签署" in left.log[-1].text
        experts_before = sum(a.count for a in left.attendance)
        wizard.ask_expert_commitment(left)  # signed later, recorded from the hub (5.1)
        signed = wizard.load()
        assert signed.leavers[0].commitment is True
        assert signed.leavers[0].signed_at == clock.now
        wizard.ask_expert_replaced(signed)  # then replaced (签署…承诺后，予以补抽)
        after = wizard.load()
    assert len(after.leavers) == 1 and after.leavers[0].replaced_at is not None
    assert after.leavers[0].commitment is True
    assert sum(a.count for a in after.attendance) == experts_before  # no second leaver


def test_4_an_arrival_after_the_leaving_is_asked_again_not_dropped(
    run: Run, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = DATA / "evaluation-system-wait.toml"
    clock.now = datetime(2026, 12, 10, 14, 30, tzinfo=SHANGHAI)
    assert run("incident", "--case", str(case), "--no-input").code == 0
    incident_id = only_id()
    arrivals = iter(["now", "keep"])  # "刚刚" first: after the leaving, so asked again
    answers = {"何时离开": "now", "承诺": "true", "补抽": "false"}
    asked: list[str] = []
    plain = scripted(answers, clock, asked)

    def select(message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
        if "何时到达" in message:
            asked.append(message)
            clock.advance(seconds=80)
            return next(arrivals)
        return plain(message, choices, default)

    hints: list[str] = []
    monkeypatch.setattr(prompts, "select", select)
    monkeypatch.setattr(prompts, "hint", hints.append)
    monkeypatch.setattr(prompts, "done", lambda text: None)
    with Store.open() as store:
        wizard = Wizard(store, Runtime(), incident_id)
        wizard.ask_expert_left(wizard.load())
        after = wizard.load()
    assert sum("何时到达" in q for q in asked) == 2
    assert any("重新选择" in h for h in hints)
    (leaver,) = after.leavers  # recorded with the answers given, none lost
    assert leaver.arrived_at <= leaver.left_at and leaver.commitment is True


# 5 ---------------------------------------------------------------------------------------------


def test_5_limits_hold_when_writing_and_an_old_long_line_does_not_lock_the_record(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    assert run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input").code == 0
    incident_id = only_id()
    refused = run("log", "断" * 10_001)
    assert refused.code == 2 and "10001" in refused.err and "10000" in refused.err
    with Store.open() as store:
        assert not any(len(e.text) > 10_000 for e in load(store, incident_id).log)
        # A line an older version accepted: reported and skipped, the rest reads on.
        store.append(incident_id, NewEvent("log", clock.now, "断" * 10_001), clock.now)
    exported = run("export")
    assert exported.code == 0 and "已跳过" in exported.err
    path = case_file(tmp_path, exported.out)
    assert run("decide", "--case", str(path), "--json").code == 0


# 6 ---------------------------------------------------------------------------------------------


def test_6_one_time_policy_for_every_command(run: Run, clock: Clock) -> None:
    assert (
        run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input").code == 0
    )
    clock.advance(minutes=30)  # 09:45; the fault began at 09:12
    assert run("tick", "1", "--at", "9:20").code == 0  # a bare clock time is today, as for log
    for command in (("log", "三分钟后"), ("resolve",)):  # 3 minutes ahead: the same slack
        result = run(*command, "--at", "9:48")
        assert result.code == 0, (command, result.err)
    for command in (("log", "十分钟后"), ("tick", "2"), ("resolve",)):
        result = run(*command, "--at", "9:56")
        assert result.code == 2 and "晚于现在" in result.err, command
    for command in (("log", "往年"), ("tick", "2"), ("resolve",)):
        result = run(*command, "--at", "2019-12-08 09:20")
        assert result.code == 2 and "早于故障发生时间" in result.err, command


# 7 ---------------------------------------------------------------------------------------------


def test_7_the_filing_stays_recordable_whatever_was_typed_before(
    run: Run, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = FILED_THEN_FIXED.replace("plan_filed_at = 2026-12-08T09:40:00\n", "")
    clock.now = datetime(2026, 12, 8, 10, 40, tzinfo=SHANGHAI)
    assert run("incident", "--case", str(case_file(tmp_path, text)), "--no-input").code == 0
    offered: list[str] = []

    def select(message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
        offered.extend(value for _, value in choices)
        return "done"

    monkeypatch.setattr(prompts, "select", select)
    with Store.open() as store:
        wizard = Wizard(store, Runtime(), only_id())
        incident = wizard.load()
        wizard.hub(incident, Runtime().decide_incident(incident))
    assert "plan_filed_at" in offered  # fixed inside 2 h, the chosen plan can still be filed


# 8 ---------------------------------------------------------------------------------------------


def test_8_importing_is_idempotent_and_a_missing_fact_stores_nothing(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    incomplete = case_file(
        tmp_path,
        FILED_THEN_FIXED.replace("within_2h = false\n", "")
        .replace("plan = 2\n", "")
        .replace("plan_filed_at = 2026-12-08T09:40:00\n", "")
        .replace("resolved_at = 2026-12-08T10:30:00\n", ""),
    )
    for _ in range(2):
        result = run("incident", "--case", str(incomplete), "--no-input")
        assert result.code == 2 and "within_2h" in result.err
    assert Store.open().incident_ids() == []
    complete = case_file(tmp_path, name="complete.toml")
    for _ in range(2):
        assert run("incident", "--case", str(complete), "--no-input").code == 0
    assert len(Store.open().incident_ids()) == 1


# 9 ---------------------------------------------------------------------------------------------


def test_9_deciding_a_stored_incident_parses_no_case(
    run: Run, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input").code == 0
    )
    parses: list[object] = []
    real = casefile.parse_case

    def counting(data: object) -> casefile.Case:
        parses.append(data)
        return real(data)  # type: ignore[arg-type]

    monkeypatch.setattr(casefile, "parse_case", counting)
    monkeypatch.setattr(incident_module, "parse_case", counting, raising=False)
    with Store.open() as store:
        target = load(store, only_id())
        for minutes in range(8):  # as a wizard run of eight answers decides eight times
            decide_incident(target, clock.now + timedelta(minutes=minutes))
            target.case()
    assert parses == []
