"""docs/plan.md is the clause table as the centre reads it: committed, and always current."""

from __future__ import annotations

from pathlib import Path

from qdplan_cli.plan.clauses import CLAUSES
from qdplan_cli.plan.labels import CLAUSE_LABELS
from qdplan_cli.plan.plan_doc import plan_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "plan.md"


def test_docs_plan_md_is_current() -> None:
    """A change to a rule must show as a diff of docs/plan.md: regenerate it with
    ``uv run python scripts/plan_doc.py`` and commit the result."""
    assert DOC.read_text(encoding="utf-8") == plan_markdown(), (
        "docs/plan.md is out of date: run uv run python scripts/plan_doc.py"
    )


def test_the_table_runs_4_1_1_to_5_5_in_order_and_cites_known_clauses() -> None:
    ids = [c.id for c in CLAUSES]
    assert ids[0] == "4.1.1" and ids[-1] == "5.5"
    key = [tuple(int(p) for p in i.split(".")) for i in ids]
    assert key == sorted(key)
    for clause in CLAUSES:
        assert clause.id in CLAUSE_LABELS and clause.label == CLAUSE_LABELS[clause.id]
        keys = [w.key for w in clause.steps]
        assert len(keys) == len(set(keys)), clause.id


def test_every_clause_and_plan_is_in_the_document() -> None:
    text = plan_markdown()
    for clause in CLAUSES:
        assert f"## {clause.id} {clause.label}" in text
    assert "方案三：另行择期开评标" in text  # 4.2.1
    assert "方案三：另行择期评标" in text  # 5.1
    assert "{" not in text and "}" not in text  # every placeholder is spelt out
