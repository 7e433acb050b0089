"""What a push costs: ``Archive.push`` of 1,000 finished incidents × 50 events into a fresh
archive (read and checked from the local store, as ``qdplan archive push --all`` does), against
loading the very same rows with PostgreSQL's own ``COPY`` into another fresh archive (the same
schema and triggers) in the same run. Target: push ≤ 3× COPY.

Runs against ``QDPLAN_TEST_PG`` or a throwaway cluster (tests/pgserver.py).

    uv run python bench/bench_archive.py [--incidents N] [--events N] [--runs R]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def tsv(value: object) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import psycopg

    from qdplan_cli.record.archive import Archive
    from qdplan_cli.record.handover import local_chain
    from qdplan_cli.record.store import Store
    from tests.pgserver import server
    from tests.yeargen import generate_year

    with server() as pg, tempfile.TemporaryDirectory() as folder:
        if isinstance(pg, str):
            raise SystemExit(pg)
        home = Path(folder)
        with Store.open(home) as store:
            ids = generate_year(store, 2026, args.incidents, events=args.events, unresolved=0)
        push_times, copy_times = [], []
        for _ in range(args.runs):
            # The push: read and check every chain locally, then send.
            target = pg.new_database()
            with Archive.connect(pg.url(target)) as archive:
                archive.init()
                start = time.perf_counter()
                with Store.open(home) as store:
                    chains = [local_chain(store, i, laptop="L1", hall="H") for i in ids]
                result = archive.push(chains)
                push_times.append(time.perf_counter() - start)
            assert result.events == args.incidents * args.events, result
            # COPY of the same rows (prepared beforehand: only the load is timed).
            incidents = "".join(
                "\t".join(map(tsv, ("L1", c.incident_id, c.created_at, "H"))) + "\n" for c in chains
            ).encode("utf-8")
            events = "".join(
                "\t".join(map(tsv, ("L1", c.incident_id, *r))) + "\n"
                for c in chains
                for r in c.rows
            ).encode("utf-8")
            heads = "".join(
                "\t".join(map(tsv, ("L1", c.incident_id, c.length, c.head))) + "\n" for c in chains
            ).encode("utf-8")
            target = pg.new_database()
            with Archive.connect(pg.url(target)) as archive:
                archive.init()
            with psycopg.connect(pg.url(target)) as conn:
                start = time.perf_counter()
                with conn.cursor() as cur:
                    for table, columns, data in (
                        ("incidents", "laptop, incident_id, created_at, hall", incidents),
                        (
                            "events",
                            "laptop, incident_id, seq, at, recorded_at, kind, text, data, prev, hash",
                            events,
                        ),
                        ("heads", "laptop, incident_id, chain_length, chain_head", heads),
                    ):
                        with cur.copy(f"COPY qdplan.{table} ({columns}) FROM STDIN") as copy:
                            stream = io.BytesIO(data)
                            while block := stream.read(1 << 20):
                                copy.write(block)
                conn.commit()
                copy_times.append(time.perf_counter() - start)
    push, copied = statistics.median(push_times), statistics.median(copy_times)
    rows = args.incidents * args.events
    print(
        f"{args.incidents} incidents × {args.events} events = {rows} events, median of {args.runs} runs"
    )
    print(f"COPY of the same rows  {copied * 1000:8.1f} ms  (baseline)")
    print(
        f"archive push           {push * 1000:8.1f} ms  ×{push / copied:.2f} of COPY (target ≤ 3)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
