"""How soon after launch is the wizard's first question on screen?

Runs the installed ``qdplan incident`` in a pseudo-terminal (pexpect) and times launch → the
first question ("哪个项目？") on screen; as baselines in the same run, ``python -c "import typer"``
and ``python -c "import questionary"`` (the prompt library alone). Target: 0.35 s.

    uv run python bench/bench_wizard.py [--runs N]
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

import pexpect

TARGET_S = 0.35


def script(name: str) -> str:
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"{name} not installed next to {sys.executable}; run `uv sync` first")


def time_import(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def time_first_question(home: Path, project: Path) -> float:
    env = {**os.environ, "QDPLAN_HOME": str(home), "TERM": "xterm"}
    start = time.perf_counter()
    child = pexpect.spawn(
        script("qdplan"),
        ["incident", "--project", str(project)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.expect("哪个项目？")
    elapsed = time.perf_counter() - start
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        project = Path(tmp) / "project.toml"
        project.write_text('[project]\nname = "基准测试项目"\n', encoding="utf-8")
        time_first_question(home, project)  # warm: bytecode, database created
        typer_s = statistics.median(time_import("typer") for _ in range(runs))
        questionary_s = statistics.median(time_import("questionary") for _ in range(runs))
        # What any typer + questionary program pays before its first question (typer ≥ 0.29
        # builds pydantic adapters for its parameters when it runs a command).
        floor_s = statistics.median(
            time_import("typer, questionary") for _ in range(runs)
        )
        wizard_s = statistics.median(time_first_question(home, project) for _ in range(runs))
    print(f"python -c 'import typer'         {typer_s:.3f} s (baseline)")
    print(
        f"python -c 'import questionary'   {questionary_s:.3f} s ({questionary_s / typer_s:.2f}×)"
    )
    print(
        f"import typer+questionary          {floor_s:.3f} s ({floor_s / typer_s:.2f}×, the floor)"
    )
    print(
        f"qdplan incident → 1st question   {wizard_s:.3f} s ({wizard_s / typer_s:.2f}× baseline; "
        f"target {TARGET_S:.2f} s: {'met' if wizard_s <= TARGET_S else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
