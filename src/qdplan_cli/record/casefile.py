"""The case file: one TOML file that ``decide``, ``render``, ``incident --case`` and ``export``
all read or write.

```toml
[project]       # the [project] fields of ``plan.fields`` (name, number, type, … opening_time)
[incident]      # the [incident] fields of ``plan.fields`` (stage, fault, started_at, facts,
                # plan, plan_filed_at, notice_published_at, … cause, course, measures)
[[timeline]]    # at = <datetime>, text = "..."
[confidential]  # experts = [...], bidders = [...]
[[attendance]]  # experts' arrival and release, for the fee sheet: arrived_at, left_at,
                # count (default 1), name (optional), evaluated (default true), note
```
Every key is checked against the field table (``plan.fields``): a typo is an error naming the
key, never a silently ignored fact. ``parse_case`` reads a file, ``case_to_dict`` writes one, and
``case_value`` / ``with_value`` read and set one field of a ``Case``: the fold of an incident's
events (``record.incident``) builds its ``Case`` with them, so a stored incident and its case
file can never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from qdplan_cli.local.tomlfile import read_toml
from qdplan_cli.plan import fields as F
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import Attendance
from qdplan_cli.plan.model import ProjectType, Situation
from qdplan_cli.plan.times import check_not_before_onset

# Re-exported: the limits are the field table's.
MAX_TEXT, MAX_NAMES, MAX_ROWS = F.MAX_TEXT, F.MAX_NAMES, F.MAX_ROWS
MAX_ATTENDANCE_DAYS = 31  # one attendance row: an evaluation does not span more than a month
MAX_EXPERTS_PER_ROW = 99  # one attendance row: far above any evaluation committee

# Labels by key, derived from the field table (the wizard, the events' texts, the documents).
PROJECT_FIELDS: dict[str, str] = {f.key: f.label for f in F.PROJECT}
PROJECT_TEXT_KEYS = tuple(f.key for f in F.PROJECT if f.kind is F.Kind.TEXT)
DETAIL_FIELDS: dict[str, str] = {key: F.field(key).label for key in F.DETAIL_KEYS}
ATTENDANCE_KEYS = ("arrived_at", "left_at", "count", "name", "evaluated", "note")


@dataclass(frozen=True)
class Project:
    name: str = ""
    number: str = ""
    type: ProjectType = ProjectType.CONSTRUCTION
    tenderer: str = ""
    tenderer_contact: str = ""
    tenderer_phone: str = ""
    tenderer_address: str = ""
    agency: str = ""
    venue: str = ""
    contact: str = ""
    phone: str = ""
    agency_address: str = ""
    first_notice_date: date | None = None
    opening_time: datetime | None = None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str


@dataclass(frozen=True)
class Case:
    """A whole case: the project, the situation the engine decides on, and what the record needs."""

    project: Project = field(default_factory=Project)
    situation: Situation = field(default_factory=Situation)
    incident_id: str = ""
    cause: str = ""
    course: str = ""
    measures: str = ""
    new_venue: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    experts: tuple[str, ...] = ()
    bidders: tuple[str, ...] = ()
    attendance: tuple[Attendance, ...] = ()

    def sorted_timeline(self) -> tuple[TimelineEntry, ...]:
        return tuple(sorted(self.timeline, key=lambda e: e.at))


# ----------------------------------------------------------------- one field of a case

_CASE_ATTRS = {"id": "incident_id"}  # [incident] keys whose Case attribute has another name


def case_value(case: Case, spec: F.Field) -> F.Value:
    """The value of one field of the table in ``case`` (``None`` or "" when not known)."""
    if spec.table is F.Table.PROJECT:
        value: F.Value = getattr(case.project, spec.key)
    elif spec.key in F.SITUATION_KEYS:
        value = getattr(case.situation, spec.key)
    else:
        value = getattr(case, _CASE_ATTRS.get(spec.key, spec.key))
    return value


def with_project(case: Case, project: Project) -> Case:
    """``case`` with ``project``: the situation follows its type and its opening time (招标投标法
    第三十四条: 开标应当在投标截止时间的同一时间公开进行)."""
    situation = F.evolve(
        case.situation, {"project_type": project.type, "bid_deadline": project.opening_time}
    )
    return F.evolve(case, {"project": project, "situation": situation})


_T = TypeVar("_T", Project, Case)


def _replaced(obj: _T, attr: str, value: F.Value) -> _T:
    """``obj`` with ``attr`` set: the attribute and its value's type are the field table's (the
    value was checked by ``plan.fields.read_value``, and ``test_fields`` checks the table against
    these dataclasses), which a type checker cannot see through a name."""
    return F.evolve(obj, {attr: value})


def _project_value(spec: F.Field, value: F.Value) -> F.Value:
    """A project field's value as ``Project`` holds it (not known: the default type, "")."""
    if spec.kind is F.Kind.PROJECT_TYPE and value is None:
        return ProjectType.CONSTRUCTION
    if spec.kind is F.Kind.TEXT and value is None:
        return ""
    return value


def project_of(values: Iterable[tuple[F.Field, F.Value]]) -> Project:
    """A project from the values of its fields (each checked by ``plan.fields.read_value``),
    built at once: what setting them one by one with ``with_value`` gives."""
    changes = {spec.key: _project_value(spec, value) for spec, value in values}
    return F.evolve(Project(), changes)


def with_value(case: Case, spec: F.Field, value: F.Value) -> Case:
    """``case`` with one field set (``None``: not known), the value already checked
    (``plan.fields.read_value``)."""
    if spec.table is F.Table.PROJECT:
        return with_project(case, _replaced(case.project, spec.key, _project_value(spec, value)))
    if spec.key in F.SITUATION_KEYS:
        if spec.key == "expert_left_early":
            value = bool(value)
        elif spec.kind is F.Kind.TEXT and not value:
            value = None  # override_reason: "" is no reason
        return F.evolve(case, {"situation": F.with_fact(case.situation, spec.key, value)})
    if spec.kind is F.Kind.NAMES and value is None:
        value = ()
    elif spec.kind is F.Kind.TEXT and value is None:
        value = ""
    return _replaced(case, _CASE_ATTRS.get(spec.key, spec.key), value)


def known(value: F.Value) -> bool:
    """Whether a value says something (a case file leaves out what it does not): a fact
    answered "no" (``False``) does; "not known" (``None``), an empty text or list does not."""
    return value is not None and value != "" and value != ()


def says(spec: F.Field, value: F.Value) -> bool:
    """Whether ``value`` of ``spec`` is written to a case file: known, and not a default that
    says nothing (``expert_left_early = false``; the project's type is always written)."""
    if spec.kind is F.Kind.PROJECT_TYPE:
        return True
    if spec.key == "expert_left_early":
        return value is True
    return known(value)


# ----------------------------------------------------------------- reading a case file


def _check_keys(table: object, allowed: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise UserError(f"应为表，收到{F.type_name(table)}", field=where)
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UserError(
            f"未知的键：{'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）",
            field=f"{where}.{unknown[0]}",
        )
    return table


def _table_array(raw: object, key: str, unit: str) -> list[object]:
    """A ``[[key]]`` array of tables, at most ``MAX_ROWS`` long (each table checked by the caller)."""
    if not isinstance(raw, list):
        raise UserError(f"应为 [[{key}]] 表数组", field=key)
    if len(raw) > MAX_ROWS:
        raise UserError(f"{unit}数太多（上限 {MAX_ROWS} {unit}）", field=key)
    return raw


def read_attendance(entry: object, where: str) -> Attendance:
    """One ``[[attendance]]`` row (a case file's, or an event's: the same rules)."""
    table = _check_keys(entry, set(ATTENDANCE_KEYS), where)
    arrived = (
        F.read_moment(table["arrived_at"], f"{where}.arrived_at") if "arrived_at" in table else None
    )
    left = F.read_moment(table["left_at"], f"{where}.left_at") if "left_at" in table else None
    if arrived is None:
        raise UserError("缺少到达时间", field=f"{where}.arrived_at")
    if left is None:
        raise UserError("缺少结束（离开）时间", field=f"{where}.left_at")
    if left < arrived:
        raise UserError("结束时间早于到达时间", field=f"{where}.left_at")
    if (left - arrived).days >= MAX_ATTENDANCE_DAYS:
        raise UserError(
            f"到达与结束相隔 {(left - arrived).days} 天，超过 {MAX_ATTENDANCE_DAYS} 天：请核对日期",
            field=f"{where}.left_at",
        )
    count = table.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise UserError(f"人数应为正整数，收到 {count!r}", field=f"{where}.count")
    if count > MAX_EXPERTS_PER_ROW:
        raise UserError(
            f"人数 {count} 不合常理（一行最多 {MAX_EXPERTS_PER_ROW} 人）", field=f"{where}.count"
        )
    evaluated = table.get("evaluated", True)
    if not isinstance(evaluated, bool):
        raise UserError("应为 true 或 false", field=f"{where}.evaluated")
    return Attendance(
        arrived_at=arrived,
        left_at=left,
        count=count,
        name=F.read_text(table.get("name", ""), f"{where}.name"),
        evaluated=evaluated,
        note=F.read_text(table.get("note", ""), f"{where}.note"),
    )


def attendance_row(a: Attendance) -> dict[str, datetime | int | bool | str]:
    """One ``[[attendance]]`` row as a case file writes it (defaults left out)."""
    row: dict[str, datetime | int | bool | str] = {
        "arrived_at": a.arrived_at,
        "left_at": a.left_at,
        "count": a.count,
    }
    if not a.evaluated:
        row["evaluated"] = False
    if a.name:
        row["name"] = a.name
    if a.note:
        row["note"] = a.note
    return row


def read_timeline_entry(entry: object, where: str) -> TimelineEntry:
    table = _check_keys(entry, {"at", "text"}, where)
    if table.get("at") is None:
        raise UserError("缺少时间 at", field=f"{where}.at")
    at = F.read_moment(table["at"], f"{where}.at")
    text = F.read_text(table.get("text", ""), f"{where}.text")
    if not text:
        raise UserError("缺少内容 text", field=f"{where}.text")
    return TimelineEntry(at=at, text=text)


_TABLES = {
    F.Table.PROJECT: F.PROJECT,
    F.Table.INCIDENT: F.INCIDENT,
    F.Table.CONFIDENTIAL: F.CONFIDENTIAL,
}


def parse_case(data: Mapping[str, Any]) -> Case:
    """Validate a parsed TOML document and build a ``Case``. Raises ``UserError`` naming the key."""
    _check_keys(data, {*(t.value for t in F.Table), "timeline", "attendance"}, "case")
    case = Case()
    for table, specs in _TABLES.items():
        raw = _check_keys(data.get(table.value, {}), {f.key for f in specs}, table.value)
        for spec in specs:
            case = with_value(case, spec, F.read_value(spec, raw.get(spec.key)))
    timeline = tuple(
        read_timeline_entry(entry, f"timeline[{i}]")
        for i, entry in enumerate(_table_array(data.get("timeline", []), "timeline", "条"), start=1)
    )
    attendance = tuple(
        read_attendance(entry, f"attendance[{i}]")
        for i, entry in enumerate(
            _table_array(data.get("attendance", []), "attendance", "行"), start=1
        )
    )
    return replace(case, timeline=timeline, attendance=attendance)


def case_to_dict(case: Case, incident_id: str | None = None) -> dict[str, object]:
    """``case`` as a case file (the TOML document ``parse_case`` reads back to the same case):
    every field of the table that says something, the timeline in time order, the attendance."""
    if incident_id is not None:
        case = replace(case, incident_id=incident_id)
    data: dict[str, object] = {}
    for table, specs in _TABLES.items():
        values = {
            spec.key: F.plain(value)
            for spec in specs
            if says(spec, value := case_value(case, spec))
        }
        if values:
            data[table.value] = values
    if case.timeline:
        data["timeline"] = [{"at": e.at, "text": e.text} for e in case.sorted_timeline()]
    if case.attendance:
        data["attendance"] = [attendance_row(a) for a in case.attendance]
    return data


def case_fingerprint(case: Case) -> str:
    """A hash of what a case says (not of how its file is laid out): an import records it, and
    the same case file imported again is found (``incident --case`` is idempotent)."""
    import hashlib
    import json

    text = json.dumps(case_to_dict(case), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load_case(path: Path) -> Case:
    """Read and validate a case file (UTF-8, with or without a BOM)."""
    data = read_toml(path, "案例文件")
    assert data is not None
    try:
        case = parse_case(data)
        check_order(case)
    except UserError as exc:
        raise UserError(f"{path.name}：{exc}", field=exc.field) from None
    return case


def check_order(case: Case) -> None:
    """A moment the field table says cannot come before the onset (a publication, an issue, a
    filing, the resolution) does not: a case file saying otherwise has a typing mistake (the
    engine would count the 2 hours or the working day from the wrong moment)."""
    onset = case.situation.started_at
    for spec in F.INCIDENT:
        value = case_value(case, spec)
        if spec.after_onset and isinstance(value, datetime) and spec.key != "resolved_at":
            check_not_before_onset(value, onset, spec.path, spec.label)


# ----------------------------------------------------------------- where an exported file came from

_EXPORT_LINE = re.compile(
    r"^# 导出自事件 (?P<id>\S+)，记录校验码 (?P<record>\S+)，内容校验码 (?P<content>[0-9a-f]{16})$",
    re.M,
)


def _content_hash(body: str) -> str:
    import hashlib

    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def export_header(incident_id: str, record_hash: str, body: str) -> str:
    """The header ``export`` writes above the case: which incident and record the file is, and a
    hash of the body below so a later edit shows (``export_origin``)."""
    return (
        f"# qdplan 事件 {incident_id} 导出的案例文件（含专家、投标人姓名时请勿外传）\n"
        f"# 导出自事件 {incident_id}，记录校验码 {record_hash}，"
        f"内容校验码 {_content_hash(body)}\n"
    )


def export_origin(path: Path) -> str | None:
    """For ``render --case``: where an exported case file came from, and whether it was edited
    since; ``None`` for a file ``export`` did not write."""
    from qdplan_cli.local.inputs import read_input
    from qdplan_cli.local.tomlfile import MAX_BYTES

    try:
        text = read_input(path, "案例文件", limit=MAX_BYTES).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, UserError):
        return None
    head = text[:1000]
    match = _EXPORT_LINE.search(head)
    if match is None:
        return None
    body = text[text.index("\n", match.end()) + 1 :] if "\n" in text[match.end() :] else ""
    incident_id, record = match["id"], match["record"]
    source = f"案例文件导出自事件 {incident_id}（导出时记录校验码 {record}"
    if _content_hash(body) != match["content"]:
        return source + "）；导出后文件内容已被修改，文书依据的是修改后的内容"
    check = f"；可用 qdplan verify {incident_id} --hash {record} 核对" if record.isalnum() else ""
    return source + f"{check}），导出后未被修改"
