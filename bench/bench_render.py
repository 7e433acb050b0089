"""Speed target (issue 3): rendering the full set of documents for a case takes at most 1.5 ×
the time of ``python -c "import docx, jinja2"`` — the floor any DOCX-from-Jinja tool pays.

Both are run as fresh processes, alternately, several times in the same run; the medians are
compared, for every example case in tests/data (or the cases given). Cases whose notice needs the
working-day calendar also pay for importing ``holidays`` (engine/workdays, ~100 ms).
Usage: ``uv run python bench/bench_render.py [CASE.toml ...] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "data").glob("*.toml"))
TARGET = 1.5


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(case: Path, runs: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QDPLAN_CONFIG": str(Path(tmp) / "config" / "config.toml"),
            # The first run builds the layout skeleton and compiles the templates into this
            # cache (the warm-up); the timed runs measure what a user sees from then on.
            "QDPLAN_CACHE": str(Path(tmp) / "cache"),
        }
        # Measure what an installed tool does: modules load from cached bytecode (the warm-up
        # runs below write it), for the baseline and for qdplan alike.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        baseline_cmd = [sys.executable, "-c", "import docx, jinja2"]
        out = Path(tmp) / "out"
        render_cmd = [
            sys.executable,
            "-m",
            "qdplan_cli",
            "render",
            "--case",
            str(case),
            "--out",
            str(out),
            "--now",
            "2026-12-16T10:00",
        ]
        timed(baseline_cmd, env)  # warm-up
        timed(render_cmd, env)
        baseline: list[float] = []
        render: list[float] = []
        for _ in range(runs):
            baseline.append(timed(baseline_cmd, env))
            render.append(timed(render_cmd, env))
        documents = len(list(out.glob("*.docx")))
    return statistics.median(baseline), statistics.median(render), documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", nargs="*", type=Path, default=CASES)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    worst = 0.0
    for case in args.cases:
        base, render, documents = measure(case, args.runs)
        ratio = render / base
        worst = max(worst, ratio)
        verdict = "OK" if ratio <= TARGET else "SLOW"
        print(
            f"{case.name:<34} {documents} 份文书  render {render * 1000:4.0f} ms / "
            f"import docx, jinja2 {base * 1000:4.0f} ms = {ratio:.2f}  {verdict}"
        )
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET}, medians of {args.runs} runs)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
