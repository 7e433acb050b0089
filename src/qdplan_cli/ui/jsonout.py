"""Every JSON qdplan prints: the decision (the contract scripts rely on, keys documented in
README), the incident list and the fee sheet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qdplan_cli.plan.labels import clause_label, document_label, outcome_label, step_citation
from qdplan_cli.plan.model import Decision
from qdplan_cli.plan.times import iso

if TYPE_CHECKING:
    from qdplan_cli.plan.fees import FeeSheet
    from qdplan_cli.ui.rows import IncidentRow


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
                "clause_label": step_citation(step),
                "by": [r.value for r in step.by],
                "to": [r.value for r in step.to],
                "if_needed": step.if_needed,
                "by_analogy": step.analogy,
                "reading": bool(step.reading),
                "reading_note": step.reading or None,
            }
            for step in decision.steps
        ],
    }


def decision_json(decision: Decision) -> str:
    return json.dumps(decision_to_dict(decision), ensure_ascii=False, indent=2)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def incident_list_json(rows: Sequence[IncidentRow]) -> str:
    """``qdplan list --json``: one object per incident, oldest first."""
    return _dump(
        [
            {
                "id": r.id,
                "project": r.project,
                "project_number": r.project_number,
                "stage": r.stage,
                "fault": r.fault,
                "started_at": iso(r.started_at),
                "resolved_at": iso(r.resolved_at),
                "created_at": iso(r.created_at),
                "outcome": r.outcome,
                "plan": r.plan,
                "missing": list(r.missing),
            }
            for r in rows
        ]
    )


def fee_sheet_json(sheet: FeeSheet) -> str:
    """``qdplan fees --json``: the schedule applied, the sum, and each line's explanation."""
    return _dump(
        {
            "schedule": sheet.schedule.source,
            "caution": sheet.schedule.caution,
            "experts": sheet.experts,
            "total": sheet.total,
            "lines": [
                {
                    "count": line.attendance.count,
                    "arrived_at": iso(line.attendance.arrived_at),
                    "left_at": iso(line.attendance.left_at),
                    "evaluated": line.attendance.evaluated,
                    "per_expert": line.per_expert,
                    "total": line.total,
                    "explanation": line.explanation,
                }
                for line in sheet.lines
            ],
        }
    )
