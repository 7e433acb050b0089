"""Issue 11 in the documents: a plan that stands, the evaluation stage's plan names, 原则上."""

from __future__ import annotations

from pathlib import Path

import pytest

from .renderkit import (
    DATA,
    docx_files,
    isolated_config,  # noqa: F401  (autouse fixture)
    load_toml,
    render,
    text_of,
    write_case,
)


def test_a_plan_announced_then_fixed_sooner_keeps_its_documents_and_the_record_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("opening-network-plan3.toml")
    # Announced on site at 10:15; the fault was in the end fixed at 10:40, within 2 hours.
    data["incident"]["supplement_issued_at"] = data["incident"]["started_at"].replace(
        hour=10, minute=15
    )
    data["incident"]["resolved_at"] = data["incident"]["started_at"].replace(hour=10, minute=40)
    case = write_case(tmp_path / "case.toml", data)
    out = tmp_path / "out"
    code, _, err = render(case, out, capsys)
    assert code == 0, err
    assert docx_files(out) == [
        "filing_report.docx",
        "incident_record.docx",
        "supplementary_notice.docx",
    ]
    record = text_of(out / "incident_record.docx")
    assert "另行择期开评标" in record
    assert "照常执行" in record and "2026年12月8日（周二）10:40" in record
    assert "说明情况，等候修复后继续" not in record


@pytest.mark.parametrize("name", ["evaluation-power-plan2.toml", "evaluation-network-plan3.toml"])
def test_evaluation_documents_use_the_evaluation_plan_names(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = render(DATA / name, out, capsys)
    assert code == 0, err
    for docx_name in docx_files(out):
        text = text_of(out / docx_name)
        assert "继续开评标" not in text and "择期开评标" not in text, docx_name
    record = text_of(out / "incident_record.docx")
    # 5.1's names, in the project's words (政府采购: 评审).
    assert any(n in record for n in ("原地点继续评标", "另行择期评标", "另行择期评审"))


def test_an_earlier_new_time_is_refused_without_a_reason_and_recorded_with_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("prep-power-delay.toml")
    published = data["incident"]["notice_published_at"]  # 10:40: the earliest is 12:40
    data["incident"]["new_time"] = published.replace(hour=11, minute=30)
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "refused", capsys)
    assert code == 2
    assert "override_reason" in err and "new_time" in err

    data["incident"]["override_reason"] = "到场供应商均书面同意提前开标"
    case = write_case(tmp_path / "case.toml", data)
    out = tmp_path / "out"
    code, stdout, err = render(case, out, capsys)
    assert code == 0, err
    assert "到场供应商均书面同意提前开标" in stdout + err  # the warning is printed
    record = text_of(out / "incident_record.docx")
    assert "例外理由：到场供应商均书面同意提前开标" in record
    notice = text_of(out / "delay_notice.docx")
    assert "11:30" in notice
