"""Working days of mainland China: the State Council holiday schedule with make-up working days
(调休), from the maintained ``holidays`` package, plus years a user calendar file adds.

``holidays`` is imported on first use only: most decisions never ask about a working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from qdplan_cli.plan.errors import UserError


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule as a user supplies it: days off and make-up working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]


# Years whose schedule is kept in the cache file; others are asked of ``holidays`` directly.
CACHED_YEARS = range(2020, 2036)


@dataclass(frozen=True)
class Schedule:
    """Mainland China's days off and make-up working days, as the ``holidays`` package says."""

    days_off: frozenset[date]
    workdays: frozenset[date]
    official_years: frozenset[int]


def _schedule_from_package(cn: Any) -> Schedule:
    try:
        from holidays.countries.china import ChinaStaticHolidays

        official = set(ChinaStaticHolidays.special_public_holidays)
    except (ImportError, AttributeError):  # a future holidays layout: fall back
        official = {d.year for d in cn.weekend_workdays}
    for year in CACHED_YEARS:
        _ = date(year, 1, 1) in cn  # membership expands the calendar to that year (public API)
    return Schedule(
        days_off=frozenset(d for d in cn if d.year in CACHED_YEARS),
        workdays=frozenset(d for d in cn.weekend_workdays if d.year in CACHED_YEARS),
        official_years=frozenset(official),
    )


class ScheduleCache(Protocol):
    """Where a calendar keeps what ``holidays`` computed (``local.calendar_files``): the plan
    itself reads and writes no file."""

    def load(self) -> Schedule | None: ...

    def save(self, schedule: Schedule) -> None: ...


@dataclass
class WorkCalendar:
    """Answers "is this a working day?" and "is this year's schedule official or estimated?"."""

    user_years: Mapping[int, YearSchedule] = field(default_factory=dict)
    cache: ScheduleCache | None = None
    _cn: Any = field(default=None, init=False, repr=False)
    _schedule: Schedule | None = field(default=None, init=False, repr=False)
    _estimates: dict[int, frozenset[date]] = field(default_factory=dict, init=False, repr=False)

    def _china(self) -> Any:
        if self._cn is None:
            import holidays  # deferred: ~150 ms of import that most commands never need

            self._cn = holidays.country_holidays("CN", years=CACHED_YEARS)
        return self._cn

    def _known(self) -> Schedule:
        if self._schedule is None:
            schedule = self.cache.load() if self.cache is not None else None
            if schedule is None:
                schedule = _schedule_from_package(self._china())
                if self.cache is not None:
                    self.cache.save(schedule)
            self._schedule = schedule
        return self._schedule

    def official_years(self) -> frozenset[int]:
        """Years whose schedule, make-up days included, comes from a State Council notice."""
        return self._known().official_years | frozenset(self.user_years)

    def is_estimated(self, year: int) -> bool:
        return year not in self.official_years()

    def is_working_day(self, day: date) -> bool:
        schedule = self.user_years.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day.weekday() < 5 and day not in schedule.holidays
        if self.is_estimated(day.year):
            return day.weekday() < 5 and day not in self.estimated_days_off(day.year)
        if day.year in CACHED_YEARS:
            known = self._known()
            if day in known.workdays:
                return True
            return day.weekday() < 5 and day not in known.days_off
        cn = self._china()
        _ = day in cn  # membership expands the calendar to the day's year (public API)
        return bool(cn.is_working_day(day))

    def estimated_days_off(self, year: int) -> frozenset[date]:
        """A year without an official schedule, estimated so that it errs late (PLAN.md, "Estimated
        years err late"): every holiday the package computes, widened to the longest the
        State Council schedules of recent years have given, and no make-up working days.

        - 春节: from the day before 除夕 to 初八 (2026: 腊月廿八–初七; 2024: 初一–初八);
        - 劳动节: 1–5 May; 国庆节: 29 September – 8 October (2023: 9/29–10/6; 2025: 10/1–10/8);
        - every other holiday: two days either side (三天小长假 fall before or after the day).
        Being off on a day that turns out to be worked only ever moves an earliest time later.
        """
        if year not in self._estimates:
            package = sorted(self._package_days_off(year))
            off: set[date] = set()
            for day in package:
                off.update(day + timedelta(days=k) for k in range(-2, 3))
            eve = next((d for d in package if date(year, 1, 15) <= d <= date(year, 2, 25)), None)
            if eve is not None:  # the package's first Spring Festival day is 除夕 (or 初一)
                off.update(eve + timedelta(days=k) for k in range(-1, 9))
            off.update(date(year, 5, d) for d in range(1, 6))
            off.update(date(year, 9, 29) + timedelta(days=k) for k in range(10))
            self._estimates[year] = frozenset(d for d in off if d.year == year)
        return self._estimates[year]

    def _package_days_off(self, year: int) -> set[date]:
        if year in CACHED_YEARS:
            return {d for d in self._known().days_off if d.year == year}
        cn = self._china()
        _ = date(year, 1, 1) in cn  # membership expands the calendar to that year (public API)
        return {d for d in cn if d.year == year}

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        nxt = day + timedelta(days=1)
        while not self.is_working_day(nxt):
            nxt += timedelta(days=1)
        return nxt


# The package's schedule with no user years and no cache: pure (it reads and writes no file),
# what the engine uses when its caller gives no calendar.
STANDARD = WorkCalendar()


@dataclass(frozen=True)
class BusinessHours:
    """Business hours of the hall (configuration; default 09:00–17:00)."""

    start: time = time(9, 0)
    end: time = time(17, 0)

    def contains(self, moment: datetime, calendar: WorkCalendar) -> bool:
        return calendar.is_working_day(moment.date()) and self.start <= moment.time() <= self.end

    def next_slot(self, moment: datetime, calendar: WorkCalendar) -> datetime:
        """The earliest moment at or after ``moment`` that falls within business hours."""
        if self.contains(moment, calendar):
            return moment
        day = moment.date()
        if calendar.is_working_day(day) and moment.time() < self.start:
            return datetime.combine(day, self.start, moment.tzinfo)
        return datetime.combine(calendar.next_working_day(day), self.start, moment.tzinfo)


def _parse_day(value: object, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise UserError(f"日期格式不正确（应为 YYYY-MM-DD）：{value!r}", field=where)


def parse_user_calendar(data: Mapping[str, Any], source: str) -> dict[int, YearSchedule]:
    """Read ``[years.2027] holidays = [...] workdays = [...]`` tables from a calendar file."""
    years = data.get("years", {})
    if not isinstance(years, Mapping):
        raise UserError("应为表 [years.年份]", field=f"{source}: years")
    result: dict[int, YearSchedule] = {}
    for key, table in years.items():
        where = f"{source}: years.{key}"
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise UserError("年份应为四位数字", field=where)
        if not isinstance(table, Mapping):
            raise UserError("应为表，含 holidays 与 workdays 两个日期列表", field=where)
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            raise UserError(f"未知的键：{'、'.join(sorted(unknown))}", field=where)
        lists: dict[str, frozenset[date]] = {}
        for name in ("holidays", "workdays"):
            raw = table.get(name, [])
            if not isinstance(raw, list):
                raise UserError("应为日期列表", field=f"{where}.{name}")
            days = frozenset(_parse_day(v, f"{where}.{name}") for v in raw)
            wrong = [d for d in days if d.year != int(key)]
            if wrong:
                raise UserError(f"{wrong[0].isoformat()} 不属于 {key} 年", field=f"{where}.{name}")
            lists[name] = days
        result[int(key)] = YearSchedule(holidays=lists["holidays"], workdays=lists["workdays"])
    return result
