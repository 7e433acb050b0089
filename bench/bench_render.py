"""Speed target (issue 3): rendering the full set of documents for a case takes at most 1.5 ×
the time of ``python -c "import docx, jinja2"`` — the floor any DOCX-from-Jinja tool pays.

Both are run as fresh processes, alternately, several times in the same run; the medians are
compared. Usage: ``uv run python bench/bench_render.py [CASE.toml] [--runs N]``.
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
DEFAULT_CASE = ROOT / "tests" / "data" / "evaluation-network-plan3.toml"  # four documents
TARGET = 1.5


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", nargs="?", type=Path, default=DEFAULT_CASE)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

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
        render_cmd = [
            sys.executable,
            "-m",
            "qdplan_cli",
            "render",
            "--case",
            str(args.case),
            "--out",
            str(Path(tmp) / "out"),
            "--now",
            "2026-12-16T10:00",
        ]
        timed(baseline_cmd, env)  # warm the file cache
        timed(render_cmd, env)
        baseline: list[float] = []
        render: list[float] = []
        for _ in range(args.runs):
            baseline.append(timed(baseline_cmd, env))
            render.append(timed(render_cmd, env))
        documents = len(list((Path(tmp) / "out").glob("*.docx")))

    base_median = statistics.median(baseline)
    render_median = statistics.median(render)
    ratio = render_median / base_median
    print(f"import docx, jinja2:           median {base_median * 1000:.0f} ms ({args.runs} runs)")
    print(f"qdplan render ({documents} documents):  median {render_median * 1000:.0f} ms")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET})  {'OK' if ratio <= TARGET else 'SLOW'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
