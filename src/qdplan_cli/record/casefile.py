"""The case file: one TOML file that ``decide``, ``render`` and the wizard all read.

```toml
[project]       # name, number, type, tenderer, agency, venue, opening_time, contact, phone
[incident]      # stage, fault, started_at, resolved_at, facts, plan, cause, course, measures,
                # notice_published_at, supplement_issued_at, plan_filed_at, new_time,
                # override_reason, new_venue
[[timeline]]    # at = <datetime>, text = "..."
[confidential]  # experts = [...], bidders = [...]
[[attendance]]  # experts' arrival and release, for the fee sheet: arrived_at, left_at,
                # count (default 1), name (optional), evaluated (default true), note
```
Every key is checked: a typo is an error naming the key, never a silently ignored fact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from qdplan_cli.local.tomlfile import read_toml
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import Attendance
from qdplan_cli.plan.model import BOOLEAN_FACTS, Fault, ProjectType, Situation, Stage, check_plan
from qdplan_cli.plan.times import check_range, localize, read_time

# The ``[project]`` table: every key, in order, with its label. The one copy of the project's
# keys: the case reader, the incident's events, the wizard's questions and the confidentiality
# check all read it.
PROJECT_FIELDS: dict[str, str] = {
    "name": "项目名称",
    "number": "项目编号",
    "type": "项目类型",
    "tenderer": "招标人",
    "agency": "代理机构",
    "venue": "地点",
    "contact": "联系人",
    "phone": "电话",
    "opening_time": "开标时间",
}
PROJECT_TEXT_KEYS = tuple(k for k in PROJECT_FIELDS if k not in ("type", "opening_time"))
# The written record's free texts (4.3, 5.4: 原因、经过、解决措施) and the new venue.
DETAIL_FIELDS: dict[str, str] = {
    "cause": "原因",
    "course": "经过",
    "measures": "解决措施",
    "new_venue": "新的开评标地点",
}
INCIDENT_TEXT_KEYS = ("id", *DETAIL_FIELDS)
INCIDENT_TIME_KEYS = (
    "started_at",
    "resolved_at",
    "notice_published_at",
    "supplement_issued_at",
    "plan_filed_at",
    "new_time",
)
INCIDENT_BOOL_KEYS = (*(f.value for f in BOOLEAN_FACTS), "expert_left_early")


@dataclass(frozen=True)
class Project:
    name: str = ""
    number: str = ""
    type: ProjectType = ProjectType.CONSTRUCTION
    tenderer: str = ""
    agency: str = ""
    venue: str = ""
    contact: str = ""
    phone: str = ""
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


def _type_name(value: object) -> str:
    return {
        bool: "布尔值",
        int: "整数",
        float: "小数",
        str: "字符串",
        list: "列表",
        dict: "表",
    }.get(type(value), type(value).__name__)


# One limit per input: no field of a case needs more, and the fee sheet computes day by day.
MAX_TEXT = 10_000  # characters in one text field
MAX_NAMES = 200  # names in one confidential list
MAX_ROWS = 1_000  # timeline entries, attendance rows
MAX_ATTENDANCE_DAYS = 31  # one attendance row: an evaluation does not span more than a month
MAX_EXPERTS_PER_ROW = 99  # one attendance row: far above any evaluation committee


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise UserError(f"应为字符串，收到{_type_name(value)}", field=f"{where}.{key}")
    if len(value) > MAX_TEXT:
        raise UserError(f"太长（{len(value)} 字，上限 {MAX_TEXT} 字）", field=f"{where}.{key}")
    return value.strip()


def _time(table: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        return localize(check_range(value, f"{where}.{key}"))
    if isinstance(value, date):
        raise UserError("缺少时刻：应为日期加时间，如 2026-12-08T09:30:00", field=f"{where}.{key}")
    if isinstance(value, time):
        raise UserError("缺少日期：应为日期加时间，如 2026-12-08T09:30:00", field=f"{where}.{key}")
    if isinstance(value, str):  # the one time parser; a file has no "today": full dates only
        return read_time(value, f"{where}.{key}").at
    raise UserError(f"应为日期时间，收到{_type_name(value)}", field=f"{where}.{key}")


E = TypeVar("E", Stage, Fault, ProjectType)


def _enum(table: Mapping[str, Any], key: str, where: str, kind: type[E]) -> E | None:
    value = table.get(key)
    if value is None:
        return None
    choices = "、".join(m.value for m in kind)
    if not isinstance(value, str):
        raise UserError(f"应为 {choices} 之一，收到{_type_name(value)}", field=f"{where}.{key}")
    try:
        return kind(value.strip())
    except ValueError:
        raise UserError(f"应为 {choices} 之一，收到 {value!r}", field=f"{where}.{key}") from None


def _check_keys(table: object, allowed: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise UserError(f"应为表，收到{_type_name(table)}", field=where)
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UserError(
            f"未知的键：{'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）",
            field=f"{where}.{unknown[0]}",
        )
    return table


def _names(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    where = f"confidential.{key}"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError("应为字符串列表", field=where)
    if len(value) > MAX_NAMES or any(len(v) > 200 for v in value):
        raise UserError(f"名单太长（最多 {MAX_NAMES} 个名字，每个不超过 200 字）", field=where)
    return tuple(v.strip() for v in value if v.strip())


def _table_array(raw: object, key: str, unit: str) -> list[object]:
    """A ``[[key]]`` array of tables, at most ``MAX_ROWS`` long (each table checked by the caller)."""
    if not isinstance(raw, list):
        raise UserError(f"应为 [[{key}]] 表数组", field=key)
    if len(raw) > MAX_ROWS:
        raise UserError(f"{unit}数太多（上限 {MAX_ROWS} {unit}）", field=key)
    return raw


def _attendance(raw: object) -> tuple[Attendance, ...]:
    result = []
    for i, entry in enumerate(_table_array(raw, "attendance", "行"), start=1):
        where = f"attendance[{i}]"
        table = _check_keys(
            entry, {"arrived_at", "left_at", "count", "name", "evaluated", "note"}, where
        )
        arrived = _time(table, "arrived_at", where)
        left = _time(table, "left_at", where)
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
                f"人数 {count} 不合常理（一行最多 {MAX_EXPERTS_PER_ROW} 人）",
                field=f"{where}.count",
            )
        evaluated = table.get("evaluated", True)
        if not isinstance(evaluated, bool):
            raise UserError("应为 true 或 false", field=f"{where}.evaluated")
        result.append(
            Attendance(
                arrived_at=arrived,
                left_at=left,
                count=count,
                name=_text(table, "name", where),
                evaluated=evaluated,
                note=_text(table, "note", where),
            )
        )
    return tuple(result)


def parse_case(data: Mapping[str, Any]) -> Case:
    """Validate a parsed TOML document and build a ``Case``. Raises ``UserError`` naming the key."""
    _check_keys(data, {"project", "incident", "timeline", "confidential", "attendance"}, "case")
    project_t = _check_keys(
        data.get("project", {}), {*PROJECT_TEXT_KEYS, "type", "opening_time"}, "project"
    )
    incident_t = _check_keys(
        data.get("incident", {}),
        {
            *INCIDENT_TEXT_KEYS,
            *INCIDENT_TIME_KEYS,
            *INCIDENT_BOOL_KEYS,
            "stage",
            "fault",
            "plan",
            "override_reason",
        },
        "incident",
    )
    confidential_t = _check_keys(
        data.get("confidential", {}), {"experts", "bidders"}, "confidential"
    )

    project_type = _enum(project_t, "type", "project", ProjectType) or ProjectType.CONSTRUCTION
    opening_time = _time(project_t, "opening_time", "project")
    project = Project(
        **{k: _text(project_t, k, "project") for k in PROJECT_TEXT_KEYS},
        type=project_type,
        opening_time=opening_time,
    )

    facts: dict[str, bool | None] = {}
    for key in INCIDENT_BOOL_KEYS:
        value = incident_t.get(key)
        if value is not None and not isinstance(value, bool):
            raise UserError(f"应为 true 或 false，收到 {value!r}", field=f"incident.{key}")
        facts[key] = value
    plan = incident_t.get("plan")
    if plan is not None:
        if not isinstance(plan, int):  # 3.0 is not a plan number (and would be exported so)
            raise UserError(f"方案只能是 1、2 或 3（整数），收到 {plan!r}", field="incident.plan")
        plan = check_plan(plan, "incident.plan")
    times = {k: _time(incident_t, k, "incident") for k in INCIDENT_TIME_KEYS}
    situation = Situation(
        stage=_enum(incident_t, "stage", "incident", Stage),
        fault=_enum(incident_t, "fault", "incident", Fault),
        project_type=project_type,
        fallback_works=facts["fallback_works"],
        quick_fix_works=facts["quick_fix_works"],
        fixed_before_deadline=facts["fixed_before_deadline"],
        bidders_can_sign_in=facts["bidders_can_sign_in"],
        within_2h=facts["within_2h"],
        expert_left_early=bool(facts["expert_left_early"]),
        plan=plan,
        # 招标投标法 第三十四条: 开标应当在投标截止时间的同一时间公开进行.
        bid_deadline=opening_time,
        override_reason=_text(incident_t, "override_reason", "incident") or None,
        **times,
    )

    timeline = []
    for i, entry in enumerate(_table_array(data.get("timeline", []), "timeline", "条"), start=1):
        where = f"timeline[{i}]"
        entry_t = _check_keys(entry, {"at", "text"}, where)
        at = _time(entry_t, "at", where)
        if at is None:
            raise UserError("缺少时间 at", field=f"{where}.at")
        text = _text(entry_t, "text", where)
        if not text:
            raise UserError("缺少内容 text", field=f"{where}.text")
        timeline.append(TimelineEntry(at=at, text=text))

    return Case(
        attendance=_attendance(data.get("attendance", [])),
        project=project,
        situation=situation,
        incident_id=_text(incident_t, "id", "incident"),
        cause=_text(incident_t, "cause", "incident"),
        course=_text(incident_t, "course", "incident"),
        measures=_text(incident_t, "measures", "incident"),
        new_venue=_text(incident_t, "new_venue", "incident"),
        timeline=tuple(timeline),
        experts=_names(confidential_t, "experts"),
        bidders=_names(confidential_t, "bidders"),
    )


def load_case(path: Path) -> Case:
    """Read and validate a case file (UTF-8, with or without a BOM)."""
    data = read_toml(path, "案例文件")
    assert data is not None
    try:
        case = parse_case(data)
        _check_order(case)
    except UserError as exc:
        raise UserError(f"{path.name}：{exc}", field=exc.field) from None
    return case


def _check_order(case: Case) -> None:
    """A notice is published after the fault began: a case file saying otherwise has a typing
    mistake (the engine would count the 2 hours or the working day from the wrong moment)."""
    from qdplan_cli.plan.times import format_dt

    s = case.situation
    if s.started_at is None:
        return
    for key, label in (
        ("notice_published_at", "延迟开标公告发布时间"),
        ("supplement_issued_at", "补充公告发出时间"),
    ):
        moment = getattr(s, key)
        if moment is not None and moment < s.started_at:
            raise UserError(
                f"{label} {format_dt(moment)} 早于故障发生时间 {format_dt(s.started_at)}，请核对",
                field=f"incident.{key}",
            )


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
