"""The year's incidents as an xlsx workbook (openpyxl): the only module that imports it. What the
centre's staff open in WPS 表格 or Excel: one row per incident, with hall, laptop, project,
stage, fault, times, plan, filing, notices, experts and the fee estimate, and a second sheet with
every figure of the review. It replaces the DOCX's incident-by-incident appendix.

Names of experts and bidders never appear: only their number. Times are Beijing time, written
as Excel date-times (Excel has no time zones).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qdplan_cli.plan.decide import TWO_HOURS
from qdplan_cli.plan.fees import Attendance, FeeSchedule, fee_line
from qdplan_cli.plan.labels import FAULT_SHORT, PLAN_NUMERALS, STAGE_LABELS
from qdplan_cli.plan.model import Fault, Stage
from qdplan_cli.plan.times import localize
from qdplan_cli.record.review_stats import Item, Review

SHEET = "全年事件"
FIGURES = "各项数字"
# (header, width in characters)
COLUMNS: tuple[tuple[str, int], ...] = (
    ("场所", 16),
    ("电脑编号", 21),
    ("事件编号", 18),
    ("项目编号", 18),
    ("项目名称", 30),
    ("环节", 10),
    ("故障类型", 14),
    ("故障发生（北京时间）", 18),
    ("故障排除（北京时间）", 18),
    ("用时（分钟）", 10),
    ("超过2小时", 8),
    ("应急方案", 10),
    ("备案时间", 18),
    ("已备案", 8),
    ("延迟开标公告发布", 18),
    ("补充公告发出", 18),
    ("新的开标时间", 18),
    ("专家人数", 8),
    ("等候劳务费估算（元）", 12),
    ("已作废（未计入）", 10),
)


def _local(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return localize(value).replace(tzinfo=None)


def _row(item: Item, fees: FeeSchedule) -> list[str | float | datetime | None]:
    stage, fault = item.stage, item.fault
    duration = item.duration
    experts = item.experts
    fee: int | None = None
    resolved = item.resolved_at
    if stage is Stage.EVALUATION and experts and resolved is not None:  # as review_stats counts
        fee = fee_line(Attendance(item.onset, resolved, count=experts), fees).total
    over = (
        duration is not None and stage in (Stage.OPENING, Stage.EVALUATION) and duration > TWO_HOURS
    )
    return [
        item.hall,
        item.laptop,
        item.id,
        item.project_number,
        item.project_name,
        STAGE_LABELS[stage] if stage is not None else "",
        FAULT_SHORT[fault] if isinstance(fault, Fault) else "",
        _local(item.onset),
        _local(resolved),
        round(duration.total_seconds() / 60, 1) if duration is not None else None,
        "是" if over else "否",
        PLAN_NUMERALS.get(item.plan, "") if item.plan is not None else "",
        _local(item.filed_at),
        "是" if item.filed else "否",
        _local(item.notice_published_at),
        _local(item.supplement_issued_at),
        _local(item.new_time),
        experts,
        fee if not item.discarded else None,
        "是" if item.discarded else "否",
    ]


def incidents_xlsx(items: Sequence[Item], review: Review, fees: FeeSchedule) -> bytes:
    """The workbook of ``items`` (the incidents the review counted, oldest first)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for n, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _ in COLUMNS:
        cell = _cell(sheet, title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    # Plain values (a cell object each would triple the time); openpyxl gives date-times a
    # date-time number format (yyyy-mm-dd h:mm:ss) by itself.
    for item in items:
        sheet.append(_row(item, fees))
    figures = book.create_sheet(FIGURES)
    figures.column_dimensions["A"].width = 40
    figures.append(["项目", "起数", "数值", "依据条款"])
    for figure in review.figures():
        figures.append([figure.label, figure.count, figure.value, figure.clause])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: str | float | datetime | None) -> Cell:
    return WriteOnlyCell(sheet, value=value)
