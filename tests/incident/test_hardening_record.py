"""Issue 15 (hardening), the record side: every read path checks the chain, export refuses a
broken one and says where its file came from, no fact of a case file is dropped on import,
nothing is stored before everything is validated, and one damaged event never stops the
others. Each test here failed before the fix it guards."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

from .conftest import DATA, Clock, Result
from .test_record_chain import attack

Run = Callable[..., Result]


def new_incident(run: Run, case: Path = DATA / "prep-power-delay.toml") -> str:
    result = run("incident", "--case", str(case), "--no-input")
    assert result.code == 0, result.err
    return re.search(r"事件编号：(\S+)", result.out)[1]  # type: ignore[index]


def incidents(home: Path) -> int:
    db = sqlite3.connect(home / "qdplan.db")
    try:
        return int(db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])
    finally:
        db.close()


@pytest.fixture
def tampered(run: Run, clock: Clock, qdplan_home: Path) -> str:
    incident = new_incident(run)
    clock.advance(minutes=5)
    assert run("log", "已通知保障人员").code == 0
    attack(qdplan_home, "UPDATE events SET text = '物业告知预计11时恢复供电' WHERE seq = 7")
    return incident


@pytest.mark.parametrize("argv", [["show"], ["list"], ["checklist", "--out", "c.docx"]])
def test_every_read_path_warns_of_a_broken_chain_naming_the_event(
    run: Run, tampered: str, argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*argv)
    assert result.code == 0, result.err
    assert f"警告：事件 {tampered} 的记录未通过校验" in result.err
    assert "第 7 条" in result.err and "qdplan verify" in result.err


def test_export_refuses_a_broken_chain_unless_told(run: Run, tampered: str, tmp_path: Path) -> None:
    out = tmp_path / "export.toml"
    refused = run("export", "--out", str(out))
    assert refused.code == 1 and "第 7 条" in refused.err and "--allow-broken" in refused.err
    assert not out.exists()
    forced = run("export", "--out", str(out), "--allow-broken")
    assert forced.code == 0, forced.err
    assert "记录校验码 未通过校验" in out.read_text(encoding="utf-8")


def test_an_intact_export_carries_the_record_hash(run: Run, clock: Clock, tmp_path: Path) -> None:
    incident = new_incident(run)
    printed = re.search(r"记录校验码：([0-9a-f]{12})", run("verify", incident).out)[1]  # type: ignore[index]
    out = tmp_path / "export.toml"
    assert run("export", "--out", str(out)).code == 0
    assert f"导出自事件 {incident}，记录校验码 {printed}" in out.read_text(encoding="utf-8")


def attendance_case(tmp_path: Path) -> Path:
    with (DATA / "evaluation-power-plan2.toml").open("rb") as handle:
        data = tomllib.load(handle)
    data["attendance"] = [
        {
            "arrived_at": datetime(2026, 12, 9, 8, 30),
            "left_at": datetime(2026, 12, 9, 15, 0),
            "count": 4,
        },
        {
            "arrived_at": datetime(2026, 12, 9, 8, 40),
            "left_at": datetime(2026, 12, 9, 11, 0),
            "name": "钱专家",
            "evaluated": False,
            "note": "提前离场",
        },
    ]
    path = tmp_path / "case.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_attendance_survives_import_export_and_the_fee_sheet(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    clock.now = clock.now.replace(day=16)
    incident = new_incident(run, attendance_case(tmp_path))
    out = tmp_path / "export.toml"
    assert run("export", "--out", str(out)).code == 0
    exported = tomllib.loads(out.read_text(encoding="utf-8"))
    rows = exported["attendance"]
    assert [r.get("count", 1) for r in rows] == [4, 1]
    assert rows[1]["name"] == "钱专家" and rows[1]["evaluated"] is False
    assert rows[1]["note"] == "提前离场"
    assert rows[0]["arrived_at"].isoformat() == "2026-12-09T08:30:00+08:00"
    fees = run(
        "render", "--incident", incident, "--only", "expert_fee_sheet", "--out", str(tmp_path / "o")
    )
    assert fees.code == 0, fees.err
    assert (tmp_path / "o" / "expert_fee_sheet.docx").exists()
    assert run("verify", incident).code == 0


# Issue 15 defect 6 (three tries, three incidents) no longer reproduces on main since the
# Runtime reads the config before the store is opened; this test keeps it so.
def test_a_bad_config_stores_nothing_however_often_it_is_retried(
    run: Run, clock: Clock, qdplan_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "bad-config.toml"
    config.write_text('[hours]\nstart = "九点"\n', encoding="utf-8")
    monkeypatch.setenv("QDPLAN_CONFIG", str(config))
    for _ in range(3):
        result = run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input")
        assert result.code == 2 and "hours.start" in result.err
    assert not (qdplan_home / "qdplan.db").exists() or incidents(qdplan_home) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET at = 'not a time' WHERE seq = 7",
        "UPDATE events SET data = '{\"value\": 1}' WHERE kind = 'answer' AND seq = 2",
        "UPDATE events SET data = '{not json' WHERE seq = 4",
        "UPDATE events SET data = '[1, 2]' WHERE seq = 4",
        "UPDATE events SET recorded_at = '' WHERE seq = 3",
    ],
    ids=["at", "answer-without-field", "garbled", "not-a-table", "recorded-at"],
)
def test_one_damaged_event_is_reported_and_never_stops_the_others(
    run: Run,
    clock: Clock,
    qdplan_home: Path,
    tmp_path: Path,
    statement: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = new_incident(run)
    clock.advance(minutes=5)
    second = new_incident(run, DATA / "evaluation-power-plan2.toml")
    attack(qdplan_home, statement.replace("WHERE", f"WHERE incident_id = '{first}' AND"))
    monkeypatch.chdir(tmp_path)
    listed = run("list")
    assert listed.code == 0, listed.err
    assert first in listed.out and second in listed.out
    assert "已跳过" in listed.err or "未通过校验" in listed.err
    for argv in (["show", first], ["checklist", first, "--out", "c.docx"]):
        result = run(*argv)
        assert result.code in (0, 2), result.err
        assert "Traceback" not in result.err and "已跳过" in result.err + result.out
    assert run("export", first, "--allow-broken").code in (0, 2)
    for argv in (["show", second], ["export", second], ["verify", second]):
        assert run(*argv).code == 0, argv


@pytest.mark.parametrize("when", ["2001-01-01 09:00", "2099-01-01 09:00"])
def test_log_at_is_checked_as_resolve_at_is(run: Run, clock: Clock, when: str) -> None:
    new_incident(run)
    logged = run("log", "--at", when, "补记")
    resolved = run("resolve", "--at", when)
    assert logged.code == 2 and resolved.code == 2
    assert "--at" in logged.err
    assert run("log", "--at", "2026-12-03 09:00", "补记").code == 0
