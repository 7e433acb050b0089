"""Configuration (contacts, hours, calendar, fee schedule) and the expert fee arithmetic."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qdplan_cli.local.config import FeeSchedule, load_config
from qdplan_cli.plan.fees import Attendance, day_fee, fee_sheet
from qdplan_cli.plan.times import localize

from .conftest import DATA, Result

Run = Callable[..., Result]
SCHEDULE = FeeSchedule()


@pytest.mark.parametrize(
    ("minutes", "amount"),
    [
        (0, 400),
        (90, 400),
        (180, 400),  # 3 hours or less: 400
        (181, 450),  # a part-hour under 30 min: 50
        (209, 450),
        (210, 500),  # a part-hour of 30 min or more counts as an hour
        (240, 500),
        (300, 600),
        (330, 700),
        (540, 1000),  # 9 h → 400 + 600 = 1000, the daily cap
        (600, 1000),  # capped
    ],
)
def test_day_fee_follows_the_schedule(minutes: int, amount: int) -> None:
    assert day_fee(timedelta(minutes=minutes), SCHEDULE)[0] == amount


def at(*args: int) -> datetime:
    return localize(datetime(*args))  # type: ignore[arg-type]


def test_fee_sheet_counts_waiting_time_early_leavers_and_no_shows() -> None:
    sheet = fee_sheet(
        [
            # Five experts, 09:30 → 14:55 including a fault wait: 5 h 25 min → 400+200+50.
            Attendance(at(2026, 12, 10, 9, 30), at(2026, 12, 10, 14, 55), count=5),
            # One left early after 2 hours: paid for the time served.
            Attendance(at(2026, 12, 10, 9, 30), at(2026, 12, 10, 11, 30)),
            # One came but could not evaluate.
            Attendance(at(2026, 12, 10, 9, 30), at(2026, 12, 10, 10, 0), evaluated=False),
        ],
        SCHEDULE,
    )
    assert [line.per_expert for line in sheet.lines] == [650, 400, 200]
    assert sheet.experts == 7
    assert sheet.total == 5 * 650 + 400 + 200


def test_each_day_is_capped_on_its_own() -> None:
    sheet = fee_sheet([Attendance(at(2026, 12, 10, 9, 0), at(2026, 12, 11, 11, 0))], SCHEDULE)
    line = sheet.lines[0]
    assert [d.amount for d in line.days] == [1000, 1000]


def test_no_config_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config.path is None
    assert config.fees.base_amount == 400
    assert "鲁财采〔2017〕28号" in config.fees.source


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[hall]\nname = 1\n", "hall.name"),
        ('[hours]\nstart = "9点"\n', "hours.start"),
        ('[hours]\nstart = "17:00"\nend = "09:00"\n', "hours.end"),
        ('[[contacts.plumber]]\nname = "x"\n', "contacts.plumber"),
        ('[[contacts.support_staff]]\nphone = "1"\n', "contacts.support_staff[1].name"),
        ("[fees]\nbase_amount = -1\n", "fees.base_amount"),
        ("[fees]\nbase_amont = 1\n", "fees.base_amont"),
        ("[colour]\n", "colour"),
        ("not toml ==", "TOML"),
    ],
)
def test_bad_config_exits_2_naming_the_key(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, field: str
) -> None:
    monkeypatch.setenv("QDPLAN_CONFIG", str(write_config(tmp_path, text)))
    result = run("config", "show")
    assert result.code == 2
    assert field in result.err
    assert "Traceback" not in result.err
    # decide reads the same config for the checklist and fails the same way.
    result = run("decide", "--stage", "opening", "--fault", "power")
    assert result.code == 2 and field in result.err


def test_config_init_show_path(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sub" / "config.toml"
    monkeypatch.setenv("QDPLAN_CONFIG", str(path))
    assert run("config", "path").out.strip() == str(path)
    assert run("config", "init").code == 0
    assert "[contacts" in path.read_text(encoding="utf-8")
    again = run("config", "init")
    assert again.code == 2 and "--force" in again.err
    shown = run("config", "show")
    assert shown.code == 0, shown.err
    assert "09:00–17:00" in shown.out
    assert "鲁财采〔2017〕28号" in shown.out


def test_checklist_shows_configured_names_and_numbers(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(
        tmp_path,
        '[[contacts.property_staff]]\nname = "李四"\nphone = "0532-1234"\n'
        '[[contacts.property_staff]]\nname = "王五"\nphone = "139"\n',
    )
    monkeypatch.setenv("QDPLAN_CONFIG", str(config))
    result = run("decide", "--stage", "opening", "--fault", "power")
    assert result.code == 0, result.err
    assert "物业楼层服务人员：李四 0532-1234；王五 139" in result.out


def test_configured_business_hours_and_calendar_change_the_suggestion(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [
        "decide",
        "--stage",
        "prep",
        "--fault",
        "power",
        "--not-fixed-before-deadline",
        "--notice-published-at",
        "2026-12-03T15:30",
        "--now",
        "2026-12-03T15:40",
        "--json",
    ]
    default = json.loads(run(*argv).out)
    assert default["earliest_new_time"] == "2026-12-03T17:30:00+08:00"
    assert default["suggested_new_time"] == "2026-12-04T09:00:00+08:00"
    config = write_config(tmp_path, '[hours]\nstart = "08:30"\nend = "18:00"\n')
    monkeypatch.setenv("QDPLAN_CONFIG", str(config))
    longer = json.loads(run(*argv).out)
    assert longer["suggested_new_time"] is None
    assert longer["warnings"] == []


def test_fees_command(run: Run, tmp_path: Path) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        (DATA / "evaluation-system-wait.toml").read_text(encoding="utf-8")
        + "\n[[attendance]]\ncount = 5\narrived_at = 2026-12-10T09:20:00\n"
        "left_at = 2026-12-10T16:40:00\n",
        encoding="utf-8",
    )
    data = json.loads(run("fees", "--case", str(case), "--json").out)
    # 7 h 20 min: 400 + 4 × 100 + 50 = 850 each.
    assert data["lines"][0]["per_expert"] == 850
    assert data["total"] == 4250
    shown = run("fees", "--case", str(case)).out.replace("\n", "")
    assert "4250元" in shown
    assert "采购代理机构不得以任何理由少计或不支付评审费" in shown
    assert "鲁财采〔2017〕28号" in shown
    missing = run("fees", "--case", str(DATA / "evaluation-system-wait.toml"))
    assert missing.code == 2 and "attendance" in missing.err


def test_bad_attendance_names_the_field(run: Run, tmp_path: Path) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        "[[attendance]]\narrived_at = 2026-12-10T10:00:00\nleft_at = 2026-12-10T09:00:00\n",
        encoding="utf-8",
    )
    result = run("fees", "--case", str(case))
    assert result.code == 2 and "attendance[1].left_at" in result.err
