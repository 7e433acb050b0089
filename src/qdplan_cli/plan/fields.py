"""The field table: every fact and act of an incident, once.

Each ``Field`` says its key, its table in a case file (``[project]``, ``[incident]``,
``[confidential]``), its type, its Chinese label, the clause it rests on, how a value is checked
and where it appears. Everything else is derived from this table: the case-file reader and writer
(``record.casefile``), the events' payloads and the fold (``record.events``, ``record.incident``),
``export``, the hand-over, the wizard's questions (``ui.wording``) and the JSON output. A key
written anywhere else by hand is a bug (``tests/test_fields.py`` checks every representation).

Values are typed: ``str`` (texts), ``bool`` (facts), ``int`` (the plan), ``datetime`` (moments,
Asia/Shanghai), ``date`` (days), the enums ``Stage``, ``Fault``, ``ProjectType``, and
``tuple[str, ...]`` (names).
``read_value`` is the one check of a value, used when a case file is read, when an event is
written and when it is read back: what was accepted when written is readable forever.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Final, TypeVar

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.model import PLANS, Fact, Fault, ProjectType, Situation, Stage
from qdplan_cli.plan.times import check_range, localize, read_time

# One limit per input: no field of a case needs more (the same when written and when read).
MAX_TEXT = 10_000  # characters in one text field, one timeline line, one log entry
MAX_NAMES = 200  # names in one confidential list
MAX_NAME = 200  # characters in one name
MAX_ROWS = 1_000  # timeline entries, attendance rows


class Table(StrEnum):
    """The table of a case file a field lives in."""

    PROJECT = "project"
    INCIDENT = "incident"
    CONFIDENTIAL = "confidential"


class Kind(StrEnum):
    """A field's type."""

    TEXT = "text"
    TIME = "time"
    DATE = "date"  # a day without a time (the original notice's first publication)
    BOOL = "bool"
    PLAN = "plan"
    STAGE = "stage"
    FAULT = "fault"
    PROJECT_TYPE = "project_type"
    NAMES = "names"


class Shown(StrEnum):
    """Where a field appears (besides the case file, where every field appears)."""

    EVENTS = "events"  # recorded by an event of the incident's record (and so in the hand-over)
    EXPORT = "export"  # written by ``export``
    SITUATION = "situation"  # read by the engine (``Situation``)
    WIZARD = "wizard"  # asked by the wizard
    DOCUMENTS = "documents"  # a variable of the document templates (``project.name`` …)
    CARD = "card"  # a line of the paper checklist's head (``qdplan checklist``)


class Act(StrEnum):
    """What was done during an incident, with its time (the fold lists them in ``acts``)."""

    PLAN_CHOSEN = "plan_chosen"  # 4.2.1, 5.1: 招标人选择方案
    PLAN_FILED = "plan_filed"  # 报监管部门备案 (方案三 at opening: 备案后现场公布)
    SUPPLEMENT_ISSUED = "supplement_issued"  # 4.2.1 方案三: 延期开标书面补充公告发出
    SUPPLEMENT_ANNOUNCED = "supplement_announced"  # 4.2.1 方案三: 备案后现场公布
    NOTICE_PUBLISHED = "notice_published"  # 4.1.x: 延迟开标公告发布
    FALLBACK_TRIED = "fallback_tried"  # 4.1.1, 4.2.1, 5.1: 应急网络已尝试（结果已记录）
    QUICK_FIX_TRIED = "quick_fix_tried"  # 4.2.1, 5.1: 简单维修已尝试（结果已记录）
    EXPERTS_ARRIVED = "experts_arrived"  # 5.1, 5.5: 专家到达（计费）
    EXPERT_LEFT = "expert_left"  # 5.1: 专家因特殊情况不能继续评标
    EXPERT_REPLACED = "expert_replaced"  # 5.1: 补抽专家
    COMMITMENT_SIGNED = "commitment_signed"  # 5.1: 签署不对外泄露评审信息的承诺
    RESOLVED = "resolved"  # 故障排除
    DISCARDED = "discarded"  # 事件作废（qdplan discard）


ACT_LABELS: Final = {
    Act.PLAN_CHOSEN: "选择应急方案",
    Act.PLAN_FILED: "方案报监管部门备案",
    Act.SUPPLEMENT_ISSUED: "发出延期开标书面补充公告",
    Act.SUPPLEMENT_ANNOUNCED: "补充公告现场公布",
    Act.NOTICE_PUBLISHED: "发布延迟开标公告",
    Act.FALLBACK_TRIED: "尝试应急网络",
    Act.QUICK_FIX_TRIED: "尝试简单维修",
    Act.EXPERTS_ARRIVED: "专家到达",
    Act.EXPERT_LEFT: "专家提前离开",
    Act.EXPERT_REPLACED: "补抽专家",
    Act.COMMITMENT_SIGNED: "签署保密承诺",
    Act.RESOLVED: "故障排除",
    Act.DISCARDED: "事件作废",
}

Value = str | bool | int | datetime | date | Stage | Fault | ProjectType | tuple[str, ...] | None


@dataclass(frozen=True)
class Field:
    """One fact or act of an incident."""

    key: str
    table: Table
    kind: Kind
    label: str
    clause: str = ""  # the clause of the plan (PLAN.md) the field serves; "" for bookkeeping
    shown: frozenset[Shown] = frozenset()
    # The one time policy (``plan.times.check_moment``): a moment that cannot lie ahead of now
    # (beyond ``FUTURE_SLACK``) and one that cannot come before the fault's onset.
    past_only: bool = False
    after_onset: bool = False
    act: Act | None = None  # the act a recorded value of this field is
    question: str = ""  # what the wizard asks (``{keep}`` / terms filled in by the wizard)
    hint: str = ""  # the wizard's one-line hint of what the plan says about it
    menu: str = ""  # the wizard's menu entry for a field recorded from the hub
    doc: str = ""  # what ``qdplan templates vars`` says of it, when more than its label

    @property
    def path(self) -> str:
        """``incident.plan_filed_at``: how errors and the documents' variables name it."""
        return f"{self.table.value}.{self.key}"


_E = frozenset({Shown.EVENTS, Shown.EXPORT})
_ES = _E | {Shown.SITUATION}
_D = frozenset({Shown.DOCUMENTS})
_W = frozenset({Shown.WIZARD})
_C = frozenset({Shown.CARD})

FIELDS: Final[tuple[Field, ...]] = (
    # ------------------------------------------------------------------ [project]
    Field(
        "name", Table.PROJECT, Kind.TEXT, "项目名称", shown=_E | _D | _W | _C, question="项目名称："
    ),
    Field(
        "number",
        Table.PROJECT,
        Kind.TEXT,
        "项目编号",
        shown=_E | _D | _W | _C,
        question="项目编号：",
    ),
    Field(
        "type",
        Table.PROJECT,
        Kind.PROJECT_TYPE,
        "项目类型",
        shown=_ES | _D | _W | _C,
        question="项目类型：",
        doc="项目类型（建设工程 / 政府采购）",
    ),
    Field(
        "tenderer",
        Table.PROJECT,
        Kind.TEXT,
        "招标人",
        shown=_E | _D | _W | _C,
        question="{tenderer}：",
        doc="招标人（采购人）名称",
    ),
    # The tenderer's own contact and address, for the notices' 联系方式 (a published 更正公告
    # gives 名称、地址、联系方式 of each party). Not asked by the wizard (the agency fills them in
    # the case file); a notice leaves out a line it has nothing for, never prints a blank.
    Field(
        "tenderer_contact",
        Table.PROJECT,
        Kind.TEXT,
        "招标人联系人",
        shown=_E | _D,
        doc="招标人（采购人）联系人（未填时公告不印此行）",
    ),
    Field(
        "tenderer_phone",
        Table.PROJECT,
        Kind.TEXT,
        "招标人电话",
        shown=_E | _D,
        doc="招标人（采购人）联系电话",
    ),
    Field(
        "tenderer_address",
        Table.PROJECT,
        Kind.TEXT,
        "招标人地址",
        shown=_E | _D,
        doc="招标人（采购人）地址（政府采购更正公告印“地址”；未填时不印）",
    ),
    Field(
        "agency",
        Table.PROJECT,
        Kind.TEXT,
        "代理机构",
        shown=_E | _D | _W | _C,
        question="{agency}：",
        doc="代理机构名称",
    ),
    Field(
        "venue",
        Table.PROJECT,
        Kind.TEXT,
        "地点",
        shown=_E | _D | _W | _C,
        question="开标地点：",
        doc="原开标（评标）地点",
    ),
    Field(
        "contact",
        Table.PROJECT,
        Kind.TEXT,
        "联系人",
        shown=_E | _D | _W,
        question="{agency}联系人：",
    ),
    Field(
        "phone",
        Table.PROJECT,
        Kind.TEXT,
        "电话",
        shown=_E | _D | _W,
        question="联系电话：",
        doc="联系电话",
    ),
    Field(
        "agency_address",
        Table.PROJECT,
        Kind.TEXT,
        "代理机构地址",
        shown=_E | _D,
        doc="代理机构地址（政府采购更正公告印“地址”；未填时不印）",
    ),
    Field(
        "first_notice_date",
        Table.PROJECT,
        Kind.DATE,
        "首次公告日期",
        shown=_E | _D,
        doc="原公告首次发布的日期（政府采购更正公告印“首次公告日期”；未填时留出空白待手填）",
    ),
    Field(
        "opening_time",
        Table.PROJECT,
        Kind.TIME,
        "开标时间",
        "4.1.1",  # 投标截止时间 = 开标时间 (招标投标法 第三十四条)
        shown=_ES | _D | _W | _C,
        question="开标（投标截止）时间，如 2026-12-08 09:00：",
        doc="原定开标时间（含日期、星期）",
    ),
    # ------------------------------------------------------------------ [incident]
    Field("id", Table.INCIDENT, Kind.TEXT, "事件编号", shown=frozenset({Shown.EXPORT}) | _D),
    Field(
        Fact.STAGE.value,
        Table.INCIDENT,
        Kind.STAGE,
        "所处环节",
        "第四条、第五条",
        shown=_ES | _D | _W,
        question="故障发生在哪个环节？",
        hint="预案：开标准备阶段按第四条（一），开标过程中按第四条（二），{evaluation}环节按第五条处置",
        doc="所处环节（开标准备阶段 / 开标过程中 / 评标环节）",
    ),
    Field(
        Fact.FAULT.value,
        Table.INCIDENT,
        Kind.FAULT,
        "故障类型",
        "第三条",
        shown=_ES | _D | _W,
        question="发生了什么故障？",
        hint="预案：网络或设备故障先通知综合交易保障人员；系统故障通知系统管理人员和开发公司技术人员；"
        "停电通知物业楼层服务人员",
        doc="故障类型（全称）",
    ),
    Field(
        "started_at",
        Table.INCIDENT,
        Kind.TIME,
        "故障发生时间",
        "4.2.1",  # the 2-hour line runs from it (4.2.x, 5.x)
        shown=_ES | _D | _W,
        past_only=True,
        question="故障发生时间（如 2026-12-08 09:12 或 09:12）：",
    ),
    Field(
        "resolved_at",
        Table.INCIDENT,
        Kind.TIME,
        "故障排除时间",
        "4.3",
        shown=_ES | _D,
        past_only=True,
        after_onset=True,
        act=Act.RESOLVED,
    ),
    Field(
        Fact.FALLBACK_WORKS.value,
        Table.INCIDENT,
        Kind.BOOL,
        "更换无线、移动数据等应急网络后能否正常进行",
        "4.2.1",
        shown=_ES | _W,
        act=Act.FALLBACK_TRIED,
        question="更换无线、移动数据等其它应急网络后，能否正常进行？",
        hint="预案：{agency}可尝试使用无线、移动数据等其它应急网络；可正常开标的，可按计划正常开标"
        "（开标过程中在见证人员见证下）",
    ),
    Field(
        Fact.QUICK_FIX_WORKS.value,
        Table.INCIDENT,
        Kind.BOOL,
        "经简单维修能否快速排除故障",
        "4.2.1",
        shown=_ES | _W,
        act=Act.QUICK_FIX_TRIED,
        question="经简单维修，能否快速排除故障？",
        hint="预案：经简单维修可快速排除故障的，在见证人员见证下，可按计划正常进行；"
        "仍不能的由{agency}与{tenderer}协商，视情确定处置措施",
    ),
    Field(
        Fact.FIXED_BEFORE_DEADLINE.value,
        Table.INCIDENT,
        Kind.BOOL,
        "能否在投标截止时间前修复",
        "4.1.1",
        shown=_ES | _W,
        question="故障能否在{deadline}前修复？",
        hint="预案：截止前可修复的，可按计划正常开标（停电：应按计划正常开标；系统故障由{agency}会同"
        "{tenderer}研究决定是否延期开标）；无法修复的，出具延迟开标公告",
    ),
    Field(
        Fact.BIDDERS_CAN_SIGN_IN.value,
        Table.INCIDENT,
        Kind.BOOL,
        "到场投标人能否网上签到",
        "4.1.1",
        shown=_ES | _W,
        question="到场{bidders}能否网上签到？",
        hint="预案：到场{bidders}无法网上签到、影响按时开标的，出具延迟开标公告",
    ),
    Field(
        Fact.WITHIN_2H.value,
        Table.INCIDENT,
        Kind.BOOL,
        "故障能否在2小时内解决",
        "4.2.1",
        shown=_ES | _W,
        question="{judge}判断：故障能否在发生后2小时内解决？",
        hint="预案：2小时内可以解决的，{agency}应在见证人员见证下说明情况，待故障修复后继续；"
        "无法解决的，{tenderer}可以在三种方案中选择一种，并报监管部门备案",
    ),
    Field(
        Fact.PLAN.value,
        Table.INCIDENT,
        Kind.PLAN,
        "选择的应急方案",
        "4.2.1",
        shown=_ES | _W,
        act=Act.PLAN_CHOSEN,
        question="{tenderer}选择哪种应急方案？",
        hint="预案：{tenderer}可以在方案中选择一种，并报监管部门备案；方案已备案或公布后照常执行",
    ),
    Field(
        "plan_filed_at",
        Table.INCIDENT,
        Kind.TIME,
        "方案报监管部门备案（公布）时间",
        "4.2.1",
        shown=_ES | _D | _W,
        past_only=True,
        after_onset=True,
        act=Act.PLAN_FILED,
        question="方案备案（公布）时间（如 11:20 或 2026-12-08 11:20；{keep}）：",
        menu="方案已报监管部门备案：记录备案时间（此后方案照常执行）",
        doc="所选方案报监管部门备案（方案三：现场公布）时间",
    ),
    Field(
        "notice_published_at",
        Table.INCIDENT,
        Kind.TIME,
        "延迟开标公告发布时间",
        "4.1.1",
        shown=_ES | _D | _W,
        past_only=True,
        after_onset=True,
        act=Act.NOTICE_PUBLISHED,
        question="延迟开标公告发布时间（如 10:40 或 2026-12-08 10:40；{keep}）：",
        menu="延迟开标公告已发布：记录发布时间（算出原则上的最早新开标时间）",
    ),
    Field(
        "supplement_issued_at",
        Table.INCIDENT,
        Kind.TIME,
        "补充公告发出时间",
        "4.2.1",
        shown=_ES | _D | _W,
        past_only=True,
        after_onset=True,
        act=Act.SUPPLEMENT_ISSUED,
        question="补充公告发出时间（如 11:40 或 2026-12-08 11:40；{keep}）：",
        menu="方案三·出具：书面补充公告已出具（发出），记录时间",
    ),
    Field(
        "supplement_announced_at",
        Table.INCIDENT,
        Kind.TIME,
        "补充公告现场公布时间",
        "4.2.1",
        shown=_ES | _W | _D,
        past_only=True,
        after_onset=True,
        act=Act.SUPPLEMENT_ANNOUNCED,
        question="补充公告现场公布时间（如 11:50 或 2026-12-08 11:50；{keep}）：",
        menu="方案三·现场公布：补充公告已现场公布，记录时间",
    ),
    Field(
        "new_time",
        Table.INCIDENT,
        Kind.TIME,
        "拟定的新开标时间",
        "4.1.1",
        shown=_ES | _W,
        question="拟定的新开标时间（如 2026-12-11 09:00；{keep}）：",
        menu="填写拟定的新开标时间",
    ),
    Field(
        "override_reason",
        Table.INCIDENT,
        Kind.TEXT,
        "早于原则上最早时间的例外理由",
        "4.1.1",
        shown=_ES | _D | _W,
        question="例外理由（如：到场{bidders}均书面同意提前开标）：",
        menu="新时间早于原则上的最早时间：写明例外理由（写入时间线和书面记录）",
        doc="新时间早于原则上最早时间的例外理由（原则上）",
    ),
    Field(
        "expert_left_early",
        Table.INCIDENT,
        Kind.BOOL,
        "有专家因特殊情况提前离开",
        "5.1",
        shown=_ES | _D,
        act=Act.EXPERT_LEFT,
        doc="有专家因特殊情况提前离开（true/false；各人的离开、承诺、补抽时间见 leavers）",
    ),
    Field(
        "cause",
        Table.INCIDENT,
        Kind.TEXT,
        "原因",
        "4.3",
        shown=_E | _D | _W,
        question="原因（如：开标室核心交换机故障）：",
    ),
    Field(
        "course",
        Table.INCIDENT,
        Kind.TEXT,
        "经过",
        "4.3",
        shown=_E | _D | _W,
        question="经过（时间线会自动附上，可留空）：",
    ),
    Field(
        "measures",
        Table.INCIDENT,
        Kind.TEXT,
        "解决措施",
        "4.3",
        shown=_E | _D | _W,
        question="解决措施：",
    ),
    Field(
        "new_venue",
        Table.INCIDENT,
        Kind.TEXT,
        "新的开评标地点",
        "4.2.1",
        shown=_E | _D,
        doc="新的开标（评标）地点",
    ),
    # ------------------------------------------------------------------ [confidential]
    # Never in a public document (the confidentiality check reads these).
    Field("experts", Table.CONFIDENTIAL, Kind.NAMES, "专家姓名", "5.1", shown=_E),
    Field("bidders", Table.CONFIDENTIAL, Kind.NAMES, "投标人名称", "4.2.1", shown=_E),
)


def table_fields(table: Table) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.table is table)


PROJECT: Final = table_fields(Table.PROJECT)
INCIDENT: Final = table_fields(Table.INCIDENT)
CONFIDENTIAL: Final = table_fields(Table.CONFIDENTIAL)
# ``[incident]`` keys are unique across tables except where a project key is meant: one lookup.
BY_KEY: Final = {f.key: f for f in (*INCIDENT, *CONFIDENTIAL)}
PROJECT_BY_KEY: Final = {f.key: f for f in PROJECT}
# The situation's own fields (``Situation`` attributes named as their keys).
SITUATION_KEYS: Final = frozenset(
    f.key
    for f in INCIDENT
    if Shown.SITUATION in f.shown and f.key in Situation.__dataclass_fields__
)
# The written record's free texts (4.3, 5.4: 原因、经过、解决措施) and the new venue.
DETAIL_KEYS: Final = ("cause", "course", "measures", "new_venue")
TIME_KEYS: Final = frozenset(f.key for f in FIELDS if f.kind is Kind.TIME)


def field(key: str, table: Table = Table.INCIDENT) -> Field:
    """The field of ``key`` in ``table`` (a key not in the table is a programming error)."""
    return (PROJECT_BY_KEY if table is Table.PROJECT else BY_KEY)[key]


# ----------------------------------------------------------------- reading a value


def type_name(value: object) -> str:
    return {
        bool: "布尔值",
        int: "整数",
        float: "小数",
        str: "字符串",
        list: "列表",
        dict: "表",
    }.get(type(value), type(value).__name__)


def read_text(value: object, where: str, limit: int = MAX_TEXT) -> str:
    """A text (stripped), at most ``limit`` characters."""
    if not isinstance(value, str):
        raise UserError(f"应为字符串，收到{type_name(value)}", field=where)
    if len(value) > limit:
        raise UserError(f"太长（{len(value)} 字，上限 {limit} 字）", field=where)
    return value.strip()


def read_moment(value: object, where: str) -> datetime:
    """A moment: a TOML datetime, or a text with a full date (a file has no "today")."""
    if isinstance(value, datetime):
        return localize(check_range(value, where))
    if isinstance(value, date):
        raise UserError("缺少时刻：应为日期加时间，如 2026-12-08T09:30:00", field=where)
    if isinstance(value, time):
        raise UserError("缺少日期：应为日期加时间，如 2026-12-08T09:30:00", field=where)
    if isinstance(value, str):  # the one time parser (ISO 8601 as JSON writes it, and more)
        return read_time(value, where).at
    raise UserError(f"应为日期时间，收到{type_name(value)}", field=where)


_CHINESE_DAY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def read_day(value: object, where: str) -> date:
    """A day: a TOML date, or a text ``2026-11-20`` / ``2026年11月20日``."""
    if isinstance(value, datetime):
        raise UserError("应为日期（不含时刻），如 2026-11-20", field=where)
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        text = value.strip()
        found = _CHINESE_DAY.fullmatch(text)
        try:
            day = (
                date(int(found[1]), int(found[2]), int(found[3]))
                if found
                else date.fromisoformat(text)
            )
        except ValueError:
            day = None
    if day is None:
        raise UserError(f"应为日期，如 2026-11-20 或 2026年11月20日，收到 {value!r}", field=where)
    check_range(datetime.combine(day, time()), where)
    return day


def read_plan(value: object, where: str) -> int:
    # 3.0 is not a plan number (and would be exported so); True is not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in PLANS:
        raise UserError(f"方案只能是 1、2 或 3（整数），收到 {value!r}", field=where)
    return value


def read_names(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise UserError("应为字符串列表", field=where)
    if len(value) > MAX_NAMES or any(len(v) > MAX_NAME for v in value):
        raise UserError(
            f"名单太长（最多 {MAX_NAMES} 个名字，每个不超过 {MAX_NAME} 字）", field=where
        )
    return tuple(v.strip() for v in value if v.strip())


def read_value(spec: Field, value: object, where: str | None = None) -> Value:
    """The one check of a field's value (case file, event written, event read). ``None`` is
    "not known"; anything else is checked against the field's type and limits, naming the field
    (``where``, default its path) in the error."""
    where = where or spec.path
    if value is None:
        return None
    kind = spec.kind
    if kind is Kind.TEXT:
        return read_text(value, where)
    if kind is Kind.TIME:
        return read_moment(value, where)
    if kind is Kind.DATE:
        return read_day(value, where)
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise UserError(f"应为 true 或 false，收到 {value!r}", field=where)
        return value
    if kind is Kind.PLAN:
        return read_plan(value, where)
    if kind is Kind.NAMES:
        return read_names(value, where)
    choices: type[Stage] | type[Fault] | type[ProjectType] = (
        Stage if kind is Kind.STAGE else Fault if kind is Kind.FAULT else ProjectType
    )
    if isinstance(value, str):
        try:
            return choices(value.strip())
        except ValueError:
            pass
    names = "、".join(m.value for m in choices)  # worded only for the message
    if not isinstance(value, str):
        raise UserError(f"应为 {names} 之一，收到{type_name(value)}", field=where)
    raise UserError(f"应为 {names} 之一，收到 {value!r}", field=where)


_Frozen = TypeVar("_Frozen")


def evolve(obj: _Frozen, changes: Mapping[str, object]) -> _Frozen:
    """``dataclasses.replace(obj, **changes)`` for the field table's frozen dataclasses
    (``Situation``, ``Project``, ``Case``: plain fields with a ``__dict__``, no
    ``__post_init__``): the same object, made by copying the attributes instead of calling
    ``__init__`` field by field, several times faster (the fold sets tens of fields on each of a
    year's incidents). ``tests/test_fields.py`` checks it against ``replace``."""
    attrs = vars(obj)
    for name in changes:
        if name not in attrs:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    new = object.__new__(type(obj))
    made = vars(new)
    made.update(attrs)
    made.update(changes)
    return new


def with_fact(situation: Situation, key: str, value: Value) -> Situation:
    """``situation`` with one of its fields set by key (a fact of the table, or the two it takes
    from the project: ``project_type``, ``bid_deadline``). The value's type is the field
    table's, checked by ``read_value`` or given typed by the caller; the table is checked
    against ``Situation`` by ``tests/test_fields.py``, which a type checker cannot see through
    a name."""
    if key not in SITUATION_KEYS and key not in ("project_type", "bid_deadline"):
        raise KeyError(key)
    return evolve(situation, {key: value})


def plain(value: Value) -> str | bool | int | datetime | date | list[str] | None:
    """A value as TOML writes it (enums by their ids, names as a list, times as datetimes,
    days as dates)."""
    if isinstance(value, Stage | Fault | ProjectType):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def to_json(value: Value) -> str | bool | int | list[str] | None:
    """A value as an event's JSON holds it (times as ISO 8601 with the offset, days as
    ``2026-11-20``)."""
    out = plain(value)
    if isinstance(out, datetime):
        return localize(out).isoformat()
    if isinstance(out, date):
        return out.isoformat()
    return out


def read_table(
    raw: Mapping[str, object], fields: tuple[Field, ...], where: str
) -> dict[str, Value]:
    """A table's values, each checked (unknown keys are refused by the caller)."""
    return {f.key: read_value(f, raw.get(f.key), f"{where}.{f.key}") for f in fields}
