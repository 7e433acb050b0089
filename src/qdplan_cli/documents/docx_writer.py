"""Markup blocks → DOCX in the GB/T 9704-2012 layout. The only module that imports python-docx.

The layout (shared/DOCX-LAYOUT.md): A4; margins top 37, left 28, right 26, bottom 35 mm; body
3号仿宋 (16 pt 仿宋) on an exact 28.95 pt line (22 lines × 28 characters a page);
title 2号小标宋 (22 pt 方正小标宋简体); headings 黑体 / 楷体; "— N —" page numbers in
4号宋体, odd pages right and even pages left. python-docx pitfalls handled here: eastAsia fonts
on docDefaults, every style and every run with the *Theme attributes removed (#154); zh-CN
themeFontLang (#1601); the Letter page and spacing-after of the default template reset; both
firstLine and firstLineChars indents; no typed character grid; PAGE as raw field runs; the even
footer filled as well as the odd one.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qdplan_cli import __version__
from qdplan_cli.documents.linebreak import break_lines, keep_identifiers, lines_needed
from qdplan_cli.documents.markup import LINE_BREAK, Block
from qdplan_cli.local.paths import cache_dir

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph

# The fonts of GB/T 9704 as stock Windows 10/11 names them (the Chinese Supplemental Fonts, part
# of every Chinese Windows, and what WPS lists): 仿宋 (simfang.ttf), 楷体 (simkai.ttf), 黑体, 宋体.
# 仿宋_GB2312 and 楷体_GB2312 were Windows XP's and are on few machines now; 方正小标宋简体 is a
# commercial font: the title names it, with 宋体 as its stand-in where it is missing (fontTable).
BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体"
PAGE_NUMBER_FONT = "宋体"
# fontTable.xml: name → (altName: a stock Windows font to use where it is missing, or its
# English name; PANOSE-1; family; pitch). All GB2312 (charset 86): Word and WPS pick a Chinese
# font for a missing one instead of a Western default.
FONT_TABLE: dict[str, tuple[str, str, str, str]] = {
    BODY_FONT: ("FangSong", "02010609060101010101", "modern", "fixed"),
    HEADING2_FONT: ("KaiTi", "02010609060101010101", "modern", "fixed"),
    HEADING1_FONT: ("SimHei", "02010609060101010101", "modern", "fixed"),
    PAGE_NUMBER_FONT: ("SimSun", "02010600030101010101", "auto", "variable"),
    TITLE_FONT: (PAGE_NUMBER_FONT, "02000000000000000000", "auto", "variable"),
}
# The Unicode and code-page ranges of a GB2312 font (as SimSun declares them).
_GB2312_SIG = (
    'w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" '
    'w:csb0="00040001" w:csb1="00000000"'
)
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
LINE_TWIPS = 579  # exactly 28.95 pt: 22 lines fill the 225 mm text block
CHAR_SPACING_TWIPS = -5  # condensed 0.25 pt: 28 characters fill the 156 mm line
CHAR_TWIPS = BODY_PT * 20  # one character of body text
TEXT_WIDTH_MM = 156
# Small type (10 pt, between 五号 and 小五, on an exact 12 pt line: 53 lines of 45 characters a
# page) for the one-page cards and forms of the paper pack: GB/T 9704 5.2.3 allows adjusting the grid in special cases.
SMALL_PT = 10
SMALL_HEAD_PT = 12  # 小四 黑体
SMALL_LINE_TWIPS = 240
SMALL_HEAD_LINE_TWIPS = 300

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "left": 28, "right": 26, "bottom": 35}
FOOTER_DISTANCE_MM = 25  # the page number sits about 7 mm below the text block

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

# Paragraph styles: kind → (name, font, size pt, alignment, first-line indent in chars)
_STYLES = {
    "title": ("QD 标题", TITLE_FONT, TITLE_PT, "center", 0),
    "heading1": ("QD 一级标题", HEADING1_FONT, BODY_PT, "both", 2),
    "heading2": ("QD 二级标题", HEADING2_FONT, BODY_PT, "both", 2),
    "addressee": ("QD 主送", BODY_FONT, BODY_PT, "left", 0),
    "body": ("QD 正文", BODY_FONT, BODY_PT, "both", 2),
    "noindent": ("QD 顶格", BODY_FONT, BODY_PT, "left", 0),
    "center": ("QD 居中", BODY_FONT, BODY_PT, "center", 0),
    "right": ("QD 居右", BODY_FONT, BODY_PT, "right", 0),
    "blank": ("QD 空行", BODY_FONT, BODY_PT, "left", 0),
    "sign": ("QD 署名", BODY_FONT, BODY_PT, "right", 0),
    "date": ("QD 成文日期", BODY_FONT, BODY_PT, "right", 0),
    "cell": ("QD 表格", BODY_FONT, BODY_PT, "left", 0),
    "cellhead": ("QD 表头", HEADING1_FONT, BODY_PT, "center", 0),
    "small": ("QD 小字", BODY_FONT, SMALL_PT, "left", 0),
    "smallhead": ("QD 小标题", HEADING1_FONT, SMALL_HEAD_PT, "left", 0),
    "smallcell": ("QD 小字表格", BODY_FONT, SMALL_PT, "left", 0),
    "smallcellhead": ("QD 小字表头", HEADING1_FONT, SMALL_PT, "center", 0),
}
# Styles not on the 28.95 pt body grid: their exact line height in twips.
_LINE_HEIGHTS = {
    "small": SMALL_LINE_TWIPS,
    "smallcell": SMALL_LINE_TWIPS,
    "smallcellhead": SMALL_LINE_TWIPS,
    "smallhead": SMALL_HEAD_LINE_TWIPS,
}
KEEP_TABLE_ROWS = 30  # a table of up to this many rows is kept on one page
DATE_RIGHT_CHARS = 4  # GB/T 9704 7.3.5.1: 成文日期右空四字
# Characters of the title a line holds: 22 pt less the condensed spacing inherited from Normal.
TITLE_LINE_CHARS = int(TEXT_WIDTH_MM / ((TITLE_PT + CHAR_SPACING_TWIPS / 20) * 25.4 / 72))
# GB/T 9704 7.3.5: the seal's top within a line of the text above; two issuers' seals (about
# 42 mm across) neither overlap nor touch: joint issuers stand side by side.
SEAL_LINES_ABOVE = 1
# Rows of signature tables: room for a handwritten name, or a seal (hRule atLeast).
SIGN_ROW_MM = 15
# Styles of python-docx's default template that a document of ours can use; the other ~150
# (Title, Heading 1 … with theme fonts and colours) are removed: a smaller, cleaner file.
_KEEP_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "TableGrid",
    "Header",
    "HeaderChar",
    "Footer",
    "FooterChar",
}


def clean_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def text_width_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, the rest half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _style_id(kind: str) -> str:
    return "QD" + kind.capitalize()


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


# ================================================================ the layout skeleton
# Built once with python-docx (styles, page, footers, settings) and cached; the body is then
# written as WordprocessingML directly, which keeps a render of several documents fast.


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """ascii, hAnsi, eastAsia and cs all named, hint eastAsia, no theme attribute (#154)."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(_qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(_qn(attr), font)
    rfonts.set(_qn("w:hint"), "eastAsia")


def _set_size(rpr: BaseOxmlElement, points: float) -> None:
    from docx.oxml import OxmlElement

    half_points = str(round(points * 2))
    rpr.get_or_add_sz().set(_qn("w:val"), half_points)
    szcs = rpr.find(_qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.insert_element_before(szcs, *_RPR_AFTER_SPACING[5:])
    szcs.set(_qn("w:val"), half_points)


def _set_char_spacing(rpr: BaseOxmlElement, twips: int) -> None:
    from docx.oxml import OxmlElement

    spacing = rpr.find(_qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)
    spacing.set(_qn("w:val"), str(twips))


def _set_lang(rpr: BaseOxmlElement) -> None:
    from docx.oxml import OxmlElement

    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *_RPR_AFTER_LANG)
    lang.set(_qn("w:val"), "en-US")
    lang.set(_qn("w:eastAsia"), "zh-CN")


def _exact_lines(ppr: BaseOxmlElement, line_twips: int = LINE_TWIPS) -> None:
    spacing = ppr.get_or_add_spacing()
    spacing.set(_qn("w:before"), "0")
    spacing.set(_qn("w:after"), "0")
    spacing.set(_qn("w:line"), str(line_twips))
    spacing.set(_qn("w:lineRule"), "exact")


def _no_auto_space(ppr: BaseOxmlElement) -> None:
    """No extra space between Chinese and Latin letters or digits (autoSpaceDE / autoSpaceDN):
    "2026年12月8日", "第2开标室" set solid, as in printed 公文, not "2026 年 12 月 8 日". Word and
    WPS honour it; LibreOffice (24.x) still spaces them in its own rendering."""
    from docx.oxml import OxmlElement

    after = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:jc")
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = ppr.find(_qn(tag))
        if element is None:
            element = OxmlElement(tag)
            ppr.insert_element_before(element, *after)
        element.set(_qn("w:val"), "0")


def _indent_attrs(first_chars: float = 0, right_chars: float = 0) -> dict[str, str]:
    """Indents in twips and in hundredths of a character: LibreOffice reads the first, Word the
    second (pitfall 4)."""
    attrs: dict[str, str] = {}
    if first_chars:
        attrs["w:firstLine"] = str(round(first_chars * CHAR_TWIPS))
        attrs["w:firstLineChars"] = str(round(first_chars * 100))
    if right_chars:
        attrs["w:right"] = str(round(right_chars * CHAR_TWIPS))
        attrs["w:rightChars"] = str(round(right_chars * 100))
    return attrs


def _setup_defaults(doc: DocxDocument) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    styles = doc.styles.element
    for style in list(styles.iter(_qn("w:style"))):
        if style.get(_qn("w:styleId")) not in _KEEP_STYLES:
            styles.remove(style)
    # Theme attributes override explicit names: remove them everywhere in styles.xml.
    for rfonts in styles.iter(_qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(_qn(attr), None)
    defaults = styles.find(_qn("w:docDefaults"))
    rpr = defaults.find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    _set_size(rpr, BODY_PT)
    _set_lang(rpr)
    _exact_lines(defaults.find(_qn("w:pPrDefault")).find(_qn("w:pPr")))

    # Every remaining style that names fonts gets the eastAsia one too (pitfall 1).
    for style in styles.iter(_qn("w:style")):
        style_rpr = style.find(_qn("w:rPr"))
        if style_rpr is not None and style_rpr.find(_qn("w:rFonts")) is not None:
            _set_fonts(style_rpr, BODY_FONT)

    normal = doc.styles["Normal"]
    normal_rpr = normal.element.get_or_add_rPr()
    _set_fonts(normal_rpr, BODY_FONT)
    _set_size(normal_rpr, BODY_PT)
    _set_char_spacing(normal_rpr, CHAR_SPACING_TWIPS)
    normal_ppr = normal.element.get_or_add_pPr()
    _exact_lines(normal_ppr)
    _no_auto_space(normal_ppr)

    alignments = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }
    for kind, (name, font, size, align, first) in _STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.styleId = _style_id(kind)
        style.base_style = normal
        style.quick_style = True
        style_rpr = style.element.get_or_add_rPr()
        _set_fonts(style_rpr, font)
        _set_size(style_rpr, size)
        style_ppr = style.element.get_or_add_pPr()
        _no_auto_space(style_ppr)
        _exact_lines(style_ppr, _LINE_HEIGHTS.get(kind, LINE_TWIPS))
        if first:
            ind = style_ppr.get_or_add_ind()
            for key, value in _indent_attrs(first_chars=first).items():
                ind.set(_qn(key), value)
        style.paragraph_format.alignment = alignments[align]
        style.paragraph_format.widow_control = True

    # pitfall 2: the default template says Japanese.
    from docx.oxml import OxmlElement

    settings = doc.settings.element
    tfl = settings.find(_qn("w:themeFontLang"))
    if tfl is None:
        tfl = OxmlElement("w:themeFontLang")
        anchor = settings.find(_qn("w:characterSpacingControl"))
        if anchor is not None:
            anchor.addprevious(tfl)
        else:
            settings.append(tfl)
    tfl.set(_qn("w:val"), "en-US")
    tfl.set(_qn("w:eastAsia"), "zh-CN")


def _setup_page(doc: DocxDocument) -> None:
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin = Mm(MARGINS_MM["top"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.header_distance = Mm(15)
        section.footer_distance = Mm(FOOTER_DISTANCE_MM)
        section.gutter = Mm(0)
        grid = section._sectPr.find(_qn("w:docGrid"))
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
    from docx.oxml import OxmlElement

    run = paragraph.add_run()
    rpr = run._r.get_or_add_rPr()
    _set_fonts(rpr, PAGE_NUMBER_FONT)
    _set_size(rpr, PAGE_NUMBER_PT)
    if instr is None:
        char = OxmlElement("w:fldChar")
        char.set(_qn("w:fldCharType"), kind)
        run._r.append(char)
    else:
        text = OxmlElement("w:instrText")
        text.set(_qn("xml:space"), "preserve")
        text.text = instr
        run._r.append(text)


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    """ "— N —" in 4号宋体 (GB/T 9704 7.5): odd pages right, even pages left, one char in;
    the number is a PAGE field (pitfall 6: raw fldChar runs)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, Twips

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


def build_skeleton() -> bytes:
    """The empty document with the whole layout applied (python-docx)."""
    from docx import Document as new_document

    doc = new_document()
    _setup_defaults(doc)
    _setup_page(doc)
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag == _qn("w:p"):
            body.remove(child)
    out = io.BytesIO()
    doc.save(out)
    return _strip_package(out.getvalue())


# Parts of python-docx's default template no document of ours needs: its thumbnail (a picture of
# an empty Word page shown by file managers), the 430 kB stylesWithEffects.xml of Word 2010 and
# an empty bibliography (customXml).
_DROPPED_PARTS = (
    "docProps/thumbnail.jpeg",
    "word/stylesWithEffects.xml",
    "customXml/item1.xml",
    "customXml/itemProps1.xml",
    "customXml/_rels/item1.xml.rels",
)
_RELATIONSHIP_RE = re.compile(r'<Relationship [^>]*Target="([^"]+)"[^>]*/>')
_OVERRIDE_RE = re.compile(r'<Override [^>]*PartName="([^"]+)"[^>]*/>')


def _font_table_xml(template: str) -> str:
    """The document's fonts only, each with GB2312 charset, PANOSE and its stand-in."""
    fonts = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
        f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/>'
        f"<w:sig {_GB2312_SIG}/></w:font>"
        for name, (alt, panose, family, pitch) in FONT_TABLE.items()
    )
    head = template[: template.index(">", template.index("<w:fonts")) + 1]
    return head + fonts + "</w:fonts>"


def _strip_package(data: bytes) -> bytes:
    dropped = {name.rsplit("/", 1)[-1] for name in _DROPPED_PARTS}

    def keep(match: re.Match[str]) -> str:
        return "" if match.group(1).rsplit("/", 1)[-1] in dropped else match.group(0)

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename in _DROPPED_PARTS:
                continue
            part = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                part = _font_table_xml(part.decode("utf-8")).encode("utf-8")
            elif item.filename == "word/settings.xml":
                # A line ended by a line break of ours (before a project number, keep_identifiers)
                # stays as set, not spread out letter by letter; Word 2013+ (15), not 兼容模式.
                part = part.replace(
                    b"<w:useFELayout/>", b"<w:doNotExpandShiftReturn/><w:useFELayout/>"
                )
                part = part.replace(
                    b'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="14"',
                    b'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"',
                )
            if item.filename.endswith(".rels"):
                part = _RELATIONSHIP_RE.sub(keep, part.decode("utf-8")).encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                part = _OVERRIDE_RE.sub(keep, part.decode("utf-8")).encode("utf-8")
            target.writestr(item.filename, part)
    return out.getvalue()


def _cache_file() -> Path | None:
    """Where the skeleton is kept between runs, keyed by this module's own source: any change
    to the layout code builds a new one."""
    try:
        key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return None
    return cache_dir() / f"layout-{__version__}-{key}.docx"


@functools.cache
def skeleton() -> bytes:
    path = _cache_file()
    if path is not None:
        try:
            data = path.read_bytes()
            if data.startswith(b"PK"):
                return data
        except OSError:
            pass
    data = build_skeleton()
    if path is not None:
        try:
            from qdplan_cli.local.files import write_atomically

            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data, private=False)
        except OSError:
            pass  # a read-only cache dir only costs speed
    return data


# ================================================================ the body, as WordprocessingML


def escape(text: str) -> str:
    """XML character data. (xml.sax.saxutils would pull in urllib: 15 ms of start-up.)"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    return '"' + escape(text).replace('"', "&quot;") + '"'


def _attrs(values: dict[str, str]) -> str:
    return "".join(f" {k}={quoteattr(v)}" for k, v in values.items())


def _run_xml(text: str, font: str, points: float) -> str:
    half = round(points * 2)
    rpr = (
        f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" '
        f'w:cs="{font}" w:hint="eastAsia"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'
    )
    parts: list[str] = []
    for i, line in enumerate(clean_text(text).split(LINE_BREAK)):
        if i:
            parts.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


# Paragraphs as wide as the text block (not table cells), whose identifiers are kept whole.
_PAGE_WIDE = frozenset(
    ("heading1", "heading2", "addressee", "body", "noindent", "center", "right", "sign", "date")
    + ("small", "smallhead")
)


def _paragraph_xml(
    kind: str,
    text: str,
    *,
    keep_with_next: bool = False,
    page_break_before: bool = False,
    right_chars: float = 0,
    pitch: int = LINE_TWIPS,
) -> str:
    _name, font, size, _align, first = _STYLES[kind]
    ppr = f'<w:pStyle w:val="{_style_id(kind)}"/>'
    if keep_with_next:
        ppr += "<w:keepNext/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"  # pitfall 7: never a page-break run
    if pitch != LINE_TWIPS:
        line = (
            _small_line(kind, pitch)
            if kind in _LINE_HEIGHTS
            else max(pitch, TITLE_MIN_PITCH_TWIPS)
            if kind == "title"
            else pitch
        )
        ppr += f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>'
    if right_chars:
        ppr += f"<w:ind{_attrs(_indent_attrs(right_chars=right_chars))}/>"
    if kind in _PAGE_WIDE:  # a table cell's own lines are decided by _cell_lines
        chars = TEXT_WIDTH_MM / ((size + CHAR_SPACING_TWIPS / 20) * 25.4 / 72)
        text = keep_identifiers(text, chars - right_chars, indent=first)
    run = _run_xml(text, font, size) if text else ""
    return f"<w:p><w:pPr>{ppr}</w:pPr>{run}</w:p>"


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


# Paragraphs of text kept on the page of the seals (GB/T 9704 7.3.5: never a page with the seals
# and nothing else, nor only 特此公告 above them).
CLOSING_TEXT_LINES = 3


def _closing_groups(blocks: Sequence[Block]) -> None:
    """Keep a signature (blank lines, issuers, date), or a table of rows to sign, on one page
    with its heading and the paragraphs of text before it (CLOSING_TEXT_LINES of them, fewer
    where a table or a page break comes first)."""
    for i, block in enumerate(blocks):
        signatures = block.kind == "table" and block.row_height_mm > 0  # rows to sign or seal
        if block.kind not in ("sign", "date") and not signatures:
            continue
        j = i - 1
        while j >= 0 and blocks[j].kind in ("blank", "sign", "heading1", "heading2"):
            blocks[j].keep_with_next = True
            j -= 1
        kept = 0
        while j >= 0 and kept < CLOSING_TEXT_LINES and blocks[j].kind not in ("table", "image"):
            blocks[j].keep_with_next = True
            if blocks[j].page_break_before:
                break
            kept += 1
            j -= 1


# Default cell margins (0.08 in each side) and one body character less the condensed spacing.
_CELL_MARGINS_MM = 2 * 0.08 * 25.4
_BODY_CHAR_MM = (BODY_PT + CHAR_SPACING_TWIPS / 20) * 25.4 / 72


def _cell_lines(text: str, width_mm: float) -> str:
    """A cell's text too long for one line breaks at a phrase boundary (linebreak.break_lines)
    rather than wherever the word processor runs out of room ("…改造工程施/工")."""
    chars = int((width_mm - _CELL_MARGINS_MM) / _BODY_CHAR_MM)
    if chars < 4:
        return text
    return LINE_BREAK.join(
        LINE_BREAK.join(break_lines(part, chars)) for part in text.split(LINE_BREAK)
    )


def _table_xml(block: Block, pitch: int = LINE_TWIPS) -> str:
    columns = len(block.rows[0])
    widths = list(block.widths_mm)
    if len(widths) != columns:
        widths = [TEXT_WIDTH_MM / columns] * columns
    twips = [_twips(w) for w in widths]
    parts = [
        "<w:tbl><w:tblPr>",
        '<w:tblStyle w:val="TableGrid"/>',
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/>',
        '<w:jc w:val="center"/>',
        '<w:tblLayout w:type="fixed"/>',
        # Small type: narrower cell margins (1 mm) so a name and a telephone number fit a cell.
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        "</w:tblCellMar>"
        if block.compact
        else "",
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>',
        "</w:tblPr><w:tblGrid>",
        *(f'<w:gridCol w:w="{w}"/>' for w in twips),
        "</w:tblGrid>",
    ]
    for r, row in enumerate(block.rows):
        header = r < block.header_rows
        parts.append("<w:tr><w:trPr><w:cantSplit/>")
        if not header and block.row_height_mm:
            parts.append(f'<w:trHeight w:val="{_twips(block.row_height_mm)}" w:hRule="atLeast"/>')
        if header:
            parts.append("<w:tblHeader/>")
        parts.append("</w:trPr>")
        # Short tables (forms, signatures) stay on one page, with what follows if asked; a long
        # one (an appendix listing) runs on over the pages, its header row repeated.
        short = len(block.rows) <= KEEP_TABLE_ROWS
        keep = (short and r + 1 < len(block.rows)) or block.keep_with_next
        for width_mm, width, text in zip(widths, twips, row, strict=True):
            if not block.compact and not header:
                text = _cell_lines(text, width_mm)
            valign = '<w:vAlign w:val="center"/>' if block.row_height_mm else ""
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{valign}</w:tcPr>')
            kind = (
                ("cellhead" if header else "cell")
                if not block.compact
                else "small" + ("cellhead" if header else "cell")
            )
            parts.append(_paragraph_xml(kind, text, keep_with_next=keep, pitch=pitch))
            parts.append("</w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


_EMU_PER_MM = 36000
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def _image_xml(block: Block, number: int) -> str:
    """An inline picture on a centred line of its own (``rIdImg{number}``, ``media/imageN.png``)."""
    width, height = (round(mm * _EMU_PER_MM) for mm in block.widths_mm[:2])
    name = quoteattr(clean_text(block.text))
    pic = (
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="{number}" name={name}/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="rIdImg{number}"/><a:stretch><a:fillRect/></a:stretch>'
        "</pic:blipFill>"
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{height}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
    )
    drawing = (
        f'<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width}" cy="{height}"/><wp:docPr id="{number}" name={name}/>'
        "<wp:cNvGraphicFramePr><a:graphicFrameLocks "
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/>'
        "</wp:cNvGraphicFramePr><a:graphic "
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f"{pic}</a:graphicData></a:graphic></wp:inline></w:drawing>"
    )
    # Not on the exact body line: the line is as tall as the picture.
    ppr = '<w:pStyle w:val="QDCenter"/><w:spacing w:line="240" w:lineRule="auto"/>'
    if block.keep_with_next:
        ppr += "<w:keepNext/>"
    if block.page_break_before:
        ppr += "<w:pageBreakBefore/>"
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r>{drawing}</w:r></w:p>"


def _seal_room(blocks: Sequence[Block]) -> list[Block]:
    """Room for a seal above the issuers (GB/T 9704 7.3.5): SEAL_LINES_ABOVE empty lines, so the
    seal's top stays within a line of the text."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "sign" and result and result[-1].kind != "sign":
            blanks = 0
            while blanks < len(result) and result[-1 - blanks].kind == "blank":
                blanks += 1
            result.extend(Block("blank") for _ in range(max(0, SEAL_LINES_ABOVE - blanks)))
        result.append(block)
    return result


def _joint_cell_text(names: Sequence[str], k: int, date: str | None) -> str:
    role, sep, unit = names[k].partition("：")
    seal = ""
    for mark in ("（盖章）", "（签字）", "（盖章或签字）"):
        if unit.endswith(mark):
            unit, seal = unit.removesuffix(mark), mark
    # A name too long for its column breaks between words (…社区卫生服务中心 never "服务/中心").
    column = _LINE_CHARS / len(names)
    unit = LINE_BREAK.join(break_lines(unit, int(column)))
    text = f"{role}{seal}{sep}{LINE_BREAK}{unit}" if sep else names[k]
    if date is not None and k == len(names) - 1:
        text += LINE_BREAK + date
    return text


def _joint_signature_xml(names: Sequence[str], date: str | None, pitch: int = LINE_TWIPS) -> str:
    """Two or more issuers side by side (GB/T 9704 7.3.5.2 联合行文): a borderless table, one
    column each, the role above the name, so each 42 mm seal presses on its own issuer and no two
    seals overlap or touch; a long name wraps inside its own column, never pushing 盖章 away.
    The date goes under the last issuer, in the same cell, so the last seal presses on name and
    date and a page break never parts them (one row that cannot split)."""
    width = _twips(TEXT_WIDTH_MM / len(names))
    cells = []
    for k in range(len(names)):
        text = _joint_cell_text(names, k, date)
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f"{_paragraph_xml('center', text, keep_with_next=True, pitch=pitch)}</w:tc>"
        )
    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{width * len(names)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/>'
        '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
        '<w:tblLayout w:type="fixed"/>'  # schema order: tblBorders, shd, tblLayout, tblCellMar
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr><w:tblGrid>"
        + "".join(f'<w:gridCol w:w="{width}"/>' for _ in names)
        + "</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(cells)
        + "</w:tr></w:tbl>"
    )


def _sign_text(text: str) -> str:
    """An issuer too long for one line breaks after its role (招标人：), never inside 盖章."""
    line = TEXT_WIDTH_MM / (BODY_PT * 25.4 / 72)
    if text_width_chars(text) > line and "：" in text:
        role, _, name = text.partition("：")
        return f"{role}：{LINE_BREAK}{name}"
    return text


_TEXT_HEIGHT_TWIPS = _twips(PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"])
# GB/T 9704 7.3.5: rather than spill, a one-page document's line spacing is tightened, down to
# this (19 pt under 16 pt type: about Word's single spacing); the title's lines to TITLE_MIN_PITCH; a document that still does not fit keeps the 22-line grid.
MIN_PITCH_TWIPS = 380
TITLE_MIN_PITCH_TWIPS = 520  # 26 pt under 22 pt type
_FIT_SHARE = 0.995  # of the text block: the estimate errs towards more lines already
_LINE_CHARS = TEXT_WIDTH_MM / _BODY_CHAR_MM


def _estimate_twips(blocks: Sequence[Block], pitch: int) -> float:
    """The height the blocks take with body lines ``pitch`` apart, by the wide measure."""
    total = 0.0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "sign":
            names = [block.text]
            while i + 1 < len(blocks) and blocks[i + 1].kind == "sign":
                i += 1
                names.append(blocks[i].text)
            date = (
                blocks[i + 1].text if i + 1 < len(blocks) and blocks[i + 1].kind == "date" else None
            )
            if len(names) > 1:
                capacity = _LINE_CHARS / len(names)
                lines = max(
                    lines_needed(_joint_cell_text(names, k, date), capacity)
                    for k in range(len(names))
                )
                i += 1 if date is not None else 0
            else:
                lines = lines_needed(_sign_text(names[0]), _LINE_CHARS)
            total += lines * pitch
        elif block.kind == "title":
            lines = len(_title_lines(block))
            total += lines * max(pitch, TITLE_MIN_PITCH_TWIPS)
            if i + 1 == len(blocks) or blocks[i + 1].kind != "title":
                total += pitch
        elif block.kind == "table":
            widths = list(block.widths_mm)
            if len(widths) != len(block.rows[0]):
                widths = [TEXT_WIDTH_MM / len(block.rows[0])] * len(block.rows[0])
            line = _small_line("smallcell", pitch) if block.compact else pitch
            char_mm = _SMALL_CHAR_MM if block.compact else _BODY_CHAR_MM
            for row in block.rows:
                lines = max(
                    lines_needed(
                        text if block.compact else _cell_lines(text, w),
                        (w - _CELL_MARGINS_MM) / char_mm,
                    )
                    for w, text in zip(widths, row, strict=True)
                )
                total += max(lines * line, _twips(block.row_height_mm)) + 20
        elif block.kind == "image":
            total += _twips(block.widths_mm[1]) + 100
        elif block.kind in _LINE_HEIGHTS:
            chars = TEXT_WIDTH_MM / _SMALL_CHAR_MM * 0.93  # small type wraps sooner than counted
            total += _small_line(block.kind, pitch) * lines_needed(block.text, chars)
        elif block.kind != "onepage":
            first = _STYLES[block.kind][4]
            total += pitch * lines_needed(block.text, _LINE_CHARS, indent=first)
        i += 1
    return total


# Small type (the checklist, the cards) tightens in proportion, never below 10.5 pt a line.
SMALL_MIN_LINE_TWIPS = 210
_SMALL_CHAR_MM = SMALL_PT * 25.4 / 72


def _small_line(kind: str, pitch: int) -> int:
    """The exact line height of a small-type style when the body grid is ``pitch``."""
    if pitch == LINE_TWIPS:
        return _LINE_HEIGHTS[kind]
    return max(SMALL_MIN_LINE_TWIPS, round(_LINE_HEIGHTS[kind] * pitch / LINE_TWIPS))


def fit_pitch(blocks: Sequence[Block]) -> int:
    """The body line spacing that puts ``blocks`` on one page: the grid's own when they fit,
    else the widest that fits, not below MIN_PITCH_TWIPS (then the grid's own: it spills)."""
    room = _TEXT_HEIGHT_TWIPS * _FIT_SHARE
    pitches: list[int] = [*range(LINE_TWIPS, MIN_PITCH_TWIPS, -5), MIN_PITCH_TWIPS]
    for pitch in pitches:
        if _estimate_twips(blocks, pitch) <= room:
            return pitch
    return LINE_TWIPS


def _join_titles(blocks: Sequence[Block]) -> list[Block]:
    """Consecutive title lines are one title, broken as a whole (linebreak.break_lines) with
    the template's lines as its phrases."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "title" and result and result[-1].kind == "title":
            last = result[-1]
            parts = last.parts or (last.text,)
            result[-1] = replace(last, text=last.text + block.text, parts=(*parts, block.text))
        else:
            result.append(copy.copy(block))
    return result


def _title_lines(block: Block) -> list[str]:
    if LINE_BREAK in block.text:  # a title with its own line breaks keeps them
        return [
            line
            for part in block.text.split(LINE_BREAK)
            for line in break_lines(part, TITLE_LINE_CHARS)
        ]
    return break_lines(block.text, TITLE_LINE_CHARS, phrases=block.parts)


def _body_xml(blocks: Sequence[Block]) -> Iterator[str]:
    blocks = _seal_room(_join_titles(blocks))
    _closing_groups(blocks)
    pitch = fit_pitch(blocks) if any(b.kind == "onepage" for b in blocks) else LINE_TWIPS
    for i, block in enumerate(blocks):  # a label ending in a colon stays with its table
        if block.text.endswith("：") and i + 1 < len(blocks) and blocks[i + 1].kind == "table":
            block.keep_with_next = True
    pictures = 0
    joint: list[str] = []
    skip_date = False
    for i, block in enumerate(blocks):
        if block.kind == "onepage":
            continue
        if block.kind == "image":
            pictures += 1
            yield _image_xml(block, pictures)
            continue
        if skip_date and block.kind == "date":
            skip_date = False
            continue
        if block.kind == "sign" and (
            joint or (i + 1 < len(blocks) and blocks[i + 1].kind == "sign")
        ):
            joint.append(block.text)
            if i + 1 < len(blocks) and blocks[i + 1].kind == "sign":
                continue
            date = (
                blocks[i + 1].text if i + 1 < len(blocks) and blocks[i + 1].kind == "date" else None
            )
            yield _joint_signature_xml(joint, date, pitch)
            skip_date = date is not None
            joint = []
            continue
        if block.kind == "table":
            if block.page_break_before:
                yield _paragraph_xml("blank", "", page_break_before=True)
            yield _table_xml(block, pitch)
            continue
        right = 0.0
        text = block.text
        if block.kind == "sign":
            date = next((b.text for b in blocks[i + 1 :] if b.kind == "date"), None)
            text = _sign_text(text)
            right = _sign_indent_chars(max(text.split(LINE_BREAK), key=text_width_chars), date)
        elif block.kind == "date":
            right = DATE_RIGHT_CHARS
        elif block.kind == "title":
            # GB/T 9704 7.3.1: broken at phrase boundaries, 上长下短 (linebreak.break_lines).
            text = LINE_BREAK.join(_title_lines(block))
        yield _paragraph_xml(
            block.kind,
            text,
            keep_with_next=block.keep_with_next
            or block.kind in ("title", "heading1", "heading2", "smallhead"),
            page_break_before=block.page_break_before,
            right_chars=right,
            pitch=pitch,
        )
        if block.kind == "title" and (i + 1 == len(blocks) or blocks[i + 1].kind != "title"):
            yield _paragraph_xml(
                "blank", "", pitch=pitch
            )  # GB/T 9704 7.3.1: one empty line below the title


def _core_xml(title: str, author: str, now: datetime) -> str:
    moment = now.astimezone(UTC) if now.tzinfo else now
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(clean_text(title))}</dc:title>"
        f"<dc:creator>{escape(clean_text(author))}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(clean_text(author))}</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app_xml(title: str) -> str:
    """Extended properties: the application that wrote the file (not "Microsoft Macintosh
    Word", python-docx's template) and the document's title."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes">'
        "<Template>Normal.dotm</Template><TotalTime>0</TotalTime>"
        f"<Application>qdplan {escape(__version__)}</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>标题</vt:lpstr>'
        "</vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
        f"<vt:lpstr>{escape(clean_text(title))}</vt:lpstr></vt:vector></TitlesOfParts>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    )


def build_docx(
    blocks: Sequence[Block],
    *,
    title: str,
    author: str = "",
    now: datetime,
    images: Mapping[str, bytes] | None = None,
) -> bytes:
    """The whole document as DOCX bytes (written by the caller in one go). ``images`` holds the
    PNGs the ``image`` blocks name."""
    pictures = [b.text for b in blocks if b.kind == "image"]
    missing = [name for name in pictures if name not in (images or {})]
    if missing:
        raise ValueError(f"no image named {missing[0]!r}")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                at = xml.rindex("<w:sectPr")
                data = (xml[:at] + "".join(_body_xml(blocks)) + xml[at:]).encode("utf-8")
            elif item.filename == "docProps/core.xml":
                data = _core_xml(title, author, now).encode("utf-8")
            elif pictures and item.filename == "word/_rels/document.xml.rels":
                rels = "".join(
                    f'<Relationship Id="rIdImg{n}" Type="{_IMAGE_REL}" Target="media/image{n}.png"/>'
                    for n in range(1, len(pictures) + 1)
                )
                data = data.replace(b"</Relationships>", rels.encode("ascii") + b"</Relationships>")
            elif (
                pictures
                and item.filename == "[Content_Types].xml"
                and b'Extension="png"' not in data
            ):
                png = b'<Default Extension="png" ContentType="image/png"/>'
                data = data.replace(b"<Default ", png + b"<Default ", 1)
            elif item.filename == "docProps/app.xml":
                data = _app_xml(title).encode("utf-8")
            target.writestr(item.filename, data)
        for n, name in enumerate(pictures, start=1):
            target.writestr(f"word/media/image{n}.png", (images or {})[name])
    return out.getvalue()
