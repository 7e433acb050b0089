"""The DOCX layout a reader checks against GB/T 9704-2012 (shared/DOCX-LAYOUT.md), read back
with python-docx from files written by ``qdplan render``."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm

from .renderkit import (  # noqa: F401
    DATA,
    isolated_config,
    paragraphs_everywhere,
    render,
    text_of,
)

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
OFFICIAL_FONTS = {"仿宋", "方正小标宋简体", "黑体", "楷体", "宋体"}
CASES = [
    "prep-power-delay.toml",
    "opening-network-plan3.toml",
    "evaluation-power-plan2.toml",
    "evaluation-network-plan3.toml",
    "evaluation-system-leaver.toml",  # the expert fee sheet
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every document of the example cases (all seven templates)."""
    from qdplan_cli.__main__ import main

    out = tmp_path_factory.mktemp("docs")
    files: list[Path] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QDPLAN_CONFIG", str(out / "no-config" / "config.toml"))
        patch.setenv("QDPLAN_CACHE", str(out / "cache"))
        for name in CASES:
            target = out / name.removesuffix(".toml")
            argv = ["render", "--case", str(DATA / name), "--out", str(target)]
            with pytest.raises(SystemExit) as exit_info:
                main([*argv, "--now", "2026-12-16T10:00"])
            assert exit_info.value.code == 0
            files.extend(sorted(target.glob("*.docx")))
    assert {f.stem for f in files} == {
        "incident_record",
        "delay_notice",
        "supplementary_notice",
        "filing_report",
        "closure_plan",
        "evaluation_reschedule",
        "confidentiality_commitment",
        "expert_fee_sheet",
    }
    return files


def _ids(files: list[Path]) -> list[str]:
    return [f"{f.parent.name}/{f.stem}" for f in files]


def test_a4_paper_and_gbt_margins(rendered: list[Path]) -> None:
    for path in rendered:
        for section in docx.Document(str(path)).sections:
            # A4 in the units DOCX stores: 11906 × 16838 twips.
            assert (section.page_width.twips, section.page_height.twips) == (11906, 16838), path
            assert abs(section.top_margin - Mm(37)) < Mm(0.1)
            assert abs(section.left_margin - Mm(28)) < Mm(0.1)
            assert abs(section.right_margin - Mm(26)) < Mm(0.1)
            assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)


def _effective_east_asia(document: docx.document.Document, run: docx.text.run.Run) -> str | None:
    rpr = run._r.rPr
    if rpr is not None and rpr.rFonts is not None:
        return rpr.rFonts.get(qn("w:eastAsia"))
    return None


def test_every_run_names_an_official_east_asian_font_and_no_theme_font(
    rendered: list[Path],
) -> None:
    for path in rendered:
        document = docx.Document(str(path))
        runs = 0
        for paragraph in paragraphs_everywhere(document):
            for run in paragraph.runs:
                runs += 1
                fonts = run._r.rPr.rFonts
                assert fonts.get(qn("w:eastAsia")) in OFFICIAL_FONTS, (path, run.text)
                assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:eastAsia"))
                assert not any(fonts.get(qn(a)) for a in THEME_ATTRS)
        assert runs > 10
        # No theme font anywhere in the styles either: a theme attribute beats a name.
        styles_xml = document.styles.element.xml
        assert "Theme=" not in styles_xml and "cstheme" not in styles_xml
        defaults = document.styles.element.find(qn("w:docDefaults"))
        rfonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == "仿宋"
        lang = document.settings.element.find(qn("w:themeFontLang"))
        assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_title_body_and_heading_fonts(rendered: list[Path]) -> None:
    notice = next(p for p in rendered if p.stem == "delay_notice")
    document = docx.Document(str(notice))
    title = document.paragraphs[0]
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22
    assert document.paragraphs[1].text == ""  # one empty line below the title
    body = next(p for p in document.paragraphs if p.text.startswith("更正内容"))
    assert body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.runs[0].font.size.pt == 16

    record = next(p for p in rendered if p.stem == "incident_record")
    heading = next(p for p in docx.Document(str(record)).paragraphs if p.text == "一、经过记录")
    assert heading.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def _style_chain_value(paragraph: docx.text.paragraph.Paragraph, attr: str) -> object:
    value = getattr(paragraph.paragraph_format, attr)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, attr)
        style = style.base_style
    return value


ONE_PAGE = ("delay_notice", "supplementary_notice", "evaluation_reschedule")


def test_exact_line_grid_and_two_character_indent(rendered: list[Path]) -> None:
    for path in rendered:
        document = docx.Document(str(path))
        pitches = set()
        for paragraph in document.paragraphs:
            if not paragraph.text.strip():
                continue
            rule = _style_chain_value(paragraph, "line_spacing_rule")
            spacing = _style_chain_value(paragraph, "line_spacing")
            assert rule == WD_LINE_SPACING.EXACTLY, (path, paragraph.text)
            if paragraph.style.name != "QD 标题":
                pitches.add(round(spacing.twips))  # type: ignore[union-attr]
        # One exact pitch a document: the 22-line grid, or (a one-page notice that would spill,
        # GB/T 9704 7.3.5) a tighter one, never below 19 pt.
        assert len(pitches) == 1, (path, pitches)
        assert pitches == {579} or (path.stem in ONE_PAGE and 380 <= min(pitches) < 579)
        body = [p for p in document.paragraphs if p.style.name == "QD 正文"]
        assert body, path
        ind = body[0].style.element.pPr.ind
        # LibreOffice reads firstLine, Word firstLineChars: both say two characters.
        assert ind.get(qn("w:firstLine")) == "640" and ind.get(qn("w:firstLineChars")) == "200"


def test_page_numbers_in_odd_and_even_footers(rendered: list[Path]) -> None:
    for path in rendered:
        document = docx.Document(str(path))
        assert document.settings.odd_and_even_pages_header_footer
        for footer, side in (
            (document.sections[0].footer, "right"),
            (document.sections[0].even_page_footer, "left"),
        ):
            assert not footer.is_linked_to_previous
            paragraph = footer.paragraphs[0]
            xml = paragraph._p.xml
            assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
            assert xml.count('w:fldCharType="begin"') == 1 and 'w:fldCharType="end"' in xml
            text = "".join(t.text or "" for t in paragraph._p.iter(qn("w:t")))
            assert text == "— 1 —"
            assert {r.font.size.pt for r in paragraph.runs} == {14}
            assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs} == {"宋体"}
            assert paragraph.alignment.name.lower() == side


def test_dates_are_arabic_without_zero_padding(rendered: list[Path]) -> None:
    seen = 0
    for path in rendered:
        document = docx.Document(str(path))
        texts = [p.text for p in paragraphs_everywhere(document)]
        for text in texts:
            for match in re.finditer(r"(\S{4})年(\S{1,2})月(\S{1,2})日", text):
                if "　" in match.group(0) or "＿" in match.group(0):
                    continue  # a blank date line to be filled in by hand
                seen += 1
                assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", match.group(0)), text
    assert seen > 20
    # One issuer: the date 右空四字 under the issuer centred over it (GB/T 9704 7.3.5.1).
    fees = next(p for p in rendered if p.stem == "expert_fee_sheet")
    paragraphs = docx.Document(str(fees)).paragraphs
    date = paragraphs[-1]
    assert date.text == "2026年12月14日"  # the day the last expert left
    # 成文日期右空四字: four 16 pt characters from the right margin.
    ind = date._p.pPr.ind
    assert ind.get(qn("w:right")) == "1280" and ind.get(qn("w:rightChars")) == "400"
    assert _style_chain_value(date, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT


def test_signature_blocks_stay_with_the_text_before_them(rendered: list[Path]) -> None:
    notice = next(p for p in rendered if p.stem == "delay_notice")
    document = docx.Document(str(notice))
    paragraphs = document.paragraphs
    closing = next(i for i, p in enumerate(paragraphs) if p.text == "特此公告。")
    # 特此公告, the seal space and the issuers are all kept with what follows.
    for paragraph in paragraphs[closing:-1]:
        assert paragraph.paragraph_format.keep_with_next, paragraph.text
    # GB/T 9704 7.3.5.2: joint issuers side by side, one column each (seals never overlap), in
    # a borderless table that does not split; 盖章 stays with the role, never on a line alone.
    signature = document.tables[-1]
    cells = [c.text for c in signature.rows[0].cells]
    assert cells == [
        "采购人（盖章）：\n青岛市市北区某某\n社区卫生服务中心",  # broken between words
        "采购代理机构（盖章）：\n青岛某某项目管理有限公司\n2026年12月3日",  # under the last seal
    ]
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert 'w:val="nil"' in signature._tbl.tblPr.xml
    for cell in signature.rows[0].cells:
        assert cell.paragraphs[0].paragraph_format.keep_with_next


def test_package_has_our_metadata_and_no_template_leftovers(rendered: list[Path]) -> None:
    import zipfile

    for path in rendered:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            app = package.read("docProps/app.xml").decode("utf-8")
            rels = package.read("_rels/.rels").decode("utf-8")
        assert "docProps/thumbnail.jpeg" not in names and "thumbnail" not in rels
        assert "word/stylesWithEffects.xml" not in names
        assert "Microsoft Macintosh Word" not in app and "<Application>qdplan" in app
        document = docx.Document(str(path))
        # The title property is the document's own title (issue 15: it says no more than the
        # page — no project name a template leaves out).
        title = document.core_properties.title
        assert title and document.core_properties.author
        if path.name != "expert_fee_sheet.docx":  # the internal fee sheet names its project
            assert title in text_of(path).replace("\n", "")
        assert document.core_properties.title in app
