"""``qdplan verify [ID] [--hash XXXX]``: recompute the hash chain of the stored incidents.

Exit codes: 0 intact (and, with ``--hash``, the printed record matches), 1 a problem found
(the first altered, inserted or removed event is named), 2 bad input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.record.chain import check_incident

if TYPE_CHECKING:
    pass

MIN_HASH = 8


def verify(
    incident_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="事件编号（见 qdplan list）；省略时校验全部事件。",
            show_default=False,
        ),
    ] = None,
    printed: Annotated[
        str | None,
        typer.Option(
            "--hash",
            help="书面记录上打印的记录校验码（至少 8 位），核对它是否与数据库中的记录一致。",
            show_default=False,
        ),
    ] = None,
) -> None:
    """校验事件记录未被改动：逐条重算校验链，报告第一条被改动、插入或删除的记录。"""
    from qdplan_cli.record.chain import normalize_hash, when
    from qdplan_cli.record.store import Store

    wanted: str | None = None
    if printed is not None:
        if incident_id is None:
            raise UserError("核对记录校验码时请给出事件编号", field="--hash")
        wanted = normalize_hash(printed)
        if len(wanted) < MIN_HASH or any(c not in "0123456789abcdef" for c in wanted):
            raise UserError(
                f"记录校验码应为至少 {MIN_HASH} 位十六进制数字（0–9、a–f），收到 {printed!r}",
                field="--hash",
            )
    failed = False
    with Store.open() as store:
        ids = [store.resolve_id(incident_id)] if incident_id is not None else store.incident_ids()
        if incident_id is None:
            orphans = store.orphan_incident_ids()
            for orphan in orphans:
                typer.echo(f"校验失败：数据库中有属于事件 {orphan} 的记录，但该事件已被删除")
            failed = bool(orphans)
            if not ids and not orphans:
                typer.echo("还没有任何事件记录，无需校验。")
                return
        reports = [check_incident(store, i) for i in ids]
    for report in reports:
        if report.problem is not None:
            typer.echo(f"事件 {report.incident_id}：校验失败！{report.problem}。")
            failed = True
            continue
        count = len(report.links)
        last = f"，最后一条记于 {when(report.links[-1].recorded_at)}" if report.links else ""
        typer.echo(
            f"事件 {report.incident_id}：校验通过，共 {count} 条记录{last}。"
            f"记录校验码：{report.short}"
        )
    if failed:
        raise typer.Exit(1)
    if wanted is None:
        return
    report = reports[0]
    if report.head.startswith(wanted):
        typer.echo(f"记录校验码 {wanted} 与数据库中的记录一致：打印件就是现在的记录。")
        return
    for index, link in enumerate(report.links):
        if link.hash.startswith(wanted):
            later = len(report.links) - index - 1
            typer.echo(
                f"记录校验码 {wanted} 与第 {link.seq} 条记录时的记录一致"
                f"（记于 {when(link.recorded_at)}）："
                f"打印件是当时的记录，此后又追加了 {later} 条记录（qdplan show {report.incident_id}"
                " 可查看），之前的记录未被改动。"
            )
            return
    typer.echo(
        f"记录校验码不符：打印件上的 {wanted} 不是事件 {report.incident_id} 任何时候的记录校验码"
        f"（现在为 {report.short}）。打印件与数据库中的记录不是同一份，"
        "或数据库中的记录被整体重写过。"
    )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(verify)
