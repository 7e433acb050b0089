"""``docs/plan.md``: the clause table as a document a reviewer at the centre reads in order.

Pure (returns text); ``scripts/plan_doc.py`` writes it and ``tests/test_plan_doc.py`` checks the
committed file is current, so a change to a rule shows as a readable diff of that file.
"""

from __future__ import annotations

from qdplan_cli.plan.clauses import CLAUSES, VALUES, Clause, Wording
from qdplan_cli.plan.labels import (
    DOCUMENT_LABELS,
    PLAN_TITLE,
    clause_label,
    plan_label,
    role_label,
    terms,
)
from qdplan_cli.plan.model import ProjectType, Stage

_KIND_LABELS = {
    "call": "通知",
    "try": "尝试",
    "tell": "说明",
    "decide": "决定",
    "publish": "文书",
    "file": "备案",
    "keep": "持续",
    "record": "记录",
}


def _text(w: Wording) -> str:
    words = terms(ProjectType.CONSTRUCTION)
    return w.text.format(**words, **{k: f"〈{v}〉" for k, v in VALUES.items()})


def _roles(roles: tuple[object, ...]) -> str:
    from qdplan_cli.plan.model import Role

    return "、".join(role_label(r) for r in roles if isinstance(r, Role)) or "—"


def _clause(c: Clause) -> list[str]:
    lines = [f"## {c.id} {c.label}　{c.title}", ""]
    stage = Stage.EVALUATION if c.id.startswith("5") else Stage.OPENING
    if c.plans:
        names = "；".join(plan_label(p, stage) for p in c.plans)
        lines += [f"可选方案：{names}", ""]
    lines += ["| # | 类别 | 何时 | 做什么（预案原文或其整理） | 由谁 | 通知、报告或说明的对象 |"]
    lines += ["|---|---|---|---|---|---|"]
    for n, w in enumerate(c.steps, start=1):
        to = _roles(w.to)
        if w.if_needed:
            to += "（必要时）"
        what = _text(w)
        if w.analogy:
            what += f"（参照 {clause_label(w.cites or c.id)} 适用；解读：{w.reading}）"
        elif w.reading:
            what += f"（解读：{w.reading}）"
        when = w.when.format(**terms(ProjectType.CONSTRUCTION))
        lines.append(
            f"| {n} | {_KIND_LABELS[w.kind.value]} | {when} | {what} | {_roles(w.by)} | {to} |"
        )
    lines.append("")
    if c.documents:
        lines.append("文书：")
        lines += [f"- {DOCUMENT_LABELS[d]}（`{d.value}`）：{when}" for d, when in c.documents]
        lines.append("")
    return lines


def plan_markdown() -> str:
    values = "、".join(f"〈{v}〉" for v in VALUES.values())
    lines = [
        f"# {PLAN_TITLE}：逐条处置表",
        "",
        "<!-- 由 src/qdplan_cli/plan/clauses.py 生成：uv run python scripts/plan_doc.py；请勿手改。 -->",
        "",
        "本表按条款顺序（第四条（一）1 … 第五条（四））列出 qdplan 在清单上给出的每一步：何时列入、"
        "做什么、由谁做、通知谁，以及可选方案和须形成的文书。术语按建设工程项目写出"
        "（政府采购项目中招标人作采购人、投标人作供应商、评标专家作评审专家、评标作评审）；"
        f"尖括号内为办理时填入的时间或名称：{values}。",
        "“参照”“解读”标出预案未逐字规定、由 qdplan 采取的读法（其后为该读法的名称），"
        "清单、JSON、纸质卡片和文书中同样标出，详见 README“我们对预案的理解”；"
        "其余各步保留预案原文的“可”“应”“原则上”“及时”“必要时”。",
        "",
    ]
    for clause in CLAUSES:
        lines += _clause(clause)
    return "\n".join(lines).rstrip() + "\n"
