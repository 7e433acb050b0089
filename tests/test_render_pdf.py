"""A real consumer of the files: LibreOffice converts every document to PDF, and the delay
notice fits on one page. Skipped where LibreOffice is not installed (CI installs it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .renderkit import DATA, docx_files, isolated_config, render  # noqa: F401

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed",
)


def pdf_pages(path: Path) -> int:
    """Page count from the PDF's own page tree (no poppler needed)."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b", data))


@needs_soffice
def test_every_document_converts_and_the_notices_fit_one_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qdplan_cli.documents.pdf import convert_to_pdf

    converted: dict[str, int] = {}
    # The first case through `render --pdf` itself; the others rendered, then converted in one
    # LibreOffice run (a start-up each costs seconds): the same documents, the same checks.
    names = ("prep-power-delay", "opening-network-plan3", "evaluation-power-plan2",
             "evaluation-network-plan3")  # fmt: skip
    batch = tmp_path / "batch"
    batch.mkdir()
    for index, name in enumerate(names):
        out = tmp_path / name
        code, stdout, err = render(DATA / f"{name}.toml", out, capsys, *(["--pdf"][index:]))
        assert code == 0, err
        if index == 0:
            assert "已转换 PDF" in stdout
            for docx_name in docx_files(out):
                pdf = out / docx_name.replace(".docx", ".pdf")
                assert pdf.is_file(), pdf
                converted[f"{name}/{pdf.stem}"] = pdf_pages(pdf)
            continue
        for docx_name in docx_files(out):
            shutil.copyfile(out / docx_name, batch / f"{name}__{docx_name}")
    copies = sorted(batch.glob("*.docx"))
    (tmp_path / "pdf").mkdir()
    pdfs = convert_to_pdf(copies, tmp_path / "pdf", private=[False] * len(copies))
    assert len(pdfs) == len(copies)
    for pdf in pdfs:
        assert pdf.is_file(), pdf
        converted[pdf.stem.replace("__", "/")] = pdf_pages(pdf)
    assert {key.split("/")[1] for key in converted} == {
        "incident_record",
        "delay_notice",
        "supplementary_notice",
        "filing_report",
        "closure_plan",
        "evaluation_reschedule",
        "confidentiality_commitment",
    }
    assert all(pages >= 1 for pages in converted.values()), converted
    # With 联系方式, 特此公告 and seal room the notices take at most two pages (the signature
    # never alone: it is kept with 特此公告, tests/test_render_layout.py).
    assert converted["prep-power-delay/delay_notice"] <= 2
    assert converted["opening-network-plan3/supplementary_notice"] <= 2


def test_pdf_without_libreoffice_says_so_and_keeps_the_docx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QDPLAN_SOFFICE", str(tmp_path / "no-such-soffice"))
    code, stdout, err = render(
        DATA / "prep-power-delay.toml", tmp_path / "out", capsys, "--pdf", "--only", "delay_notice"
    )
    assert code == 3
    assert "未找到 LibreOffice" in err and "DOCX 文书已生成" in err
    assert docx_files(tmp_path / "out") == ["delay_notice.docx"]
    assert "Traceback" not in err
