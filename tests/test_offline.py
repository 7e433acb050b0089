"""Offline, proven: the main commands run in a process where any socket use is fatal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import DATA

# An audit hook sees every socket the process tries to make or use, whatever library asks.
GUARD = """
import sys
def _guard(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
        raise RuntimeError("network access attempted: " + event)
sys.addaudithook(_guard)
from qdplan_cli.__main__ import main
main(sys.argv[1:])
"""


# The same guard, then a list of command lines run one after another in this one interpreter
# (one start-up instead of one per command). ``{id}`` and ``{hash}`` in a later command line
# are the incident id and record hash an earlier one printed. One JSON object per command out.
GUARD_MANY = (
    GUARD.split("from qdplan_cli")[0]
    + """
import io, json, re
from contextlib import redirect_stderr, redirect_stdout
from qdplan_cli.__main__ import main
found = {"id": "", "hash": ""}
results = []
for argv in json.loads(sys.argv[1]):
    argv = [a.replace("{id}", found["id"]).replace("{hash}", found["hash"]) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:
            code = -1
            err.write(repr(exc))
    text = out.getvalue()
    if m := re.search(r"事件编号：(\\S+)", text):
        found["id"] = m[1]
    if m := re.search(r"记录校验码：([0-9a-f]{12})", text):
        found["hash"] = m[1]
    results.append({"argv": argv, "code": code, "out": text, "err": err.getvalue()})
sys.stdout.write(json.dumps(results, ensure_ascii=True))
"""
)


def run_guarded(tmp_path: Path, *argvs: list[str]) -> list[dict[str, Any]]:
    """Run each command line in one guarded interpreter; a result per command line."""
    env = {
        **os.environ,
        "QDPLAN_HOME": str(tmp_path / "home"),
        "QDPLAN_CONFIG": str(tmp_path / "config.toml"),
        "PYTHONIOENCODING": "utf-8",
    }
    proc = subprocess.run(
        [sys.executable, "-c", GUARD_MANY, json.dumps(list(argvs))],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "network access attempted" not in proc.stderr
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def test_the_guard_really_catches_network_use(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            GUARD.replace("from qdplan_cli", "import socket; socket.socket()\nfrom qdplan_cli"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "network access attempted" in proc.stderr


COMMANDS = [
    ["--version"],
    ["decide", "--stage", "opening", "--fault", "system", "--beyond-2h"],
    # The holiday calendar is consulted here (one working day after a supplementary notice).
    ["decide", "--case", str(DATA / "opening-network-plan3.toml"), "--json"],
    ["decide", "--case", str(DATA / "prep-power-delay.toml")],
    ["config", "init"],
    ["config", "show"],
]


def test_commands_run_with_the_network_forbidden(tmp_path: Path) -> None:
    for result in run_guarded(tmp_path, *COMMANDS):
        assert result["code"] == 0, (result["argv"], result["err"])
        assert "network access attempted" not in result["err"]


def test_render_and_the_incident_log_run_with_the_network_forbidden(tmp_path: Path) -> None:
    """Template loading, DOCX writing, the holiday calendar behind the incident checklist, the
    event store and the hash chain: one incident from start to written record, offline."""
    case = str(DATA / "prep-power-delay.toml")
    out = tmp_path / "out"
    steps: list[list[str]] = [
        ["templates", "list"],
        ["templates", "show", "delay_notice"],
        ["templates", "vars", "incident_record"],
        ["render", "--case", case, "--out", str(out / "case"), "--now", "2026-12-16T10:00"],
        ["incident", "--case", case, "--no-input"],
        ["log", "已通知保障人员"],
        ["list"],
        ["list", "--json"],
        ["show"],
        ["export", "--out", str(tmp_path / "export.toml")],
        ["export"],
        ["verify"],
        ["verify", "{id}"],
        ["render", "--incident", "{id}", "--out", str(out / "incident"), "--now",
         "2026-12-16T10:00"],
        ["verify", "{id}", "--hash", "{hash}"],
    ]  # fmt: skip
    results = run_guarded(tmp_path, *steps)
    for result in results:
        assert result["code"] == 0, (result["argv"], result["err"])
        assert "network access attempted" not in result["err"]
    assert results[12]["argv"][1].startswith("20"), "no incident id was printed"
    assert len(results[14]["argv"][3]) == 12, "render printed no record hash"
    assert sorted(p.name for p in (out / "incident").iterdir()) == [
        "delay_notice.docx",
        "incident_record.docx",
    ]
