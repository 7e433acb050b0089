"""Soak the fuzz tests: ≥ 10,000 hypothesis examples over case files and `decide` argument lists
(the default test run keeps a small profile). Usage: uv run python bench/soak_fuzz.py [PER_TEST]"""

from __future__ import annotations

import os
import subprocess
import sys
import time

PER_TEST = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
TESTS = 2  # tests/test_fuzz.py holds two property tests


def main() -> int:
    env = {**os.environ, "QDPLAN_FUZZ_EXAMPLES": str(PER_TEST)}
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_fuzz.py",
            "--hypothesis-show-statistics",
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    elapsed = time.perf_counter() - start
    print(proc.stdout[-4000:])
    print(f"examples requested: {PER_TEST * TESTS} ({PER_TEST} per test), {elapsed:.0f} s")
    print("OK" if proc.returncode == 0 else "FAILED")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
