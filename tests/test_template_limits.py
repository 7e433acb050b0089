"""Hostile templates are stopped (issue 24): nested ranges, huge format widths and padding,
a macro that calls itself twice, output that never ends — each an exit-2 ``TemplateError``
naming the template, within seconds and without a large allocation."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from qdplan_cli.documents.templating import TemplateError, Templates

HOSTILE = {
    "nested range": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
    "{% endfor %}",
    "nested strings": "{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{% endfor %}"
    "{% endfor %}",
    "range size": "{{ range(10**8) | length }}",
    "percent width": '{{ "%0999999999d" % 1 }}',
    "percent precision": '{{ "%.999999999f" % 1 }}',
    "percent star": '{{ "%*d" % (999999999, 1) }}',
    "format filter": '{{ "%0999999999d" | format(1) }}',
    "center method": '{{ "x".center(999999999) }}',
    "ljust method": '{{ "x".ljust(999999999) }}',
    "zfill method": '{{ "1".zfill(999999999) }}',
    "expandtabs": '{{ ("\\t" * 100000).expandtabs(100000) }}',
    "format padding": '{{ "{:>999999999}".format(1) }}',
    "format nested": '{{ "{:>{w}}".format(1, w=999999999) }}',
    "center filter": '{{ "x" | center(999999999) }}',
    "indent filter": '{{ ("x\\n" * 1000) | indent(999999999) }}',
    "replace": '{{ ("x" * 100000).replace("", "y" * 1000) }}',
    "join": '{{ ("y" * 100000).join("x" * 100000) }}',
    "batch": "{{ [1] | batch(999999999, 0) | list | length }}",
    "lipsum": "{{ lipsum(n=100000, html=False, min=1000, max=1000) }}",
    "twice-calling macro": "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}"
    "{% endmacro %}{{ m(60) }}",
    "endless output": "{% for a in range(10000) %}{% for b in range(10000) %}"
    "{{ 'x' * 1000 }}{% endfor %}{% endfor %}",
}


STEPS = {"nested range", "nested strings", "twice-calling macro"}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_template_is_stopped_quickly_and_small(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告\n" + HOSTILE[name] + "\n", encoding="utf-8"
    )
    templates = Templates(folder)
    started = time.perf_counter()
    with pytest.raises(TemplateError) as refused:
        templates.render("delay_notice", {})
    elapsed = time.perf_counter() - started
    assert "delay_notice.txt.j2" in str(refused.value)
    assert elapsed < 15, f"{name}: {elapsed:.1f} s"  # a bound (it hung or took GBs), not a target
    if name in STEPS:
        return  # many small steps: tracemalloc would make them crawl, and they allocate little
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError):
            templates.render("delay_notice", {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{name}: {peak / 2**20:.0f} MB"


def test_ordinary_templates_keep_working(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "delay_notice.txt.j2").write_text(
        "{% for i in range(3) %}{{ '%05.1f' % i }}|{{ '{:>4}'.format(i) }}|{{ 'x'.center(5) }}"
        "|{{ loop.length }}\n{% endfor %}{{ 'ab' | center(6) }}{{ '%3d' | format(7) }}",
        encoding="utf-8",
    )
    out = Templates(folder).render("delay_notice", {})
    assert "000.0|   0|  x  |3" in out and "  ab  " in out and "  7" in out
    assert "timeline[].at" in Templates().variables("incident_record")
