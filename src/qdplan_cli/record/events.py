"""The events of an incident's record: their kinds, their typed payloads, and how each is made.

Each kind has a typed payload (``Payload``). ``encode`` writes it as the event's JSON ``data``;
``decode`` reads it back, checking every value with the field table's one check
(``plan.fields.read_value``). An event is decoded again before it is written (``_new``), so what
is accepted when written is readable forever; an event that does not decode when read (damaged
behind the tool's back, or written by an older version with a value it should have refused) is
reported and skipped by the fold.

Event kinds (``data`` keys):
- ``created``  — ``project`` (the ``[project]`` table), ``started_at`` (ISO or null), ``source``,
  ``case_hash`` (an imported case file's content hash: the same file twice is one incident)
- ``project``  — ``project`` (the new table), ``old`` (the previous one)
- ``answer``   — ``field`` (an ``[incident]`` key of the field table), ``value`` (JSON; times
  as ISO), ``old`` (the previous value, or null)
- ``details``  — ``incident`` (other ``[incident]`` keys), ``confidential`` (experts, bidders)
- ``log``      — a line of the timeline (``text``, at most ``MAX_TEXT`` characters)
- ``resolved`` — ``resolved_at`` (ISO), ``old``
- ``tick``     — a checklist step done: ``step`` (its key, ``Step.key``; older records: a hash
  id), ``step_text`` (the step's whole text), ``done_at`` (ISO, or null when a correction takes
  the tick back), ``old``
- ``discard``  — the incident set aside: ``reason`` (nothing is deleted; ``list`` hides it)
- ``attendance`` — experts' arrival and release: ``arrived_at``, ``left_at``, ``count``,
  ``evaluated``; ``replaces`` (1-based number of an earlier entry this one corrects) or null; or
  ``attendance`` (a case file's whole ``[[attendance]]``)
- ``expert_left`` — an expert left early (5.1): ``left_at`` (when the witness answered),
  ``arrived_at``, ``replacement`` (a replacement was drawn), ``commitment`` (the
  confidentiality commitment was signed: asked; null when not known)
- ``expert_replaced`` — a replacement drawn later for the ``leaver``-th expert who left (5.1)

Every event is appended, never changed: a correction is a later event that says old → new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from qdplan_cli.plan import fields as F
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import Attendance
from qdplan_cli.plan.labels import FAULT_LABELS, PLAN_SHORT, PROJECT_TYPE_LABELS, STAGE_LABELS
from qdplan_cli.plan.model import Fact, Fault, ProjectType, Stage
from qdplan_cli.plan.times import format_day, format_dt, localize
from qdplan_cli.record.casefile import (
    DETAIL_FIELDS,
    PROJECT_FIELDS,
    Case,
    Project,
    attendance_row,
    case_value,
    known,
    project_of,
    read_attendance,
    says,
)
from qdplan_cli.record.store import JsonObject, NewEvent


class EventKind(StrEnum):
    """What an event records (stored as its string value)."""

    CREATED = "created"
    PROJECT = "project"
    ANSWER = "answer"
    DETAILS = "details"
    LOG = "log"
    RESOLVED = "resolved"
    TICK = "tick"
    DISCARD = "discard"
    ATTENDANCE = "attendance"
    EXPERT_LEFT = "expert_left"
    EXPERT_REPLACED = "expert_replaced"
    EXPERT_COMMITMENT = "expert_commitment"


# The kinds whose text is a line of the written record's 经过 (4.3, 5.4): what was done and
# when. Answers, project edits and the creation are shown by ``show`` but are not the 经过.
RECORD_KINDS = frozenset(
    {
        EventKind.LOG,
        EventKind.TICK,
        EventKind.RESOLVED,
        EventKind.ATTENDANCE,
        EventKind.EXPERT_LEFT,
        EventKind.EXPERT_REPLACED,
        EventKind.EXPERT_COMMITMENT,
    }
)

PROJECT_KEYS = tuple(PROJECT_FIELDS)
FACT_KEYS = frozenset(f.value for f in Fact)


# ----------------------------------------------------------------- typed payloads


@dataclass(frozen=True)
class Created:
    project: Project
    started_at: datetime | None
    source: str
    case_hash: str = ""


@dataclass(frozen=True)
class ProjectChanged:
    project: Project
    old: Project


@dataclass(frozen=True)
class Answer:
    field: F.Field
    value: F.Value
    old: F.Value


@dataclass(frozen=True)
class Details:
    """Fields of ``[incident]`` and ``[confidential]`` given at once (typed in, or imported)."""

    values: tuple[tuple[F.Field, F.Value], ...]
    old: tuple[tuple[F.Field, F.Value], ...] = ()


@dataclass(frozen=True)
class Log:
    pass


@dataclass(frozen=True)
class Resolved:
    resolved_at: datetime | None
    old: datetime | None


@dataclass(frozen=True)
class Tick:
    step: str
    step_text: str
    done_at: datetime | None
    old: datetime | None


@dataclass(frozen=True)
class Discard:
    reason: str


@dataclass(frozen=True)
class AttendanceRows:
    rows: tuple[Attendance, ...]
    replaces: int | None = None  # the 1-based entry one row corrects
    whole_table: bool = False  # a case file's [[attendance]], imported at once


@dataclass(frozen=True)
class ExpertLeft:
    left_at: datetime
    arrived_at: datetime
    replacement: bool
    commitment: bool | None  # None: not asked (never written now; not in older records)


@dataclass(frozen=True)
class ExpertReplaced:
    leaver: int  # the 1-based number of the expert_left act it answers
    at: datetime


@dataclass(frozen=True)
class ExpertCommitment:
    """The commitment signed after the leaving was recorded (5.1: 签署…承诺后，予以补抽)."""

    leaver: int  # the 1-based number of the expert_left act it answers
    at: datetime


Payload = (
    Created
    | ProjectChanged
    | Answer
    | Details
    | Log
    | Resolved
    | Tick
    | Discard
    | AttendanceRows
    | ExpertLeft
    | ExpertReplaced
    | ExpertCommitment
)


def _time(value: datetime | None) -> str | None:
    return localize(value).isoformat() if value is not None else None


def _project_json(project: Project) -> JsonObject:
    case = Case(project=project)
    return {
        spec.key: F.to_json(value)
        for spec in F.PROJECT
        if says(spec, value := case_value(case, spec))
    }


def _read_project(raw: object, where: str) -> Project:
    if not isinstance(raw, Mapping):
        raise TypeError(where)
    unknown = set(raw) - set(PROJECT_FIELDS)
    if unknown:
        raise UserError(f"未知的键：{'、'.join(sorted(unknown))}", field=where)
    values = []
    for spec in F.PROJECT:
        value = raw.get(spec.key)
        values.append((spec, F.read_value(spec, None if value == "" else value)))
    return project_of(values)


def _read_incident_field(key: object) -> F.Field:
    if not isinstance(key, str) or key not in F.BY_KEY:
        raise UserError(f"未知的字段 {key!r}", field="field")
    return F.BY_KEY[key]


def _opt_time(data: Mapping[str, object], key: str) -> datetime | None:
    value = data.get(key)
    return None if value is None else F.read_moment(value, key)


def _bool(data: Mapping[str, object], key: str, default: bool | None = None) -> bool | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise TypeError(key)
    return value


def encode(payload: Payload) -> JsonObject:
    """A payload as the event's JSON ``data`` (the JSON edge)."""
    if isinstance(payload, Created):
        out: JsonObject = {
            "project": _project_json(payload.project),
            "started_at": _time(payload.started_at),
            "source": payload.source,
        }
        if payload.case_hash:
            out["case_hash"] = payload.case_hash
        return out
    if isinstance(payload, ProjectChanged):
        return {"project": _project_json(payload.project), "old": _project_json(payload.old)}
    if isinstance(payload, Answer):
        return {
            "field": payload.field.key,
            "value": F.to_json(payload.value),
            "old": F.to_json(payload.old),
        }
    if isinstance(payload, Details):
        incident = {f.key: F.to_json(v) for f, v in payload.values if f.table is F.Table.INCIDENT}
        confidential = {
            f.key: F.to_json(v) for f, v in payload.values if f.table is F.Table.CONFIDENTIAL
        }
        return {"incident": incident, "confidential": confidential}
    if isinstance(payload, Log):
        return {}
    if isinstance(payload, Resolved):
        return {"resolved_at": _time(payload.resolved_at), "old": _time(payload.old)}
    if isinstance(payload, Tick):
        return {
            "step": payload.step,
            "step_text": payload.step_text,
            "done_at": _time(payload.done_at),
            "old": _time(payload.old),
        }
    if isinstance(payload, Discard):
        return {"reason": payload.reason}
    if isinstance(payload, AttendanceRows):
        if payload.whole_table:
            rows = []
            for a in payload.rows:
                row = {k: F.to_json(v) for k, v in attendance_row(a).items()}
                row["evaluated"] = a.evaluated
                rows.append(row)
            return {"attendance": rows}
        (a,) = payload.rows
        return {
            "arrived_at": _time(a.arrived_at),
            "left_at": _time(a.left_at),
            "count": a.count,
            "evaluated": a.evaluated,
            "replaces": payload.replaces,
        }
    if isinstance(payload, ExpertLeft):
        return {
            "left_at": _time(payload.left_at),
            "arrived_at": _time(payload.arrived_at),
            "replacement": payload.replacement,
            "commitment": payload.commitment,
        }
    return {"leaver": payload.leaver, "at": _time(payload.at)}


def decode(kind: str, data: Mapping[str, object]) -> Payload | None:
    """The typed payload of a stored event; ``None`` for a kind this version does not know (it is
    kept and shown, never interpreted). Raises ``UserError``, ``KeyError``, ``TypeError`` or
    ``ValueError`` when the data does not pass the checks it passed when written."""
    if kind == EventKind.CREATED:
        started = _opt_time(data, "started_at")
        source, case_hash = data.get("source", ""), data.get("case_hash", "")
        if not isinstance(source, str) or not isinstance(case_hash, str):
            raise TypeError("source")
        return Created(
            _read_project(data.get("project", {}), "project"), started, source, case_hash
        )
    if kind == EventKind.PROJECT:
        return ProjectChanged(
            _read_project(data.get("project", {}), "project"),
            _read_project(data.get("old", {}), "old"),
        )
    if kind == EventKind.ANSWER:
        spec = _read_incident_field(data["field"])
        return Answer(
            spec, F.read_value(spec, data.get("value")), F.read_value(spec, data.get("old"))
        )
    if kind == EventKind.DETAILS:
        values: list[tuple[F.Field, F.Value]] = []
        for table in ("incident", "confidential"):
            raw = data.get(table, {})
            if not isinstance(raw, Mapping):
                raise TypeError(table)
            for key, value in raw.items():
                spec = _read_incident_field(key)
                if spec.table.value != table:
                    raise UserError(f"未知的字段 {key!r}", field=table)
                values.append((spec, F.read_value(spec, value)))
        return Details(tuple(values))
    if kind == EventKind.LOG:
        return Log()
    if kind == EventKind.RESOLVED:
        return Resolved(_opt_time(data, "resolved_at"), _opt_time(data, "old"))
    if kind == EventKind.TICK:
        step, text = data["step"], data.get("step_text", "")
        if not isinstance(step, str) or not isinstance(text, str):
            raise TypeError("step")
        return Tick(step, text, _opt_time(data, "done_at"), _opt_time(data, "old"))
    if kind == EventKind.DISCARD:
        reason = data.get("reason", "")
        return Discard(F.read_text(reason, "reason"))
    if kind == EventKind.ATTENDANCE:
        if "attendance" in data:
            rows = data["attendance"]
            if not isinstance(rows, list):
                raise TypeError("attendance")
            return AttendanceRows(
                tuple(read_attendance(r, f"attendance[{i}]") for i, r in enumerate(rows, 1)),
                whole_table=True,
            )
        row = {k: data[k] for k in ("arrived_at", "left_at", "count", "evaluated") if k in data}
        replaces = data.get("replaces")
        if replaces is not None and (isinstance(replaces, bool) or not isinstance(replaces, int)):
            raise TypeError("replaces")
        return AttendanceRows((read_attendance(row, "attendance"),), replaces)
    if kind == EventKind.EXPERT_LEFT:
        left, arrived = (
            F.read_moment(data["left_at"], "left_at"),
            F.read_moment(data["arrived_at"], "arrived_at"),
        )
        replacement = _bool(data, "replacement", False)
        return ExpertLeft(left, arrived, bool(replacement), _bool(data, "commitment"))
    if kind in (EventKind.EXPERT_REPLACED, EventKind.EXPERT_COMMITMENT):
        leaver = data["leaver"]
        if isinstance(leaver, bool) or not isinstance(leaver, int) or leaver < 1:
            raise TypeError("leaver")
        act = ExpertReplaced if kind == EventKind.EXPERT_REPLACED else ExpertCommitment
        return act(leaver, F.read_moment(data["at"], "at"))
    return None


def _new(kind: EventKind, at: datetime, text: str, payload: Payload) -> NewEvent:
    """The event to append, its payload checked by the rules it will be read by."""
    F.read_text(text, "内容")  # the one text limit, when written as when read
    data = encode(payload)
    decode(kind, data)
    return NewEvent(kind, at, text, data)


# ----------------------------------------------------------------- how values read


def value_label(spec: F.Field, value: F.Value) -> str:
    """How a value reads in the timeline."""
    if value is None:
        return "（未填）"
    if isinstance(value, Stage):
        return STAGE_LABELS[value]
    if isinstance(value, Fault):
        return FAULT_LABELS[value]
    if isinstance(value, ProjectType):
        return PROJECT_TYPE_LABELS[value]
    if spec.kind is F.Kind.PLAN and isinstance(value, int):
        return PLAN_SHORT[value]  # stage-neutral: an answer can outlive a change of stage
    if isinstance(value, datetime):
        return format_dt(value)
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, bool):
        return "能" if value else "不能"
    if isinstance(value, tuple):
        return "、".join(value)
    return str(value)


def project_summary(project: Project) -> str:
    parts = [project.name or "（未填写项目名称）"]
    if project.number:
        parts.append(f"编号 {project.number}")
    parts.append(PROJECT_TYPE_LABELS[project.type])
    return "，".join(parts)


# ----------------------------------------------------------------- making events


def created_event(
    at: datetime,
    project: Project,
    started_at: datetime | None,
    source: str,
    *,
    case_hash: str = "",
) -> NewEvent:
    text = f"创建事件记录：{project_summary(project)}"
    if started_at is not None:
        text += f"；故障发生于 {format_dt(started_at)}"
    if source.startswith("case:"):
        text += f"（从案例文件 {source.removeprefix('case:')} 导入）"
    return _new(EventKind.CREATED, at, text, Created(project, started_at, source, case_hash))


def answer_event(
    at: datetime, field_id: str, value: F.Value, old: F.Value, *, quiet: bool = False
) -> NewEvent:
    """An answer; when it replaces an earlier answer the text says old → new. The value is
    checked by the field table (a wrong type or a text too long is refused, naming the field)."""
    spec = F.BY_KEY[field_id]
    value = F.read_value(spec, F.to_json(value))
    old = F.read_value(spec, F.to_json(old))
    if quiet:
        text = ""
    elif old is None:
        text = f"确认 {spec.label}：{value_label(spec, value)}"
    else:
        text = f"更改 {spec.label}：{value_label(spec, old)} → {value_label(spec, value)}"
    return _new(EventKind.ANSWER, at, text, Answer(spec, value, old))


def project_event(at: datetime, project: Project, old: Project) -> NewEvent:
    parts = []
    for spec in F.PROJECT:
        before, after = getattr(old, spec.key), getattr(project, spec.key)
        if before != after:
            b = value_label(spec, before) if known(before) else "（空）"
            a = value_label(spec, after) if known(after) else "（空）"
            parts.append(f"{spec.label} {b} → {a}")
    return _new(
        EventKind.PROJECT, at, "更改项目信息：" + "；".join(parts), ProjectChanged(project, old)
    )


def details_event(at: datetime, new: Mapping[str, str], old: Mapping[str, str]) -> NewEvent:
    """The record's free texts (cause, course, measures) typed in or changed."""
    parts = []
    for key, value in new.items():
        label = DETAIL_FIELDS.get(key, key)
        before = old.get(key, "")
        if before:
            parts.append(f"更改 {label}：{before} → {value or '（空）'}")
        else:
            parts.append(f"填写 {label}：{value}")
    values = tuple((F.BY_KEY[k], F.read_value(F.BY_KEY[k], v)) for k, v in new.items())
    return _new(EventKind.DETAILS, at, "；".join(parts), Details(values))


def log_event(at: datetime, text: str) -> NewEvent:
    """A line of the timeline; longer than ``MAX_TEXT`` it is refused now, not by every reader
    of the record later."""
    line = F.read_text(text, "内容")
    return _new(EventKind.LOG, at, line, Log())


def resolved_event(at: datetime, resolved_at: datetime | None, old: datetime | None) -> NewEvent:
    """The fault cleared at ``resolved_at``; a later one corrects it (old → new), and
    ``resolved_at=None`` takes it back (the fault is not cleared after all)."""
    if resolved_at is None:
        text = f"更正：撤销故障排除记录（原记为 {format_dt(old)} 排除），故障仍未排除"
    elif old is not None:
        text = f"更改 故障排除时间：{format_dt(old)} → {format_dt(resolved_at)}"
    else:
        text = "故障已排除"  # the entry's own time is the moment it was cleared
    return _new(EventKind.RESOLVED, resolved_at or at, text, Resolved(resolved_at, old))


def tick_text(step_text: str, done_at: datetime | None, old: datetime | None) -> str:
    """A tick as the record's 经过 reads it: the step's whole text (never a cut copy)."""
    what = step_text.strip().rstrip("。；")
    if done_at is None:
        return f"更正：撤销“{what}”的完成记录（原记为 {format_dt(old)} 完成）"
    if old is not None:
        return f"更正：“{what}”的完成时间 {format_dt(old)} → {format_dt(done_at)}"
    return f"已完成：{what}"


def tick_event(
    at: datetime,
    step: str,
    step_text: str,
    done_at: datetime | None,
    old: datetime | None,
) -> NewEvent:
    """A step (by its key, ``Step.key``) marked done at ``done_at``; a later tick of the same
    step corrects it (old → new), and ``done_at=None`` takes it back. Nothing earlier is
    rewritten."""
    return _new(
        EventKind.TICK,
        done_at or at,
        tick_text(step_text, done_at, old),
        Tick(step, step_text, done_at, old),
    )


def discard_event(at: datetime, reason: str) -> NewEvent:
    reason = F.read_text(reason, "--reason")
    return _new(EventKind.DISCARD, at, f"作废此事件记录：{reason}", Discard(reason))


def attendance_text(a: Attendance, replaces: int | None = None) -> str:
    span = f"{format_dt(a.arrived_at)} 到达，{format_dt(a.left_at)} 结束"
    text = f"{a.count}名专家{span}" + ("" if a.evaluated else "（到场但未能评审）")
    if replaces is not None:
        text = f"更正第{replaces}条专家到离记录：{text}"
    return text


def attendance_event(
    at: datetime,
    arrived_at: datetime,
    left_at: datetime,
    count: int,
    *,
    evaluated: bool = True,
    replaces: int | None = None,
) -> NewEvent:
    """Experts' arrival and release (the fee sheet's lines, 5.1, 5.5)."""
    a = Attendance(arrived_at, left_at, count, evaluated=evaluated)
    return _new(
        EventKind.ATTENDANCE, at, attendance_text(a, replaces), AttendanceRows((a,), replaces)
    )


def expert_left_text(left: ExpertLeft) -> str:
    text = f"1名专家因特殊情况于 {format_dt(left.left_at)} 离开"
    if left.commitment is True:
        text += "，已签署不对外泄露评审信息的承诺"
    elif left.commitment is False:
        text += "，尚未签署不对外泄露评审信息的承诺"
    return text + ("；已补抽专家" if left.replacement else "；尚未补抽")


def expert_left_event(
    at: datetime,
    left_at: datetime,
    arrived_at: datetime,
    *,
    replacement: bool,
    commitment: bool | None,
) -> NewEvent:
    """An expert who could not go on (5.1): left at ``left_at`` (the moment the witness said
    so), whether the confidentiality commitment was signed (asked, never assumed), whether a
    replacement was drawn (recordable later: ``expert_replaced_event``); paid for the time
    actually spent."""
    payload = ExpertLeft(left_at, arrived_at, replacement, commitment)
    return _new(EventKind.EXPERT_LEFT, left_at, expert_left_text(payload), payload)


def expert_replaced_event(at: datetime, leaver: int, left_at: datetime) -> NewEvent:
    """The replacement drawn for the ``leaver``-th expert who left (5.1: 补抽)."""
    text = f"已为 {format_dt(left_at)} 离开的专家补抽专家"
    return _new(EventKind.EXPERT_REPLACED, at, text, ExpertReplaced(leaver, at))


def expert_commitment_event(at: datetime, leaver: int, left_at: datetime) -> NewEvent:
    """The ``leaver``-th expert who left signed the commitment not to disclose anything of the
    evaluation (5.1), recorded after the leaving itself."""
    text = f"{format_dt(left_at)} 离开的专家已签署不对外泄露评审信息的承诺"
    return _new(EventKind.EXPERT_COMMITMENT, at, text, ExpertCommitment(leaver, at))


def case_events(case: Case, at: datetime, source: str, *, case_hash: str = "") -> list[NewEvent]:
    """The events that record a prepared case file as a new incident: every field of the table
    the case gives (answers for the situation's, one ``details`` for the rest), its timeline,
    its attendance and its resolution."""
    s = case.situation
    events = [created_event(at, case.project, s.started_at, source, case_hash=case_hash)]
    details: list[tuple[F.Field, F.Value]] = []
    for spec in (*F.INCIDENT, *F.CONFIDENTIAL):
        if spec.key in ("id", "started_at", "resolved_at"):
            continue  # the id is the store's; the onset is the creation's; the resolution below
        value = case_value(case, spec)
        if spec.key in FACT_KEYS:  # the engine's facts: answers, as the wizard records them
            if value is not None:
                events.append(answer_event(at, spec.key, value, None, quiet=True))
        elif says(spec, value):
            details.append((spec, value))
    if details:
        events.append(_new(EventKind.DETAILS, at, "", Details(tuple(details))))
    for entry in case.sorted_timeline():
        events.append(log_event(entry.at, entry.text))
    if case.attendance:
        events.append(
            _new(EventKind.ATTENDANCE, at, "", AttendanceRows(case.attendance, whole_table=True))
        )
    if s.resolved_at is not None:
        events.append(resolved_event(at, s.resolved_at, None))
    return events
