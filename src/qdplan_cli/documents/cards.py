"""What goes on paper: the emergency cards of the paper pack, the one-page checklist of an
incident and the expert fee sheet, as template contexts. No DOCX here (``docx_writer``) and no
I/O: the commands render these through the templates and write the files.

The cards are generated FROM the engine: for each stage × fault the engine is asked about every
answer to every question it asks (``Decision.missing``), so the card is the decision tree the
engine walks, never a second copy of the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypedDict

from qdplan_cli.local.config import Contact
from qdplan_cli.plan.errors import PlanNotAllowedError
from qdplan_cli.plan.fees import FeeSheet
from qdplan_cli.plan.fields import with_fact
from qdplan_cli.plan.labels import (
    FACT_LABELS,
    FAULT_LABELS,
    FAULT_SHORT,
    PLAN_NUMERALS,
    PLAN_TITLE,
    clause_label,
    document_label,
    fact_label,
    outcome_label,
    plan_label,
    role_label,
    stage_label,
    step_citation,
    terms,
)
from qdplan_cli.plan.model import (
    PLANS,
    PUBLIC_DOCUMENTS,
    Decision,
    Fact,
    Fault,
    Outcome,
    ProjectType,
    Role,
    Situation,
    Stage,
    Step,
    StepKind,
)
from qdplan_cli.plan.times import format_date, format_dt

# Roles that are reached in person in the room, not by telephone.
_NOT_CALLED = {Role.BIDDERS, Role.EXPERTS}


def fact_question(
    fact: Fact, project_type: ProjectType = ProjectType.CONSTRUCTION, stage: Stage | None = None
) -> str:
    """The question in the project's and the stage's words (政府采购: 响应文件提交截止时间,
    供应商 …; 第五条 1: 无线等其它应急网络)."""
    return fact_label(fact, project_type, stage) + "？"


def step_line(step: Step) -> dict[str, str]:
    """A checklist line on paper: its text and its citation, a reading marked 参照 / 解读."""
    return {"text": step.text, "clause": step_citation(step)}


def contact_rows(
    roles: Sequence[Role],
    first_clause: Mapping[Role, str],
    contacts: Mapping[Role, Sequence[Contact]],
    project_type: ProjectType,
) -> list[dict[str, str]]:
    """One row per configured person of each role; a role with nobody configured gets one row
    with blanks to write in by hand."""
    rows = []
    for role in roles:
        people = list(contacts.get(role, ())) or [("", "")]
        for name, phone in people:
            rows.append(
                {
                    "role": role_label(role, project_type),
                    "name": name or "＿＿＿＿",
                    "phone": phone or "＿＿＿＿＿＿",
                    "clause": clause_label(first_clause[role]) if role in first_clause else "",
                }
            )
    return rows


def paired(rows: list[dict[str, str]]) -> list[tuple[dict[str, str], dict[str, str] | None]]:
    """Two contacts a table row: a card has one page."""
    pairs: list[tuple[dict[str, str], dict[str, str] | None]] = []
    for i in range(0, len(rows), 2):
        pairs.append((rows[i], rows[i + 1] if i + 1 < len(rows) else None))
    return pairs


# ================================================================ the cards


@dataclass
class _Branch:
    answer: str  # 能 / 不能
    steps: list[dict[str, str]]
    outcome: str = ""
    goto: int | None = None  # number of the next question
    node: _Question | None = None


@dataclass
class _Question:
    fact: Fact
    text: str
    yes: _Branch
    no: _Branch
    number: int = 0


@dataclass
class _Walk:
    """Everything the engine said while walking one stage × fault."""

    decisions: list[Decision] = field(default_factory=list)
    keep: dict[str, dict[str, str]] = field(default_factory=dict)


def _texts(decision: Decision) -> set[str]:
    return {step.text for step in decision.steps}


def _flow_steps(child: Decision, parent: Decision, walk: _Walk) -> list[dict[str, str]]:
    """The steps the answer adds; standing duties (KEEP) go to the card's own list."""
    before = _texts(parent)
    lines = []
    for step in child.steps:
        if step.text in before or step.kind is StepKind.RECORD:
            continue
        if step.kind is StepKind.KEEP:
            walk.keep.setdefault(step.text, step_line(step))
            continue
        lines.append(step_line(step))
    return lines


def _walk(situation: Situation, now: datetime, walk: _Walk) -> tuple[Decision, _Question | None]:
    from qdplan_cli.plan.decide import decide

    decision = decide(situation, now)
    walk.decisions.append(decision)
    if decision.outcome is not Outcome.NEED_INPUT or not decision.missing:
        return decision, None
    fact = decision.missing[0]
    if fact is Fact.PLAN:
        return decision, None
    branches = []
    for answer in (True, False):
        child, question = _walk(with_fact(situation, fact.value, answer), now, walk)
        branch = _Branch(
            "能" if answer else "不能",
            _flow_steps(child, decision, walk),
            node=question,
        )
        if question is None:
            branch.outcome = outcome_label(child.outcome, situation.project_type)
        branches.append(branch)
    question_text = fact_question(fact, situation.project_type, situation.stage)
    return decision, _Question(fact, question_text, branches[0], branches[1])


def _signature(question: _Question) -> tuple[Any, ...]:
    def branch(b: _Branch) -> tuple[Any, ...]:
        return (
            b.answer,
            tuple((s["text"], s["clause"]) for s in b.steps),
            b.outcome,
            _signature(b.node) if b.node else None,
        )

    return (question.fact, branch(question.yes), branch(question.no))


def _number(root: _Question) -> list[_Question]:
    """Questions in reading order (breadth first); a question reached by two paths with the
    same consequences is printed once and referred to by number."""
    ordered: list[_Question] = []
    seen: dict[tuple[Any, ...], _Question] = {}
    queue = [root]
    while queue:
        question = queue.pop(0)
        key = _signature(question)
        if key in seen:
            continue
        seen[key] = question
        question.number = len(ordered) + 1
        ordered.append(question)
        for branch in (question.yes, question.no):
            if branch.node is not None:
                queue.append(branch.node)
    for question in ordered:
        for branch in (question.yes, question.no):
            if branch.node is not None:
                branch.goto = seen[_signature(branch.node)].number
    return ordered


def _question_dict(q: _Question) -> dict[str, object]:
    return {
        "number": q.number,
        "text": q.text,
        "branches": [
            {"answer": b.answer, "steps": b.steps, "outcome": b.outcome, "goto": b.goto}
            for b in (q.yes, q.no)
        ],
    }


class PlanRow(TypedDict):
    """One plan of a card: its steps and documents beyond the fault's own."""

    label: str
    name: str
    allowed: bool
    steps: list[dict[str, str]]
    documents: list[str]


def _plan_rows(leaf: Situation, base: Decision, now: datetime, walk: _Walk) -> list[PlanRow]:
    """Each of the three plans for this fault: its steps (from the engine), or why it is not
    allowed (the engine's own refusal)."""
    from qdplan_cli.plan.decide import decide

    rows: list[PlanRow] = []
    for number in PLANS:
        label = plan_label(number, leaf.stage, leaf.project_type)
        try:
            decision = decide(replace(leaf, plan=number), now)
        except PlanNotAllowedError:
            # 4.2.2, 5.2: a system fault never offers 方案一; the choice step says 方案二或方案三.
            continue
        walk.decisions.append(decision)
        before = _texts(base)
        name = PLAN_NUMERALS[number]
        steps = []
        for s in decision.steps:
            if s.text in before or s.kind in (StepKind.RECORD, StepKind.FILE):
                continue
            steps.append(step_line(s))
        docs = [
            document_label(d, decision.project_type)
            for d in decision.documents
            if d not in base.documents
        ]
        rows.append(
            {
                "label": label,
                "name": name,
                "allowed": True,
                "steps": steps,
                "documents": docs,
            }
        )
    # A step several plans share is listed once, among the standing duties, naming the plans.
    allowed = [r for r in rows if r["allowed"]]
    for row in allowed:
        for line in list(row["steps"]):
            sharing = [r for r in allowed if line in r["steps"]]
            if len(sharing) > 1:
                entry = walk.keep.setdefault(line["text"], dict(line))
                entry["plans"] = "、".join(r["name"] for r in sharing)
                for r in sharing:
                    r["steps"].remove(line)
    return rows


def _leaf_for_plans(root: _Question | None, situation: Situation) -> Situation:
    """The facts that lead to 'choose a plan': every question answered 不能."""
    s = situation
    question = root
    while question is not None:
        s = with_fact(s, question.fact.value, False)
        question = question.no.node
    return s


def card(
    stage: Stage,
    fault: Fault,
    now: datetime,
    *,
    contacts: Mapping[Role, Sequence[Contact]],
    project_type: ProjectType = ProjectType.CONSTRUCTION,
) -> dict[str, object]:
    """One stage × fault card, from the engine's answers to every question it asks."""
    from qdplan_cli.plan.decide import FAULT_CLAUSES, NOTICE_LEAD, TWO_HOURS, decide

    situation = Situation(stage=stage, fault=fault, project_type=project_type)
    walk = _Walk()
    root_decision, root = _walk(situation, now, walk)
    questions = _number(root) if root is not None else []

    first = [
        step_line(s)
        for s in root_decision.steps
        if s.kind is not StepKind.RECORD and s.kind is not StepKind.CALL
    ]
    calls = [step_line(s) for s in root_decision.steps if s.kind is StepKind.CALL]
    record = next(s for s in root_decision.steps if s.kind is StepKind.RECORD)

    plans: list[PlanRow] = []
    plan_note = ""
    if stage is Stage.PREP:
        try:
            decide(replace(situation, plan=1), now)
        except PlanNotAllowedError as exc:
            plan_note = exc.message
    else:
        leaf = _leaf_for_plans(root, situation)
        base = decide(leaf, now)
        plans = _plan_rows(leaf, base, now, walk)

    # Whom the engine has anyone call, across every answer, in order of first mention.
    first_clause: dict[Role, str] = {}
    for decision in walk.decisions:
        for step in decision.steps:
            for role in step.to:
                if role not in _NOT_CALLED:
                    first_clause.setdefault(role, step.clause)
    clause = FAULT_CLAUSES[(stage, fault)]
    hours = int(TWO_HOURS.total_seconds() // 3600)
    notice_hours = int(NOTICE_LEAD.total_seconds() // 3600)
    return {
        "stage": stage_label(stage, project_type),
        "fault": FAULT_LABELS[fault],
        "fault_short": FAULT_SHORT[fault],
        "clause": clause_label(clause),
        "calls": calls,
        "contacts": contact_rows(list(first_clause), first_clause, contacts, project_type),
        "contact_pairs": paired(
            contact_rows(list(first_clause), first_clause, contacts, project_type)
        ),
        "first": first,
        "questions": [_question_dict(q) for q in questions],
        "plans": plans,
        "plan_note": plan_note,
        "keep": list(walk.keep.values()),
        "record": step_line(record),
        "in_session": stage is not Stage.PREP,
        "hours": hours,
        "notice_hours": notice_hours,
    }


def pack_context(
    now: datetime,
    *,
    contacts: Mapping[Role, Sequence[Contact]],
    hall: str,
    project_type: ProjectType = ProjectType.CONSTRUCTION,
) -> dict[str, object]:
    from qdplan_cli.plan.decide import SIGNATORIES

    cards = [
        card(stage, fault, now, contacts=contacts, project_type=project_type)
        for stage in Stage
        for fault in Fault
    ]
    signers = {
        stage: "、".join(role_label(r, project_type) for r in SIGNATORIES[stage]) for stage in Stage
    }
    prep_record = clause_label("4.3")
    return {
        "plan_title": PLAN_TITLE,
        "hall": hall,
        "today": format_date(now),
        "terms": terms(project_type),
        "cards": cards,
        "signers": [
            {
                "stage": stage_label(stage, project_type),
                "who": signers[stage],
                "roles": [role_label(r, project_type) for r in SIGNATORIES[stage]],
                "clause": clause_label("5.4") if stage is Stage.EVALUATION else prep_record,
            }
            for stage in Stage
        ],
        "all_signers": _all_signers(project_type),
        # The hand-filled record offers every outcome the engine can reach, in the plan's
        # words (4.1.2: 研究决定是否延期开标 too); choosing a plan has its own line.
        "outcomes": [
            outcome_label(o, project_type)
            for o in Outcome
            if o not in (Outcome.NEED_INPUT, Outcome.CHOOSE_PLAN)
        ],
        "timeline_rows": 16,
        "expert_rows": 5,
    }


def _all_signers(project_type: ProjectType) -> list[dict[str, object]]:
    from qdplan_cli.plan.decide import SIGNATORIES

    rows: dict[Role, list[str]] = {}
    for stage in Stage:
        for role in SIGNATORIES[stage]:
            rows.setdefault(role, []).append(stage)
    return [
        {
            "label": role_label(role, project_type),
            "always": len(stages) == len(Stage),
            "stages": "、".join(stage_label(Stage(s), project_type) for s in stages),
        }
        for role, stages in rows.items()
    ]


# ================================================================ one incident's checklist


def checklist_context(
    decision: Decision,
    *,
    contacts: Mapping[Role, Sequence[Contact]],
    title: str,
    project: Mapping[str, str],
    resolved_at: datetime | None = None,
    ticks: Mapping[str, datetime] | None = None,
    new_venue: str = "",
) -> dict[str, object]:
    """The checklist of one incident as it stands, every line with its clause; a step ticked
    done (``ticks``: step id → when) carries ``done``, its time. At opening, 方案三 reopens
    “根据重新确定的时间和地点” (4.2.1): the checklist names the place as the supplementary notice
    does — ``new_venue``, else the original venue, unchanged — or leaves a line to fill in."""
    from qdplan_cli.plan.clauses import PLAN_CLAUSES
    from qdplan_cli.plan.decide import FAULT_CLAUSES, allowed_plans

    ticks = ticks or {}

    def line(step: Step) -> dict[str, str]:
        done = ticks.get(step.key)
        return step_line(step) | {"done": format_dt(done) if done else ""}

    assert decision.stage is not None and decision.fault is not None
    first_clause: dict[Role, str] = {}
    for step in decision.steps:
        for role in step.to:
            if role not in _NOT_CALLED:
                first_clause.setdefault(role, step.clause)
    clause = FAULT_CLAUSES[(decision.stage, decision.fault)]
    plans = []
    if decision.stage is not Stage.PREP:
        # Only the plans this fault allows (4.2.2, 5.2: a system fault never offers 方案一).
        for number in allowed_plans(decision.stage, decision.fault):
            plans.append(
                {
                    "label": plan_label(number, decision.stage, decision.project_type),
                    "allowed": True,
                    "chosen": number == decision.plan,
                }
            )
    words = terms(decision.project_type)
    reopening_venue = ""
    if decision.stage is Stage.OPENING and decision.plan == 3:
        original = project.get("venue", "")
        if new_venue and new_venue != original:
            reopening_venue = f"{new_venue}（变更）"
        elif new_venue or original:
            reopening_venue = f"{new_venue or original}（原地点，不变）"
        else:
            reopening_venue = "＿＿＿＿＿＿＿＿＿＿＿＿"
    return {
        "title": title,
        "reopening_venue": reopening_venue,
        "project": project,
        "stage": stage_label(decision.stage, decision.project_type),
        "fault": FAULT_LABELS[decision.fault],
        "clause": clause_label(clause),
        "plan_clause": clause_label(PLAN_CLAUSES.get(decision.stage, clause)),
        "outcome": outcome_label(decision.outcome, decision.project_type),
        "plan": plan_label(decision.plan, decision.stage, decision.project_type)
        if decision.plan
        else "",
        "now": format_dt(decision.now) if decision.now else "",
        "resolved_at": format_dt(resolved_at) if resolved_at else "",
        "two_hour_line": format_dt(decision.two_hour_line) if decision.two_hour_line else "",
        "within_2h": decision.within_2h,
        "missing": [FACT_LABELS[f] for f in decision.missing],
        "contacts": contact_rows(list(first_clause), first_clause, contacts, decision.project_type),
        "steps": [
            line(s) | {"kind": s.kind.value}
            for s in decision.steps
            if s.kind is not StepKind.RECORD
        ],
        "record": [line(s) for s in decision.steps if s.kind is StepKind.RECORD],
        "plans": plans,
        "documents": [
            document_label(d, decision.project_type) + ("（公开）" if d in PUBLIC_DOCUMENTS else "")
            for d in decision.documents
        ],
        "earliest_new_time": format_dt(decision.earliest_new_time)
        if decision.earliest_new_time
        else "",
        "suggested_new_time": format_dt(decision.suggested_new_time)
        if decision.suggested_new_time
        else "",
        "signers": [role_label(r, decision.project_type) for r in decision.signatories],
        "warnings": list(decision.warnings),
        "terms": words,
        "plan_title": PLAN_TITLE,
    }


# ================================================================ the expert fee sheet


def fee_context(
    sheet: FeeSheet,
    *,
    project: Mapping[str, str],
    project_type: ProjectType,
    now: datetime,
    with_names: bool = True,
    source: str = "",
) -> dict[str, object]:
    """The fee sheet: the schedule and its source, the caution, the rule that time actually
    served is paid in full (5.1; 4.4, 5.5), the lines and the total.

    The standard cited is the one configured for the project type (``source``); the default
    schedule is a procurement standard (鲁财采〔2017〕28号), so a construction project's sheet
    without its own says so. The sheet is dated by the day the last expert left, never by the
    day it is printed."""
    from qdplan_cli.plan.model import ProjectType

    words = terms(project_type)
    s = sheet.schedule
    note = ""
    if not source:
        source = s.source
        if project_type is ProjectType.CONSTRUCTION:
            note = (
                "该标准为政府采购评审劳务报酬标准，建设工程项目请按本项目适用的评标专家劳务报酬"
                "标准核对"
            )
    last = max((line.attendance.left_at for line in sheet.lines), default=None)
    lines = []
    for i, line in enumerate(sheet.lines, start=1):
        a = line.attendance
        lines.append(
            {
                "number": i,
                "name": a.name if with_names else "",
                "count": a.count,
                "arrived_at": format_dt(a.arrived_at),
                "left_at": format_dt(a.left_at),
                "working": line.explanation + (f"（{a.note}）" if a.note else ""),
                "per_expert": line.per_expert,
                "total": line.total,
            }
        )
    return {
        "plan_title": PLAN_TITLE,
        "project": project,
        "terms": words,
        "schedule": {
            "source": source,
            **({"note": note} if note else {}),
            "caution": s.caution,
            "base_hours": s.base_hours,
            "base_amount": s.base_amount,
            "hourly_amount": s.hourly_amount,
            "part_hour_minutes": s.part_hour_minutes,
            "part_hour_under_amount": s.part_hour_under_amount,
            "daily_cap": s.daily_cap,
            "no_evaluation_amount": s.no_evaluation_amount,
        },
        "clauses": {
            "wait": clause_label("5.1"),
            "opening": clause_label("4.4"),
            "evaluation": clause_label("5.5"),
        },
        "lines": lines,
        "named": any(line["name"] for line in lines),
        "experts": sheet.experts,
        "total": sheet.total,
        "today": format_date(now),
        "date": format_date(last) if last is not None else "　　　　年　　月　　日",
    }
