"""Document templates: where they are found, how they are rendered, what variables they use.

Templates are Jinja text files named ``<document id>.txt.j2``. They are looked up in order:
``--templates DIR`` (if given), the user's config directory (``config_templates_dir()``, if it
exists), then the built-in ones shipped in the package (``qdplan_cli/templates`` in a wheel; the
repository's top-level ``templates/`` in a development checkout). A user file shadows a
built-in one of the same name.

Undefined variables are errors (never a blank in a signed document); output is not
HTML-escaped, and every inserted value is made inert for the markup (``markup.escape_value``).

Templates come from USB sticks and other centres: they render in Jinja's immutable sandbox (no
attribute starting with ``_``, no ``__globals__``, no file or process access, no mutation of the
context), a template that is a symlink leading out of its folder is refused, and every error a
template can raise (syntax, undefined, ``1/0``, a self-calling macro, a number too large, bytes
that are not UTF-8) ends with exit 2 naming the template and line.

A render is also bounded in time and memory (``RenderBudget``): ``range`` at most
``MAX_RANGE`` numbers; every loop step and every call counts against ``MAX_STEPS`` (nested
loops and a macro calling itself twice cannot run for hours); a field width or padding
(``"%09999999d"``, ``"{:>999999}"``, ``.center()``, ``.ljust()``, ``|center``, ``|indent``…) at
most ``MAX_WIDTH``; and the output at most ``MAX_OUTPUT`` characters.
"""

from __future__ import annotations

import os
import re
import string
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qdplan_cli.documents.markup import escape_value
from qdplan_cli.plan.errors import UserError

SUFFIX = ".txt.j2"


class TemplateError(UserError):
    """A template cannot be found, parsed or rendered. The message names template and line."""


def builtin_templates_dir() -> Path:
    """The built-in templates: inside the installed package, else the repository's own."""
    packaged = resources.files("qdplan_cli") / "templates"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    # A development (editable) install: the package has no templates/, the repository has.
    repo = Path(__file__).resolve().parents[3] / "templates"
    if repo.is_dir():
        return repo
    raise TemplateError("找不到内置模板目录（安装不完整？请重新安装 qdplan）")


def config_templates_dir() -> Path:
    """Edited templates placed here shadow the built-in ones: ``templates/`` beside the config
    file (``QDPLAN_CONFIG`` moves both)."""
    from qdplan_cli.local.config import config_path

    return config_path().parent / "templates"


def search_dirs(user_dir: Path | None = None) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs: list[Path] = []
    if user_dir is not None:
        try:
            is_dir = user_dir.is_dir()
        except OSError:  # a name over the file-name limit
            is_dir = False
        if not is_dir:
            raise TemplateError("模板目录不存在或不是目录", field=f"--templates {user_dir}")
        dirs.append(user_dir)
    config = config_templates_dir()
    if config.is_dir():
        dirs.append(config)
    dirs.append(builtin_templates_dir())
    return dirs


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates cached in the user's cache dir (keyed by path and checksum, so an
    edited template is recompiled): compiling is most of a render's template time."""
    from qdplan_cli import __version__
    from qdplan_cli.local.paths import cache_dir

    # Per version: the environment's options (finalize, whitespace) are compiled into the code.
    # "-sandbox": code compiled for the sandbox differs from unsandboxed code of earlier runs.
    directory = cache_dir() / f"templates-{__version__}-sandbox"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


class _Missing(jinja2.StrictUndefined):
    """StrictUndefined that names the whole dotted path (``project.contact``) in Chinese."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        name = self._undefined_name
        obj = self._undefined_obj
        if obj is jinja2.utils.missing:
            return f"变量 {name} 没有值"
        base = getattr(obj, "path", None)
        if base is not None:
            return f"变量 {base}.{name} 没有值"
        return f"变量 {name} 没有值（在 {jinja2.utils.object_type_repr(obj)} 中）"


class Fields(dict[str, object]):
    """A mapping of template variables that knows its own dotted path, for error messages.

    Empty values are left out, so ``{{ project.contact }}`` fails loudly when the case has no
    contact; templates test optional values with ``is defined``.
    """

    def __init__(self, path: str, values: Mapping[str, object]) -> None:
        super().__init__({k: v for k, v in values.items() if v is not None and v != ""})
        self.path = path


def _finalize(value: Any) -> Any:
    if isinstance(value, str):
        return escape_value(value)
    if isinstance(value, (dict, list, tuple)):
        raise TypeError("不能直接输出表或列表，请输出其中的字段")
    return value


# Beyond these a template computes something no document needs (``10**10**9``, a string of a
# gigabyte) and would hang or exhaust memory instead of failing.
MAX_POWER_RESULT_DIGITS = 100
MAX_SEQUENCE = 1_000_000
MAX_RANGE = 10_000  # numbers one ``range()`` may give
MAX_STEPS = 100_000  # loop steps and calls in one render (a built-in template takes < 2,000)
MAX_WIDTH = 1_000  # a field width, precision or padding
MAX_OUTPUT = 2_000_000  # characters of one rendered document (a built-in one: < 20,000)
MAX_TEMPLATE_BYTES = 1024 * 1024  # a template file (a built-in one: < 4 KB)


class LimitError(OverflowError):
    """A template went past one of the render limits."""


@dataclass
class RenderBudget:
    """What one render may still spend (loop steps and calls)."""

    steps: int = MAX_STEPS
    spent: int = field(default=0)

    def spend(self) -> None:
        self.spent += 1
        if self.spent > self.steps:
            raise LimitError(f"循环或调用超过 {self.steps} 次：模板停不下来")


_BUDGET: ContextVar[RenderBudget] = ContextVar("qdplan_render_budget")


def _budget() -> RenderBudget:
    try:
        return _BUDGET.get()
    except LookupError:  # rendered outside ``Templates.render`` (a test): a fresh budget
        budget = RenderBudget()
        _BUDGET.set(budget)
        return budget


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """A loop's iterable, each step counted against the render's budget."""
    budget = _budget()
    for item in iterable:
        budget.spend()
        yield item


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitError(f"range 给出 {len(numbers)} 个数，超过上限 {MAX_RANGE}")
    return numbers


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise LimitError(f"{what}宽度 {width} 超过上限 {MAX_WIDTH}")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_WIDTH = re.compile(r"(\d+)")


def _check_percent_format(text: str) -> None:
    """``"%09999999d" % x`` and ``|format``: every width and precision at most ``MAX_WIDTH``."""
    for match in _PERCENT_SPEC.finditer(text.replace("%%", "")):
        for part in match.groups():
            if part == "*":
                raise LimitError("格式中的宽度不能用 *")
            if part is not None:
                _check_width(int(part), "格式")


def _check_brace_format(text: str) -> None:
    """``"{:>999999}".format(x)``: every width and precision at most ``MAX_WIDTH``; a width
    taken from an argument (``{:{w}}``) is refused."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format raises the same error itself
    for _literal, _name, spec, _conversion in parsed:
        if not spec:
            continue
        if "{" in spec:
            raise LimitError("格式中的宽度不能来自参数")
        for number in _BRACE_WIDTH.findall(spec):
            _check_width(int(number), "格式")


# str methods that pad or repeat: the argument that sets the result's size.
_PADDING_METHODS = frozenset(("center", "ljust", "rjust", "zfill", "expandtabs"))


def _inside(path: Path, folder: Path) -> bool:
    """``path`` (after following symlinks) lies inside ``folder``."""
    try:
        path.resolve(strict=True).relative_to(folder.resolve(strict=True))
    except (OSError, ValueError, RuntimeError):
        return False
    return True


class _Loader(jinja2.FileSystemLoader):
    """The file loader, refusing a template (or an ``{% include %}``) that leads out of its folder
    through a symlink, and naming a file that is not UTF-8."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        from qdplan_cli.local.inputs import read_input

        pieces = split_template_path(template)  # refuses ".." as jinja does
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if not (candidate.exists() or candidate.is_symlink()):
                continue
            if not _inside(candidate, Path(folder)):
                raise TemplateError(
                    f"模板 {candidate} 是指向模板目录之外的链接，出于安全不予使用",
                    field=str(candidate),
                )
            # A regular file only (a FIFO would hang the render), at most MAX_TEMPLATE_BYTES.
            try:
                raw = read_input(candidate, "模板", limit=MAX_TEMPLATE_BYTES)
                mtime = candidate.stat().st_mtime
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise TemplateError(f"无法读取模板 {candidate}：{exc.strerror}") from None
            except UserError as exc:
                raise TemplateError(str(exc), field=exc.field) from None
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateError(
                    f"模板 {candidate} 不是 UTF-8 编码，请另存为 UTF-8", field=str(candidate)
                ) from None

            def uptodate(path: Path = candidate, seen: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == seen
                except OSError:
                    return False

            return source, os.path.normpath(candidate), uptodate
        raise jinja2.TemplateNotFound(template)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with arithmetic, loops, calls and padding that cannot run away."""

    intercepted_binops = frozenset(["**", "*", "%"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _limited_range
        self.filters["qdplan_counted"] = _counted
        for name in ("center", "indent", "format", "batch", "slice", "replace", "tojson"):
            self.filters[name] = _limited_filter(name, self.filters[name])
        lipsum = self.globals.get("lipsum")
        if callable(lipsum):
            self.globals["lipsum"] = _limited_lipsum(lipsum)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, then count every step of every ``{% for %}`` loop (``_counted``)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, "qdplan_counted", [], [], None, None, lineno=loop.lineno
            )
        return tree

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"…".format`` as the sandbox wraps it, with its widths checked first."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_brace_format(value.__self__)
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _budget().spend()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            method = getattr(__obj, "__name__", "")
            if method in _PADDING_METHODS:
                _check_width(args[0] if args else kwargs.get("width", kwargs.get("tabsize")), "")
                if method == "expandtabs":
                    size = args[0] if args else kwargs.get("tabsize", 8)
                    if isinstance(size, int) and owner.count("\t") * size > MAX_SEQUENCE:
                        raise LimitError("展开制表符得到的文字太长")
            elif method == "replace" and len(args) >= 2:
                _check_replace(owner, args[0], args[1])
            elif method == "join" and args:
                _check_join(owner, args[0])
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                _check_percent_format(left)
            return super().call_binop(context, operator, left, right)
        if operator == "**":
            if isinstance(left, (int, float)) and isinstance(right, (int, float)):
                size = abs(right) * len(str(int(abs(left)) or 1))
                if size > MAX_POWER_RESULT_DIGITS:
                    raise OverflowError("乘方的结果太大")
            return left**right
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(seq, (str, list, tuple))
                and isinstance(times, int)
                and len(seq) * times > MAX_SEQUENCE
            ):
                raise OverflowError("重复得到的文字太长")
        return super().call_binop(context, operator, left, right)


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and new:
        grows = (len(text) + 1) * len(new) if not old else text.count(old) * len(new)
        if grows > MAX_SEQUENCE:
            raise LimitError("替换得到的文字太长")


def _check_join(separator: str, items: Any) -> None:
    try:
        count = len(items)
    except TypeError:
        return
    if len(separator) * count > MAX_SEQUENCE:
        raise LimitError("连接得到的文字太长")


def _limited_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter whose size argument is checked first (``|center(999999999)``)."""
    from functools import wraps

    @wraps(original)
    def limited(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, jinja2.Environment | jinja2.runtime.Context)]
        if name == "format" and values and isinstance(values[0], str):
            _check_percent_format(values[0])
        elif name == "replace" and len(values) >= 3 and isinstance(values[0], str):
            _check_replace(values[0], values[1], values[2])
        elif name in ("center", "indent", "batch", "slice", "tojson"):
            sizes = [
                *values[1:2],
                *(kwargs.get(k) for k in ("width", "linecount", "slices", "indent")),
            ]
            for size in sizes:
                _check_width(size, "")
                if name == "indent" and isinstance(size, str) and len(size) > MAX_WIDTH:
                    raise LimitError(f"缩进文字超过 {MAX_WIDTH} 个字符")
        return original(*args, **kwargs)

    return limited


def _limited_lipsum(original: Callable[..., str]) -> Callable[..., str]:
    def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
        for value in (n, min, max):
            _check_width(value, "")
        return original(n, html, min, max)

    return lipsum


@dataclass(frozen=True)
class TemplateInfo:
    doc_id: str
    path: Path
    builtin: bool


class Templates:
    """The template set a render uses: user directories first, then the built-in ones."""

    def __init__(self, user_dir: Path | None = None) -> None:
        self.dirs = search_dirs(user_dir)
        self.builtin_dir = self.dirs[-1]
        self.env = _Sandbox(
            loader=_Loader([str(d) for d in self.dirs], encoding="utf-8"),
            undefined=_Missing,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_finalize,
            bytecode_cache=_bytecode_cache(),
        )

    def find(self, doc_id: str) -> TemplateInfo:
        name = doc_id + SUFFIX
        for d in self.dirs:
            candidate = d / name
            if candidate.is_symlink() and not _inside(candidate, d):
                raise TemplateError(
                    f"模板 {candidate} 是指向模板目录之外的链接，出于安全不予使用",
                    field=str(candidate),
                )
            try:
                found = candidate.is_file()
            except OSError:  # a name over the file-name limit
                found = False
            if found:
                return TemplateInfo(doc_id, candidate, d == self.builtin_dir)
        raise TemplateError(f"没有文书模板 {name}（用 qdplan templates list 查看）", field=doc_id)

    def ids(self) -> list[str]:
        found: set[str] = set()
        for d in self.dirs:
            found.update(p.name[: -len(SUFFIX)] for p in d.glob("*" + SUFFIX))
        return sorted(found)

    def source(self, doc_id: str) -> str:
        from qdplan_cli.local.inputs import read_input

        path = self.find(doc_id).path
        try:
            return read_input(path, "模板", limit=MAX_TEMPLATE_BYTES).decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError(f"模板 {path} 不是 UTF-8 编码，请另存为 UTF-8") from None
        except OSError as exc:
            raise TemplateError(f"无法读取模板 {path}：{exc.strerror}") from None
        except UserError as exc:
            raise TemplateError(str(exc), field=exc.field) from None

    def _load(self, doc_id: str) -> jinja2.Template:
        info = self.find(doc_id)
        try:
            return self.env.get_template(doc_id + SUFFIX)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or str(info.path)
            raise TemplateError(
                f"模板 {where} 第 {exc.lineno} 行有语法错误：{exc.message}"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"模板 {info.path} 引用的模板 {exc.name} 不存在") from None
        except TemplateError:
            raise
        except (RecursionError, MemoryError):
            raise TemplateError(f"模板 {info.path} 嵌套太深，无法读取") from None
        except OSError as exc:
            raise TemplateError(f"无法读取模板 {info.path}：{exc.strerror}") from None

    def render(self, doc_id: str, context: Mapping[str, Any]) -> str:
        """Render a template to markup text; a missing value names template, line, variable."""
        template = self._load(doc_id)
        token = _BUDGET.set(RenderBudget())
        try:
            return _bounded_output(template, context)
        except LimitError as exc:
            line = _template_line(sys.exc_info()[2], template.filename)
            where = f"模板 {template.filename}" + (f" 第 {line} 行" if line else "")
            raise TemplateError(f"{where}：超出模板的限制（{exc}）") from None
        except jinja2.UndefinedError as exc:
            line = _template_line(sys.exc_info()[2], template.filename)
            where = f"模板 {template.filename}" + (f" 第 {line} 行" if line else "")
            raise TemplateError(
                f"{where}：{exc.message}（请在案例文件中填写该项，或修改模板）"
            ) from None
        except jinja2.TemplateSyntaxError as exc:  # an {% include %}d template
            raise TemplateError(
                f"模板 {exc.filename or template.filename} 第 {exc.lineno} 行有语法错误："
                f"{exc.message}"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"模板 {template.filename} 引用的模板 {exc.name} 不存在") from None
        except TemplateError:
            raise
        except SecurityError as exc:
            line = _template_line(sys.exc_info()[2], template.filename)
            where = f"模板 {template.filename}" + (f" 第 {line} 行" if line else "")
            raise TemplateError(f"{where}：出于安全不允许的操作（{exc}）") from None
        except RecursionError:
            line = _template_line(sys.exc_info()[2], template.filename)
            where = f"模板 {template.filename}" + (f" 第 {line} 行" if line else "")
            raise TemplateError(f"{where}：宏或引用无限地调用自身") from None
        except Exception as exc:  # noqa: BLE001 - any error of a template's own code
            line = _template_line(sys.exc_info()[2], template.filename)
            where = f"模板 {template.filename}" + (f" 第 {line} 行" if line else "")
            raise TemplateError(f"{where}：{_describe(exc)}") from None
        finally:
            _BUDGET.reset(token)

    def variables(self, doc_id: str) -> list[str]:
        """The dotted variable paths a template uses (``project.name``, ``timeline[].at``)."""
        source = self.source(doc_id)
        try:
            tree = self.env.parse(source)
        except RecursionError:
            raise TemplateError(f"模板 {self.find(doc_id).path} 嵌套太深，无法读取") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"模板 {self.find(doc_id).path} 第 {exc.lineno} 行有语法错误：{exc.message}"
            ) from None
        found: dict[str, None] = {}
        try:
            _collect(tree, {}, found)
        except RecursionError:
            raise TemplateError(f"模板 {self.find(doc_id).path} 嵌套太深，无法读取") from None
        return sorted(found)


def _bounded_output(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """Render chunk by chunk, stopping once the output passes ``MAX_OUTPUT`` characters."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise LimitError(f"输出超过 {MAX_OUTPUT} 个字符")
        chunks.append(chunk)
    return "".join(chunks)


_ERROR_WORDS = {
    ZeroDivisionError: "除以零",
    OverflowError: "数值太大",
    IndexError: "下标超出范围",
    KeyError: "没有这个键",
    MemoryError: "内存不足（结果太大）",
    AttributeError: "没有这个属性",
}


def _describe(exc: BaseException) -> str:
    for kind, words in _ERROR_WORDS.items():
        if isinstance(exc, kind):
            detail = str(exc)
            return f"{words}（{detail}）" if detail and detail != words else words
    return str(exc) or type(exc).__name__


def _template_line(tb: TracebackType | None, filename: str | None) -> int | None:
    """Jinja rewrites tracebacks so a template's frame carries the template's line number."""
    line = None
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


_LOOP_NAMES = {"loop", "range", "namespace", "true", "false", "none", "True", "False", "None"}


def _path(node: nodes.Node, aliases: Mapping[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        if node.name in _LOOP_NAMES:
            return None
        return aliases.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _path(node.node, aliases)
        return f"{base}.{node.arg.value}" if base else None
    return None


def _collect(node: nodes.Node, aliases: dict[str, str], found: dict[str, None]) -> None:
    if isinstance(node, nodes.For):
        iterable: nodes.Node = node.iter
        counted = isinstance(iterable, nodes.Filter) and iterable.name == "qdplan_counted"
        if counted and isinstance(iterable, nodes.Filter) and iterable.node is not None:
            iterable = iterable.node  # the step counter the sandbox wraps every loop in
        _collect(iterable, aliases, found)
        source = _path(iterable, aliases)
        inner = dict(aliases)
        targets = [node.target] if isinstance(node.target, nodes.Name) else []
        for target in [*targets, *node.target.find_all(nodes.Name)]:
            inner[target.name] = f"{source}[]" if source else target.name
            if source is None:
                inner.pop(target.name)
        for child in (*node.body, *node.else_):
            _collect(child, inner, found)
        if node.test is not None:
            _collect(node.test, inner, found)
        return
    if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
        _collect(node.node, aliases, found)
        target_path = _path(node.node, aliases)
        if target_path:
            aliases[node.target.name] = target_path
        else:
            aliases[node.target.name] = ""
        return
    if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name)) and (
        isinstance(node, nodes.Name) or _path(node, aliases)
    ):
        if isinstance(node, nodes.Name) and node.ctx != "load":
            return
        path = _path(node, aliases)
        if path:
            found.setdefault(path, None)
        return
    for child in node.iter_child_nodes():
        _collect(child, aliases, found)
