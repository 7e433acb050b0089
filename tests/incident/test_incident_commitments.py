"""Issue 11 point 1 in the incident commands: ``qdplan resolve`` after an announced 方案三 keeps
the plan, its documents and the time rules; the record states the actual fix time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qdplan_cli.plan.model import Document, Outcome
from qdplan_cli.record.incident import decide_incident, load
from qdplan_cli.record.store import Store

from .conftest import Clock, Result

CASE = """
[project]
name = "青岛某某道路改造工程"
number = "QDJS-2026-0733"
tenderer = "青岛某某城市建设有限公司"
agency = "山东某某招标代理有限公司"
venue = "青岛市公共资源交易中心第2开标室"
opening_time = 2026-12-08T09:00:00

[incident]
stage = "opening"
fault = "network"
started_at = 2026-12-08T09:12:00
fallback_works = false
quick_fix_works = false
within_2h = false
plan = 3
supplement_issued_at = 2026-12-08T10:15:00
"""


def test_resolving_after_an_announced_plan_3_keeps_the_plan(
    run: Callable[..., Result], clock: Clock, tmp_path: Path
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    assert run("incident", "--case", str(case), "--no-input").code == 0
    clock.advance(minutes=85)  # 10:40: fixed within the two hours after all
    result = run("resolve")
    assert result.code == 0, result.err
    assert "说明情况，等候修复后继续" not in result.out
    assert "另行择期开评标" in result.out
    store = Store.open()
    incident = load(store, store.incident_ids()[0])
    decision = decide_incident(incident, clock())
    assert decision.outcome is Outcome.CHOOSE_PLAN and decision.plan == 3
    assert Document.SUPPLEMENTARY_NOTICE in decision.documents
    assert Document.FILING_REPORT in decision.documents
    out = tmp_path / "out"
    rendered = run("render", "--incident", incident.id, "--out", str(out))
    assert rendered.code == 0, rendered.err
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "filing_report.docx",
        "incident_record.docx",
        "supplementary_notice.docx",
    ]
