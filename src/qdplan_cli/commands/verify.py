"""``qdplan verify [ID] [--hash XXXX]``: recompute the hash chain of the stored incidents.

Exit codes: 0 intact (and, with ``--hash``, the printed record matches), 1 a problem found
(the first altered, inserted or removed event is named), 2 bad input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.reports import HashMatch, VerifyResult, show_verify

if TYPE_CHECKING:
    from qdplan_cli.record.chain import ChainReport

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
    from qdplan_cli.record.chain import normalize_hash
    from qdplan_cli.record.checks import check_incident, check_ledger

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
    result = VerifyResult()
    with Runtime().open_store() as store:
        ids = [store.resolve_id(incident_id)] if incident_id is not None else store.incident_ids()
        ledger = check_ledger(store)
        # A lost or damaged WAL (read before SQLite opened it) loses committed writes whatever
        # the chains say: reported for one incident as for all.
        result.store_problems = list(store.journal_problems)
        if incident_id is None:
            result.orphans = store.orphan_incident_ids()
            # What the store-wide chain finds that no listed incident stands for: an incident
            # removed whole, entries removed between or after incidents.
            result.store_problems += [
                problem for key, problem in ledger.problems.items() if key is None or key not in ids
            ]
        result.reports = [check_incident(store, i, ledger) for i in ids]
    if wanted is not None and result.reports:
        result.match = _match(result.reports[0], wanted)
    show_verify(result)
    if not result.ok:
        raise typer.Exit(1)


def _match(report: ChainReport, wanted: str) -> HashMatch:
    """Which moment of the record a printed hash belongs to, if any."""
    if report.head.startswith(wanted):
        return HashMatch(wanted, seq=None, current=True)
    for index, link in enumerate(report.links):
        if link.hash.startswith(wanted):
            later = len(report.links) - index - 1
            return HashMatch(wanted, seq=link.seq, recorded_at=link.recorded_at, later=later)
    return HashMatch(wanted, seq=None)


def register(app: typer.Typer) -> None:
    app.command()(verify)
