"""The decision as JSON: the contract scripts rely on (keys documented in README)."""

from __future__ import annotations

import json
from typing import Any

from qdplan_cli.plan.labels import (
    clause_label,
    document_label,
    outcome_label,
)
from qdplan_cli.plan.model import Decision
from qdplan_cli.plan.times import iso


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome.value,
        "outcome_label": outcome_label(decision.outcome, decision.project_type),
        "stage": decision.stage.value if decision.stage else None,
        "fault": decision.fault.value if decision.fault else None,
        "project_type": decision.project_type.value,
        "missing": [f.value for f in decision.missing],
        "allowed_plans": list(decision.allowed_plans),
        "plan": decision.plan,
        "notify": [r.value for r in decision.notify],
        "signatories": [r.value for r in decision.signatories],
        "documents": [d.value for d in decision.documents],
        "document_labels": {
            d.value: document_label(d, decision.project_type) for d in decision.documents
        },
        "notify_when_needed": [r.value for r in decision.notify_when_needed],
        "committed": decision.committed,
        "resolved_at": iso(decision.resolved_at),
        "override_reason": decision.override_reason,
        "clauses": list(decision.clauses),
        "clause_labels": {c: clause_label(c) for c in decision.clauses},
        "earliest_new_time": iso(decision.earliest_new_time),
        "suggested_new_time": iso(decision.suggested_new_time),
        "two_hour_line": iso(decision.two_hour_line),
        "bid_deadline": iso(decision.bid_deadline),
        "within_2h": decision.within_2h,
        "fixed_before_deadline": decision.fixed_before_deadline,
        "now": iso(decision.now),
        "warnings": list(decision.warnings),
        "steps": [
            {
                "kind": step.kind.value,
                "text": step.text,
                "clause": step.clause,
                "clause_label": ("参照 " if step.analogy else "") + clause_label(step.clause),
                "by": [r.value for r in step.by],
                "to": [r.value for r in step.to],
                "if_needed": step.if_needed,
                "by_analogy": step.analogy,
            }
            for step in decision.steps
        ],
    }


def decision_json(decision: Decision) -> str:
    return json.dumps(decision_to_dict(decision), ensure_ascii=False, indent=2)
