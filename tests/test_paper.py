"""The paper outputs: the pack of emergency cards, one incident's checklist on one page, the
expert fee sheet (``fees --out`` and ``render``), and configured contacts in the terminal
checklists of ``show`` and the wizard."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from qdplan_cli.documents.cards import card
from qdplan_cli.plan.decide import FAULT_CLAUSES
from qdplan_cli.plan.labels import STAGE_LABELS, clause_label
from qdplan_cli.plan.model import Fault, Stage
from qdplan_cli.plan.times import shanghai

from .conftest import DATA, Result
from .renderkit import text_of

Run = Callable[..., Result]

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed",
)

CONFIG = """
[hall]
name = "青岛市公共资源交易中心西海岸分中心"
[[contacts.support_staff]]
name = "张保障"
phone = "0532-81110001"
[[contacts.system_admin]]
name = "李系统"
phone = "0532-81110002"
[[contacts.vendor_technician]]
name = "王技术"
phone = "13800000003"
[[contacts.property_staff]]
name = "赵物业"
phone = "0532-81110004"
[[contacts.department_head]]
name = "钱主任"
phone = "13900000005"
[[contacts.bureau_leader]]
name = "孙局长"
phone = "13900000006"
[[contacts.supervisor]]
name = "周监管"
phone = "0532-81110007"
"""

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=shanghai())


@pytest.fixture
def configured() -> Path:
    path = Path(os.environ["QDPLAN_CONFIG"])
    path.write_text(CONFIG, encoding="utf-8")
    return path


def pdf_pages(path: Path) -> int:
    from .test_render_pdf import pdf_pages as count

    return count(path)


def pdf_text(path: Path) -> list[str]:
    """Text of each page (pdftotext), or skip where poppler is missing."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    import subprocess

    pages = []
    for number in range(1, pdf_pages(path) + 1):
        done = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
            capture_output=True,
            check=True,
        )
        pages.append(done.stdout.decode("utf-8"))
    return pages


# ================================================================ the cards, from the engine


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("fault", list(Fault))
def test_every_card_cites_its_clause_and_asks_what_the_engine_asks(
    stage: Stage, fault: Fault
) -> None:
    c = card(stage, fault, NOW, contacts={})
    assert c["clause"] == clause_label(FAULT_CLAUSES[(stage, fault)])
    lines = [*c["calls"], *c["first"], *c["keep"], c["record"]]
    for q in c["questions"]:
        for b in q["branches"]:
            lines.extend(b["steps"])
            # every answer ends somewhere: a conclusion or the next question
            assert b["goto"] or b["outcome"] or b["steps"]
    for p in c["plans"]:
        lines.extend(p.get("steps", []))
    # A reading of ours says so: 参照 第五条 1 (by analogy), 解读 第四条（四）.
    cites = [line["clause"].removeprefix("参照 ").removeprefix("解读 ") for line in lines]
    assert lines and all(cite.startswith("第") for cite in cites)
    if stage is Stage.PREP:
        assert c["plans"] == [] and "开标准备阶段不适用三种方案" in c["plan_note"]
    else:
        allowed = [p["label"][:3] for p in c["plans"] if p["allowed"]]
        assert allowed == (
            ["方案二", "方案三"] if fault is Fault.SYSTEM else ["方案一", "方案二", "方案三"]
        )


def test_the_network_card_in_session_follows_the_engine_order() -> None:
    c = card(Stage.OPENING, Fault.NETWORK, NOW, contacts={})
    questions = [q["text"] for q in c["questions"]]
    assert questions == [
        "更换无线、移动数据等其它应急网络后能否正常进行？",
        "经简单维修能否快速排除故障？",
        "故障能否在2小时内解决？",
    ]
    within = c["questions"][2]["branches"]
    assert "向现场投标人说明情况" in within[0]["steps"][0]["text"]
    assert "可以在下列三种方案中选择一种" in within[1]["steps"][0]["text"]  # 4.2.1's words


def test_a_question_reached_twice_is_printed_once() -> None:
    # 4.1.1: "fixed before the deadline?" follows both a failed fallback and failed sign-in.
    c = card(Stage.PREP, Fault.NETWORK, NOW, contacts={})
    texts = [q["text"] for q in c["questions"]]
    assert texts.count("能否在投标截止时间前修复？") == 1
    gotos = [b["goto"] for q in c["questions"] for b in q["branches"] if b["goto"]]
    deadline = texts.index("能否在投标截止时间前修复？") + 1
    assert gotos.count(deadline) == 2


def test_passing_the_two_hour_line_counts_as_not_within_2h() -> None:
    """The card says so; the engine must agree (a line on paper that is not the rule is a bug)."""
    from dataclasses import replace
    from datetime import timedelta

    from qdplan_cli.plan.decide import decide
    from qdplan_cli.plan.model import Outcome, Situation

    for stage in (Stage.OPENING, Stage.EVALUATION):
        s = Situation(stage=stage, fault=Fault.POWER, within_2h=True)
        late = replace(s, started_at=NOW - timedelta(hours=2, minutes=1))
        assert decide(late, NOW).outcome is Outcome.CHOOSE_PLAN


# ================================================================ qdplan pack


def test_pack_writes_the_cards_with_the_configured_contacts(
    run: Run, tmp_path: Path, configured: Path
) -> None:
    result = run("pack", "--out", str(tmp_path / "out"), "--now", "2026-12-08 09:00")
    assert result.code == 0, result.err
    docx = tmp_path / "out" / "emergency_pack.docx"
    assert docx.is_file()
    text = text_of(docx)
    for stage in Stage:
        assert STAGE_LABELS[stage] in text
    assert text.count("卡片") >= 9
    for name, phone in (("张保障", "0532-81110001"), ("周监管", "0532-81110007")):
        assert name in text and phone in text
    assert "青岛市公共资源交易中心西海岸分中心" in text
    for form in ("突发情况经过记录表", "开评标突发情况书面记录", "评标专家保密承诺书"):
        assert form in text
    # who signs, per stage (4.3, 5.4)
    assert "开标准备阶段由招标人、招标代理机构签字" in text
    assert "评标环节由招标人、招标代理机构、见证人员签字" in text
    if sys.platform != "win32":
        assert docx.stat().st_mode & 0o777 == 0o644


def test_pack_without_contacts_leaves_blanks_and_says_so(run: Run, tmp_path: Path) -> None:
    result = run("pack", "--out", str(tmp_path), "--now", "2026-12-08 09:00")
    assert result.code == 0
    assert "配置中没有联系人" in result.out
    assert "＿＿＿＿ ＿＿＿＿＿＿" in text_of(tmp_path / "emergency_pack.docx")


def test_pack_procurement_wording(run: Run, tmp_path: Path) -> None:
    result = run("pack", "--out", str(tmp_path), "--project-type", "procurement")
    assert result.code == 0
    text = text_of(tmp_path / "emergency_pack.docx")
    assert "采购人" in text and "评审专家保密承诺书" in text
    bad = run("pack", "--out", str(tmp_path), "--project-type", "works")
    assert bad.code == 2 and "--project-type" in bad.err


@needs_soffice
def test_pack_pdf_has_one_page_per_card_then_the_forms(
    run: Run, tmp_path: Path, configured: Path
) -> None:
    result = run("pack", "--out", str(tmp_path), "--pdf", "--now", "2026-12-08 09:00")
    assert result.code == 0, result.err
    pdf = tmp_path / "emergency_pack.pdf"
    assert pdf_pages(pdf) == 9 + 3
    pages = pdf_text(pdf)
    for number, (stage, fault) in enumerate(((s, f) for s in Stage for f in Fault), start=1):
        page = re.sub(r"\s+", "", pages[number - 1])
        assert page.startswith(f"卡片{number}{STAGE_LABELS[stage]}"), page[:40]
        assert clause_label(FAULT_CLAUSES[(stage, fault)]).replace(" ", "") in page
        assert "书面记录" in page  # the card's last line is on its own page
    assert "张保障" in pages[0] and "0532-81110001" in pages[0]
    assert "突发情况经过记录表" in pages[9]
    assert "签字方" in pages[10]  # the record's signature block stays on its page
    assert "保密承诺书" in pages[11]


# ================================================================ qdplan checklist


def test_checklist_from_a_case_has_contacts_clock_plans_and_signers(
    run: Run, tmp_path: Path, configured: Path
) -> None:
    out = tmp_path / "checklist.docx"
    result = run(
        "checklist",
        "--case",
        str(DATA / "evaluation-network-plan3.toml"),
        "--out",
        str(out),
        "--now",
        "2026-12-15 11:00",
    )
    assert result.code == 0, result.err
    text = text_of(out)
    assert "张保障" in text and "0532-81110001" in text
    assert "2小时节点：2026年12月15日（周二）12:30" in text
    # 5.1's names, in 政府采购 words (评审); never the opening stage's 开评标.
    assert "方案三：另行择期评审（已选择）" in text
    assert "方案一：另行选择地点继续评审" in text
    assert "开评标（已选择）" not in text
    assert "采购人、采购代理机构、见证人员签字确认" in text
    assert "〔第五条 1〕" in text


def test_checklist_of_the_latest_incident(run: Run, tmp_path: Path, configured: Path) -> None:
    started = run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input")
    assert started.code == 0, started.err
    out = tmp_path / "latest.docx"
    result = run("checklist", "--out", str(out))
    assert result.code == 0, result.err
    text = text_of(out)
    assert "赵物业" in text and "0532-81110004" in text  # 4.1.3: 物业楼层服务人员
    assert "开标准备阶段" in text and "事件" in text


def test_checklist_refuses_both_an_id_and_a_case(run: Run, tmp_path: Path) -> None:
    result = run("checklist", "X", "--case", str(DATA / "prep-power-delay.toml"), "--out", "c.docx")
    assert result.code == 2 and "--case" in result.err
    wrong = run("checklist", "--case", str(DATA / "prep-power-delay.toml"), "--out", "c.pdf")
    assert wrong.code == 2 and ".docx" in wrong.err


@needs_soffice
@pytest.mark.parametrize(
    "name", ["evaluation-network-plan3", "opening-network-plan3", "evaluation-power-plan2"]
)
def test_checklist_fits_one_page(run: Run, tmp_path: Path, configured: Path, name: str) -> None:
    out = tmp_path / "checklist.docx"
    result = run("checklist", "--case", str(DATA / f"{name}.toml"), "--out", str(out), "--pdf")
    assert result.code == 0, result.err
    assert pdf_pages(tmp_path / "checklist.pdf") == 1


# ================================================================ the expert fee sheet

ATTENDANCE = """
[[attendance]]
count = 4
arrived_at = 2026-12-09T08:50:00
left_at = 2026-12-09T16:40:00

[[attendance]]
name = "钱某某"
arrived_at = 2026-12-09T08:50:00
left_at = 2026-12-09T11:05:00
note = "家中急事提前离开"
"""


@pytest.fixture
def fee_case(tmp_path: Path) -> Path:
    case = tmp_path / "case.toml"
    case.write_text(
        (DATA / "evaluation-power-plan2.toml").read_text(encoding="utf-8") + ATTENDANCE,
        encoding="utf-8",
    )
    return case


def test_fees_out_writes_a_private_sheet_naming_schedule_and_rules(
    run: Run, tmp_path: Path, fee_case: Path
) -> None:
    result = run("fees", "--case", str(fee_case), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    sheet = tmp_path / "out" / "expert_fee_sheet.docx"
    text = text_of(sheet)
    assert "鲁财采〔2017〕28号" in text
    assert "鲁财采〔2025〕8号" in text and "核对" in text
    assert "按实际评标时间计取和支付" in text
    assert "不得以任何理由少计或不支付评标费" in text
    assert "第五条 1" in text and "第四条（四）" in text and "第五条（四）" in text
    # 7 h 50 min: 400 + 4×100 + 100 (50 min ≥ 30) = 900 × 4; 2 h 15 min: 400 (time served).
    assert "3600" in text and "400" in text and "4000" in text
    assert "2026年12月9日（周三）08:50" in text and "2026年12月9日（周三）11:05" in text
    assert "钱某某" in text  # internal: names may appear
    if sys.platform != "win32":
        assert sheet.stat().st_mode & 0o777 == 0o600


def test_fees_pdf_needs_out(run: Run, fee_case: Path) -> None:
    result = run("fees", "--case", str(fee_case), "--pdf")
    assert result.code == 2 and "--out" in result.err


def test_render_adds_the_fee_sheet_only_with_attendance(
    run: Run, tmp_path: Path, fee_case: Path
) -> None:
    with_fees = run("render", "--case", str(fee_case), "--out", str(tmp_path / "a"))
    assert with_fees.code == 0, with_fees.err
    assert (tmp_path / "a" / "expert_fee_sheet.docx").is_file()
    assert "评标专家劳务费计算表" in with_fees.out
    without = run(
        "render", "--case", str(DATA / "evaluation-power-plan2.toml"), "--out", str(tmp_path / "b")
    )
    assert without.code == 0
    assert not (tmp_path / "b" / "expert_fee_sheet.docx").exists()
    only = run(
        "render",
        "--case",
        str(fee_case),
        "--out",
        str(tmp_path / "c"),
        "--only",
        "expert_fee_sheet",
    )
    assert only.code == 0, only.err
    assert sorted(p.name for p in (tmp_path / "c").glob("*.docx")) == ["expert_fee_sheet.docx"]
    other = run(
        "render", "--case", str(fee_case), "--out", str(tmp_path / "d"), "--only", "closure_plan"
    )
    assert other.code == 0
    assert sorted(p.name for p in (tmp_path / "d").glob("*.docx")) == ["closure_plan.docx"]
    refused = run(
        "render",
        "--case",
        str(DATA / "evaluation-power-plan2.toml"),
        "--out",
        str(tmp_path / "e"),
        "--only",
        "expert_fee_sheet",
    )
    assert refused.code == 2 and "attendance" in refused.err


# ================================================================ contacts in the terminal


def test_show_lists_the_configured_contacts(run: Run, configured: Path) -> None:
    started = run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input")
    assert started.code == 0, started.err
    assert "赵物业" in started.out and "0532-81110004" in started.out
    shown = run("show")
    assert shown.code == 0
    assert "赵物业" in shown.out and "0532-81110004" in shown.out


@needs_soffice
def test_pack_pdf_says_when_a_card_ran_over_a_page(
    run: Run, tmp_path: Path, configured: Path
) -> None:
    extra = "".join(
        f'[[contacts.{role}]]\nname = "备用{i}"\nphone = "1390000{i:04d}"\n'
        for i, role in enumerate(
            ["support_staff", "system_admin", "vendor_technician", "department_head"] * 2
        )
    )
    configured.write_text(CONFIG + extra, encoding="utf-8")
    result = run("pack", "--out", str(tmp_path), "--pdf", "--now", "2026-12-08 09:00")
    assert result.code == 0, result.err
    pages = pdf_pages(tmp_path / "emergency_pack.pdf")
    assert pages > 12
    assert f"PDF 共 {pages} 页，应为 12 页" in result.out
