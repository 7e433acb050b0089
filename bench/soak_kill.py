"""SIGKILL soak of `qdplan log` (issue 15): ROUNDS times, start a loop of `qdplan log` calls,
let at least one line be acknowledged, kill the whole process group with SIGKILL at a random
moment (starting up, inside the commit, printing), and count: every line printed as
"已记录" must be in the store, the database must pass `PRAGMA integrity_check`, and the hash
chains (the incident's and the store-wide one) must verify.

Usage: uv run python bench/soak_kill.py [ROUNDS=1000]   (POSIX only)"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def main() -> int:
    if os.name == "nt":
        print("SIGKILL soak: POSIX only")
        return 0
    qdplan = Path(sys.executable).parent / "qdplan"
    with tempfile.TemporaryDirectory(prefix="qdplan-kill-") as home:
        os.environ["QDPLAN_HOME"] = home
        from qdplan_cli.plan.times import localize
        from qdplan_cli.record.casefile import Project
        from qdplan_cli.record.checks import check_incident, check_ledger
        from qdplan_cli.record.events import created_event
        from qdplan_cli.record.store import Store

        now = localize(datetime.now())
        with Store.open() as store:
            incident_id = store.create_incident(
                now, [created_event(now, Project(), now, "soak")], now
            )
        rng = random.Random(15)
        acknowledged: list[str] = []
        start = time.perf_counter()
        for round_ in range(ROUNDS):
            proc = subprocess.Popen(
                [
                    "sh",
                    "-c",
                    f'i=0; while true; do i=$((i+1)); "{qdplan}" log {incident_id} '
                    f'"r{round_}-$i" || exit 1; done',
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            if not ready:
                os.killpg(proc.pid, signal.SIGKILL)
                print(f"round {round_}: nothing printed within a minute")
                return 1
            time.sleep(rng.uniform(0.0, 0.6))
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=30)
            for line in out.decode("utf-8", errors="replace").splitlines():
                if line.startswith("已记录"):
                    acknowledged.append(line.rsplit(" ", 1)[-1])
            if (round_ + 1) % 100 == 0:
                print(f"kill round {round_ + 1}: {len(acknowledged)} acknowledged", flush=True)
        with Store.open() as store:
            stored = {e.text for e in store.events(incident_id) if e.kind == "log"}
            integrity = store.db.execute("PRAGMA integrity_check").fetchone()[0]
            chain = check_incident(store, incident_id)
            ledger = check_ledger(store)
        lost = [text for text in acknowledged if text not in stored]
        elapsed = time.perf_counter() - start
        print(
            f"SIGKILL rounds: {ROUNDS}, acknowledged lines: {len(acknowledged)}, "
            f"stored: {len(stored)}, lost: {len(lost)}, integrity: {integrity}, "
            f"chain: {'ok' if chain.ok else chain.problem}, "
            f"store chain: {'ok' if not ledger.problems else ledger.problems}, {elapsed:.0f} s"
        )
        return 0 if not lost and integrity == "ok" and chain.ok and not ledger.problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
