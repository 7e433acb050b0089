"""One test per rule of PLAN.md (and of the plan's own text where it says more)."""

from __future__ import annotations

from datetime import datetime

import pytest

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.errors import PlanNotAllowedError, UserError
from qdplan_cli.plan.model import (
    Decision,
    Document,
    Fact,
    Fault,
    Outcome,
    ProjectType,
    Role,
    Situation,
    Stage,
)
from qdplan_cli.plan.times import localize

NOW = localize(datetime(2026, 12, 8, 10, 0))

P, O, E = Stage.PREP, Stage.OPENING, Stage.EVALUATION  # noqa: E741
NET, SYS, PWR = Fault.NETWORK, Fault.SYSTEM, Fault.POWER


def d(stage: Stage, fault: Fault, **facts: object) -> Decision:
    return decide(Situation(stage=stage, fault=fault, **facts), NOW)  # type: ignore[arg-type]


def notify(decision: Decision) -> list[str]:
    return [r.value for r in decision.notify]


def docs(decision: Decision) -> list[str]:
    return [x.value for x in decision.documents]


def clauses_of(decision: Decision) -> set[str]:
    return set(decision.clauses)


# ---------------------------------------------------------------- 4.1 preparation


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        ({"fixed_before_deadline": True}, Outcome.PROCEED),
        ({"fallback_works": True, "bidders_can_sign_in": True}, Outcome.PROCEED),
        (
            {"fallback_works": True, "bidders_can_sign_in": False, "fixed_before_deadline": False},
            Outcome.DELAY_NOTICE,
        ),
        ({"fallback_works": False, "fixed_before_deadline": False}, Outcome.DELAY_NOTICE),
        ({"fallback_works": False, "fixed_before_deadline": True}, Outcome.PROCEED),
        ({"fallback_works": True, "bidders_can_sign_in": False}, Outcome.NEED_INPUT),
        ({}, Outcome.NEED_INPUT),
    ],
)
def test_4_1_1_prep_network(facts: dict[str, bool], outcome: Outcome) -> None:
    decision = d(P, NET, **facts)
    assert decision.outcome is outcome
    assert notify(decision) == ["support_staff"]
    assert "4.1.1" in clauses_of(decision)


def test_4_1_1_asks_the_fallback_first_then_sign_in_then_the_deadline() -> None:
    assert d(P, NET).missing == (
        Fact.FALLBACK_WORKS,
        Fact.BIDDERS_CAN_SIGN_IN,
        Fact.FIXED_BEFORE_DEADLINE,
    )
    assert d(P, NET, fallback_works=False).missing == (Fact.FIXED_BEFORE_DEADLINE,)
    assert d(P, NET, fallback_works=True).missing == (
        Fact.BIDDERS_CAN_SIGN_IN,
        Fact.FIXED_BEFORE_DEADLINE,
    )


@pytest.mark.parametrize(
    ("fixed", "outcome"),
    [(True, Outcome.PARTIES_DECIDE), (False, Outcome.DELAY_NOTICE), (None, Outcome.NEED_INPUT)],
)
def test_4_1_2_prep_system(fixed: bool | None, outcome: Outcome) -> None:
    decision = d(P, SYS, fixed_before_deadline=fixed)
    assert decision.outcome is outcome
    assert notify(decision) == ["system_admin", "vendor_technician"]


@pytest.mark.parametrize(
    ("fixed", "outcome"),
    [(True, Outcome.PROCEED), (False, Outcome.DELAY_NOTICE), (None, Outcome.NEED_INPUT)],
)
def test_4_1_3_prep_power(fixed: bool | None, outcome: Outcome) -> None:
    decision = d(P, PWR, fixed_before_deadline=fixed)
    assert decision.outcome is outcome
    assert notify(decision) == ["property_staff"]


def test_4_1_delay_notice_is_issued_by_agency_with_tenderer_and_published_on_the_original_page() -> (
    None
):
    decision = d(P, PWR, fixed_before_deadline=False)
    assert docs(decision) == ["incident_record", "delay_notice"]
    publish = [s for s in decision.steps if "延迟开标公告" in s.text]
    assert any({"agency", "tenderer"} <= {r.value for r in s.by} for s in publish)
    assert any("原公告页面" in s.text and "供电" in s.text for s in publish)


def test_4_3_prep_record_is_signed_by_tenderer_and_agency_only() -> None:
    assert [r.value for r in d(P, SYS, fixed_before_deadline=False).signatories] == [
        "tenderer",
        "agency",
    ]


def test_prep_has_no_plans_and_refuses_one() -> None:
    with pytest.raises(PlanNotAllowedError) as exc:
        d(P, NET, plan=2)
    assert exc.value.field == "plan"


def test_4_1_2_parties_may_still_postpone_with_a_published_delay_notice() -> None:
    published = localize(datetime(2026, 12, 8, 9, 40))
    decision = d(P, SYS, fixed_before_deadline=True, notice_published_at=published)
    assert decision.outcome is Outcome.PARTIES_DECIDE
    assert decision.committed  # the published notice is their decision to postpone: it stands
    assert docs(decision) == ["incident_record", "delay_notice"]
    assert decision.earliest_new_time == localize(datetime(2026, 12, 8, 11, 40))


# ---------------------------------------------------------------- 4.2 opening, 5 evaluation


@pytest.mark.parametrize("stage", [O, E])
@pytest.mark.parametrize(
    "facts", [{"fallback_works": True}, {"quick_fix_works": True, "fallback_works": False}]
)
def test_network_fallback_or_quick_fix_proceeds_under_the_witness(
    stage: Stage, facts: dict[str, bool]
) -> None:
    decision = d(stage, NET, **facts)
    assert decision.outcome is Outcome.PROCEED
    assert any("见证人员见证下" in s.text for s in decision.steps)


@pytest.mark.parametrize("stage", [O, E])
def test_network_calls_support_staff_and_if_needed_the_system_people(stage: Stage) -> None:
    decision = d(stage, NET)
    assert notify(decision)[:3] == ["support_staff", "system_admin", "vendor_technician"]
    assert decision.missing == (Fact.FALLBACK_WORKS, Fact.QUICK_FIX_WORKS, Fact.WITHIN_2H)


@pytest.mark.parametrize(
    ("stage", "fault", "clause", "called"),
    [
        (O, NET, "4.2.1", ["support_staff"]),
        (O, SYS, "4.2.2", ["support_staff", "system_admin", "vendor_technician"]),
        (O, PWR, "4.2.3", ["property_staff"]),
        (E, NET, "5.1", ["support_staff"]),
        (E, SYS, "5.2", ["support_staff", "system_admin", "vendor_technician"]),
        (E, PWR, "5.3", ["property_staff"]),
    ],
)
def test_within_2h_explain_wait_and_resume(
    stage: Stage, fault: Fault, clause: str, called: list[str]
) -> None:
    facts = {"fallback_works": False, "quick_fix_works": False} if fault is NET else {}
    decision = d(stage, fault, within_2h=True, **facts)
    assert decision.outcome is Outcome.WAIT_AND_RESUME
    assert clause in clauses_of(decision)
    for role in called:
        assert role in notify(decision)
    told = "bidders" if stage is O else "experts"
    assert told in notify(decision)
    assert "supervisor" not in notify(decision)
    assert docs(decision) == ["incident_record"]


def test_5_1_evaluation_wait_keeps_fees_running_and_replaces_early_leavers() -> None:
    decision = d(E, PWR, within_2h=True)
    text = "\n".join(s.text for s in decision.steps)
    assert "评标费按时计取" in text
    assert "补抽" in text and "不得以任何理由少计或不支付评标费" in text
    assert "5.5" in clauses_of(decision)
    left = d(E, PWR, within_2h=True, expert_left_early=True)
    assert docs(left) == ["incident_record", "confidentiality_commitment"]


@pytest.mark.parametrize(
    ("stage", "fault", "allowed"),
    [
        (O, NET, (1, 2, 3)),
        (O, SYS, (2, 3)),
        (O, PWR, (1, 2, 3)),
        (E, NET, (1, 2, 3)),
        (E, SYS, (2, 3)),
        (E, PWR, (1, 2, 3)),
    ],
)
def test_beyond_2h_the_tenderer_chooses_an_allowed_plan(
    stage: Stage, fault: Fault, allowed: tuple[int, ...]
) -> None:
    facts = {"fallback_works": False, "quick_fix_works": False} if fault is NET else {}
    decision = d(stage, fault, within_2h=False, **facts)
    assert decision.outcome is Outcome.CHOOSE_PLAN
    assert decision.allowed_plans == allowed
    assert decision.missing == (Fact.PLAN,)
    assert "supervisor" in notify(decision)
    assert Document.FILING_REPORT in decision.documents


@pytest.mark.parametrize("stage", [O, E])
def test_system_fault_refuses_plan_1(stage: Stage) -> None:
    with pytest.raises(PlanNotAllowedError) as exc:
        d(stage, SYS, within_2h=False, plan=1)
    assert "方案二或方案三" in str(exc.value)


@pytest.mark.parametrize("stage", [O, E])
def test_system_fault_vendor_keeps_bid_files_confidential_and_intact(stage: Stage) -> None:
    decision = d(stage, SYS, within_2h=True)
    assert any(
        s.by == (Role.VENDOR_TECHNICIAN,) and "保密和完整性" in s.text for s in decision.steps
    )


def test_opening_plan_1_reports_to_leaders_and_moves_to_a_branch_hall() -> None:
    decision = d(O, PWR, within_2h=False, plan=1)
    assert {"department_head", "bureau_leader", "supervisor", "experts"} <= set(notify(decision))
    assert any("分大厅、分中心" in s.text for s in decision.steps)
    assert docs(decision) == ["incident_record", "filing_report"]


def test_opening_plan_2_stays_and_does_not_report_to_leaders() -> None:
    decision = d(O, PWR, within_2h=False, plan=2)
    assert "department_head" not in notify(decision)
    assert any("休息地点等候" in s.text for s in decision.steps)


def test_opening_plan_3_supplementary_notice_and_redraw() -> None:
    issued = localize(datetime(2026, 11, 25, 15, 0))
    decision = d(O, PWR, within_2h=False, plan=3, supplement_issued_at=issued)
    assert docs(decision) == ["incident_record", "filing_report", "supplementary_notice"]
    assert decision.earliest_new_time == localize(datetime(2026, 11, 27, 9, 0))
    assert "4.4" in clauses_of(decision)
    assert any("重新抽取" in s.text for s in decision.steps)
    assert any("原公告页面" in s.text for s in decision.steps)
    assert {"bidders", "supervisor"} <= set(notify(decision))


def test_evaluation_plan_1_agency_leads_the_move_and_fees_run_on() -> None:
    decision = d(E, NET, fallback_works=False, quick_fix_works=False, within_2h=False, plan=1)
    assert {"department_head", "bureau_leader"} <= set(notify(decision))
    assert any("按时计取评标费" in s.text for s in decision.steps)


def test_evaluation_plan_2_closure_plan_and_report_to_leaders() -> None:
    decision = d(E, SYS, within_2h=False, plan=2)
    assert docs(decision) == ["incident_record", "filing_report", "closure_plan"]
    assert {"department_head", "bureau_leader", "supervisor"} <= set(notify(decision))
    assert any("封闭" in s.text for s in decision.steps)


def test_evaluation_plan_3_reschedule_commitment_and_redraw_excluding_originals() -> None:
    decision = d(E, PWR, within_2h=False, plan=3)
    assert docs(decision) == [
        "incident_record",
        "filing_report",
        "evaluation_reschedule",
        "confidentiality_commitment",
    ]
    assert any("回避原评标专家" in s.text for s in decision.steps)
    assert decision.earliest_new_time is None


def test_procurement_uses_procurement_words() -> None:
    decision = decide(
        Situation(stage=E, fault=PWR, within_2h=True, project_type=ProjectType.PROCUREMENT), NOW
    )
    text = "".join(s.text for s in decision.steps)
    assert "评审专家" in text and "采购代理机构" in text
    assert "评标专家" not in text


# ---------------------------------------------------------------- the clock settles within_2h

START = localize(datetime(2026, 12, 8, 9, 0))


def test_resolution_time_settles_within_2h_whatever_was_estimated() -> None:
    resolved = localize(datetime(2026, 12, 8, 10, 30))
    decision = decide(
        Situation(stage=O, fault=PWR, started_at=START, resolved_at=resolved, within_2h=False),
        localize(datetime(2026, 12, 20, 9, 0)),
    )
    assert decision.outcome is Outcome.WAIT_AND_RESUME
    assert decision.warnings


def test_last_weeks_case_gives_last_weeks_answer() -> None:
    resolved = localize(datetime(2026, 12, 8, 11, 30))  # 2 h 30 min after onset
    s = Situation(stage=O, fault=PWR, started_at=START, resolved_at=resolved)
    a = decide(s, localize(datetime(2026, 12, 8, 11, 31)))
    b = decide(s, localize(datetime(2026, 12, 15, 9, 0)))
    assert a.outcome is b.outcome is Outcome.CHOOSE_PLAN


def test_more_than_2h_passed_uncleared_overrides_an_estimate() -> None:
    s = Situation(stage=E, fault=PWR, started_at=START, within_2h=True)
    assert decide(s, localize(datetime(2026, 12, 8, 10, 59))).outcome is Outcome.WAIT_AND_RESUME
    late = decide(s, localize(datetime(2026, 12, 8, 11, 1)))
    assert late.outcome is Outcome.CHOOSE_PLAN
    assert any("2小时" in w for w in late.warnings)


def test_less_than_2h_passed_without_estimate_needs_input() -> None:
    s = Situation(stage=O, fault=SYS, started_at=START)
    decision = decide(s, localize(datetime(2026, 12, 8, 10, 0)))
    assert decision.outcome is Outcome.NEED_INPUT
    assert decision.missing == (Fact.WITHIN_2H,)
    assert decision.two_hour_line == localize(datetime(2026, 12, 8, 11, 0))


def test_exactly_two_hours_is_within() -> None:
    s = Situation(stage=O, fault=SYS, started_at=START, resolved_at=START.replace(hour=11))
    assert decide(s, NOW.replace(day=9)).within_2h is True


def test_prep_deadline_settles_fixed_before_deadline() -> None:
    deadline = localize(datetime(2026, 12, 8, 9, 30))
    s = Situation(stage=P, fault=PWR, started_at=START, bid_deadline=deadline)
    assert decide(s, deadline.replace(minute=20)).outcome is Outcome.NEED_INPUT
    assert decide(s, deadline.replace(minute=31)).outcome is Outcome.DELAY_NOTICE
    fixed = Situation(
        stage=P,
        fault=PWR,
        started_at=START,
        bid_deadline=deadline,
        resolved_at=START.replace(minute=25),
    )
    assert decide(fixed, NOW).outcome is Outcome.PROCEED


def test_times_out_of_order_are_refused_naming_the_field() -> None:
    with pytest.raises(UserError) as exc:
        decide(
            Situation(stage=O, fault=PWR, started_at=START, resolved_at=START.replace(hour=8)), NOW
        )
    assert exc.value.field == "resolved_at"


def test_an_onset_in_the_future_is_warned_not_refused() -> None:
    decision = decide(Situation(stage=O, fault=PWR, started_at=NOW.replace(hour=12)), NOW)
    assert decision.outcome is Outcome.NEED_INPUT
    assert any("晚于当前时间" in w for w in decision.warnings)
