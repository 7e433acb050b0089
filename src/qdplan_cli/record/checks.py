"""The checks of ``record.chain`` applied to a store: an incident's own chain, the store-wide
chain, and the record hash a document may print. Kept apart from ``chain`` (pure, imported by
the store to write the chain) so that the two never import each other."""

from __future__ import annotations

from qdplan_cli.plan.errors import ChainBrokenError
from qdplan_cli.record.chain import ChainReport, LedgerReport, verify, verify_ledger
from qdplan_cli.record.store import Store


def check_ledger(store: Store) -> LedgerReport:
    missing = store.missing_tables()
    if missing:
        gone = "、".join(missing)
        return LedgerReport(
            {None: f"数据库总链（表 {gone}）被删除：无法再确认有没有整条记录或整个事件被删除"}
        )
    return verify_ledger(store.ledger(), store.ledger_record(), store.all_chain_records())


def check_incident(
    store: Store, incident_id: str, ledger: LedgerReport | None = None
) -> ChainReport:
    """The incident's own chain, then what the store-wide chain says about it (and about the
    store as a whole): the first problem found."""
    created_at, head, length = store.chain_record(incident_id)
    report = verify(incident_id, created_at, store.raw_events(incident_id), head, length)
    if report.problem is not None:
        return report
    ledger = ledger if ledger is not None else check_ledger(store)
    problem = ledger.for_incident(incident_id) or ledger.store_problem
    if problem is not None:
        return ChainReport(incident_id, report.links, "", problem)
    return report


def verified_head(store: Store, incident_id: str) -> str:
    """The incident's final chain hash; refuses (exit 1) when its record fails the check."""
    report = check_incident(store, incident_id)
    if report.problem is not None:
        raise ChainBrokenError(
            f"事件 {incident_id} 的记录未通过校验：{report.problem}。"
            f"请用 qdplan verify {incident_id} 查看",
            field="ID",
        )
    return report.head
