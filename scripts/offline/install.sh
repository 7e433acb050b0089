#!/bin/sh
# qdplan @VERSION@ 离线安装（Linux x86-64）：找一个 64 位 Python（@PYTHONS@），交给 install.py。
# 用法：bash install.sh        指定解释器：PYTHON=/usr/bin/python3.12 bash install.sh
set -eu
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
here=$(CDPATH= cd -- "$here" && pwd)

if [ -n "${PYTHON:-}" ]; then
    exec "$PYTHON" "$here/install.py" "$@"
fi
for py in @PY_CANDIDATES_SH@ python3 python; do
    if command -v "$py" >/dev/null 2>&1 &&
        "$py" -c 'import sys; sys.exit(0 if "%d.%d" % sys.version_info[:2] in "@PYTHONS_ASCII@".split() else 1)' 2>/dev/null; then
        exec "$py" "$here/install.py" "$@"
    fi
done
echo "错误：没有找到 Python @PYTHONS@。请先安装其中一个版本（如 sudo apt install python3），再运行 bash install.sh。" >&2
exit 1
