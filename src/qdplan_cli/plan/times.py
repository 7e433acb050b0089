"""Times are Asia/Shanghai and always shown with their date (a multi-day incident must read
unambiguously)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.labels import WEEKDAYS

# Asia/Shanghai has been UTC+8 all year since daylight saving ended in September 1991, so a fixed
# offset is exact for every date this tool meets — and needs no tz database (Windows Pythons
# ship none) and no zoneinfo import at start-up.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def shanghai() -> tzinfo:
    return SHANGHAI


# Times outside this window are typing mistakes, and would overflow date arithmetic at the edges
# of the calendar (9999-12-31 + 2 h).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def check_range(moment: datetime, field: str) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise UserError(
            f"时间 {moment.isoformat()} 不在 {EARLIEST_YEAR}–{LATEST_YEAR} 年之间，请核对",
            field=field,
        )
    return moment


def localize(moment: datetime) -> datetime:
    """A naive time is Asia/Shanghai; an aware one is converted to it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=shanghai())
    return moment.astimezone(shanghai())


def parse_time(value: str, field: str) -> datetime:
    """ISO 8601 (``2026-12-08T09:00``, ``2026-12-08 09:00``, with or without offset)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"时间格式不正确：{value!r}（应为 ISO 8601，如 2026-12-08T09:30 或 2026-12-08 09:30）",
            field=field,
        ) from None
    return localize(check_range(parsed, field))


def format_dt(moment: datetime | None) -> str:
    """``2026年12月8日（周二）09:30`` — full date, weekday, 24-hour time, Asia/Shanghai."""
    if moment is None:
        return "—"
    m = localize(moment)
    return f"{m.year}年{m.month}月{m.day}日（周{WEEKDAYS[m.weekday()]}）{m:%H:%M}"


def format_date(moment: datetime) -> str:
    """``2026年12月3日`` — GB/T 9704 7.3.5: Arabic numerals, full year, no zero padding."""
    m = localize(moment)
    return f"{m.year}年{m.month}月{m.day}日"


def format_dt_seconds(moment: datetime) -> str:
    """``2026年12月8日（周二）09:30:05`` — as ``format_dt``, with seconds (timelines, logs)."""
    m = localize(moment)
    return f"{m.year}年{m.month}月{m.day}日（周{WEEKDAYS[m.weekday()]}）{m:%H:%M:%S}"


def format_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    hours, mins = divmod(minutes, 60)
    if hours:
        return f"{sign}{hours}小时{mins:02d}分"
    return f"{sign}{mins}分钟"


def iso(moment: datetime | None) -> str | None:
    return localize(moment).isoformat() if moment else None
