"""Facts and acts out of the plan's order, each with its clause and the way through.

The plan fixes an order for some acts: a delay notice is published once the fault is over
(第四条（一）1–3: 待网络／系统服务／供电恢复后……发布); 方案三's supplementary notice is issued,
filed with the supervisor, and only then announced on site (第四条（二）1: 经监管部门备案后现场
公布); a new time is no earlier than the earliest (原则上: an earlier one needs a reason on the
record); a fault in the opening stage (开标过程中) began no earlier than the opening time.

``out_of_order`` reads the situation (and the decision's earliest new time) and says which of
these the record breaks. It refuses nothing: what happened is recorded as it happened; the
console shows each at once, in the alarm style, so the witness can correct a typing slip or do
what the way through says. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qdplan_cli.plan.labels import clause_label, role_label, terms
from qdplan_cli.plan.model import Decision, Fault, Role, Situation, Stage
from qdplan_cli.plan.times import format_dt


class Rule(StrEnum):
    ONSET_BEFORE_OPENING = "onset_before_opening"
    NOTICE_BEFORE_RECOVERY = "notice_before_recovery"
    ANNOUNCED_BEFORE_FILED = "announced_before_filed"
    EARLY_NEW_TIME = "early_new_time"


# 第四条（一）1–3: what must come back before the delay notice is published.
RECOVERY: dict[Fault, str] = {
    Fault.NETWORK: "网络恢复",
    Fault.SYSTEM: "系统服务恢复",
    Fault.POWER: "供电恢复",
}
PREP_CLAUSES: dict[Fault, str] = {
    Fault.NETWORK: "4.1.1",
    Fault.SYSTEM: "4.1.2",
    Fault.POWER: "4.1.3",
}
OPENING_CLAUSES: dict[Fault, str] = {
    Fault.NETWORK: "4.2.1",
    Fault.SYSTEM: "4.2.2",
    Fault.POWER: "4.2.3",
}


# Each rule in a few words (the status block's one line).
SHORT: dict[Rule, str] = {
    Rule.ONSET_BEFORE_OPENING: "开标前发生的故障应按开标准备阶段处置",
    Rule.NOTICE_BEFORE_RECOVERY: "延迟开标公告应待恢复后发布",
    Rule.ANNOUNCED_BEFORE_FILED: "补充公告应经监管部门备案后现场公布",
    Rule.EARLY_NEW_TIME: "新时间早于原则上的最早时间：须写明例外理由",
}


@dataclass(frozen=True)
class OutOfOrder:
    rule: Rule
    clause: str  # the clause id (4.1.1 …)
    what: str  # what the record says, against the plan
    way: str  # the way through

    @property
    def text(self) -> str:
        return f"{self.what}（{clause_label(self.clause)}）。{self.way}"

    @property
    def short(self) -> str:
        return f"{SHORT[self.rule]}（{clause_label(self.clause)}）"


def out_of_order(s: Situation, decision: Decision | None = None) -> tuple[OutOfOrder, ...]:
    """Every rule of order the situation breaks, in the plan's order of clauses."""
    found: list[OutOfOrder] = []
    words = terms(s.project_type)
    if (
        s.stage is Stage.OPENING
        and s.started_at is not None
        and s.bid_deadline is not None
        and s.started_at < s.bid_deadline
    ):
        found.append(
            OutOfOrder(
                Rule.ONSET_BEFORE_OPENING,
                OPENING_CLAUSES[s.fault] if s.fault else "4.2.1",
                f"故障发生时间 {format_dt(s.started_at)} 早于开标时间 {format_dt(s.bid_deadline)}，"
                "却记为“开标过程中”",
                f"开标前发生的故障按开标准备阶段处置（{clause_label('4.1.1')}—"
                f"{clause_label('4.1.3')}）：请把环节改为开标准备阶段，或更正故障发生时间",
            )
        )
    published = s.notice_published_at
    if s.stage is Stage.PREP and s.fault is not None and published is not None:
        recovered = s.resolved_at
        if recovered is None or published < recovered:
            state = (
                "故障尚未排除" if recovered is None else f"早于故障排除时间 {format_dt(recovered)}"
            )
            found.append(
                OutOfOrder(
                    Rule.NOTICE_BEFORE_RECOVERY,
                    PREP_CLAUSES[s.fault],
                    f"延迟开标公告记为 {format_dt(published)} 发布，{state}：预案要求"
                    f"待{RECOVERY[s.fault]}后再由{words['agency']}在原公告页面发布",
                    "公告尚未发布的，待恢复后发布再记录时间；已恢复的，先记录故障排除时间；"
                    "记错的，更正发布时间",
                )
            )
    announced = s.supplement_announced_at
    if s.stage is Stage.OPENING and s.plan == 3 and announced is not None:
        filed = s.plan_filed_at
        if filed is None or announced < filed:
            when = "尚未记录备案" if filed is None else f"备案记为 {format_dt(filed)}"
            found.append(
                OutOfOrder(
                    Rule.ANNOUNCED_BEFORE_FILED,
                    "4.2.1",
                    f"方案三的补充公告记为 {format_dt(announced)} 现场公布，{when}："
                    f"预案要求{role_label(Role.TENDERER, s.project_type)}出具书面补充公告，"
                    "经监管部门备案后现场公布",
                    "已备案的，记录备案时间（早于公布）；尚未备案的，先报监管部门备案再公布",
                )
            )
    earliest = decision.earliest_new_time if decision is not None else None
    if (
        s.new_time is not None
        and earliest is not None
        and s.new_time < earliest
        and not s.override_reason
    ):
        clause = PREP_CLAUSES[s.fault] if s.stage is Stage.PREP and s.fault else "4.2.1"
        after = (
            "延迟开标公告发布2小时之后"
            if s.stage is Stage.PREP
            else "自发出补充公告之日起不少于1个工作日"
        )
        found.append(
            OutOfOrder(
                Rule.EARLY_NEW_TIME,
                clause,
                f"拟定的新开标时间 {format_dt(s.new_time)} 早于原则上的最早时间 "
                f"{format_dt(earliest)}（原则上{after}）",
                "确有理由提前的，写明例外理由（写入时间线和书面记录）；否则改为原则上的最早时间或更晚",
            )
        )
    return tuple(found)
