#!/usr/bin/env python3
"""Read a DOCX back and check the key GB/T 9704-2012 layout properties. (A copy of the shared
layout checker, shared/tools/check_official_layout.py, so a fresh clone runs it in its tests.)

Usage: python check_official_layout.py FILE.docx [...]   (needs python-docx)
FAIL lines are defects; WARN lines are departures the standard allows in special cases.

Resolves effective values through: direct run/paragraph props -> paragraph style
-> basedOn chain -> docDefaults.  Exit code 1 on any failure.
"""

from __future__ import annotations

import sys

from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Mm

TOL_EMU = Mm(0.5)
EXPECT = {
    "page": (Mm(210), Mm(297)),
    "margins": {"top": Mm(37), "left": Mm(28), "right": Mm(26), "bottom": Mm(35)},
    "line_twips": 579,
}
THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
fails: list[str] = []


def ok(cond: bool, msg: str) -> None:
    print(("PASS " if cond else "FAIL ") + msg)
    if not cond:
        fails.append(msg)


def style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def rfonts_attr(rPr, attr):
    if rPr is None or rPr.rFonts is None:
        return None
    return rPr.rFonts.get(qn(f"w:{attr}"))


def effective_run(doc, run, para):
    """(eastAsia, ascii, size_pt, theme_attrs_seen) for a run."""
    east = ascii_ = size = None
    themes = set()
    layers = [run._r.rPr]
    layers += [s.element.rPr for s in style_chain(para.style)]
    layers.append(
        doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    for rPr in layers:
        if rPr is None:
            continue
        if rPr.rFonts is not None:
            for t in THEME_ATTRS:
                if rPr.rFonts.get(qn(f"w:{t}")) is not None and east is None:
                    themes.add(t)
        east = east or rfonts_attr(rPr, "eastAsia")
        ascii_ = ascii_ or rfonts_attr(rPr, "ascii")
        if size is None and rPr.sz is not None:
            size = rPr.sz.val.pt
    return east, ascii_, size, themes


def effective_pf(para, attr):
    v = getattr(para.paragraph_format, attr)
    if v is not None:
        return v
    for s in style_chain(para.style):
        v = getattr(s.paragraph_format, attr)
        if v is not None:
            return v
    return None


def first_line_chars(para):
    for el in [para._p.pPr] + [s.element.pPr for s in style_chain(para.style)]:
        if el is not None and el.ind is not None and el.ind.get(qn("w:firstLineChars")) is not None:
            return int(el.ind.get(qn("w:firstLineChars")))
    return None


def main(path: str) -> int:
    doc = Document(path)
    # --- page setup
    for i, sec in enumerate(doc.sections):
        ok(
            abs(sec.page_width - EXPECT["page"][0]) < TOL_EMU
            and abs(sec.page_height - EXPECT["page"][1]) < TOL_EMU,
            f"sec{i} A4 page {sec.page_width.mm:.1f}x{sec.page_height.mm:.1f}mm",
        )
        for k, v in EXPECT["margins"].items():
            got = getattr(sec, f"{k}_margin")
            ok(abs(got - v) < TOL_EMU, f"sec{i} {k} margin {got.mm:.2f}mm (want {v.mm:.0f}±0.5)")
        tw = Emu(sec.page_width - sec.left_margin - sec.right_margin).mm
        th = Emu(sec.page_height - sec.top_margin - sec.bottom_margin).mm
        ok(
            abs(tw - 156) < 1 and abs(th - 225) < 1,
            f"sec{i} text block {tw:.1f}x{th:.1f}mm (156x225)",
        )
        grid = sec._sectPr.find(qn("w:docGrid"))
        print(
            f"INFO sec{i} docGrid",
            None if grid is None else dict(grid.attrib),
            "footer_distance",
            f"{sec.footer_distance.mm:.1f}mm",
        )
        # --- footer page number
        for label, ftr in (("odd/default", sec.footer), ("even", sec.even_page_footer)):
            if (
                ftr.is_linked_to_previous
                and label == "even"
                and not doc.settings.odd_and_even_pages_header_footer
            ):
                continue
            xml = ftr._element.xml
            has_page = ("PAGE" in "".join(ftr._element.itertext())) or 'w:instr="PAGE' in xml
            text = "".join(t.text or "" for t in ftr._element.iter(qn("w:t")))
            ok(has_page, f"sec{i} {label} footer has PAGE field")
            ok(
                text.strip().startswith("—") and text.strip().endswith("—"),
                f"sec{i} {label} footer text {text!r} is '— N —'",
            )
            sizes = {r.font.size.pt for p in ftr.paragraphs for r in p.runs if r.font.size}
            easts = {rfonts_attr(r._r.rPr, "eastAsia") for p in ftr.paragraphs for r in p.runs}
            ok(sizes == {14.0}, f"sec{i} {label} footer run sizes {sizes} == 14pt (4号)")
            ok(easts == {"宋体"}, f"sec{i} {label} footer eastAsia fonts {easts} == 宋体")
    ok(
        doc.settings.odd_and_even_pages_header_footer,
        "settings evenAndOddHeaders on (单页右/双页左)",
    )
    tfl = doc.settings.element.find(qn("w:themeFontLang"))
    print("INFO themeFontLang", None if tfl is None else dict(tfl.attrib))

    # --- every body paragraph with text
    for n, p in enumerate(doc.paragraphs):
        if not p.text.strip():
            continue
        ls, rule = effective_pf(p, "line_spacing"), effective_pf(p, "line_spacing_rule")
        if not (
            rule == WD_LINE_SPACING.EXACTLY
            and ls is not None
            and round(ls.twips) == EXPECT["line_twips"]
        ):
            print(
                f"WARN p{n} line spacing {ls and ls.pt}pt rule={rule} (22 lines a page wants exactly 28.95pt)"
            )
        for r in p.runs:
            east, asc, size, themes = effective_run(doc, r, p)
            ok(
                east is not None and not themes,
                f"p{n} run {r.text[:8]!r} eastAsia={east} size={size}",
            )
        flc = first_line_chars(p)
        if flc is not None and flc != 200:
            print(f"WARN p{n} firstLineChars={flc} (body text is indented 2 chars = 200)")
    # --- dates use Arabic numerals, no zero padding
    import re

    for p in doc.paragraphs:
        for m in re.finditer(
            r"(\d{4}|[〇零一二三四五六七八九]{4})年(\d{1,2}|\S{1,3})月(\d{1,2}|\S{1,3})日", p.text
        ):
            ok(
                bool(re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", m.group(0))),
                f"date {m.group(0)} 阿拉伯数字/不编虚位",
            )
    print("\nRESULT:", "OK" if not fails else f"{len(fails)} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    worst = 0
    for path in sys.argv[1:]:
        print(f"== {path}")
        fails.clear()
        worst = max(worst, main(path))
    sys.exit(worst)
