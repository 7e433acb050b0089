"""The year in review as a document: markup (the official layout of every document), the charts
(``charts``) and the one DOCX writer; and as JSON. The figures come from ``record.review_stats``.

The DOCX stays short at any size: its appendix traces each figure to at most ``LISTED_IDS``
incident ids; the incident-by-incident list is the xlsx (``documents.workbook``). Tables compare
the halls and the year before. An unfinished year says up to when it is counted.

No expert or bidder name ever reaches it: only counts and incident ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from qdplan_cli.documents.markup import escape_value, parse
from qdplan_cli.plan.labels import FAULT_SHORT, STAGE_LABELS
from qdplan_cli.plan.model import Fault, Stage
from qdplan_cli.plan.times import format_date
from qdplan_cli.record.review_stats import READINGS, Figure, Review

LISTED_IDS = 9  # three lines of three; more: the xlsx lists them
IDS_PER_LINE = 3  # a figure counting more incidents points at the incident table instead
CHART_MM = (150, 68)


@dataclass(frozen=True)
class Rendered:
    docx: bytes
    charts: dict[str, bytes]


def _e(text: object) -> str:
    return escape_value(str(text))


def _count(figure: Figure) -> str:
    if figure.value is not None:
        return _number(figure.value)
    return str(figure.count)


def _id(incident_id: str) -> str:
    """An id as printed, exactly as stored (no substitute hyphen, issue 22): from the archive,
    without the laptop (the xlsx has it in a column of its own); the JSON keeps the whole key."""
    return incident_id.rpartition("/")[2]


def _number(value: float) -> str:
    """A figure as printed: thousands grouped; exactly the digits (no invisible joiner: the
    text copies and searches true, issue 22)."""
    return f"{value:,.0f}" if value >= 10000 and value == int(value) else f"{value:g}"


def _ids(figure: Figure) -> str:
    if not figure.ids:
        return "—"
    if figure.count > LISTED_IDS:
        return f"共 {figure.count} 起，见 Excel 表"
    # Three ids a line, a line break between: an id is never split across lines (the official
    # layout lets Latin text wrap anywhere).
    lines = [figure.ids[n : n + IDS_PER_LINE] for n in range(0, figure.count, IDS_PER_LINE)]
    return "\n".join("、".join(_id(i) for i in line) for line in lines)


def charts(review: Review) -> dict[str, bytes]:
    from qdplan_cli.documents.charts import bar_chart, grouped_chart

    out = {
        "图1": bar_chart(
            f"{review.year}年各月突发情况",
            [f"{m}月" for m in range(1, 13)],
            [f.count for f in review.by_month],
        ),
        "图2": grouped_chart(
            "各环节、各类故障的突发情况",
            [STAGE_LABELS[s] for s in Stage],
            [
                (FAULT_SHORT[f], [review.by_stage_fault[si * 3 + fi].count for si in range(3)])
                for fi, f in enumerate(Fault)
            ],
        ),
        "图3": bar_chart(
            "应急方案的选择", [p.label for p in review.plans], [p.count for p in review.plans]
        ),
    }
    if len(review.by_hall) > 1:
        out["图4"] = bar_chart(
            "各场所的突发情况", [h.label for h in review.by_hall], [h.count for h in review.by_hall]
        )
    return out


@dataclass(frozen=True)
class Context:
    """What the document adds to the figures: the year before, each hall's own figures, the
    workbook's file name, and whether the year is still running."""

    previous: Review | None = None
    halls: tuple[Review, ...] = ()
    workbook: str = ""


def _unfinished(year: int, now: datetime) -> bool:
    return now.year <= year


def markup(
    review: Review,
    *,
    issuer: str,
    now: datetime,
    pictures: list[str],
    context: Context | None = None,
) -> str:
    r = review
    context = context or Context()
    workbook = context.workbook or f"年度回顾-{r.year}.xlsx"
    lines: list[str] = []
    add = lines.append
    scope = f"（{_e(r.hall)}）" if r.hall else ""
    add(f"# {_e(issuer)}")
    add(f"# {r.year}年度开评标突发情况回顾{scope}")
    until = f"（统计截至{format_date(now)}）" if _unfinished(r.year, now) else ""
    add(
        f"{r.year}年{until}，本中心开评标过程中共记录突发情况 {r.total.count} 起。"
        f"本回顾依据各见证人员电脑上的事件记录汇总，每一项数字对应的事件编号见附表，"
        f"逐起明细见同时写出的 Excel 表《{_e(workbook)}》。"
        + (
            f"另有已作废的事件 {r.discarded.count} 起，未计入任何数字（Excel 表中注明）。"
            if r.discarded.count
            else ""
        )
    )
    add("## 一、各月情况")
    busiest = max(r.by_month, key=lambda f: f.count)
    if r.total.count:
        add(f"突发情况最多的是{busiest.label}，共 {busiest.count} 起。")
    add(f"@image 图1 {CHART_MM[0]} {CHART_MM[1]}")
    add("@center 图1　各月突发情况")
    add("## 二、环节与故障类型")
    add("@cols 40 38 38 40")
    add("| 环节 | " + " | ".join(FAULT_SHORT[f] for f in Fault) + " |")
    add("|---|---|---|---|")
    for si, s in enumerate(Stage):
        cells = [str(r.by_stage_fault[si * 3 + fi].count) for fi in range(3)]
        add(f"| {STAGE_LABELS[s]} | " + " | ".join(cells) + " |")
    add(f"@image 图2 {CHART_MM[0]} {CHART_MM[1]}")
    add("@center 图2　各环节、各类故障")
    add("## 三、处置时效")
    if r.resolution:
        median, worst = r.resolution
        add(
            f"已排除的突发情况，自发生至排除用时的中位数为 {median.value:g} 分钟，"
            f"最长的一起（{_e(_id(worst.ids[0]))}）用时 {worst.value:g} 分钟。"
        )
    add(
        f"开标过程中、评标环节超过2小时才排除的 {r.two_hour.count} 起：按预案第四条（二）、"
        "第五条，均应由招标人选择应急方案并报监管部门备案。"
    )
    add("## 四、应急方案")
    add("；".join(f"{p.label} {p.count} 起" for p in r.plans) + "。")
    add(f"@image 图3 {CHART_MM[0]} {CHART_MM[1]}")
    add("@center 图3　应急方案的选择")
    add("## 五、公告及其提前量")
    notices = {f.key: f for f in r.notices}
    text = (
        f"发布延迟开标公告 {notices['notice.delay'].count} 起，其中新的开标时间距公告发布不足"
        f"2小时的 {notices['notice.delay_short'].count} 起（预案第四条（一））；发出延期开标书面补充"
        f"公告 {notices['notice.supplement'].count} 起，其中重新开标距补充公告不足1个工作日的 "
        f"{notices['notice.supplement_short'].count} 起（第四条（二）方案三）。"
    )
    if "notice.delay_lead_median" in notices:
        text += f"延迟开标公告提前量的中位数为 {notices['notice.delay_lead_median'].value:g} 分钟。"
    add(text)
    add("## 六、记录的完整性")
    add("；".join(f"{g.label} {g.count} 起" for g in r.gaps) + "。")
    add("## 七、评标专家")
    hours, fee = r.experts
    add(
        f"评标环节发生故障、记录了专家人数的 {hours.count} 起中，专家在故障期间共等候 "
        f"{_number(hours.value or 0)} 人·小时；按本地专家劳务费标准折算约 "
        f"{_number(fee.value or 0)} 元（估算，"
        "实际以专家到场、离场时间计算的劳务费计算表为准，预案第五条）。"
    )
    section = iter(("八", "九"))
    if len(context.halls) > 1:
        add(f"## {next(section)}、各场所")
        add(
            "；".join(f"{_e(h.label)} {h.count} 起" for h in r.by_hall)
            + "。各场所的超过2小时、排除用时中位数（分钟）和所选方案如下表。"
        )
        add("@cols 40 16 34 27 39")
        add("| 场所 | 起数 | 超过2小时 | 中位用时 | 方案一、二、三 |")
        add("|---|---|---|---|---|")
        for h in context.halls:
            middle = _number(h.resolution[0].value or 0) if h.resolution else "—"
            plans = "／".join(str(p.count) for p in h.plans)
            add(
                f"| {_e(h.hall or '')} | {h.total.count} | {h.two_hour.count} | {middle} | "
                f"{plans} |"
            )
        if "图4" in pictures:
            add(f"@image 图4 {CHART_MM[0]} {CHART_MM[1]}")
            add("@center 图4　各场所")
    if context.previous is not None:
        before = context.previous
        add(f"## {next(section)}、与上年比较")
        partial = "（本年未满，仅供参考）" if until else ""
        add(f"{before.year}年与{r.year}年{partial}的主要数字：")
        add("@cols 70 28 28 28")
        add(f"| 项目 | {before.year}年 | {r.year}年 | 增减 |")
        add("|---|---|---|---|")
        pairs = [
            (r.total, before.total),
            (r.two_hour, before.two_hour),
            *zip(r.plans, before.plans, strict=True),
            *zip(r.gaps, before.gaps, strict=True),
        ]
        for now_f, then_f in pairs:
            change = now_f.count - then_f.count
            add(
                f"| {_e(now_f.label)} | {then_f.count} | {now_f.count} | "
                f"{'+' if change > 0 else ''}{change} |"
            )
    add("### 说明")
    for reading in READINGS:
        add(_e(reading))
    add("@blank")
    add(f"@sign {_e(issuer)}")
    add(f"@date {format_date(now)}")
    add("@pagebreak")
    add("## 附表　各项数字对应的事件")
    # The note leads the table: after it, a long table would leave the note alone on a page.
    short = "事件编号略去了电脑编号；" if any("/" in i for i in r.total.ids) else ""
    add(f"@small 注：{short}逐起明细（含场所、电脑编号、项目）见 Excel 表《{_e(workbook)}》。")
    add("@cols 34 24 98")
    add("@compact")
    add("| 项目 | 数值 | 事件编号 |")
    add("|---|---|---|")
    for figure in r.figures():
        if figure.key.startswith(("month.", "stage_fault.", "hall.")) and not figure.count:
            continue
        add(f"| {_e(figure.label)} | {_count(figure)} | {_e(_ids(figure))} |")
    return "\n".join(lines) + "\n"


def render(
    review: Review, *, issuer: str, now: datetime, context: Context | None = None
) -> Rendered:
    from qdplan_cli.documents.docx_writer import build_docx

    images = charts(review)
    text = markup(review, issuer=issuer, now=now, pictures=list(images), context=context)
    blocks = parse(text, "年度回顾")
    title = f"{review.year}年度开评标突发情况回顾"
    return Rendered(build_docx(blocks, title=title, author=issuer, now=now, images=images), images)


def to_json(review: Review) -> bytes:
    """The review as JSON, UTF-8: one line per figure and per incident (readable, and encoded by
    the C encoder a line at a time, each line turned into UTF-8 at once: an indented dump of
    50,000 incidents would hold millions of small strings, and a whole text of them twice the
    bytes)."""
    data = review.to_dict()
    lines = [b"{"]
    for key, value in data.items():
        if key in ("figures", "incidents"):
            continue
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},".encode())
    for key, last in (("figures", False), ("incidents", True)):
        items = data[key]
        assert isinstance(items, list)  # Review.to_dict: figures and incidents are lists
        lines.append(f'  "{key}": ['.encode())
        lines.append(
            b",\n".join(("    " + json.dumps(x, ensure_ascii=False)).encode() for x in items)
        )
        lines.append(b"  ]" if last else b"  ],")
    lines.append(b"}")
    return b"\n".join(lines) + b"\n"
