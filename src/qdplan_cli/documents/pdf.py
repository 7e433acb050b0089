"""DOCX → PDF through LibreOffice (``soffice --headless --convert-to pdf``), when installed.

A throw-away user profile (``-env:UserInstallation``) keeps a running LibreOffice window or a
broken profile from blocking the conversion; a timeout keeps a stuck one from hanging us.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from qdplan_cli.local.files import PRIVATE_MODE, PUBLIC_MODE
from qdplan_cli.plan.errors import StorageError, UserError

TIMEOUT_SECONDS = 180
_WINDOWS_GUESSES = (
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "LibreOffice/program/soffice.exe",
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
    / "LibreOffice/program/soffice.exe",
)


class PdfUnavailableError(UserError):
    """--pdf was asked for but LibreOffice is missing or failed. The DOCX files are written."""

    exit_code = 3


def find_soffice() -> str | None:
    """``QDPLAN_SOFFICE`` if set, else ``soffice`` / ``libreoffice`` on PATH, else the usual
    Windows install location."""
    override = os.environ.get("QDPLAN_SOFFICE")
    if override is not None:
        return override if override and Path(override).exists() else shutil.which(override or "-")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for guess in _WINDOWS_GUESSES:
        if guess.is_file():
            return str(guess)
    return None


MIN_FREE_BYTES = 8 * 1024 * 1024  # below this, a failed conversion is taken for a full disk


def _disk_full(folder: Path, said: str) -> bool:
    """Whether a failed conversion failed for want of disk space: LibreOffice says so in its
    own words, or the folder's disk has (almost) nothing left."""
    if "No space left" in said or "ENOSPC" in said or "Disk full" in said:
        return True
    try:
        return shutil.disk_usage(folder).free < MIN_FREE_BYTES
    except OSError:
        return False


def convert(files: Sequence[Path], work_dir: Path, *, private: Sequence[bool]) -> list[Path]:
    """Convert DOCX files to PDF inside ``work_dir``, a private folder this run created (so a
    PDF found there was produced now, and no symlink can be planted in it); each PDF gets its
    final mode (owner-only where ``private``, one flag per file, says so) before anyone else
    could see it. Returns the PDFs; raises PdfUnavailableError."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailableError(
            "未找到 LibreOffice（soffice），无法生成 PDF；DOCX 文书已生成。"
            "请安装 LibreOffice 后重试，或用 WPS / Word 打开 DOCX 另存为 PDF",
            field="--pdf",
        )
    pdf_dir = Path(tempfile.mkdtemp(prefix="pdf-", dir=work_dir))
    with tempfile.TemporaryDirectory(prefix="qdplan-soffice-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf_dir),
            *(str(f) for f in files),
        ]
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailableError(
                f"LibreOffice 转换 PDF 超过 {TIMEOUT_SECONDS} 秒未完成，已放弃；DOCX 文书已生成",
                field="--pdf",
            ) from None
        except OSError as exc:
            raise PdfUnavailableError(
                f"无法运行 LibreOffice（{soffice}）：{exc.strerror}；DOCX 文书已生成",
                field="--pdf",
            ) from None
    pdfs = [pdf_dir / (f.stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.is_file() or p.is_symlink()]
    if result.returncode != 0 or missing:
        said = (result.stdout + result.stderr).decode("utf-8", "replace")
        if _disk_full(pdf_dir, said):
            raise StorageError(
                f"磁盘已满，无法写入 PDF（{'、'.join(missing) or 'PDF'}）；DOCX 文书已生成。"
                "请腾出磁盘空间后重试",
                field="--pdf",
            )
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise PdfUnavailableError(
            f"LibreOffice 未能生成 {'、'.join(missing) or 'PDF'}（{detail[0]}）；DOCX 文书已生成",
            field="--pdf",
        )
    for pdf, is_private in zip(pdfs, private, strict=True):
        with contextlib.suppress(OSError):
            pdf.chmod(PRIVATE_MODE if is_private else PUBLIC_MODE)
    return pdfs


def convert_to_pdf(files: Sequence[Path], out_dir: Path, *, private: Sequence[bool]) -> list[Path]:
    """Convert DOCX files to PDFs placed in ``out_dir`` (staged privately, then moved in)."""
    from qdplan_cli.local.files import Staged, commit, staging

    with staging(out_dir) as stage:
        made = convert(files, stage, private=private)
        targets = [out_dir / p.name for p in made]
        commit([Staged(p, t) for p, t in zip(made, targets, strict=True)])
    return targets
