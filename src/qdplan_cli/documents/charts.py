"""Charts of the year in review as PNG bytes (matplotlib, Agg, no pyplot). The only module that
imports matplotlib; the DOCX writer places the PNGs.

Chinese labels need a CJK font: the first installed one of ``CJK_FONTS`` (Noto CJK on Linux,
微软雅黑 / 黑体 on Windows). matplotlib's font cache may predate the font's installation: the
font list is then rebuilt once. Without one, refused with a message (the labels would be boxes).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

from qdplan_cli.plan.errors import UserError

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
)
WIDTH_MM = 150
HEIGHT_MM = 70
DPI = 200
BAR = "#4a4a4a"
# Fixed margins (fractions of the figure): as tight_layout would set them for these labels, at
# a third of its cost.
MARGINS = {"left": 0.09, "right": 0.98, "top": 0.88, "bottom": 0.13}
ACCENT = "#b0413e"


def _installed_cjk() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@functools.cache
def cjk_font() -> str:
    """The first installed CJK font. matplotlib keeps its font list in a cache file made the
    first time it ran: a font installed after that is not in it. So when none is found, the
    list is rebuilt once from the fonts on disk (and the cache file rewritten) before giving up."""
    found = _installed_cjk()
    if found is None:
        import contextlib
        from pathlib import Path

        import matplotlib
        from matplotlib import font_manager

        fresh = font_manager.FontManager()  # scans the fonts on disk
        # In place, as matplotlib does itself: every reference to the manager sees the new list.
        vars(font_manager.fontManager).update(vars(fresh))
        with contextlib.suppress(OSError):  # a read-only cache folder: this run still has it
            cache = Path(matplotlib.get_cachedir())
            font_manager.json_dump(fresh, cache / f"fontlist-v{fresh.__version__}.json")
        found = _installed_cjk()
    if found is not None:
        return found
    raise UserError(
        "没有找到中文字体，图表中的汉字无法显示：请安装 Noto Sans CJK（fonts-noto-cjk）、"
        "微软雅黑或黑体后重试",
        field="字体",
    )


def _figure(height_mm: float = HEIGHT_MM):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.family"] = [cjk_font()]
    matplotlib.rcParams["axes.unicode_minus"] = False
    figure = Figure(figsize=(WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI)
    return figure


def _png(figure) -> bytes:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _style(axes, title: str) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(title, fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[float], *, unit: str = "起"
) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    bars = axes.bar(range(len(values)), values, color=BAR, width=0.6)
    axes.set_xticks(range(len(labels)), labels)
    axes.bar_label(bars, fontsize=7, padding=1)
    axes.set_ylabel(unit, fontsize=8)
    axes.margins(y=0.15)
    _style(axes, title)
    figure.subplots_adjust(**MARGINS)
    return _png(figure)


def grouped_chart(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "起",
) -> bytes:
    """Bars grouped by ``groups``, one colour per series (e.g. stage × fault)."""
    figure = _figure()
    axes = figure.add_subplot()
    shades = ("#2f2f2f", "#8a8a8a", ACCENT, "#d0d0d0")
    width = 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series):
        positions = [g + (n - (len(series) - 1) / 2) * width for g in range(len(groups))]
        bars = axes.bar(positions, values, width=width, label=name, color=shades[n % len(shades)])
        axes.bar_label(bars, fontsize=7, padding=1)
    axes.set_xticks(range(len(groups)), groups)
    axes.set_ylabel(unit, fontsize=8)
    axes.margins(y=0.35)
    axes.legend(fontsize=8, frameon=False, loc="upper center", ncols=len(series))
    _style(axes, title)
    figure.subplots_adjust(**MARGINS)
    return _png(figure)
