"""Hypothesis strategies for fuzzing case files and `decide` argument lists (issue 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from qdplan_cli.plan.fields import INCIDENT, PROJECT, Kind

# The keys a case file knows: the field table's (``plan.fields``), never a list of our own.
KNOWN_INCIDENT_KEYS = [f.key for f in INCIDENT]
KNOWN_PROJECT_KEYS = [f.key for f in PROJECT]
BOOL_KEYS = [f.key for f in INCIDENT if f.kind is Kind.BOOL]
TIME_KEYS = [f.key for f in INCIDENT if f.kind is Kind.TIME]

datetimes = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2031, 12, 31),
        timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=8))]),
    ),
)
scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.text(min_size=5000, max_size=20000, alphabet="测试&<>\"'\u200b\U0001f600"),
    datetimes,
    st.dates(),
    st.times(),
    st.sampled_from(
        [
            "prep",
            "opening",
            "evaluation",
            "network",
            "system",
            "power",
            "procurement",
            "2026-12-08T09:00",
            "2026-02-30T09:00",
            "",
            " opening ",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)


def _table(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.sampled_from(keys), st.text(max_size=12)), values, max_size=len(keys)
    )


valid_incidents = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(["prep", "opening", "evaluation"]),
        "fault": st.sampled_from(["network", "system", "power"]),
    },
    optional={
        **{k: st.one_of(st.booleans(), values) for k in BOOL_KEYS},
        "plan": st.one_of(st.sampled_from([1, 2, 3]), values),
        **{k: st.one_of(datetimes, values) for k in TIME_KEYS},
    },
)

any_case_dicts = st.fixed_dictionaries(
    {},
    optional={
        "project": st.one_of(_table(KNOWN_PROJECT_KEYS), values),
        "incident": st.one_of(_table(KNOWN_INCIDENT_KEYS), values),
        "timeline": st.one_of(
            st.lists(
                st.dictionaries(st.sampled_from(["at", "text", "by"]), values, max_size=3),
                max_size=6,
            ),
            values,
        ),
        "confidential": st.one_of(
            st.dictionaries(st.sampled_from(["experts", "bidders", "x"]), values, max_size=3),
            values,
        ),
        "attendance": st.one_of(
            st.lists(
                st.dictionaries(
                    st.sampled_from(["arrived_at", "left_at", "count", "evaluated", "name"]),
                    values,
                    max_size=5,
                ),
                max_size=3,
            ),
            values,
        ),
        "junk": values,
    },
)

OPTIONS = [
    "--stage",
    "--fault",
    "--project-type",
    "--plan",
    "--fault-started-at",
    "--resolved-at",
    "--opening-time",
    "--now",
    "--notice-published-at",
    "--supplement-issued-at",
    "--new-time",
]
FLAGS = [
    "--fallback-works",
    "--no-fallback-works",
    "--quick-fix-works",
    "--no-quick-fix-works",
    "--fixed-before-deadline",
    "--not-fixed-before-deadline",
    "--bidders-can-sign-in",
    "--bidders-cannot-sign-in",
    "--within-2h",
    "--beyond-2h",
    "--expert-left-early",
    "--json",
]
option_values = st.one_of(
    st.sampled_from(
        [
            "prep",
            "opening",
            "evaluation",
            "network",
            "system",
            "power",
            "1",
            "2",
            "3",
            "construction",
            "procurement",
            "0",
            "-1",
            "2026-12-08T09:00",
            "2026-12-08 09:00+08:00",
            "2026-12-08",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
        ]
    ),
    st.text(max_size=30),
    datetimes.map(lambda d: d.isoformat()),
)
argv_items = st.one_of(
    st.tuples(st.sampled_from(OPTIONS), option_values).map(list),
    st.sampled_from(FLAGS).map(lambda f: [f]),
    st.text(max_size=15).map(lambda t: [t]),
)
extreme_times = st.sampled_from(
    [
        "9999-12-31T23:59",
        "9999-12-30T23:59",
        "0001-01-01T00:00",
        "1999-12-31T23:00",
        "2099-12-31T23:30",
        "2000-01-01T00:00",
        "2026-12-08T09:00",
        "2026-12-08T13:00",
    ]
)
stage_fault = st.tuples(
    st.sampled_from(["prep", "opening", "evaluation"]),
    st.sampled_from(["network", "system", "power"]),
).map(lambda sf: ["--stage", sf[0], "--fault", sf[1]])
time_items = st.tuples(st.sampled_from(OPTIONS[4:]), st.one_of(extreme_times, option_values)).map(
    list
)
decide_argvs = st.one_of(
    st.lists(argv_items, max_size=10).map(
        lambda items: ["decide", *[x for item in items for x in item]]
    ),
    # Mostly valid: a real stage and fault, facts and times (extreme ones too).
    st.tuples(
        stage_fault,
        st.lists(
            st.one_of(
                st.sampled_from(FLAGS).map(lambda f: [f]),
                time_items,
                st.sampled_from(["1", "2", "3"]).map(lambda p: ["--plan", p]),
            ),
            max_size=8,
        ),
    ).map(lambda t: ["decide", *t[0], *[x for item in t[1] for x in item]]),
)

case_dicts = st.one_of(
    any_case_dicts,
    st.fixed_dictionaries(
        {"incident": valid_incidents},
        optional={"project": st.fixed_dictionaries({}, optional={"opening_time": datetimes})},
    ),
)

__all__ = ["case_dicts", "date", "decide_argvs", "time"]
