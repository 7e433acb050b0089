"""What a reviewer at the trading centre would send back (issue 14), each as a test: titles
broken inside words, documents dated by the day they are printed, addressed to nobody, no room
for seals, the commitment pre-filled under the wrong words, the wrong fee standard cited."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from qdplan_cli.documents.linebreak import break_lines, keep_identifiers, width

from .renderkit import DATA, isolated_config, load_toml, render, text_of, write_case  # noqa: F401

# Long titles of real published notices (trading-centre sites, 2013–2024), and ours; "|" marks
# where the template's two title lines meet (the project's name | the document's own name).
REAL_TITLES = {
    "鞍山市突发事件预警信息发布平台工程项目|推迟开标情况说明": [
        "鞍山市突发事件预警信息发布平台工程项目",
        "推迟开标情况说明",
    ],
    "娄底市吉星路网道路工程及园林苗圃基地搬迁BT建设项目|补充公告": [
        "娄底市吉星路网道路工程及园林苗圃",
        "基地搬迁BT建设项目补充公告",
    ],
    "三界镇梅郢村精品示范村人居环境治理项目|澄清公告": [
        "三界镇梅郢村精品示范村人居环境治理项目",
        "澄清公告",
    ],
    "关于青岛西海岸新区某某道路改造工程施工|延期开标的补充公告": [
        "关于青岛西海岸新区某某道路改造工程施工",
        "延期开标的补充公告",
    ],
    "关于青岛市某某大学质子加速器采购项目（QDCG-2026-1205）|延期开标的公告": [
        "关于青岛市某某大学质子加速器采购项目",
        "（QDCG-2026-1205）延期开标的公告",
    ],
}
WORDS = ("采购", "开标", "延期", "工程", "施工", "项目", "公告", "QDCG-2026-1205", "加速器")


@pytest.mark.parametrize("title", sorted(REAL_TITLES))
def test_titles_break_at_phrase_boundaries_upper_line_longer(title: str) -> None:
    lines = break_lines(title.replace("|", ""), 20, phrases=title.split("|"))
    assert lines == REAL_TITLES[title]
    widths = [width(line) for line in lines]
    assert widths == sorted(widths, reverse=True) or len(lines) > 2  # 上长下短
    for a, b in zip(lines, lines[1:], strict=False):
        for word in WORDS:  # never split inside a word
            for k in range(1, len(word)):
                assert not (a.endswith(word[:k]) and b.startswith(word[k:])), (a, b, word)


def _real_names() -> list[tuple[list[str], str]]:
    with (DATA / "names" / "real_names.toml").open("rb") as handle:
        entries = tomllib.load(handle)["name"]
    return [(entry["words"].split(" "), entry["url"]) for entry in entries]


def test_at_least_fifty_real_names_and_titles_each_with_its_source() -> None:
    names = _real_names()
    assert len(names) >= 50
    assert all(url.startswith(("http://", "https://")) for _words, url in names)


@pytest.mark.parametrize("columns", [8, 10, 12, 14, 17, 20])
def test_real_names_break_only_between_their_words(columns: int) -> None:
    """Seal columns (14), table cells (8–12) and titles (20): each line break of a published
    name or title falls between two of its words, never inside one (…服务/中心, …有限公/司)."""
    split = []
    for words, url in _real_names():
        text = "".join(words)
        lines = break_lines(text, columns)
        assert "".join(lines) == text
        bounds = set(itertools.accumulate(len(w) for w in words))
        wide = any(width(w) > columns for w in words)  # a word wider than the line must break
        cuts = list(itertools.accumulate(len(line) for line in lines))[:-1]
        if not wide and any(cut not in bounds for cut in cuts):
            split.append(f"{' / '.join(lines)}  ({url})")
    assert not split, "\n".join(split)


def test_a_short_title_stays_on_one_line() -> None:
    assert break_lines("应急处置方案备案表", 20) == ["应急处置方案备案表"]


def _line_of_each_char(text: str, room: float, indent: float) -> list[int]:
    """A word processor's lines, simply: any character may start a line, a line holds ``room``
    characters (half for Latin), a line break starts a new one."""
    lines, line, pos = [], 0, indent
    for c in text:
        if c == "\n":
            line, pos = line + 1, 0.0
            lines.append(line)
            continue
        if pos + width(c) > room:
            line, pos = line + 1, 0.0
        pos += width(c)
        lines.append(line)
    return lines


def test_identifiers_are_kept_whole_by_a_line_break_and_no_character_is_added() -> None:
    text = "项目编号：QDJS-2026-0733，联系人：刘女士，电话：0532-81234567。"
    for pad in range(60):
        padded = "某" * pad + text + "某" * pad + text
        kept = keep_identifiers(padded, 28, indent=2)
        assert kept.replace("\n", "") == padded  # nothing but line breaks
        assert kept.count("\n") <= 4
        lines = _line_of_each_char(kept, 28, 2)
        for number in ("QDJS-2026-0733", "0532-81234567"):
            for found in re.finditer(re.escape(number), kept):
                assert len(set(lines[found.start() : found.end()])) == 1, (pad, number, kept)
    # A number that fits where it stands is not moved.
    assert keep_identifiers("项目编号：QDJS-2026-0733", 28, indent=0) == "项目编号：QDJS-2026-0733"


needs_pdf = pytest.mark.skipif(
    (shutil.which("soffice") is None and shutil.which("libreoffice") is None)
    or shutil.which("pdftotext") is None,
    reason="LibreOffice and pdftotext are needed",
)


@needs_pdf
def test_title_lines_in_the_pdf_are_the_phrase_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the PDF LibreOffice makes, the title's lines are exactly the computed ones."""
    code, _, err = render(
        DATA / "opening-network-plan3.toml",
        tmp_path,
        capsys,
        "--pdf",
        "--only",
        "supplementary_notice",
    )
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "supplementary_notice.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:2] == ["关于青岛西海岸新区某某道路改造工程施工", "延期开标的补充公告"]
    body = "".join(lines)
    assert "QDJS-2026-0733" in body.replace(" ", "")  # never QDJS-/2026-0733


def _with_config(isolated_config: Path, text: str) -> None:  # noqa: F811
    isolated_config.mkdir(parents=True, exist_ok=True)
    (isolated_config / "config.toml").write_text(text, encoding="utf-8")


def test_decision_and_filing_are_addressed_to_the_configured_supervisor(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,  # noqa: F811
) -> None:
    _with_config(
        isolated_config,
        '[supervisors]\nconstruction = "青岛市住房和城乡建设局"\n'
        '[supervisors.procurement]\nname = "青岛市财政局"\ncontact = "李四"\nphone = "0532-1"\n',
    )
    code, _, err = render(DATA / "evaluation-network-plan3.toml", tmp_path, capsys)
    assert code == 0, err
    decision = text_of(tmp_path / "evaluation_reschedule.docx")
    assert "青岛市财政局：" in decision.splitlines()
    assert "监管部门：" not in decision
    filing = text_of(tmp_path / "filing_report.docx")
    assert "备案部门 | 青岛市财政局" in filing
    assert "青岛市财政局\n（备案） |  | " in filing
    # Another project type, another supervisor.
    code, _, err = render(DATA / "evaluation-power-plan2.toml", tmp_path / "b", capsys)
    assert code == 0, err
    assert "备案部门 | 青岛市住房和城乡建设局" in text_of(tmp_path / "b" / "filing_report.docx")


def test_without_supervisors_the_addressee_is_a_line_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(DATA / "evaluation-network-plan3.toml", tmp_path, capsys)
    assert code == 0, err
    decision = text_of(tmp_path / "evaluation_reschedule.docx")
    assert "＿＿＿＿＿＿＿＿（监管部门）：" in decision.splitlines()


def test_supervisor_contact_per_project_type_in_config() -> None:
    from qdplan_cli.local.config import parse_config
    from qdplan_cli.plan.model import ProjectType, Role

    config = parse_config(
        {
            "supervisors": {
                "construction": {"name": "青岛市住房和城乡建设局", "contact": "甲", "phone": "1"},
                "procurement": "青岛市财政局",
            },
            "contacts": {"supervisor": [{"name": "通用", "phone": "9"}]},
        }
    )
    assert config.supervisors[ProjectType.PROCUREMENT] == "青岛市财政局"
    assert config.contact_map(ProjectType.CONSTRUCTION)[Role.SUPERVISOR] == [("甲", "1")]
    assert config.contact_map(ProjectType.PROCUREMENT)[Role.SUPERVISOR] == [("通用", "9")]
    from qdplan_cli.plan.errors import UserError

    with pytest.raises(UserError, match="contact"):
        parse_config({"supervisors": {"procurement": {"name": "x", "tel": "1"}}})


def test_signed_documents_are_never_dated_by_the_render_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rendered on 12月16日 for incidents of 12月8日–15日: no document says 2026年12月16日."""
    for case in sorted(DATA.glob("*.toml")):
        out = tmp_path / case.stem
        code, _, err = render(case, out, capsys)
        assert code == 0, err
        for doc in out.glob("*.docx"):
            assert "2026年12月16日" not in text_of(doc), doc
    reschedule = text_of(tmp_path / "evaluation-network-plan3" / "evaluation_reschedule.docx")
    assert reschedule.splitlines()[-1] == "　　　　年　　月　　日"
    fees = text_of(tmp_path / "evaluation-system-leaver" / "expert_fee_sheet.docx")
    assert fees.splitlines()[-1] == "2026年12月14日"  # the day the last expert left


def test_fee_sheet_of_a_construction_project_does_not_pass_off_the_procurement_standard(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,  # noqa: F811
) -> None:
    code, out, err = render(DATA / "evaluation-system-leaver.toml", tmp_path / "a", capsys)
    assert code == 0, err
    text = text_of(tmp_path / "a" / "expert_fee_sheet.docx")
    assert "该标准为政府采购评审劳务报酬标准，建设工程项目请按本项目适用的" in text
    # The way to set it is told to the witness, not printed on the sheet (a config key).
    assert "配置" not in text and "construction_source" not in text
    assert "[fees] construction_source" in out + err
    _with_config(
        isolated_config, '[fees]\nconstruction_source = "某某建设工程评标专家劳务报酬标准"\n'
    )
    code, out, err = render(DATA / "evaluation-system-leaver.toml", tmp_path / "b", capsys)
    assert code == 0, err
    assert "construction_source" not in out + err
    text = text_of(tmp_path / "b" / "expert_fee_sheet.docx")
    assert "本表按某某建设工程评标专家劳务报酬标准计算" in text
    assert "28号" not in text.split("二、计费原则")[0]


def test_commitment_names_only_where_everyone_signs_and_never_in_the_signature_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(
        DATA / "evaluation-system-leaver.toml", tmp_path / "a", capsys, "--expert-names"
    )
    assert code == 0, err
    leaver = text_of(tmp_path / "a" / "confidentiality_commitment.docx")
    assert "本人因特殊情况确实不能继续评标" in leaver
    assert "序号 | 姓名 | 本人签字 | 日期" in leaver
    assert not any(name in leaver for name in ("专家甲", "专家乙", "专家戊"))
    assert "1 |  |  | " in leaver
    code, _, err = render(
        DATA / "evaluation-network-plan3.toml", tmp_path / "b", capsys, "--expert-names"
    )
    assert code == 0, err
    every = text_of(tmp_path / "b" / "confidentiality_commitment.docx")
    assert "1 | 钱某 |  | " in every and "5 | 郑某 |  | " in every


def test_record_fills_the_measures_with_the_chosen_plan_and_signature_rows_have_room(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import docx
    from docx.oxml.ns import qn

    code, _, err = render(DATA / "opening-network-plan3.toml", tmp_path, capsys)
    assert code == 0, err
    text = text_of(tmp_path / "incident_record.docx")
    assert "（三）解决措施：招标人选择方案三" in text
    assert "（三）解决措施：＿" not in text
    document = docx.Document(str(tmp_path / "incident_record.docx"))
    signatures = document.tables[-1]
    for row in signatures.rows[1:]:
        height = row._tr.trPr.find(qn("w:trHeight"))
        assert height is not None and int(height.get(qn("w:val"))) >= 800  # ≥ 14 mm
    # Only the signature section is kept together, not the whole 处置决定 with it.
    decision = next(p for p in document.paragraphs if p.text.startswith("依据《"))
    assert not decision.paragraph_format.keep_with_next


def test_closure_plan_has_times_room_person_phones_and_meals(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,  # noqa: F811
) -> None:
    _with_config(isolated_config, '[hall]\nclosure_room = "交易中心三楼专家封闭休息室"\n')
    code, _, err = render(DATA / "evaluation-power-plan2.toml", tmp_path, capsys)
    assert code == 0, err
    text = text_of(tmp_path / "closure_plan.docx")
    for needle in (
        "一、封闭时间",
        "自2026年12月9日（周三）12:05（故障发生后2小时仍未排除）起",
        "评标专家封闭地点：交易中心三楼专家封闭休息室。",
        "三、负责人",
        "负责人（青岛某某工程咨询有限公司）：王工　　电话：0532-80000000",
        "通讯工具统一封存",
        "专人值守",
        "餐饮",
    ):
        assert needle in text.replace("\n", ""), needle  # a number may start a line


def test_wording_of_issue_22_point_8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The opening-stage filing form says 新的开标时间; a judgement made at the 2-hour line is
    said as one, with the fact of the later fix; a power cut is 恢复供电, not 排除."""
    data = load_toml("opening-network-plan3.toml")
    data["incident"]["resolved_at"] = data["incident"]["new_time"].replace(
        day=8, hour=14, minute=22
    )
    code, _, err = render(write_case(tmp_path / "a.toml", data), tmp_path / "a", capsys)
    assert code == 0, err
    filing = text_of(tmp_path / "a" / "filing_report.docx")
    assert "新的开标时间：2026年12月11日（周五）09:00。" in filing
    assert "（评标" not in filing and "评审）" not in filing
    assert "经判断故障在2小时内无法解决（故障实际于2026年12月8日（周二）14:22排除" in filing
    code, _, err = render(DATA / "prep-power-delay.toml", tmp_path / "b", capsys)
    assert code == 0, err
    notice = text_of(tmp_path / "b" / "delay_notice.docx")
    assert "未能恢复供电" in notice and "未能排除" not in notice


def test_a_plan_is_cited_where_the_plans_are_defined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22 point 8: 方案二 is defined in 第五条 1, whatever clause the fault comes under."""
    code, _, err = render(DATA / "evaluation-power-plan2.toml", tmp_path, capsys)
    assert code == 0, err
    text = text_of(tmp_path / "closure_plan.docx").replace("\n", "")
    assert "第五条 3、第五条 1 方案二的规定" in text
    assert "第五条 3方案二" not in text


def test_the_records_course_includes_the_filing_issue_and_publication_acts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22 point 8: 经过 lists what was done, with its time, not only the witness's notes."""
    data = load_toml("opening-network-plan3.toml")
    data["incident"]["plan_filed_at"] = data["incident"]["supplement_issued_at"].replace(minute=35)
    # 方案三's third act (issue 20): announced on site, in the 经过 and in 处置决定.
    announced = data["incident"]["supplement_issued_at"].replace(minute=45)
    data["incident"]["supplement_announced_at"] = announced
    code, _, err = render(write_case(tmp_path / "a.toml", data), tmp_path / "a", capsys)
    assert code == 0, err
    record = text_of(tmp_path / "a" / "incident_record.docx")
    course = record.split("一、经过记录")[1].split("二、")[0]
    assert "2026年12月8日（周二）11:35，方案报监管部门备案。" in course
    assert "2026年12月8日（周二）11:40，发出延期开标书面补充公告。" in course
    assert "2026年12月8日（周二）11:45，补充公告现场公布。" in course
    assert course.index("11:15") < course.index("11:35") < course.index("11:40")
    decided = record.split("三、处置决定")[1].replace("\n", "")
    assert "补充公告现场公布：2026年12月8日（周二）11:45。" in decided
    code, _, err = render(DATA / "prep-power-delay.toml", tmp_path / "b", capsys)
    assert code == 0, err
    course = text_of(tmp_path / "b" / "incident_record.docx").split("一、经过记录")[1]
    assert "2026年12月3日（周四）10:40，发布延迟开标公告。" in course.split("二、")[0]


CONTACTS = (
    "四、凡对本次公告内容提出询问，请按以下方式联系\n"
    "采购人：青岛市市北区某某社区卫生服务中心\n地址：青岛市市北区某某路12号\n"
    "联系人：王先生　　电话：0532-83456789\n"
    "采购代理机构：青岛某某项目管理有限公司\n地址：青岛市市南区某某路8号某某大厦15层\n"
    "联系人：刘女士　　电话：0532-81234567\n特此公告。"
)


def test_the_correction_notice_gives_each_partys_address_and_contact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22 point 9: like a published 更正公告, 名称、地址、联系方式 of 采购人 and 采购代理机构
    (the case's project.tenderer_* and agency_address), in both procurement notices."""
    code, _, err = render(DATA / "prep-power-delay.toml", tmp_path / "a", capsys)
    assert code == 0, err
    assert CONTACTS in text_of(tmp_path / "a" / "delay_notice.docx")
    data = load_toml("opening-network-plan3.toml")
    prep = load_toml("prep-power-delay.toml")["project"]
    data["project"]["type"] = "procurement"
    for key in ("tenderer", "tenderer_address", "tenderer_contact", "tenderer_phone"):
        data["project"][key] = prep[key]
    for key in ("agency", "agency_address", "contact", "phone"):
        data["project"][key] = prep[key]
    code, _, err = render(write_case(tmp_path / "b.toml", data), tmp_path / "b", capsys)
    assert code == 0, err
    assert CONTACTS in text_of(tmp_path / "b" / "supplementary_notice.docx")


def test_a_case_file_without_the_new_contacts_still_reads_and_prints_no_blank_for_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Older case files have no addresses or tenderer contact: they render, and the notice
    leaves those lines out (no blank, no drafting note) as a published notice would."""
    data = load_toml("prep-power-delay.toml")
    for key in ("tenderer_address", "tenderer_contact", "tenderer_phone", "agency_address"):
        del data["project"][key]
    code, _, err = render(write_case(tmp_path / "a.toml", data), tmp_path / "a", capsys)
    assert code == 0, err
    text = text_of(tmp_path / "a" / "delay_notice.docx")
    assert (
        "采购人：青岛市市北区某某社区卫生服务中心\n采购代理机构：青岛某某项目管理有限公司\n"
        "联系人：刘女士　　电话：0532-81234567\n特此公告。"
    ) in text
    assert "地址" not in text and "＿" not in text and "填写" not in text
    # Only a phone: the line says what there is.
    data["project"]["tenderer_phone"] = "0532-83456789"
    code, _, err = render(write_case(tmp_path / "b.toml", data), tmp_path / "b", capsys)
    assert code == 0, err
    assert "采购人：青岛市市北区某某社区卫生服务中心\n电话：0532-83456789\n" in text_of(
        tmp_path / "b" / "delay_notice.docx"
    )


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("2026-11-12", "首次公告日期：2026年11月12日"),  # a TOML date
        ('"2026年11月12日"', "首次公告日期：2026年11月12日"),
        ('"2026-11-12"', "首次公告日期：2026年11月12日"),
        (None, "首次公告日期：　　　　年　　月　　日"),  # not known: left blank to fill by hand
    ],
)
def test_the_correction_notice_gives_the_first_notice_date_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str | None, printed: str
) -> None:
    """Issue 22 point 9: a published 更正公告 gives the original notice's 首次公告日期; the case's
    ``project.first_notice_date`` is a day (no time), printed as GB/T 9704 writes dates."""
    text = (DATA / "prep-power-delay.toml").read_text(encoding="utf-8")
    assert "first_notice_date = 2026-11-12\n" in text
    line = "" if written is None else f"first_notice_date = {written}\n"
    case = tmp_path / "case.toml"
    case.write_text(text.replace("first_notice_date = 2026-11-12\n", line), encoding="utf-8")
    code, _, err = render(case, tmp_path / "out", capsys)
    assert code == 0, err
    assert printed in text_of(tmp_path / "out" / "delay_notice.docx").splitlines()


@pytest.mark.parametrize(
    "written", ["2026-11-12T09:00:00", '"2026-11-31"', '"11月12日"', "20261112", '"1899-01-01"']
)
def test_a_first_notice_date_that_is_not_a_day_is_refused_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    text = (DATA / "prep-power-delay.toml").read_text(encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(
        text.replace("first_notice_date = 2026-11-12", f"first_notice_date = {written}"),
        encoding="utf-8",
    )
    code, _, err = render(case, tmp_path / "out", capsys)
    assert code == 2, err
    assert "project.first_notice_date" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_not_fixed_before_the_deadline_is_a_judgement_until_the_deadline_has_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22 point 8: a delay notice published before the deadline says the fault was
    judged not fixable in time (4.1.1: 在投标截止时间前无法修复的); only one published after the
    deadline, the fault still on then, states it as fact. A fix after the notice does not change
    the published text (the record carries the fix); the supplementary notice is published
    after the fix 原文 (4.2.1 方案三), so it never carries the fix either."""
    data = load_toml("prep-power-delay.toml")  # deadline 09:30, power cut at 08:50
    data["incident"]["notice_published_at"] = data["project"]["opening_time"].replace(
        hour=9, minute=0
    )
    code, _, err = render(write_case(tmp_path / "a.toml", data), tmp_path / "a", capsys)
    assert code == 0, err
    published = text_of(tmp_path / "a" / "delay_notice.docx").replace("\n", "")
    assert "经判断在响应文件提交截止时间前无法恢复供电，影响按时开标" in published
    assert "未能" not in published
    data["incident"]["resolved_at"] = data["project"]["opening_time"].replace(hour=9, minute=20)
    code, _, err = render(write_case(tmp_path / "b.toml", data), tmp_path / "b", capsys)
    assert code == 0, err
    assert text_of(tmp_path / "b" / "delay_notice.docx").replace("\n", "") == published
    record = text_of(tmp_path / "b" / "incident_record.docx")
    assert "2026年12月3日（周四）09:20" in record
    # Published after the deadline, still without power then: a fact.
    code, _, err = render(DATA / "prep-power-delay.toml", tmp_path / "c", capsys)
    assert code == 0, err
    notice = text_of(tmp_path / "c" / "delay_notice.docx").replace("\n", "")
    assert "在响应文件提交截止时间前未能恢复供电，影响按时开标" in notice
    assert "经判断" not in notice
    # The supplementary notice's 2-hour line is a judgement too, its text the same after the fix.
    data = load_toml("opening-network-plan3.toml")
    code, _, err = render(write_case(tmp_path / "d.toml", data), tmp_path / "d", capsys)
    assert code == 0, err
    issued = text_of(tmp_path / "d" / "supplementary_notice.docx")
    assert "经判断故障在2小时内无法解决。" in issued.replace("\n", "")
    data["incident"]["resolved_at"] = data["incident"]["new_time"].replace(
        day=8, hour=14, minute=22
    )
    code, _, err = render(write_case(tmp_path / "e.toml", data), tmp_path / "e", capsys)
    assert code == 0, err
    assert text_of(tmp_path / "e" / "supplementary_notice.docx") == issued
