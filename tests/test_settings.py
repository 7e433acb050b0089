"""Stored incidents are decided with the configured business hours and holiday calendar, as
`decide` is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Result

Run = Callable[..., Result]

CASE = """\
[project]
name = "测试项目"
opening_time = 2026-12-03T09:30:00
[incident]
stage = "prep"
fault = "power"
started_at = 2026-12-03T08:50:00
resolved_at = 2026-12-03T15:00:00
notice_published_at = 2026-12-03T15:30:00
"""


def test_incident_decisions_use_the_configured_business_hours(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    first = run("incident", "--case", str(case), "--no-input")
    assert first.code == 0, first.err
    # Published 15:30 → earliest 17:30: after the default 17:00 close, so a next slot is proposed.
    assert "建议的新时间：2026年12月4日（周五）09:00" in first.out
    config = tmp_path / "config.toml"
    config.write_text('[hours]\nstart = "08:30"\nend = "18:00"\n', encoding="utf-8")
    monkeypatch.setenv("QDPLAN_CONFIG", str(config))
    shown = run("show")
    assert shown.code == 0, shown.err
    assert "原则上的最早新时间：2026年12月3日（周四）17:30" in shown.out
    assert "建议的新时间" not in shown.out
    listed = json.loads(run("list", "--json").out)
    assert listed[0]["outcome"] == "delay_notice"
