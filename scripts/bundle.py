"""Build the offline install bundle: ``dist/qdplan-<version>-offline.zip``.

    uv run python scripts/bundle.py [--out DIR] [--cache DIR]

The zip holds the qdplan wheel and every runtime dependency as wheels for Windows x64 and Linux
x86-64, CPython 3.11 to 3.15, pinned to ``uv.lock`` (what is tested is what is shipped),
plus ``install.bat`` / ``install.sh`` / ``install.py`` that install them with ``--no-index``, and
``安装说明.txt``. Needs PyPI access; downloads are cached per target under ``--cache``, keyed by
the locked requirements, so a rebuild with an unchanged lock downloads nothing.

How the versions stay equal to the lock: ``uv export --locked`` writes the runtime requirements
(plus the ``bundle`` group: pip) with their hashes; the environment markers are evaluated here for
each target (pip evaluates them for the machine it runs on, not for ``--platform``); and pip
downloads each target's exact list with ``--no-deps`` in hash-checking mode, so nothing outside
the lock can come in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "offline"
PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")

# pip prefers the platforms in the order given: the oldest glibc first, so the Linux wheels run
# on as many distributions (统信 UOS, 麒麟 …) as possible; newer tags only when nothing older exists.
MANYLINUX = (
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2010_x86_64",
    "manylinux_2_12_x86_64",
    "manylinux1_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_26_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_28_x86_64",
)


class BundleError(Exception):
    """A failure the person building the bundle can act on."""


@dataclass(frozen=True)
class Pin:
    """One locked requirement: ``name==version ; marker`` with the lock's hashes."""

    name: NormalizedName
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def line(self) -> str:
        hashes = "".join(f" \\\n    --hash={h}" for h in self.hashes)
        return f"{self.name}=={self.version}{hashes}\n"


@dataclass(frozen=True)
class Target:
    """One platform and Python version the bundle must install on."""

    os_name: str  # "windows" or "linux"
    python: str  # "3.12"

    @property
    def name(self) -> str:
        return f"{self.os_name}-cp{self.python.replace('.', '')}"

    @property
    def platforms(self) -> tuple[str, ...]:
        return ("win_amd64",) if self.os_name == "windows" else MANYLINUX

    def environment(self) -> dict[str, str]:
        """PEP 508 marker variables of this target."""
        windows = self.os_name == "windows"
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.0",
            "os_name": "nt" if windows else "posix",
            "platform_machine": "AMD64" if windows else "x86_64",
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Windows" if windows else "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python}.0",
            "python_version": self.python,
            "sys_platform": "win32" if windows else "linux",
        }

    def tags(self) -> set[Tag]:
        """Wheel tags an interpreter of this target accepts."""
        version = tuple(int(part) for part in self.python.split("."))
        platforms = list(self.platforms)
        return set(cpython_tags(version, platforms=platforms)) | set(
            compatible_tags(version, "cp", platforms=platforms)
        )

    def pins(self, pins: Sequence[Pin]) -> list[Pin]:
        env = self.environment()
        return [p for p in pins if p.marker is None or p.marker.evaluate(env)]


TARGETS = tuple(Target(os_name, py) for os_name in ("windows", "linux") for py in PYTHONS)


def _run(command: Sequence[str], what: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        list(command), cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if result.returncode != 0:
        raise BundleError(
            f"{what}失败（退出码 {result.returncode}）：{' '.join(command)}\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise BundleError(
            "找不到 uv：请按 README 安装 uv 后，用 uv run python scripts/bundle.py 运行"
        )
    return uv


def parse_export(text: str) -> list[Pin]:
    """Parse ``uv export --format requirements.txt`` output (with hashes) into pins."""
    pins = []
    logical = re.sub(r"\\\n", " ", text)
    for raw in logical.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        hashes = tuple(re.findall(r"--hash=(\S+)", line))
        spec = re.sub(r"\s*--hash=\S+", "", line).strip()
        req = Requirement(spec)
        pinned = [s.version for s in req.specifier if s.operator == "=="]
        if len(pinned) != 1 or not hashes:
            raise BundleError(f"uv export 给出的不是带哈希的固定版本：{line}")
        pins.append(Pin(canonicalize_name(req.name), pinned[0], req.marker, hashes))
    return pins


def locked_pins() -> list[Pin]:
    """Runtime dependencies plus the ``bundle`` group (pip), exactly as ``uv.lock`` pins them."""
    text = _run(
        [
            _uv(),
            "export",
            "--locked",
            "--no-default-groups",
            "--group",
            "bundle",
            "--no-emit-project",
            "--format",
            "requirements.txt",
            "--quiet",
        ],
        "导出 uv.lock 中的依赖（uv.lock 与 pyproject.toml 不一致时请先运行 uv lock）",
    )
    return parse_export(text)


def build_wheel(out: Path) -> Path:
    _run([_uv(), "build", "--wheel", "--out-dir", str(out), "--quiet"], "构建 qdplan wheel")
    wheels = sorted(out.glob("qdplan-*.whl"))
    if len(wheels) != 1:
        raise BundleError(f"构建后应有一个 qdplan wheel，实际为：{[w.name for w in wheels]}")
    return wheels[0]


def download(target: Target, pins: Sequence[Pin], cache: Path) -> list[Path]:
    """Download the target's wheels into a cache folder keyed by its exact requirement list."""
    requirements = "".join(p.line() for p in target.pins(pins))
    key = hashlib.sha256((requirements + "\n".join(target.platforms)).encode("utf-8"))
    folder = cache / f"{target.name}-{key.hexdigest()[:16]}"
    done = folder / "complete.json"
    if done.is_file():
        names = json.loads(done.read_text(encoding="utf-8"))
        if all((folder / n).is_file() for n in names):
            return [folder / n for n in names]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--isolated",
        "--disable-pip-version-check",
        "--no-deps",
        "--require-hashes",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        target.python,
        *(arg for p in target.platforms for arg in ("--platform", p)),
        "--dest",
        str(folder),
        "--requirement",
        str(folder / "requirements.txt"),
    ]
    _run(command, f"下载 {target.name} 的 wheel")
    files = sorted(f.name for f in folder.glob("*.whl"))
    done.write_text(json.dumps(files, ensure_ascii=False, indent=1), encoding="utf-8")
    return [folder / n for n in files]


def check_target(target: Target, pins: Sequence[Pin], wheels: Sequence[Path]) -> None:
    """Exactly one installable wheel per required package, at the locked version."""
    tags = target.tags()
    found: dict[NormalizedName, list[Version]] = {}
    for wheel in wheels:
        name, version, _build, wheel_tags = parse_wheel_filename(wheel.name)
        if wheel_tags & tags:
            found.setdefault(name, []).append(version)
    for pin in target.pins(pins):
        versions = found.get(pin.name, [])
        if versions != [Version(pin.version)]:
            raise BundleError(
                f"{target.name}：{pin.name} 应有且只有 {pin.version} 一个 wheel，"
                f"实际为 {[str(v) for v in versions]}"
            )


def max_glibc(wheels: Sequence[Path]) -> str:
    """The newest glibc any Linux wheel asks for (manylinux2014 = 2.17)."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    newest = (2, 17)
    for wheel in wheels:
        best = None
        for tag in parse_wheel_filename(wheel.name)[3]:
            m = re.match(r"(manylinux\d+)_x86_64$", tag.platform)
            n = re.match(r"manylinux_(\d+)_(\d+)_x86_64$", tag.platform)
            glibc = legacy.get(m.group(1)) if m else (int(n[1]), int(n[2])) if n else None
            if glibc is not None and (best is None or glibc < best):
                best = glibc
        if best is not None and best > newest:
            newest = best
    return f"{newest[0]}.{newest[1]}"


def _template(name: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if re.search(r"@[A-Z_]+@", text):
        raise BundleError(f"{name} 中有未替换的占位符")
    return text


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def write_zip(
    zip_path: Path, top: str, files: dict[str, bytes], wheels: Sequence[Path], executable: set[str]
) -> None:
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=_now())
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, data)
        for wheel in sorted(wheels, key=lambda p: p.name):
            # Wheels are zips already: storing them saves time and loses nothing.
            zf.write(wheel, f"{top}/wheels/{wheel.name}", compress_type=zipfile.ZIP_STORED)
    partial.replace(zip_path)


def _now() -> tuple[int, int, int, int, int, int]:
    t = time.localtime()
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def source_revision() -> str | None:
    """The git commit the wheel is built from, ``+dirty`` with uncommitted changes to what goes
    into it; None outside a git checkout."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            # What goes into the wheel (untracked files in src/ would, too).
            ["git", "status", "--porcelain", "--", "src", "templates", "pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


def build(out: Path, cache: Path) -> Path:
    """Build the bundle; return the zip's path."""
    pins = locked_pins()
    by_name = {p.name: p for p in pins}
    if "pip" not in by_name:
        raise BundleError("uv.lock 的 bundle 依赖组中没有 pip")
    revision = source_revision()
    if revision is not None and revision.endswith("+dirty"):
        print("注意：工作区有未提交的改动，安装包中的 qdplan 含这些改动。", flush=True)
    with tempfile.TemporaryDirectory(prefix="qdplan-bundle-") as tmp:
        print("构建 qdplan wheel……", flush=True)
        project_wheel = build_wheel(Path(tmp))
        version = str(parse_wheel_filename(project_wheel.name)[1])

        print(f"下载依赖（{len(TARGETS)} 个目标，缓存在 {cache}）……", flush=True)
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda t: download(t, pins, cache), TARGETS))
        wheels: dict[str, Path] = {project_wheel.name: project_wheel}
        for target, files in zip(TARGETS, results, strict=True):
            check_target(
                target,
                [*pins, Pin(canonicalize_name("qdplan"), version, None, ())],
                [
                    *files,
                    project_wheel,
                ],
            )
            # Pure-Python wheels are the same file for every target: keep one copy.
            for f in files:
                wheels.setdefault(f.name, f)
            print(f"  {target.name}：{len(files) + 1} 个 wheel", flush=True)

        linux = [w for w in wheels.values() if "manylinux" in w.name]
        pythons = "、".join(PYTHONS)
        values = {
            "VERSION": version,
            "PYTHONS": pythons,
            "PYTHONS_ASCII": " ".join(PYTHONS),
            "PY_CANDIDATES_SH": " ".join(f"python{v}" for v in reversed(PYTHONS)),
            "PY_CANDIDATES_BAT": " ".join(reversed(PYTHONS)),
            "GLIBC": max_glibc(linux),
        }
        manifest = {
            "name": "qdplan",
            "version": version,
            "pythons": list(PYTHONS),
            "platforms": ["win_amd64", "manylinux_x86_64"],
            "glibc": values["GLIBC"],
            "pip_wheel": next(n for n in wheels if n.startswith("pip-")),
            "git_revision": revision,
            "uv_lock_sha256": hashlib.sha256((ROOT / "uv.lock").read_bytes()).hexdigest(),
            "targets": {
                t.name: sorted([project_wheel.name, *(f.name for f in files)])
                for t, files in zip(TARGETS, results, strict=True)
            },
        }
        bom = "\ufeff"
        texts = {
            "安装说明.txt": (bom + _crlf(_template("安装说明.txt", values))).encode("utf-8"),
            "install.bat": _crlf(_template("install.bat", values)).encode("utf-8"),
            "install.sh": _template("install.sh", values).encode("utf-8"),
            "install.py": (TEMPLATES / "install.py").read_bytes(),
            "bundle.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(),
        }
        top = f"qdplan-{version}-offline"
        zip_path = out / f"{top}.zip"
        write_zip(zip_path, top, texts, list(wheels.values()), executable={"install.sh"})
    return zip_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bundle.py",
        description="构建离线安装包 dist/qdplan-<版本>-offline.zip（需要访问 PyPI）。",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="输出目录（默认 dist）")
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "build" / "bundle-cache",
        help="下载缓存目录（默认 build/bundle-cache）",
    )
    args = parser.parse_args(argv)
    try:
        zip_path = build(args.out.resolve(), args.cache.resolve())
    except BundleError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    size = zip_path.stat().st_size / 1024 / 1024
    print(f"完成：{zip_path}（{size:.1f} MB）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
