"""Bad input, fuzzed: every case file and every `decide` argument list ends in exit 0 or a clear
exit-2 message — never a traceback. The default run keeps a small profile; `bench/soak_fuzz.py`
runs ≥ 10,000 examples."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.times import localize
from qdplan_cli.record.casefile import parse_case

from .conftest import examples, invoke
from .fuzz_strategies import case_dicts, decide_argvs

EXAMPLES = int(os.environ.get("QDPLAN_FUZZ_EXAMPLES", "0")) or examples(150)
NOW = localize(datetime(2026, 12, 8, 10, 0))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(case_dicts)
def test_any_case_dict_is_accepted_or_refused_clearly(data: dict[str, Any]) -> None:
    try:
        case = parse_case(data)
        decide(case.situation, NOW)
    except UserError as exc:
        assert str(exc).strip()


def run_main(argv: list[str]) -> tuple[int, str]:
    result = invoke(*argv)
    return result.code, result.err


@FUZZ
@given(decide_argvs)
# Found by this fuzzer: date arithmetic overflowing at the calendar's edge.
@example(
    ["decide", "--stage", "opening", "--fault", "power", "--fault-started-at", "9999-12-31T23:59"]
)
@example(
    [
        "decide",
        "--stage",
        "opening",
        "--fault",
        "power",
        "--beyond-2h",
        "--plan",
        "3",
        "--supplement-issued-at",
        "9999-12-30T23:59",
    ]
)
@example(
    [
        "decide",
        "--stage",
        "prep",
        "--fault",
        "power",
        "--not-fixed-before-deadline",
        "--notice-published-at",
        "0001-01-01T00:00",
    ]
)
def test_any_decide_argv_exits_0_or_2_with_a_message(argv: list[str]) -> None:
    if "--now" not in argv:
        argv = [*argv, "--now", "2026-12-08T10:00"]
    code, err = run_main(argv)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert err.startswith("错误："), (argv, err)
        assert "Traceback" not in err
