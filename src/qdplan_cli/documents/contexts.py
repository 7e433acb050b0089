"""The documents of a case: the template context, the time rules, the confidentiality check.

``render_documents`` renders every document of a decision to markup blocks in memory and checks
them; nothing is written until all of them pass (the caller writes the files). No DOCX here:
``docx_writer`` turns blocks into files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qdplan_cli.documents.markup import Block, parse
from qdplan_cli.documents.templating import Fields, TemplateInfo, Templates
from qdplan_cli.plan import fields as F
from qdplan_cli.plan.clauses import PLAN_CLAUSES
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.labels import (
    DOCUMENT_LABELS,
    FACT_LABELS,
    FAULT_LABELS,
    FAULT_SHORT,
    PLAN_TITLE,
    clause_label,
    outcome_label,
    plan_label,
    role_label,
    stage_label,
    step_citation,
    terms,
)
from qdplan_cli.plan.model import (
    PUBLIC_DOCUMENTS,
    Decision,
    Document,
    Fault,
    Outcome,
    ProjectType,
    Role,
    Stage,
)
from qdplan_cli.plan.times import format_date, format_day, format_dt
from qdplan_cli.record.casefile import DETAIL_FIELDS, PROJECT_TEXT_KEYS, Case, case_value

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.record.incident import Leaver

# What every template may use (``qdplan templates vars``). Values absent from the case are
# left out of the context: a template that needs one fails naming it; optional ones are
# tested with ``{% if x is defined %}``.
VARIABLES: dict[str, str] = {
    "doc.id": "文书编号（如 delay_notice）",
    "doc.title": "文书名称（如 延迟开标公告）",
    "doc.public": "是否公开文书（true/false）",
    "plan_title": "应急预案名称（青岛市公共资源电子交易系统开评标应急预案）",
    "today": "生成日期（2026年12月3日；内置模板不用它落款：文书按事实日期落款）",
    "supervisor.name": "本类项目的监管部门（配置 [supervisors]；未配置时不存在）",
    "supervisor.contact": "监管部门联系人（配置 [supervisors.类型] contact）",
    "supervisor.phone": "监管部门联系电话（配置 [supervisors.类型] phone）",
    "closure.room": "评标专家封闭地点（配置 [hall] closure_room；未配置时不存在）",
    "decision.date": "处置决定的日期（已知时；未知时不存在，落款留“年 月 日”手填）",
    "project.type_id": "项目类型编号（construction / procurement）",
    "incident.record_hash": "记录校验码（render --incident 时：事件记录校验链的前 12 位，qdplan verify 核对）",
    "incident.record_events": "记录的事件条数（render --incident 时；与事件编号、校验码一起印入记录二维码）",
    "incident.stage_id": "环节编号（prep / opening / evaluation）",
    "incident.fault_short": "故障类型（简称：网络故障 / 系统故障 / 停电）",
    "incident.fault_id": "故障编号（network / system / power）",
    "timeline": "经过记录（按时间排序的列表）",
    "timeline[].at": "经过记录的时间（含日期、星期）",
    "timeline[].text": "经过记录的内容",
    "decision.outcome": "处置结论（中文）",
    "decision.outcome_id": "处置结论编号（proceed / delay_notice / choose_plan …）",
    "decision.basis": "依据条款（如 第四条（一）3）",
    "decision.plan_basis": "三种方案的出处（开标过程中 第四条（二）1，评标环节 第五条 1）",
    "decision.clauses": "涉及的全部条款（列表）",
    "decision.plan": "招标人选择的方案（1、2、3）",
    "decision.plan_label": "所选方案全称",
    "decision.allowed_plans": "可选方案（列表）",
    "decision.allowed_plans[].number": "方案序号",
    "decision.allowed_plans[].label": "方案全称",
    "decision.allowed_plans[].chosen": "是否为所选方案",
    "decision.signatories": "书面记录签字方（列表）",
    "decision.signatories[].role": "签字方编号（tenderer / agency / witness）",
    "decision.signatories[].label": "签字方（招标人 / 代理机构 / 见证人员）",
    "decision.signatories[].name": "签字单位名称（见证人员无）",
    "decision.steps": "处置步骤（列表）",
    "decision.steps[].text": "步骤内容",
    "decision.steps[].clause": "步骤依据条款（参照适用的写“参照 ……”，我们的解读写“解读 ……”）",
    "decision.steps[].reading": "步骤所依的解读（预案未逐字规定时写其名称，见 README；否则为空）",
    "decision.two_hour_line": "2小时节点（故障发生后2小时）",
    "decision.earliest_new_time": "原则上的最早新开标时间（“原则上”：写明理由可以例外）",
    "decision.within_2h": "故障是否在2小时内解决",
    "decision.committed": "已备案（公布）的方案或已发布的公告照常执行（不因故障随后修复而撤销）",
    "notice.new_time": "公告采用的新时间（未定时不存在：公告留填写横线）",
    "notice.venue": "新的地点（未变更时为原地点）",
    "notice.venue_changed": "地点是否变更",
    "notice.date": "公告落款日期：延迟开标公告发布日 / 补充公告发出日（未知时不存在，留手填）",
    "notice.rule": "新时间须遵守的规则（文字）",
    "notice.unfixed_at_deadline": "延迟开标公告发布时投标截止时间已过、故障在截止时间前确未排除"
    "（是：公告写“未能排除”这一事实；否：写“经判断…无法排除”；公告按发布时写，不因故障随后排除而改）",
    "leavers": "提前离开的专家（render --incident 时，按离开先后；不含姓名；案例文件没有此项）",
    "leavers[].left_at": "离开时间",
    "leavers[].commitment_at": "签署不对外泄露评审信息的承诺的时间（未签署时不存在）",
    "leavers[].replaced_at": "补抽专家的时间（未补抽时不存在）",
    "experts": "专家姓名（仅非公开文书、且用 --expert-names 时提供）",
    "experts[]": "专家姓名",
    "expert_rows": "保密承诺书签字行数",
}


def _field_reference() -> dict[str, str]:
    """The case's fields a template may use, from the field table (its note, or its label)."""
    return {
        spec.path: spec.doc or spec.label for spec in F.FIELDS if F.Shown.DOCUMENTS in spec.shown
    }


def _term_reference() -> dict[str, str]:
    from qdplan_cli.plan.model import ProjectType

    construction = terms(ProjectType.CONSTRUCTION)
    procurement = terms(ProjectType.PROCUREMENT)
    return {
        f"terms.{k}": f"术语：建设工程“{v}”，政府采购“{procurement[k]}”"
        for k, v in construction.items()
    }


VARIABLES.update(_field_reference())
VARIABLES.update(_term_reference())


def _reference_order(path: str) -> tuple[int, int]:
    """Groups in the order a template reads them; a field's derived forms (``incident.stage_id``)
    beside it, in the field table's order."""
    groups = ("doc", "plan_title", "today", "supervisor", "closure", "project", "incident")
    head = path.split(".")[0].split("[")[0]
    rank = groups.index(head) if head in groups else len(groups)
    fields = [f.path for f in F.FIELDS if F.Shown.DOCUMENTS in f.shown]
    near = [i for i, f in enumerate(fields) if path == f or path.startswith(f + "_")]
    return rank, near[0] if near else len(fields)


VARIABLES = dict(sorted(VARIABLES.items(), key=lambda item: _reference_order(item[0])))


@dataclass(frozen=True)
class RenderedDocument:
    doc: Document
    blocks: list[Block]
    template: TemplateInfo
    data: bytes = b""  # the DOCX, checked (``check_confidential``) and ready to write

    @property
    def public(self) -> bool:
        return self.doc in PUBLIC_DOCUMENTS

    @property
    def title(self) -> str:
        return DOCUMENT_LABELS[self.doc]


@dataclass(frozen=True)
class NoticeTime:
    """The new time a notice states, and the rule it must respect."""

    new_time: datetime | None
    earliest: datetime | None
    rule: str


def notice_time(case: Case, decision: Decision, *, use_earliest: bool) -> NoticeTime:
    """The case's new time, checked against the minimum the plan sets 原则上 (in principle: a
    recorded reason may depart from it); or that earliest time if asked.

    4.1.x: 原则上新的开标时间应在延迟开标公告发布2小时之后; 4.2.1 方案三: 原则上…不少于1个工作日.
    """
    s = case.situation
    earliest = decision.earliest_new_time
    if Document.DELAY_NOTICE in decision.documents:
        basis = clause_label(decision_clause(decision))
        rule = f"原则上新的开标时间应在延迟开标公告发布2小时之后（{basis}）"
        source = "incident.notice_published_at"
    elif Document.SUPPLEMENTARY_NOTICE in decision.documents:
        rule = (
            "原则上重新开标时间自发出补充公告之日起不少于1个工作日（发出当日不计）"
            f"（{clause_label('4.2.1')} 方案三）"
        )
        source = "incident.supplement_issued_at"
    else:
        rule = ""
        source = ""
    if s.new_time is not None:
        # 原则上: an earlier time passes only with a recorded reason (incident.override_reason).
        if earliest is not None and s.new_time < earliest and not s.override_reason:
            raise UserError(
                f"新的时间 {format_dt(s.new_time)} 早于原则上的最早时间 {format_dt(earliest)}："
                f"{rule}。请改为不早于 {format_dt(earliest)} 的时间，"
                "或删去该项让公告留填写横线；确有理由（如到场投标人均同意）的，"
                "在 incident.override_reason 写明例外理由",
                field="incident.new_time",
            )
        return NoticeTime(s.new_time, earliest, rule)
    if use_earliest:
        if earliest is None:
            need = f"需要先填写 {source}" if source else "本案没有适用的最早时间规则"
            raise UserError(f"无法算出原则上的最早时间：{need}", field="--earliest")
        chosen = decision.suggested_new_time or earliest
        return NoticeTime(chosen, earliest, rule)
    return NoticeTime(None, earliest, rule)


def decision_clause(decision: Decision) -> str:
    from qdplan_cli.plan.decide import FAULT_CLAUSES

    assert decision.stage is not None and decision.fault is not None
    return FAULT_CLAUSES[(decision.stage, decision.fault)]


def _clause_key(clause: str) -> tuple[int, ...]:
    return tuple(int(part) for part in clause.split(".") if part.isdigit())


def _dt(moment: datetime | None) -> str | None:
    return format_dt(moment) if moment is not None else None


def _document_fields(case: Case, specs: Sequence[F.Field]) -> dict[str, object]:
    """The fields of ``specs`` the field table marks for the documents, as they read there:
    times with their date and weekday, the stage and fault in the project's words."""
    p = case.project
    out: dict[str, object] = {}
    for spec in specs:
        if F.Shown.DOCUMENTS not in spec.shown:
            continue
        value = case_value(case, spec)
        if isinstance(value, datetime):
            out[spec.key] = format_dt(value)
        elif isinstance(value, date):
            out[spec.key] = format_day(value)
        elif isinstance(value, Stage):
            out[spec.key] = stage_label(value, p.type)
        elif isinstance(value, Fault):
            out[spec.key] = FAULT_LABELS[value]
        elif isinstance(value, ProjectType):
            out[spec.key] = terms(value)["project_type"]
        else:
            out[spec.key] = value if value is not None else None
    return out


def _course(case: Case) -> list[tuple[datetime, str]]:
    """The record's 经过: the witness's entries and the acts with their times — the plan's
    filing, the supplementary notice's issue and its announcement on site (4.2.1 方案三:
    出具 → 经监管部门备案 → 现场公布), the delay notice's publication — in time order."""
    from qdplan_cli.plan.fields import ACT_LABELS, Act

    s = case.situation
    acts = [
        (s.plan_filed_at, ACT_LABELS[Act.PLAN_FILED]),
        (s.supplement_issued_at, ACT_LABELS[Act.SUPPLEMENT_ISSUED]),
        (s.supplement_announced_at, ACT_LABELS[Act.SUPPLEMENT_ANNOUNCED]),
        (s.notice_published_at, ACT_LABELS[Act.NOTICE_PUBLISHED]),
    ]
    entries = [(e.at, e.text) for e in case.timeline]
    entries += [(at, text) for at, text in acts if at is not None]
    return sorted(entries, key=lambda entry: entry[0])


def unfixed_at_deadline(case: Case) -> bool:
    """Whether "在投标截止时间前未能排除" is a fact the delay notice may state (4.1.1): it was
    published at or after the deadline, and the fault was not fixed by then. Otherwise the
    notice was written on the judgement that it could not be fixed in time (fixed_before_deadline,
    answered before the deadline) and says so as a judgement."""
    s = case.situation
    deadline, published = s.bid_deadline, s.notice_published_at
    if deadline is None or published is None or published < deadline:
        return False
    return s.resolved_at is None or s.resolved_at > deadline


def build_context(
    case: Case,
    decision: Decision,
    timing: NoticeTime,
    now: datetime,
    record_hash: str | None = None,
    record_events: int | None = None,
    config: Config | None = None,
    leavers: Sequence[Leaver] = (),
) -> dict[str, object]:
    """The variables every template receives (confidential names excepted).

    Documents are dated by their facts, never by the day they are rendered: a notice by the
    time it was published or issued; a date not known is left out (the template leaves
    "年 月 日" to fill in by hand)."""
    p, s = case.project, case.situation
    assert decision.stage is not None and decision.fault is not None
    words = terms(p.type)
    notice_day: datetime | None = None
    if Document.DELAY_NOTICE in decision.documents:
        notice_day = s.notice_published_at
    elif Document.SUPPLEMENTARY_NOTICE in decision.documents:
        notice_day = s.supplement_issued_at
    supervisor = config.supervisor(p.type) if config is not None else None
    signer_names = {Role.TENDERER: p.tenderer, Role.AGENCY: p.agency}
    return {
        "plan_title": PLAN_TITLE,
        "today": format_date(now),
        "terms": Fields("terms", words),
        "supervisor": Fields(
            "supervisor",
            {
                "name": supervisor.name if supervisor else None,
                "contact": supervisor.contact if supervisor else None,
                "phone": supervisor.phone if supervisor else None,
            },
        ),
        "closure": Fields("closure", {"room": config.closure_room if config is not None else None}),
        # The fields of the table marked for the documents, each as a document writes it, and
        # the ids and short forms templates choose among.
        "project": Fields(
            "project",
            {**_document_fields(case, F.PROJECT), "type_id": p.type.value},
        ),
        "incident": Fields(
            "incident",
            {
                **_document_fields(case, F.INCIDENT),
                "record_hash": record_hash,
                "record_events": record_events,
                "stage_id": decision.stage.value,
                "fault_short": FAULT_SHORT[decision.fault],
                "fault_id": decision.fault.value,
            },
        ),
        # 5.1: an expert who cannot stay signs the commitment, then is replaced (补抽):
        # the acts, never the name.
        "leavers": [
            Fields(
                f"leavers[{i}]",
                {
                    "left_at": format_dt(lv.left_at),
                    "commitment_at": _dt(lv.commitment_at),
                    "replaced_at": _dt(lv.replaced_at),
                },
            )
            for i, lv in enumerate(leavers, start=1)
        ],
        "timeline": [
            Fields(f"timeline[{i}]", {"at": format_dt(at), "text": text})
            for i, (at, text) in enumerate(_course(case), start=1)
        ],
        "decision": Fields(
            "decision",
            {
                "outcome": outcome_label(decision.outcome, p.type),
                "outcome_id": decision.outcome.value,
                "basis": clause_label(decision_clause(decision)),
                # Where the three plans are defined: 第四条（二）1 (opening), 第五条 1 (evaluation).
                "plan_basis": clause_label(
                    PLAN_CLAUSES.get(decision.stage, decision_clause(decision))
                ),
                "clauses": [clause_label(c) for c in sorted(decision.clauses, key=_clause_key)],
                "plan": decision.plan,
                "plan_label": plan_label(decision.plan, decision.stage, p.type)
                if decision.plan
                else None,
                "allowed_plans": [
                    Fields(
                        "decision.allowed_plans[]",
                        {
                            "number": n,
                            "label": plan_label(n, decision.stage, p.type),
                            "chosen": n == decision.plan,
                        },
                    )
                    for n in decision.allowed_plans
                ],
                "signatories": [
                    Fields(
                        "decision.signatories[]",
                        {
                            "role": r.value,
                            "label": role_label(r, p.type),
                            "name": signer_names.get(r, ""),
                        },
                    )
                    for r in decision.signatories
                ],
                "steps": [
                    Fields(
                        "decision.steps[]",
                        {
                            "text": step.text,
                            "clause": step_citation(step),
                            "reading": step.reading,
                        },
                    )
                    for step in decision.steps
                ],
                "two_hour_line": _dt(decision.two_hour_line),
                "earliest_new_time": _dt(decision.earliest_new_time),
                "within_2h": decision.within_2h,
                "date": None,  # no fact of the record dates the decision yet
                "committed": decision.committed,
            },
        ),
        "notice": Fields(
            "notice",
            {
                "new_time": _dt(timing.new_time),
                "venue": case.new_venue or p.venue,
                "venue_changed": bool(case.new_venue) and case.new_venue != p.venue,
                "date": format_date(notice_day) if notice_day is not None else None,
                "rule": timing.rule,
                "unfixed_at_deadline": unfixed_at_deadline(case),
            },
        ),
    }


def _input_fields(case: Case) -> Iterable[tuple[str, str]]:
    """Every free-text input a name could travel in, with the case-file key that holds it."""
    p = case.project
    for key in PROJECT_TEXT_KEYS:
        yield f"project.{key}", getattr(p, key)
    yield "incident.id", case.incident_id
    for key in DETAIL_FIELDS:
        yield f"incident.{key}", getattr(case, key)
    for i, entry in enumerate(case.timeline, start=1):
        yield f"timeline[{i}].text", entry.text


def fold_name(text: str) -> str:
    """The form two names are compared in: see ``documents.names``."""
    from qdplan_cli.documents.names import fold_name as fold

    return fold(text)


def mask_name(name: str) -> str:
    """A confidential name as a refusal may show it (the screen may be projected in the room):
    its first character, the rest as ＊."""
    visible = fold_name(name) or "＊"
    return visible[0] + "＊" * max(len(visible) - 1, 2)


_TEXT_NODE = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_PROPERTY = re.compile(
    r"<(dc:title|dc:creator|cp:lastModifiedBy|dc:subject|dc:description|"
    r"cp:keywords|cp:category|Company|Manager|Title)>([^<]*)</"
)


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def written_texts(data: bytes) -> list[tuple[str, str]]:
    """Every text a DOCX shows or carries, as ``(where, text)``: each paragraph of the body,
    headers and footers (runs joined, line breaks dropped), and the document properties. Read
    back from the bytes that will be written, so nothing the writer strips or adds escapes."""
    import zipfile

    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not name.endswith(".xml"):
                continue
            xml = package.read(name).decode("utf-8", "replace")
            if name.startswith("word/"):
                for paragraph in xml.split("</w:p>"):
                    pieces = _TEXT_NODE.findall(paragraph)
                    if pieces:
                        found.append(("正文", _unescape("".join(pieces))))
            elif name.startswith("docProps/"):
                for _tag, value in _PROPERTY.findall(xml):
                    found.append(("文档属性", _unescape(value)))
    return found


def check_confidential(
    doc_title: str, doc_id: str, data: bytes, case: Case, template: Path | None = None
) -> None:
    """A public document must not carry a name from ``[confidential]`` (PLAN.md, Documents).

    Runs on the DOCX bytes about to be written (after every sanitising step of the writer) and
    compares folded forms (``documents.names.fold_name``: confusables, traditional and variant
    characters, blank-looking characters and name separators do not hide a name), paragraph by
    paragraph and across paragraph and cell boundaries (a template that splits a name over two
    paragraphs or cells still shows it). Bidi controls are refused in public text: a name stored
    backwards behind a right-to-left override reads forwards on the page. The refusal names the
    field and masks the name."""
    from qdplan_cli.documents.names import bidi_controls

    written = written_texts(data)
    raw_inputs = list(_input_fields(case))
    for where, text in written:
        found = bidi_controls(text)
        if found:
            carriers = [field for field, value in raw_inputs if bidi_controls(value)]
            origin = (
                f"来自 {'、'.join(carriers)}"
                if carriers
                else (f"来自模板 {template}" if template else f"在{where}中")
            )
            raise UserError(
                f"{doc_title}（{doc_id}）是公开文书，不能含有改变文字方向的控制字符"
                f"（{'、'.join(found)}：能让页面上显示的文字与实际内容不同），它{origin}。"
                "请删去后重试；未生成任何文件",
                field=carriers[0] if carriers else (str(template) if template else doc_id),
            )
    texts = [(where, fold_name(text)) for where, text in written]
    # The body read as one text (paragraphs and cells joined), and the properties as another.
    for where in ("正文", "文档属性"):
        joined = "".join(text for place, text in texts if place == where)
        texts.append((where, joined))
    inputs = [(field, fold_name(value)) for field, value in raw_inputs]
    for key, names in (
        ("confidential.experts", case.experts),
        ("confidential.bidders", case.bidders),
    ):
        for index, name in enumerate(names, start=1):
            wanted = fold_name(name)
            if not wanted:
                continue
            places = [where for where, text in texts if wanted in text]
            if not places:
                continue
            carriers = [field for field, value in inputs if wanted in value]
            if carriers:
                origin = f"来自 {'、'.join(carriers)}"
            elif "正文" in places and template is not None:
                origin = f"来自模板 {template}"
            else:
                origin = "在文档属性（标题、作者）中"
            raise UserError(
                f"{doc_title}（{doc_id}）是公开文书，不能含有保密名单 {key} 第 {index} 项"
                f"（{mask_name(name)}），它{origin}。请改写后重试；未生成任何文件",
                field=carriers[0] if carriers else (str(template) if template else key),
            )


def documents_to_render(decision: Decision, only: Sequence[str]) -> tuple[Document, ...]:
    if decision.outcome is Outcome.NEED_INPUT:
        missing = "、".join(f"{FACT_LABELS[f]}（{f.value}）" for f in decision.missing)
        raise UserError(f"尚缺情况，无法确定需要哪些文书：{missing}", field="incident")
    if not only:
        return decision.documents
    chosen: list[Document] = []
    for raw in only:
        doc_id = raw.strip().removesuffix(".docx")
        try:
            doc = Document(doc_id)
        except ValueError:
            ids = "、".join(d.value for d in Document)
            raise UserError(f"没有文书 {raw!r}（可用：{ids}）", field="--only") from None
        if doc not in decision.documents:
            needed = "、".join(f"{d.value}（{DOCUMENT_LABELS[d]}）" for d in decision.documents)
            raise UserError(
                f"本案不需要 {doc.value}（{DOCUMENT_LABELS[doc]}）；本案的文书：{needed}",
                field="--only",
            )
        if doc not in chosen:
            chosen.append(doc)
    return tuple(chosen)


def expert_context(case: Case, decision: Decision, *, with_names: bool) -> dict[str, object]:
    """Non-public documents only: how many signature lines, and names if asked for.

    Plan 3 (择期评标): every expert signs (5.1 方案三), and ``--expert-names`` fills in their
    names; otherwise one expert who cannot stay signs, and the case does not say which one:
    the name is left to fill in by hand."""
    every = decision.plan == 3
    rows = (len(case.experts) or 5) if every else 1
    extra: dict[str, object] = {"expert_rows": rows}
    if with_names and case.experts and every:
        extra["experts"] = list(case.experts)
    return extra


# The picture name of the record's QR code in a template (``@image 记录二维码 25 25``).
RECORD_QR = "记录二维码"


def render_documents(
    case: Case,
    decision: Decision,
    now: datetime,
    *,
    templates: Templates,
    only: Sequence[str] = (),
    use_earliest: bool = False,
    expert_names: bool = False,
    record_hash: str | None = None,
    record_events: int | None = None,
    config: Config | None = None,
    leavers: Sequence[Leaver] = (),
) -> list[RenderedDocument]:
    """Render, build and check every document; raises before anything is written. ``config``
    gives the supervisors (主送, 备案) and the closure room."""
    from qdplan_cli.documents.docx_writer import build_docx

    docs = documents_to_render(decision, only)
    timing = notice_time(case, decision, use_earliest=use_earliest)
    base = build_context(
        case,
        decision,
        timing,
        now,
        record_hash,
        record_events=record_events,
        config=config,
        leavers=leavers,
    )
    rendered: list[RenderedDocument] = []
    for doc in docs:
        info = templates.find(doc.value)
        context: dict[str, object] = {
            **base,
            "doc": Fields(
                "doc",
                {"id": doc.value, "title": DOCUMENT_LABELS[doc], "public": doc in PUBLIC_DOCUMENTS},
            ),
        }
        if doc not in PUBLIC_DOCUMENTS:
            context.update(expert_context(case, decision, with_names=expert_names))
        text = templates.render(doc.value, context)
        blocks = parse(text, str(info.path))
        images = {}
        if any(b.kind == "image" and b.text == RECORD_QR for b in blocks):
            if record_hash is None or record_events is None:
                raise UserError(
                    f"模板 {info.path} 的 @image {RECORD_QR} 只能在 render --incident 时使用",
                    field="--templates",
                )
            from qdplan_cli.documents import qr

            code = qr.RecordCode(case.incident_id, record_hash, record_events)
            images[RECORD_QR] = qr.png(code)
        data = build_docx(
            blocks,
            title=document_title(blocks, doc),
            author=case.project.agency,
            now=now,
            images=images,
        )
        if doc in PUBLIC_DOCUMENTS:
            check_confidential(DOCUMENT_LABELS[doc], doc.value, data, case, info.path)
        rendered.append(RenderedDocument(doc, blocks, info, data))
    return rendered


def document_title(blocks: Sequence[Block], doc: Document) -> str:
    """The DOCX title property: the document's own title as the template wrote it (so the
    properties say no more than the page), else the document's name."""
    from qdplan_cli.documents.markup import LINE_BREAK

    lines: list[str] = []
    for block in blocks:
        if block.kind == "title" and block.text:
            lines.append(block.text.replace(LINE_BREAK, ""))
        elif lines:
            break
    return "".join(lines) or DOCUMENT_LABELS[doc]


def reference(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Describe variable paths for ``templates vars`` (unknown ones are marked)."""
    rows = []
    for path in paths:
        rows.append((path, VARIABLES.get(path, "（不是 qdplan 提供的变量：渲染时会报错）")))
    return rows
