"""Visual regression check: every document of every example case (tests/data/*.toml), and a
checklist, the paper pack and a year in review (tests/visual/documents/), rendered
through LibreOffice to PNG pages, is compared with the reference pages committed in
tests/visual/<case>/. A changed page fails the test and leaves a diff image in tests/visual/diff/
(black: pixels that changed; grey: the reference), so a layout mistake cannot come back unseen.

Pages are rendered at 36 dpi in grayscale (small files) with the fonts pinned by
tests/visual/fonts.conf (Noto CJK for the official font names). Anti-aliasing and LibreOffice
versions move a few pixels; a page passes while fewer than ``TOLERANCE`` of its pixels differ by
more than ``THRESHOLD`` grey levels (a line of text that moves changes several percent).

After an intended layout change: ``QDPLAN_UPDATE_VISUAL=1 uv run pytest tests/test_visual.py``
rewrites the references; look at them before committing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from . import pngkit
from .documentkit import CASES, OTHERS, VISUAL, Rendered, needs_tools

DIFF = VISUAL / "diff"
DPI = 36
THRESHOLD = 64
TOLERANCE = 0.004
GROUPS = [*CASES, OTHERS]


@pytest.fixture(scope="module")
def pages(
    rendered_documents: Rendered, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, list[Path]]]:
    """group → document → its PNG pages."""
    root = tmp_path_factory.mktemp("visual")
    result: dict[str, dict[str, list[Path]]] = {}
    for group, pdfs in rendered_documents.pdf.items():
        target = root / group
        target.mkdir()
        for stem, pdf in pdfs.items():
            subprocess.run(
                ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(target / stem)],
                check=True,
                capture_output=True,
            )
            result.setdefault(group, {})[stem] = sorted(
                target.glob(f"{stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
            )
    return result


def _diff_image(ref: pngkit.Gray, new: pngkit.Gray) -> tuple[int, pngkit.Gray]:
    changed = 0
    out = bytearray(len(ref.pixels))
    for i, (a, b) in enumerate(zip(ref.pixels, new.pixels, strict=True)):
        if abs(a - b) > THRESHOLD:
            changed += 1
            out[i] = 0
        else:
            out[i] = 170 + a // 3
    return changed, pngkit.Gray(ref.width, ref.height, bytes(out))


def _page_name(doc: str, number: int) -> str:
    return f"{doc}-{number}.png"


@needs_tools
@pytest.mark.parametrize("case", GROUPS)
def test_pages_match_the_reference(case: str, pages: dict[str, dict[str, list[Path]]]) -> None:
    rendered = pages[case]
    reference_dir = VISUAL / case
    if os.environ.get("QDPLAN_UPDATE_VISUAL"):
        shutil.rmtree(reference_dir, ignore_errors=True)
        reference_dir.mkdir(parents=True)
        for doc, files in rendered.items():
            for n, png in enumerate(files, start=1):
                pngkit.write(reference_dir / _page_name(doc, n), pngkit.read(png))
        return
    expected = sorted(p.name for p in reference_dir.glob("*.png"))
    got = sorted(
        _page_name(doc, n) for doc, files in rendered.items() for n in range(1, len(files) + 1)
    )
    assert got == expected, f"{case}: pages differ from the reference (page count or documents)"
    failures = []
    for doc, files in rendered.items():
        for n, png in enumerate(files, start=1):
            name = _page_name(doc, n)
            ref = pngkit.read(reference_dir / name)
            new = pngkit.read(png)
            if (ref.width, ref.height) != (new.width, new.height):
                failures.append(f"{name}: size {new.width}×{new.height} ≠ {ref.width}×{ref.height}")
                continue
            changed, image = _diff_image(ref, new)
            share = changed / len(ref.pixels)
            if share > TOLERANCE:
                DIFF.mkdir(exist_ok=True)
                target = DIFF / f"{case}-{name}"
                pngkit.write(target, image)
                pngkit.write(DIFF / f"{case}-{doc}-{n}-new.png", new)
                failures.append(f"{name}: {share:.2%} of the page changed, see {target}")
    assert not failures, "\n".join(failures)


def test_a_changed_page_is_caught() -> None:
    """The comparison itself: a moved line of text is far above the tolerance, noise below."""
    width, height = 200, 280
    blank = bytearray([255] * (width * height))
    page = bytearray(blank)
    for y in range(40, 48):  # a line of "text"
        for x in range(20, 180):
            page[y * width + x] = 0 if x % 3 else 255
    moved = bytearray(blank)
    for y in range(50, 58):  # the same line ten pixels lower
        for x in range(20, 180):
            moved[y * width + x] = 0 if x % 3 else 255
    noisy = bytearray(page)
    for i in range(0, len(noisy), 997):  # anti-aliasing noise: a few grey pixels
        noisy[i] = 180
    ref = pngkit.Gray(width, height, bytes(page))
    changed, _ = _diff_image(ref, pngkit.Gray(width, height, bytes(moved)))
    assert changed / len(page) > TOLERANCE
    changed, _ = _diff_image(ref, pngkit.Gray(width, height, bytes(noisy)))
    assert changed / len(page) <= TOLERANCE


def test_png_round_trip(tmp_path: Path) -> None:
    image = pngkit.Gray(3, 2, bytes([0, 128, 255, 10, 20, 30]))
    pngkit.write(tmp_path / "a.png", image)
    assert pngkit.read(tmp_path / "a.png") == image
