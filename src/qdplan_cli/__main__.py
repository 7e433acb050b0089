"""Entry point. The one place that turns errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import sys
from typing import NoReturn


def _reconfigure_streams() -> None:
    # A Windows console may be GBK: never crash on a character it cannot show.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _usage_message(exc: Exception) -> str:
    """Typer's usage errors (its vendored click) say in English what went wrong; say it in
    Chinese, naming the option. Matched by class name: typer does not export these classes."""
    kind = type(exc).__name__
    message = getattr(exc, "message", str(exc))
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None) or []
    name = opts[0] if opts else getattr(exc, "option_name", None) or "参数"
    if kind == "NoSuchOption":
        possibilities = getattr(exc, "possibilities", None) or []
        hint = f"；是否想用 {'、'.join(possibilities)}？" if possibilities else ""
        return f"没有这个选项：{exc.option_name}{hint}（用 --help 查看可用选项）"  # type: ignore[attr-defined]
    if kind in ("MissingParameter", "BadOptionUsage") and "requires an argument" in message:
        return f"{name}：缺少取值"
    if kind == "MissingParameter":
        return f"{name}：缺少取值"
    if kind == "BadParameter":
        return f"{name}：取值不正确（{message}）"
    return f"用法错误：{message}（用 --help 查看用法）"


def main(argv: list[str] | None = None) -> NoReturn:
    import typer

    from qdplan_cli.app import load_commands
    from qdplan_cli.plan.errors import UserError

    _reconfigure_streams()
    app = load_commands(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=argv, prog_name="qdplan", standalone_mode=False)
    except UserError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("\n已中断。\n")
        sys.exit(130)
    except typer.TyperException as exc:
        if exc.exit_code != 2:
            sys.stderr.write(f"错误：{exc.format_message()}\n")
            sys.exit(exc.exit_code)
        sys.stderr.write(f"错误：{_usage_message(exc)}\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except ValueError as exc:
        if "null byte" not in str(exc):
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
