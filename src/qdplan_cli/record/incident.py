"""An incident as a fold over its stored events (``events``), in the case-file shape.

The fold builds the very dictionary a case file parses to (``[project]``, ``[incident]``,
``[[timeline]]``, ``[confidential]``), so ``casefile.parse_case`` validates it, the engine
decides on it, and ``export`` writes it as TOML unchanged: the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qdplan_cli.plan.clock import shown_with_recorded_at
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.model import Decision, Step
from qdplan_cli.plan.times import format_dt, localize
from qdplan_cli.record.casefile import Case, TimelineEntry, parse_case
from qdplan_cli.record.events import RECORD_KINDS, EventKind, from_json, project_from_json
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
    timeline: list[TimelineEntry] = field(default_factory=list)  # the record's 经过
    log: list[TimelineEntry] = field(default_factory=list)  # every event's text (``show``)
    answered: list[str] = field(default_factory=list)  # fields in the order first answered
    last_recorded_at: datetime | None = None
    ticks: dict[str, datetime] = field(default_factory=dict)  # step id → done at
    tick_texts: dict[str, str] = field(default_factory=dict)  # step id → the step's text
    attendance: list[dict[str, Any]] = field(default_factory=list)  # [[attendance]] tables
    discarded: str | None = None  # the reason, once set aside
    events: int = 0
    last_seq: int = 0  # the last event folded in (``refresh`` folds only later ones)
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
        if self.attendance:
            data["attendance"] = [dict(a) for a in self.attendance]
        if self.confidential:
            data["confidential"] = {k: list(v) for k, v in self.confidential.items()}
        if self.attendance:
            data["attendance"] = [dict(a) for a in self.attendance]
        return data

    def copy(self) -> Incident:
        """A copy whose containers are its own (folding more into it leaves this one as is)."""
        return replace(
            self,
            project=dict(self.project),
            incident=dict(self.incident),
            confidential={k: list(v) for k, v in self.confidential.items()},
            timeline=list(self.timeline),
            log=list(self.log),
            answered=list(self.answered),
            ticks=dict(self.ticks),
            tick_texts=dict(self.tick_texts),
            attendance=[dict(a) for a in self.attendance],
        )

    def situation_case(self) -> Case:
        """The case without its timeline: all the engine needs, cheap on a long record."""
        data = self.case_dict()
        data.pop("timeline", None)
        try:
            return parse_case(data)
        except UserError as exc:  # only a damaged database gets here
            raise UserError(f"事件 {self.id} 的记录无法读取：{exc}", field=exc.field) from None

    def case(self) -> Case:
        try:
            return parse_case(self.case_dict())
        except UserError as exc:  # only a damaged database gets here
            raise UserError(f"事件 {self.id} 的记录无法读取：{exc}", field=exc.field) from None


def fold(incident_id: str, created_at: datetime, events: Iterable[EventRow]) -> Incident:
    """The incident's state; an event that cannot be read (damaged behind the tool's back) is
    skipped and described in ``damaged``, never a crash (the other events and incidents read)."""
    return fold_into(Incident(id=incident_id, created_at=created_at), events)


def fold_into(state: Incident, events: Iterable[EventRow]) -> Incident:
    """Fold more events (later than ``state.last_seq``) into ``state``."""
    for event in events:
        state.last_seq = event.seq
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
        state.project = project_from_json(data.get("project", {}))
        if data.get("started_at"):
            state.incident["started_at"] = from_json("started_at", data["started_at"])
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
        for key, value in data.get("incident", {}).items():
            state.incident[key] = from_json(key, value)
        for key, names in data.get("confidential", {}).items():
            state.confidential[key] = list(names)
    elif event.kind == EventKind.RESOLVED:
        if data.get("resolved_at"):
            state.incident["resolved_at"] = from_json("resolved_at", data["resolved_at"])
        else:
            state.incident.pop("resolved_at", None)
    elif event.kind == EventKind.TICK:
        _fold_tick(state, data)
    elif event.kind == EventKind.DISCARD:
        state.discarded = str(data.get("reason", "")) or "（未说明原因）"
    elif event.kind == EventKind.ATTENDANCE:
        _fold_attendance(state, data)
    elif event.kind == EventKind.EXPERT_LEFT:
        state.incident["expert_left_early"] = True
        state.attendance.append(
            {
                "arrived_at": _time(data["arrived_at"]),
                "left_at": _time(data["left_at"]),
                "count": 1,
                "note": "因特殊情况提前离开（已签署承诺）",
            }
        )
    state.last_recorded_at = recorded_at
    state.events += 1
    if event.text:
        text = str(event.text)
        stated = event.kind == EventKind.LOG and recorded_at != state.created_at
        if stated and shown_with_recorded_at(at, recorded_at):
            # A line logged with a stated time (``--at``) other than when it was recorded: the
            # record shows both, so neither can pass for the other. (A case file's timeline,
            # stored with the incident itself, states its own times.)
            text += f"（记录于 {format_dt(recorded_at)}）"
        entry = TimelineEntry(at=at, text=text)
        state.log.append(entry)
        if event.kind in RECORD_KINDS:
            state.timeline.append(entry)


def _time(value: str) -> datetime:
    return localize(datetime.fromisoformat(value))


def _fold_tick(state: Incident, data: dict[str, Any]) -> None:
    step = str(data["step"])
    state.tick_texts[step] = str(data.get("step_text", ""))
    if data.get("done_at"):
        state.ticks[step] = _time(data["done_at"])
    else:
        state.ticks.pop(step, None)


def _fold_attendance(state: Incident, data: dict[str, Any]) -> None:
    if "attendance" in data:  # a case file's [[attendance]], imported whole
        rows = data["attendance"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise TypeError("attendance")
        state.attendance.extend(
            {k: _time(v) if k in ("arrived_at", "left_at") else v for k, v in r.items()}
            for r in rows
        )
        return
    entry: dict[str, Any] = {
        "arrived_at": _time(data["arrived_at"]),
        "left_at": _time(data["left_at"]),
        "count": int(data.get("count", 1)),
    }
    if data.get("evaluated") is False:
        entry["evaluated"] = False
    replaces = data.get("replaces")
    if isinstance(replaces, int) and 1 <= replaces <= len(state.attendance):
        state.attendance[replaces - 1] = entry
    else:
        state.attendance.append(entry)


def active_id(store: Store, incident_id: str | None) -> str:
    """The given incident (checked), or the most recent one not set aside (``discard``)."""
    if incident_id is not None:
        return store.resolve_id(incident_id)
    store.resolve_id(None)  # the "no incident yet" message when there is none
    for candidate in reversed(store.incident_ids()):
        if load(store, candidate).discarded is None:
            return candidate
    raise UserError("所有事件都已作废；请给出事件编号", field="ID")


def numbered_steps(decision: Decision) -> list[tuple[int, str, Step]]:
    """The checklist's steps as the witness sees them numbered: (number, id, step)."""
    from qdplan_cli.plan.model import StepKind as K
    from qdplan_cli.record.events import step_id

    # The console's sections, in order (``ui.console.SECTIONS``): publishing and filing share one.
    order = (
        (K.CALL,),
        (K.TRY,),
        (K.TELL,),
        (K.DECIDE,),
        (K.PUBLISH, K.FILE),
        (K.KEEP,),
        (K.RECORD,),
    )
    rank = {kind: next((i for i, g in enumerate(order) if kind in g), len(order)) for kind in K}
    steps = sorted(decision.steps, key=lambda step: rank[step.kind])  # stable within a kind
    return [(i, step_id(step), step) for i, step in enumerate(steps, start=1)]


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
        incident.situation_case().situation,
        decision_time(incident, now),
        calendar=calendar,
        hours=hours,
    )


def refresh(store: Store, incident: Incident) -> Incident:
    """``incident`` with the events stored since it was folded (a new object; the old one is
    unchanged)."""
    return fold_into(incident.copy(), store.events(incident.id, after=incident.last_seq))


def load(store: Store, incident_id: str) -> Incident:
    created = localize(datetime.fromisoformat(store.created_at(incident_id)))
    return fold(incident_id, created, store.events(incident_id))


def load_checked(store: Store, incident_id: str | None) -> tuple[Incident, ChainReport]:
    """An incident and the check of its record (its own chain and the store-wide one), read in
    one snapshot; the read paths warn when the report is not ok."""
    from qdplan_cli.record.chain import check_incident

    with store.snapshot():
        target_id = active_id(store, incident_id)
        report = check_incident(store, target_id)
        target = load(store, target_id)
    return target, report


def stored_case(store: Store, incident_id: str | None) -> tuple[Case, str]:
    """A stored incident as a case, and its record hash; refused when the chain is broken."""
    from qdplan_cli.record.chain import SHORT_HASH, verified_head

    with store.snapshot():
        # One snapshot: the hash printed is the hash of exactly the events rendered.
        target_id = active_id(store, incident_id)
        head = verified_head(store, target_id)
        target = load(store, target_id)
    return target.case(), head[:SHORT_HASH]
