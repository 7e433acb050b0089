"""Expert fees (4.4, 5.5: 已抽取的评标专家到达评标现场后，由代理机构按规定给付评标专家费;
5.1: 期间评标费按时计取……按实际评标时间计取和支付；不得以任何理由少计或不支付). Pure arithmetic.

A reading we take and say on every sheet: the time served runs from arrival to release, waiting
during a fault included; each calendar day is charged on its own and capped by the daily cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class FeeSchedule:
    """Expert fees (4.4, 5.5; 5.1 评标费按时计取). Default: 鲁财采〔2017〕28号 as widely reprinted."""

    source: str = "鲁财采〔2017〕28号《山东省政府采购评审劳务报酬标准》"
    base_hours: int = 3
    base_amount: int = 400
    hourly_amount: int = 100
    part_hour_minutes: int = 30  # a part-hour of this many minutes or more counts as an hour
    part_hour_under_amount: int = 50  # a shorter part-hour
    daily_cap: int = 1000
    no_evaluation_amount: int = 200  # came, but could not evaluate
    caution: str = (
        "以上标准须与现行官方文件核对（鲁财采〔2025〕8号等后续文件可能已调整），以官方文件为准。"
    )


@dataclass(frozen=True)
class Attendance:
    """One expert, or ``count`` experts who arrived and were released at the same times."""

    arrived_at: datetime
    left_at: datetime
    count: int = 1
    name: str = ""
    evaluated: bool = True
    note: str = ""


@dataclass(frozen=True)
class DayFee:
    day: date
    served: timedelta
    amount: int
    explanation: str


@dataclass(frozen=True)
class FeeLine:
    attendance: Attendance
    days: tuple[DayFee, ...]
    per_expert: int
    total: int
    explanation: str


@dataclass(frozen=True)
class FeeSheet:
    lines: tuple[FeeLine, ...]
    experts: int
    total: int
    schedule: FeeSchedule


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def day_fee(served: timedelta, schedule: FeeSchedule) -> tuple[int, str]:
    """The fee for one day's service, with its working in Chinese."""
    minutes = _minutes(served)
    base_minutes = schedule.base_hours * 60
    if minutes <= base_minutes:
        amount = schedule.base_amount
        parts = [f"{schedule.base_hours}小时以内 {schedule.base_amount}元"]
    else:
        extra = minutes - base_minutes
        hours, rest = divmod(extra, 60)
        amount = schedule.base_amount + hours * schedule.hourly_amount
        parts = [f"{schedule.base_hours}小时 {schedule.base_amount}元"]
        if hours:
            parts.append(f"超出{hours}小时 {hours * schedule.hourly_amount}元")
        if rest >= schedule.part_hour_minutes:
            amount += schedule.hourly_amount
            parts.append(
                f"不足1小时（{rest}分钟，满{schedule.part_hour_minutes}分钟）按1小时 {schedule.hourly_amount}元"
            )
        elif rest > 0:
            amount += schedule.part_hour_under_amount
            parts.append(
                f"不足{schedule.part_hour_minutes}分钟（{rest}分钟） {schedule.part_hour_under_amount}元"
            )
    if amount > schedule.daily_cap:
        parts.append(f"超过每日上限，按 {schedule.daily_cap}元")
        amount = schedule.daily_cap
    return amount, "＋".join(parts)


def split_by_day(start: datetime, end: datetime) -> list[tuple[date, timedelta]]:
    """Service time on each calendar day (Asia/Shanghai) between ``start`` and ``end``."""
    result = []
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(0), cursor.tzinfo)
        stop = min(end, midnight)
        result.append((cursor.date(), stop - cursor))
        cursor = stop
    return result


def fee_line(attendance: Attendance, schedule: FeeSchedule) -> FeeLine:
    if not attendance.evaluated:
        # Came to the venue but could not evaluate (e.g. a fault before evaluation began).
        amount = schedule.no_evaluation_amount
        explanation = f"到场但未能评审 {amount}元"
        days: tuple[DayFee, ...] = (
            DayFee(
                attendance.arrived_at.date(),
                attendance.left_at - attendance.arrived_at,
                amount,
                explanation,
            ),
        )
    else:
        pieces = split_by_day(attendance.arrived_at, attendance.left_at) or [
            (attendance.arrived_at.date(), timedelta(0))
        ]
        days = tuple(DayFee(day, served, *day_fee(served, schedule)) for day, served in pieces)
        amount = sum(d.amount for d in days)
        explanation = "；".join(
            f"{d.day.month}月{d.day.day}日 {d.explanation}" if len(days) > 1 else d.explanation
            for d in days
        )
    return FeeLine(
        attendance=attendance,
        days=days,
        per_expert=amount,
        total=amount * attendance.count,
        explanation=explanation,
    )


def fee_sheet(attendances: Sequence[Attendance], schedule: FeeSchedule) -> FeeSheet:
    lines = tuple(fee_line(a, schedule) for a in attendances)
    return FeeSheet(
        lines=lines,
        experts=sum(a.count for a in attendances),
        total=sum(line.total for line in lines),
        schedule=schedule,
    )
