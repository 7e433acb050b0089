"""The events of an incident's record: their kinds and how each is made.

Event kinds (``data`` keys):
- ``created``  — ``project`` (dict), ``started_at`` (ISO or null), ``source``
- ``project``  — ``project`` (new dict), ``old`` (previous dict)
- ``answer``   — ``field`` (an ``[incident]`` key: a fact, ``stage``, ``fault``, ``plan``,
  ``started_at``), ``value`` (JSON; times as ISO), ``old`` (the previous value, or null)
- ``details``  — ``incident`` (other ``[incident]`` keys), ``confidential`` (experts, bidders)
- ``log``      — a line of the timeline (``text``)
- ``resolved`` — ``resolved_at`` (ISO), ``old``
- ``tick``     — a checklist step done: ``step`` (its id, ``step_id``), ``step_text``,
  ``done_at`` (ISO, or null when a correction takes the tick back), ``old``
- ``discard``  — the incident set aside: ``reason`` (nothing is deleted; ``list`` hides it)
- ``attendance`` — experts' arrival and release: ``arrived_at``, ``left_at``, ``count``,
  ``evaluated``; ``replaces`` (1-based number of an earlier entry this one corrects) or null
- ``expert_left`` — an expert left early (5.1): ``left_at``, ``arrived_at``, ``replacement``
  (a replacement was drawn), ``commitment`` (the confidentiality commitment was signed)

Every event is appended, never changed: a correction is a later event that says old → new.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from qdplan_cli.plan.labels import (
    FACT_LABELS,
    FAULT_LABELS,
    PLAN_SHORT,
    PROJECT_TYPE_LABELS,
    STAGE_LABELS,
)
from qdplan_cli.plan.model import Fact, Fault, ProjectType, Stage, Step
from qdplan_cli.plan.times import format_dt, localize
from qdplan_cli.record.casefile import (
    DETAIL_FIELDS,
    INCIDENT_TIME_KEYS,
    PROJECT_FIELDS,
    Case,
    Project,
)
from qdplan_cli.record.store import NewEvent


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


# The kinds whose text is a line of the written record's 经过 (4.3, 5.4): what was done and
# when. Answers, project edits and the creation are shown by ``show`` but are not the 经过.
RECORD_KINDS = frozenset(
    {
        EventKind.LOG,
        EventKind.TICK,
        EventKind.RESOLVED,
        EventKind.ATTENDANCE,
        EventKind.EXPERT_LEFT,
    }
)


PROJECT_KEYS = tuple(PROJECT_FIELDS)
TIME_FIELDS = frozenset({*INCIDENT_TIME_KEYS, "opening_time"})
FIELD_LABELS: dict[str, str] = {
    **{f.value: FACT_LABELS[f] for f in Fact},
    "started_at": "故障发生时间",
    "resolved_at": "故障排除时间",
    "notice_published_at": "延迟开标公告发布时间",
    "supplement_issued_at": "补充公告发出时间",
    "plan_filed_at": "方案报监管部门备案（公布）时间",
    "override_reason": "早于原则上最早时间的例外理由",
    "new_time": "拟定的新开标时间",
}


def project_to_dict(project: Project) -> dict[str, Any]:
    """A ``Project`` as its ``[project]`` table (empty fields left out, times as datetimes)."""
    out: dict[str, Any] = {}
    for key in PROJECT_KEYS:
        value = getattr(project, key)
        if key == "type":
            out[key] = value.value
        elif value:
            out[key] = value
    return out


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


def from_json(key: str, value: Any) -> Any:
    if key in TIME_FIELDS and isinstance(value, str):
        return localize(datetime.fromisoformat(value))
    return value


def project_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_json(k, v) for k, v in data.items() if v not in ("", None)}


def value_label(field_id: str, value: Any) -> str:
    """How an answer reads in the timeline."""
    if value is None:
        return "（未填）"
    if field_id == "stage":
        return STAGE_LABELS[Stage(value)]
    if field_id == "fault":
        return FAULT_LABELS[Fault(value)]
    if field_id == "plan":
        return PLAN_SHORT[int(value)]  # stage-neutral: an answer can outlive a change of stage
    if field_id in TIME_FIELDS:
        return format_dt(localize(datetime.fromisoformat(value)))
    if isinstance(value, bool):
        return "能" if value else "不能"
    return str(value)


def project_summary(project: Mapping[str, Any]) -> str:
    name = project.get("name") or "（未填写项目名称）"
    number = project.get("number")
    kind = project.get("type")
    parts = [name]
    if number:
        parts.append(f"编号 {number}")
    if kind:
        parts.append(PROJECT_TYPE_LABELS[ProjectType(kind)])
    return "，".join(parts)


# ----------------------------------------------------------------- making events


def created_event(
    at: datetime, project: Mapping[str, Any], started_at: datetime | None, source: str
) -> NewEvent:
    text = f"创建事件记录：{project_summary(project)}"
    if started_at is not None:
        text += f"；故障发生于 {format_dt(started_at)}"
    if source.startswith("case:"):
        text += f"（从案例文件 {source.removeprefix('case:')} 导入）"
    return NewEvent(
        EventKind.CREATED,
        at,
        text,
        {
            "project": _to_json(dict(project)),
            "started_at": _to_json(started_at),
            "source": source,
        },
    )


def answer_event(
    at: datetime, field_id: str, value: Any, old: Any, *, quiet: bool = False
) -> NewEvent:
    """An answer; when it replaces an earlier answer the text says old → new."""
    label = FIELD_LABELS.get(field_id, field_id)
    value, old = _to_json(value), _to_json(old)
    if quiet:
        text = ""
    elif old is None:
        text = f"确认 {label}：{value_label(field_id, value)}"
    else:
        text = f"更改 {label}：{value_label(field_id, old)} → {value_label(field_id, value)}"
    return NewEvent(EventKind.ANSWER, at, text, {"field": field_id, "value": value, "old": old})


def project_event(at: datetime, project: Mapping[str, Any], old: Mapping[str, Any]) -> NewEvent:
    new_j, old_j = _to_json(dict(project)), _to_json(dict(old))
    changed = [k for k in PROJECT_KEYS if new_j.get(k) != old_j.get(k)]
    names = PROJECT_FIELDS
    parts = []
    for key in changed:
        before = old_j.get(key)
        after = new_j.get(key)
        if key == "opening_time":
            before = value_label(key, before) if before else None
            after = value_label(key, after) if after else None
        elif key == "type":
            before = PROJECT_TYPE_LABELS[ProjectType(before)] if before else None
            after = PROJECT_TYPE_LABELS[ProjectType(after)] if after else None
        parts.append(f"{names[key]} {before or '（空）'} → {after or '（空）'}")
    return NewEvent(
        EventKind.PROJECT, at, "更改项目信息：" + "；".join(parts), {"project": new_j, "old": old_j}
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
    return NewEvent(
        EventKind.DETAILS, at, "；".join(parts), {"incident": dict(new), "confidential": {}}
    )


def log_event(at: datetime, text: str) -> NewEvent:
    return NewEvent(EventKind.LOG, at, text.strip())


def resolved_event(at: datetime, resolved_at: datetime | None, old: datetime | None) -> NewEvent:
    """The fault cleared at ``resolved_at``; a later one corrects it (old → new), and
    ``resolved_at=None`` takes it back (the fault is not cleared after all)."""
    if resolved_at is None:
        text = f"更正：撤销故障排除记录（原记为 {format_dt(old)} 排除），故障仍未排除"
    elif old is not None:
        text = f"更改 故障排除时间：{format_dt(old)} → {format_dt(resolved_at)}"
    else:
        text = "故障已排除"  # the entry's own time is the moment it was cleared
    return NewEvent(
        EventKind.RESOLVED,
        resolved_at or at,
        text,
        {"resolved_at": _to_json(resolved_at), "old": _to_json(old)},
    )


def step_id(step: Step) -> str:
    """A stable id for a checklist step, so a tick finds its step again: the clause, the kind
    and a short hash of the text (the engine's wording is not changed to carry ids)."""
    import hashlib

    digest = hashlib.sha1(step.text.encode("utf-8")).hexdigest()[:6]
    return f"{step.clause}-{step.kind.value}-{digest}"


def _short(text: str, limit: int = 40) -> str:
    text = text.strip().rstrip("。；")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tick_event(
    at: datetime,
    step: str,
    step_text: str,
    done_at: datetime | None,
    old: datetime | None,
) -> NewEvent:
    """A step marked done at ``done_at``; a later tick of the same step corrects it (old → new),
    and ``done_at=None`` takes it back. Nothing earlier is rewritten."""
    what = _short(step_text, 60)
    if done_at is None:
        text = f"更正：撤销“{what}”的完成记录（原记为 {format_dt(old)} 完成）"
    elif old is not None:
        text = f"更正：“{what}”的完成时间 {format_dt(old)} → {format_dt(done_at)}"
    else:
        text = f"已完成：{what}"
    return NewEvent(
        EventKind.TICK,
        done_at or at,
        text,
        {
            "step": step,
            "step_text": step_text,
            "done_at": _to_json(done_at),
            "old": _to_json(old),
        },
    )


def discard_event(at: datetime, reason: str) -> NewEvent:
    reason = reason.strip()
    return NewEvent(EventKind.DISCARD, at, f"作废此事件记录：{reason}", {"reason": reason})


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
    who = f"{count}名专家"
    span = f"{format_dt(arrived_at)} 到达，{format_dt(left_at)} 结束"
    text = f"{who}{span}" + ("" if evaluated else "（到场但未能评审）")
    if replaces is not None:
        text = f"更正第{replaces}条专家到离记录：{text}"
    return NewEvent(
        EventKind.ATTENDANCE,
        at,
        text,
        {
            "arrived_at": _to_json(arrived_at),
            "left_at": _to_json(left_at),
            "count": count,
            "evaluated": evaluated,
            "replaces": replaces,
        },
    )


def expert_left_event(
    at: datetime, left_at: datetime, arrived_at: datetime, *, replacement: bool
) -> NewEvent:
    """An expert who could not go on (5.1): signs the confidentiality commitment, is replaced by
    a new draw, and is paid for the time actually spent."""
    text = f"1名专家因特殊情况于 {format_dt(left_at)} 离开，已签署不对外泄露评审信息的承诺"
    text += "；已补抽专家" if replacement else "；尚未补抽"
    return NewEvent(
        EventKind.EXPERT_LEFT,
        left_at,
        text,
        {
            "left_at": _to_json(left_at),
            "arrived_at": _to_json(arrived_at),
            "replacement": replacement,
            "commitment": True,
        },
    )


def case_events(case: Case, at: datetime, source: str) -> list[NewEvent]:
    """The events that record a prepared case file as a new incident."""
    s = case.situation
    events = [created_event(at, project_to_dict(case.project), s.started_at, source)]
    for key in ("stage", "fault", *(f.value for f in Fact if f not in (Fact.STAGE, Fact.FAULT))):
        value = getattr(s, key)
        if value is not None:
            events.append(answer_event(at, key, value, None, quiet=True))
    details: dict[str, Any] = {}
    for key in DETAIL_FIELDS:
        if getattr(case, key):
            details[key] = getattr(case, key)
    for key in ("notice_published_at", "supplement_issued_at", "new_time"):
        if getattr(s, key) is not None:
            details[key] = getattr(s, key)
    if s.expert_left_early:
        details["expert_left_early"] = True
    confidential = {k: list(getattr(case, k)) for k in ("experts", "bidders") if getattr(case, k)}
    if details or confidential:
        events.append(
            NewEvent(
                EventKind.DETAILS,
                at,
                "",
                {"incident": _to_json(details), "confidential": confidential},
            )
        )
    for entry in case.sorted_timeline():
        events.append(log_event(entry.at, entry.text))
    if case.attendance:
        events.append(case_attendance_event(at, case))
    if s.resolved_at is not None:
        events.append(resolved_event(at, s.resolved_at, None))
    return events


def case_attendance_event(at: datetime, case: Case) -> NewEvent:
    """The case's ``[[attendance]]`` as it reads in a case file (keys and ISO times)."""
    rows = []
    for a in case.attendance:
        row: dict[str, Any] = {
            "arrived_at": a.arrived_at.isoformat(),
            "left_at": a.left_at.isoformat(),
            "count": a.count,
            "evaluated": a.evaluated,
        }
        if a.name:
            row["name"] = a.name
        if a.note:
            row["note"] = a.note
        rows.append(row)
    return NewEvent(EventKind.ATTENDANCE, at, "", {"attendance": rows})
