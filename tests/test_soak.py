"""The hostile-input soak (issue 15): case files, the config, calendar files, templates and
argument lists of every command, fuzzed. Each example ends in success or a clear ``UserError``
(exit 2, 3 or 4 through the CLI) — never a traceback — and within ``SLOW_S`` seconds.

The default test run keeps a small share (``QDPLAN_SOAK_EXAMPLES`` per test, 40);
``bench/soak_fuzz.py`` runs the full 100,000 and prints the counts."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.times import localize

from .conftest import DATA, examples, invoke
from .fuzz_strategies import case_dicts

SLOW_S = 5.0
EXAMPLES = int(os.environ.get("QDPLAN_SOAK_EXAMPLES", "0")) or examples(40)
SHARES = {  # of the full soak: relative weights per input kind
    "case": 0.30,
    "config": 0.20,
    "calendar": 0.15,
    "template": 0.20,
    "argv": 0.15,
}
TOTAL = int(os.environ.get("QDPLAN_SOAK_TOTAL", "0"))
NOW = localize(datetime(2026, 12, 8, 10, 0))
STATS: dict[str, list[float]] = {}


def share(kind: str) -> settings:
    count = int(TOTAL * SHARES[kind]) if TOTAL else EXAMPLES
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def timed(kind: str, action: Callable[[], Any]) -> None:
    """Run one example: success or a UserError; slower than SLOW_S fails the soak."""
    started = time.perf_counter()
    try:
        action()
    except UserError as exc:
        assert str(exc).strip()
    finally:
        elapsed = time.perf_counter() - started
        STATS.setdefault(kind, []).append(elapsed)
    assert elapsed < SLOW_S, f"{kind}: {elapsed:.1f} s"


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    path = os.environ.get("QDPLAN_SOAK_REPORT")
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            for kind, times in STATS.items():
                handle.write(f"{kind} {len(times)} {max(times):.3f}\n")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# Text that looks like TOML: brackets, quotes, keys, times, escapes, deep nesting, huge values.
toml_tokens = st.sampled_from(
    [
        "[", "]", "{", "}", "[[", "]]", "=", "\"", "'", "'''", '"""', "\\", "\n", "#", ",", ".",
        " ", "project", "incident", "timeline", "attendance", "confidential", "hours", "hall",
        "contacts", "fees", "years", "holidays", "workdays", "start", "end", "stage", "fault",
        "started_at", "plan", "3.0", "1e400", "-0", "true", "2026-12-08T09:00:00", "17:00+08:00",
        "9999-12-31T23:59:59", "0001-01-01", "\"evaluation\"", "\"power\"", "\u0000", "\ufeff",
        "[" * 200, "{a=" * 200, "x" * 5000, "\"" + "长" * 12000 + "\"",
    ]
)  # fmt: skip
toml_texts = st.lists(toml_tokens, max_size=40).map("".join)


def dumped(data: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):
        return None


@share("case")
@given(text=st.one_of(case_dicts.map(dumped), toml_texts))
@example(text="x = " + "[" * 1000 + "\n")
@example(text="[incident]\nplan = 3.0\nstage = 'evaluation'\nfault = 'power'\n")
def test_soak_case_files(folder: Path, text: str | None) -> None:
    assume(text is not None)
    assert text is not None
    from qdplan_cli.plan.decide import decide
    from qdplan_cli.record.casefile import load_case

    path = folder / "case.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")

    def run() -> None:
        case = load_case(path)
        decide(case.situation, NOW)

    timed("case", run)


config_tables = st.fixed_dictionaries(
    {},
    optional={
        "hours": st.dictionaries(
            st.sampled_from(["start", "end", "lunch", "x"]),
            st.one_of(
                st.sampled_from(["09:00", "17:00+08:00", "17:00-05:00", "25:00", "", "九点"]),
                st.times(),
                st.integers(),
                st.text(max_size=10),
            ),
            max_size=3,
        ),
        "hall": st.dictionaries(st.sampled_from(["name", "address"]), st.text(max_size=30)),
        "contacts": st.dictionaries(
            st.sampled_from(["witness", "tenderer", "support", "x"]),
            st.one_of(
                st.lists(
                    st.dictionaries(
                        st.sampled_from(["name", "phone", "x"]), st.text(max_size=20), max_size=3
                    ),
                    max_size=3,
                ),
                st.text(max_size=5),
            ),
            max_size=3,
        ),
        "fees": st.dictionaries(
            st.sampled_from(["half_day", "full_day", "per_hour", "x"]),
            st.one_of(st.integers(), st.floats(), st.text(max_size=5)),
            max_size=3,
        ),
        "calendar": st.dictionaries(st.sampled_from(["file"]), st.text(max_size=300), max_size=1),
    },
)


@share("config")
@given(text=st.one_of(config_tables.map(dumped), toml_texts))
@example(text='[hours]\nend = "17:00+08:00"\n')
def test_soak_config(folder: Path, text: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    assume(text is not None)
    assert text is not None
    from qdplan_cli.local.settings import load_settings

    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    monkeypatch.setenv("QDPLAN_CONFIG", str(path))

    def run() -> None:
        settings_ = load_settings()
        from qdplan_cli.plan.decide import decide
        from qdplan_cli.plan.model import Fault, Situation, Stage

        situation = Situation(
            stage=Stage.PREP, fault=Fault.POWER, started_at=NOW, fixed_before_deadline=False
        )
        decide(situation, NOW, calendar=settings_.calendar, hours=settings_.hours)

    timed("config", run)


days = st.one_of(
    st.dates(), st.text(max_size=12), st.integers(), st.sampled_from(["2026-10-01", "2026-02-30"])
)
calendar_tables = st.dictionaries(
    st.one_of(st.sampled_from(["2026", "2027", "1900", "99999", "x"]), st.text(max_size=5)),
    st.one_of(
        st.dictionaries(
            st.sampled_from(["holidays", "workdays", "x"]),
            st.one_of(st.lists(days, max_size=6), days),
            max_size=3,
        ),
        days,
    ),
    max_size=3,
)


@share("calendar")
@given(
    text=st.one_of(
        calendar_tables.map(lambda t: dumped({"years": t})), calendar_tables.map(dumped), toml_texts
    )
)
def test_soak_calendar_files(folder: Path, text: str | None) -> None:
    assume(text is not None)
    assert text is not None
    from qdplan_cli.local.settings import load_settings

    path = folder / "calendar.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    timed("calendar", lambda: load_settings(calendar_file=path))


template_tokens = st.sampled_from(
    [
        "{{ ", " }}", "{% ", " %}", "{# ", " #}", "project.name", "project.contact", "incident",
        "decision.steps", "timeline", "lipsum", ".__globals__", ".__class__", "['os']",
        ".popen('id')", ".read()", "1/0", "10**10**10", "10.0**400", "'x' * 10**9",
        "[].pop()", "range(10**9)", "for x in timeline", "endfor", "if", "endif", "macro m()",
        "m()", "endmacro", "include 'x'", "import 'y' as z", "|join", "|int", "|e", "()",
        "# 标题\n", "@sign 甲：乙\n", "> 称谓：\n", "\n", "| a | b |\n", "- 条目\n", "\x00", "\xff",
        "set a = ", "namespace()", "self", "super()", "loop.cycle", "{{ {} }}", "{{ [] }}",
        "caller()", "call m()", "endcall", "raw", "endraw", "filter upper", "endfilter",
    ]
)  # fmt: skip
template_texts = st.lists(template_tokens, max_size=30).map("".join)


@share("template")
@given(text=template_texts)
@example(text="{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}")
@example(text="{{ lipsum.__globals__['os'].popen('id').read() }}")
def test_soak_templates(folder: Path, text: str) -> None:
    from qdplan_cli.documents.contexts import render_documents
    from qdplan_cli.documents.templating import Templates
    from qdplan_cli.plan.decide import decide
    from qdplan_cli.record.casefile import load_case

    mine = folder / "templates"
    mine.mkdir(exist_ok=True)
    (mine / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告\n" + text + "\n", encoding="utf-8", errors="surrogateescape"
    )
    case = load_case(DATA / "prep-power-delay.toml")
    decision = decide(case.situation, NOW)

    def run() -> None:
        rendered = render_documents(
            case, decision, NOW, templates=Templates(mine), only=["delay_notice"]
        )
        assert b"uid=" not in rendered[0].data

    timed("template", run)


COMMANDS = [
    ["decide"], ["render", "--out", "OUT"], ["list"], ["show"], ["export"], ["verify"],
    ["log"], ["resolve"], ["checklist", "--out", "OUT/c.docx"], ["pack", "--out", "OUT"],
    ["templates", "list"], ["templates", "show"], ["templates", "vars"], ["config", "show"],
    ["incident", "--no-input"], ["fees"],
]  # fmt: skip
argument_values = st.one_of(
    st.sampled_from(
        [
            "--case", "--incident", "--only", "--pdf", "--now", "--templates", "--at", "--hash",
            "--json", "--all", "--resume", "--allow-broken", "--earliest", "--expert-names",
            "--calendar", "-o", "--out", "delay_notice", "20261208-0915-1", "2026-12-08 09:00",
            "2001-01-01 09:00", "9999-12-31T23:59", "x" * 5000, "/dev/zero", "", "--", "-",
            str(DATA / "prep-power-delay.toml"), str(DATA / "evaluation-power-plan2.toml"),
        ]
    ),
    st.text(max_size=20),
)  # fmt: skip


@share("argv")
@given(command=st.sampled_from(COMMANDS), rest=st.lists(argument_values, max_size=6))
def test_soak_argv(folder: Path, command: list[str], rest: list[str]) -> None:
    out = str(folder / "out")
    argv = [a.replace("OUT", out) for a in command] + rest
    if "--now" not in argv and argv[0] in ("decide", "render"):
        argv += ["--now", "2026-12-16T10:00"]
    assume(not any(a in ("/dev/zero",) for a in argv) or "--out" not in argv)

    def run() -> None:
        result = invoke(*argv)
        assert result.code in (0, 1, 2, 3, 4), (argv, result.code, result.err)
        assert "Traceback" not in result.err + result.out, (argv, result.err)
        if result.code == 1:  # exit 1 means "verify failed" (or a broken chain): never a crash
            assert result.err.startswith("错误：") or "校验" in result.out, (argv, result.err)

    timed("argv", run)
