"""What a reader copies, searches and prints: every document's text is exactly what was typed (no
invisible or substitute characters), each project number stands whole on one line of the PDF,
the notices are one page each, and no page carries a seal without body text (GB/T 9704 7.3.5)."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from .documentkit import (
    CASES,
    DATA,
    LONG_NAMES,
    OTHERS,
    Rendered,
    needs_tools,
    pdf_page_texts,
    pdf_text,
)

# WORD JOINER, ZERO WIDTH SPACE, SOFT HYPHEN, NON-BREAKING HYPHEN, BOM / ZERO WIDTH NO-BREAK SPACE.
HIDDEN = "\u2060\u200b\u00ad\u2011\ufeff"
NOTICES = ("delay_notice", "supplementary_notice")


def _parts_text(docx: Path) -> dict[str, str]:
    with zipfile.ZipFile(docx) as z:
        return {
            n: z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.endswith(".xml") and (n.startswith("word/") or n.startswith("docProps/"))
        }


def _number(case: str) -> str:
    with (DATA / f"{case}.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["number"])


@needs_tools
def test_no_document_holds_an_invisible_or_substitute_character(
    rendered_documents: Rendered,
) -> None:
    files = rendered_documents.all_docx()
    assert len(files) >= 19 and {p.stem for p in files} >= {"checklist", "emergency_pack"}
    found = []
    for docx in files:
        for part, xml in _parts_text(docx).items():
            for char in HIDDEN:
                if char in xml:
                    found.append(f"{docx.parent.name}/{docx.name} {part}: U+{ord(char):04X}")
        pdf = rendered_documents.pdf[docx.parent.name][docx.stem]
        text = pdf_text(pdf)
        found += [f"{pdf.name} (PDF): U+{ord(c):04X}" for c in HIDDEN if c in text]
    assert not found, "\n".join(found)


@needs_tools
@pytest.mark.parametrize("case", CASES)
def test_each_project_number_stands_whole_on_one_line_of_the_pdf(
    case: str, rendered_documents: Rendered
) -> None:
    number = _number(case)
    pieces = re.split(r"(?<=-)", number)  # where a line could break: after a hyphen
    for stem, pdf in rendered_documents.pdf[case].items():
        lines = pdf_text(pdf).splitlines()
        whole = [line for line in lines if number in line.replace(" ", "")]
        assert whole or stem == "expert_fee_sheet", f"{stem}: {number} not found whole"
        for a, b in zip(lines, lines[1:], strict=False):
            for k in range(1, len(pieces)):
                head, tail = "".join(pieces[:k]), "".join(pieces[k:])
                assert not (a.rstrip().endswith(head) and b.lstrip().startswith(tail)), (
                    f"{stem}: {number} split as {a.strip()!r} / {b.strip()!r}"
                )


@needs_tools
def test_the_notices_are_one_page_each_with_a_30_character_name_too(
    rendered_documents: Rendered,
) -> None:
    pages = {
        f"{case}/{stem}": len(pdf_page_texts(pdf))
        for case in [*CASES, LONG_NAMES]
        for stem, pdf in rendered_documents.pdf[case].items()
        if stem in NOTICES or case == LONG_NAMES
    }
    assert len(pages) == 5, pages
    assert all(n == 1 for n in pages.values()), pages


def _sentences(lines: list[str]) -> list[str]:
    """Lines of body text: a sentence's punctuation, not a seal, a date or 特此公告 alone."""
    return [
        line
        for line in lines
        if re.search("[，。；：]", line)
        and not re.search("盖章|签字|^特此(公告|报告)", line)
        and not re.fullmatch(r"[\d\s年月日]+", line)
    ]


@needs_tools
def test_no_page_carries_seals_or_signatures_without_body_text(
    rendered_documents: Rendered,
) -> None:
    """GB/T 9704 7.3.5: a page with the issuers' seals carries body text too; a record's table
    of signatures is never alone on its page."""
    lonely = []
    for group, pdfs in rendered_documents.pdf.items():
        for stem, pdf in pdfs.items():
            for n, page in enumerate(pdf_page_texts(pdf), start=1):
                lines = [line.strip() for line in page.splitlines() if line.strip()]
                sealed = any(re.search("盖章|签字", line) for line in lines)
                if n > 1 and sealed and not _sentences(lines):
                    lonely.append(f"{group}/{stem} page {n}: {lines}")
    assert not lonely, "\n".join(lonely)


@needs_tools
def test_the_checklist_prints_no_markup_and_keeps_each_step_apart(
    rendered_documents: Rendered,
) -> None:
    from .renderkit import text_of

    text = text_of(rendered_documents.docx[OTHERS]["checklist"])
    assert "@" not in text, text
    lines = text.splitlines()
    assert any(line.startswith("三种方案") for line in lines), text
    steps = [line for line in lines if line.startswith(("□", "√")) and "〔" in line]
    assert any(line.startswith("■ 方案三") for line in lines), text
    # One step a paragraph: each ends with its clause (or when it was done), none runs on.
    assert len(steps) >= 4, steps
    assert all(re.search(r"(〕|完成）)$", line) for line in steps), steps
    assert not any(re.search(r"〕\s*[□√]", line) for line in steps), steps


@needs_tools
def test_the_layout_checker_finds_no_failure_in_any_document(
    rendered_documents: Rendered, capsys: pytest.CaptureFixture[str]
) -> None:
    from . import check_official_layout as checker

    failures = {}
    for docx in rendered_documents.all_docx():
        checker.fails.clear()
        checker.main(str(docx))
        if checker.fails:
            failures[f"{docx.parent.name}/{docx.name}"] = list(checker.fails)
    capsys.readouterr()
    assert not failures, failures


# CT_TblPrBase (ECMA-376 17.4.60): the order of a table's properties.
TBLPR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
]


@needs_tools
def test_table_properties_in_schema_order_fonts_declared_and_word_2013_mode(
    rendered_documents: Rendered,
) -> None:
    wrong = []
    for docx in rendered_documents.all_docx():
        parts = _parts_text(docx)
        for tblpr in re.findall(r"<w:tblPr>(.*?)</w:tblPr>", parts["word/document.xml"]):
            names = re.findall(r"<w:(\w+)[ />]", tblpr)
            names = [n for n in names if n in TBLPR_ORDER]
            if names != sorted(names, key=TBLPR_ORDER.index):
                wrong.append(f"{docx.name}: {names}")
        assert (
            'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"'
            in parts["word/settings.xml"]
        ), docx
        # A line before a moved project number is not spread letter by letter.
        assert "<w:doNotExpandShiftReturn/>" in parts["word/settings.xml"], docx
        fonts = parts["word/fontTable.xml"]
        used = set(
            re.findall(
                r'<w:rFonts [^>]*w:eastAsia="([^"]+)"',
                parts["word/document.xml"] + parts["word/styles.xml"],
            )
        )
        for name in used:
            entry = re.search(rf'<w:font w:name="{name}">(.*?)</w:font>', fonts)
            assert entry, (docx.name, name)
            assert '<w:charset w:val="86"/>' in entry.group(1) and "<w:panose1 " in entry.group(1)
            assert "<w:altName " in entry.group(1)
    assert not wrong, wrong


def test_the_documents_are_converted_once_a_run_on_one_worker(
    rendered_documents: Rendered, request: pytest.FixtureRequest
) -> None:
    """Under pytest-xdist every test of the converted documents runs on one worker (conftest's
    groups), or each worker would convert them all again: pytest 9.2 made xdist drop its groups
    silently (pytest-xdist#1386)."""
    if getattr(request.config.option, "loadgroup", False):  # a worker of `--dist loadgroup`
        assert request.node.nodeid.endswith("@documents"), request.node.nodeid
    assert rendered_documents.pdf
