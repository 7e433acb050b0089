"""The rows ``qdplan list`` shows and prints as JSON: plain data, imported by both the screen
(``ui.reports``) and the JSON output (``ui.jsonout``), so neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentRow:
    """One incident in ``qdplan list``: what JSON carries and what the screen shows."""

    id: str
    project: str
    project_number: str
    stage: str | None
    fault: str | None
    started_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime
    outcome: str | None
    plan: int | None
    missing: tuple[str, ...]
    project_type: str = "construction"  # the list speaks the project's words (评审环节, 采购人)
