"""``qdplan decide`` through the real entry point: checklist, JSON contract, case files, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qdplan_cli import __version__

from .conftest import DATA, Result

Run = Callable[..., Result]

CONTRACT_KEYS = {
    "outcome": str,
    "missing": list,
    "allowed_plans": list,
    "plan": (int, type(None)),
    "notify": list,
    "signatories": list,
    "documents": list,
    "clauses": list,
    "earliest_new_time": (str, type(None)),
    "warnings": list,
    "steps": list,
}


def as_json(result: Result) -> dict[str, object]:
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"qdplan {__version__}"


def test_python_dash_m_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qdplan_cli", "--version"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert proc.returncode == 0
    assert __version__ in proc.stdout


def test_json_contract_keys_and_types(run: Run) -> None:
    data = as_json(
        run("decide", "--stage", "opening", "--fault", "system", "--beyond-2h", "--json")
    )
    for key, kind in CONTRACT_KEYS.items():
        assert key in data, key
        assert isinstance(data[key], kind), key
    assert data["outcome"] == "choose_plan"
    assert data["allowed_plans"] == [2, 3]
    assert data["missing"] == ["plan"]
    assert data["signatories"] == ["tenderer", "agency", "witness"]
    steps = data["steps"]
    assert isinstance(steps, list)
    for step in steps:
        assert {"text", "clause", "by"} <= set(step)
        assert step["clause"] in data["clauses"]


def test_checklist_cites_clauses_in_chinese(run: Run) -> None:
    result = run("decide", "--stage", "opening", "--fault", "system", "--beyond-2h")
    assert result.code == 0, result.err
    assert "由招标人选择应急方案" in result.out
    assert "依据 第四条（二）2" in result.out
    # 4.2.2: a system fault offers 方案二 and 方案三 only, and says so without naming 方案一.
    assert "方案一" not in result.out and "只能选择方案二或方案三" in result.out
    assert "记录签字：招标人、招标代理机构、见证人员" in result.out


def test_plan_the_fault_does_not_allow_is_refused(run: Run) -> None:
    result = run(
        "decide", "--stage", "evaluation", "--fault", "system", "--beyond-2h", "--plan", "1"
    )
    assert result.code == 2
    assert "方案二或方案三" in result.err
    assert "Traceback" not in result.err + result.out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--stage", "closing", "--fault", "power"], "--stage"),
        (["--stage", "opening", "--fault", "fire"], "--fault"),
        (["--stage", "opening", "--fault", "power", "--project-type", "x"], "--project-type"),
        (["--stage", "opening", "--fault", "power", "--plan", "4"], "--plan"),
        (["--stage", "opening", "--fault", "power", "--plan", "two"], "--plan"),
        (
            ["--stage", "opening", "--fault", "power", "--fault-started-at", "8点"],
            "--fault-started-at",
        ),
        (["--stage", "opening", "--fault", "power", "--now", "2026-13-01T09:00"], "--now"),
        (["--stage", "opening", "--fault", "power", "--within"], "--within"),
        (["--case", "does-not-exist.toml"], "does-not-exist.toml"),
        (
            ["--stage", "opening", "--fault", "power", "--fault-started-at", "9999-12-31T23:59"],
            "--fault-started-at",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_field(run: Run, argv: list[str], field: str) -> None:
    result = run("decide", *argv)
    assert result.code == 2
    assert field in result.err
    assert result.err.startswith("错误：")
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("case", "outcome", "documents"),
    [
        ("prep-power-delay.toml", "delay_notice", ["incident_record", "delay_notice"]),
        (
            "opening-network-plan3.toml",
            "choose_plan",
            ["incident_record", "filing_report", "supplementary_notice"],
        ),
        ("evaluation-system-wait.toml", "wait_and_resume", ["incident_record"]),
    ],
)
def test_example_cases(run: Run, case: str, outcome: str, documents: list[str]) -> None:
    data = as_json(run("decide", "--case", str(DATA / case), "--json", "--now", "2026-12-20T10:00"))
    assert data["outcome"] == outcome
    assert data["documents"] == documents


def test_prep_delay_example_earliest_time(run: Run) -> None:
    data = as_json(
        run(
            "decide", "--case", str(DATA / "prep-power-delay.toml"), "--json", "--now", "2026-12-20"
        )
    )
    assert data["earliest_new_time"] == "2026-12-03T12:40:00+08:00"


def test_flags_beside_a_case_win(run: Run) -> None:
    case = str(DATA / "evaluation-system-wait.toml")
    data = as_json(
        run("decide", "--case", case, "--json", "--resolved-at", "2026-12-10T16:00", "--plan", "2")
    )
    # Cleared 2 h 20 min after onset: the plans apply, and the flag's plan is taken.
    assert data["outcome"] == "choose_plan"
    assert data["plan"] == 2
    assert "closure_plan" in data["documents"]
    assert data["warnings"]  # the case estimated within_2h = true


def test_times_without_offset_are_shanghai_and_shown_with_the_date(run: Run) -> None:
    data = as_json(
        run(
            "decide",
            "--stage",
            "opening",
            "--fault",
            "power",
            "--json",
            "--fault-started-at",
            "2026-12-08 09:12",
            "--now",
            "2026-12-08T10:00",
        )
    )
    assert data["two_hour_line"] == "2026-12-08T11:12:00+08:00"
    result = run(
        "decide",
        "--stage",
        "opening",
        "--fault",
        "power",
        "--fault-started-at",
        "2026-12-08 09:12",
        "--now",
        "2026-12-08T10:00",
    )
    assert "2026年12月8日（周二）11:12 前未恢复" in result.out
    assert "剩余 1小时12分" in result.out


def test_times_with_offset_are_converted(run: Run) -> None:
    data = as_json(
        run(
            "decide",
            "--stage",
            "opening",
            "--fault",
            "power",
            "--json",
            "--fault-started-at",
            "2026-12-08T01:12:00Z",
            "--now",
            "2026-12-08T10:00",
        )
    )
    assert data["two_hour_line"] == "2026-12-08T11:12:00+08:00"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("this is not toml = = =", "TOML"),
        (
            '[incident]\nstage = "opening"\nfault = "power"\nwithin_2h = "yes"\n',
            "incident.within_2h",
        ),
        ('[incident]\nstage = "opening"\nfallback_work = true\n', "incident.fallback_work"),
        ('[incident]\nstage = "noon"\n', "incident.stage"),
        ('[incident]\nstarted_at = "yesterday"\n', "incident.started_at"),
        ("[incident]\nstarted_at = 2026-12-08\n", "incident.started_at"),
        ("[incident]\nplan = 5\n", "incident.plan"),
        ('[project]\ntype = "roads"\n', "project.type"),
        ("[project]\nname = 12\n", "project.name"),
        ('[[timeline]]\ntext = "x"\n', "timeline[1].at"),
        ("[confidential]\nexperts = [1, 2]\n", "confidential.experts"),
        ("[extra]\n", "case.extra"),
    ],
)
def test_broken_case_files_exit_2_naming_the_field(
    run: Run, tmp_path: Path, text: str, field: str
) -> None:
    result = run("decide", "--case", str(write(tmp_path, text)), "--json")
    assert result.code == 2, result.out
    assert field in result.err
    assert "Traceback" not in result.err


def test_case_file_with_bom_and_chinese_is_read(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(
        '\ufeff[project]\nname = "测试项目"\n[incident]\nstage = "prep"\nfault = "power"\n'
        "fixed_before_deadline = true\n".encode()
    )
    assert as_json(run("decide", "--case", str(path), "--json"))["outcome"] == "proceed"


def test_gbk_case_file_is_refused_clearly(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('[project]\nname = "测试项目"\n'.encode("gbk"))
    result = run("decide", "--case", str(path))
    assert result.code == 2
    assert "UTF-8" in result.err


def test_user_calendar_flag(run: Run, tmp_path: Path) -> None:
    cal = tmp_path / "cal.toml"
    cal.write_text('[years.2027]\nholidays = ["2027-02-04", "2027-02-05"]\n', encoding="utf-8")
    argv = [
        "decide",
        "--stage",
        "opening",
        "--fault",
        "power",
        "--beyond-2h",
        "--plan",
        "3",
        "--supplement-issued-at",
        "2027-02-03T10:00",
        "--now",
        "2027-02-03T11:00",
        "--json",
    ]
    guessed = as_json(run(*argv))
    assert any("推定" in w for w in guessed["warnings"])  # type: ignore[union-attr]
    settled = as_json(run(*argv, "--calendar", str(cal)))
    assert settled["earliest_new_time"] == "2027-02-09T09:00:00+08:00"
    assert not any("推定" in w for w in settled["warnings"])  # type: ignore[union-attr]
    bad = tmp_path / "bad.toml"
    bad.write_text('[years.2027]\nholidays = "soon"\n', encoding="utf-8")
    result = run(*argv, "--calendar", str(bad))
    assert result.code == 2 and "years.2027.holidays" in result.err


def test_help_is_chinese(run: Run) -> None:
    result = run("decide", "--help")
    assert result.code == 0
    assert "所处环节" in result.out
    assert "--fallback-works" in result.out


def test_prep_checklist_shows_the_bid_deadline_and_time_left(run: Run) -> None:
    argv = ["decide", "--stage", "prep", "--fault", "power", "--opening-time", "2026-12-08 09:30"]
    before = run(*argv, "--now", "2026-12-08T09:00")
    assert "投标截止时间：2026年12月8日（周二）09:30 前未修复" in before.out
    assert "剩余 30分钟" in before.out
    procurement = run(*argv, "--now", "2026-12-08T09:00", "--project-type", "procurement")
    assert "响应文件提交截止时间：2026年12月8日（周二）09:30" in procurement.out
    data = as_json(run(*argv, "--now", "2026-12-08T09:40", "--json"))
    assert data["bid_deadline"] == "2026-12-08T09:30:00+08:00"
    assert data["outcome"] == "delay_notice"  # past the deadline, unrepaired


def test_procurement_conclusion_names_the_purchaser(run: Run) -> None:
    argv = ["decide", "--stage", "opening", "--fault", "system", "--beyond-2h"]
    result = run(*argv, "--project-type", "procurement")
    assert "由采购人选择应急方案" in result.out
    assert "招标人" not in result.out


def test_a_gbk_console_gets_the_whole_checklist(tmp_path: Path) -> None:
    """Many Chinese Windows consoles are GBK (code page 936): nothing may crash or be lost."""
    import os

    env = {**os.environ, "PYTHONIOENCODING": "gbk", "QDPLAN_CONFIG": str(tmp_path / "c.toml")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "qdplan_cli",
            "decide",
            "--stage",
            "evaluation",
            "--fault",
            "system",
            "--beyond-2h",
            "--plan",
            "3",
            "--fault-started-at",
            "2026-12-08 09:00",
            "--now",
            "2026-12-08T12:00",
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    text = proc.stdout.decode("gbk")  # strict: every byte is valid GBK
    assert "方案三：另行择期评标" in text  # 5.1: the evaluation stage's own plan names
    assert "方案三：另行择期开评标" not in text
    assert "?" not in text.replace("？", "")  # nothing was replaced for want of a glyph
