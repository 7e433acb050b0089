"""An incident as a fold over its stored events (``events``), in the case-file shape.

The fold builds the very dictionary a case file parses to (``[project]``, ``[incident]``,
``[[timeline]]``, ``[confidential]``), so ``casefile.parse_case`` validates it, the engine
decides on it, and ``export`` writes it as TOML unchanged: the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.model import Decision
from qdplan_cli.plan.times import localize
from qdplan_cli.record.casefile import Case, TimelineEntry, parse_case
from qdplan_cli.record.events import EventKind, from_json, project_from_json
from qdplan_cli.record.store import EventRow, Store

if TYPE_CHECKING:
    from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar
    from qdplan_cli.record.chain import ChainReport


# ----------------------------------------------------------------- the fold


@dataclass
class Incident:
    """The current state of one incident, folded from its events."""

    id: str
    created_at: datetime
    project: dict[str, Any] = field(default_factory=dict)
    incident: dict[str, Any] = field(default_factory=dict)
    confidential: dict[str, list[str]] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # fields in the order first answered
    last_recorded_at: datetime | None = None
    attendance: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # the events skipped, described

    @property
    def started_at(self) -> datetime | None:
        value = self.incident.get("started_at")
        return value if isinstance(value, datetime) else None

    @property
    def resolved_at(self) -> datetime | None:
        value = self.incident.get("resolved_at")
        return value if isinstance(value, datetime) else None

    def case_dict(self) -> dict[str, Any]:
        """The incident as a case file (the shape ``casefile.parse_case`` reads)."""
        incident = {"id": self.id, **self.incident}
        data: dict[str, Any] = {"project": dict(self.project), "incident": incident}
        if self.timeline:
            data["timeline"] = [
                {"at": e.at, "text": e.text}
                for e in sorted(self.timeline, key=lambda e: e.at)  # stable: seq within a time
            ]
        if self.confidential:
            data["confidential"] = {k: list(v) for k, v in self.confidential.items()}
        if self.attendance:
            data["attendance"] = [dict(a) for a in self.attendance]
        return data

    def case(self) -> Case:
        try:
            return parse_case(self.case_dict())
        except UserError as exc:  # only a damaged database gets here
            raise UserError(f"事件 {self.id} 的记录无法读取：{exc}", field=exc.field) from None


def fold(incident_id: str, created_at: datetime, events: Iterable[EventRow]) -> Incident:
    """The incident's state; an event that cannot be read (damaged behind the tool's back) is
    skipped and described in ``damaged``, never a crash (the other events and incidents read)."""
    state = Incident(id=incident_id, created_at=created_at)
    for event in events:
        if event.damaged:
            state.damaged.append(f"第 {event.seq} 条记录{event.damaged}，已跳过")
            continue
        try:
            _apply(state, event)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            detail = f"缺少 {exc}" if isinstance(exc, KeyError) else "内容无法解读"
            state.damaged.append(f"第 {event.seq} 条记录已损坏（{detail}），已跳过")
    return state


def _apply(state: Incident, event: EventRow) -> None:
    data = event.data
    at = localize(datetime.fromisoformat(event.at))
    recorded_at = localize(datetime.fromisoformat(event.recorded_at))
    if event.kind == EventKind.CREATED:
        project = project_from_json(data.get("project", {}))
        started = from_json("started_at", data["started_at"]) if data.get("started_at") else None
        state.project = project
        if started is not None:
            state.incident["started_at"] = started
    elif event.kind == EventKind.PROJECT:
        state.project = project_from_json(data.get("project", {}))
    elif event.kind == EventKind.ANSWER:
        key = data["field"]
        if not isinstance(key, str):
            raise TypeError(key)
        value = from_json(key, data.get("value"))
        if value is None:
            state.incident.pop(key, None)
        else:
            state.incident[key] = value
        if key not in state.answered:
            state.answered.append(key)
    elif event.kind == EventKind.DETAILS:
        incident = {key: from_json(key, value) for key, value in data.get("incident", {}).items()}
        confidential = {key: list(names) for key, names in data.get("confidential", {}).items()}
        state.incident.update(incident)
        state.confidential.update(confidential)
    elif event.kind == EventKind.RESOLVED:
        state.incident["resolved_at"] = from_json("resolved_at", data["resolved_at"])
    elif event.kind == EventKind.ATTENDANCE:
        rows = data["attendance"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise TypeError("attendance")
        state.attendance = [
            {k: _iso_time(v) if k in ("arrived_at", "left_at") else v for k, v in r.items()}
            for r in rows
        ]
    state.last_recorded_at = recorded_at
    if event.text:
        state.timeline.append(TimelineEntry(at=at, text=str(event.text)))


def _iso_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(value)
    return localize(datetime.fromisoformat(value))


def decision_time(incident: Incident, now: datetime) -> datetime:
    """Once the fault is cleared the clock stops: decisions are taken at ``resolved_at``, so
    deciding the incident again later gives the same answer."""
    return incident.resolved_at or now


def decide_incident(
    incident: Incident,
    now: datetime,
    *,
    calendar: WorkCalendar | None = None,
    hours: BusinessHours | None = None,
) -> Decision:
    """The incident's decision at ``now`` (at its resolution, once resolved), with the given
    holiday calendar and business hours (the Runtime's: ``Runtime.decide_incident``)."""
    from qdplan_cli.plan.decide import decide

    return decide(
        incident.case().situation, decision_time(incident, now), calendar=calendar, hours=hours
    )


def load(store: Store, incident_id: str) -> Incident:
    created = localize(datetime.fromisoformat(store.created_at(incident_id)))
    return fold(incident_id, created, store.events(incident_id))


def load_checked(store: Store, incident_id: str | None) -> tuple[Incident, ChainReport]:
    """An incident and the check of its record (its own chain and the store-wide one), read in
    one snapshot; the read paths warn when the report is not ok."""
    from qdplan_cli.record.chain import check_incident

    with store.snapshot():
        target_id = store.resolve_id(incident_id)
        report = check_incident(store, target_id)
        target = load(store, target_id)
    return target, report


def stored_case(store: Store, incident_id: str | None) -> tuple[Case, str]:
    """A stored incident as a case, and its record hash; refused when the chain is broken."""
    from qdplan_cli.record.chain import SHORT_HASH, verified_head

    with store.snapshot():
        # One snapshot: the hash printed is the hash of exactly the events rendered.
        target_id = store.resolve_id(incident_id)
        head = verified_head(store, target_id)
        target = load(store, target_id)
    return target.case(), head[:SHORT_HASH]
