"""qdplan 离线安装程序：在本文件旁边建立虚拟环境（venv），只从 wheels 文件夹安装，不联网。

由 install.bat（Windows）或 install.sh（Linux）调用，也可直接运行：
    python install.py

Only the standard library, and syntax Python 3.7 can parse, so that a too-old Python still gets
the Chinese message saying which versions this bundle supports instead of a SyntaxError.
"""

from __future__ import annotations

import json
import os
import platform
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
WHEELS = HERE / "wheels"
VENV = HERE / "venv"
WINDOWS = sys.platform == "win32"


def say(message: str = "") -> None:
    # Flushed at once: pip's own output comes in between, from another process.
    print(message, flush=True)


def fail(message: str) -> NoReturn:
    sys.stderr.write("错误：" + message + "\n")
    sys.exit(1)


def check_interpreter(info: dict[str, Any]) -> None:
    version = "{}.{}".format(*sys.version_info[:2])
    pythons = info["pythons"]
    if version not in pythons:
        fail(
            f"本安装包只支持 Python {'、'.join(pythons)}，当前是 Python {version}"
            f"（{sys.executable}）。请安装其中一个版本后重新运行安装程序。"
        )
    if platform.python_implementation() != "CPython":
        fail(f"需要官方 CPython，当前是 {platform.python_implementation()}。")
    if struct.calcsize("P") != 8:
        fail(f"需要 64 位的 Python，当前是 32 位（{sys.executable}）。请安装 64 位版本。")
    machine = platform.machine().lower()
    if WINDOWS:
        if machine not in ("amd64", "x86_64"):
            fail(f"本安装包只适用于 x64（64 位 Intel/AMD）Windows，当前是 {machine}。")
    elif sys.platform.startswith("linux"):
        if machine != "x86_64":
            fail(f"本安装包只适用于 x86-64 Linux，当前是 {machine}。")
    else:
        fail(f"本安装包只适用于 Windows 和 Linux，当前系统是 {sys.platform}。")


def run(command: list[str], what: str) -> None:
    # --isolated and a clean environment: a pip.ini pointing at a mirror, or PIP_* variables,
    # must not change what gets installed.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("PIP_", "PYTHON"))}
    result = subprocess.call(command, env=env)
    if result != 0:
        fail(f"{what}失败（退出码 {result}）。请把上面的输出发给技术人员。")


def write_launcher() -> Path:
    # The launcher runs `python -m qdplan_cli` from the venv rather than the venv's qdplan.exe:
    # that one records the absolute path of the venv, which breaks when a USB stick gets
    # another drive letter or the folder is moved.
    if WINDOWS:
        launcher = HERE / "qdplan.bat"
        text = (
            "@echo off\r\n"
            '"%~dp0venv\\Scripts\\python.exe" -I -m qdplan_cli %*\r\n'
            "exit /b %ERRORLEVEL%\r\n"
        )
        launcher.write_bytes(text.encode("ascii"))
    else:
        launcher = HERE / "qdplan"
        text = (
            "#!/bin/sh\n"
            "# qdplan 启动脚本（由 install.sh 生成）。可以把它链接到 PATH 中的目录。\n"
            'here=$(dirname -- "$(readlink -f -- "$0")")\n'
            'exec "$here/venv/bin/python" -I -m qdplan_cli "$@"\n'
        )
        launcher.write_bytes(text.encode("utf-8"))
        launcher.chmod(0o755)
    return launcher


def main() -> None:
    if not WHEELS.is_dir() or not (HERE / "bundle.json").is_file():
        fail("找不到 wheels 文件夹或 bundle.json。请先把压缩包整个解压，再运行解压出的安装程序。")
    info = json.loads((HERE / "bundle.json").read_text(encoding="utf-8"))
    check_interpreter(info)
    pip_wheel = WHEELS / info["pip_wheel"]
    if not pip_wheel.is_file():
        fail(f"安装包不完整：缺少 {pip_wheel.name}。请重新复制压缩包。")

    say(f"qdplan {info['version']} 离线安装")
    say(f"使用 Python {platform.python_version()}（{sys.executable}）")
    say(f"正在建立虚拟环境：{VENV}")
    # --without-pip: Debian-based systems (and 国产 Linux) often lack ensurepip; pip is run from
    # the bundled wheel instead, which also keeps the install the same on every machine.
    run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(VENV)], "建立虚拟环境")
    python = VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")

    say("正在从 wheels 文件夹安装（不联网）……")
    run(
        [
            str(python),
            str(pip_wheel / "pip"),
            "install",
            "--isolated",
            "--no-index",
            "--find-links",
            str(WHEELS),
            "--only-binary",
            ":all:",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--quiet",
            f"qdplan=={info['version']}",
        ],
        "安装",
    )
    launcher = write_launcher()
    run([str(python), "-I", "-m", "qdplan_cli", "--version"], "检查安装结果")
    say()
    say(f"安装完成。启动程序：{launcher}")
    if WINDOWS:
        say("在这个文件夹打开命令提示符，输入：qdplan --help")
    else:
        say("在这个文件夹打开终端，输入：./qdplan --help")


if __name__ == "__main__":
    main()
