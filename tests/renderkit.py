"""Helpers for the render tests: run the CLI as a user would, read DOCX files back."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import tomli_w
from docx.oxml.ns import qn

DATA = Path(__file__).parent / "data"
NOW = "2026-12-16T10:00"  # after every example incident


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never read the real user's config dir (user templates would shadow the built-in ones).
    The cache stays the session's (tests/conftest.py): compiled templates are compiled once."""
    config = tmp_path / "config"
    monkeypatch.setenv("QDPLAN_CONFIG", str(config / "config.toml"))
    return config


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``qdplan ARGV`` through the real entry point (errors become exit codes there)."""
    from qdplan_cli.__main__ import main

    capsys.readouterr()
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    else:  # pragma: no cover - main always exits
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def render(
    case: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    return run(["render", "--case", str(case), "--out", str(out), "--now", NOW, *extra], capsys)


def load_toml(name: str) -> dict[str, Any]:
    with (DATA / name).open("rb") as handle:
        return tomllib.load(handle)


def write_case(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def paragraphs_everywhere(document: Any) -> Iterator[Any]:
    """Body paragraphs, table cell paragraphs, and footer paragraphs."""
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            yield from footer.paragraphs


def _text(element: Any) -> str:
    """The text a reader sees in an element: w:t, with w:br as a line break and w:tab a tab."""
    parts: list[str] = []
    for node in element.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:br"):
            parts.append("\n")
        else:
            parts.append("\t")
    return "".join(parts)


def text_of(path: Path, *, joined_cells: bool = False) -> str:
    """Every line of text a reader sees: paragraphs and table rows ("a | b"), in order.
    ``joined_cells``: a cell's own line breaks (a long name broken between phrases) left out."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(_text(child))
        elif child.tag == qn("w:tbl"):
            for tr in child.iter(qn("w:tr")):
                cells = [_text(tc) for tc in tr.iter(qn("w:tc"))]
                if joined_cells:
                    cells = [c.replace("\n", "") for c in cells]
                lines.append(" | ".join(cells))
    return "\n".join(lines)


def docx_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*.docx"))


def is_windows() -> bool:
    return sys.platform == "win32"
