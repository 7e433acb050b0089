"""The year in review as a document: markup (the official layout of every document), the charts
(``charts``) and the one DOCX writer; and as JSON. The figures come from ``record.review_stats``.

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
from qdplan_cli.record.review_stats import READINGS, Figure, Review, ReviewRow

LISTED_IDS = 21
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
        value = figure.value
        return f"{value:g}"
    return str(figure.count)


def _id(incident_id: str) -> str:
    """An id as printed, exactly as stored (no substitute hyphen): its column is wide enough
    for it, and a cell of several ids gives each its own place in a line of three."""
    return incident_id


def _ids(figure: Figure) -> str:
    if not figure.ids:
        return "—"
    if figure.count > LISTED_IDS:
        return f"共 {figure.count} 起，见附表二\n（{_id(figure.ids[0])} 至 {_id(figure.ids[-1])}）"
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
            "应急方案的选择与超过2小时的情况",
            [*(p.label for p in review.plans), "超过2小时"],
            [*(p.count for p in review.plans), review.two_hour.count],
        ),
    }
    if len(review.by_hall) > 1:
        out["图4"] = bar_chart(
            "各场所的突发情况", [h.label for h in review.by_hall], [h.count for h in review.by_hall]
        )
    return out


def markup(review: Review, *, issuer: str, now: datetime, pictures: list[str]) -> str:
    r = review
    lines: list[str] = []
    add = lines.append
    scope = f"（{_e(r.hall)}）" if r.hall else ""
    add(f"# {_e(issuer)}")
    add(f"# {r.year}年度开评标突发情况回顾{scope}")
    add(
        f"{r.year}年，本中心开评标过程中共记录突发情况 {r.total.count} 起。"
        "本回顾依据各见证人员电脑上的事件记录汇总，每一项数字对应的事件编号见附表。"
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
    add("@center 图3　应急方案与超过2小时的情况")
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
        f"{hours.value:g} 人·小时；按本地专家劳务费标准折算约 {fee.value:,.0f} 元（估算，"
        "实际以专家到场、离场时间计算的劳务费计算表为准，预案第五条）。"
    )
    if "图4" in pictures:
        add("## 八、各场所")
        add("；".join(f"{_e(h.label)} {h.count} 起" for h in r.by_hall) + "。")
        add(f"@image 图4 {CHART_MM[0]} {CHART_MM[1]}")
        add("@center 图4　各场所")
    add("### 说明")
    for reading in READINGS:
        add(_e(reading))
    add("@blank")
    add(f"@sign {_e(issuer)}")
    add(f"@date {format_date(now)}")
    add("@pagebreak")
    add("## 附表一　各项数字对应的事件")
    add("@cols 32 14 110")
    add("@compact")
    add("| 项目 | 数值 | 事件编号 |")
    add("|---|---|---|")
    for figure in r.figures():
        if figure.key.startswith(("month.", "stage_fault.", "hall.")) and not figure.count:
            continue
        add(f"| {_e(figure.label)} | {_count(figure)} | {_e(_ids(figure))} |")
    add("@pagebreak")
    add("## 附表二　全年事件一览")
    halls = len(r.by_hall) > 1  # one hall: said in the title, not on every row
    add("@cols 36 28 10 16 16 14 10 26" if halls else "@cols 40 12 20 20 18 12 34")
    add("@compact")
    add(f"| 事件编号 |{' 场所 |' if halls else ''} 月 | 环节 | 故障 | 用时（分） | 方案 | 缺项 |")
    add("|---|---|---|---|---|---|---|" + ("---|" if halls else ""))
    stage_short = {"prep": "准备", "opening": "开标", "evaluation": "评标"}
    fault_short = {f.value: FAULT_SHORT[f].removesuffix("故障") for f in Fault}
    gap_short = {"unresolved": "未排除", "unfiled": "未备案", "record_texts": "缺记录"}

    def hall_cell(row: ReviewRow) -> str:
        return f" {_e(row['hall'])} |" if halls else ""

    for row in r.rows:
        minutes = "—" if row["minutes"] is None else f"{row['minutes']:g}"
        if row["over_2h"]:
            minutes += "*"
        add(
            f"| {_e(_id(row['id']))} |{hall_cell(row)} {row['month']} | "
            f"{stage_short.get(str(row['stage']), '—')} | {fault_short.get(str(row['fault']), '—')} | "
            f"{minutes} | {row['plan'] or '—'} | "
            f"{'、'.join(gap_short[g] for g in row['gaps']) or '—'} |"
        )
    where = "" if halls else f"场所均为{_e(r.by_hall[0].label)}；" if r.by_hall else ""
    add(f"@small 注：{where}用时后加 * 的，开标、评标中超过2小时才排除。")
    return "\n".join(lines) + "\n"


def render(review: Review, *, issuer: str, now: datetime) -> Rendered:
    from qdplan_cli.documents.docx_writer import build_docx

    images = charts(review)
    blocks = parse(markup(review, issuer=issuer, now=now, pictures=list(images)), "年度回顾")
    title = f"{review.year}年度开评标突发情况回顾"
    return Rendered(build_docx(blocks, title=title, author=issuer, now=now, images=images), images)


def to_json(review: Review) -> str:
    return json.dumps(review.to_dict(), ensure_ascii=False, indent=2)
