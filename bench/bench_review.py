"""What the year in review costs: ``qdplan review --year 2026`` over 1,000 and 10,000 generated
incidents (each chain checked, folded, counted, charted, written as DOCX and JSON), against
``python -c "import docx, matplotlib"`` (the libraries the review needs) in the same run.
Targets: 10,000 incidents within 2× of the baseline; cost linear in incidents (10k / 1k).

Byte-code is written (PYTHONDONTWRITEBYTECODE is dropped) and each command runs once before it
is timed, as on a laptop where qdplan has run before.

    uv run python bench/bench_review.py [--runs R] [--sizes 1000 10000]
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
sys.path.insert(0, str(ROOT))


def qdplan() -> str:
    folder = Path(sys.executable).parent
    for name in ("qdplan", "qdplan.exe"):
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit("qdplan is not installed next to this Python")


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(argv, env=env, capture_output=True, check=True)  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} failed: {proc.stderr.decode('utf-8', 'replace')}")
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()

    from qdplan_cli.record.store import Store
    from tests.yeargen import generate_year

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    baseline = timed([sys.executable, "-c", "import docx, matplotlib"], env, args.runs)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            home = Path(folder) / f"home{size}"
            with Store.open(home) as store:
                generate_year(store, 2026, size)
            run_env = {**env, "QDPLAN_HOME": str(home), "QDPLAN_CONFIG": str(home / "none.toml")}
            out = Path(folder) / f"out{size}"
            results[size] = timed(
                [qdplan(), "review", "--year", "2026", "--out", str(out)], run_env, args.runs
            )
    print(f"median of {args.runs} runs")
    print(f'python -c "import docx, matplotlib"  {baseline * 1000:8.1f} ms  (baseline)')
    for size, value in results.items():
        print(
            f"review, {size:>6} incidents        {value * 1000:8.1f} ms  "
            f"×{value / baseline:.2f} of baseline, {value / size * 1e6:.0f} µs per incident"
        )
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(
            f"{large} / {small} incidents: ×{results[large] / results[small]:.2f} time "
            f"for ×{large / small:.0f} incidents; above the fixed cost (baseline): "
            f"×{(results[large] - baseline) / (results[small] - baseline):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
