"""Entry point. The one place that turns errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import re
import sys
from typing import Any, NoReturn

# One ASCII line, for a terminal that cannot show Chinese (LANG=C, a GBK-less locale). Windows'
# console takes any character from Python (and redirected output is UTF-8): no chcp hint there.
ENCODING_HINT = (
    "qdplan: this console cannot display Chinese (encoding {encoding}); output below is lossy. "
    "Use a UTF-8 locale: export LANG=C.UTF-8"
)

# A usage example per command, for errors that say what is missing: the way forward.
EXAMPLES = {
    "qdplan log": 'qdplan log "已通知保障人员张三"（或 qdplan log 事件编号 "内容"）',
    "qdplan render": (
        "qdplan render --case 案例.toml --out 文书，或 qdplan render --incident 事件编号 --out 文书"
    ),
    "qdplan pack": "qdplan pack --out 卡片",
    "qdplan fees": "qdplan fees --case 案例.toml",
    "qdplan templates show": "qdplan templates show delay_notice（编号见 qdplan templates list）",
    "qdplan templates vars": "qdplan templates vars delay_notice",
}


def _can_show_chinese(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # an in-memory text stream (tests, embedding): any character goes
        return True
    try:
        "开评标应急预案".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _reconfigure_streams() -> None:
    """Output that goes to a file or a pipe is UTF-8, whatever the locale or the Windows code
    page (``python -I`` ignores PYTHONUTF8): ``export > 案例.toml`` reads back, 𬜚 included.
    A terminal keeps its own encoding; a character it cannot show is replaced, and a terminal
    that cannot show Chinese is told once, in ASCII, how to get it. On a console that draws
    East-Asian-ambiguous characters two cells wide, what is drawn is narrowed (ui.conhost)."""
    import os

    from qdplan_cli.ui.conhost import is_terminal, wrap_terminal_streams

    # An encoding the user asked for (PYTHONIOENCODING, not ignored by -I/-E) is kept.
    chosen = bool(os.environ.get("PYTHONIOENCODING")) and not sys.flags.ignore_environment
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        with contextlib.suppress(ValueError, OSError, LookupError):
            if is_terminal(stream) or chosen:
                reconfigure(errors="replace")
            else:
                reconfigure(encoding="utf-8", errors="replace")
    lossy = [s for s in (sys.stdout, sys.stderr) if s is not None and not _can_show_chinese(s)]
    if lossy:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(ENCODING_HINT.format(encoding=lossy[0].encoding) + "\n")
    wrap_terminal_streams()


def _words(param: Any) -> str:
    """What the user calls a parameter: ``--out（输出目录）``, ``内容``."""
    opts = getattr(param, "opts", None) or []
    help_text = getattr(param, "help", None) or ""
    gist = re.split(r"[（(，,；;。：:]", help_text, maxsplit=1)[0].strip()
    if getattr(param, "param_type_name", "") == "argument":
        metavar = getattr(param, "metavar", None) or getattr(param, "name", None) or "参数"
        from qdplan_cli.app import metavar as chinese

        label = re.sub(r"\[[^\]]*\]\s*", "", metavar).strip(" .") or metavar.strip("[]")
        return chinese(label)
    name = opts[0] if opts else "参数"
    return f"{name}（{gist}）" if gist and len(gist) <= 20 else name


def _way_forward(exc: Exception) -> str:
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "qdplan"
    example = EXAMPLES.get(path)
    return f"例如：{example}" if example else f"用 {path} --help 查看用法。"


def _bad_value(exc: Exception) -> str:
    message = getattr(exc, "message", str(exc))
    param = getattr(exc, "param", None)
    kind = getattr(getattr(param, "type", None), "name", "")
    if kind in ("integer", "int", "integer range"):
        return "应为整数"
    if kind in ("float", "float range"):
        return "应为数字"
    if kind == "choice":
        choices = getattr(param.type, "choices", ())  # type: ignore[union-attr]
        return f"应为 {'、'.join(str(c) for c in choices)} 之一"
    if "does not exist" in message:
        return "文件或目录不存在"
    if "is a directory" in message:
        return "是目录，应为文件"
    if "is a file" in message:
        return "是文件，应为目录"
    if "not readable" in message or "not writable" in message:
        return "没有读写权限"
    return message


def _usage_message(exc: Exception) -> str:
    """Typer's usage errors (its vendored click) say in English what went wrong; say it in
    Chinese, naming the user's words and the way forward. Matched by class name: typer does not
    export these classes."""
    kind = type(exc).__name__
    message = getattr(exc, "message", str(exc))
    param = getattr(exc, "param", None)
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "qdplan"
    if kind == "NoSuchOption":
        name = getattr(exc, "option_name", "")
        possibilities = getattr(exc, "possibilities", None) or []
        hint = f"是否想用 {'、'.join(possibilities)}？" if possibilities else ""
        return f"{path}：没有这个选项 {name}。{hint}用 {path} --help 查看可用选项。"
    if kind == "MissingParameter":
        words = _words(param)
        gap = " " if words.startswith("-") else ""
        return f"{path}：缺少{gap}{words}。{_way_forward(exc)}"
    if kind == "BadOptionUsage":
        name = getattr(exc, "option_name", "") or "选项"
        if "requires" in message:
            return f"{path}：{name} 后面缺少取值。{_way_forward(exc)}"
        if "does not take a value" in message:
            return f"{path}：{name} 是开关，不带取值。"
        return f"{path}：{name} 用法不正确。用 {path} --help 查看用法。"
    if kind == "BadParameter":
        name = _words(param) if param is not None else "参数"
        return f"{name.split('（')[0]}：取值不正确，{_bad_value(exc)}"
    extra = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", message)
    if extra:
        return (
            f"{path}：多余的参数 {extra.group(1)}（内容含空格时请加引号）。"
            f"用 {path} --help 查看用法。"
        )
    if re.search(r"[\u4e00-\u9fff]", message):  # already ours (no such command, …)
        return message
    return f"{path}：用法不正确。用 {path} --help 查看用法。"


def main(argv: list[str] | None = None) -> NoReturn:
    import typer

    from qdplan_cli.app import load_commands
    from qdplan_cli.plan.errors import UserError

    _reconfigure_streams()
    app = load_commands(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=argv, prog_name="qdplan", standalone_mode=False)
    except UserError as exc:
        from qdplan_cli.ui.terminal_text import terminal_text

        sys.stderr.write(f"错误：{terminal_text(str(exc))}\n")  # it may quote stored text
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("\n已中断。\n")
        sys.exit(130)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group (qdplan config): its help
            ctx = getattr(exc, "ctx", None)
            sys.stdout.write(ctx.get_help() + "\n" if ctx is not None else "")
            sys.exit(0)
        if exc.exit_code != 2:
            sys.stderr.write(f"错误：{exc.format_message()}\n")
            sys.exit(exc.exit_code)
        sys.stderr.write(f"错误：{_usage_message(exc)}\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except UnicodeEncodeError as exc:
        if "surrogate" not in str(exc):
            raise
        # A path with a lone surrogate (bytes no encoding can name): refused, never a traceback.
        sys.stderr.write("错误：文件路径或参数含有无法识别的字符（编码不正确）\n")
        sys.exit(2)
    except ValueError as exc:
        # "embedded null byte"; on 3.13 also "stat: embedded null character in path".
        if not re.search(r"null (byte|character)", str(exc)):
            raise
        # A path with a NUL character (no shell can pass one; a program calling main can).
        sys.stderr.write("错误：文件路径含有无法使用的字符（NUL）\n")
        sys.exit(2)
    except OSError as exc:  # the safety net: a file the system refuses, never a traceback
        import errno

        name = str(exc.filename or "")
        shown = name if len(name) <= 60 else name[:60] + "…"
        if exc.errno == errno.ENAMETOOLONG:
            sys.stderr.write(f"错误：文件名或路径太长：{shown}\n")
            sys.exit(2)
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        sys.stderr.write(f"错误：无法读写 {shown}：{exc.strerror}\n")
        sys.exit(4 if full else 2)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
