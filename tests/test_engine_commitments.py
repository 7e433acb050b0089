"""Issue 11: decisions that stand once acted on, and the plan's exact words at every stage.

One test (or more) per point of the issue; each breaks when its rule breaks.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from qdplan_cli.plan.decide import allowed_plans, decide
from qdplan_cli.plan.labels import document_label, plan_label, stage_label
from qdplan_cli.plan.model import (
    BOOLEAN_FACTS,
    Decision,
    Document,
    Fault,
    Outcome,
    ProjectType,
    Role,
    Situation,
    Stage,
)
from qdplan_cli.plan.times import localize

from .conftest import Result

Run = Callable[..., Result]
P, O, E = Stage.PREP, Stage.OPENING, Stage.EVALUATION  # noqa: E741
NET, SYS, PWR = Fault.NETWORK, Fault.SYSTEM, Fault.POWER
TRI = (None, True, False)


def at(*args: int) -> datetime:
    return localize(datetime(*args))  # type: ignore[arg-type]


def texts(decision: Decision) -> str:
    return "\n".join([s.text for s in decision.steps] + list(decision.warnings))


# ---------------------------------------------------------------- 1. commitments stand

POINT_1 = [
    "decide",
    "--stage",
    "opening",
    "--fault",
    "network",
    "--no-fallback-works",
    "--no-quick-fix-works",
    "--fault-started-at",
    "2026-12-08T09:12",
    "--beyond-2h",
    "--plan",
    "3",
    "--supplement-issued-at",
    "2026-12-08T10:15",
    "--resolved-at",
    "2026-12-08T10:40",
    "--now",
    "2026-12-08T12:00",
    "--json",
]


def test_point_1_a_plan_announced_on_site_stands_when_the_fault_is_fixed_sooner(run: Run) -> None:
    result = run(*POINT_1)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["outcome"] == "choose_plan"
    assert data["plan"] == 3
    assert data["committed"] is True
    assert data["documents"] == ["incident_record", "filing_report", "supplementary_notice"]
    steps = [s["text"] for s in data["steps"]]
    # The record states the actual fix time; the time rules and the re-draw (4.4) still apply.
    assert any("实际修复时间" in t and "2026年12月8日（周二）10:40" in t for t in steps)
    assert data["earliest_new_time"] == "2026-12-10T09:00:00+08:00"
    assert any("重新抽取" in s["text"] and s["clause"] == "4.4" for s in data["steps"])
    assert any("10:40" in w and "备案" in w for w in data["warnings"])


def test_point_1_without_the_announcement_the_forecast_still_decides(run: Run) -> None:
    argv = [a for a in POINT_1 if a not in ("--supplement-issued-at", "2026-12-08T10:15")]
    data = json.loads(run(*argv).out)
    assert data["outcome"] == "wait_and_resume"
    assert data["committed"] is False


@pytest.mark.parametrize("stage", [O, E])
@pytest.mark.parametrize("plan", [1, 2, 3])
def test_a_filed_plan_stands_whatever_is_learnt_later(stage: Stage, plan: int) -> None:
    base = Situation(
        stage=stage,
        fault=PWR,
        started_at=at(2026, 12, 8, 9, 0),
        within_2h=False,
        plan=plan,
        plan_filed_at=at(2026, 12, 8, 10, 0),
    )
    before = decide(base, at(2026, 12, 8, 10, 5))
    later = decide(
        replace(base, within_2h=True, resolved_at=at(2026, 12, 8, 10, 30)),
        at(2026, 12, 8, 12, 0),
    )
    assert later.outcome is Outcome.CHOOSE_PLAN and later.plan == plan
    assert later.documents == before.documents
    assert later.within_2h is True  # the actual times, not the forecast
    assert later.committed


def test_a_published_delay_notice_stands_when_the_power_comes_back_before_the_deadline() -> None:
    s = Situation(
        stage=P,
        fault=PWR,
        bid_deadline=at(2026, 12, 8, 9, 30),
        started_at=at(2026, 12, 8, 8, 50),
        notice_published_at=at(2026, 12, 8, 9, 10),
        resolved_at=at(2026, 12, 8, 9, 20),
    )
    decision = decide(s, at(2026, 12, 8, 9, 40))
    assert decision.outcome is Outcome.DELAY_NOTICE
    assert Document.DELAY_NOTICE in decision.documents
    assert decision.earliest_new_time == at(2026, 12, 8, 11, 10)
    assert "2026年12月8日（周二）09:20" in texts(decision)


# The whole fact space: every stage, fault, project type, every value of every boolean fact,
# every allowed plan; then every later fact — a resolution before or after the 2-hour line or
# the deadline, a changed forecast, a later "now".
LATER_RESOLUTIONS = (None, at(2026, 12, 8, 9, 20), at(2026, 12, 8, 10, 40), at(2026, 12, 8, 13, 0))
LATER_NOWS = (at(2026, 12, 8, 10, 30), at(2026, 12, 9, 9, 0))


def _later_facts(s: Situation) -> list[Situation]:
    out = []
    for values in itertools.product(TRI, repeat=len(BOOLEAN_FACTS)):
        facts = {f.value: v for f, v in zip(BOOLEAN_FACTS, values, strict=True)}
        for resolved in LATER_RESOLUTIONS:
            out.append(replace(s, resolved_at=resolved, **facts))
    return out


def test_property_once_filed_or_published_no_later_fact_removes_its_documents() -> None:
    checked = 0
    started = at(2026, 12, 8, 9, 0)
    for stage, fault, ptype in itertools.product(Stage, Fault, ProjectType):
        if stage is P:
            committed = [
                Situation(
                    stage=stage,
                    fault=fault,
                    project_type=ptype,
                    started_at=started,
                    bid_deadline=at(2026, 12, 8, 9, 30),
                    notice_published_at=at(2026, 12, 8, 9, 15),
                )
            ]
            needed: list[frozenset[Document]] = [frozenset({Document.DELAY_NOTICE})]
        else:
            committed, needed = [], []
            for plan in allowed_plans(stage, fault):
                filed = Situation(
                    stage=stage,
                    fault=fault,
                    project_type=ptype,
                    started_at=started,
                    within_2h=False,
                    plan=plan,
                    plan_filed_at=at(2026, 12, 8, 9, 15),
                )
                ways = [filed]
                if stage is O and plan == 3:  # 经监管部门备案后现场公布: announced = filed
                    ways.append(
                        replace(filed, plan_filed_at=None, supplement_issued_at=filed.plan_filed_at)
                    )
                for way in ways:
                    first = decide(way, at(2026, 12, 8, 9, 20))
                    assert first.committed, way
                    committed.append(way)
                    needed.append(frozenset(first.documents))
        for s, docs in zip(committed, needed, strict=True):
            for later in _later_facts(s):
                for now in LATER_NOWS:
                    decision = decide(later, now)
                    where = (later, now)
                    assert docs <= set(decision.documents), where
                    assert decision.committed, where
                    if stage is P:  # 4.1.2: a delay the parties chose reads as their decision
                        assert decision.outcome in (
                            Outcome.DELAY_NOTICE,
                            Outcome.PARTIES_DECIDE,
                        ), where
                    else:
                        assert decision.outcome is Outcome.CHOOSE_PLAN, where
                        assert decision.plan == s.plan, where
                    checked += 1
    assert checked > 30_000


# ---------------------------------------------------------------- 2. evaluation plan names


def test_point_2_evaluation_plans_carry_the_evaluation_words() -> None:
    assert plan_label(1, E) == "方案一：另行选择地点继续评标"
    assert plan_label(2, E) == "方案二：原地点继续评标"
    assert plan_label(3, E) == "方案三：另行择期评标"
    assert plan_label(3, O) == "方案三：另行择期开评标"
    assert plan_label(3, E, ProjectType.PROCUREMENT) == "方案三：另行择期评审"
    for fault, plan, ptype in itertools.product(Fault, (1, 2, 3), ProjectType):
        if plan not in allowed_plans(E, fault):
            continue
        s = Situation(stage=E, fault=fault, project_type=ptype, within_2h=False, plan=plan)
        for text in texts(decide(s, at(2026, 12, 8, 10, 0))).splitlines():
            assert "继续开评标" not in text and "择期开评标" not in text, text


def test_point_2_no_evaluation_output_names_an_opening_plan(run: Run) -> None:
    for plan in ("1", "2", "3"):
        argv = ["decide", "--stage", "evaluation", "--fault", "power", "--beyond-2h"]
        argv += ["--plan", plan, "--now", "2026-12-08T12:00"]
        for extra in ([], ["--json"]):
            result = run(*argv, *extra)
            assert result.code == 0, result.err
            assert "继续开评标" not in result.out and "择期开评标" not in result.out
            assert "继续评标" in result.out or "择期评标" in result.out


# ---------------------------------------------------------------- 3. no 方案一 for system faults


@pytest.mark.parametrize("stage", ["opening", "evaluation"])
@pytest.mark.parametrize("extra", [[], ["--plan", "2"], ["--plan", "3"]])
def test_point_3_a_system_fault_never_offers_plan_one(
    run: Run, stage: str, extra: list[str]
) -> None:
    argv = ["decide", "--stage", stage, "--fault", "system", "--fault-started-at"]
    argv += ["2026-12-08T09:00", "--now", "2026-12-08T10:00", *extra]
    for within in ([], ["--beyond-2h"]):
        result = run(*argv, *within)
        assert result.code == 0, result.err
        assert "方案一" not in result.out
        assert "三种方案中选择一种" not in result.out
        assert "方案二、方案三中选择" in result.out  # the 2-hour header says which


def test_point_3_the_header_offers_three_plans_only_where_three_are_allowed(run: Run) -> None:
    argv = ["decide", "--stage", "opening", "--fault", "power", "--fault-started-at"]
    result = run(*argv, "2026-12-08T09:00", "--now", "2026-12-08T10:00")
    assert "三种方案中选择一种" in result.out


# ---------------------------------------------------------------- 4. forecasts, 必要时, notifiers


def test_point_4_a_forecast_reads_as_a_forecast() -> None:
    forecast = decide(Situation(stage=P, fault=PWR, fixed_before_deadline=True), at(2026, 12, 8, 9))
    assert "在投标截止时间前可修复的，应按计划正常开标" in texts(forecast)
    assert "已在" not in texts(forecast) and "已于" not in texts(forecast)
    net = decide(Situation(stage=P, fault=NET, fixed_before_deadline=True), at(2026, 12, 8, 9))
    assert "可修复故障的，可按计划正常开标" in texts(net)
    fixed = decide(
        Situation(
            stage=P,
            fault=PWR,
            bid_deadline=at(2026, 12, 8, 9, 30),
            resolved_at=at(2026, 12, 8, 9, 10),
        ),
        at(2026, 12, 8, 9, 20),
    )
    assert "供电已于 2026年12月8日（周二）09:10 恢复" in texts(fixed)


def test_point_4_prep_network_does_not_borrow_the_witness_words_of_4_2() -> None:
    s = Situation(stage=P, fault=NET, fallback_works=True, bidders_can_sign_in=True)
    decision = decide(s, at(2026, 12, 8, 9))
    decide_step = next(st for st in decision.steps if "按计划正常开标" in st.text)
    assert "见证人员见证下" not in decide_step.text


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (NET, "可以在下列三种方案中选择一种"),
        (PWR, "由招标人在前述三种方案中选择一种并报监管部门备案"),
    ],
)
def test_point_4_the_choice_keeps_the_clause_own_words(fault: Fault, words: str) -> None:
    decision = decide(
        Situation(
            stage=O, fault=fault, fallback_works=False, quick_fix_works=False, within_2h=False
        ),
        at(2026, 12, 8, 12),
    )
    assert words in texts(decision)


def test_point_4_system_staff_are_called_only_when_needed_and_json_says_so(run: Run) -> None:
    for stage in ("opening", "evaluation"):
        argv = ["decide", "--stage", stage, "--fault", "network", "--json"]
        data = json.loads(run(*argv).out)
        assert data["notify_when_needed"] == ["system_admin", "vendor_technician"]
        needed = [s for s in data["steps"] if s["if_needed"]]
        assert needed and all("必要时" in s["text"] for s in needed)
    system = json.loads(run("decide", "--stage", "opening", "--fault", "system", "--json").out)
    assert system["notify_when_needed"] == []  # 4.2.2: all three are called at once


@pytest.mark.parametrize(("stage", "fault"), [(O, SYS), (E, NET), (E, SYS)])
def test_point_4_clauses_that_name_no_notifier_attribute_no_call(
    stage: Stage, fault: Fault
) -> None:
    decision = decide(Situation(stage=stage, fault=fault), at(2026, 12, 8, 10))
    first = decision.steps[0]
    assert first.by == ()
    assert Role.SUPPORT_STAFF in first.to


# ---------------------------------------------------------------- 5. experts leaving a long wait


@pytest.mark.parametrize("plan", [1, 2])
def test_point_5_an_expert_leaving_a_long_wait_signs_a_commitment_by_analogy(plan: int) -> None:
    s = Situation(stage=E, fault=PWR, within_2h=False, plan=plan, expert_left_early=True)
    decision = decide(s, at(2026, 12, 8, 12))
    assert Document.CONFIDENTIALITY_COMMITMENT in decision.documents
    step = next(st for st in decision.steps if st.analogy and "补抽" in st.text)
    assert step.clause == "5.1"
    assert "承诺" in step.text and "补抽" in step.text and "实际" in step.text
    staying = decide(replace(s, expert_left_early=False), at(2026, 12, 8, 12))
    assert Document.CONFIDENTIALITY_COMMITMENT not in staying.documents


def test_point_5_the_analogy_is_cited_as_such(run: Run) -> None:
    argv = ["decide", "--stage", "evaluation", "--fault", "power", "--beyond-2h", "--plan", "2"]
    result = run(*argv, "--expert-left-early")
    assert "参照 第五条 1" in result.out
    data = json.loads(run(*argv, "--expert-left-early", "--json").out)
    assert any(s["by_analogy"] and s["clause_label"] == "参照 第五条 1" for s in data["steps"])


# ---------------------------------------------------------------- 6. prep delay to another day


def test_point_6_a_prep_delay_to_a_later_day_redraws_the_experts() -> None:
    base = Situation(
        stage=P,
        fault=PWR,
        fixed_before_deadline=False,
        bid_deadline=at(2026, 12, 8, 9, 30),
        notice_published_at=at(2026, 12, 8, 10, 40),
    )
    later = decide(replace(base, new_time=at(2026, 12, 9, 9, 30)), at(2026, 12, 8, 11))
    step = next(st for st in later.steps if "另一日" in st.text)
    assert step.clause == "4.4" and "重新抽取" in step.text and "2026年12月9日（周三）" in step.text
    same_day = decide(replace(base, new_time=at(2026, 12, 8, 14, 30)), at(2026, 12, 8, 11))
    assert not any("重新抽取" in st.text for st in same_day.steps)
    unknown = decide(base, at(2026, 12, 8, 11))
    assert any(
        st.clause == "4.4" and "如新的开标时间改在以后日期" in st.text for st in unknown.steps
    )


# ---------------------------------------------------------------- 7. 原则上: override with reason


def test_point_7_an_earlier_time_is_a_warning_that_asks_for_a_reason() -> None:
    s = Situation(
        stage=P,
        fault=PWR,
        fixed_before_deadline=False,
        notice_published_at=at(2026, 12, 8, 10, 40),
        new_time=at(2026, 12, 8, 11, 30),
    )
    plain = decide(s, at(2026, 12, 8, 11))
    assert any("--override-reason" in w for w in plain.warnings)
    reasoned = decide(replace(s, override_reason="到场投标人均书面同意"), at(2026, 12, 8, 11))
    assert reasoned.override_reason == "到场投标人均书面同意"
    assert any("例外" in w and "到场投标人均书面同意" in w for w in reasoned.warnings)


# ---------------------------------------------------------------- 9. contradictory input


def test_point_9_a_plan_within_two_hours_is_not_silent(run: Run) -> None:
    argv = ["decide", "--stage", "opening", "--fault", "power", "--within-2h", "--plan", "3"]
    data = json.loads(run(*argv, "--json").out)
    assert data["outcome"] == "wait_and_resume"
    assert any("2小时内无法解决" in w and "方案三" in w for w in data["warnings"])
    filed = json.loads(run(*argv, "--plan-filed-at", "2026-12-08T10:00", "--json").out)
    assert filed["outcome"] == "choose_plan" and filed["plan"] == 3


# ---------------------------------------------------------------- 10. procurement words


def test_point_10_procurement_output_uses_procurement_words_only() -> None:
    leaks = ("投标截止时间", "投标信息", "评标专家保密承诺书", "评标环节", "招标人")
    ptype = ProjectType.PROCUREMENT
    for stage, fault, plan in itertools.product(Stage, Fault, (None, 1, 2, 3)):
        if plan is not None and plan not in allowed_plans(stage, fault):
            continue
        for within in (True, False):
            s = Situation(
                stage=stage,
                fault=fault,
                project_type=ptype,
                within_2h=within,
                fixed_before_deadline=within,
                fallback_works=False,
                quick_fix_works=False,
                bidders_can_sign_in=False,
                plan=plan,
                expert_left_early=True,
                bid_deadline=at(2026, 12, 8, 9, 30),
                started_at=at(2026, 12, 8, 9, 0),
                resolved_at=at(2026, 12, 8, 13, 0) if not within else None,
            )
            decision = decide(s, at(2026, 12, 8, 10, 0))
            words = [texts(decision), stage_label(stage, ptype)]
            words += [document_label(doc, ptype) for doc in decision.documents]
            for text in words:
                for leak in leaks:
                    assert leak not in text, (s, text)


def test_point_10_list_and_timeline_speak_the_project_words() -> None:
    from qdplan_cli.plan.labels import FACT_LABELS, outcome_label
    from qdplan_cli.plan.model import Fact

    assert "招标人" not in FACT_LABELS[Fact.PLAN]  # the timeline's "确认 …" line
    assert outcome_label(Outcome.CHOOSE_PLAN, ProjectType.PROCUREMENT).startswith("由采购人")


# ---------------------------------------------------------------- the 2-hour line moves nothing


def test_the_two_hour_line_still_settles_an_unfiled_forecast() -> None:
    s = Situation(stage=O, fault=PWR, started_at=at(2026, 12, 8, 9), within_2h=True, plan=None)
    decision = decide(s, at(2026, 12, 8, 9) + timedelta(hours=3))
    assert decision.outcome is Outcome.CHOOSE_PLAN and not decision.committed


# ---------------------------------------------------------------- the paper cards say the same


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("ptype", list(ProjectType))
def test_cards_use_the_stage_plan_names_and_the_project_words(ptype: ProjectType) -> None:
    from qdplan_cli.documents.cards import card

    for stage, fault in itertools.product(Stage, Fault):
        text = "\n".join(
            _strings(card(stage, fault, at(2026, 12, 8, 9), contacts={}, project_type=ptype))
        )
        if stage is E:
            assert "继续开评标" not in text and "择期开评标" not in text, (stage, fault)
        if ptype is ProjectType.PROCUREMENT:
            for leak in ("投标截止时间", "评标环节", "评标专家保密承诺书", "投标信息"):
                assert leak not in text, (stage, fault, leak)


def test_system_fault_cards_do_not_list_plan_one() -> None:
    from qdplan_cli.documents.cards import card

    for stage in (O, E):
        text = "\n".join(_strings(card(stage, SYS, at(2026, 12, 8, 9), contacts={})))
        assert "方案一" not in text, stage
        assert "选择方案二或方案三" in text
