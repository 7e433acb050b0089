"""The next step follows the acts: three incidents walked act by act through the real record
(events stored, folded, decided), and after every act the status block's first 下一步 is the
plan's next act, with the names and numbers of whom it reaches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.model import Fault, Role, Stage
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.events import (
    answer_event,
    created_event,
    expert_commitment_event,
    expert_left_event,
    expert_replaced_event,
    resolved_event,
)
from qdplan_cli.record.incident import load
from qdplan_cli.record.store import NewEvent, Store
from qdplan_cli.ui.status import StatusInput, status_lines

T0 = datetime(2026, 12, 8, 9, 10, tzinfo=shanghai())
CONTACTS = {
    Role.SUPPORT_STAFF: [("张保障", "0532-81110001")],
    Role.PROPERTY_STAFF: [("赵物业", "0532-81110004")],
    Role.SYSTEM_ADMIN: [("李系统", "0532-81110002")],
}

Act = Callable[[datetime], list[NewEvent]]


def answers(**values: object) -> Act:
    return lambda at: [answer_event(at, key, value, None) for key, value in values.items()]  # type: ignore[arg-type]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# (what was done, the events, what the first 下一步 says: a piece of the plan's own step)
OPENING_NETWORK_PLAN3: list[tuple[str, Act, str]] = [
    ("fault reported", answers(stage=Stage.OPENING, fault=Fault.NETWORK), "通知综合交易保障人员"),
    (
        "emergency network and repair fail",
        answers(fallback_works=False, quick_fix_works=False, within_2h=False),
        "协商",
    ),
    ("方案三 chosen", answers(plan=3), "已选择方案三：另行择期开评标，报监管部门备案"),
    (
        "issued (出具)",
        lambda t: [answer_event(t, "supplement_issued_at", t, None)],
        "待经监管部门备案：招标人出具延期开标的书面补充公告",
    ),
    (
        "filed (经监管部门备案)",
        lambda t: [answer_event(t, "plan_filed_at", t, None)],
        "待现场公布：招标人出具延期开标的书面补充公告",
    ),
    (
        "announced on site (现场公布)",
        lambda t: [answer_event(t, "supplement_announced_at", t, None)],
        "待故障修复后",
    ),
    ("fixed", lambda t: [resolved_event(t, t, None)], "补充公告原文发布"),
]

EVALUATION_POWER_WITHIN_2H: list[tuple[str, Act, str]] = [
    ("fault reported", answers(stage=Stage.EVALUATION, fault=Fault.POWER), "通知物业楼层服务人员"),
    ("within 2 h", answers(within_2h=True), "说明情况"),
    (
        "an expert leaves, not yet signed",
        lambda t: [
            expert_left_event(t, t, T0 - timedelta(hours=1), replacement=False, commitment=False)
        ],
        "待签署承诺：",
    ),
    ("commitment signed", lambda t: [expert_commitment_event(t, 1, t)], "待补抽："),
    ("replaced", lambda t: [expert_replaced_event(t, 1, t)], "说明情况"),
    ("fixed", lambda t: [resolved_event(t, t, None)], "书面记录"),
]

PREP_SYSTEM_DELAY: list[tuple[str, Act, str]] = [
    (
        "fault reported",
        answers(stage=Stage.PREP, fault=Fault.SYSTEM),
        "通知电子交易系统管理人员",
    ),
    (
        "delay notice published",
        lambda t: [answer_event(t, "notice_published_at", t, None)],
        "原则上新的开标时间应在发布2小时之后",
    ),
    ("new time", lambda t: [answer_event(t, "new_time", t + timedelta(hours=3), None)], "书面记录"),
]


def first_next(store: Store, incident_id: str, now: datetime) -> tuple[str, list[str]]:
    incident = load(store, incident_id)
    decision = decide(incident.situation, incident.resolved_at or now)
    state = StatusInput(
        decision,
        incident.ticks,
        CONTACTS,
        incident.resolved_at,
        acts=incident.acts,
        situation=incident.situation,
    )
    lines = [text for _, text in status_lines(state, now, 200)]
    return next(line for line in lines if line.startswith("下一步 ")), lines


@pytest.mark.parametrize(
    "path",
    [OPENING_NETWORK_PLAN3, EVALUATION_POWER_WITHIN_2H, PREP_SYSTEM_DELAY],
    ids=["opening-network-plan3", "evaluation-power-within-2h", "prep-system-delay"],
)
def test_after_every_act_the_first_next_step_is_the_plans_next_act(
    path: list[tuple[str, Act, str]],
) -> None:
    project = Project(name="青岛某某道路改造工程", opening_time=T0 - timedelta(minutes=10))
    store = Store.open()
    incident_id = store.create_incident(T0, [created_event(T0, project, T0, "test")], T0)
    for minutes, (done, act, wanted) in enumerate(path, start=1):
        moment = at(minutes * 5)
        for event in act(moment):
            store.append(incident_id, event, moment)
        line, lines = first_next(store, incident_id, moment)
        assert wanted in line, (done, lines)


def test_the_first_call_comes_with_names_and_numbers() -> None:
    store = Store.open()
    incident_id = store.create_incident(T0, [created_event(T0, Project(), T0, "test")], T0)
    for event in answers(stage=Stage.OPENING, fault=Fault.NETWORK)(T0):
        store.append(incident_id, event, T0)
    _, lines = first_next(store, incident_id, T0)
    assert "  电话：综合交易保障人员 张保障 0532-81110001" in lines, lines


def test_an_expert_who_left_without_signing_is_next_to_sign() -> None:
    store = Store.open()
    incident_id = store.create_incident(T0, [created_event(T0, Project(), T0, "test")], T0)
    events = [
        *answers(stage=Stage.EVALUATION, fault=Fault.POWER, within_2h=True)(T0),
        expert_left_event(at(5), at(5), T0, replacement=False, commitment=False),
    ]
    for event in events:
        store.append(incident_id, event, at(5))
    line, lines = first_next(store, incident_id, at(5))
    assert "待签署承诺：" in line, lines


def test_a_commitment_signed_later_is_an_act_of_its_own_time() -> None:
    """5.1: 签署…承诺后，予以补抽 — the commitment recorded after the leaving carries its own time
    into the acts, and the leaver reads as signed (the record's fee sheet and 经过 say so)."""
    store = Store.open()
    incident_id = store.create_incident(T0, [created_event(T0, Project(), T0, "test")], T0)
    for event in answers(stage=Stage.EVALUATION, fault=Fault.POWER, within_2h=True)(T0):
        store.append(incident_id, event, T0)
    store.append(
        incident_id,
        expert_left_event(at(5), at(5), T0, replacement=False, commitment=False),
        at(5),
    )
    before = load(store, incident_id)
    assert before.leavers[0].commitment is False
    assert "commitment_signed" not in {a.value for a in before.acts}
    store.append(incident_id, expert_commitment_event(at(9), 1, at(5)), at(9))
    after = load(store, incident_id)
    assert after.leavers[0].commitment is True
    assert after.leavers[0].commitment_at == at(9)
    # the fee sheet's line of the leaver says so too, as when signed at the leaving
    assert [a.note for a in after.attendance] == ["因特殊情况提前离开（已签署承诺）"]
    assert [a.note for a in before.attendance] == ["因特殊情况提前离开"]
    assert {a.value: t for a, t in after.acts.items()}["commitment_signed"] == at(9)
    assert any("已签署不对外泄露评审信息的承诺" in e.text for e in store.events(incident_id))
