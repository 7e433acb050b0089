"""Facts and acts out of the plan's order (plan/order.py): a table, one row per case, each with
the rule it must (or must not) raise and the clause it cites."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.labels import clause_label
from qdplan_cli.plan.model import Fault, Situation, Stage
from qdplan_cli.plan.order import Rule, out_of_order
from qdplan_cli.plan.times import shanghai


def t(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-{text}").replace(tzinfo=shanghai())


PREP = Situation(
    stage=Stage.PREP,
    fault=Fault.SYSTEM,
    started_at=t("12-08 08:30"),
    bid_deadline=t("12-08 09:00"),
    fixed_before_deadline=False,
)
OPENING3 = Situation(
    stage=Stage.OPENING,
    fault=Fault.NETWORK,
    started_at=t("12-08 09:10"),
    bid_deadline=t("12-08 09:00"),
    fallback_works=False,
    quick_fix_works=False,
    within_2h=False,
    plan=3,
)
NOW = t("12-08 15:00")

# (name, situation, rule expected or None, clause cited)
CASES = [
    ("opening onset after the opening time", OPENING3, None, None),
    (
        "opening onset before the opening time",
        replace(OPENING3, started_at=t("12-08 08:40")),
        Rule.ONSET_BEFORE_OPENING,
        "4.2.1",
    ),
    (
        "prep onset before the opening time is the prep stage",
        replace(PREP, started_at=t("12-08 08:40")),
        None,
        None,
    ),
    (
        "delay notice published while the fault is open",
        replace(PREP, notice_published_at=t("12-08 14:28")),
        Rule.NOTICE_BEFORE_RECOVERY,
        "4.1.2",
    ),
    (
        "delay notice published before the recovery",
        replace(PREP, notice_published_at=t("12-08 14:28"), resolved_at=t("12-08 14:40")),
        Rule.NOTICE_BEFORE_RECOVERY,
        "4.1.2",
    ),
    (
        "delay notice published after the recovery",
        replace(PREP, notice_published_at=t("12-08 14:28"), resolved_at=t("12-08 14:20")),
        None,
        None,
    ),
    (
        "power: published while the power is still off",
        replace(PREP, fault=Fault.POWER, notice_published_at=t("12-08 14:28")),
        Rule.NOTICE_BEFORE_RECOVERY,
        "4.1.3",
    ),
    (
        "方案三 announced with no filing recorded",
        replace(OPENING3, supplement_announced_at=t("12-08 11:40")),
        Rule.ANNOUNCED_BEFORE_FILED,
        "4.2.1",
    ),
    (
        "方案三 announced before it was filed",
        replace(
            OPENING3,
            supplement_issued_at=t("12-08 11:30"),
            supplement_announced_at=t("12-08 11:40"),
            plan_filed_at=t("12-08 11:50"),
        ),
        Rule.ANNOUNCED_BEFORE_FILED,
        "4.2.1",
    ),
    (
        "方案三 issued, filed, then announced",
        replace(
            OPENING3,
            supplement_issued_at=t("12-08 11:10"),
            plan_filed_at=t("12-08 11:20"),
            supplement_announced_at=t("12-08 11:40"),
        ),
        None,
        None,
    ),
    (
        "方案二 filed: no supplementary notice rule",
        replace(OPENING3, plan=2, plan_filed_at=t("12-08 11:20")),
        None,
        None,
    ),
    (
        "new time 16:00 after a delay notice published at 14:28 (earliest 16:28)",
        replace(
            PREP,
            notice_published_at=t("12-08 14:28"),
            resolved_at=t("12-08 14:20"),
            new_time=t("12-08 16:00"),
        ),
        Rule.EARLY_NEW_TIME,
        "4.1.2",
    ),
    (
        "the same early time with a reason recorded (原则上)",
        replace(
            PREP,
            notice_published_at=t("12-08 14:28"),
            resolved_at=t("12-08 14:20"),
            new_time=t("12-08 16:00"),
            override_reason="到场投标人均书面同意",
        ),
        None,
        None,
    ),
    (
        "new time at the earliest",
        replace(
            PREP,
            notice_published_at=t("12-08 14:28"),
            resolved_at=t("12-08 14:20"),
            new_time=t("12-08 16:28"),
        ),
        None,
        None,
    ),
    (
        "方案三: 12-09 09:00 when the earliest is 12-10 09:00",
        replace(
            OPENING3,
            supplement_issued_at=t("12-08 11:40"),
            plan_filed_at=t("12-08 11:20"),
            new_time=t("12-09 09:00"),
        ),
        Rule.EARLY_NEW_TIME,
        "4.2.1",
    ),
]


@pytest.mark.parametrize(("name", "situation", "rule", "clause"), CASES, ids=[c[0] for c in CASES])
def test_out_of_order(
    name: str, situation: Situation, rule: Rule | None, clause: str | None
) -> None:
    decision = decide(situation, NOW)
    found = out_of_order(situation, decision)
    if rule is None:
        assert found == (), found
        return
    (hit,) = [f for f in found if f.rule is rule]
    assert hit.clause == clause
    assert clause_label(clause) in hit.text and hit.way in hit.text
    assert len(found) == 1, found  # each row breaks one rule only


def test_the_way_through_an_early_time_is_a_recorded_reason() -> None:
    situation = replace(
        PREP,
        notice_published_at=t("12-08 14:28"),
        resolved_at=t("12-08 14:20"),
        new_time=t("12-08 16:00"),
    )
    (hit,) = out_of_order(situation, decide(situation, NOW))
    assert "原则上" in hit.what and "例外理由" in hit.way
