"""Fuzzed lines for the log: any text a terminal can hand over is stored as typed (trimmed) and chained,
or refused with a clear exit-2 message — never a traceback, never a broken chain."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qdplan_cli.record.checks import check_incident
from qdplan_cli.record.store import Store

from ..conftest import examples, invoke
from .conftest import Clock

EXAMPLES = int(os.environ.get("QDPLAN_FUZZ_EXAMPLES", "0")) or examples(150)
texts = st.one_of(
    st.text(max_size=300),  # every code point, lone surrogates (undecodable bytes) included
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s * 500),
)
ids = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["20261208-0915-1"]))


def run(argv: list[str]) -> tuple[int, str, str]:
    result = invoke(*argv)
    return result.code, result.out, result.err


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(incident_id=ids, text=texts)
@example(incident_id=None, text="abc\udcff")
@example(incident_id="x\udcff", text="已通知")
@example(incident_id=None, text="含\x00空字符与\u2028分隔符 | # @ {{ x }}")
def test_any_log_line_is_stored_exactly_or_refused_clearly(
    clock: Clock, incident_id: str | None, text: str
) -> None:
    with Store.open() as store:
        if not store.incident_ids():
            store.create_incident(clock.now, [], clock.now)
        target = store.incident_ids()[0]
        before = len(store.events(target))
    argv = ["log", "--", *([incident_id] if incident_id is not None else []), text]
    code, out, err = run(argv)
    assert code in (0, 2), err
    assert "Traceback" not in err
    with Store.open() as store:
        events = store.events(target)
        assert check_incident(store, target).ok
    if code == 0:
        assert out.startswith("已记录")
        assert len(events) == before + 1 and events[-1].text == text.strip()
    else:
        assert err.startswith("错误：") and len(events) == before
