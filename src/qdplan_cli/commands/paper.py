"""``qdplan pack`` (the paper pack) and ``qdplan checklist`` (one incident's checklist on one
page). The documents are built and written by ``documents.publish``.

Only typer and the standard library at module level (start-up speed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.documents.publish import (
    PACK_PAGES,
    build_paper,
    pdf_pages,
    project_fields,
    write_paper,
)
from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.options import IdArg, NowOpt, PdfOpt, TemplatesOpt
from qdplan_cli.ui.reports import WrittenSet, show_written

if TYPE_CHECKING:
    pass


def pack(
    out: Annotated[
        Path, typer.Option(help="输出目录（不存在时自动创建）；文件名 emergency_pack.docx。")
    ],
    pdf: PdfOpt = False,
    project_type: Annotated[
        str,
        typer.Option(help="卡片用语：construction（建设工程，默认）或 procurement（政府采购）。"),
    ] = "construction",
    now: NowOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """生成纸质应急卡片：9 张“环节×故障”卡片（每张一页）和手填表格，断电、断网时照卡处置。"""
    from qdplan_cli.documents.cards import pack_context
    from qdplan_cli.local.config import load_config
    from qdplan_cli.plan.model import ProjectType

    kinds = {t.value: t for t in ProjectType}
    if project_type not in kinds:
        raise UserError(
            f"不能是 {project_type!r}，应为 construction 或 procurement", field="--project-type"
        )
    moment = Runtime(now).now
    config = load_config()
    hall = config.hall_name + (f"（{config.hall_address}）" if config.hall_address else "")
    context = pack_context(
        moment,
        contacts=config.contact_map(kinds[project_type]),
        hall=hall,
        project_type=kinds[project_type],
    )
    data = build_paper(
        "paper_pack",
        context,
        title="开评标应急卡片",
        author=config.hall_name,
        now=moment,
        templates=templates,
    )
    if out.exists() and not out.is_dir():
        raise UserError("不是目录", field=f"--out {out}")
    target = write_paper(out / "emergency_pack.docx", data, private=False)
    result = WrittenSet(
        out,
        headline=f"已生成应急卡片：{target}（9 张卡片，每张一页；其后为经过记录表、书面记录、保密承诺书）",
    )
    if not config.contacts:
        result.hints.append(
            "配置中没有联系人，卡片上的姓名、电话留空待手填（qdplan config edit）。"
        )
    if pdf:
        from qdplan_cli.documents.pdf import convert_to_pdf

        (made,) = convert_to_pdf([target], out, private=[False])
        result.pdfs.append(made)
        pages = pdf_pages(made)
        if pages is not None and pages != PACK_PAGES:
            result.hints.append(
                f"PDF 共 {pages} 页，应为 {PACK_PAGES} 页（9 张卡片各一页、3 张表格）："
                "有卡片超过了一页，多半是某个角色配置了多位联系人。打印前请检查，"
                "或在配置中每个角色只留最常用的一位。"
            )
    show_written(result)


def checklist(
    incident_id: IdArg = None,
    out: Annotated[Path, typer.Option(help="输出文件，如 checklist.docx。", dir_okay=False)] = Path(
        "checklist.docx"
    ),
    case: Annotated[
        Path | None, typer.Option(help="改用案例文件（TOML），不读事件记录。", dir_okay=False)
    ] = None,
    pdf: PdfOpt = False,
    now: NowOpt = None,
    templates: TemplatesOpt = None,
) -> None:
    """把一个事件当前的处置清单打印成一页纸：结论、通知谁（姓名电话）、2小时节点、可选方案、期限、签字人，每行注明条款。"""
    from qdplan_cli.documents.cards import checklist_context

    if out.suffix.lower() != ".docx":
        raise UserError("输出文件应以 .docx 结尾", field=f"--out {out}")
    rt = Runtime(now)
    resolved_at = None
    ticks = None
    if case is not None:
        if incident_id is not None:
            raise UserError("事件编号和 --case 只能给一个", field="--case")
        from qdplan_cli.record.casefile import load_case

        the_case = load_case(case)
        moment = rt.now
        decision = rt.decide(the_case.situation)
        project = project_fields(the_case)
        title = the_case.project.name or "开评标应急处置清单"
        resolved_at = the_case.situation.resolved_at
        author = the_case.project.agency
    else:
        from qdplan_cli.record.events import project_summary
        from qdplan_cli.record.incident import decide_incident, done_steps, load_checked
        from qdplan_cli.ui.reports import warn_record

        with rt.open_store() as store:
            target, report = load_checked(store, incident_id)
        warn_record(target.id, report.problem, target.damaged)
        moment = rt.now
        decision = decide_incident(target, moment, calendar=rt.calendar, hours=rt.hours)
        ticks = done_steps(target, decision)
        the_case = target.case()
        project = project_fields(the_case)
        title = f"事件 {target.id} · {project_summary(target.project)}"
        resolved_at = target.resolved_at
        author = the_case.project.agency
    if decision.stage is None or decision.fault is None:
        from qdplan_cli.plan.labels import FACT_LABELS

        missing = "、".join(FACT_LABELS[f] for f in decision.missing)
        raise UserError(f"尚缺情况，无法给出清单：{missing}", field="incident")
    context = checklist_context(
        decision,
        contacts=rt.contacts or {},
        title=title,
        project=project,
        resolved_at=resolved_at,
        ticks=ticks,
        new_venue=the_case.new_venue,
    )
    data = build_paper(
        "checklist",
        context,
        title=f"开评标应急处置清单（{title}）",
        author=author,
        now=moment,
        templates=templates,
    )
    written = write_paper(out, data, private=False)
    result = WrittenSet(written.parent, headline=f"已生成一页处置清单：{written}")
    if pdf:
        from qdplan_cli.documents.pdf import convert_to_pdf

        result.pdfs = convert_to_pdf([written], written.parent, private=[False])
    show_written(result)


def register(app: typer.Typer) -> None:
    app.command("pack")(pack)
    app.command("checklist")(checklist)
