"""Markup blocks → DOCX in the GB/T 9704-2012 layout. The only module that imports python-docx.

The layout (shared/DOCX-LAYOUT.md): A4; margins top 37, left 28, right 26, bottom 35 mm; body
3号仿宋 (16 pt 仿宋_GB2312) on an exact 28.95 pt line (22 lines × 28 characters a page);
title 2号小标宋 (22 pt 方正小标宋简体); headings 黑体 / 楷体_GB2312; "— N —" page numbers in
4号宋体, odd pages right and even pages left. python-docx pitfalls handled here: eastAsia fonts
on docDefaults, every style and every run with the *Theme attributes removed (#154); zh-CN
themeFontLang (#1601); the Letter page and spacing-after of the default template reset; both
firstLine and firstLineChars indents; no typed character grid; PAGE as raw field runs; the even
footer filled as well as the odd one.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph

from .markup import Block

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
LINE_TWIPS = 579  # exactly 28.95 pt: 22 lines fill the 225 mm text block
CHAR_SPACING_TWIPS = -5  # condensed 0.25 pt: 28 characters fill the 156 mm line
CHAR_TWIPS = BODY_PT * 20  # one character of body text
TEXT_WIDTH_MM = 156

PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "left": Mm(28), "right": Mm(26), "bottom": Mm(35)}
FOOTER_DISTANCE = Mm(25)  # the page number sits about 7 mm below the text block

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# XML 1.0 forbids most control characters; python-docx would refuse them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RPR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")

# Paragraph styles: (name, font, size pt, alignment, first-line indent in chars)
_STYLES = {
    "title": ("QD 标题", TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "heading1": ("QD 一级标题", HEADING1_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "heading2": ("QD 二级标题", HEADING2_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "addressee": ("QD 主送", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "body": ("QD 正文", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "noindent": ("QD 顶格", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "center": ("QD 居中", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "right": ("QD 居右", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    "blank": ("QD 空行", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "sign": ("QD 署名", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    "date": ("QD 成文日期", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    "cell": ("QD 表格", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "cellhead": ("QD 表头", HEADING1_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.CENTER, 0),
}
DATE_RIGHT_CHARS = 4  # GB/T 9704 7.3.5.1: 成文日期右空四字


def clean_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def text_width_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, the rest half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


# ---------------------------------------------------------------- fonts and low-level XML


def _set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """ascii, hAnsi, eastAsia and cs all named, hint eastAsia, no theme attribute (#154)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_size(rpr: BaseOxmlElement, points: float) -> None:
    half_points = str(round(points * 2))
    rpr.get_or_add_sz().set(qn("w:val"), half_points)
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.insert_element_before(szcs, *_RPR_AFTER_SPACING[5:])
    szcs.set(qn("w:val"), half_points)


def _set_char_spacing(rpr: BaseOxmlElement, twips: int) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)
    spacing.set(qn("w:val"), str(twips))


def _set_lang(rpr: BaseOxmlElement) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *_RPR_AFTER_LANG)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _exact_lines(ppr: BaseOxmlElement) -> None:
    spacing = ppr.get_or_add_spacing()
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_TWIPS))
    spacing.set(qn("w:lineRule"), "exact")


def _indent(ppr: BaseOxmlElement, *, first_chars: float = 0, right_chars: float = 0) -> None:
    """Indents in twips and in hundredths of a character: LibreOffice reads the first, Word the
    second (pitfall 4)."""
    if not first_chars and not right_chars:
        return
    ind = ppr.get_or_add_ind()
    if first_chars:
        ind.set(qn("w:firstLine"), str(round(first_chars * CHAR_TWIPS)))
        ind.set(qn("w:firstLineChars"), str(round(first_chars * 100)))
    if right_chars:
        ind.set(qn("w:right"), str(round(right_chars * CHAR_TWIPS)))
        ind.set(qn("w:rightChars"), str(round(right_chars * 100)))


# ---------------------------------------------------------------- the document skeleton


def _setup_defaults(doc: DocxDocument) -> None:
    styles = doc.styles.element
    # Theme attributes override explicit names: remove them everywhere in styles.xml.
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    _set_size(rpr, BODY_PT)
    _set_lang(rpr)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _exact_lines(ppr)

    # Every existing style that names fonts gets the eastAsia one too (pitfall 1).
    for style in styles.iter(qn("w:style")):
        style_rpr = style.find(qn("w:rPr"))
        if style_rpr is not None and style_rpr.find(qn("w:rFonts")) is not None:
            _set_fonts(style_rpr, BODY_FONT)

    normal = doc.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    _set_fonts(normal_rpr, BODY_FONT)
    _set_size(normal_rpr, BODY_PT)
    _set_char_spacing(normal_rpr, CHAR_SPACING_TWIPS)
    _exact_lines(normal.element.get_or_add_pPr())

    for name, font, size, align, first in _STYLES.values():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style_rpr = style.element.get_or_add_rPr()
        _set_fonts(style_rpr, font)
        _set_size(style_rpr, size)
        style_ppr = style.element.get_or_add_pPr()
        _exact_lines(style_ppr)
        _indent(style_ppr, first_chars=first)
        style.paragraph_format.alignment = align
        style.paragraph_format.widow_control = True

    # pitfall 2: the default template says Japanese.
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is None:
        tfl = OxmlElement("w:themeFontLang")
        anchor = settings.find(qn("w:characterSpacingControl"))
        if anchor is not None:
            anchor.addprevious(tfl)
        else:
            settings.append(tfl)
    tfl.set(qn("w:val"), "en-US")
    tfl.set(qn("w:eastAsia"), "zh-CN")


def _setup_page(doc: DocxDocument) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = PAGE
        section.top_margin = MARGINS["top"]
        section.left_margin = MARGINS["left"]
        section.right_margin = MARGINS["right"]
        section.bottom_margin = MARGINS["bottom"]
        section.header_distance = Mm(15)
        section.footer_distance = FOOTER_DISTANCE
        section.gutter = Mm(0)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is not None:  # no typed character grid (pitfall 5)
            section._sectPr.remove(grid)
    # pitfall 8: odd/even footers need the setting *and* the even footer filled.
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        _page_number(section.footer.paragraphs[0], odd=True)
        _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _styled_run(paragraph: Paragraph, text: str, font: str, points: float) -> None:
    run = paragraph.add_run(text)
    rpr = run._r.get_or_add_rPr()
    _set_fonts(rpr, font)
    _set_size(rpr, points)


def _field_run(paragraph: Paragraph, kind: str, instr: str | None = None) -> None:
    run = paragraph.add_run()
    rpr = run._r.get_or_add_rPr()
    _set_fonts(rpr, PAGE_NUMBER_FONT)
    _set_size(rpr, PAGE_NUMBER_PT)
    if instr is None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
    else:
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = instr
        run._r.append(text)


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    """ "— N —" in 4号宋体 (GB/T 9704 7.5): odd pages right, even pages left, one char in."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    one_char = Pt(PAGE_NUMBER_PT)
    fmt.right_indent = one_char if odd else Twips(0)
    fmt.left_indent = Twips(0) if odd else one_char
    fmt.first_line_indent = Twips(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _styled_run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _field_run(paragraph, "begin")
    _field_run(paragraph, "", " PAGE ")
    _field_run(paragraph, "separate")
    _styled_run(paragraph, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _field_run(paragraph, "end")
    _styled_run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


# ---------------------------------------------------------------- blocks


def _paragraph(doc: DocxDocument, kind: str, text: str) -> Paragraph:
    name, font, size, _align, _first = _STYLES[kind]
    paragraph = doc.add_paragraph(style=name)
    if text:
        _styled_run(paragraph, clean_text(text), font, size)
    return paragraph


def _sign_indent_chars(name: str, date: str | None) -> float:
    """GB/T 9704 7.3.5.1: the issuer centred over the date, the date four characters in."""
    if date is None:
        return DATE_RIGHT_CHARS
    centre = DATE_RIGHT_CHARS + text_width_chars(date) / 2
    indent = centre - text_width_chars(name) / 2
    line = TEXT_WIDTH_MM / (BODY_PT * 25.4 / 72)  # characters on a line
    if indent < 0 or indent + text_width_chars(name) > line:
        return 0
    return round(indent * 2) / 2


def _closing_groups(blocks: Sequence[Block]) -> None:
    """Keep a signature (blank lines, issuers, date) on one page with the line before it."""
    for i, block in enumerate(blocks):
        if block.kind not in ("sign", "date"):
            continue
        j = i - 1
        while j >= 0 and blocks[j].kind in ("blank", "sign"):
            blocks[j].keep_with_next = True
            j -= 1
        if j >= 0:
            blocks[j].keep_with_next = True


def _table(doc: DocxDocument, block: Block) -> None:
    columns = len(block.rows[0])
    table = doc.add_table(rows=len(block.rows), cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = list(block.widths_mm)
    if len(widths) != columns:
        widths = [TEXT_WIDTH_MM / columns] * columns
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
    for r, row in enumerate(block.rows):
        header = r < block.header_rows
        tr = table.rows[r]
        tr_pr = tr._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)
        if header:
            tbl_header = OxmlElement("w:tblHeader")
            tr_pr.append(tbl_header)
        for c, text in enumerate(row):
            cell = tr.cells[c]
            cell.width = Mm(widths[c])
            paragraph = cell.paragraphs[0]
            kind = "cellhead" if header else "cell"
            name, font, size, _align, _first = _STYLES[kind]
            paragraph.style = doc.styles[name]
            if text:
                _styled_run(paragraph, clean_text(text), font, size)
            # Short tables (forms, signatures) stay on one page, with what follows if asked.
            if r + 1 < len(block.rows) or block.keep_with_next:
                paragraph.paragraph_format.keep_with_next = True


def build_docx(blocks: Sequence[Block], *, title: str, author: str = "", now: datetime) -> bytes:
    """The whole document as DOCX bytes (written by the caller in one go)."""
    doc = new_document()
    _setup_defaults(doc)
    _setup_page(doc)
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag == qn("w:p"):
            body.remove(child)

    blocks = list(blocks)
    _closing_groups(blocks)
    for i, block in enumerate(blocks):
        if block.kind == "table":
            if block.page_break_before:
                _paragraph(doc, "blank", "").paragraph_format.page_break_before = True
            _table(doc, block)
            continue
        if block.kind == "sign":
            following = next(
                (b.text for b in blocks[i + 1 :] if b.kind == "date"),
                None,
            )
            paragraph = _paragraph(doc, "sign", block.text)
            _indent(
                paragraph._p.get_or_add_pPr(), right_chars=_sign_indent_chars(block.text, following)
            )
        elif block.kind == "date":
            paragraph = _paragraph(doc, "date", block.text)
            _indent(paragraph._p.get_or_add_pPr(), right_chars=DATE_RIGHT_CHARS)
        else:
            paragraph = _paragraph(doc, block.kind, block.text)
        fmt = paragraph.paragraph_format
        if block.page_break_before:
            fmt.page_break_before = True  # pitfall 7: never a page-break run
        if block.keep_with_next or block.kind in ("title", "heading1", "heading2"):
            fmt.keep_with_next = True
        if block.kind == "title" and (i + 1 == len(blocks) or blocks[i + 1].kind != "title"):
            _paragraph(doc, "blank", "")  # GB/T 9704 7.3.1: one empty line below the title

    core = doc.core_properties
    core.title = title
    core.author = author
    core.last_modified_by = author
    core.comments = ""
    core.created = now.replace(tzinfo=None)
    core.modified = now.replace(tzinfo=None)
    core.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
