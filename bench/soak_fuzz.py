"""The hostile-input soak (issue 15): case files, config, calendar files, templates and argument
lists of every command (tests/test_soak.py), then SIGKILL rounds of `qdplan log`
(bench/soak_kill.py). The earlier case-dict and `decide` fuzzers: QDPLAN_FUZZ_EXAMPLES with
tests/test_fuzz.py.

Runs rounds of tests/test_soak.py with fresh seeds until TOTAL examples are done or the time
budget is spent, then prints per input kind: examples, failures (a traceback or a run over
5 s fails the round and is shown), the slowest example.

Usage: uv run python bench/soak_fuzz.py [TOTAL=100000] [BUDGET_S=3600] [KILL_ROUNDS=1000]
(the CI profile is the default test run's small share: QDPLAN_SOAK_EXAMPLES per test)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BUDGET_S = float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0
KILL_ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
SEED_BASE = int(os.environ.get("QDPLAN_SOAK_SEED", "0"))  # a later run continues with new seeds
ROUND = 5_000  # examples per round (shared out by tests/test_soak.py's SHARES)


def main() -> int:
    start = time.perf_counter()
    counts: dict[str, int] = {}
    slowest: dict[str, float] = {}
    failures = 0
    done = 0
    seed = SEED_BASE
    while done < TOTAL and time.perf_counter() - start < BUDGET_S:
        seed += 1
        size = min(ROUND, TOTAL - done)
        with tempfile.NamedTemporaryFile("r", suffix=".txt", delete=False) as report:
            report_path = report.name
        env = {
            **os.environ,
            "QDPLAN_SOAK_TOTAL": str(size),
            "QDPLAN_SOAK_REPORT": report_path,
        }
        # Each round runs in a fresh temporary directory (and every test in its own below it,
        # tests/conftest.py): whatever an example writes, the checkout stays as it was.
        with tempfile.TemporaryDirectory(prefix="qdplan-soak-") as workdir:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    f"--rootdir={ROOT}",
                    str(ROOT / "tests" / "test_soak.py"),
                    f"--hypothesis-seed={seed}",
                ],
                cwd=workdir,
                env={**env, "QDPLAN_HOME": str(Path(workdir) / "home")},
                check=False,
                capture_output=True,
                text=True,
                encoding="utf-8",
            )
        round_done = 0
        for line in Path(report_path).read_text(encoding="utf-8").splitlines():
            kind, n, worst = line.split()
            counts[kind] = counts.get(kind, 0) + int(n)
            slowest[kind] = max(slowest.get(kind, 0.0), float(worst))
            round_done += int(n)
        Path(report_path).unlink()
        done += round_done
        if proc.returncode != 0:
            failures += 1
            print(proc.stdout[-6000:])
        elapsed = time.perf_counter() - start
        print(
            f"round {seed - SEED_BASE} (seed {seed}): {round_done} examples, total {done}, {elapsed:.0f} s",
            flush=True,
        )
    elapsed = time.perf_counter() - start
    print("\nkind      examples  slowest")
    for kind in sorted(counts):
        print(f"{kind:<9} {counts[kind]:>8}  {slowest[kind]:.2f} s")
    print(f"examples: {done} of {TOTAL} in {elapsed:.0f} s; failed rounds: {failures}")
    over = [k for k, v in slowest.items() if v >= 5.0]
    print(f"runs over 5 s: {over if over else 'none'}")
    code = 0 if failures == 0 and not over else 1
    if KILL_ROUNDS:
        kill = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "soak_kill.py"), str(KILL_ROUNDS)],
            cwd=ROOT,
            check=False,
        )
        code = code or kill.returncode
    print("OK" if code == 0 else "FAILED")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
