"""Offline, proven: the main commands run in a process where any socket use is fatal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def run_guarded(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QDPLAN_HOME": str(tmp_path / "home"),
        "QDPLAN_CONFIG": str(tmp_path / "config.toml"),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-c", GUARD, *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )


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


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["decide", "--stage", "opening", "--fault", "system", "--beyond-2h"],
        # The holiday calendar is consulted here (one working day after a supplementary notice).
        ["decide", "--case", str(DATA / "opening-network-plan3.toml"), "--json"],
        ["decide", "--case", str(DATA / "prep-power-delay.toml")],
        ["config", "init"],
        ["config", "show"],
    ],
)
def test_commands_run_with_the_network_forbidden(tmp_path: Path, argv: list[str]) -> None:
    proc = run_guarded(tmp_path, *argv)
    assert proc.returncode == 0, proc.stderr
    assert "network access attempted" not in proc.stderr


def test_render_and_the_incident_log_run_with_the_network_forbidden(tmp_path: Path) -> None:
    """Template loading, DOCX writing, the holiday calendar behind the incident checklist, the
    event store and the hash chain: one incident from start to written record, offline."""
    import re

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
    ]
    incident_id = ""
    for argv in steps:
        proc = run_guarded(tmp_path, *argv)
        assert proc.returncode == 0, (argv, proc.stderr)
        assert "network access attempted" not in proc.stderr
        found = re.search(r"事件编号：(\S+)", proc.stdout)
        incident_id = found[1] if found else incident_id
    assert incident_id
    for argv in (
        ["verify", incident_id],
        [
            "render",
            "--incident",
            incident_id,
            "--out",
            str(out / "incident"),
            "--now",
            "2026-12-16T10:00",
        ],
    ):
        proc = run_guarded(tmp_path, *argv)
        assert proc.returncode == 0, (argv, proc.stderr)
        assert "network access attempted" not in proc.stderr
    printed = re.search(r"记录校验码：([0-9a-f]{12})", proc.stdout)
    assert printed is not None
    proc = run_guarded(tmp_path, "verify", incident_id, "--hash", printed[1])
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (out / "incident").iterdir()) == [
        "delay_notice.docx",
        "incident_record.docx",
    ]
