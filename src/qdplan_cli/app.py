"""The ``qdplan`` application: the Typer app, its global options, and the registry that imports
a command module only when its command runs.

Heavy modules (rich, holidays, docx, jinja2, questionary) are imported inside the commands that
need them, so ``qdplan --version`` and ``qdplan decide --json`` start fast.
"""

from typing import Annotated

import typer

from qdplan_cli import __version__

app = typer.Typer(
    name="qdplan",
    help="开评标应急预案向导：电子开标、评标中遇到网络故障、系统故障或停电时，按《开评标应急预案》给出处置清单和文书。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qdplan {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="显示版本号并退出。", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """开评标应急预案向导。"""


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
}
_registered: set[str] = set()


def load_commands(argv: list[str] | None = None) -> typer.Typer:
    """The app with the commands this run needs: the named command's module, or every module
    (for help, an unknown command, or ``argv`` None)."""
    import importlib

    first = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    if first is None and argv and {"--version", "-V"} & set(argv):
        modules: set[str] = set()
    elif first in COMMAND_MODULES:
        modules = {COMMAND_MODULES[first]}
    else:
        modules = set(COMMAND_MODULES.values())
    for name in sorted(modules - _registered):
        importlib.import_module(f"qdplan_cli.commands.{name}").register(app)
        _registered.add(name)
    return app
