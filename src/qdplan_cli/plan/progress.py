"""Steps that know when they are done: the checklist of a decision, numbered as the witness sees
it, each step settled by a tick or by the act that fulfils it. Pure: no clock, no I/O.

A step is settled
- by a tick (``qdplan tick``, the wizard's "勾选已完成的步骤"), recorded by its key
  (``Step.key``, ``4.2.1:filed``); ticks recorded by earlier versions under a hash of the step's
  text (``legacy_step_id``) still count;
- or by the act that fulfils it (``SETTLED_BY``): recording the filing settles 报监管部门备案,
  the publication of the delay notice settles 出具/发布延迟开标公告, answering whether the
  emergency network works (it failed, or it worked) settles 尝试应急网络 …
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.model import Decision, Role, Step, StepKind

K = StepKind

# The console's sections, in order (``ui.console.SECTIONS``): publishing and filing share one.
SECTION_ORDER: Final = (
    (K.CALL,),
    (K.TRY,),
    (K.TELL,),
    (K.DECIDE,),
    (K.PUBLISH, K.FILE),
    (K.KEEP,),
    (K.RECORD,),
)
_RANK: Final = {
    kind: next((i for i, group in enumerate(SECTION_ORDER) if kind in group), len(SECTION_ORDER))
    for kind in StepKind
}

# The acts that fulfil a step, by the step's key in the clause table (whatever its clause).
SETTLED_BY: Final[Mapping[str, tuple[Act, ...]]] = {
    # 4.1.1: 尝试使用应急网络进行开标准备 — answered whether it works: it was tried.
    "try": (Act.FALLBACK_TRIED,),
    # 4.2.1, 5.1: 尝试使用无线、移动数据等其它应急网络 / 尝试简单维修.
    "try_fallback": (Act.FALLBACK_TRIED,),
    "try_fix": (Act.QUICK_FIX_TRIED,),
    # 4.1.x: 出具延迟开标公告 / 在原公告页面发布延迟开标公告 — the publication fulfils both.
    "delay_notice": (Act.NOTICE_PUBLISHED,),
    "publish_notice": (Act.NOTICE_PUBLISHED,),
    "parties_delay": (Act.NOTICE_PUBLISHED,),
    # 4.2.1, 5.1: 选择一种方案 … 并报监管部门备案.
    "choose": (Act.PLAN_CHOSEN,),
    "filed": (Act.PLAN_FILED,),
    "stands": (Act.PLAN_FILED, Act.SUPPLEMENT_ISSUED),
    # 4.2.1 方案三: 出具延期开标的书面补充公告，经监管部门备案后现场公布.
    "plan3_supplement": (Act.SUPPLEMENT_ISSUED,),
}


def legacy_step_id(step: Step) -> str:
    """The id ticks were recorded under before steps had keys: clause, kind and a short hash of
    the text. Read only (old records); new ticks use ``step.key``."""
    digest = hashlib.sha1(step.text.encode("utf-8")).hexdigest()[:6]
    return f"{step.clause}-{step.kind.value}-{digest}"


def tick_time(ticks: Mapping[str, datetime], step: Step) -> datetime | None:
    """When ``step`` was ticked done (by its key, or by the id of an older record)."""
    found = ticks.get(step.key) if step.key else None
    return found if found is not None else ticks.get(legacy_step_id(step))


@dataclass(frozen=True)
class ChecklistStep:
    """One step of the active branch as the witness sees it: its number, key, the step (text,
    clause, who does it, whom it reaches), and whether and how it is settled."""

    number: int
    step: Step
    done_at: datetime | None = None  # ticked, or the time of the act that settled it
    settled_by: Act | None = None  # the act that settled it (``None``: a tick, or still open)

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def text(self) -> str:
        return self.step.text

    @property
    def clause(self) -> str:
        return self.step.clause

    @property
    def actors(self) -> tuple[Role, ...]:
        """Who does it (or, for a call with no one named, whom it reaches)."""
        return self.step.by or self.step.to

    @property
    def settled(self) -> bool:
        return self.done_at is not None


def ordered(decision: Decision) -> tuple[Step, ...]:
    """The decision's steps in the checklist's order (by section; stable within one)."""
    return tuple(sorted(decision.steps, key=lambda step: _RANK[step.kind]))


def checklist(
    decision: Decision,
    ticks: Mapping[str, datetime] | None = None,
    acts: Mapping[Act, datetime] | None = None,
) -> tuple[ChecklistStep, ...]:
    """Every step of the decision (the active branch), numbered from 1 in the checklist's order,
    each settled by its tick or, failing one, by an act of ``SETTLED_BY`` found in ``acts``."""
    ticks = ticks or {}
    acts = acts or {}
    out = []
    for number, step in enumerate(ordered(decision), start=1):
        done = tick_time(ticks, step)
        by: Act | None = None
        if done is None:
            name = step.key.partition(":")[2]
            for act in SETTLED_BY.get(name, ()):
                if act in acts:
                    done, by = acts[act], act
                    break
        out.append(ChecklistStep(number, step, done, by))
    return tuple(out)


def open_steps(
    decision: Decision,
    ticks: Mapping[str, datetime] | None = None,
    acts: Mapping[Act, datetime] | None = None,
) -> tuple[ChecklistStep, ...]:
    """The open steps of the active branch, in order: ``checklist`` without the settled ones.

    ``decision`` is the engine's decision for the incident now (its steps are the active
    branch); ``ticks`` maps a step key to the time it was ticked; ``acts`` maps each act recorded
    to its time (``record.incident.Incident.ticks`` and ``.acts``). Each result keeps the number
    the full checklist gives the step, so ``qdplan tick N`` ticks it."""
    return tuple(s for s in checklist(decision, ticks, acts) if not s.settled)
