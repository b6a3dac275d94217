"""Diagrams in a Sphinx PDF: placed at one scale, a tall one and its caption inside the text block.

The build test runs LaTeX (latexmk, pdflatex) where TeX is installed and skips with the reason
elsewhere; it renders the PDF's pages with pdftoppm into ``DIAGRAMGEN_SHOTS`` (when set) to look
at, and reads where the words are with pdftotext.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from diagramgen import Settings, load
from diagramgen.api import render
from diagramgen.integrations.sphinx import latex_size

from .conftest import DATA, SPECS
from .sites.tools import run, tool

_PDF = b"%%PDF-1.7\n1 0 obj << /Type /Page /MediaBox [ 0 0 %d %d ] >> endobj\n"


def _pdf(width: int, height: int) -> bytes:
    return _PDF % (width, height)


def test_a_diagram_drawn_for_the_column_fills_the_text_width() -> None:
    assert latex_size(_pdf(760, 621), "", "") == (
        "width=1.0000\\linewidth,height=\\textheight,keepaspectratio"
    )


def test_every_diagram_is_drawn_at_the_same_scale() -> None:
    # 500 points of a 760 px column: 500/760 = 0.6579 of the text width, text the same size.
    assert latex_size(_pdf(500, 300), "500px", "").startswith("width=0.6579\\linewidth,")
    # Wider than the column (drawn for 1000 px): scaled down to the text width.
    assert latex_size(_pdf(1000, 300), "1000px", "").startswith("width=1.0000\\linewidth,")
    # A percentage caps the width, as it does in HTML.
    assert latex_size(_pdf(760, 300), "80%", "").startswith("width=0.8000\\linewidth,")
    assert latex_size(_pdf(380, 300), "80%", "").startswith("width=0.5000\\linewidth,")
    # A PDF without a page size (never from Graphviz): the text width.
    assert latex_size(b"%PDF-1.7\n", "", "").startswith("width=1.0000\\linewidth,")


def test_a_caption_takes_its_lines_off_the_height() -> None:
    short = latex_size(_pdf(760, 1320), "", "A tall one")
    assert short == (
        "width=1.0000\\linewidth,height=\\dimexpr\\textheight-\\abovecaptionskip"
        "-\\belowcaptionskip-2\\baselineskip\\relax,keepaspectratio"
    )
    # "Fig. 100: " and 130 characters: two lines of 70, and one to spare.
    assert "-3\\baselineskip" in latex_size(_pdf(760, 1320), "", "x" * 130)


_INDEX = """Pictures in a PDF
=================

Some text before the figures. :numref:`fig-hybrid` is a diagram of ordinary height.

.. diagramgen:: diagrams/hybrid.json
   :caption: An ordinary diagram: three VMs on KVM, two of them Docker hosts
   :name: fig-hybrid

.. diagramgen:: diagrams/fourteen-vms.json
   :caption: A tall diagram: fourteen VMs on one host, wrapped into three bands, with a caption
      long enough to take two lines of the text block
   :name: fig-tall

.. diagramgen:: diagrams/vm.json
   :caption: A narrower diagram, laid out for a 500 px column
   :width: 500px
   :name: fig-narrow

Text after the figures.
"""
_CONF = """project = "PDF placement"
extensions = ["diagramgen.sphinx"]
numfig = True
latex_documents = [("index", "book.tex", project, "diagramgen", "manual")]
"""
_TOOLS = ("latexmk", "pdflatex", "pdftoppm", "pdftotext")
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)')

Words = list[tuple[float, float, float, float, str]]


def _pages(pdf: Path) -> list[Words]:
    """Return each page's words with their boxes (points from the page's top left)."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pages = done.stdout.split("<page ")[1:]
    return [
        [(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in _WORD.findall(page)]
        for page in pages
    ]


def _page_with(pages: list[Words], *words: str) -> Words:
    for page in pages:
        texts = [word[4] for word in page]
        if any(texts[i : i + len(words)] == list(words) for i in range(len(texts))):
            return page
    raise AssertionError(f"no page shows {' '.join(words)!r}")


@pytest.mark.latex
@pytest.mark.skipif(
    any(shutil.which(name) is None for name in _TOOLS),
    reason="TeX or poppler is not installed (apt-get install texlive-latex-recommended "
    "texlive-latex-extra latexmk poppler-utils)",
)
def test_the_pdf_places_each_diagram_at_one_scale_inside_the_text_block(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "diagrams").mkdir(parents=True)
    shutil.copy(SPECS / "hybrid.json", source / "diagrams")
    shutil.copy(SPECS / "vm.json", source / "diagrams")
    shutil.copy(DATA / "links" / "fourteen-vms.json", source / "diagrams")
    (source / "conf.py").write_text(_CONF, "utf-8")
    (source / "index.rst").write_text(_INDEX, "utf-8")
    out = tmp_path / "latex"
    done = run([tool("sphinx-build"), "-W", "-b", "latex", str(source), str(out)], source)
    assert done.returncode == 0, done.stdout + done.stderr
    latex = run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "book.tex"], out)
    log = (out / "book.log").read_text("latin-1")
    assert latex.returncode == 0, log[-3000:]
    assert "Float too large" not in log
    assert "Overfull \\vbox" not in log
    # The pages, to look at.
    shots = Path(os.environ.get("DIAGRAMGEN_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(out / "book.pdf"), str(shots / "sphinx-pdf")],
        check=True,
    )
    assert len(list(shots.glob("sphinx-pdf-*.png"))) >= 3
    pages = _pages(out / "book.pdf")
    # The tall diagram's caption ends above the footer, on the diagram's page.
    tall = _page_with(pages, "Fig.", "2:", "A", "tall", "diagram:")
    caption = [word for word in tall if word[4] in ("long", "block")]
    footer = [word for word in tall if word[4] == "CONTENTS"]
    assert caption and footer
    assert max(word[3] for word in caption) < min(word[1] for word in footer) - 10
    # Text the same size in the ordinary and the narrower diagram: the panel's heading.
    heights = []
    for words in (("Fig.", "1:"), ("Fig.", "3:")):
        page = _page_with(pages, *words)
        heights += [word[3] - word[1] for word in page if word[4] == "Totals"]
    assert len(heights) == 2 and heights[0] == pytest.approx(heights[1], rel=0.01)
    # The tall one, scaled to the page, smaller (it cannot be otherwise) but readable.
    smaller = [word[3] - word[1] for word in tall if word[4] == "Totals"]
    assert smaller and 0.6 * heights[0] < smaller[0] < heights[0]


def _png_size(spec: str) -> tuple[float, float]:
    """Return the width in inches a spec's SVG (at 96 CSS px an inch) and its PNG (at its
    declared resolution) are placed at."""
    from io import BytesIO

    from PIL import Image

    pictures = render(load(SPECS / spec), ["svg", "png"], Settings(name="s"))
    found = re.search(rb'<svg width="([\d.]+)px"', pictures["svg"])
    assert found is not None
    with Image.open(BytesIO(pictures["png"])) as image:
        dpi = image.info["dpi"][0]
        return float(found.group(1)) / 96, image.width / dpi


def test_the_png_declares_the_resolution_of_its_scale_to_the_svg() -> None:
    svg, png = _png_size("vm.json")
    assert png == pytest.approx(svg, rel=0.005)
