"""An incident as a typed fold over its stored events (``events``).

The fold decodes each event's typed payload (``record.events.decode``) and sets the fields of the
field table (``plan.fields``) on a ``Case`` with ``casefile.with_value``: the engine's
``Situation`` is ``incident.situation`` (no dictionary, no second parse), ``export`` writes
``casefile.case_to_dict(incident.case())``, and the documents read ``incident.case()``. Beside
the case it keeps the acts with their times (``acts``: plan chosen, filed, notices, experts,
resolved, discarded), the ticks by step key, the experts who left early, and the typed
attendance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from qdplan_cli.plan import fields as F
from qdplan_cli.plan.clock import shown_with_recorded_at
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import Attendance
from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.model import Decision, Situation, Step
from qdplan_cli.plan.progress import ChecklistStep, checklist
from qdplan_cli.plan.progress import open_steps as _open_steps
from qdplan_cli.plan.times import format_dt, localize
from qdplan_cli.record import events as E
from qdplan_cli.record.casefile import (
    Case,
    Project,
    TimelineEntry,
    case_value,
    with_project,
    with_value,
)
from qdplan_cli.record.store import EventRow, Store

if TYPE_CHECKING:
    from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar
    from qdplan_cli.record.chain import ChainReport


# ----------------------------------------------------------------- the fold


LEAVER_NOTE = "因特殊情况提前离开"  # the fee sheet's note on an early leaver's line
SIGNED_NOTE = "（已签署承诺）"


@dataclass(frozen=True)
class Leaver:
    """An expert who left early (5.1), as acts: when they left (stamped when the witness
    answered), whether they signed the commitment, when a replacement was drawn."""

    left_at: datetime
    arrived_at: datetime
    commitment: bool | None
    replaced_at: datetime | None
    signed_at: datetime | None = None  # the commitment, when signed after the leaving

    @property
    def commitment_at(self) -> datetime | None:
        """When the commitment was signed: recorded later, or at the leaving (answered then)."""
        if self.signed_at is not None:
            return self.signed_at
        return self.left_at if self.commitment else None


@dataclass
class Incident:
    """The current state of one incident, folded from its events."""

    id: str
    created_at: datetime
    state: Case = field(default_factory=Case)  # every field of the table (no timeline)
    timeline: list[TimelineEntry] = field(default_factory=list)  # the record's 经过
    log: list[TimelineEntry] = field(default_factory=list)  # every event's text (``show``)
    answered: list[str] = field(default_factory=list)  # fields in the order first answered
    last_recorded_at: datetime | None = None
    ticks: dict[str, datetime] = field(default_factory=dict)  # step key → done at
    tick_texts: dict[str, str] = field(default_factory=dict)  # step key → the step's text
    answered_at: dict[Act, datetime] = field(default_factory=dict)  # acts answered (no time)
    attendance: list[Attendance] = field(default_factory=list)  # [[attendance]] rows
    leavers: list[Leaver] = field(default_factory=list)  # experts who left early (5.1)
    discarded: str | None = None  # the reason, once set aside
    discarded_at: datetime | None = None
    source: str = ""  # where it was created: "wizard", "case:<file>" …
    case_hash: str = ""  # an imported case file's content hash
    events: int = 0
    last_seq: int = 0  # the last event folded in (``refresh`` folds only later ones)
    damaged: list[str] = field(default_factory=list)  # the events skipped, described

    @property
    def project(self) -> Project:
        return self.state.project

    @property
    def situation(self) -> Situation:
        """The engine's input, straight from the fold."""
        return self.state.situation

    @property
    def started_at(self) -> datetime | None:
        return self.situation.started_at

    @property
    def resolved_at(self) -> datetime | None:
        return self.situation.resolved_at

    def value(self, key: str) -> F.Value:
        """The value of an ``[incident]`` or ``[confidential]`` field (the field table's key)."""
        return case_value(self.state, F.BY_KEY[key])

    @property
    def experts_present(self) -> int:
        """Experts recorded, by count (attendance) or by name, whichever says more."""
        counted = sum(a.count for a in self.attendance)
        return max(counted, len(self.state.experts))

    @property
    def acts(self) -> dict[Act, datetime]:
        """Each act recorded, with its time: a time the field table records (filed, published,
        issued, resolved), the moment an answer was given (plan chosen, network tried), and the
        experts' acts (arrived, left, commitment signed, replaced), the discard."""
        out = dict(self.answered_at)
        for spec in F.INCIDENT:
            value = case_value(self.state, spec)
            if spec.act is not None and spec.kind is F.Kind.TIME and isinstance(value, datetime):
                out[spec.act] = value
        # 4.2.1 方案三: 出具, 经监管部门备案 and 现场公布 are three acts, each recorded by its own
        # field (supplement_issued_at, plan_filed_at, supplement_announced_at).
        if self.attendance:
            out[Act.EXPERTS_ARRIVED] = min(a.arrived_at for a in self.attendance)
        if self.leavers:
            out[Act.EXPERT_LEFT] = self.leavers[-1].left_at
            signed = [lv.commitment_at for lv in self.leavers if lv.commitment_at is not None]
            if signed:
                out[Act.COMMITMENT_SIGNED] = max(signed)
            replaced = [lv.replaced_at for lv in self.leavers if lv.replaced_at is not None]
            if replaced:
                out[Act.EXPERT_REPLACED] = replaced[-1]
        if self.discarded_at is not None:
            out[Act.DISCARDED] = self.discarded_at
        return out

    def copy(self) -> Incident:
        """A copy whose containers are its own (folding more into it leaves this one as is)."""
        return replace(
            self,
            timeline=list(self.timeline),
            log=list(self.log),
            answered=list(self.answered),
            ticks=dict(self.ticks),
            tick_texts=dict(self.tick_texts),
            answered_at=dict(self.answered_at),
            attendance=list(self.attendance),
            leavers=list(self.leavers),
            damaged=list(self.damaged),
        )

    def situation_case(self) -> Case:
        """The case without its timeline: all the engine needs, cheap on a long record."""
        return replace(self.state, incident_id=self.id, attendance=tuple(self.attendance))

    def case(self) -> Case:
        """The whole case: what ``export`` writes and the documents read."""
        timeline = tuple(sorted(self.timeline, key=lambda e: e.at))  # stable: seq within a time
        return replace(self.situation_case(), timeline=timeline)


def fold(incident_id: str, created_at: datetime, events: Iterable[EventRow]) -> Incident:
    """The incident's state; an event that cannot be read (damaged behind the tool's back, or
    holding what its kind's checks refuse) is skipped and described in ``damaged``, never a
    crash (the other events and incidents read)."""
    return fold_into(Incident(id=incident_id, created_at=created_at), events)


def fold_into(state: Incident, events: Iterable[EventRow]) -> Incident:
    """Fold more events (later than ``state.last_seq``) into ``state``."""
    for event in events:
        state.last_seq = event.seq
        if event.damaged:
            state.damaged.append(f"第 {event.seq} 条记录{event.damaged}，已跳过")
            continue
        try:
            at = localize(datetime.fromisoformat(event.at))
            recorded_at = localize(datetime.fromisoformat(event.recorded_at))
            F.read_text(event.text, "text")
            payload = E.decode(event.kind, event.data)
            text = _apply(state, payload, at)
        except UserError as exc:
            state.damaged.append(f"第 {event.seq} 条记录已损坏（{exc}），已跳过")
            continue
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            detail = f"缺少 {exc}" if isinstance(exc, KeyError) else "内容无法解读"
            state.damaged.append(f"第 {event.seq} 条记录已损坏（{detail}），已跳过")
            continue
        state.last_recorded_at = recorded_at
        state.events += 1
        text = event.text if text is None else text
        stated = event.kind == E.EventKind.LOG and recorded_at != state.created_at
        if text and stated and shown_with_recorded_at(at, recorded_at):
            # A line logged with a stated time (``--at``) other than when it was recorded: the
            # record shows both, so neither can pass for the other. (A case file's timeline,
            # stored with the incident itself, states its own times.)
            text += f"（记录于 {format_dt(recorded_at)}）"
        if text:
            entry = TimelineEntry(at=at, text=text)
            state.log.append(entry)
            if event.kind in E.RECORD_KINDS:
                state.timeline.append(entry)
    return state


def _set(state: Incident, spec: F.Field, value: F.Value, at: datetime) -> None:
    state.state = with_value(state.state, spec, value)
    if spec.act is not None and spec.kind is not F.Kind.TIME:
        if value is None:
            state.answered_at.pop(spec.act, None)
        else:
            state.answered_at[spec.act] = at


def _apply(state: Incident, payload: E.Payload | None, at: datetime) -> str | None:
    """Fold one payload; returns the text the record shows for it when it is not the stored
    one (a tick reads with its step's whole text), else ``None``."""
    if isinstance(payload, E.Created):
        state.state = with_project(state.state, payload.project)
        state.source, state.case_hash = payload.source, payload.case_hash
        if payload.started_at is not None:
            state.state = with_value(state.state, F.BY_KEY["started_at"], payload.started_at)
    elif isinstance(payload, E.ProjectChanged):
        state.state = with_project(state.state, payload.project)
    elif isinstance(payload, E.Answer):
        _set(state, payload.field, payload.value, at)
        if payload.field.key not in state.answered:
            state.answered.append(payload.field.key)
    elif isinstance(payload, E.Details):
        for spec, value in payload.values:
            _set(state, spec, value, at)
    elif isinstance(payload, E.Resolved):
        state.state = with_value(state.state, F.BY_KEY["resolved_at"], payload.resolved_at)
    elif isinstance(payload, E.Tick):
        state.tick_texts[payload.step] = payload.step_text
        if payload.done_at is not None:
            state.ticks[payload.step] = payload.done_at
        else:
            state.ticks.pop(payload.step, None)
        if payload.step_text:
            return E.tick_text(payload.step_text, payload.done_at, payload.old)
    elif isinstance(payload, E.Discard):
        state.discarded = payload.reason or "（未说明原因）"
        state.discarded_at = at
    elif isinstance(payload, E.AttendanceRows):
        if payload.whole_table:
            state.attendance.extend(payload.rows)
        elif payload.replaces is not None and 1 <= payload.replaces <= len(state.attendance):
            state.attendance[payload.replaces - 1] = payload.rows[0]
        else:
            state.attendance.extend(payload.rows)
    elif isinstance(payload, E.ExpertLeft):
        _expert_left(state, payload)
    elif isinstance(payload, E.ExpertReplaced):
        if not 1 <= payload.leaver <= len(state.leavers):
            raise UserError(f"没有第 {payload.leaver} 位提前离开的专家", field="leaver")
        index = payload.leaver - 1
        state.leavers[index] = replace(state.leavers[index], replaced_at=payload.at)
    elif isinstance(payload, E.ExpertCommitment):
        if not 1 <= payload.leaver <= len(state.leavers):
            raise UserError(f"没有第 {payload.leaver} 位提前离开的专家", field="leaver")
        index = payload.leaver - 1
        leaver = state.leavers[index]
        state.leavers[index] = replace(leaver, commitment=True, signed_at=payload.at)
        for n, row in enumerate(state.attendance):  # the leaver's own line of the fee sheet
            if (row.arrived_at, row.left_at, row.note) == (
                leaver.arrived_at,
                leaver.left_at,
                LEAVER_NOTE,
            ):
                state.attendance[n] = replace(row, note=LEAVER_NOTE + SIGNED_NOTE)
                break
    return None


def _expert_left(state: Incident, payload: E.ExpertLeft) -> None:
    state.state = with_value(state.state, F.BY_KEY["expert_left_early"], True)
    state.leavers.append(
        Leaver(
            payload.left_at,
            payload.arrived_at,
            payload.commitment,
            payload.left_at if payload.replacement else None,
        )
    )
    note = LEAVER_NOTE
    if payload.commitment:
        note += SIGNED_NOTE
    state.attendance.append(Attendance(payload.arrived_at, payload.left_at, count=1, note=note))


def active_id(store: Store, incident_id: str | None) -> str:
    """The given incident (checked), or the most recent one not set aside (``discard``)."""
    if incident_id is not None:
        return store.resolve_id(incident_id)
    store.resolve_id(None)  # the "no incident yet" message when there is none
    for candidate in reversed(store.incident_ids()):
        if load(store, candidate).discarded is None:
            return candidate
    raise UserError("所有事件都已作废；请给出事件编号", field="ID")


def find_imported(store: Store, case_hash: str) -> str | None:
    """The incident a case file with this fingerprint was imported as (not set aside), if any:
    importing the same case file twice is one incident."""
    for candidate in store.incident_ids():
        target = load(store, candidate)
        if target.case_hash == case_hash and target.discarded is None:
            return candidate
    return None


def numbered_steps(decision: Decision) -> list[tuple[int, str, Step]]:
    """The checklist's steps as the witness sees them numbered: (number, key, step)."""
    return [(s.number, s.key, s.step) for s in checklist(decision)]


def steps_of(incident: Incident, decision: Decision) -> tuple[ChecklistStep, ...]:
    """The whole checklist of ``decision`` for ``incident``: every step numbered, each settled
    by its tick or by the act that fulfils it (``plan.progress``)."""
    return checklist(decision, incident.ticks, incident.acts)


def done_steps(incident: Incident, decision: Decision) -> dict[str, datetime]:
    """Step key → when it was settled (ticked, or the time of the act that fulfils it), for
    every settled step of ``decision``: what the checklist marks √."""
    return {s.key: s.done_at for s in steps_of(incident, decision) if s.done_at is not None}


def open_steps(incident: Incident, decision: Decision) -> tuple[ChecklistStep, ...]:
    """The open steps of the active branch, in order.

    ``decision`` is the engine's decision for ``incident`` now (``Runtime.decide_incident``);
    its steps are the active branch. A step is settled by a tick (recorded by its key) or by the
    act that fulfils it: recording the filing settles 报监管部门备案, the publication settles
    发布延迟开标公告, answering whether the emergency network works settles 尝试应急网络
    (``plan.progress.SETTLED_BY``). Each ``ChecklistStep`` has ``number`` (as ``qdplan tick N``
    counts), ``key`` (``4.2.1:filed``), ``text``, ``clause`` and ``actors`` (roles)."""
    return _open_steps(decision, incident.ticks, incident.acts)


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
        incident.situation,
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
    from qdplan_cli.record.checks import check_incident

    with store.snapshot():
        target_id = active_id(store, incident_id)
        report = check_incident(store, target_id)
        target = load(store, target_id)
    return target, report


def stored_case(store: Store, incident_id: str | None) -> tuple[Case, str]:
    """A stored incident as a case, and its record hash; refused when the chain is broken."""
    target, record_hash = stored_incident(store, incident_id)
    return target.case(), record_hash


def stored_incident(store: Store, incident_id: str | None) -> tuple[Incident, str]:
    """A stored incident (its case, and the acts a case file has no place for: the experts who
    left early), and its record hash; refused when the chain is broken."""
    from qdplan_cli.record.chain import SHORT_HASH
    from qdplan_cli.record.checks import verified_head

    with store.snapshot():
        # One snapshot: the hash printed is the hash of exactly the events rendered.
        target_id = active_id(store, incident_id)
        head = verified_head(store, target_id)
        target = load(store, target_id)
    return target, head[:SHORT_HASH]
