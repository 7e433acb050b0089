"""Typed events: each payload is checked when written by the rules it is read by; an event that
does not pass them when read (an older version's, or altered) is reported and skipped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.times import SHANGHAI
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.events import (
    EventKind,
    answer_event,
    created_event,
    decode,
    details_event,
    encode,
    tick_event,
)
from qdplan_cli.record.incident import load
from qdplan_cli.record.store import NewEvent, Store

AT = datetime(2026, 12, 8, 9, 15, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("plan", 4, "incident.plan"),
        ("plan", True, "incident.plan"),
        ("stage", "lunch", "incident.stage"),
        ("within_2h", "yes", "incident.within_2h"),
        ("started_at", "soon", "incident.started_at"),
        ("override_reason", "理" * 10_001, "incident.override_reason"),
    ],
)
def test_a_value_the_reader_would_refuse_is_refused_when_written(
    key: str, value: object, named: str
) -> None:
    with pytest.raises(UserError) as caught:
        answer_event(AT, key, value, None)  # type: ignore[arg-type]
    assert caught.value.field == named


def test_an_unknown_field_is_refused_when_written_too() -> None:
    with pytest.raises(KeyError):
        details_event(AT, {"colour": "red"}, {})


def test_every_payload_reads_back_as_written() -> None:
    for event in (
        created_event(AT, Project(name="某工程", opening_time=AT), AT, "wizard"),
        answer_event(AT, "plan_filed_at", AT, None),
        details_event(AT, {"cause": "断电", "measures": "恢复供电"}, {}),
        tick_event(AT, "4.2.1:call", "通知保障人员", AT, None),
    ):
        assert event.data is not None
        assert encode(decode(event.kind, event.data)) == event.data  # type: ignore[arg-type]


def test_an_event_the_checks_refuse_when_read_is_reported_and_skipped(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        incident_id = store.create_incident(
            AT, [created_event(AT, Project(name="某工程"), AT, "wizard")], AT
        )
        for data in (
            {"field": "plan", "value": 4, "old": None},  # no such plan
            {"field": "colour", "value": "red", "old": None},  # no such field
            {"field": "stage", "value": "opening", "old": None},  # fine
        ):
            store.append(incident_id, NewEvent(EventKind.ANSWER, AT, "", data), AT)
        incident = load(store, incident_id)
    assert len(incident.damaged) == 2
    assert "第 2 条" in incident.damaged[0] and "第 3 条" in incident.damaged[1]
    assert incident.situation.plan is None and incident.situation.stage is not None
