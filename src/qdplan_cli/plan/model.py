"""The vocabulary of the emergency plan: stages, faults, roles, outcomes, documents, facts.

Ids are those of PLAN.md and are part of the JSON contract; Chinese labels live in ``labels``.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from qdplan_cli.plan.errors import UserError


class Stage(StrEnum):
    PREP = "prep"  # 第四条（一）开标准备阶段
    OPENING = "opening"  # 第四条（二）开标过程中
    EVALUATION = "evaluation"  # 第五条 评标环节


class Fault(StrEnum):
    NETWORK = "network"  # 网络或设备软硬件故障
    SYSTEM = "system"  # 电子交易系统故障、无法登录、服务异常（含服务器受损，第三条）
    POWER = "power"  # 断电


class ProjectType(StrEnum):
    CONSTRUCTION = "construction"  # 建设工程
    PROCUREMENT = "procurement"  # 政府采购


class Role(StrEnum):
    TENDERER = "tenderer"
    AGENCY = "agency"
    WITNESS = "witness"
    SUPPORT_STAFF = "support_staff"
    SYSTEM_ADMIN = "system_admin"
    VENDOR_TECHNICIAN = "vendor_technician"
    PROPERTY_STAFF = "property_staff"
    DEPARTMENT_HEAD = "department_head"
    BUREAU_LEADER = "bureau_leader"
    SUPERVISOR = "supervisor"
    BIDDERS = "bidders"
    EXPERTS = "experts"


class Outcome(StrEnum):
    PROCEED = "proceed"
    PARTIES_DECIDE = "parties_decide"
    DELAY_NOTICE = "delay_notice"
    WAIT_AND_RESUME = "wait_and_resume"
    CHOOSE_PLAN = "choose_plan"
    NEED_INPUT = "need_input"


class Document(StrEnum):
    INCIDENT_RECORD = "incident_record"
    DELAY_NOTICE = "delay_notice"
    SUPPLEMENTARY_NOTICE = "supplementary_notice"
    EVALUATION_RESCHEDULE = "evaluation_reschedule"
    FILING_REPORT = "filing_report"
    CLOSURE_PLAN = "closure_plan"
    CONFIDENTIALITY_COMMITMENT = "confidentiality_commitment"


PUBLIC_DOCUMENTS = frozenset({Document.DELAY_NOTICE, Document.SUPPLEMENTARY_NOTICE})


class Fact(StrEnum):
    """Facts the operator supplies; the ids are used by the CLI, case files and JSON."""

    STAGE = "stage"
    FAULT = "fault"
    FALLBACK_WORKS = "fallback_works"
    QUICK_FIX_WORKS = "quick_fix_works"
    FIXED_BEFORE_DEADLINE = "fixed_before_deadline"
    BIDDERS_CAN_SIGN_IN = "bidders_can_sign_in"
    WITHIN_2H = "within_2h"
    PLAN = "plan"


BOOLEAN_FACTS = (
    Fact.FALLBACK_WORKS,
    Fact.QUICK_FIX_WORKS,
    Fact.FIXED_BEFORE_DEADLINE,
    Fact.BIDDERS_CAN_SIGN_IN,
    Fact.WITHIN_2H,
)


# The three emergency plans (方案一、二、三) of 4.2.1 and 5.1.
PLANS = (1, 2, 3)


def check_plan(value: object, field: str = "plan") -> int:
    """The one check that a plan is 1, 2 or 3 (flags, case files, the wizard, the engine)."""
    if isinstance(value, bool) or value not in PLANS:
        raise UserError(f"方案只能是 1、2 或 3，收到 {value!r}", field=field)
    assert isinstance(value, int)
    return value


class StepKind(StrEnum):
    """What a checklist line asks of someone; the checklist groups lines by it."""

    CALL = "call"  # 通知、报告
    TRY = "try"  # 排除故障、尝试
    TELL = "tell"  # 说明情况
    DECIDE = "decide"  # 决定、选择方案
    PUBLISH = "publish"  # 出具、发布文书
    FILE = "file"  # 备案
    KEEP = "keep"  # 保密、计费等持续义务
    RECORD = "record"  # 书面记录、签字


@dataclass(frozen=True)
class Situation:
    """Everything the operator knows about an incident. Unknown facts are ``None``."""

    stage: Stage | None = None
    fault: Fault | None = None
    project_type: ProjectType = ProjectType.CONSTRUCTION
    fallback_works: bool | None = None
    quick_fix_works: bool | None = None
    fixed_before_deadline: bool | None = None
    bidders_can_sign_in: bool | None = None
    within_2h: bool | None = None
    plan: int | None = None
    expert_left_early: bool = False
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    bid_deadline: datetime | None = None
    notice_published_at: datetime | None = None
    supplement_issued_at: datetime | None = None
    # 4.2.1 方案三: 出具 → 经监管部门备案 → 现场公布; the announcement on site, once recorded.
    supplement_announced_at: datetime | None = None
    new_time: datetime | None = None
    # Commitments (PLAN.md, "Commitments stand"): once the chosen plan was filed with the
    # supervisor (or, 方案三, announced on site), it stands whatever is learnt later.
    plan_filed_at: datetime | None = None
    # 原则上: an earlier new time than the minimum is accepted only with a recorded reason.
    override_reason: str | None = None

    def fact(self, fact: Fact) -> bool | None:
        value = getattr(self, fact.value)
        assert value is None or isinstance(value, bool)
        return value


@dataclass(frozen=True)
class Step:
    """One line of the checklist: what to do, who does it, whom it reaches, and its clause."""

    kind: StepKind
    text: str
    clause: str
    by: tuple[Role, ...] = ()
    to: tuple[Role, ...] = ()
    if_needed: bool = False  # 必要时: ``to`` is called only when needed (4.2.1, 5.1)
    analogy: bool = False  # the clause applied by analogy (参照适用), a reading of ours
    # 解读: the name of our reading when the step is not the plan's own word for this case
    # (every analogy is one); "" when it is. README lists every reading by this name.
    reading: str = ""
    # The step's key in the clause table, with its clause: ``4.2.1:filed``. Ticks are recorded
    # by it, so the record prints the step's whole text and a changed wording finds its tick.
    key: str = ""


@dataclass(frozen=True)
class Decision:
    """What the plan says for a situation at a moment. Renderers present it; none decides."""

    outcome: Outcome
    stage: Stage | None
    fault: Fault | None
    project_type: ProjectType
    missing: tuple[Fact, ...] = ()
    allowed_plans: tuple[int, ...] = ()
    plan: int | None = None
    signatories: tuple[Role, ...] = ()
    documents: tuple[Document, ...] = ()
    steps: tuple[Step, ...] = ()
    earliest_new_time: datetime | None = None
    suggested_new_time: datetime | None = None
    two_hour_line: datetime | None = None
    bid_deadline: datetime | None = None
    within_2h: bool | None = None
    fixed_before_deadline: bool | None = None
    now: datetime | None = None
    warnings: tuple[str, ...] = field(default=())
    # A chosen plan filed or announced, or a delay notice published: it stands (PLAN.md).
    committed: bool = False
    resolved_at: datetime | None = None
    override_reason: str | None = None

    @property
    def notify(self) -> tuple[Role, ...]:
        """Every role called, told or reported to, in checklist order (derived from the steps)."""
        seen: dict[Role, None] = {}
        for step in self.steps:
            for role in step.to:
                seen.setdefault(role, None)
        return tuple(seen)

    @property
    def notify_when_needed(self) -> tuple[Role, ...]:
        """Roles reached only by a 必要时 step: called when needed, not as a matter of course."""
        always = {role for step in self.steps if not step.if_needed for role in step.to}
        return tuple(r for r in self.notify if r not in always)

    @property
    def clauses(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.setdefault(step.clause, None)
        return tuple(seen)
