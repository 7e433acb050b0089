"""Time rules: two hours after a delay notice; one full working day before a reopening, on the
State Council schedule with make-up working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from qdplan_cli.local.calendar_files import FileScheduleCache
from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar, YearSchedule, parse_user_calendar
from qdplan_cli.plan.decide import decide, earliest_reopening
from qdplan_cli.plan.model import Fault, Situation, Stage
from qdplan_cli.plan.times import format_dt, localize

CAL = WorkCalendar()
HOURS = BusinessHours()


def at(*args: int) -> datetime:
    return localize(datetime(*args))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("issued", "earliest"),
    [
        # The PLAN.md example: Wed → Thu is the full working day → Fri 09:00.
        (at(2026, 11, 25, 15, 0), at(2026, 11, 27, 9, 0)),
        # Issued Friday: Monday is the full day → Tuesday.
        (at(2026, 11, 27, 10, 0), at(2026, 12, 1, 9, 0)),
        # Spring Festival 2026: Sat 02-14 is a make-up working day; 02-15…02-23 are off.
        (at(2026, 2, 13, 10, 0), at(2026, 2, 24, 9, 0)),
        (at(2026, 2, 12, 10, 0), at(2026, 2, 14, 9, 0)),
        # National Day 2026: 10-01…10-07 off; Thu 10-08 working; Sat 10-10 a make-up working day.
        (at(2026, 9, 30, 16, 0), at(2026, 10, 9, 9, 0)),
        (at(2026, 10, 8, 9, 0), at(2026, 10, 10, 9, 0)),
        # Issued on a holiday: the holiday itself is not counted either.
        (at(2026, 10, 3, 9, 0), at(2026, 10, 9, 9, 0)),
    ],
)
def test_earliest_reopening_after_a_supplementary_notice(
    issued: datetime, earliest: datetime
) -> None:
    assert earliest_reopening(issued, CAL, HOURS) == earliest


def test_calendar_knows_make_up_working_days_and_holidays() -> None:
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, 调休上班
    assert CAL.is_working_day(date(2026, 2, 14))
    assert not CAL.is_working_day(date(2026, 10, 5))  # Monday, National Day
    assert not CAL.is_working_day(date(2026, 2, 20))  # Friday, Spring Festival
    assert not CAL.is_estimated(2026)


def test_delay_notice_earliest_is_two_hours_after_publication() -> None:
    s = Situation(
        stage=Stage.PREP,
        fault=Fault.POWER,
        fixed_before_deadline=False,
        notice_published_at=at(2026, 12, 3, 10, 40),
    )
    decision = decide(s, at(2026, 12, 3, 11, 0))
    assert decision.earliest_new_time == at(2026, 12, 3, 12, 40)
    assert decision.suggested_new_time is None
    assert decision.warnings == ()


def test_delay_notice_outside_business_hours_keeps_the_rule_and_proposes_the_next_slot() -> None:
    s = Situation(
        stage=Stage.PREP,
        fault=Fault.NETWORK,
        fallback_works=False,
        fixed_before_deadline=False,
        notice_published_at=at(2026, 9, 30, 16, 0),
    )
    decision = decide(s, at(2026, 9, 30, 16, 5))
    assert decision.earliest_new_time == at(2026, 9, 30, 18, 0)
    # National Day: the next business slot is Thu 2026-10-08 09:00.
    assert decision.suggested_new_time == at(2026, 10, 8, 9, 0)
    assert any(format_dt(at(2026, 10, 8, 9, 0)) in w for w in decision.warnings)


def test_a_new_time_earlier_than_the_rule_is_warned() -> None:
    s = Situation(
        stage=Stage.OPENING,
        fault=Fault.POWER,
        within_2h=False,
        plan=3,
        supplement_issued_at=at(2026, 11, 25, 15, 0),
        new_time=at(2026, 11, 26, 9, 0),
    )
    decision = decide(s, at(2026, 11, 25, 16, 0))
    assert any("早于原则上的最早时间" in w for w in decision.warnings)


def test_an_estimated_year_is_warned_and_a_user_calendar_settles_it() -> None:
    s = Situation(
        stage=Stage.OPENING,
        fault=Fault.POWER,
        within_2h=False,
        plan=3,
        supplement_issued_at=at(2027, 2, 3, 10, 0),
    )
    guessed = decide(s, at(2027, 2, 3, 11, 0))
    assert any("2027" in w and "推定" in w for w in guessed.warnings)
    # A user schedule for 2027 (say 02-04 and 02-05 off, Sun 02-07 a make-up day).
    user = WorkCalendar(
        {
            2027: YearSchedule(
                holidays=frozenset({date(2027, 2, 4), date(2027, 2, 5)}),
                workdays=frozenset({date(2027, 2, 7)}),
            )
        }
    )
    settled = decide(s, at(2027, 2, 3, 11, 0), calendar=user)
    assert not any("推定" in w for w in settled.warnings)
    # Thu/Fri off → Sun 02-07 is the full working day → Mon 02-08 09:00.
    assert settled.earliest_new_time == at(2027, 2, 8, 9, 0)


def test_user_calendar_file_is_validated() -> None:
    from qdplan_cli.plan.errors import UserError

    years = parse_user_calendar(
        {"years": {"2027": {"holidays": ["2027-01-01"], "workdays": []}}}, "cal.toml"
    )
    assert date(2027, 1, 1) in years[2027].holidays
    with pytest.raises(UserError) as exc:
        parse_user_calendar({"years": {"2027": {"holidays": ["2027-13-01"]}}}, "cal.toml")
    assert "years.2027.holidays" in str(exc.value)
    with pytest.raises(UserError):
        parse_user_calendar({"years": {"2027": {"holidays": ["2026-01-01"]}}}, "cal.toml")


def test_cached_schedule_answers_exactly_as_the_holidays_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache file only saves start-up time: every day of every cached year reads the same."""
    import holidays

    from qdplan_cli.plan.calendar import CACHED_YEARS

    monkeypatch.setenv("QDPLAN_CACHE", str(tmp_path))
    WorkCalendar(cache=FileScheduleCache()).is_working_day(date(2026, 1, 5))  # writes the cache
    assert list(tmp_path.glob("holidays-cn-*.json"))
    cached = WorkCalendar(cache=FileScheduleCache())
    cn = holidays.country_holidays("CN", years=CACHED_YEARS)
    plain = WorkCalendar()  # no cache: straight from the package
    official = plain.official_years()
    day = date(CACHED_YEARS.start, 1, 1)
    while day.year in CACHED_YEARS:
        assert cached.is_working_day(day) == plain.is_working_day(day), day
        if day.year in official:  # estimated years err late instead (see below)
            assert cached.is_working_day(day) == cn.is_working_day(day), day
        day += timedelta(days=1)
    assert cached.official_years() == WorkCalendar().official_years()
    assert cached._cn is None  # answered from the file, without the package


def test_a_broken_cache_file_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QDPLAN_CACHE", str(tmp_path))
    WorkCalendar(cache=FileScheduleCache()).is_working_day(date(2026, 1, 5))
    (cache,) = tmp_path.glob("holidays-cn-*.json")
    cache.write_text("{not json", encoding="utf-8")
    assert WorkCalendar(cache=FileScheduleCache()).is_working_day(date(2026, 10, 10))
    assert not WorkCalendar(cache=FileScheduleCache()).is_working_day(date(2026, 10, 5))


# ---------------------------------------------------------------- estimated years err late


# Plausible official schedules for a year not yet announced, drawn from the patterns of
# 2023–2026: each as (days off, make-up working days) around National Day and Spring Festival.
PLAUSIBLE_2027 = [
    # National Day 10-01…10-07, make-up Sat 10-09 (the 2026 pattern shifted by a year).
    (
        {date(2027, 10, d) for d in range(1, 8)},
        {date(2027, 9, 26), date(2027, 10, 9)},
    ),
    # National Day 10-01…10-08 (the 2025 pattern), make-up Sun 09-26 and Sat 10-09.
    (
        {date(2027, 10, d) for d in range(1, 9)},
        {date(2027, 9, 26), date(2027, 10, 9)},
    ),
    # Spring Festival 02-05 (除夕)…02-13 (初八), make-up Sun 01-31 and Sat 02-20.
    (
        {date(2027, 2, 5) + timedelta(days=k) for k in range(9)},
        {date(2027, 1, 31), date(2027, 2, 20)},
    ),
]


def test_an_estimated_year_never_gives_an_earlier_reopening_than_a_plausible_schedule() -> None:
    """Point 8 of issue 11: 2027-09-30 used to give 10-07 09:00 where a typical schedule gives
    10-09; an estimate must err late."""
    assert CAL.is_estimated(2027)
    issued = at(2027, 9, 30, 10, 0)
    estimate = earliest_reopening(issued, CAL, HOURS)
    assert estimate >= at(2027, 10, 9, 9, 0)
    for holidays_, workdays in PLAUSIBLE_2027:
        official = WorkCalendar(
            user_years={2027: YearSchedule(frozenset(holidays_), frozenset(workdays))}
        )
        assert not official.is_estimated(2027)
        for month, day in [(9, 30), (10, 8), (2, 4), (2, 12), (1, 29), (6, 8), (5, 1)]:
            for hour in (9, 16):
                moment = at(2027, month, day, hour, 0)
                assert earliest_reopening(moment, CAL, HOURS) >= earliest_reopening(
                    moment, official, HOURS
                ), moment


def test_an_estimated_year_is_flagged_推定_with_how_to_supply_the_calendar() -> None:
    s = Situation(
        stage=Stage.OPENING,
        fault=Fault.POWER,
        within_2h=False,
        plan=3,
        supplement_issued_at=at(2027, 9, 30, 10, 0),
    )
    decision = decide(s, at(2027, 9, 30, 11, 0))
    warning = next(w for w in decision.warnings if "2027 年" in w)
    assert "推定" in warning and "偏晚" in warning
    assert "--calendar" in warning and "[years.2027]" in warning
    assert decision.earliest_new_time == at(2027, 10, 12, 9, 0)


def test_an_official_year_is_not_widened() -> None:
    assert not CAL.is_estimated(2026)
    assert CAL.is_working_day(date(2026, 10, 8))  # Thursday after National Day 2026
    assert CAL.is_working_day(date(2026, 10, 10))  # make-up Saturday


def test_the_earliest_reopening_names_the_counted_working_day() -> None:
    """Point 11: a Friday-afternoon notice: Monday is the full working day, Tuesday 09:00."""
    s = Situation(
        stage=Stage.OPENING,
        fault=Fault.NETWORK,
        fallback_works=False,
        quick_fix_works=False,
        within_2h=False,
        plan=3,
        supplement_issued_at=at(2026, 12, 4, 15, 30),
    )
    decision = decide(s, at(2026, 12, 4, 16, 0))
    text = next(st.text for st in decision.steps if "完整工作日" in st.text and "最早" in st.text)
    assert "12月7日（周一）为完整工作日" in text
    assert "最早 2026年12月8日（周二）09:00" in text
