"""The witness console's speed, in a pseudo-terminal (pexpect), against baselines measured in
the same run.

1. Launch → the first question ("故障发生在哪个环节？") on screen, against ``python -c "import
   typer, questionary"`` (what any typer + questionary program pays first). Target: within 1.15×.
2. Enter → the next prompt on an incident of 5,000 events: a progress line typed at the hub is
   saved, the incident folded again, decided, and the hub with its status block redrawn.
   Target: under 0.15 s at the median.
3. Launch → a screen naming who to call (a configured name and phone number), in an 80×24 pty,
   accepting every default: with a fresh data folder and with a last project on file. Counted
   in answers (target ≤ 3) and in seconds of scripted typing (target ≤ 20 s); the typing waits
   for each question on the screen, then sends its keys, as a person would.

    uv run python bench/bench_wizard.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pexpect

RATIO_TARGET = 1.15
ENTER_TARGET_S = 0.15
EVENTS = 5000


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


def env_for(home: Path) -> dict[str, str]:
    # A pty is no terminal: nothing answers prompt_toolkit's cursor-position request, which it
    # then waits a full second for at every prompt. A real terminal answers at once.
    return {**os.environ, "QDPLAN_HOME": str(home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}


CONTACTS = """\
[[contacts.support_staff]]
name = "欧阳振华"
phone = "0532-81110001"
[[contacts.property_staff]]
name = "赵物业"
phone = "0532-81110004"
"""
WHO = re.compile(r"(欧阳振华|赵物业) 0532-8111000\d")  # a name and its number, on one line
MAX_ANSWERS = 3
MAX_TYPING_S = 20.0


def time_to_who_to_call(home: Path, config: Path) -> tuple[int, float, str]:
    """``qdplan incident`` until the screen names who to call: (answers, seconds, screen)."""
    import pyte

    env = {**env_for(home), "QDPLAN_CONFIG": str(config), "COLUMNS": "80", "LINES": "24"}
    start = time.perf_counter()
    child = pexpect.spawn(
        script("qdplan"), ["incident"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 80)
    )
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    answers = 0

    def text() -> str:
        return "\n".join(line.rstrip() for line in screen.display)

    since_answer = ""  # what the terminal received since the last answer
    while not WHO.search(text()):
        if answers > 12:
            raise SystemExit(f"no name and number on screen after {answers} answers:\n{text()}")
        if "（↑↓ 选择" in since_answer:  # a live menu (its key hint) is on screen
            child.send("\r")  # accept the default
            answers += 1
            since_answer = ""
        try:
            chunk = child.read_nonblocking(65536, timeout=0.2)
        except pexpect.TIMEOUT:
            continue
        since_answer += chunk
        stream.feed(chunk)
    elapsed = time.perf_counter() - start
    shown = text()
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return answers, elapsed, shown


def time_first_question(home: Path, project: Path) -> float:
    start = time.perf_counter()
    child = pexpect.spawn(
        script("qdplan"),
        ["incident", "--project", str(project)],
        env=env_for(home),
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 80),
    )
    child.expect("故障发生在哪个环节？")
    elapsed = time.perf_counter() - start
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def big_incident(home: Path, events: int = EVENTS) -> str:
    """An evaluation incident (power cut, waiting within 2 hours) with ``events`` events."""
    os.environ["QDPLAN_HOME"] = str(home)
    from qdplan_cli.plan.times import shanghai
    from qdplan_cli.record.casefile import Project
    from qdplan_cli.record.events import answer_event, created_event, log_event
    from qdplan_cli.record.store import Store

    now = datetime.now(shanghai()).replace(microsecond=0)
    start = now - timedelta(minutes=30)
    with Store.open() as store:
        first = [
            created_event(start, Project(name="基准测试项目"), start, "wizard"),
            answer_event(start, "stage", "evaluation", None),
            answer_event(start, "fault", "power", None),
            answer_event(start, "within_2h", True, None),
        ]
        incident_id = store.create_incident(start, first, start)
        lines = [
            log_event(start + timedelta(seconds=i * 0.3), f"第{i}条现场记录：已通知保障人员")
            for i in range(events - len(first))
        ]
        store.append_many(incident_id, lines, now)
    return incident_id


def time_enter_to_prompt(home: Path, incident_id: str, runs: int) -> list[float]:
    child = pexpect.spawn(
        script("qdplan"),
        ["incident", "--resume", incident_id],
        env=env_for(home),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 80),
    )
    hub = r"下一步做什么？(?:\x1b\[[0-9;?]*[A-Za-z]|\s)*（↑↓"  # the live menu, styles between
    child.expect(hub)
    times = []
    for i in range(runs):
        child.send("\x1b[B\r")  # 记录一条进展
        child.expect("进展内容")
        time.sleep(0.2)  # let the text prompt settle before "typing"
        child.send(f"基准{i}")
        child.expect(f"基准{i}")
        start = time.perf_counter()
        child.send("\r")
        child.expect(hub)
        times.append(time.perf_counter() - start)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        project = Path(tmp) / "project.toml"
        project.write_text('[project]\nname = "基准测试项目"\n', encoding="utf-8")
        time_first_question(home, project)  # warm: bytecode, database created
        floor_s = statistics.median(time_import("typer, questionary") for _ in range(runs))
        wizard_s = statistics.median(time_first_question(home, project) for _ in range(runs))
        small = time_enter_to_prompt(home, big_incident(home, 5), runs)
        incident_id = big_incident(home)
        enter = time_enter_to_prompt(home, incident_id, runs)
        config = Path(tmp) / "config.toml"
        config.write_text(CONTACTS, encoding="utf-8")
        fresh = Path(tmp) / "fresh"
        who_fresh = time_to_who_to_call(fresh, config)
        # The same folder now holds an incident: the next one offers its project.
        with_last = Path(tmp) / "with-last"
        big_incident(with_last, 5)
        who_last = time_to_who_to_call(with_last, config)
    ratio = wizard_s / floor_s
    enter_s = statistics.median(enter)
    print(f"python -c 'import typer, questionary'  {floor_s:.3f} s (baseline)")
    print(
        f"qdplan incident → 1st question          {wizard_s:.3f} s ({ratio:.2f}× baseline; "
        f"target ≤ {RATIO_TARGET:.2f}×: {'met' if ratio <= RATIO_TARGET else 'NOT met'})"
    )
    print(
        f"Enter → next prompt, 5 events         {statistics.median(small):.3f} s median "
        "(the same cycle on a small incident: the prompt machinery alone)"
    )
    print(
        f"Enter → next prompt, {EVENTS} events      {enter_s:.3f} s median "
        f"(min {min(enter):.3f}, max {max(enter):.3f}; target < {ENTER_TARGET_S:.2f} s: "
        f"{'met' if enter_s < ENTER_TARGET_S else 'NOT met'})"
    )
    for label, (answers, seconds, _screen) in (
        ("fresh data folder", who_fresh),
        ("with a last project", who_last),
    ):
        met = answers <= MAX_ANSWERS and seconds <= MAX_TYPING_S
        print(
            f"qdplan incident → who to call ({label}): {answers} answers, {seconds:.2f} s "
            f"({seconds / floor_s:.1f}× baseline; target ≤ {MAX_ANSWERS} answers and "
            f"≤ {MAX_TYPING_S:.0f} s: {'met' if met else 'NOT met'})"
        )
    print("the screen naming who to call (fresh data folder, 80×24):")
    print(who_fresh[2])
    print(
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        f" on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
