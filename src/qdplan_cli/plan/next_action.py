"""The next open actions of an incident, in the plan's order: what the status block, ``show`` and
``watch`` put first. Pure: no clock, no I/O.

The checklist (``plan.progress``) numbers every step of the active branch and says which are
settled, by a tick or by the act that fulfils them. The witness's next action is narrower:

- only acts: a lasting duty (保密, 计费: ``StepKind.KEEP``) is never "next", nor a statement of
  what already stands (``stands``, ``notice_stands``, ``actual_times``);
- in the order of the flow (``Decision.steps``: call, try, decide, file, announce, publish…),
  not grouped by section;
- a step the flow has moved past is no longer next: once a later act is recorded (the plan
  chosen, the notice published…), the calls and tries before it are behind; the 2-hour answer
  says the people called have judged (the calls are behind); once the fault is cleared, the
  calls, tries and waiting are over;
- 方案三's supplementary notice (第四条（二）1) is three acts, 出具 → 经监管部门备案 → 现场公布:
  its step stays next, naming what remains, until all three are recorded;
- an expert leaving early (第五条 1) puts its acts first: 签署承诺, then 补抽;
- the new time (第四条（一）: 原则上…2小时之后; 方案三: 不少于1个工作日) is an act, done once a new
  time is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.model import Decision, Situation, Step, StepKind
from qdplan_cli.plan.progress import ChecklistStep, checklist

K = StepKind

# What already stands, said on the checklist: never an action.
STATEMENTS: Final = frozenset({"stands", "notice_stands", "actual_times"})
# The new time, once recorded, settles these.
NEW_TIME_STEPS: Final = frozenset(
    {"notice_time", "notice_time_pending", "plan3_time", "plan3_time_pending", "plan3_new_time"}
)
# Acts made of sub-acts, in the plan's order and words: (act, what it is called).
PLAN3_ACTS: Final = (
    (Act.SUPPLEMENT_ISSUED, "出具"),
    (Act.PLAN_FILED, "经监管部门备案"),
    (Act.SUPPLEMENT_ANNOUNCED, "现场公布"),
)
LEAVER_ACTS: Final = ((Act.COMMITMENT_SIGNED, "签署承诺"), (Act.EXPERT_REPLACED, "补抽"))
# Lasting duties that become actions when an act calls for them.
TRIGGERED: Final = {"leaving": Act.EXPERT_LEFT, "plan3_commitment": None}
# The calls that open every flow: the 2-hour answer says those called have judged.
FIRST_CALLS: Final = frozenset({"call", "call_if_needed"})
# Kinds over once the fault is cleared, or once the 2-hour question is answered (calls only).
OVER_WHEN_CLEARED: Final = frozenset({K.CALL, K.TRY, K.TELL})


@dataclass(frozen=True)
class NextAction:
    """One open action: the checklist step (its number ticks it), and what of it remains."""

    item: ChecklistStep
    remaining: tuple[str, ...] = ()  # sub-acts still to record, in the plan's words

    @property
    def number(self) -> int:
        return self.item.number

    @property
    def step(self) -> Step:
        return self.item.step


def _name(step: Step) -> str:
    return step.key.partition(":")[2]


def _remaining(pairs: tuple[tuple[Act, str], ...], acts: Mapping[Act, datetime]) -> tuple[str, ...]:
    """The sub-acts after the last one recorded (recording a later one says the earlier ones
    were done: the order itself is checked by ``plan.order``)."""
    done = [i for i, (act, _) in enumerate(pairs) if act in acts]
    start = done[-1] + 1 if done else 0
    return tuple(words for _, words in pairs[start:])


def next_actions(
    decision: Decision,
    situation: Situation,
    ticks: Mapping[str, datetime] | None = None,
    acts: Mapping[Act, datetime] | None = None,
) -> tuple[NextAction, ...]:
    """The open actions of the active branch, the next first."""
    acts = acts or {}
    items = {item.step: item for item in checklist(decision, ticks, acts)}
    flow = [items[step] for step in decision.steps if step in items]
    triggered: list[NextAction] = []
    candidates: list[tuple[ChecklistStep, bool, tuple[str, ...]]] = []  # (item, done, remaining)
    for item in flow:
        name = _name(item.step)
        ticked = item.done_at is not None and item.settled_by is None
        if name in STATEMENTS:
            continue
        if name == "leaving":
            if Act.EXPERT_LEFT in acts and not ticked:
                left = _remaining(LEAVER_ACTS, acts)
                if left:
                    triggered.append(NextAction(item, left))
            continue
        if item.step.kind is K.KEEP and name not in TRIGGERED:
            continue
        done = item.settled
        remaining: tuple[str, ...] = ()
        if name == "plan3_supplement" and not ticked:
            remaining = _remaining(PLAN3_ACTS, acts)
            done = not remaining
        elif name == "plan3_commitment" and not ticked:
            done = Act.COMMITMENT_SIGNED in acts
        if name in NEW_TIME_STEPS and situation.new_time is not None:
            done = True
        if situation.resolved_at is not None and item.step.kind in OVER_WHEN_CLEARED:
            done = True
        if situation.within_2h is not None and name in FIRST_CALLS:
            done = True
        candidates.append((item, done, remaining))
    # A step the flow has moved past: a later act (not the written record) is recorded.
    last = max(
        (
            i
            for i, (item, done, _) in enumerate(candidates)
            if done and item.step.kind is not K.RECORD and _name(item.step) not in NEW_TIME_STEPS
        ),
        default=-1,
    )
    open_ = [
        NextAction(item, remaining)
        for i, (item, done, remaining) in enumerate(candidates)
        if not done and (i > last or item.step.kind is K.RECORD)
    ]
    return (*triggered, *open_)
