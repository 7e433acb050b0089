"""``qdplan verify [ID] [--hash XXXX] [--scan PHOTO]``: recompute the hash chain of the stored
incidents; with ``--scan``, read the QR code of a photo or scan of the printed record (the
incident id, the record hash and the number of events: documents/qr.py) and say whether the
store holds exactly that record.

Exit codes: 0 intact (and, with ``--hash``, the printed record matches; with ``--scan``, the
store holds exactly the printed record), 1 a problem found (the first altered, inserted or
removed event is named; or the printed record is not the stored one), 2 bad input.
"""

from __future__ import annotations

from pathlib import Path
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
    scan: Annotated[
        Path | None,
        typer.Option(
            "--scan",
            help="书面记录签字页的照片或扫描件（PNG、JPEG 等）：读取其上的二维码，核对数据库中是否"
            "正是这份记录（需要 qdplan[centre]）。",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """校验事件记录未被改动：逐条重算校验链，报告第一条被改动、插入或删除的记录。"""
    from qdplan_cli.record.chain import normalize_hash
    from qdplan_cli.record.checks import check_incident, check_ledger

    wanted: str | None = None
    events: int | None = None
    if scan is not None:
        if printed is not None or incident_id is not None:
            raise UserError("--scan 从二维码读取事件编号和校验码，不再另给", field="--scan")
        incident_id, printed, events = _scan(scan)
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
    if events is not None:
        exact = _exact(result, events)
        typer.echo(
            f"照片上的记录（{incident_id}，{events} 条记录，校验码 {wanted}）"
            + ("正是数据库中现在的记录。" if exact else "不是数据库中现在的记录。")
        )
        if not exact:
            raise typer.Exit(1)
    if not result.ok:
        raise typer.Exit(1)


def _scan(photo: Path) -> tuple[str, str, int]:
    """The incident id, record hash and event count of the record code in the photo."""
    from qdplan_cli.documents import qr
    from qdplan_cli.local.scan import read_codes

    texts = read_codes(photo)
    codes = [c for c in (qr.parse(t) for t in texts) if c is not None]
    if not codes:
        found = f"（找到 {len(texts)} 个其他二维码）" if texts else ""
        raise UserError(
            f"图片 {photo} 中没有找到书面记录的二维码{found}：请拍清签字页下方的二维码，"
            "或用 --hash 输入记录校验码",
            field="--scan",
        )
    if len({c.text() for c in codes}) > 1:
        raise UserError(
            f"图片 {photo} 中有 {len(codes)} 份不同记录的二维码，请一次只拍一份", field="--scan"
        )
    return codes[0].incident_id, codes[0].record_hash, codes[0].events


def _exact(result: VerifyResult, events: int) -> bool:
    """The store holds exactly the printed record: intact, its head the printed hash, and as
    many events as the record was made from."""
    if not result.ok or not result.reports or result.match is None:
        return False
    return result.match.current and len(result.reports[0].links) == events


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
