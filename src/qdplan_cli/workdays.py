"""Working days of mainland China: the State Council holiday schedule with make-up working days
(调休), from the maintained ``holidays`` package, plus years a user calendar file adds.

``holidays`` is imported on first use only: most decisions never ask about a working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from .errors import UserError


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule as a user supplies it: days off and make-up working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]


# Years whose schedule is kept in the cache file; others are asked of ``holidays`` directly.
CACHED_YEARS = range(2020, 2036)


@dataclass(frozen=True)
class _Schedule:
    """Mainland China's days off and make-up working days, as the ``holidays`` package says."""

    days_off: frozenset[date]
    workdays: frozenset[date]
    official_years: frozenset[int]


def _schedule_from_package(cn: Any) -> _Schedule:
    try:
        from holidays.countries.china import ChinaStaticHolidays

        official = set(ChinaStaticHolidays.special_public_holidays)
    except (ImportError, AttributeError):  # a future holidays layout: fall back
        official = {d.year for d in cn.weekend_workdays}
    for year in CACHED_YEARS:
        _ = date(year, 1, 1) in cn  # membership expands the calendar to that year (public API)
    return _Schedule(
        days_off=frozenset(d for d in cn if d.year in CACHED_YEARS),
        workdays=frozenset(d for d in cn.weekend_workdays if d.year in CACHED_YEARS),
        official_years=frozenset(official),
    )


def _cache_file() -> Path | None:
    """``holidays-cn-<key>.json`` in the cache dir: importing ``holidays`` costs ~150 ms (it loads
    every country), reading what it said last time ~1 ms. The key is a hash of the installed
    package's China module and version file, found without importing the package, so any
    upgrade of ``holidays`` starts a fresh cache."""
    try:
        import hashlib
        from importlib.util import find_spec

        from .cachedir import cache_dir

        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            return None
        package = Path(spec.origin).parent
        digest = hashlib.sha256()
        for part in ("version.py", "countries/china.py"):
            digest.update((package / part).read_bytes())
        return cache_dir() / f"holidays-cn-{digest.hexdigest()[:16]}.json"
    except (OSError, ImportError, ValueError):  # no such files (a frozen build): just compute
        return None


def _read_cache(path: Path) -> _Schedule | None:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _Schedule(
            days_off=frozenset(date.fromisoformat(d) for d in data["days_off"]),
            workdays=frozenset(date.fromisoformat(d) for d in data["workdays"]),
            official_years=frozenset(int(y) for y in data["official_years"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, schedule: _Schedule) -> None:
    import json

    from .files import write_atomically

    data = {
        "days_off": sorted(d.isoformat() for d in schedule.days_off),
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
        "official_years": sorted(schedule.official_years),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data).encode("utf-8"), private=False)
    except OSError:  # a read-only cache dir only costs speed
        pass


@dataclass
class WorkCalendar:
    """Answers "is this a working day?" and "is this year's schedule official or estimated?"."""

    user_years: Mapping[int, YearSchedule] = field(default_factory=dict)
    use_cache: bool = True
    _cn: Any = field(default=None, init=False, repr=False)
    _schedule: _Schedule | None = field(default=None, init=False, repr=False)

    def _china(self) -> Any:
        if self._cn is None:
            import holidays  # deferred: ~150 ms of import that most commands never need

            self._cn = holidays.country_holidays("CN", years=CACHED_YEARS)
        return self._cn

    def _known(self) -> _Schedule:
        if self._schedule is None:
            path = _cache_file() if self.use_cache else None
            schedule = _read_cache(path) if path is not None else None
            if schedule is None:
                schedule = _schedule_from_package(self._china())
                if path is not None:
                    _write_cache(path, schedule)
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
        if day.year in CACHED_YEARS:
            known = self._known()
            if day in known.workdays:
                return True
            return day.weekday() < 5 and day not in known.days_off
        cn = self._china()
        _ = day in cn  # membership expands the calendar to the day's year (public API)
        return bool(cn.is_working_day(day))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        nxt = day + timedelta(days=1)
        while not self.is_working_day(nxt):
            nxt += timedelta(days=1)
        return nxt


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


def load_user_calendar(path: Path) -> dict[int, YearSchedule]:
    from .tomlfile import read_toml

    data = read_toml(path, "节假日日历文件")
    assert data is not None
    return parse_user_calendar(data, str(path))
