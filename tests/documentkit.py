"""Every document the tool writes, rendered once per test session and converted to PDF by
LibreOffice: the example cases' documents (tests/data/*.toml), a checklist, the paper pack and a
year in review. Shared by the visual regression check (tests/test_visual.py) and the text and
page checks (tests/test_document_text.py)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

DATA = Path(__file__).parent / "data"
VISUAL = Path(__file__).parent / "visual"
NOW = "2026-12-16T10:00"
CASES = sorted(p.stem for p in DATA.glob("*.toml"))
# The documents that are not an example case's: a checklist, the pack, the review.
OTHERS = "documents"
CHECKLIST_CASE = "opening-network-plan3"
# The notices again, for a 30-character project name (not in the visual references): each
# example's, and the opening-stage plan-3 case as a procurement project with every contact
# line of the procurement example, its first notice's date and a fix after the notice (the
# 更正公告 with the most lines).
# variant → (example case, project type or "" for the case's own, name, notice).
LONG_NAMES = "long-names"
LONG_NAME_CASES = {
    "prep-power-delay": (
        "prep-power-delay",
        "",
        "青岛市市北区某某社区卫生服务中心二〇二六年度医用设备采购项目",
        "delay_notice",
    ),
    "opening-network-plan3": (
        "opening-network-plan3",
        "",
        "青岛西海岸新区某某智慧园区基础设施配套道路改造工程施工总承包",
        "supplementary_notice",
    ),
    "opening-network-plan3-procurement": (
        "opening-network-plan3",
        "procurement",
        "青岛西海岸新区某某智慧园区基础设施配套道路照明设备采购及安装",
        "supplementary_notice",
    ),
}
CONFIG = """\
[supervisors]
construction = "青岛市住房和城乡建设局"
procurement = "青岛市财政局"
"""

needs_tools = pytest.mark.skipif(
    (shutil.which("soffice") is None and shutil.which("libreoffice") is None)
    or shutil.which("pdftoppm") is None
    or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler (pdftoppm, pdftotext) are needed",
)


@dataclass
class Rendered:
    """group (a case, or ``OTHERS``) → document stem → its DOCX / PDF."""

    docx: dict[str, dict[str, Path]] = field(default_factory=dict)
    pdf: dict[str, dict[str, Path]] = field(default_factory=dict)

    def all_docx(self) -> list[Path]:
        return [p for group in self.docx.values() for p in group.values()]


def _main(argv: list[str]) -> None:
    from qdplan_cli.__main__ import main

    try:
        main(argv)
    except SystemExit as exc:
        assert not exc.code, f"qdplan {' '.join(argv)} failed"


def render_everything(root: Path) -> Rendered:
    """Render and convert every document into ``root`` (the environment is set by the caller:
    QDPLAN_CONFIG, QDPLAN_CACHE, QDPLAN_HOME, FONTCONFIG_FILE)."""
    from qdplan_cli.documents.pdf import convert_to_pdf

    rendered = Rendered()
    for case in CASES:
        out = root / case
        case_file = str(DATA / f"{case}.toml")
        _main(["render", "--case", case_file, "--out", str(out), "--now", NOW, "--expert-names"])
        rendered.docx[case] = {p.stem: p for p in sorted(out.glob("*.docx"))}
    others = root / OTHERS
    _main(
        [
            "checklist",
            "--case",
            str(DATA / f"{CHECKLIST_CASE}.toml"),
            "--out",
            str(others / "checklist.docx"),
            "--now",
            "2026-12-08T11:00",
        ]
    )
    _main(["pack", "--out", str(others), "--now", NOW])
    if importlib.util.find_spec("matplotlib") is not None:
        (others / "review.docx").write_bytes(_review_docx())
    rendered.docx[OTHERS] = {p.stem: p for p in sorted(others.glob("*.docx"))}
    long_names = root / LONG_NAMES
    rendered.docx[LONG_NAMES] = {}
    for case, (example, project_type, name, notice) in LONG_NAME_CASES.items():
        assert len(name) == 30
        with (DATA / f"{example}.toml").open("rb") as handle:
            data = tomllib.load(handle)
        data["project"]["name"] = name
        if project_type:
            data["project"]["type"] = project_type
            with (DATA / "prep-power-delay.toml").open("rb") as handle:
                contacts = tomllib.load(handle)["project"]
            for key in (
                "tenderer_address",
                "tenderer_contact",
                "tenderer_phone",
                "agency_address",
                "contact",
                "phone",
                "first_notice_date",
            ):
                data["project"][key] = contacts[key]
            # Fixed after the notice was issued (its published text stays as issued).
            data["incident"]["resolved_at"] = datetime(2026, 12, 8, 14, 22)
        case_file = root / f"{case}-long.toml"
        case_file.write_text(tomli_w.dumps(data), encoding="utf-8")
        out = root / f"{case}-long"
        _main(
            ["render", "--case", str(case_file), "--out", str(out), "--now", NOW, "--only", notice]
        )
        long_names.mkdir(exist_ok=True)
        target = long_names / f"{case}--{notice}.docx"
        (out / f"{notice}.docx").rename(target)
        rendered.docx[LONG_NAMES][target.stem] = target
    # One LibreOffice run for all of them (each start with a fresh profile costs seconds): the
    # groups share file names, so each file goes in under "group__name" and comes back out.
    batch = root / "batch"
    batch.mkdir()
    sources: list[Path] = []
    for group, files in rendered.docx.items():
        for stem, docx in files.items():
            sources.append(batch / f"{group}__{stem}.docx")
            shutil.copyfile(docx, sources[-1])
    converted = root / "batch-pdf"
    converted.mkdir()
    pdfs = convert_to_pdf(sources, converted, private=[False] * len(sources))
    for pdf in pdfs:
        group, stem = pdf.stem.split("__", 1)
        target = root / "pdf" / group
        target.mkdir(parents=True, exist_ok=True)
        rendered.pdf.setdefault(group, {})[stem] = pdf.rename(target / f"{stem}.pdf")
    return rendered


def _review_docx() -> bytes:
    """A generated year in review, as ``qdplan review --source local`` makes it (with a fixed
    "now": the command has no --now)."""
    from datetime import datetime

    from qdplan_cli.documents.review import render
    from qdplan_cli.plan.times import shanghai
    from qdplan_cli.record.handover import local_chains, review_item
    from qdplan_cli.record.review_stats import review
    from qdplan_cli.record.store import Store

    from .yeargen import generate_year

    with Store.open() as store:
        generate_year(store, 2026, 12, seed=22)
        items = [review_item(c, checked=True) for c in local_chains(store, laptop="", hall="中心")]
    result = review(items, 2026)
    now = datetime(2026, 12, 16, 10, 0, tzinfo=shanghai())
    return render(result, issuer="青岛市公共资源交易中心", now=now).docx


def pdf_text(pdf: Path) -> str:
    """The PDF's text, line by line as laid out (pdftotext -layout)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout


def pdf_page_texts(pdf: Path) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1] or [""]
