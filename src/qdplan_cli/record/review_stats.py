"""The year in review (``qdplan review``): pure figures over folded incidents. No I/O, no clock.

Every figure carries the ids of the incidents it counts (``Figure.ids``), so the document's
appendix and the JSON trace each number back to the records. Readings taken (said in the
document too):

- An incident belongs to the year of its onset (``started_at``, else its creation), Asia/Shanghai.
- Time to resolution runs from onset to ``resolved_at``; the 2-hour line (4.2.x, 5.x) is crossed
  when it took longer than 2 hours.
- Notice lead times: a delay notice's new opening time is due at least 2 hours after it was
  published (4.1.x); a supplementary notice's reopening at least one working day after its issue
  (4.2.1 方案三), counted with the configured calendar and business hours.
- Incidents set aside (``qdplan discard``) are counted in no figure; they are listed apart
  (``Review.discarded``).
- Missing a resolution: no ``resolved`` event. Missing a filing: a plan was chosen (which is
  filed with the supervisor, 4.2.1 / 5.1) and the filing was not recorded as an act (a filing
  time, or 方案三 at opening a supplementary notice issued): what a log line says is not read.
- Missing the written record's texts: 原因、经过、解决措施 (4.3, 5.4) not all filled in.
- Expert hours: for evaluation-stage incidents (第五条), the experts recorded (by count in the
  attendance, or by name, whichever says more) times the fault's duration: the waiting time 5.1 says is paid by the hour. The fee is that time priced with the
  configured schedule (``plan.fees``) as if it were the whole attendance: an estimate, said so.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from qdplan_cli.plan.decide import NOTICE_LEAD, TWO_HOURS
from qdplan_cli.plan.fees import Attendance, FeeSchedule, fee_line
from qdplan_cli.plan.fields import DETAIL_KEYS, Act
from qdplan_cli.plan.labels import FAULT_SHORT, PLAN_NUMERALS, STAGE_LABELS
from qdplan_cli.plan.model import Fault, Stage
from qdplan_cli.record.incident import Incident

MONTHS = tuple(f"{m}月" for m in range(1, 13))
RECORD_TEXTS = tuple(k for k in DETAIL_KEYS if k != "new_venue")  # 原因、经过、解决措施 (4.3, 5.4)
# The readings above, as the document states them.
READINGS = (
    "1. 事件按故障发生时间（北京时间）计入年度和月份；用时自故障发生至记录的故障排除时间。",
    "2. 超过2小时：开标过程中、评标环节的故障用时超过2小时（预案第四条（二）、第五条；"
    "开标准备阶段没有2小时的规定，不计入）。",
    "3. 新的开标时间原则上应在延迟开标公告发布2小时之后（第四条（一））；重新开标时间自发出补充"
    "通知之日起不少于1个工作日（第四条（二）方案三），按本机配置的节假日和工作时间计算。",
    "4. 未备案：记录中选择了应急方案，但没有记录备案（公布）时间；书面记录应写明原因、经过和"
    "解决措施（第四条（三）、第五条）。已作废的事件不计入任何数字，另行列出。",
    "5. 专家等候时间为评标环节故障期间记录的专家人数（按到离记录的人数或姓名，取多者）乘以故障用时；"
    "折算的劳务费是估算。",
)


@dataclass(frozen=True, slots=True)
class Item:
    """One incident of the review, with where it was recorded: only what the figures and the
    workbook read, taken from the folded incident (``Item.of``) as it is streamed, so memory
    holds a few numbers and strings per incident, never the folded incident itself."""

    id: str
    hall: str
    laptop: str
    onset: datetime  # the fault's onset, else the incident's creation
    stage: Stage | None
    fault: Fault | None
    resolved_at: datetime | None
    plan: int | None
    filed: bool  # the chosen plan's filing is recorded as an act (方案三 at opening: issued)
    filed_at: datetime | None
    notice_published_at: datetime | None
    supplement_issued_at: datetime | None
    new_time: datetime | None
    experts: int  # recorded by count (attendance) or by name, whichever says more
    texts_complete: bool  # 原因、经过、解决措施 all filled in (4.3, 5.4)
    discarded: bool
    project_number: str
    project_name: str
    key: str  # the id as the figures list it: with the laptop when ids may repeat across laptops

    @classmethod
    def of(cls, incident: Incident, hall: str, laptop: str = "") -> Item:
        s = incident.situation
        acts = incident.acts
        project = incident.project
        return cls(
            id=incident.id,
            hall=hall,
            laptop=laptop,
            onset=incident.started_at or incident.created_at,
            stage=s.stage,
            fault=s.fault,
            resolved_at=s.resolved_at,
            plan=s.plan,
            filed=Act.PLAN_FILED in acts or Act.SUPPLEMENT_ISSUED in acts,
            filed_at=s.plan_filed_at,
            notice_published_at=s.notice_published_at,
            supplement_issued_at=s.supplement_issued_at,
            new_time=s.new_time,
            experts=incident.experts_present,
            texts_complete=all(incident.value(k) for k in RECORD_TEXTS),
            discarded=incident.discarded is not None,
            project_number=project.number,
            project_name=project.name,
            key=f"{laptop}/{incident.id}" if laptop else incident.id,
        )

    @property
    def duration(self) -> timedelta | None:
        """From onset to resolution (``None``: not resolved)."""
        return self.resolved_at - self.onset if self.resolved_at is not None else None


@dataclass
class Figure:
    """One number of the review and the incidents it counts."""

    key: str
    label: str
    ids: list[str] = field(default_factory=list)
    value: float | None = None  # when the figure is not a count (hours, yuan)
    clause: str = ""

    @property
    def count(self) -> int:
        return len(self.ids)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"key": self.key, "label": self.label, "count": self.count}
        if self.value is not None:
            out["value"] = self.value
        if self.clause:
            out["clause"] = self.clause
        out["incidents"] = list(self.ids)
        return out


class ReviewRow(TypedDict):
    """One incident in the review's appendix (and its JSON)."""

    id: str
    hall: str
    month: int
    onset: str
    stage: str | None
    fault: str | None
    minutes: float | None
    over_2h: bool
    plan: int | None
    experts: int
    notice_lead_minutes: float | None
    gaps: list[str]


@dataclass
class Review:
    year: int
    hall: str | None
    total: Figure
    by_month: list[Figure]
    by_stage_fault: list[Figure]  # stage × fault, row-major (STAGES × FAULTS)
    by_hall: list[Figure]
    resolution: list[Figure]  # median and worst (value in minutes)
    two_hour: Figure
    plans: list[Figure]
    notices: list[Figure]
    gaps: list[Figure]
    experts: list[Figure]
    rows: list[ReviewRow]  # one per incident: the appendix table
    discarded: Figure = field(default_factory=lambda: Figure("discarded", "已作废（未计入）"))

    def figures(self) -> list[Figure]:
        return [
            self.total,
            *self.by_month,
            *self.by_stage_fault,
            *self.by_hall,
            *self.resolution,
            self.two_hour,
            *self.plans,
            *self.notices,
            *self.gaps,
            *self.experts,
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "hall": self.hall,
            "figures": [f.to_dict() for f in self.figures()],
            "incidents": self.rows,
            "discarded": self.discarded.to_dict(),
        }


def in_year(item: Item, year: int) -> bool:
    return item.onset.year == year


def _figure(key: str, label: str, items: Sequence[Item], clause: str = "") -> Figure:
    return Figure(key, label, [i.key for i in items], clause=clause)


def _lead(item: Item) -> timedelta | None:
    """A delay notice's lead: from its publication to the new opening time (4.1.x)."""
    if item.new_time is None or item.notice_published_at is None:
        return None
    return item.new_time - item.notice_published_at


def _id(value: Stage | Fault | None) -> str | None:
    return value.value if value is not None else None


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def review(
    items: Sequence[Item],
    year: int,
    *,
    hall: str | None = None,
    fees: FeeSchedule | None = None,
    reopening: Callable[[datetime], datetime] | None = None,
) -> Review:
    """The figures for ``year`` (and ``hall``). ``reopening(issued_at)`` is the earliest
    reopening after a supplementary notice (``plan.decide.earliest_reopening`` with the
    configured calendar); without it, supplementary notices are counted but not judged."""
    found = sorted(
        (i for i in items if in_year(i, year) and (hall is None or i.hall == hall)),
        key=lambda i: (i.onset, i.key),
    )
    chosen = [i for i in found if not i.discarded]
    discarded = _figure("discarded", "已作废（未计入）", [i for i in found if i.discarded])
    fees = fees or FeeSchedule()
    total = _figure("total", "全年突发情况", chosen)
    by_month = [
        _figure(f"month.{m}", MONTHS[m - 1], [i for i in chosen if i.onset.month == m])
        for m in range(1, 13)
    ]
    by_stage_fault = [
        _figure(
            f"stage_fault.{s.value}.{f.value}",
            f"{STAGE_LABELS[s]}·{FAULT_SHORT[f]}",
            [i for i in chosen if i.stage is s and i.fault is f],
        )
        for s in Stage
        for f in Fault
    ]
    halls = sorted({i.hall for i in chosen})
    by_hall = [_figure(f"hall.{h}", h, [i for i in chosen if i.hall == h]) for h in halls]

    resolved = [i for i in chosen if i.duration is not None]
    resolution: list[Figure] = []
    if resolved:
        durations = sorted(resolved, key=lambda i: (i.duration or timedelta(), i.key))
        median: timedelta = statistics.median_low([i.duration or timedelta() for i in durations])
        at_median = [i for i in durations if i.duration == median]
        resolution = [
            Figure(
                "resolution.median",
                "排除用时中位数（分钟）",
                [i.key for i in at_median],
                value=_minutes(median),
            ),
            Figure(
                "resolution.worst",
                "排除用时最长（分钟）",
                [durations[-1].key],
                value=_minutes(durations[-1].duration or timedelta()),
            ),
        ]
    # The 2-hour line is a rule of opening and evaluation (4.2.x, 5.x); preparation has none.
    crossed = [
        i
        for i in resolved
        if i.stage in (Stage.OPENING, Stage.EVALUATION) and (i.duration or timedelta()) > TWO_HOURS
    ]
    two_hour = _figure("two_hour.crossed", "开标、评标中超过2小时才排除", crossed, "4.2.1、5.1")

    plans = [
        _figure(
            f"plan.{n}",
            PLAN_NUMERALS[n],
            [i for i in chosen if i.plan == n],
            "4.2.1、5.1",
        )
        for n in (1, 2, 3)
    ]

    delay = [i for i in chosen if i.notice_published_at is not None]
    delay_short = [i for i in delay if (lead := _lead(i)) is not None and lead < NOTICE_LEAD]
    supplement = [i for i in chosen if i.supplement_issued_at is not None]
    supplement_short = []
    if reopening is not None:
        for i in supplement:
            new, issued = i.new_time, i.supplement_issued_at
            if new is not None and issued is not None and new < reopening(issued):
                supplement_short.append(i)
    notices = [
        _figure("notice.delay", "发布延迟开标公告", delay, "4.1"),
        _figure("notice.delay_short", "新开标时间距公告发布不足2小时", delay_short, "4.1"),
        _figure("notice.supplement", "发出延期开标书面补充公告", supplement, "4.2.1"),
        _figure(
            "notice.supplement_short", "重新开标距补充公告不足1个工作日", supplement_short, "4.2.1"
        ),
    ]
    leads = [_minutes(lead) for i in delay if (lead := _lead(i)) is not None]

    unresolved = [i for i in chosen if i.resolved_at is None]
    unfiled = [i for i in chosen if i.plan is not None and not i.filed]
    untexted = [i for i in chosen if not i.texts_complete]
    gaps = [
        _figure("gap.unresolved", "未记录故障排除", unresolved),
        _figure("gap.unfiled", "选择了方案但记录中没有备案", unfiled, "4.2.1、5.1"),
        _figure("gap.record_texts", "书面记录缺原因、经过或解决措施", untexted, "4.3、5.4"),
    ]

    evaluation = [i for i in resolved if i.stage is Stage.EVALUATION]
    expert_hours = 0.0
    fee_total = 0
    with_experts = []
    for i in evaluation:
        count = i.experts
        if not count:
            continue
        with_experts.append(i)
        start, end = i.onset, i.resolved_at
        assert end is not None
        expert_hours += count * (end - start).total_seconds() / 3600
        fee_total += fee_line(Attendance(start, end, count=count), fees).total
    experts = [
        Figure(
            "experts.hours",
            "评标环节故障期间专家等候（人·小时）",
            [i.key for i in with_experts],
            value=round(expert_hours, 1),
            clause="5.1",
        ),
        Figure(
            "experts.fee",
            "按本地标准折算的等候劳务费（元，估算）",
            [i.key for i in with_experts],
            value=float(fee_total),
            clause="5.1、5.5",
        ),
    ]

    gap_sets = [(f.key.removeprefix("gap."), set(f.ids)) for f in gaps]
    delay_keys = {i.key for i in delay}
    crossed_keys = {i.key for i in crossed}
    rows: list[ReviewRow] = []
    for i in chosen:
        duration = i.duration
        rows.append(
            {
                "id": i.key,
                "hall": i.hall,
                "month": i.onset.month,
                "onset": i.onset.isoformat(),
                "stage": _id(i.stage),
                "fault": _id(i.fault),
                "minutes": _minutes(duration) if duration is not None else None,
                "over_2h": i.key in crossed_keys,
                "plan": i.plan,
                "experts": i.experts,
                "notice_lead_minutes": (
                    _minutes(lead)
                    if i.key in delay_keys and (lead := _lead(i)) is not None
                    else None
                ),
                "gaps": [name for name, keys in gap_sets if i.key in keys],
            }
        )
    result = Review(
        year,
        hall,
        total,
        by_month,
        by_stage_fault,
        by_hall,
        resolution,
        two_hour,
        plans,
        notices,
        gaps,
        experts,
        rows,
        discarded,
    )
    if leads:
        result.notices.append(
            Figure(
                "notice.delay_lead_median",
                "延迟开标公告提前量中位数（分钟）",
                [i.key for i in delay],
                value=statistics.median(leads),
                clause="4.1",
            )
        )
    return result
