"""Times are Asia/Shanghai and always shown with their date (a multi-day incident must read
unambiguously)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

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
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# A time "in the future" by less than this is a clock a few minutes off or a witness rounding up
# ("10:40" typed at 10:38): accepted. Beyond it, an onset, a resolution, a publication or a filing
# in the future is a typing mistake.
FUTURE_SLACK = timedelta(minutes=5)

EXAMPLES = "2026-12-08 09:30、12-08 09:30、9:30 或 0930（今天）、明天 9:00"


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


class TimeReading:
    """A parsed time and, when the text left something to the reader (the date, the year, the
    zone), the sentence that says how it was read: ``理解为 2026年12月8日（周二）09:12``.
    (A plain class: a dataclass costs start-up time on every run.)"""

    __slots__ = ("at", "said_back")

    def __init__(self, at: datetime, said_back: str | None = None) -> None:
        self.at = at
        self.said_back = said_back

    def __repr__(self) -> str:
        return f"TimeReading({self.at.isoformat()}, {self.said_back!r})"


# Full-width digits and punctuation from a Chinese input method, read as their ASCII forms.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：－／．＋　ｔＴＺｚ", "0123456789:-/.+ tTZz")
_DAYS = {"前天": -2, "昨天": -1, "今天": 0, "明天": 1, "后天": 2}
_CLOCK = (
    r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2}))?|点(?:(?P<mi2>\d{1,2})分?)?|(?P<mi3>\d{2}))"
)
# Patterns as strings: ``re`` compiles (and caches) them on first use, not on every start.
_CLOCK_ONLY = rf"{_CLOCK}"
_RELATIVE = rf"(?P<day>前天|昨天|今天|明天|后天)\s*{_CLOCK}"
_FULL = (
    rf"(?:(?P<y>\d{{4}})[-/.年])?(?P<mo>\d{{1,2}})[-/.月](?P<d>\d{{1,2}})日?"
    rf"(?:（周.）|\(周.\))?[\sT]*{_CLOCK}"
)


def _clock_parts(match: re.Match[str]) -> tuple[int, int, int]:
    minute = match.group("mi") or match.group("mi2") or match.group("mi3") or "0"
    return int(match.group("h")), int(minute), int(match.group("s") or 0)


def _bad(value: str, field: str) -> UserError:
    return UserError(f"无法识别的时间 {value!r}，可写 {EXAMPLES}", field=field)


def read_time(value: str, field: str, now: datetime | None = None) -> TimeReading:
    """The one time parser of every command and prompt.

    Accepted: ISO 8601 (``2026-12-08T09:12``, ``2026-12-08 09:12``, with an offset: converted to
    Beijing time); ``2026-12-8 9:12``, ``2026年12月8日 09:12``; ``12-08 09:12`` (this year);
    ``9:12``, ``0912``, ``9点12`` (today); ``今天/明天/昨天 9:00``. Full-width digits and colons
    are read as ASCII ones. ``now`` is needed for the forms without a date or year; the reading
    of such a form is said back (``said_back``).
    """
    text = " ".join(value.translate(_FULL_WIDTH).split())
    if not text:
        raise UserError(f"时间为空，可写 {EXAMPLES}", field=field)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        check_range(parsed, field)
        moment = localize(parsed)
        offset = parsed.utcoffset()
        if offset is not None and offset != timedelta(hours=8):
            return TimeReading(
                moment,
                f"理解为 {format_dt(moment)}（北京时间，由 {_offset_label(offset)} 换算）",
            )
        return TimeReading(moment)
    today = localize(now).date() if now is not None else None

    def need_today() -> date:
        if today is None:
            raise UserError(f"{value!r} 缺少日期，请写完整日期，如 2026-12-08 09:30", field=field)
        return today

    day: date
    if m := re.fullmatch(_CLOCK_ONLY, text):
        day, partial = need_today(), True
    elif m := re.fullmatch(_RELATIVE, text):
        day, partial = need_today() + timedelta(days=_DAYS[m.group("day")]), True
    elif m := re.fullmatch(_FULL, text):
        partial = m.group("y") is None
        year = int(m.group("y")) if m.group("y") else need_today().year
        try:
            day = date(year, int(m.group("mo")), int(m.group("d")))
        except ValueError:
            raise _bad(value, field) from None
    else:
        raise _bad(value, field)
    hour, minute, second = _clock_parts(m)
    if hour > 23 or minute > 59 or second > 59:
        raise _bad(value, field)
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)
    check_range(moment, field)
    return TimeReading(moment, f"理解为 {format_dt(moment)}" if partial else None)


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def parse_time(value: str, field: str, now: datetime | None = None) -> datetime:
    """``read_time(...).at``: for callers that show the time back anyway."""
    return read_time(value, field, now).at


def check_not_future(moment: datetime, now: datetime, field: str, what: str) -> datetime:
    """The one future-time rule (onset, resolution, publication, filing): a time more than
    ``FUTURE_SLACK`` after ``now`` is refused, naming the field."""
    if moment > now + FUTURE_SLACK:
        raise UserError(
            f"{what} {format_dt(moment)} 晚于现在（{format_dt(now)}），请核对", field=field
        )
    return moment


def check_not_before_onset(
    moment: datetime, onset: datetime | None, field: str, what: str
) -> datetime:
    """The one "not before the onset" rule (a resolution, a tick, a publication, a filing, a
    line of the timeline): a moment before the fault began is a typing mistake (``tick --at
    2019-…`` is not a step of today's fault)."""
    if onset is not None and moment < onset:
        raise UserError(
            f"{what} {format_dt(moment)} 早于故障发生时间 {format_dt(onset)}，请核对", field=field
        )
    return moment


def check_moment(
    moment: datetime,
    now: datetime | None,
    field: str,
    what: str,
    *,
    onset: datetime | None = None,
    past_only: bool = True,
) -> datetime:
    """The one time policy after parsing: the future rule (when ``past_only`` and a ``now`` is
    known) and the onset rule (when an ``onset`` is given), with the same messages for every
    command, the wizard and the events written."""
    if past_only and now is not None:
        check_not_future(moment, now, field, what)
    return check_not_before_onset(moment, onset, field, what)


def read_when(
    value: str,
    field: str,
    now: datetime,
    what: str,
    *,
    onset: datetime | None = None,
    past_only: bool = True,
) -> TimeReading:
    """A moment typed by the witness (``--at`` of every command, a time typed in the wizard):
    the one parser, then the one policy (``check_moment``). ``9:20`` is today for every command.

    The policy's last rule is about ``now`` itself: a machine clock that reads earlier than the
    record (``plan.clock.clock_behind``) is refused on every write of a command, ``--at`` or
    not (``Store._check_clock``; the wizard asks instead)."""
    reading = read_time(value, field, now)
    check_moment(reading.at, now, field, what, onset=onset, past_only=past_only)
    return reading


def format_dt(moment: datetime | None) -> str:
    """``2026年12月8日（周二）09:30`` — full date, weekday, 24-hour time, Asia/Shanghai."""
    if moment is None:
        return "—"
    m = localize(moment)
    return f"{m.year}年{m.month}月{m.day}日（周{WEEKDAYS[m.weekday()]}）{m:%H:%M}"


def format_date(moment: datetime) -> str:
    """``2026年12月3日`` — GB/T 9704 7.3.5: Arabic numerals, full year, no zero padding."""
    return format_day(localize(moment).date())


def format_day(day: date) -> str:
    """A day as ``format_date`` writes it."""
    return f"{day.year}年{day.month}月{day.day}日"


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
