"""The user's configuration: hall (第六条: the same plan serves 分大厅、分中心), business hours,
supervisors, the contacts directory, the expert fee schedule and a holiday calendar file.

One TOML file in the platformdirs config dir, or where ``QDPLAN_CONFIG`` points. A missing file
means the defaults; a malformed one is a clear exit-2 error naming the key (and line for TOML).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import FeeSchedule
from qdplan_cli.plan.model import ProjectType, Role

Contact = tuple[str, str]  # (name, phone)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str = ""
    note: str = ""


@dataclass(frozen=True)
class Supervisor:
    """The supervising department of one project type (建设工程: 住房城乡建设部门; 政府采购:
    财政部门): the 主送 of the documents filed with it, the 备案 row, and its contact."""

    name: str
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    hall_name: str = "青岛市公共资源交易中心"
    hall_address: str = ""
    business_start: time = time(9, 0)
    business_end: time = time(17, 0)
    supervisors: Mapping[ProjectType, str] = field(default_factory=dict)
    supervisor_contacts: Mapping[ProjectType, Person] = field(default_factory=dict)
    closure_room: str = ""
    # The expert-fee standard cited per project type (the default is a procurement standard).
    fee_sources: Mapping[ProjectType, str] = field(default_factory=dict)
    contacts: Mapping[Role, tuple[Person, ...]] = field(default_factory=dict)
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    calendar_file: Path | None = None
    archive_url: str = ""  # [archive] url: the centre's PostgreSQL archive (qdplan archive)
    laptop: str = ""  # [archive] laptop: this laptop's id in the archive (default: made up once)

    def supervisor(self, project_type: ProjectType) -> Supervisor | None:
        name = self.supervisors.get(project_type, "")
        if not name:
            return None
        person = self.supervisor_contacts.get(project_type)
        return Supervisor(name, person.name if person else "", person.phone if person else "")

    def contact_map(self, project_type: ProjectType | None = None) -> dict[Role, list[Contact]]:
        """Contacts by role; for a project type, the supervisor is that type's own contact
        (``[supervisors.<type>] contact/phone``) when one is configured."""
        result = {
            role: [(p.name, p.phone) for p in people] for role, people in self.contacts.items()
        }
        if project_type is not None and project_type in self.supervisor_contacts:
            person = self.supervisor_contacts[project_type]
            result[Role.SUPERVISOR] = [(person.name, person.phone)]
        return result


def config_path() -> Path:
    env = os.environ.get("QDPLAN_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("qdplan", appauthor=False)) / "config.toml"


def _where(key: str) -> str:
    return f"配置 {key}"


def _str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise UserError("应为字符串", field=_where(f"{where}.{key}"))
    return value.strip()


def _clock(table: Mapping[str, Any], key: str, default: time) -> time:
    value = table.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = time.fromisoformat(value.strip())
    if isinstance(value, time):
        offset = value.utcoffset()
        if offset is None:
            return value
        if offset.total_seconds() == 8 * 3600:  # Asia/Shanghai itself: the same clock time
            return value.replace(tzinfo=None)
        raise UserError(
            f'营业时间是北京时间的时刻，不带其他时区：应写如 "{value:%H:%M}"，收到 {str(value)!r}',
            field=_where(f"hours.{key}"),
        )
    raise UserError(f'应为时刻，如 "09:00"，收到 {value!r}', field=_where(f"hours.{key}"))


def _table(data: Mapping[str, Any], key: str, allowed: set[str] | None) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise UserError("应为表", field=_where(key))
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise UserError(
                f"未知的键 {unknown[0]}（可用：{'、'.join(sorted(allowed))}）",
                field=_where(f"{key}.{unknown[0]}"),
            )
    return value


def _int(table: Mapping[str, Any], key: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"应为非负整数，收到 {value!r}", field=_where(f"fees.{key}"))
    return value


def parse_config(data: Mapping[str, Any], path: Path | None = None) -> Config:
    top = {"hall", "hours", "supervisors", "contacts", "fees", "calendar", "archive"}
    unknown = sorted(set(data) - top)
    if unknown:
        raise UserError(f"未知的配置项（可用：{'、'.join(sorted(top))}）", field=_where(unknown[0]))
    hall = _table(data, "hall", {"name", "address", "closure_room"})
    hours = _table(data, "hours", {"start", "end"})
    start = _clock(hours, "start", time(9, 0))
    end = _clock(hours, "end", time(17, 0))
    if end <= start:
        raise UserError("下班时间应晚于上班时间", field=_where("hours.end"))

    # [supervisors] construction = "名称", or a table [supervisors.construction] with name,
    # contact and phone (the supervisor's contact of that project type).
    supervisors_t = _table(data, "supervisors", {t.value for t in ProjectType})
    supervisors: dict[ProjectType, str] = {}
    supervisor_contacts: dict[ProjectType, Person] = {}
    for key, value in supervisors_t.items():
        kind = ProjectType(key)
        if isinstance(value, Mapping):
            where = f"supervisors.{key}"
            extra = sorted(set(value) - {"name", "contact", "phone"})
            if extra:
                raise UserError(
                    "未知的键（可用：name、contact、phone）", field=_where(f"{where}.{extra[0]}")
                )
            supervisors[kind] = _str(value, "name", where)
            if not supervisors[kind]:
                raise UserError("缺少监管部门名称", field=_where(f"{where}.name"))
            contact = _str(value, "contact", where)
            if contact:
                supervisor_contacts[kind] = Person(contact, _str(value, "phone", where))
        else:
            supervisors[kind] = _str(supervisors_t, key, "supervisors")

    contacts_t = _table(data, "contacts", {r.value for r in Role})
    contacts: dict[Role, tuple[Person, ...]] = {}
    for role_id, people in contacts_t.items():
        where = f"contacts.{role_id}"
        if isinstance(people, Mapping):
            people = [people]
        if not isinstance(people, list):
            raise UserError("应为 [[contacts.角色]] 表数组", field=_where(where))
        entries = []
        for i, person in enumerate(people, start=1):
            item = f"{where}[{i}]"
            if not isinstance(person, Mapping):
                raise UserError("应为表（name、phone、note）", field=_where(item))
            extra = sorted(set(person) - {"name", "phone", "note"})
            if extra:
                raise UserError(
                    "未知的键（可用：name、phone、note）", field=_where(f"{item}.{extra[0]}")
                )
            name = _str(person, "name", item)
            if not name:
                raise UserError("缺少姓名", field=_where(f"{item}.name"))
            entries.append(Person(name, _str(person, "phone", item), _str(person, "note", item)))
        contacts[Role(role_id)] = tuple(entries)

    fees_t = _table(
        data,
        "fees",
        {
            "source",
            "base_hours",
            "base_amount",
            "hourly_amount",
            "part_hour_minutes",
            "part_hour_under_amount",
            "daily_cap",
            "no_evaluation_amount",
            "caution",
            "construction_source",
        },
    )
    default = FeeSchedule()
    fees = FeeSchedule(
        source=_str(fees_t, "source", "fees") or default.source,
        base_hours=_int(fees_t, "base_hours", default.base_hours),
        base_amount=_int(fees_t, "base_amount", default.base_amount),
        hourly_amount=_int(fees_t, "hourly_amount", default.hourly_amount),
        part_hour_minutes=_int(fees_t, "part_hour_minutes", default.part_hour_minutes),
        part_hour_under_amount=_int(
            fees_t, "part_hour_under_amount", default.part_hour_under_amount
        ),
        daily_cap=_int(fees_t, "daily_cap", default.daily_cap),
        no_evaluation_amount=_int(fees_t, "no_evaluation_amount", default.no_evaluation_amount),
        caution=_str(fees_t, "caution", "fees") or default.caution,
    )
    fee_sources = {}
    construction_source = _str(fees_t, "construction_source", "fees")
    if construction_source:
        fee_sources[ProjectType.CONSTRUCTION] = construction_source
    if fees.part_hour_minutes > 60:
        raise UserError("不能超过 60", field=_where("fees.part_hour_minutes"))

    calendar_t = _table(data, "calendar", {"file"})
    calendar_file = None
    if "file" in calendar_t:
        raw = _str(calendar_t, "file", "calendar")
        calendar_file = Path(raw)
        if not calendar_file.is_absolute() and path is not None:
            calendar_file = path.parent / calendar_file

    archive_t = _table(data, "archive", {"url", "laptop"})
    return Config(
        path=path,
        hall_name=_str(hall, "name", "hall") or Config.hall_name,
        hall_address=_str(hall, "address", "hall"),
        business_start=start,
        business_end=end,
        supervisors=supervisors,
        supervisor_contacts=supervisor_contacts,
        closure_room=_str(hall, "closure_room", "hall"),
        fee_sources=fee_sources,
        contacts=contacts,
        fees=fees,
        calendar_file=calendar_file,
        archive_url=_str(archive_t, "url", "archive"),
        laptop=_str(archive_t, "laptop", "archive"),
    )


def load_config(path: Path | None = None) -> Config:
    """The configuration at ``path`` (default: ``config_path()``); defaults when it is absent."""
    path = path or config_path()
    from qdplan_cli.local.tomlfile import read_toml

    data = read_toml(path, "配置文件", missing_ok=True)
    if data is None:
        return Config(path=None)
    try:
        return parse_config(data, path)
    except UserError as exc:
        raise UserError(f"{path}：{exc}") from None


def load_config_or_none(path: Path) -> Config | None:
    """The config for commands that only take names, numbers and hours from it (``incident``,
    ``log`` …): a file that is there but cannot be read as text (saved as ANSI or UTF-16, locked
    by the system) counts as none, said once on stderr; it must never stop an incident from
    being logged. A readable file with a wrong key is still an error (exit 2), and
    ``config show`` reports an unreadable one (``load_config``)."""
    import sys

    from qdplan_cli.local.tomlfile import UnreadableFileError

    try:
        return load_config(path)
    except UnreadableFileError as exc:
        sys.stderr.write(f"警告：{exc}。本次按没有配置文件处理（联系人、工作时间用默认值）。\n")
        return None


CONFIG_TEMPLATE = """\
# qdplan 配置文件（UTF-8）。以 # 开头的行是说明；删去行首的 # 即可启用该项。
# 改完后运行 qdplan config show 检查。

[hall]
# 交易大厅名称和地址。分大厅、分中心可参照同一预案执行（预案第六条），在此写本场所的名称。
name = "青岛市公共资源交易中心"
# address = "青岛市……"
# 评标专家封闭地点（评标中方案二：原地点继续评标时写入封闭方案）
# closure_room = "交易中心三楼专家封闭休息室"

[hours]
# 工作时间，用于判断新的开标时间是否落在工作时间内。
start = "09:00"
end = "17:00"

[supervisors]
# 各类项目的监管部门名称：备案表的备案部门、择期评标决定的主送机关、清单。
# construction = "青岛市住房和城乡建设局"
# procurement = "青岛市财政局"
# 也可写成表，另给该类项目监管部门的联系人（清单“通知谁”中的监管部门按项目类型显示）：
# [supervisors.procurement]
# name = "青岛市财政局"
# contact = "李四"
# phone = "0532-00000000"

# 联系人：每个角色可以写一位或多位，清单中“通知谁”会显示姓名和电话。
# 角色：support_staff 综合交易保障人员；system_admin 电子交易系统管理人员；
#       vendor_technician 系统开发公司技术人员；property_staff 物业楼层服务人员；
#       department_head 本部门负责人；bureau_leader 局分管领导；supervisor 监管部门。
# [[contacts.support_staff]]
# name = "张三"
# phone = "0532-00000000"
# note = "交易大厅二楼机房"

[fees]
# 评标专家劳务报酬标准。默认按鲁财采〔2017〕28号（各地广泛转载的文本）：
# 3小时以内（含）400元；每增加1小时100元；不足1小时的部分满30分钟按1小时计，不足30分钟按50元计；
# 每人每天最高1000元；到场但未能评审的200元。使用前请与现行官方文件核对（鲁财采〔2025〕8号等可能已调整）。
# source = "鲁财采〔2017〕28号《山东省政府采购评审劳务报酬标准》"
# 建设工程项目引用的标准（不写时，建设工程项目的计算表注明上述标准为政府采购标准、须核对）：
# construction_source = "《……评标专家劳务报酬标准》"
# base_hours = 3
# base_amount = 400
# hourly_amount = 100
# part_hour_minutes = 30
# part_hour_under_amount = 50
# daily_cap = 1000
# no_evaluation_amount = 200

[calendar]
# 节假日日历文件（相对本文件所在目录），补充 holidays 包尚未收录官方安排的年份，格式：
#   [years.2027]
#   holidays = ["2027-01-01"]   # 放假日
#   workdays = ["2027-02-07"]   # 调休上班日
# file = "holidays.toml"

[archive]
# 中心的事件档案库（PostgreSQL），供 qdplan archive push 使用；也可用环境变量 QDPLAN_ARCHIVE_URL。
# 地址中不写密码：密码放在仅本人可读的 pgpass 文件里（Windows：%APPDATA%\\postgresql\\pgpass.conf；
# 其他系统：~/.pgpass，权限 0600），每行“服务器:端口:数据库:账号:密码”；或用 pg_service.conf
# 中的服务名（url = "service=qdplan"）。详见 README“档案库”一节。
# url = "postgresql://qdplan_push@档案库服务器/qdplan_archive"
# laptop = "一号笔记本"   # 本机在档案库中的编号；不写则自动生成一次
"""


def write_template(path: Path) -> None:
    """Write the commented template, owner-only (0600: the file may come to hold addresses and
    contact numbers; the archive's password belongs in pgpass, not here)."""
    from qdplan_cli.local.files import write_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, CONFIG_TEMPLATE.encode("utf-8"), private=True)
