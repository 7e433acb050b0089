"""The engine over the whole fact space: every stage × fault × fact combination keeps the
invariants the plan demands."""

from __future__ import annotations

import contextlib
import itertools
from datetime import datetime

import pytest

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.errors import PlanNotAllowedError
from qdplan_cli.plan.labels import CLAUSE_LABELS
from qdplan_cli.plan.model import (
    BOOLEAN_FACTS,
    Document,
    Fact,
    Fault,
    Outcome,
    ProjectType,
    Role,
    Situation,
    Stage,
    StepKind,
)
from qdplan_cli.plan.times import localize

NOW = localize(datetime(2026, 12, 8, 10, 0))
TRI = (None, True, False)

PREP_OUTCOMES = {Outcome.PROCEED, Outcome.PARTIES_DECIDE, Outcome.DELAY_NOTICE, Outcome.NEED_INPUT}
SESSION_OUTCOMES = {
    Outcome.PROCEED,
    Outcome.WAIT_AND_RESUME,
    Outcome.CHOOSE_PLAN,
    Outcome.NEED_INPUT,
}


def all_situations() -> list[Situation]:
    cases = []
    for stage, fault, ptype in itertools.product(Stage, Fault, ProjectType):
        for values in itertools.product(TRI, repeat=len(BOOLEAN_FACTS)):
            for plan in (None, 1, 2, 3):
                facts = {f.value: v for f, v in zip(BOOLEAN_FACTS, values, strict=True)}
                cases.append(
                    Situation(stage=stage, fault=fault, project_type=ptype, plan=plan, **facts)
                )
    return cases


SPACE = all_situations()


def test_space_is_the_whole_product() -> None:
    assert len(SPACE) == 3 * 3 * 2 * 3**5 * 4


def test_invariants_hold_over_the_whole_fact_space() -> None:
    decided = refused = 0
    for s in SPACE:
        assert s.stage is not None and s.fault is not None
        forbidden_plan = s.plan is not None and (
            s.stage is Stage.PREP or (s.fault is Fault.SYSTEM and s.plan == 1)
        )
        if forbidden_plan:
            with pytest.raises(PlanNotAllowedError):
                decide(s, NOW)
            refused += 1
            continue
        d = decide(s, NOW)
        decided += 1
        where = f"{s}"
        # 4.2.2 / 5.2: a system fault never allows plan 1.
        if s.fault is Fault.SYSTEM:
            assert 1 not in d.allowed_plans, where
        # 4.3 / 5.4: who signs the record.
        if s.stage is Stage.PREP:
            assert d.signatories == (Role.TENDERER, Role.AGENCY), where
            assert d.outcome in PREP_OUTCOMES, where
            assert d.allowed_plans == (), where
        else:
            assert d.signatories == (Role.TENDERER, Role.AGENCY, Role.WITNESS), where
            assert d.outcome in SESSION_OUTCOMES, where
        # Every step cites a clause of the plan, and names who does it.
        assert d.steps, where
        for step in d.steps:
            assert step.clause in CLAUSE_LABELS, (where, step)
            # 4.2.2, 5.1, 5.2 name no one who makes the call: such a step names whom it reaches.
            assert step.by or (step.kind is StepKind.CALL and step.to), (where, step)
            assert "{" not in step.text and "}" not in step.text, (where, step)
        # Every decided incident is written down.
        if d.outcome is Outcome.NEED_INPUT:
            assert d.missing, where
            assert d.documents == (), where
        else:
            assert d.documents[0] is Document.INCIDENT_RECORD, where
        assert len(set(d.documents)) == len(d.documents), where
        # The engine never asks for what it was told.
        for fact in d.missing:
            if fact in BOOLEAN_FACTS:
                assert s.fact(fact) is None, (where, fact)
            if fact is Fact.PLAN:
                assert s.plan is None, where
        # A chosen plan is filed with the supervisor.
        if d.outcome is Outcome.CHOOSE_PLAN:
            assert d.allowed_plans, where
            assert Document.FILING_REPORT in d.documents, where
            assert Role.SUPERVISOR in d.notify, where
            assert (d.plan is None) == (Fact.PLAN in d.missing), where
        else:
            assert d.plan is None, where
        if d.outcome is Outcome.DELAY_NOTICE:
            assert Document.DELAY_NOTICE in d.documents, where
        # Waiting: bidders are told in the opening room, experts in the evaluation room.
        if d.outcome is Outcome.WAIT_AND_RESUME:
            told = Role.BIDDERS if s.stage is Stage.OPENING else Role.EXPERTS
            assert told in d.notify, where
        # 政府采购 wording never leaks 建设工程 words, and the reverse.
        text = "".join(step.text for step in d.steps)
        if s.project_type is ProjectType.PROCUREMENT:
            assert "招标人" not in text and "投标人" not in text.replace("投标信息", ""), where
        else:
            assert "采购人" not in text and "供应商" not in text, where
    assert decided > 0 and refused > 0


def _answer(s: Situation, fact: Fact, value: bool | int) -> Situation:
    from dataclasses import replace

    return replace(s, **{fact.value: value})


@pytest.mark.parametrize(("stage", "fault"), list(itertools.product(Stage, Fault)))
def test_asking_the_missing_facts_always_ends_in_a_decision(stage: Stage, fault: Fault) -> None:
    """The wizard is a loop over ``missing``: every answer path reaches a final outcome."""
    pending = [Situation(stage=stage, fault=fault)]
    finished = 0
    while pending:
        s = pending.pop()
        d = decide(s, NOW)
        if not d.missing:
            assert d.outcome is not Outcome.NEED_INPUT
            finished += 1
            continue
        fact = d.missing[0]
        answers: tuple[bool | int, ...] = d.allowed_plans if fact is Fact.PLAN else (True, False)
        for value in answers:
            nxt = _answer(s, fact, value)
            assert decide(nxt, NOW).missing[:1] != (fact,)
            pending.append(nxt)
    assert finished >= 2


def test_unknown_stage_and_fault_are_asked_first() -> None:
    d = decide(Situation(), NOW)
    assert d.outcome is Outcome.NEED_INPUT
    assert d.missing == (Fact.STAGE, Fact.FAULT)
    d = decide(Situation(stage=Stage.OPENING), NOW)
    assert d.missing == (Fact.FAULT,)


class _ExplodingCalendar:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"calendar consulted: {name}")


def test_calendar_is_consulted_only_when_needs_calendar_says_so() -> None:
    """The CLI skips reading the config for JSON when ``needs_calendar`` is false: that is only
    sound if the engine really never asks the calendar or business hours in those cases."""
    from qdplan_cli.plan.decide import needs_calendar

    for s in SPACE:
        assert not needs_calendar(s)
        with contextlib.suppress(PlanNotAllowedError):
            decide(s, NOW, calendar=_ExplodingCalendar(), hours=_ExplodingCalendar())  # type: ignore[arg-type]
