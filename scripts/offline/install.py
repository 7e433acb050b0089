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


# The Windows launcher. ASCII only: cmd.exe reads a .bat in the console's code page.
# - It first checks that the venv's Python still runs: a venv is bound to the Python that built
#   it (pyvenv.cfg names its folder), so a folder carried to another laptop says to run
#   install.bat there again (offline, from the same wheels) instead of failing obscurely.
# - Double-clicked with no arguments (cmd /c names this file), it shows the overview and keeps
#   the window open (qdplan decides with -X qdplan_window: only when no shell is behind it).
#   The command line is compared with delayed expansion (a path with "(" or "&" stays text; no
#   pipe, whose child cmd would not expand it); the line that runs qdplan is read without it,
#   so a "!" in an argument is kept.
# - Otherwise "(goto) 2>nul & python ..." ends the batch context before Python starts, so
#   Ctrl-C (leaving `watch`) is not followed by cmd's "Terminate batch job (Y/N)?"
#   (microsoft/terminal#217); the exit code is Python's.
# - -X qdplan_launcher tells qdplan how it was started, for hints (.\qdplan, or qdplan on PATH).
WINDOWS_LAUNCHER = r"""@echo off
setlocal DisableDelayedExpansion
"%~dp0venv\Scripts\python.exe" -I -S -c "" >nul 2>&1 || goto moved
if not "%~1"=="" goto run
setlocal EnableDelayedExpansion
set "LINE=!cmdcmdline!"
if /i not "!LINE:%~nx0=!"=="!LINE!" goto window
endlocal
:run
(goto) 2>nul & "%~dp0venv\Scripts\python.exe" -I -X "qdplan_launcher=%~f0" -m qdplan_cli %*
:window
"%~dp0venv\Scripts\python.exe" -I -X "qdplan_launcher=%~f0" -X qdplan_window -m qdplan_cli
exit /b %ERRORLEVEL%
:moved
for /f "tokens=2 delims=:" %%c in ('chcp') do set "CP=%%c"
chcp 65001 >nul
echo @MOVED@
chcp %CP% >nul
if "%~1"=="" pause
exit /b 1
"""
MOVED = (
    "错误：这个文件夹中的 Python 环境是在另一台电脑上（或用另一个 Python）建立的，在这台电脑上不能运行。"
    "请双击这个文件夹中的 install.bat 重新安装（不联网，约一分钟），记录和配置不受影响。"
)
LINUX_LAUNCHER = """#!/bin/sh
# qdplan 启动脚本（由 install.sh 生成）。可以把它链接到 PATH 中的目录。
here=$(dirname -- "$(readlink -f -- "$0")")
if ! "$here/venv/bin/python" -I -S -c "" 2>/dev/null; then
    echo "错误：$here 中的 Python 环境是在另一台电脑上（或用另一个 Python）建立的，在这里不能运行。请在这个文件夹中再运行一次 bash install.sh（不联网），记录和配置不受影响。" >&2
    exit 1
fi
exec "$here/venv/bin/python" -I -X "qdplan_launcher=$0" -m qdplan_cli "$@"
"""


def write_launcher() -> Path:
    # The launcher runs `python -m qdplan_cli` from the venv rather than the venv's qdplan.exe:
    # that one records the absolute path of the venv, which breaks when a USB stick gets
    # another drive letter or the folder is moved.
    if WINDOWS:
        launcher = HERE / "qdplan.bat"
        text = WINDOWS_LAUNCHER.replace("@MOVED@", MOVED).replace("\n", "\r\n")
        launcher.write_bytes(text.encode("utf-8"))
    else:
        launcher = HERE / "qdplan"
        launcher.write_bytes(LINUX_LAUNCHER.encode("utf-8"))
        launcher.chmod(0o755)
    return launcher


def path_with(value: str, folder: str) -> str:
    """The user's PATH (``;``-separated) with ``folder`` first, once."""

    def norm(entry: str) -> str:
        return entry.strip().strip('"').rstrip("\\/").lower()

    entries = [e for e in value.split(";") if e.strip() and norm(e) != norm(folder)]
    return ";".join([folder, *entries])


def add_to_user_path(folder: Path) -> bool:
    """Put ``folder`` on the current user's PATH (HKCU\\Environment; no administrator rights),
    and tell running programs. False when that failed (the message then says how by hand)."""
    try:
        import ctypes
        import winreg

        with winreg.OpenKey(
            winreg.HKEY_CURRENT_USER, "Environment", 0, winreg.KEY_READ | winreg.KEY_WRITE
        ) as key:
            try:
                value, kind = winreg.QueryValueEx(key, "Path")
            except FileNotFoundError:
                value, kind = "", winreg.REG_EXPAND_SZ
            if kind not in (winreg.REG_SZ, winreg.REG_EXPAND_SZ):
                return False
            new = path_with(str(value), str(folder))
            if new != value:
                winreg.SetValueEx(key, "Path", 0, kind, new)
        result = ctypes.c_ulong()
        ctypes.windll.user32.SendMessageTimeoutW(  # HWND_BROADCAST, WM_SETTINGCHANGE
            0xFFFF, 0x1A, 0, "Environment", 0x2, 5000, ctypes.byref(result)
        )
    except (ImportError, OSError, AttributeError):
        return False
    return True


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
            # No bytecode for all ~1,500 modules (about two thirds of the install time, 22 MB of
            # small files on a USB stick): Python writes it for the modules qdplan imports, on
            # the check below and the first run.
            "--no-compile",
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
        on_path = "--no-path" not in sys.argv[1:] and add_to_user_path(HERE)
        if on_path:
            say(
                f"已把 {HERE} 加入当前用户的 PATH：新打开的命令提示符或 PowerShell 窗口中输入 qdplan 即可。"
            )
        else:
            say(
                "未加入 PATH：可在“设置 → 系统 → 关于 → 高级系统设置 → 环境变量”中把这个文件夹加入用户的 Path。"
            )
        say(r"在这个文件夹中（命令提示符或 PowerShell）输入：.\qdplan --help")
        say(
            "注意：这个文件夹绑定本机的 Python；复制到另一台电脑后，请在那里再运行一次 install.bat。"
        )
    else:
        say("在这个文件夹打开终端，输入：./qdplan --help")
        say(
            "注意：这个文件夹绑定本机的 Python；复制到另一台电脑后，请在那里再运行一次 bash install.sh。"
        )


if __name__ == "__main__":
    main()
