"""Regenerate ``docs/plan.md`` from the clause table (``src/qdplan_cli/plan/clauses.py``).

uv run python scripts/plan_doc.py           # write docs/plan.md
uv run python scripts/plan_doc.py --check   # exit 1 when docs/plan.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qdplan_cli.plan.plan_doc import plan_markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "plan.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is current")
    args = parser.parse_args()
    text = plan_markdown()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if current != text:
            print(f"{TARGET} is out of date: run uv run python scripts/plan_doc.py")
            return 1
        return 0
    if current != text:
        with TARGET.open("w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
