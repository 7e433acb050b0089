"""The templates ship inside the wheel: build it, install it into a fresh virtual environment
(not editable), and render there. A missing package-data line fails here, not at a user's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .renderkit import DATA

ROOT = Path(__file__).parents[1]
UV = shutil.which("uv")

pytestmark = [
    pytest.mark.skipif(UV is None, reason="uv is not installed"),
    pytest.mark.slow,
]


def _uv(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [UV, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False
    )


def test_installed_wheel_renders_with_its_own_templates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _uv("build", "--wheel", "--out-dir", str(dist), cwd=ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("qdplan-*.whl"))

    venv = tmp_path / "venv"
    created = _uv("venv", "--python", sys.executable, str(venv))
    assert created.returncode == 0, created.stderr
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    # Offline first (everything is in uv's cache after `uv sync`); online if the cache lacks it.
    install = _uv("pip", "install", "--offline", "--python", str(python), str(wheel))
    if install.returncode != 0:
        install = _uv("pip", "install", "--python", str(python), str(wheel))
    assert install.returncode == 0, install.stderr

    out = tmp_path / "文书"
    workdir = tmp_path / "elsewhere"  # not the repository: its templates/ must not be found
    workdir.mkdir()
    env = {
        **os.environ,
        "QDPLAN_CONFIG": str(tmp_path / "config" / "config.toml"),
        "QDPLAN_CACHE": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [
            str(python),
            "-m",
            "qdplan_cli",
            "render",
            "--case",
            str(DATA / "opening-network-plan3.toml"),
            "--out",
            str(out),
            "--now",
            "2026-12-16T10:00",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "filing_report.docx",
        "incident_record.docx",
        "supplementary_notice.docx",
    ]
    where = subprocess.run(
        [
            str(python),
            "-c",
            "from qdplan_cli.documents.templating import builtin_templates_dir as d; print(d())",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv.resolve()) or Path(where).is_relative_to(venv)
    assert (Path(where) / "delay_notice.txt.j2").is_file()
