"""The one time parser (plan/times.read_time) and the one future-time rule: a test per form."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.times import SHANGHAI, check_not_future, read_time

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)  # Tue 2026-12-08 10:00


def at(day: int, hour: int, minute: int, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-08T09:12", at(8, 9, 12)),  # ISO 8601
        ("2026-12-08T09:12:00+08:00", at(8, 9, 12)),
        ("2026-12-08 09:12", at(8, 9, 12)),
        ("2026-12-8 9:12", at(8, 9, 12)),
        ("2026/12/08 09:12", at(8, 9, 12)),
        ("2026年12月8日（周二）09:12", at(8, 9, 12)),  # as qdplan shows it: can be pasted back
    ],
)
def test_full_dates_are_read_as_written_without_a_note(text: str, expected: datetime) -> None:
    reading = read_time(text, "--at", NOW)
    assert reading.at == expected
    assert reading.said_back is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-08 09:12", at(8, 9, 12)),  # this year
        ("12月7日 16:05", at(7, 16, 5)),
        ("9:12", at(8, 9, 12)),  # today
        ("09:12", at(8, 9, 12)),
        ("0912", at(8, 9, 12)),
        ("912", at(8, 9, 12)),
        ("9点12", at(8, 9, 12)),
        ("２２：３０", at(8, 22, 30)),  # full-width digits and colon of a Chinese input method
        ("0９：1２", at(8, 9, 12)),
        ("１２－０８　０９：１２", at(8, 9, 12)),
        ("今天 9:00", at(8, 9, 0)),
        ("明天 9:00", at(9, 9, 0)),
        ("明天9:00", at(9, 9, 0)),
        ("昨天 16:30", at(7, 16, 30)),
    ],
)
def test_short_forms_take_the_date_from_now_and_say_so(text: str, expected: datetime) -> None:
    reading = read_time(text, "--at", NOW)
    assert reading.at == expected
    weekday = "一二三四五六日"[expected.weekday()]
    assert reading.said_back == (
        f"理解为 {expected.year}年{expected.month}月{expected.day}日（周{weekday}）{expected:%H:%M}"
    )


def test_nine_twelve_is_said_back_as_the_issue_shows() -> None:
    assert read_time("9:12", "--at", NOW).said_back == "理解为 2026年12月8日（周二）09:12"


@pytest.mark.parametrize(
    ("text", "expected", "zone"),
    [
        ("2026-12-08T01:12Z", at(8, 9, 12), "UTC+00:00"),
        ("2026-12-08T09:12+00:00", at(8, 17, 12), "UTC+00:00"),
        ("2026-12-08T09:12+09:00", at(8, 8, 12), "UTC+09:00"),
    ],
)
def test_another_offset_is_converted_and_shown(text: str, expected: datetime, zone: str) -> None:
    reading = read_time(text, "--at", NOW)
    assert reading.at == expected and reading.at.utcoffset() == timedelta(hours=8)
    assert reading.said_back is not None
    assert f"{expected:%H:%M}" in reading.said_back and zone in reading.said_back


@pytest.mark.parametrize(
    "text", ["25:00", "9:60", "八点", "12", "2026-02-30 09:00", "abc", "", "   "]
)
def test_unreadable_times_name_the_field_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(UserError) as caught:
        read_time(text, "--opening-time", NOW)
    message = str(caught.value)
    assert message.startswith("--opening-time：")
    assert "2026-12-08 09:30" in message and "9:30" in message


@pytest.mark.parametrize("text", ["1999-12-31 23:00", "2101-01-01 00:00", "9999-12-31T23:59"])
def test_years_outside_2000_to_2100_are_refused(text: str) -> None:
    with pytest.raises(UserError, match="2000–2100"):
        read_time(text, "--at", NOW)
    read_time("2100-12-31 23:59", "--at", NOW)  # the last year still reads


def test_a_short_form_without_a_now_asks_for_the_date() -> None:
    with pytest.raises(UserError, match="缺少日期"):
        read_time("9:12", "--now")


def test_the_future_rule_allows_a_few_minutes_of_slack_and_names_the_field() -> None:
    assert check_not_future(NOW + timedelta(minutes=5), NOW, "--at", "故障排除时间")
    with pytest.raises(UserError) as caught:
        check_not_future(NOW + timedelta(minutes=6), NOW, "--at", "故障排除时间")
    assert str(caught.value) == (
        "--at：故障排除时间 2026年12月8日（周二）10:06 晚于现在（2026年12月8日（周二）10:00），请核对"
    )
