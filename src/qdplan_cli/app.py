"""The ``qdplan`` application: the Typer app, its global options, the Chinese help frame, and the
registry that imports a command module only when its command runs.

Heavy modules (rich, holidays, docx, jinja2, questionary) are imported inside the commands that
need them, so ``qdplan --version`` and ``qdplan decide --json`` start fast.

The help frame (usage line, headings, "required", the help option, "did you mean") is Chinese
through Typer's public hooks: ``cls=`` for the app, ``CommandInfo.cls`` / ``TyperInfo.cls`` for
every registered command and group, and the click methods those classes override
(``format_usage``, ``format_options``, ``format_commands``, ``get_help_option``,
``resolve_command``).
"""

import os
import re
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from qdplan_cli import __version__

# ------------------------------------------------------------------ the Chinese help frame

HELP_OPTION_HELP = "显示本帮助并退出。"
COMPLETE_VAR = "_QDPLAN_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")

# Type metavars click writes in English (``<file>``, ``<str>``), and the usage-line words.
_METAVARS = {
    "<file>": "<文件>",
    "<filename>": "<文件>",
    "<str>": "<文本>",
    "<text>": "<文本>",
    "<path>": "<路径>",
    "<directory>": "<目录>",
    "<int>": "<整数>",
    "<integer>": "<整数>",
    "<float>": "<数字>",
    "<boolean>": "<是/否>",
    "<datetime>": "<时间>",
    "<uuid>": "<编号>",
    "[OPTIONS]": "[选项]",
    "ID": "编号",
}
_METAVAR_RE = "|".join(
    rf"(?<![\w-]){re.escape(k)}(?![\w])" for k in sorted(_METAVARS, key=len, reverse=True)
)
# The "[default: …; required]" tail click appends to an option's help.
_EXTRA_RE = r"\s*\[((?:default: |env var: |required)[^\[\]]*)\]$"
_EXTRA_WORDS = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"))


def metavar(text: str) -> str:
    """``--out <路径>`` for ``--out <path>``: click's metavars in Chinese."""
    return _metavar(text)


def _metavar(text: str) -> str:
    return re.sub(_METAVAR_RE, lambda m: _METAVARS[m.group(0)], text)


def _extra(help_text: str) -> str:
    match = re.search(_EXTRA_RE, help_text)
    if match is None:
        return help_text
    inner = match.group(1)
    for english, chinese in _EXTRA_WORDS:
        inner = inner.replace(english, chinese)
    return f"{help_text[: match.start()]}  [{inner.replace('; ', '；')}]"


# Punctuation that never starts a line: it may overhang the width by a column or two.
_NO_LINE_START = "，。；：、）」”！？"


def _width(text: str) -> int:
    import unicodedata  # help pages only

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal columns (a CJK character takes two; closing
    punctuation may overhang by one character rather than start a line), broken at a space,
    after CJK punctuation, or between CJK characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, cut = "", -1  # cut: where the line may be broken
        for ch in paragraph:
            used = _width(line) + _width(ch)
            overhang = ch in _NO_LINE_START and used <= width + 2
            if line and used > width and not overhang:
                at = cut if 0 < cut < len(line) else len(line)
                if ch in _NO_LINE_START and at == len(line) and len(line) > 1:
                    at -= 1  # carry the last character along: no line starts with "，"
                lines.append(line[:at].rstrip())
                line, cut = line[at:].lstrip(), -1
                if ch == " " and not line:
                    continue
            line += ch
            if ch == " " or ch in _NO_LINE_START or (_width(ch) == 2 and ch not in "（“《"):
                cut = len(line)
        lines.append(line.rstrip())
    return lines


def _write_section(formatter: Any, heading: str, rows: list[tuple[str, str]]) -> None:
    """A definition list under a Chinese heading, wrapped by display width."""
    if not rows:
        return
    formatter.write_paragraph()
    indent = " " * formatter.current_indent
    formatter.write(f"{indent}{heading}：\n")
    first = min(max(_width(name) for name, _ in rows), 24) + 2
    total = max(formatter.width, 40)
    text_width = max(total - len(indent) - 2 - first, 16)
    for name, help_text in rows:
        pad = " " * (len(indent) + 2)
        lines = wrap(help_text, text_width) if help_text else [""]
        if _width(name) <= first - 2:
            formatter.write(f"{pad}{name}{' ' * (first - _width(name))}{lines[0]}".rstrip() + "\n")
            rest = lines[1:]
        else:
            formatter.write(f"{pad}{name}\n")
            rest = lines
        for line in rest:
            formatter.write(f"{pad}{' ' * first}{line}\n")


def _format_usage(command: Any, ctx: Any, formatter: Any) -> None:
    pieces = " ".join(_metavar(p) for p in command.collect_usage_pieces(ctx))
    formatter.write(f"用法：{ctx.command_path} {pieces}\n")


def _format_params(command: Any, ctx: Any, formatter: Any) -> None:
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, help_text = record
        name = _metavar(name)
        if _is_time(param.name or ""):  # read by plan/times.read_time: say what goes there
            name = name.replace("<文本>", "<时间>")
        row = (name, _extra(help_text))
        (arguments if param.param_type_name == "argument" else options).append(row)
    _write_section(formatter, "参数", arguments)
    _write_section(formatter, "选项", options)


def _format_help_text(command: Any, formatter: Any) -> None:
    """The command's docstring, re-wrapped by display width (click counts a CJK character as
    one column and breaks only at spaces)."""
    import inspect

    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    if not text:
        return
    formatter.write_paragraph()
    width = max(formatter.width, 40) - 2
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        joined = ""
        for line in paragraph.splitlines():
            line = line.strip()
            if joined and not (_width(joined[-1]) == 2 or _width(line[:1]) == 2):
                joined += " "
            joined += line
        if number:
            formatter.write("\n")
        for line in wrap(joined, width):
            formatter.write(f"  {line}\n")


def _is_time(name: str) -> bool:
    """Options holding a time (``--at``, ``--now``, ``--fault-started-at``, ``--new-time``)."""
    return name in ("at", "now") or name.endswith(("_at", "_time"))


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION_HELP
    return option


class _ChineseHelp:
    """The Chinese help frame that commands and groups share (Click's formatting hooks)."""

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        _format_help_text(self, formatter)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_params(self, ctx, formatter)


def _path_swallowed_an_option(command: Any, ctx: Any) -> None:
    """``pack --out --pdf``: the parser takes ``--pdf`` as the folder's name. A path option
    whose value is one of the command's own option names (or looks like one) lost its value."""
    from qdplan_cli.plan.errors import UserError

    names = {n for param in command.params for n in getattr(param, "opts", ())}
    for param in command.params:
        value = ctx.params.get(param.name or "")
        path_option = type(param.type).__name__.endswith("Path")
        if not path_option or not isinstance(value, (str, os.PathLike)):
            continue
        text = os.fspath(value)
        if text in names or re.fullmatch(r"--?[A-Za-z][\w-]*", text):
            option = param.opts[0] if param.opts else str(param.name)
            raise UserError(f"后面缺少路径（{text} 是一个选项）", field=option)


class ChineseCommand(_ChineseHelp, TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rest: list[str] = super().parse_args(ctx, args)
        _path_swallowed_an_option(self, ctx)
        return rest

    """A command whose help frame is Chinese."""


class ChineseGroup(_ChineseHelp, TyperGroup):
    """A command group whose help frame is Chinese, with "did you mean" in Chinese."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.subcommand_metavar = "命令 [参数]..."

    def format_options(self, ctx: Any, formatter: Any) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        _write_section(formatter, "命令", rows)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if (
            name
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
            and not ctx.resilient_parsing
        ):
            import difflib

            matches = difflib.get_close_matches(name, list(self.commands))
            hint = f"是否想用 {'、'.join(matches)}？" if matches else ""
            ctx.fail(f"没有这个命令：{name}。{hint}用 {ctx.command_path} --help 查看全部命令。")
        return super().resolve_command(ctx, args)


# ------------------------------------------------------------------ the app


def new_app() -> typer.Typer:
    """The root app, without commands (``load_commands`` adds those a run needs)."""
    return typer.Typer(
        name="qdplan",
        help="开评标应急预案向导：电子开标、评标中遇到网络故障、系统故障或停电时，按《开评标应急预案》给出处置清单和文书。",
        cls=ChineseGroup,
        invoke_without_command=True,
        add_completion=False,  # ours below: typer's would import its completion code each start
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


OVERVIEW = """\
qdplan {version} — 开评标应急预案向导（北京时间）

开标、评标中断网、系统故障或停电时：
  {prog} incident          开始处置：逐项询问，每答一项即保存，并给出处置清单
  {prog} incident --resume 继续处理最近的事件
  {prog} decide --help     不记录，只按预案判断一种情况
  {prog} pack --out 目录   事先打印纸质应急卡片（断电、断网时照卡处置）

事件记录：{prog} list 查看，{prog} show 显示，数据在 {data}
配置：{prog} config init 写出配置文件模板（联系人、工作时间、专家费标准）
帮助：{prog} --help 列出全部命令；{prog} 命令 --help 查看该命令的用法
"""


def overview() -> str:
    import shutil

    from qdplan_cli.local.invocation import invoked_as
    from qdplan_cli.record.store import data_dir

    text = OVERVIEW.format(version=__version__, prog=invoked_as(), data=data_dir())
    # Fits the window whatever the command is called (``uv run qdplan``, ``.\\qdplan``) and
    # wherever the data lives: a longer line goes on, indented, below.
    width = max(shutil.get_terminal_size((80, 24)).columns, 40)
    lines: list[str] = []
    for line in text.splitlines():
        if _width(line) < width:
            lines.append(line)
            continue
        first, *rest = wrap(line, width - 7)
        lines.append(first)
        lines.extend("    " + part for part in rest)
    return "\n".join(lines) + "\n"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qdplan {__version__}")
        raise typer.Exit()


def _completion_shell(value: str) -> str:
    shell = value.strip().lower()
    if shell not in SHELLS:
        raise typer.BadParameter(f"不支持 {value!r}，可选 {'、'.join(SHELLS)}")
    return shell


def _install_completion(ctx: typer.Context, value: str | None) -> None:
    """Typer's own completion machinery, imported only when asked for."""
    if value is None or ctx.resilient_parsing:
        return
    # typer.completion's own installer (the one its --install-completion calls), imported there
    # from its shared module; only its messages are English, so ours are printed instead.
    from typer.completion import install  # type: ignore[attr-defined]

    shell, path = install(
        shell=_completion_shell(value), prog_name="qdplan", complete_var=COMPLETE_VAR
    )
    typer.echo(f"已为 {shell} 安装 qdplan 命令补全：{path}")
    typer.echo("重新打开终端后生效；输入 qdplan 后按 Tab 键补全命令和选项。")
    raise typer.Exit()


def _show_completion(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from typer.completion import show_callback

    show_callback(ctx, param, _completion_shell(value))  # prints the script and exits 0


def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="显示版本号并退出。", callback=_version, is_eager=True
        ),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="<shell>",
            help="为 bash、zsh、fish 或 powershell 安装命令补全（Tab 键）。",
            callback=_install_completion,
            is_eager=True,
            expose_value=True,
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="<shell>",
            help="显示该 shell 的补全脚本，可复制后自行安装。",
            callback=_show_completion,
            is_eager=True,
        ),
    ] = None,
) -> None:
    """开评标应急预案向导。"""
    if ctx.invoked_subcommand is None:
        typer.echo(overview(), nl=False)
        import sys

        if "qdplan_window" in sys._xoptions:  # qdplan.bat double-clicked (scripts/offline)
            from qdplan_cli.ui.conhost import keep_window_open

            keep_window_open()


def _subcommand_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="显示版本号并退出。", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """开评标应急预案向导。"""


# A run that names its command (``qdplan decide …``) gets the root callback without the overview
# and the completion options: typer builds every root option on each start, and those runs never
# use them (root options come before the command).
_COMPLETION_FLAGS = {"--install-completion", "--show-completion"}


# Command modules are imported and registered only when their command runs: typer builds the
# options of every registered command on each start, and the witness waits for each start.
COMMAND_MODULES: dict[str, str] = {
    "decide": "decide",
    "config": "config",
    "fees": "config",
    "render": "render",
    "templates": "render",
    "incident": "incident",
    "resolve": "incident",
    "log": "incident",
    "list": "incident",
    "show": "incident",
    "export": "incident",
    "tick": "incident",
    "discard": "incident",
    "watch": "incident",
    "pack": "paper",
    "checklist": "paper",
    "verify": "verify",
    "backup": "backup",
    "archive": "archive",
    "review": "review",
}


def _plain(cls: object, base: type) -> bool:
    """Typer's default class (or its placeholder for "not given"), not one a module chose."""
    return not isinstance(cls, type) or cls is base


def _frame(typer_app: typer.Typer) -> None:
    """Every command and group registered so far gets the Chinese help frame (unless its module
    chose a class of its own)."""
    for info in typer_app.registered_commands:
        if _plain(info.cls, TyperCommand):
            info.cls = ChineseCommand
    for group in typer_app.registered_groups:
        if _plain(group.cls, TyperGroup):
            group.cls = ChineseGroup
        if group.typer_instance is not None:
            if _plain(group.typer_instance.info.cls, TyperGroup):
                group.typer_instance.info.cls = ChineseGroup
            _frame(group.typer_instance)


def load_commands(argv: list[str] | None = None) -> typer.Typer:
    """A new app with the commands this run needs: the named command's module, none for bare
    ``qdplan`` or ``--version``, or every module (for help, an unknown command, shell
    completion, or ``argv`` None). New on each call, so a program calling ``main`` many times
    (the tests) gets what the installed ``qdplan`` gets, not every command registered so far."""
    import importlib

    first = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions: Typer's own machinery
        from typer.completion import get_completion_inspect_parameters

        get_completion_inspect_parameters()  # registers typer's bash/zsh/fish/PowerShell classes
        modules = set(COMMAND_MODULES.values())
    elif argv is not None and (not argv or (first is None and {"--version", "-V"} & set(argv))):
        modules = set()
    elif first in COMMAND_MODULES:
        modules = {COMMAND_MODULES[first]}
    else:
        modules = set(COMMAND_MODULES.values())
    app = new_app()
    for name in sorted(modules):
        importlib.import_module(f"qdplan_cli.commands.{name}").register(app)
    _frame(app)
    named = argv is not None and first in COMMAND_MODULES and not _COMPLETION_FLAGS & set(argv)
    app.callback()(_subcommand_callback if named else main_callback)
    return app
