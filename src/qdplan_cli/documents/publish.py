"""Publishing documents: render a template to markup, build the DOCX, and write the file
(owner-only when it is internal). The one path from a context to a file on disk for the paper
pack, the checklist and the fee sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qdplan_cli.plan.errors import UserError

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.record.casefile import Case

PACK_PAGES = 12  # 9 cards, one page each, then the 3 forms
FEE_SHEET = "expert_fee_sheet"
FEE_SHEET_TITLE = "评标专家劳务费计算表"


def build_paper(
    template: str,
    context: dict[str, object],
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


def write_error(exc: OSError, where: Path) -> UserError:
    from qdplan_cli.local.files import OutputRefusedError, is_disk_full
    from qdplan_cli.plan.errors import StorageError

    if isinstance(exc, OutputRefusedError):
        return UserError(str(exc.strerror), field=str(where))
    if is_disk_full(exc):
        return StorageError(
            f"磁盘已满（或超出配额），未写入任何文件：{where} 中没有新增或改动的文件。"
            "请腾出空间后重试",
            field=str(where),
        )
    return UserError(f"无法写入文件：{exc.strerror}", field=str(where))


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)


def write_set(
    folder: Path, items: Sequence[tuple[str, bytes, bool]], *, pdf: bool = False
) -> Written:
    """Write a set of documents ``(file name, DOCX bytes, private)`` into ``folder``: all of
    them or none (a full disk: exit 4, nothing new in the folder), each at its final mode from
    the start; with ``pdf``, their PDFs too, converted in the private staging folder so only
    PDFs of this run count. A failed conversion still delivers the DOCX set, then raises
    ``PdfUnavailableError`` (exit 3)."""
    from qdplan_cli.documents.pdf import PdfUnavailableError, convert
    from qdplan_cli.local.files import Staged, commit, stage_file, staging

    try:
        if folder.exists() and not folder.is_dir():
            raise UserError("不是目录", field=f"--out {folder}")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建输出目录：{exc.strerror}", field=f"--out {folder}") from None
    written = Written()
    pdf_error: PdfUnavailableError | None = None
    try:
        with staging(folder) as stage:
            staged = [
                Staged(stage_file(stage, name, data, private=private), folder / name)
                for name, data, private in items
            ]
            pdf_staged: list[Staged] = []
            if pdf and staged:
                try:
                    made = convert(
                        [s.source for s in staged], stage, private=[p for _, _, p in items]
                    )
                    pdf_staged = [Staged(p, folder / p.name) for p in made]
                except PdfUnavailableError as exc:
                    pdf_error = exc
            commit([*staged, *pdf_staged])
    except OSError as exc:
        raise write_error(exc, folder) from None
    written.files = [s.target for s in staged]
    written.pdfs = [s.target for s in pdf_staged]
    if pdf_error is not None:
        raise pdf_error
    return written


def write_paper(target: Path, data: bytes, *, private: bool) -> Path:
    return write_set(target.parent, [(target.name, data, private)]).files[0]


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
    from qdplan_cli.plan.fields import PROJECT, Shown
    from qdplan_cli.plan.labels import terms
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.record.casefile import case_value

    out: dict[str, str] = {}
    for spec in PROJECT:  # the project's lines the field table marks for the card
        if Shown.CARD not in spec.shown:
            continue
        value = case_value(case, spec)
        if isinstance(value, datetime):
            out[spec.key] = format_dt(value)
        elif spec.key == "type":
            out[spec.key] = terms(case.project.type)["project_type"]
        else:
            out[spec.key] = str(value or "")
    return out


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
