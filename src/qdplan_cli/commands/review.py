"""``qdplan review --year 2026 [--hall …] [--source local|archive] --out DIR [--json]``: the year
in review as a DOCX (official layout, charts, per-hall and year-over-year tables, an appendix
tracing every figure to incident ids), an xlsx of every incident and JSON, from this laptop's
store or from the centre's archive (streamed: memory holds the folded incidents only).

Exit codes: 0 written; 1 written, but some incidents' records failed their check and were left
out (each is named); 2 bad input; 5 the archive cannot be read."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime


def review(
    year: Annotated[
        int | None, typer.Option("--year", help="年度，如 2026。", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="输出目录（写出 DOCX 和 JSON）。", show_default=False),
    ] = None,
    hall: Annotated[
        str | None,
        typer.Option("--hall", help="只统计这一场所（分大厅、分中心）。", show_default=False),
    ] = None,
    source: Annotated[
        str,
        typer.Option("--source", help="数据来源：local（本机事件库）或 archive（中心档案库）。"),
    ] = "local",
    as_json: Annotated[bool, typer.Option("--json", help="在屏幕上输出 JSON。")] = False,
) -> None:
    """年度回顾：按月、按环节和故障类型、按场所统计突发情况，处置用时、方案、公告提前量、记录缺项、专家等候，附事件编号对照表。"""
    if year is None:
        raise UserError("请用 --year 给出年度，如 --year 2026", field="--year")
    if not 2000 <= year <= 2100:
        raise UserError(f"年度应在 2000–2100 之间，收到 {year}", field="--year")
    if source not in ("local", "archive"):
        raise UserError(f"应为 local 或 archive，收到 {source!r}", field="--source")
    if out is None:
        raise UserError("请用 --out 给出输出目录", field="--out")
    if out.exists() and not out.is_dir():
        raise UserError("不是目录", field="--out")
    if importlib.util.find_spec("matplotlib") is None:
        raise UserError(
            "年度回顾需要中心版组件（matplotlib）：请安装 qdplan[centre]", field="review"
        )
    from qdplan_cli.documents.review import Context, render, to_json
    from qdplan_cli.documents.workbook import incidents_xlsx
    from qdplan_cli.local.config import Config
    from qdplan_cli.plan.decide import earliest_reopening
    from qdplan_cli.record.handover import gather, local_chains
    from qdplan_cli.record.review_stats import Item, Review
    from qdplan_cli.record.review_stats import review as make_review

    runtime = Runtime()
    config = runtime.config or Config()
    years = {year, year - 1}
    unchecked = False
    if source == "local":
        with runtime.open_store() as store:
            items, broken = gather(
                local_chains(store, laptop="", hall=config.hall_name),
                years=years,
                with_laptop=False,
                check=False,
            )
    else:
        if importlib.util.find_spec("psycopg") is None:
            raise UserError(
                "读取档案库需要中心版组件（psycopg）：请安装 qdplan[centre]", field="档案库"
            )
        from qdplan_cli.record.archive import Archive

        url = os.environ.get("QDPLAN_ARCHIVE_URL", "").strip() or config.archive_url
        with Archive.connect(url) as archive:
            names = archive.can_read_names()
            unchecked = not names
            items, broken = gather(
                archive.chains(hall=hall, names=names),
                years=years,
                with_laptop=True,
                check=names,
            )
    calendar, hours = runtime.calendar, runtime.hours

    def figures(pool: list[Item], year_: int, hall_: str | None) -> Review:
        chosen = [i for i in pool if i.onset.year == year_ and (hall_ is None or i.hall == hall_)]
        return make_review(
            chosen,
            year_,
            hall=hall_,
            fees=config.fees,
            reopening=lambda issued: earliest_reopening(issued, calendar, hours),
        )

    result = figures(items, year, hall)
    if hall is not None and not result.total.count and not any(i.hall == hall for i in items):
        known = "、".join(sorted({i.hall for i in items})) or "（无）"
        raise UserError(f"没有场所 {hall!r} 的事件（有：{known}）", field="--hall")
    previous = figures(items, year - 1, hall)
    stem = f"年度回顾-{year}" + (f"-{hall}" if hall else "")
    context = Context(
        previous=previous if previous.total.count else None,
        halls=(
            tuple(figures(items, year, h.label) for h in result.by_hall)
            if hall is None and len(result.by_hall) > 1
            else ()
        ),
        workbook=f"{stem}.xlsx",
    )
    counted = set(result.total.ids) | set(result.discarded.ids)  # the xlsx lists both
    chosen = [i for i in items if i.key in counted]
    chosen.sort(key=lambda i: (i.onset, i.key))
    workbook = incidents_xlsx(chosen, result, config.fees)
    text = to_json(result)  # UTF-8
    # The incidents are not needed past this point: freed before the charts' libraries load,
    # so the peak holds one or the other, not both.
    del items, chosen, counted
    rendered = render(result, issuer=config.hall_name, now=runtime.now, context=context)
    from qdplan_cli.local.files import write_atomically

    try:
        out.mkdir(parents=True, exist_ok=True)
        docx_path, json_path = out / f"{stem}.docx", out / f"{stem}.json"
        xlsx_path = out / f"{stem}.xlsx"
        write_atomically(docx_path, rendered.docx, private=False)
        write_atomically(xlsx_path, workbook, private=False)
        write_atomically(json_path, text, private=False)
    except OSError as exc:
        raise UserError(f"无法写入：{exc.strerror}", field=str(out)) from None
    from qdplan_cli.ui.reports import ReviewWritten, show_review

    show_review(
        ReviewWritten(
            year,
            result.total.count,
            result.two_hour.count,
            docx_path,
            json_path,
            text.decode("utf-8") if as_json else "",
            xlsx=xlsx_path,
            skipped=[(b.key, b.problem) for b in broken],
            unchecked=unchecked,
        ),
        as_json=as_json,
    )
    if broken:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("review")(review)
