"""The offline install bundle (scripts/bundle.py): built here from PyPI, then installed with the
network cut off, and checked against uv.lock for every target a witness laptop may be.

Marked ``bundle`` (deselect with ``-m "not bundle"``). Downloads are cached under
build/bundle-cache, keyed by the locked requirements, so only the first run downloads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TOP = f"qdplan-{VERSION}-offline"
PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")
linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="runs install.sh: the Linux half of the bundle"
)
# 统信 UOS 20 and 麒麟 V10 ship glibc 2.28: no Linux wheel may need more.
GLIBC_FLOOR = (2, 28)

CASE = """\
[project]
name = "青岛某某道路改造工程施工"
number = "QDJS-2026-0733"
type = "construction"
tenderer = "青岛某某城市建设有限公司"
agency = "山东某某招标代理有限公司"
venue = "青岛市公共资源交易中心第2开标室"
opening_time = 2026-12-08T09:00:00

[incident]
stage = "opening"
fault = "network"
started_at = 2026-12-08T09:12:00
fallback_works = false
quick_fix_works = false
within_2h = false
plan = 3
"""


def _locked_versions() -> dict[str, Version]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {canonicalize_name(p["name"]): Version(p["version"]) for p in lock["package"]}


def _runtime_requirements() -> list[Requirement]:
    """qdplan's runtime dependencies with their markers, straight from uv.lock."""
    text = subprocess.run(
        [
            os.environ.get("UV", "uv"),
            "export",
            "--locked",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        Requirement(line)
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]


def _environment(windows: bool, python: str) -> dict[str, str]:
    return {
        "implementation_name": "cpython",
        "os_name": "nt" if windows else "posix",
        "platform_machine": "AMD64" if windows else "x86_64",
        "platform_python_implementation": "CPython",
        "platform_system": "Windows" if windows else "Linux",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "win32" if windows else "linux",
    }


def _tags(windows: bool, python: str) -> set[Tag]:
    """What pip on that machine accepts (Linux: any glibc up to GLIBC_FLOOR)."""
    if windows:
        platforms = ["win_amd64"]
    else:
        platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(GLIBC_FLOOR[1], 4, -1)]
        platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    version = (3, int(python.split(".")[1]))
    return set(cpython_tags(version, platforms=platforms)) | set(
        compatible_tags(version, "cp", platforms=platforms)
    )


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bundle.py"), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    zip_path = out / f"{TOP}.zip"
    assert f"完成：{zip_path}" in result.stdout
    return zip_path


@pytest.fixture(scope="module")
def wheel_names(bundle_zip: Path) -> list[str]:
    with zipfile.ZipFile(bundle_zip) as zf:
        return [
            n.removeprefix(f"{TOP}/wheels/")
            for n in zf.namelist()
            if n.startswith(f"{TOP}/wheels/")
        ]


def _extract(bundle_zip: Path, where: Path) -> Path:
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(where)
    return where / TOP


@pytest.fixture(scope="module")
def unzipped_wheels(bundle_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip's wheels, unpacked once for the tests that only read them."""
    return _extract(bundle_zip, tmp_path_factory.mktemp("unzipped")) / "wheels"


def test_zip_holds_installers_instructions_and_wheels(bundle_zip: Path) -> None:
    with zipfile.ZipFile(bundle_zip) as zf:
        names = set(zf.namelist())
        for name in ("install.bat", "install.sh", "install.py", "安装说明.txt", "bundle.json"):
            assert f"{TOP}/{name}" in names
        assert all(n.startswith(f"{TOP}/") for n in names), "everything in one folder"
        assert not any(n.endswith((".tar.gz", ".zip")) for n in names), "wheels only, no sdists"

        readme = zf.read(f"{TOP}/安装说明.txt")
        bat = zf.read(f"{TOP}/install.bat")
        sh = zf.read(f"{TOP}/install.sh")
        sh_mode = zf.getinfo(f"{TOP}/install.sh").external_attr >> 16

    # Windows Notepad: UTF-8 with a BOM, CRLF line ends.
    assert readme.startswith("\ufeff".encode())
    text = readme.decode("utf-8-sig")
    assert "\n" not in text.replace("\r\n", "")
    assert f"qdplan {VERSION}" in text
    assert "3.11、3.12、3.13、3.14、3.15" in text
    assert "install.bat" in text and "bash install.sh" in text
    # cmd.exe: CRLF, and nothing but ASCII before the line switching the console to UTF-8.
    assert b"\n" not in bat.replace(b"\r\n", b"")
    before_chcp = bat.split(b"chcp 65001")[0]
    assert before_chcp.isascii() and b"@echo off" in before_chcp
    assert b"py -%%v-64" in bat and b"3.15 3.14 3.13 3.12 3.11" in bat
    # Linux: LF only, executable when unpacked with unzip.
    assert b"\r" not in sh and sh.startswith(b"#!/bin/sh\n")
    assert sh_mode & 0o755 == 0o755


def test_every_wheel_is_the_locked_version(wheel_names: list[str]) -> None:
    locked = _locked_versions()
    assert len(wheel_names) == len(set(wheel_names)), "pure wheels are stored once"
    for wheel in wheel_names:
        name, version, _build, _tags = parse_wheel_filename(wheel)
        assert name in locked, f"{wheel} is not in uv.lock"
        assert version == locked[name], f"{wheel}: uv.lock has {locked[name]}"
    assert f"qdplan-{VERSION}-py3-none-any.whl" in wheel_names
    assert f"pip-{locked['pip']}-py3-none-any.whl" in wheel_names


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("windows", [True, False], ids=["win_amd64", "manylinux_x86_64"])
def test_every_dependency_installs_on_each_target(
    wheel_names: list[str], windows: bool, python: str
) -> None:
    """Windows x64 and Linux x86-64, CPython 3.11–3.15: one wheel pip accepts there, per locked
    runtime dependency (markers evaluated for that machine: colorama on Windows)."""
    locked = _locked_versions()
    tags = _tags(windows, python)
    usable: dict[str, list[Version]] = {}
    for wheel in wheel_names:
        name, version, _build, wheel_tags = parse_wheel_filename(wheel)
        if wheel_tags & tags:
            usable.setdefault(name, []).append(version)
    env = _environment(windows, python)
    needed = {
        canonicalize_name(r.name)
        for r in _runtime_requirements()
        if r.marker is None or r.marker.evaluate(env)
    }
    assert {"lxml", "markupsafe", "python-docx"} <= needed
    assert ("colorama" in needed) is windows
    for package in sorted(needed | {"qdplan", "pip"}):
        got = usable.get(package)
        # Several wheels of the locked version may fit (cryptography's cp311-abi3 and cp315-abi3
        # both fit 3.15; pip takes the most specific): never another version, never none.
        assert got and set(got) == {locked[package]}, f"{package}: usable wheels {got}"
    # The binary ones really are built for this target, not pure fallbacks.
    cp = f"cp{python.replace('.', '')}"
    platform = "win_amd64" if windows else "manylinux"
    for binary in ("lxml", "markupsafe"):
        assert any(
            w.startswith(f"{binary}-") and f"-{cp}-{cp}-" in w and platform in w
            for w in wheel_names
        ), f"no {platform} {cp} wheel of {binary}"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("windows", [True, False], ids=["win_amd64", "manylinux_x86_64"])
def test_pip_resolves_qdplan_from_the_zip_alone_for_each_target(
    unzipped_wheels: Path, tmp_path: Path, windows: bool, python: str, offline: list[str]
) -> None:
    """pip itself, as on that machine (``--platform --python-version``), with no index: every
    requirement of qdplan is found among the zip's wheels, binary ones built for that target.
    (pip evaluates environment markers for this machine, not ``--platform``: colorama, needed
    on Windows only, is checked by ``test_every_dependency_installs_on_each_target``.)"""
    wheels = unzipped_wheels
    platforms = ["win_amd64"] if windows else sorted(set(_linux_tags()))
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            *offline,
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--isolated",
            "--disable-pip-version-check",
            "--quiet",
            "--no-index",
            "--find-links",
            str(wheels),
            "--only-binary",
            ":all:",
            "--implementation",
            "cp",
            "--python-version",
            python,
            *(arg for p in platforms for arg in ("--platform", p)),
            "--report",
            str(report),
            f"qdplan=={VERSION}",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    chosen = {
        canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"].rsplit("/", 1)[1]
        for item in json.loads(report.read_text(encoding="utf-8"))["install"]
    }
    locked = _locked_versions()
    assert {"qdplan", "lxml", "markupsafe", "python-docx", "typer", "rich"} <= chosen.keys()
    for name, wheel in chosen.items():
        assert parse_wheel_filename(wheel)[1] == locked[name], wheel
    cp = f"cp{python.replace('.', '')}"
    for binary in ("lxml", "markupsafe"):
        assert f"-{cp}-{cp}-" in chosen[binary], chosen[binary]
        assert ("win_amd64" in chosen[binary]) is windows, chosen[binary]


def _linux_tags() -> list[str]:
    return [t.platform for t in _tags(False, "3.11") if t.platform != "any"]


def test_instructions_state_the_glibc_the_linux_wheels_need(bundle_zip: Path) -> None:
    with zipfile.ZipFile(bundle_zip) as zf:
        text = zf.read(f"{TOP}/安装说明.txt").decode("utf-8-sig")
        names = zf.namelist()
    found = re.search(r"glibc (\d+)\.(\d+)", text)
    assert found, text
    stated = (int(found[1]), int(found[2]))
    assert stated <= GLIBC_FLOOR
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    for name in names:
        if "manylinux" not in name:
            continue
        needs = []
        for tag in parse_wheel_filename(name.rsplit("/", 1)[1])[3]:
            m = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", tag.platform)
            old = re.fullmatch(r"(manylinux\d+)_x86_64", tag.platform)
            needs.append((int(m[1]), int(m[2])) if m else legacy[old[1]] if old else (9, 9))
        assert min(needs) <= stated, f"{name} needs a newer glibc than 安装说明 says"


def _python(version: str) -> str | None:
    """A CPython of this version on this machine, if any (PATH, then pyenv's versions)."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('{}.{}'.format(*sys.version_info[:2]))"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def _offline_prefix() -> list[str]:
    """``unshare -n``: run in a network namespace with no interface up, where it works (root)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    # No proxy, no pip configuration, no uv: only what a witness laptop would have.
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


@pytest.fixture(scope="module")
def offline() -> list[str]:
    return _offline_prefix()


@linux_only
@pytest.mark.parametrize("version", PYTHONS)
def test_install_sh_installs_offline_and_qdplan_runs(
    bundle_zip: Path, tmp_path: Path, version: str, offline: list[str]
) -> None:
    python = _python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine")
    folder = _extract(bundle_zip, tmp_path / "U盘 见证工具")  # spaces and Chinese in the path
    env = _clean_env(tmp_path, PYTHON=python)
    result = subprocess.run(
        [*offline, "bash", str(folder / "install.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "安装完成" in result.stdout
    launcher = folder / "qdplan"
    assert launcher.is_file() and os.access(launcher, os.X_OK)

    def qdplan(*args: str, launcher: Path = launcher) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*offline, str(launcher), *args],
            cwd=tmp_path,
            env=_clean_env(tmp_path),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    assert qdplan("--version").stdout.strip() == f"qdplan {VERSION}"

    decided = qdplan("decide", "--stage", "opening", "--fault", "system", "--beyond-2h", "--json")
    assert decided.returncode == 0, decided.stderr
    decision = json.loads(decided.stdout)
    assert decision["outcome"] == "choose_plan"
    assert decision["allowed_plans"] == [2, 3]

    # A case file: the Rich checklist, then its documents rendered from the shipped templates.
    case = tmp_path / "案例.toml"
    case.write_text(CASE, encoding="utf-8")
    checklist = qdplan("decide", "--case", str(case), "--now", "2026-12-08T12:00:00")
    assert checklist.returncode == 0, checklist.stderr
    assert "方案三" in checklist.stdout and "2026年12月8日" in checklist.stdout
    out = tmp_path / "文书"
    rendered = qdplan(
        "render", "--case", str(case), "--out", str(out), "--now", "2026-12-08T12:00:00"
    )
    assert rendered.returncode == 0, rendered.stderr
    expected = json.loads(
        qdplan("decide", "--case", str(case), "--now", "2026-12-08T12:00:00", "--json").stdout
    )["documents"]
    assert sorted(p.stem for p in out.glob("*.docx")) == sorted(expected)

    # What was installed is exactly uv.lock, and python-docx's lxml loads.
    venv_python = folder / "venv" / "bin" / "python"
    listed = subprocess.run(
        [
            *offline,
            str(venv_python),
            "-c",
            "import json, importlib.metadata as m, docx, lxml.etree;"
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
        ],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {canonicalize_name(k): v for k, v in json.loads(listed.stdout).items()}
    locked = _locked_versions()
    assert installed, "nothing installed"
    assert all(locked[name] == Version(v) for name, v in installed.items()), installed
    env = _environment(windows=False, python=version)
    runtime = {
        canonicalize_name(r.name)
        for r in _runtime_requirements()
        if r.marker is None or r.marker.evaluate(env)
    }
    assert installed.keys() == runtime | {"qdplan"}
    # Bytecode only for what qdplan imported, not for every installed module (a quicker
    # install, fewer small files on the stick).
    venv = folder / "venv"
    assert len(list(venv.rglob("*.pyc"))) < len(list(venv.rglob("*.py"))) / 2

    # Bad input: the launcher passes qdplan's exit code 2 and its Chinese message through.
    bad = qdplan("decide", "--stage", "bad")
    assert bad.returncode == 2 and "--stage" in bad.stderr and "Traceback" not in bad.stderr

    # Linked into a folder on PATH, as 安装说明 suggests: still finds its venv.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "qdplan").symlink_to(launcher)
    assert qdplan("--version", launcher=bin_dir / "qdplan").stdout.strip() == f"qdplan {VERSION}"

    # The folder moved (a USB stick with another mount point): the launcher still works.
    moved = folder.rename(tmp_path / "elsewhere")  # e.g. mounted at another point
    assert qdplan("--version", launcher=moved / "qdplan").stdout.strip() == f"qdplan {VERSION}"


@pytest.fixture
def extracted(bundle_zip: Path, tmp_path: Path) -> Iterator[Path]:
    yield _extract(bundle_zip, tmp_path)


def test_installer_names_the_supported_pythons_when_this_one_is_not(
    extracted: Path, tmp_path: Path
) -> None:
    manifest = extracted / "bundle.json"
    info = json.loads(manifest.read_text(encoding="utf-8"))
    info["pythons"] = ["3.99"]
    manifest.write_text(json.dumps(info), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(extracted / "install.py")],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 1
    assert "本安装包只支持 Python 3.99" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (extracted / "venv").exists()


def test_installer_asks_to_unzip_first_when_run_without_its_wheels(
    extracted: Path, tmp_path: Path
) -> None:
    shutil.rmtree(extracted / "wheels")
    result = subprocess.run(
        [sys.executable, str(extracted / "install.py")],
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 1
    assert "请先把压缩包整个解压" in result.stderr


@linux_only
def test_install_sh_says_so_when_no_suitable_python_is_found(
    extracted: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        ["/bin/sh", str(extracted / "install.sh")],
        env={"PATH": str(empty), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 1
    assert "没有找到 Python 3.11、3.12、3.13、3.14、3.15" in result.stderr


@linux_only
def test_install_sh_finds_a_python_by_itself_and_can_be_run_again(
    extracted: Path, tmp_path: Path, offline: list[str]
) -> None:
    """No PYTHON given: install.sh picks a supported python3.x from PATH; a second run (重新安装)
    replaces the environment and still works."""
    env = _clean_env(tmp_path)
    found = [v for v in PYTHONS if shutil.which(f"python{v}", path=env["PATH"])]
    if not found and not shutil.which("python3", path=env["PATH"]):
        pytest.skip("no python3 on the default PATH")
    for _ in range(2):
        result = subprocess.run(
            [*offline, "bash", "install.sh"],
            cwd=extracted,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert re.search(r"使用 Python 3\.1[123]\.\d+", result.stdout), result.stdout
    version = subprocess.run(
        [str(extracted / "qdplan"), "--version"], env=env, capture_output=True, text=True
    )
    assert version.stdout.strip() == f"qdplan {VERSION}"
