"""The layers of ``src/qdplan_cli`` (README, 代码结构): every import of every module, at module
level and inside functions, is checked against the rule of the module's room."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "qdplan_cli"
STDLIB = set(sys.stdlib_module_names)

# Third-party packages with one home each (module path relative to qdplan_cli).
HOMES: dict[str, set[str]] = {
    "docx": {"documents.docx_writer"},
    "jinja2": {"documents.templating"},
    "questionary": {"ui.prompts"},
    "prompt_toolkit": {"ui.prompts"},
    "rich": {"ui.console", "ui.watch"},
    "sqlite3": {"record.store"},
    "psycopg": {"record.archive"},
    "matplotlib": {"documents.charts"},
    "homoglyph": {"documents.names"},
    "opencc_purepy": {"documents.names"},
    "rjieba": {"documents.linebreak"},
    "segno": {"documents.qr"},
    "zxingcpp": {"local.scan"},
    "PIL": {"local.scan"},
    "cryptography": {"record.signing"},
    "openpyxl": {"documents.workbook"},
}
# What each room may import of ours.
ALLOWED: dict[str, set[str]] = {
    "plan": {"plan"},
    "local": {"plan", "local"},
    "record": {"plan", "local", "record"},
    "documents": {"plan", "local", "record", "documents"},
    "ui": {"plan", "local", "record", "documents", "ui", "runtime"},
    "commands": {"plan", "local", "record", "documents", "ui", "runtime", "commands"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every imported module name (absolute), wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(["qdplan_cli", *base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            folder = SRC.joinpath(*name.split(".")[1:])
            if name.startswith("qdplan_cli.") and folder.is_dir():
                for alias in node.names:  # ``from qdplan_cli.commands import incident``
                    yield node.lineno, f"{name}.{alias.name}"
            else:
                yield node.lineno, name


def problems(path: Path) -> list[str]:
    me = module_name(path)
    room = me.split(".")[0] if "." in me else me
    found = []
    for line, name in imports(path):
        top = name.split(".")[0]
        where = f"{path.relative_to(SRC.parent)}:{line} imports {name}"
        if top in HOMES and me not in HOMES[top]:
            found.append(f"{where}: {top} belongs in {sorted(HOMES[top])}")
        if top != "qdplan_cli":
            if room == "plan" and top not in STDLIB and top != "holidays":
                found.append(f"{where}: plan/ uses the standard library and holidays only")
            continue
        parts = name.split(".")
        if len(parts) < 2 or parts[1] in ("__version__",):
            continue
        target = parts[1]
        if room in ALLOWED and target not in ALLOWED[room] and target not in ("__init__",):
            found.append(f"{where}: {room}/ may import {sorted(ALLOWED[room])} only")
        if (
            room == "commands"
            and target == "commands"
            and len(parts) > 2
            and parts[2] != me.split(".")[1]
        ):
            found.append(f"{where}: a command never imports another command")
    return found


def all_modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p) or "qdplan_cli")
def test_every_module_keeps_the_rule_of_its_layer(path: Path) -> None:
    assert problems(path) == []


def test_the_checker_catches_a_forbidden_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layer rule is not vacuous: each kind of forbidden import is reported."""
    fake = tmp_path / "qdplan_cli"
    for room, text in {
        "plan/bad.py": "def f():\n    from qdplan_cli.record.store import Store\n    import rich\n",
        "record/bad.py": "from qdplan_cli.ui import console\n",
        "documents/bad.py": "import sqlite3\nfrom qdplan_cli.commands.render import render\n",
        "commands/bad.py": "from qdplan_cli.commands import incident\n",
        "ui/bad.py": "import docx\n",
    }.items():
        (fake / room).parent.mkdir(parents=True, exist_ok=True)
        (fake / room).write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    reports = {p.relative_to(fake).as_posix(): problems(p) for p in sorted(fake.rglob("*.py"))}
    assert len(reports["plan/bad.py"]) == 3  # record/, and rich twice over (home, stdlib rule)
    assert reports["record/bad.py"]
    assert len(reports["documents/bad.py"]) == 2
    assert any("another command" in p for p in reports["commands/bad.py"])
    assert any("docx" in p for p in reports["ui/bad.py"])


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of ours it imports (every import, module- or function-level)."""
    modules = {module_name(p): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _, imported in imports(path):
            if not imported.startswith("qdplan_cli."):
                continue
            parts = imported.split(".")[1:]
            while parts and ".".join(parts) not in modules:
                parts.pop()  # ``from qdplan_cli.plan.model import Stage`` → plan.model
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other() -> None:
    """A cycle (``record.chain`` ↔ ``record.store``, ``ui.jsonout`` ↔ ``ui.reports`` were two)
    makes import order matter and hides which module is below which."""
    assert cycles(import_graph(SRC)) == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "qdplan_cli"
    (fake / "record").mkdir(parents=True)
    (fake / "record" / "a.py").write_text("from qdplan_cli.record.b import x\n", encoding="utf-8")
    (fake / "record" / "b.py").write_text(
        "def f():\n    from qdplan_cli.record import a\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    assert cycles(import_graph(fake)) == [["record.a", "record.b"]]
