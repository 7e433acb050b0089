"""Files and pipes on a laptop whose console is not UTF-8 (Chinese Windows: code page 936).

No Windows here: the ANSI code page is emulated by a private ``zh_CN.GBK`` locale (built with
``localedef``) without PYTHONUTF8, and qdplan is started as the bundle's launcher starts it,
``python -I -m qdplan_cli`` (``-I`` ignores PYTHONUTF8 even when it is set)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import DATA, invoke

RARE = "𬜚"  # outside GBK (CJK Extension E): a "?" on a GBK pipe
PROJECT = f"青岛{RARE}某某学校改造工程施工"


def _build_gbk(where: Path) -> Path | None:
    localedef = shutil.which("localedef")
    if localedef is None:
        return None
    result = subprocess.run(
        [localedef, "-f", "GBK", "-i", "zh_CN", str(where / "zh_CN.GBK")],
        capture_output=True,
        check=False,
    )
    return where if (where / "zh_CN.GBK").is_dir() and result.returncode in (0, 1) else None


@pytest.fixture(scope="session")
def gbk_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private LOCPATH holding zh_CN.GBK (built once a session)."""
    if os.environ.get("QDPLAN_TEST_LOCPATH"):  # .ci/run built it already
        folder: Path | None = Path(os.environ["QDPLAN_TEST_LOCPATH"])
    else:
        folder = _build_gbk(tmp_path_factory.mktemp("locale"))
    if folder is None:
        pytest.skip("localedef is not installed (apt install locales): no GBK locale to test in")
    return folder


@pytest.fixture
def gbk_locale(gbk_folder: Path) -> dict[str, str]:
    """The environment of a GBK console: LANG=zh_CN.GBK, no PYTHONUTF8."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LC_", "PYTHONUTF8", "PYTHONIOENCODING", "LANG"))
    }
    env.update(LOCPATH=str(gbk_folder), LANG="zh_CN.GBK", LC_ALL="zh_CN.GBK")
    probe = subprocess.run(
        [sys.executable, "-I", "-c", "import locale; print(locale.getpreferredencoding())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    if probe.stdout.strip().lower() not in ("gbk", "gb2312", "gb18030"):
        pytest.skip(f"the private GBK locale did not take: {probe.stdout.strip()}")
    return env


def _utf8_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG="C.UTF-8", PYTHONUTF8="1")
    return env


def _redirected(env: dict[str, str], out: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    """``python -I -m qdplan_cli ARGV > out`` (as the bundle's launcher runs it)."""
    with out.open("wb") as handle:
        return subprocess.run(
            [sys.executable, "-I", "-m", "qdplan_cli", *argv],
            env=env,
            stdout=handle,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )


@pytest.fixture
def rare_incident(tmp_path: Path) -> str:
    case = tmp_path / "case.toml"
    text = (DATA / "opening-network-plan3.toml").read_text(encoding="utf-8")
    case.write_text(
        text.replace('name = "', f'name = "{PROJECT}', 1).replace(
            "更换移动数据网络后仍无法解密", f"机房{RARE}号柜“UPS”已切换——等待恢复…", 1
        ),
        encoding="utf-8",
    )
    result = invoke("incident", "--case", str(case), "--no-input")
    assert result.code == 0, result.err
    return str(json.loads(invoke("list", "--json").out)[-1]["id"])


def test_redirected_export_and_list_json_under_gbk_read_back_identical(
    gbk_locale: dict[str, str], rare_incident: str, tmp_path: Path
) -> None:
    for argv in (
        ["export", rare_incident],
        ["list", "--json"],
        ["templates", "show", "delay_notice"],
    ):
        gbk, utf8 = tmp_path / "gbk.out", tmp_path / "utf8.out"
        result = _redirected(gbk_locale, gbk, *argv)
        assert result.returncode == 0, result.stderr.decode("utf-8")
        assert _redirected(_utf8_env(), utf8, *argv).returncode == 0
        assert gbk.read_bytes() == utf8.read_bytes(), argv  # UTF-8 whatever the code page
        text = gbk.read_bytes().decode("utf-8")  # strict: no GBK byte in it
        if argv[0] != "templates":
            assert RARE in text and "?" * 2 not in text, argv
    exported = tmp_path / "exported.toml"
    assert _redirected(gbk_locale, exported, "export", rare_incident).returncode == 0
    assert RARE in tomllib.loads(exported.read_text(encoding="utf-8"))["project"]["name"]
    # … and qdplan reads it back under the same console: a second incident with the same name.
    again = subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "qdplan_cli",
            "incident",
            "--case",
            str(exported),
            "--no-input",
        ],
        env=gbk_locale,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr.decode("utf-8")
    listed = tmp_path / "list.json"
    assert _redirected(gbk_locale, listed, "list", "--json").returncode == 0
    assert listed.read_text(encoding="utf-8").count(RARE) >= 2


def test_a_case_file_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    case = tmp_path / "bom.toml"
    case.write_bytes(b"\xef\xbb\xbf" + (DATA / "opening-network-plan3.toml").read_bytes())
    result = invoke("decide", "--case", str(case))
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("encoding", "named"), [("gbk", "GBK"), ("utf-16", "UTF-16"), ("utf-16-be", "UTF-16")]
)
def test_a_case_file_saved_as_ansi_or_unicode_says_how_to_save_it(
    tmp_path: Path, encoding: str, named: str
) -> None:
    case = tmp_path / "案例.toml"
    case.write_bytes((DATA / "opening-network-plan3.toml").read_text("utf-8").encode(encoding))
    result = invoke("decide", "--case", str(case))
    assert result.code == 2 and "Traceback" not in result.err
    assert str(case) in result.err and named in result.err
    assert "另存为" in result.err and "UTF-8" in result.err


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_config_saved_as_ansi_or_unicode_does_not_block_incident_or_log(
    tmp_path: Path, encoding: str
) -> None:
    config = Path(os.environ["QDPLAN_CONFIG"])
    config.write_bytes('[[contacts.agency]]\nname = "钱代理"\nphone = "1"\n'.encode(encoding))
    result = invoke("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input")
    assert result.code == 0, result.err
    assert "警告" in result.err and str(config) in result.err and "另存为" in result.err
    result = invoke("log", "已通知保障人员")
    assert result.code == 0, result.err
    shown = invoke("config", "show")  # where the user looks at the config, it is an error
    assert shown.code == 2 and str(config) in shown.err


def test_a_nul_in_a_path_is_exit_2_with_the_313_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.13 says "stat: embedded null character in path" (3.11: "embedded null byte")."""
    real_stat = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if "\x00" in os.fsdecode(path):  # type: ignore[arg-type]
            raise ValueError("stat: embedded null character in path")
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    result = invoke("decide", "--case", "a\x00b.toml")
    assert result.code == 2 and "NUL" in result.err and "Traceback" not in result.err
