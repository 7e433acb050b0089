"""``qdplan decide``: the plan's answer for a situation given by flags or a case file."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.reports import say


def _choice(value: str | None, field: str, choices: dict[str, str]) -> str | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in choices:
        options = "、".join(f"{k}（{v}）" for k, v in choices.items())
        raise UserError(f"不能是 {value!r}，应为 {options} 之一", field=field)
    return key


def _time(
    value: str | None, field: str, rt: Runtime, notes: list[str], past: str | None = None
) -> datetime | None:
    """One time option through the one parser; ``past`` names a time that cannot lie ahead of
    now (onset, resolution, publication, issue). decide also answers what-if questions about a
    planned session (a drill, a case file dated next week), so the future-time rule applies
    when the witness has said what "now" is (``--now``)."""
    if value is None:
        return None
    from qdplan_cli.plan.times import check_not_future, read_time

    reading = read_time(value, field, rt.now)
    if reading.said_back:
        notes.append(f"{field}：{reading.said_back}")
    if past is not None and rt.now_given:
        check_not_future(reading.at, rt.now, field, past)
    return reading.at


# The parameter of a field whose option has another name (``--fault-started-at``).
OPTION_NAMES = {"started_at": "fault_started_at"}


def decide(
    stage: Annotated[
        str | None,
        typer.Option(
            help="所处环节：prep（开标准备）、opening（开标过程中）、evaluation（评标）。"
        ),
    ] = None,
    fault: Annotated[
        str | None,
        typer.Option(
            help="故障类型：network（网络或设备）、system（电子交易系统）、power（停电）。"
        ),
    ] = None,
    project_type: Annotated[
        str | None,
        typer.Option(help="项目类型：construction（建设工程，默认）、procurement（政府采购）。"),
    ] = None,
    fallback_works: Annotated[
        bool | None,
        typer.Option(
            "--fallback-works/--no-fallback-works",
            help="更换无线、移动数据等应急网络后能否正常进行。",
            show_default=False,
        ),
    ] = None,
    quick_fix_works: Annotated[
        bool | None,
        typer.Option(
            "--quick-fix-works/--no-quick-fix-works",
            help="经简单维修能否快速排除故障。",
            show_default=False,
        ),
    ] = None,
    fixed_before_deadline: Annotated[
        bool | None,
        typer.Option(
            "--fixed-before-deadline/--not-fixed-before-deadline",
            help="能否在投标截止时间（政府采购：响应文件提交截止时间）前修复（开标准备阶段）。",
            show_default=False,
        ),
    ] = None,
    bidders_can_sign_in: Annotated[
        bool | None,
        typer.Option(
            "--bidders-can-sign-in/--bidders-cannot-sign-in",
            help="到场投标人能否网上签到（开标准备阶段网络故障）。",
            show_default=False,
        ),
    ] = None,
    within_2h: Annotated[
        bool | None,
        typer.Option(
            "--within-2h/--beyond-2h",
            help="故障能否在发生后2小时内解决（技术人员的判断；时间已定时以时间为准）。",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        int | None,
        typer.Option(help="招标人选择的方案：1（另行选择地点）、2（原地点）、3（另行择期）。"),
    ] = None,
    expert_left_early: Annotated[
        bool | None,
        typer.Option(
            "--expert-left-early/--no-expert-left-early",
            help="评标等候期间有专家确实不能继续评标（需签保密承诺、补抽）。",
            show_default=False,
        ),
    ] = None,
    fault_started_at: Annotated[
        str | None,
        typer.Option(help="故障发生时间，如 2026-12-08 09:12 或 9:12（今天），北京时间。"),
    ] = None,
    resolved_at: Annotated[str | None, typer.Option(help="故障排除时间。")] = None,
    opening_time: Annotated[
        str | None, typer.Option(help="投标截止（开标）时间，用于判断能否在截止前修复。")
    ] = None,
    now: Annotated[str | None, typer.Option(help="以此时间为“现在”（默认：系统时钟）。")] = None,
    notice_published_at: Annotated[str | None, typer.Option(help="延迟开标公告发布时间。")] = None,
    supplement_issued_at: Annotated[
        str | None, typer.Option(help="延期开标书面补充公告发出时间。")
    ] = None,
    supplement_announced_at: Annotated[
        str | None,
        typer.Option(help="方案三：延期开标书面补充公告经监管部门备案后现场公布的时间。"),
    ] = None,
    new_time: Annotated[str | None, typer.Option(help="拟定的新开标（评标）时间。")] = None,
    plan_filed_at: Annotated[
        str | None,
        typer.Option(help="所选方案报监管部门备案（方案三：现场公布）的时间；此后方案照常执行。"),
    ] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(help="新时间早于原则上的最早时间时，写明例外理由（如到场投标人均同意）。"),
    ] = None,
    case: Annotated[
        Path | None,
        typer.Option(help="案例文件（TOML）；同时给出的选项优先。", dir_okay=False),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="节假日日历文件（TOML），补充 holidays 包仅推定的年份。", dir_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出决定。")] = False,
) -> None:
    """按应急预案判断当前情况该怎么办：通知谁、尝试什么、可选方案、须出的文书和签字人。"""
    given = dict(locals())  # the options, by parameter name (before any other local)
    from qdplan_cli.plan.model import Fault, ProjectType, Situation, Stage

    base = Situation()
    if case is not None:  # casefile (tomllib, dataclasses) only when a case is given
        from qdplan_cli.record.casefile import load_case

        base = load_case(case).situation
    rt = Runtime(now, calendar_file=calendar)
    notes: list[str] = []  # how short times were read, said once every time is parsed
    from qdplan_cli.plan.fields import INCIDENT, Kind, Shown, Value, with_fact

    # Every fact the engine reads has its option, named as the field (``tests/test_fields``):
    # the values are read through the field table, times by the one time policy.
    flags: dict[str, Value] = {"bid_deadline": _time(opening_time, "--opening-time", rt, notes)}
    for spec in INCIDENT:
        if Shown.SITUATION not in spec.shown or spec.key in ("stage", "fault", "plan"):
            continue
        name = OPTION_NAMES.get(spec.key, spec.key)
        raw = given[name]
        if spec.kind is Kind.TIME:
            what = spec.label if spec.past_only else None
            flags[spec.key] = _time(raw, "--" + name.replace("_", "-"), rt, notes, what)
        elif spec.kind is Kind.TEXT:
            flags[spec.key] = raw.strip() if raw else None
        else:
            flags[spec.key] = raw
    stage_id = _choice(
        stage, "--stage", {"prep": "开标准备", "opening": "开标过程中", "evaluation": "评标"}
    )
    fault_id = _choice(fault, "--fault", {"network": "网络", "system": "系统", "power": "停电"})
    type_id = _choice(
        project_type, "--project-type", {"construction": "建设工程", "procurement": "政府采购"}
    )
    if plan is not None:
        from qdplan_cli.plan.model import check_plan

        flags["plan"] = check_plan(plan, "--plan")
    if stage_id:
        flags["stage"] = Stage(stage_id)
    if fault_id:
        flags["fault"] = Fault(fault_id)
    if type_id:
        flags["project_type"] = ProjectType(type_id)
    situation = base
    for key, value in flags.items():
        if value is not None:
            situation = with_fact(situation, key, value)

    from qdplan_cli.plan.decide import needs_calendar

    # The config (and platformdirs to find it) is read only when the answer can depend on it:
    # the checklist shows contacts; JSON needs it only for calendar-dependent times.
    wanted = not as_json or calendar is not None or needs_calendar(situation)
    decision = rt.decide(situation, configured=wanted)
    for note in notes:
        say(note, err=True)
    if as_json:
        from qdplan_cli.ui.jsonout import decision_json

        say(decision_json(decision))
    else:
        from qdplan_cli.ui.console import print_checklist

        print_checklist(decision, contacts=rt.contacts if wanted else None)


def register(app: typer.Typer) -> None:
    app.command()(decide)
