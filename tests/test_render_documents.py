"""qdplan render: the right documents, with the right words, refusing what must be refused."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from .renderkit import (
    DATA,
    docx_files,
    is_windows,
    isolated_config,  # noqa: F401  (autouse fixture)
    load_toml,
    render,
    run,
    text_of,
    write_case,
)

PREP = DATA / "prep-power-delay.toml"
OPENING = DATA / "opening-network-plan3.toml"
EVAL_WAIT = DATA / "evaluation-system-wait.toml"
EVAL_PLAN2 = DATA / "evaluation-power-plan2.toml"
EVAL_PLAN3 = DATA / "evaluation-network-plan3.toml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (PREP, ["delay_notice.docx", "incident_record.docx"]),
        (
            OPENING,
            ["filing_report.docx", "incident_record.docx", "supplementary_notice.docx"],
        ),
        (EVAL_WAIT, ["incident_record.docx"]),
        (EVAL_PLAN2, ["closure_plan.docx", "filing_report.docx", "incident_record.docx"]),
        (
            EVAL_PLAN3,
            [
                "confidentiality_commitment.docx",
                "evaluation_reschedule.docx",
                "filing_report.docx",
                "incident_record.docx",
            ],
        ),
    ],
    ids=["prep-delay", "opening-plan3", "eval-wait", "eval-plan2", "eval-plan3"],
)
def test_writes_exactly_the_documents_of_the_decision(
    case: Path, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "文书"
    code, stdout, err = render(case, out, capsys)
    assert code == 0, err
    assert docx_files(out) == expected
    assert f"已生成 {len(expected)} 份文书" in stdout
    assert sorted(p.name for p in out.iterdir()) == expected  # no temporary files left behind


def test_expert_leaving_early_adds_a_confidentiality_commitment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("evaluation-system-wait.toml")
    data["incident"]["expert_left_early"] = True
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys)
    assert code == 0, err
    assert docx_files(tmp_path / "out") == [
        "confidentiality_commitment.docx",
        "incident_record.docx",
    ]


@pytest.mark.parametrize(
    ("case", "signers", "absent"),
    [
        (
            PREP,
            [
                "采购人（青岛市市北区某某社区卫生服务中心）",
                "采购代理机构（青岛某某项目管理有限公司）",
            ],
            "见证人员",
        ),
        (
            OPENING,
            [
                "招标人（青岛某某城市建设有限公司）",
                "招标代理机构（山东某某招标代理有限公司）",
                "见证人员",
            ],
            None,
        ),
        (
            EVAL_WAIT,
            [
                "采购人（青岛市某某区教育和体育局）",
                "采购代理机构（青岛某某招标咨询有限公司）",
                "见证人员",
            ],
            None,
        ),
    ],
    ids=["prep", "opening", "evaluation"],
)
def test_incident_record_is_signed_by_the_parties_of_the_stage(
    case: Path,
    signers: list[str],
    absent: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = render(case, tmp_path, capsys, "--only", "incident_record")
    assert code == 0, err
    text = text_of(tmp_path / "incident_record.docx", joined_cells=True)
    signing = text[text.index("签字确认") :]
    rows = [line for line in signing.splitlines() if "年" in line and "月" in line]
    assert [row.split(" | ")[0] for row in rows] == signers
    for row in rows:  # a date line for every signer, to be filled in by hand
        assert row.endswith("年　月　日")
    if absent:
        assert absent not in signing


def test_incident_record_has_the_whole_timeline_in_time_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The case lists the 12:10 entry before the 10:06 one.
    code, _, err = render(EVAL_PLAN2, tmp_path, capsys, "--only", "incident_record")
    assert code == 0, err
    text = text_of(tmp_path / "incident_record.docx")
    first = text.index("1．2026年12月9日（周三）10:06，代理机构会同见证人员通知物业楼层服务人员。")
    second = text.index("2．2026年12月9日（周三）12:10，招标人选择方案二，代理机构制订封闭方案。")
    assert first < second
    for needle in (
        "故障发生时间 | 2026年12月9日（周三）10:05",
        "所处环节 | 评标环节",
        "故障类型 | 断电",
        "（一）原因：评标区域配电柜跳闸，物业判断需更换设备。",
        "（三）解决措施：封闭开评标室，专家在封闭地点等候。",
        "招标人选择方案二：原地点继续评标，并报监管部门备案。",  # 5.1's own name
        "第五条 1",
        "第五条 3",
    ):
        assert needle in text


def _title(text: str) -> str:
    """The title as one string: its lines are broken at phrase boundaries (GB/T 9704 7.3.1)."""
    return "".join(text.split("\n\n", 1)[0].splitlines())


def test_procurement_delay_notice_is_a_correction_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """政府采购: the real vehicle is the 更正公告 (一、项目基本情况 二、更正信息（更正前/更正后）
    三、其他补充事宜 四、联系方式), changing 提交截止时间及开标时间, closing with 特此公告."""
    code, _, err = render(PREP, tmp_path, capsys, "--only", "delay_notice")
    assert code == 0, err
    text = text_of(tmp_path / "delay_notice.docx")
    flat = text_of(tmp_path / "delay_notice.docx", joined_cells=True)  # cells broken by phrase
    lines = text.splitlines()
    assert _title(text) == "关于青岛市市北区某某社区卫生服务中心设备采购项目延迟开标的更正公告"
    assert (
        lines.index("一、项目基本情况")
        < lines.index("二、更正信息")
        < lines.index("三、其他补充事宜")
        < lines.index("四、凡对本次公告内容提出询问，请按以下方式联系")
    )
    for needle in (
        "原公告的采购项目编号：QDCG-2026-1102",
        "原公告的采购项目名称：青岛市市北区某某社区卫生服务中心设备采购项目",
        "首次公告日期：",
        # 更正事项、更正内容、更正日期 as published; 更正内容 gives the reason, then 前/后
        "更正事项：采购文件（响应文件提交截止时间及开标时间）\n更正内容：",
        "本项目延迟开标。\n更正前：2026年12月3日（周四）09:30\n"
        "更正后：2026年12月3日（周四）14:30\n更正日期：2026年12月3日\n三、其他补充事宜\n"
        "采购文件的其他内容不变。",  # the venue is unchanged: no line for it
        "因交易场所突发停电",  # neutral words, not the incident's own description
        "第四条（一）3",
        "四、凡对本次公告内容提出询问，请按以下方式联系\n采购人：青岛市市北区某某社区卫生服务中心\n"
        "地址：青岛市市北区某某路12号\n联系人：王先生　　电话：0532-83456789\n"
        "采购代理机构：青岛某某项目管理有限公司\n地址：青岛市市南区某某路8号某某大厦15层\n"
        "联系人：刘女士　　电话：0532-81234567\n特此公告。",
        "特此公告。",
        "采购人（盖章）：\n青岛市市北区某某\n社区卫生服务中心 | 采购代理机构（盖章）：\n青岛某某项目管理有限公司",
    ):
        assert needle in text or needle in flat, needle
    assert lines[-1] == "2026年12月3日"  # the day the notice was published
    assert "配电故障" not in text  # incident.cause stays in the internal record


def test_construction_delay_notice_changes_deadline_and_opening_with_contacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("prep-power-delay.toml")
    data["project"]["type"] = "construction"
    data["project"]["contact"] = "刘女士"
    data["project"]["phone"] = "0532-81234567"
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "a", capsys, "--only", "delay_notice")
    assert code == 0, err
    text = text_of(tmp_path / "a" / "delay_notice.docx")
    assert _title(text) == "关于青岛市市北区某某社区卫生服务中心设备采购项目延迟开标的公告"
    assert "各潜在投标人：" in text.splitlines()
    for needle in (
        "一、投标截止时间及开标时间变更为：2026年12月3日（周四）14:30。",
        "二、开标地点：不变。",
        # The case's tenderer contact (and no address line: the construction notice has none)
        "四、联系方式\n招标人：青岛市市北区某某社区卫生服务中心\n地址：青岛市市北区某某路12号\n"
        "联系人：王先生　　电话：0532-83456789\n"
        "招标代理机构：青岛某某项目管理有限公司\n地址：青岛市市南区某某路8号某某大厦15层\n"
        "联系人：刘女士　　电话：0532-81234567\n特此公告。",
        "特此公告。",
    ):
        assert needle in text
    # The 联系方式 section never disappears: without contacts it has lines to fill in.
    del data["project"]["contact"], data["project"]["phone"]
    case = write_case(tmp_path / "case2.toml", data)
    code, _, err = render(case, tmp_path / "b", capsys, "--only", "delay_notice")
    assert code == 0, err
    assert (
        "招标代理机构：青岛某某项目管理有限公司\n地址：青岛市市南区某某路8号某某大厦15层\n"
        "联系人：＿＿＿＿＿＿　　电话：＿＿＿＿＿＿＿＿"
        in text_of(tmp_path / "b" / "delay_notice.docx")
    )


def test_without_a_new_time_the_notice_has_a_line_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """第四条（一）: the notice 提示新的开标时间 — never "另行通知"; undated when not published."""
    data = load_toml("prep-power-delay.toml")
    del data["incident"]["new_time"]
    del data["incident"]["notice_published_at"]
    data["project"]["type"] = "construction"
    case = write_case(tmp_path / "case.toml", data)
    code, stdout, err = render(case, tmp_path / "a", capsys, "--only", "delay_notice")
    assert code == 0, err
    text = text_of(tmp_path / "a" / "delay_notice.docx")
    assert "另行通知" not in text
    assert "变更为：＿＿＿＿年＿＿月＿＿日＿＿时＿＿分。" in text
    assert "填写" not in text  # the rule goes to the witness (stdout), no drafting note on paper
    assert text.splitlines()[-1] == "　　　　年　　月　　日"  # not the day it was rendered
    assert "2026年12月16日" not in text
    assert "填写横线" in stdout

    data["incident"]["notice_published_at"] = "2026-12-03T10:40:00"
    case = write_case(tmp_path / "case.toml", data)
    code, stdout, err = render(case, tmp_path / "b", capsys, "--only", "delay_notice", "--earliest")
    assert code == 0, err
    text = text_of(tmp_path / "b" / "delay_notice.docx")
    # Published 10:40 → 2 hours later, within business hours.
    assert "一、投标截止时间及开标时间变更为：2026年12月3日（周四）12:40。" in text
    assert "＿＿时" not in text


def test_earliest_without_a_publication_time_names_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("prep-power-delay.toml")
    del data["incident"]["new_time"]
    del data["incident"]["notice_published_at"]
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys, "--earliest")
    assert code == 2
    assert "incident.notice_published_at" in err


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("project", "name"), "project.name"),
        (("project", "tenderer_address"), "project.tenderer_address"),
    ],
)
def test_a_confidential_name_in_a_public_notice_is_refused_naming_the_field(
    where: tuple[str, str],
    field: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = load_toml("prep-power-delay.toml")
    table, key = where
    data[table][key] = data[table][key] + "（某某医疗器械有限公司）"
    case = write_case(tmp_path / "case.toml", data)
    out = tmp_path / "out"
    code, _, err = render(case, out, capsys)
    assert code == 2
    assert field in err and "confidential.bidders" in err
    # The screen may be projected in the room: the refusal masks the name.
    assert "某某医疗器械有限公司" not in err and "医疗器械" not in err and "某＊＊" in err
    # Nothing is written, not even the internal record that was fine.
    assert not out.exists() or list(out.iterdir()) == []


def test_a_confidential_name_from_an_edited_template_is_refused_naming_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    builtin = Path(__file__).parents[1] / "templates" / "supplementary_notice.txt.j2"
    edited = builtin.read_text(encoding="utf-8") + "专家：（专家姓名不应出现在公告中）\n"
    (user / "supplementary_notice.txt.j2").write_text(edited, encoding="utf-8")
    code, _, err = render(OPENING, tmp_path / "out", capsys, "--templates", str(user))
    assert code == 2
    assert "confidential.experts" in err and "supplementary_notice.txt.j2" in err


def test_internal_documents_may_name_experts_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(EVAL_PLAN3, tmp_path / "blank", capsys)
    assert code == 0, err
    blank = text_of(tmp_path / "blank" / "confidentiality_commitment.docx")
    assert "钱某" not in blank
    assert [line.split(" | ")[0] for line in blank.splitlines() if "　年" in line] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]

    code, _, err = render(EVAL_PLAN3, tmp_path / "named", capsys, "--expert-names")
    assert code == 0, err
    named = text_of(tmp_path / "named" / "confidentiality_commitment.docx")
    for name in ("钱某", "孙某", "周某", "吴某", "郑某"):
        assert name in named


@pytest.mark.skipif(is_windows(), reason="POSIX permissions")
def test_internal_documents_are_owner_only_and_notices_are_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(PREP, tmp_path, capsys)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "incident_record.docx").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "delay_notice.docx").stat().st_mode) == 0o644


def test_user_text_comes_out_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = load_toml("prep-power-delay.toml")
    name = "青岛 <市北区> & \"某某\" '社区' {{ 卫生 }} | #1 @sign 服务中心" + "设备采购项目" * 12
    cause = "配电柜故障\n# 不是标题\n| 不是 | 表格 |\n@blank"
    data["project"]["name"] = name
    data["incident"]["cause"] = cause
    data["project"]["agency"] = "A&B <代理> 有限公司"
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys)
    assert code == 0, err
    notice = text_of(tmp_path / "out" / "delay_notice.docx")
    assert _title(notice) == f"关于{name}延迟开标的更正公告"
    assert "采购代理机构（盖章）：\nA&B <代理> 有限公司" in notice
    assert "&amp;" not in notice and "&lt;" not in notice
    record = text_of(tmp_path / "out" / "incident_record.docx")
    assert f"项目名称 | {name}" in record
    # Line breaks inside a value stay inside its paragraph; nothing became markup.
    assert "（一）原因：配电柜故障\n# 不是标题\n| 不是 | 表格 |\n@blank。" in record


def test_only_must_name_a_document_of_this_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = render(PREP, tmp_path, capsys, "--only", "closure_plan")
    assert code == 2
    assert "--only" in err and "closure_plan" in err and "delay_notice" in err
    code, _, err = render(PREP, tmp_path, capsys, "--only", "nonsense")
    assert code == 2 and "nonsense" in err and "incident_record" in err


def test_a_case_with_facts_missing_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("evaluation-system-wait.toml")
    del data["incident"]["within_2h"]
    del data["incident"]["resolved_at"]
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = run(
        ["render", "--case", str(case), "--out", str(tmp_path), "--now", "2026-12-10T14:00"],
        capsys,
    )
    assert code == 2
    assert "within_2h" in err


def test_a_missing_value_names_template_line_and_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("prep-power-delay.toml")
    del data["project"]["number"]
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys, "--only", "delay_notice")
    assert code == 2
    match = re.search(r"delay_notice\.txt\.j2 第 (\d+) 行：变量 project\.number 没有值", err)
    assert match, err
    template = Path(__file__).parents[1] / "templates" / "delay_notice.txt.j2"
    line = template.read_text(encoding="utf-8").splitlines()[int(match.group(1)) - 1]
    assert "project.number" in line
    assert not (tmp_path / "out").exists()


def test_user_templates_shadow_the_built_in_ones(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,  # noqa: F811
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告（{{ project.name }}）\n> {{ terms.addressee }}：\n自定义正文。\n",
        encoding="utf-8",
    )
    code, stdout, err = render(PREP, tmp_path / "a", capsys, "--templates", str(mine))
    assert code == 0, err
    assert "自定义正文。" in text_of(tmp_path / "a" / "delay_notice.docx")
    assert "开评标突发情况书面记录" in text_of(tmp_path / "a" / "incident_record.docx")
    assert str(mine / "delay_notice.txt.j2") in stdout

    # The config directory works the same way, and --templates wins over it.
    (isolated_config / "templates").mkdir(parents=True)
    (isolated_config / "templates" / "delay_notice.txt.j2").write_text(
        "# 配置目录中的模板\n正文。\n", encoding="utf-8"
    )
    code, _, err = render(PREP, tmp_path / "b", capsys, "--only", "delay_notice")
    assert code == 0, err
    assert text_of(tmp_path / "b" / "delay_notice.docx").startswith("配置目录中的模板")
    code, _, err = render(
        PREP, tmp_path / "c", capsys, "--only", "delay_notice", "--templates", str(mine)
    )
    assert code == 0, err
    assert "自定义正文。" in text_of(tmp_path / "c" / "delay_notice.docx")


def test_a_template_syntax_error_names_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").write_text("# 标题\n正文\n{% if %}\n", encoding="utf-8")
    code, _, err = render(PREP, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2
    assert "delay_notice.txt.j2 第 3 行" in err


def test_templates_list_show_and_vars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["templates", "list"], capsys)
    assert code == 0, err
    for doc_id, label in (
        ("incident_record", "开评标突发情况书面记录（内部）"),
        ("delay_notice", "延迟开标公告（公开）"),
        ("supplementary_notice", "延期开标书面补充公告（公开）"),
        ("evaluation_reschedule", "择期评标书面文件"),
        ("filing_report", "应急处置方案备案表"),
        ("closure_plan", "开评标区域封闭方案"),
        ("confidentiality_commitment", "评标专家保密承诺书"),
    ):
        assert re.search(rf"^{doc_id}\s+{re.escape(label)}", out, re.M), out

    code, out, err = run(["templates", "show", "delay_notice"], capsys)
    assert code == 0, err
    builtin = Path(__file__).parents[1] / "templates" / "delay_notice.txt.j2"
    assert out == builtin.read_text(encoding="utf-8")

    code, out, err = run(["templates", "vars", "delay_notice"], capsys)
    assert code == 0, err
    assert re.search(r"^project\.name\s+项目名称$", out, re.M)
    assert re.search(r"^notice\.new_time\s+", out, re.M)
    assert re.search(
        r"^terms\.addressee\s+术语：建设工程“各潜在投标人”，政府采购“各供应商”", out, re.M
    )

    code, out, err = run(["templates", "vars", "incident_record"], capsys)
    assert code == 0, err
    assert re.search(r"^timeline\[\]\.at\s+", out, re.M)
    assert re.search(r"^decision\.signatories\[\]\.label\s+", out, re.M)
    assert "entry" not in out and "loop" not in out

    code, _, err = run(["templates", "show", "nothing"], capsys)
    assert code == 2 and "nothing.txt.j2" in err


def test_a_template_quoting_the_cause_cannot_leak_a_bidder_named_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告\n> {{ terms.addressee }}：\n原因：{{ incident.cause }}。\n",
        encoding="utf-8",
    )
    data = load_toml("prep-power-delay.toml")
    data["incident"]["cause"] = "某某科技股份有限公司的设备短路"
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2
    assert "incident.cause" in err and "某某科技股份有限公司" not in err
    assert not (tmp_path / "out").exists()


def test_a_delay_the_parties_chose_does_not_claim_the_fault_outlasted_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 4.1.2: a system fault fixed before the deadline; agency and tenderer still postpone.
    data = load_toml("prep-power-delay.toml")
    data["incident"]["fault"] = "system"
    data["incident"]["fixed_before_deadline"] = True
    data["incident"]["resolved_at"] = data["incident"]["started_at"].replace(minute=55)
    del data["incident"]["new_time"]
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys)
    assert code == 0, err
    assert docx_files(tmp_path / "out") == ["delay_notice.docx", "incident_record.docx"]
    notice = text_of(tmp_path / "out" / "delay_notice.docx")
    assert "因电子交易系统出现故障，影响开标准备。" in notice
    assert "未能排除" not in notice
    assert "第四条（一）2" in notice


def test_out_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a-file.docx"
    target.write_text("x", encoding="utf-8")
    code, _, err = render(PREP, target, capsys)
    assert code == 2 and "--out" in err and "不是目录" in err


def _sweep_cases() -> list[tuple[str, str, dict[str, object]]]:
    cases: list[tuple[str, str, dict[str, object]]] = []
    for fault in ("network", "system", "power"):
        cases.append(("prep", fault, {"fixed_before_deadline": True}))
        cases.append(
            (
                "prep",
                fault,
                {"fixed_before_deadline": False, "fallback_works": False},
            )
        )
        for stage in ("opening", "evaluation"):
            base = {"fallback_works": False, "quick_fix_works": False}
            cases.append((stage, fault, {**base, "within_2h": True}))
            plans = (2, 3) if fault == "system" else (1, 2, 3)
            for plan in (None, *plans):
                facts: dict[str, object] = {**base, "within_2h": False}
                if plan is not None:
                    facts["plan"] = plan
                cases.append((stage, fault, facts))
    return cases


@pytest.mark.parametrize(
    ("stage", "fault", "facts"),
    _sweep_cases(),
    ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={x}" for k, x in v.items()),
)
@pytest.mark.parametrize("project_type", ["construction", "procurement"])
def test_every_outcome_renders_exactly_its_documents(
    stage: str,
    fault: str,
    facts: dict[str, object],
    project_type: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    data = load_toml("opening-network-plan3.toml")
    incident = {
        "stage": stage,
        "fault": fault,
        "started_at": data["incident"]["started_at"],
        "cause": "故障原因",
        **facts,
    }
    if stage == "prep":
        incident["started_at"] = data["incident"]["started_at"].replace(hour=8, minute=30)
        incident["notice_published_at"] = data["incident"]["started_at"].replace(hour=10)
        if facts.get("fixed_before_deadline"):  # cleared before the 09:00 deadline
            incident["resolved_at"] = data["incident"]["started_at"].replace(hour=8, minute=50)
    data["incident"] = incident
    data["project"]["type"] = project_type
    case = write_case(tmp_path / "case.toml", data)
    code, out, err = run(
        ["decide", "--case", str(case), "--json", "--now", "2026-12-08T12:00"], capsys
    )
    assert code == 0, err
    expected = sorted(f"{d}.docx" for d in json.loads(out)["documents"])
    assert expected, "every incident has at least its record"
    code, _, err = run(
        [
            "render",
            "--case",
            str(case),
            "--out",
            str(tmp_path / "out"),
            "--now",
            "2026-12-08T12:00",
        ],
        capsys,
    )
    assert code == 0, err
    assert docx_files(tmp_path / "out") == expected
    record = text_of(tmp_path / "out" / "incident_record.docx")
    signers = 2 if stage == "prep" else 3
    assert len([line for line in record.splitlines() if line.endswith("年　月　日")]) == signers
