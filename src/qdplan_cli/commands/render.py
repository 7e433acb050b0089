"""``qdplan render`` and ``qdplan templates list|show|vars``.

Only typer and the standard library at module level: the engine, Jinja and python-docx are
imported inside the commands (start-up speed of the other commands).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.options import TemplatesOpt, sub_app
from qdplan_cli.ui.reports import WrittenFile, WrittenSet, say, show_written

if TYPE_CHECKING:
    pass

templates_app = sub_app("templates", "文书模板：查看有哪些模板、模板原文和可用变量。")


def render(
    case: Annotated[
        Path | None,
        typer.Option(help="案例文件（TOML），与 qdplan decide --case 相同。", dir_okay=False),
    ] = None,
    incident: Annotated[
        str | None,
        typer.Option(
            "--incident",
            metavar="ID",
            help="改用已记录的事件（编号见 qdplan list）：先校验其记录，并在书面记录签字表下方印上记录校验码。",
            show_default=False,
        ),
    ] = None,
    *,
    out: Annotated[
        Path,
        typer.Option(
            help="输出目录（不存在时自动创建）；文件以文书编号命名，如 delay_notice.docx。"
        ),
    ],
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="只生成指定文书（可重复），如 --only delay_notice；须是本案需要的文书"
            "（或 expert_fee_sheet：案例有 [[attendance]] 时的专家劳务费计算表）。",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="同时用 LibreOffice 转成 PDF；未安装 LibreOffice 时说明原因并以退出码 3 结束（DOCX 仍会生成）。",
        ),
    ] = False,
    earliest: Annotated[
        bool,
        typer.Option(
            "--earliest",
            help="案例未填新的开标时间（incident.new_time）时，公告采用原则上的最早时间；否则公告留填写横线（第四条（一）：公告须提示新的开标时间）。",
        ),
    ] = False,
    expert_names: Annotated[
        bool,
        typer.Option(
            "--expert-names",
            help="在评标专家保密承诺书中预填专家姓名（默认留空，由专家本人签名）。",
        ),
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="以此时间为“现在”（默认：系统时钟），用于判断和落款日期。")
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="节假日日历文件（TOML），补充 holidays 包仅推定的年份。", dir_okay=False),
    ] = None,
    templates: TemplatesOpt = None,
) -> None:
    """按案例文件或已记录的事件生成本案需要的全部文书（DOCX，公文格式），可选同时生成 PDF。

    案例有 [[attendance]]（专家到达、离开时间）时，另生成评标专家劳务费计算表
    expert_fee_sheet.docx（内部文书）；没有时只生成处置决定所需的文书。"""
    from qdplan_cli.documents.contexts import render_documents
    from qdplan_cli.documents.pdf import PdfUnavailableError
    from qdplan_cli.documents.publish import FEE_SHEET, FEE_SHEET_TITLE, Written, write_set
    from qdplan_cli.documents.templating import Templates
    from qdplan_cli.plan.labels import DOCUMENT_LABELS
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.record.casefile import load_case
    from qdplan_cli.record.incident import Leaver, stored_incident

    if (case is None) == (incident is None):
        raise UserError("请给出 --case 案例文件或 --incident 事件编号（二者选一）", field="--case")
    rt = Runtime(now, calendar_file=calendar)  # business hours and holidays from the config
    record_hash: str | None = None
    record_events: int | None = None
    leavers: list[Leaver] = []  # a stored incident's early leavers (a case file has none)
    if case is not None:
        the_case = load_case(case)
    else:
        from qdplan_cli.record.checks import check_incident

        with rt.open_store() as store:
            stored, record_hash = stored_incident(store, incident)
            the_case, leavers = stored.case(), stored.leavers
            # How many events the printed hash stands for (the QR code on the record).
            links = check_incident(store, the_case.incident_id).links
            record_events = next(
                (n for n, link in enumerate(links, 1) if link.hash.startswith(record_hash)), None
            )
    moment = rt.now
    decision = rt.decide(the_case.situation)
    # The expert fee sheet is not one of the decision's documents: it is added when the case
    # has [[attendance]] (or asked for with --only expert_fee_sheet).
    asked = [o for o in only or () if o.strip().removesuffix(".docx") == FEE_SHEET]
    doc_only = [o for o in only or () if o not in asked]
    if asked and not the_case.attendance:
        raise UserError(
            "案例文件中没有 [[attendance]]（专家到达、离开时间），无法生成劳务费计算表",
            field="--only",
        )
    with_fees = bool(the_case.attendance) and (not only or bool(asked))
    rendered = []
    if not asked or doc_only:
        rendered = render_documents(
            the_case,
            decision,
            moment,
            templates=Templates(templates),
            only=doc_only,
            use_earliest=earliest,
            expert_names=expert_names,
            record_hash=record_hash,
            record_events=record_events,
            config=rt.config,
            leavers=leavers,
        )
    # Every file is built in memory first (render_documents builds and checks the DOCX):
    # a refusal or a failure leaves nothing half-written.
    fee_data = None
    fee_hint = ""
    if with_fees:
        from qdplan_cli.documents.publish import fee_sheet_docx
        from qdplan_cli.local.config import load_config

        fee_config = load_config()
        fee_data = fee_sheet_docx(the_case, fee_config, moment, templates)
        if the_case.project.type.value == "construction" and "construction" not in {
            t.value for t in fee_config.fee_sources
        }:
            fee_hint = (
                "劳务费计算表按政府采购评审标准计算：建设工程项目适用的标准可在配置 "
                "[fees] construction_source 中写明（qdplan config edit）。"
            )
    # One set: every DOCX (and with --pdf every PDF) appears together or not at all.
    items = [(f"{r.doc.value}.docx", r.data, not r.public) for r in rendered]
    if fee_data is not None:
        items.append((f"{FEE_SHEET}.docx", fee_data, True))
    pdf_error: PdfUnavailableError | None = None
    try:
        done = write_set(out, items, pdf=pdf)
    except PdfUnavailableError as exc:
        pdf_error = exc
        done = Written(files=[out / name for name, _, _ in items])
    written = done.files[: len(rendered)]
    fee_target = done.files[len(rendered)] if fee_data is not None else None
    result = WrittenSet(out)
    if case is not None:
        from qdplan_cli.record.casefile import export_origin

        origin = export_origin(case)
        if origin is not None:
            result.lines.append(origin)
    for r, target in zip(rendered, written, strict=True):
        source = "" if r.template.builtin else f"模板：{r.template.path}"
        result.files.append(WrittenFile(target, DOCUMENT_LABELS[r.doc], r.public, source))
    if fee_target is not None:
        result.files.append(WrittenFile(fee_target, FEE_SHEET_TITLE, False, "按 [[attendance]]"))
    if record_hash is not None and any(r.doc.value == "incident_record" for r in rendered):
        result.lines.append(
            f"记录校验码：{record_hash}（已印在书面记录签字表下方；"
            f"日后可用 qdplan verify {the_case.incident_id} --hash {record_hash} 核对）"
        )
    s = the_case.situation
    if any(r.public for r in rendered):
        if s.new_time is not None:
            result.lines.append(f"新的时间：{format_dt(s.new_time)}（案例 incident.new_time）")
        elif earliest:
            chosen = decision.suggested_new_time or decision.earliest_new_time
            result.lines.append(
                f"新的时间：{format_dt(chosen)}（按 --earliest 采用原则上的最早时间）"
            )
        else:
            from qdplan_cli.documents.contexts import notice_time

            # The rule is told here, not printed on the public notice (no drafting note on paper).
            rule = notice_time(the_case, decision, use_earliest=False).rule
            result.lines.append(
                "新的时间：未定，公告留填写横线，发布前手填"
                + (f"：{rule}" if rule else "")
                + "（可填 incident.new_time 或用 --earliest）"
            )
    result.hints.extend(decision.warnings)
    if fee_hint and fee_target is not None:
        result.hints.append(fee_hint)
    result.pdfs = done.pdfs
    show_written(result)
    if pdf_error is not None:
        raise pdf_error


@templates_app.command("list")
def templates_list(templates: TemplatesOpt = None) -> None:
    """列出全部文书模板：编号、名称、是否公开、来自内置还是用户目录。"""
    from qdplan_cli.documents.templating import Templates, config_templates_dir
    from qdplan_cli.plan.labels import DOCUMENT_LABELS, PAPER_TEMPLATES
    from qdplan_cli.plan.model import PUBLIC_DOCUMENTS, Document

    store = Templates(templates)
    for doc_id in store.ids():
        info = store.find(doc_id)
        try:
            doc: Document | None = Document(doc_id)
        except ValueError:
            doc = None
        if doc is None and doc_id in PAPER_TEMPLATES:
            label, public = PAPER_TEMPLATES[doc_id]
        else:
            label = DOCUMENT_LABELS[doc] if doc else "（不是 qdplan 的文书，不会被使用）"
            public = doc in PUBLIC_DOCUMENTS
        kind = "公开" if public else "内部"
        source = "内置" if info.builtin else str(info.path)
        say(f"{doc_id:<28} {label}（{kind}）  {source}")
    say(
        f"\n自定义：把模板复制到 {config_templates_dir()} 或 --templates 指定的目录后修改，"
        "同名文件优先于内置模板。"
    )


@templates_app.command("show")
def templates_show(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="文书编号，如 delay_notice。")],
    templates: TemplatesOpt = None,
) -> None:
    """输出模板原文（可重定向到文件后修改）。"""
    from qdplan_cli.documents.templating import Templates

    say(Templates(templates).source(doc_id.removesuffix(".txt.j2")).rstrip("\n"))


@templates_app.command("vars")
def templates_vars(
    doc_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="文书编号；省略时须用 --all。")
    ] = None,
    all_vars: Annotated[bool, typer.Option("--all", help="列出模板可用的全部变量。")] = False,
    templates: TemplatesOpt = None,
) -> None:
    """列出模板用到的变量及含义；--all 列出全部可用变量。"""
    from qdplan_cli.documents.contexts import VARIABLES, reference
    from qdplan_cli.documents.templating import Templates

    if all_vars:
        rows = list(VARIABLES.items())
    elif doc_id is None:
        raise UserError("请给出文书编号，或用 --all 列出全部变量", field="ID")
    else:
        rows = reference(Templates(templates).variables(doc_id.removesuffix(".txt.j2")))
    width = max((len(p) for p, _ in rows), default=0)
    for path, description in rows:
        say(f"{path:<{width}}  {description}")


def register(app: typer.Typer) -> None:
    app.command("render")(render)
    app.add_typer(templates_app, name="templates")
