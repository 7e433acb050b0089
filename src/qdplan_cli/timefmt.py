"""Times are Asia/Shanghai and always shown with their date (a multi-day incident must read
unambiguously)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache

from .errors import UserError
from .labels import WEEKDAYS


@cache
def shanghai() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # no tz database (a bare Windows Python without tzdata)
        # China has kept UTC+8 without daylight saving since 1991.
        return timezone(timedelta(hours=8), "Asia/Shanghai")


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
    return localize(parsed)


def format_dt(moment: datetime | None) -> str:
    """``2026年12月8日（周二）09:30`` — full date, weekday, 24-hour time, Asia/Shanghai."""
    if moment is None:
        return "—"
    m = localize(moment)
    return f"{m.year}年{m.month}月{m.day}日（周{WEEKDAYS[m.weekday()]}）{m:%H:%M}"


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
