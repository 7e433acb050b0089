"""Evaluation facts recorded in the wizard (5.1, 5.5): experts' arrival and release, an expert
leaving early. ``render --incident`` then writes the confidentiality commitment and a fee sheet
whose sums are right, with no case file edited by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest

from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.incident import load
from qdplan_cli.record.store import Store
from qdplan_cli.ui import prompts

from .conftest import ENTER, Clock, Keyboard, Result
from .test_incident_wizard import LEAVE, PROJECT_TOML, pick


def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "project.toml"
    text = PROJECT_TOML + 'venue = "青岛市公共资源交易中心第3评标室"\n'
    path.write_text(text, encoding="utf-8")
    return path


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def typed(text: str) -> str:
    return text + ENTER


def test_an_early_leaver_recorded_in_the_wizard_gives_the_commitment_and_the_fee_sheet(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.now = datetime(2026, 12, 8, 10, 50, tzinfo=shanghai())  # within the 2 hours
    real_select = prompts.select

    def select(message: str, *args: Any, **kwargs: Any) -> str:
        if message == "下一步做什么？":  # the experts are released in the afternoon
            clock.now = datetime(2026, 12, 8, 14, 0, tzinfo=shanghai())
        return real_select(message, *args, **kwargs)

    monkeypatch.setattr(prompts, "select", select)
    keys = (
        pick(2)  # 评标环节
        + pick(2)  # 断电
        + pick(1)  # onset: other
        + typed("09:10")
        + pick(0)  # the project file
        + pick(2)  # 2小时内? (能, 不能, 故障已排除): 故障已排除
        + pick(1)  # 故障何时排除？ other
        + typed("10:40")  # cleared within the 2 hours: wait and resume (5.1)
        # hub: 勾选, 进展, 专家到离, 专家提前离开, 更正排除, 完整清单, 返回, 原因, 退出
        + pick(2)  # 专家到离: four experts 08:50–12:30
        + typed("4")
        + pick(2)  # arrived: other (刚刚, 保持 09:10, other, back)
        + typed("08:50")
        + pick(1)  # left: other (刚刚, other, back)
        + typed("12:30")
        + pick(0)  # evaluated
        + pick(3)  # 专家提前离开: left 10:05, arrived 08:50 (offered), a replacement drawn
        + pick(1)
        + typed("10:05")
        + pick(0)  # 保持 08:50 (offered first: an expert leaving arrived before now)
        + pick(0)  # 已签署承诺 (asked, never assumed)
        + pick(0)  # 已补抽
        + pick(2)  # the replacement: one expert 10:50–12:30
        + typed("")
        + pick(2)
        + typed("10:50")
        + pick(1)
        + typed("12:30")
        + pick(0)
        + LEAVE
    )
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    store = Store.open()
    (incident_id,) = store.incident_ids()
    incident = load(store, incident_id)
    assert incident.situation.expert_left_early is True
    assert [
        (a.count, f"{a.arrived_at:%H:%M}", f"{a.left_at:%H:%M}") for a in incident.attendance
    ] == [(4, "08:50", "12:30"), (1, "08:50", "10:05"), (1, "10:50", "12:30")]

    out = tmp_path / "docs"
    rendered = run("render", "--incident", incident_id, "--out", str(out))
    assert rendered.code == 0, rendered.err
    names = {p.name for p in out.iterdir()}
    assert "confidentiality_commitment.docx" in names
    assert "expert_fee_sheet.docx" in names
    sheet = docx_text(out / "expert_fee_sheet.docx")
    # 3 h 40 min: 400 + 100 (a part-hour of 30 min or more) = 500 each, 4 experts = 2000;
    # the early leaver 1 h 15 min = 400; the replacement 1 h 40 min = 400. 6 experts, 2800.
    assert "2000" in sheet and "2800" in sheet, sheet
    assert sheet.count("400") >= 2
    record = docx_text(out / "incident_record.docx")
    assert "1名专家因特殊情况于 2026年12月8日（周二）10:05 离开" in record
    assert "案例文件" not in record  # the 经过 names no file


def test_fee_sheet_command_reads_the_wizard_made_incident_too(
    keyboard: Keyboard,
    clock: Clock,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The exported case carries [[attendance]]: `fees --case` computes from it unedited.
    test_an_early_leaver_recorded_in_the_wizard_gives_the_commitment_and_the_fee_sheet(
        keyboard, clock, run, tmp_path, monkeypatch
    )
    case = tmp_path / "case.toml"
    assert run("export", "--out", str(case)).code == 0
    fees = run("fees", "--case", str(case))
    assert fees.code == 0, fees.err
    assert "2800元" in fees.out
    # … and straight from the record, with no export in between.
    (incident_id,) = Store.open().incident_ids()
    direct = run("fees", "--incident", incident_id)
    assert direct.code == 0, direct.err
    assert "2800元" in direct.out
    neither = run("fees")
    assert neither.code == 2 and "--incident" in neither.err
