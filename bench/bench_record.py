"""What tamper evidence costs: ``qdplan log`` (one hash per event, the database checks at open)
and ``qdplan verify`` over a long incident, against ``qdplan --version`` (start-up alone) and
``qdplan list`` measured in the same run.

    uv run python bench/bench_record.py [--events N] [--runs R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path


def qdplan() -> str:
    folder = Path(sys.executable).parent
    for name in ("qdplan", "qdplan.exe"):
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit("qdplan is not installed next to this Python")


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
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
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from qdplan_cli.plan.times import shanghai
    from qdplan_cli.record.store import NewEvent, Store

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
        with Store.open(home) as store:
            incident_id = store.create_incident(start, [], start)
            events = [
                NewEvent("log", start + timedelta(seconds=i), f"第{i}条现场记录：已通知保障人员")
                for i in range(args.events)
            ]
            store.append_many(incident_id, events, start)
        env = {**os.environ, "QDPLAN_HOME": str(home), "QDPLAN_CONFIG": str(home / "none.toml")}
        exe = qdplan()
        baseline = timed([exe, "--version"], env, args.runs)
        listing = timed([exe, "list", "--json"], env, args.runs)
        log = timed([exe, "log", incident_id, "再记一笔"], env, args.runs)
        verify = timed([exe, "verify", incident_id], env, args.runs)
    print(f"events in the incident: {args.events}, median of {args.runs} runs")
    print(f"qdplan --version      {baseline * 1000:7.1f} ms  (baseline)")
    for label, value in (("list --json", listing), ("log", log), ("verify", verify)):
        print(f"qdplan {label:<14} {value * 1000:7.1f} ms  ×{value / baseline:.2f} of baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
