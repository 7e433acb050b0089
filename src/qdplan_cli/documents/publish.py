"""Publishing documents: render a template to markup, build the DOCX, and write the file
(owner-only when it is internal). The one path from a context to a file on disk for the paper
pack, the checklist and the fee sheet.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qdplan_cli.plan.errors import UserError

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.record.casefile import Case

PACK_PAGES = 12  # 9 cards, one page each, then the 3 forms
FEE_SHEET = "expert_fee_sheet"
FEE_SHEET_TITLE = "评标专家劳务费计算表"


def build_paper(
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    author: str,
    now: datetime,
    templates: Path | None = None,
) -> bytes:
    """Render a template to markup and build the DOCX (the same writer as every document)."""
    from qdplan_cli.documents.docx_writer import build_docx
    from qdplan_cli.documents.markup import parse
    from qdplan_cli.documents.templating import Templates

    store = Templates(templates)
    info = store.find(template)
    blocks = parse(store.render(template, context), str(info.path))
    return build_docx(blocks, title=title, author=author, now=now)


def write_paper(target: Path, data: bytes, *, private: bool) -> Path:
    from qdplan_cli.local.files import write_atomically

    if target.parent.exists() and not target.parent.is_dir():
        raise UserError("不是目录", field=str(target.parent))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data, private=private)
    except OSError as exc:
        raise UserError(f"无法写入文件：{exc.strerror}", field=str(target)) from None
    return target


def pdf_pages(path: Path) -> int | None:
    """The page count from the PDF's page tree (LibreOffice writes one), or None."""
    import re

    try:
        data = path.read_bytes()
    except OSError:
        return None
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    return max(counts) if counts else None


def project_fields(case: Case) -> dict[str, str]:
    from qdplan_cli.plan.labels import terms
    from qdplan_cli.plan.times import format_dt

    p = case.project
    return {
        "name": p.name,
        "number": p.number,
        "type": terms(p.type)["project_type"],
        "tenderer": p.tenderer,
        "agency": p.agency,
        "venue": p.venue,
        "opening_time": format_dt(p.opening_time) if p.opening_time else "",
    }


def fee_sheet_docx(case: Case, config: Config, now: datetime, templates: Path | None) -> bytes:
    """The expert fee sheet of a case with ``[[attendance]]`` (internal: names may appear)."""
    from qdplan_cli.documents.cards import fee_context
    from qdplan_cli.plan.fees import fee_sheet

    sheet = fee_sheet(case.attendance, config.fees)
    context = fee_context(
        sheet,
        project=project_fields(case),
        project_type=case.project.type,
        now=now,
        source=config.fee_sources.get(case.project.type, ""),
    )
    return build_paper(
        FEE_SHEET,
        context,
        title=f"{FEE_SHEET_TITLE}（{case.project.name}）",
        author=case.project.agency,
        now=now,
        templates=templates,
    )
