"""The Sphinx extension in real ``sphinx-build`` runs (HTML with furo, LaTeX, MyST)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .sites.tools import SITES, copy_site, geometry, luminance, run, screenshot, tool


def _build(source: Path, out: Path, builder: str, *extra: str) -> str:
    done = run([tool("sphinx-build"), "-W", "-b", builder, *extra, str(source), str(out)], source)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sphinx") / "html"
    _build(SITES / "sphinx", out, "html")
    return out


def test_html_has_numbered_figures_with_inline_svg(html: Path) -> None:
    index = (html / "index.html").read_text("utf-8")
    myst = (html / "myst.html").read_text("utf-8")
    assert index.count("<svg width=") == 2 and myst.count("<svg width=") == 2
    assert '<figure class="diagramgen align-default" id="fig-stack">' in index
    assert re.search(
        r'<span class="caption-number">Fig\. \d+ </span><span class="caption-text">'
        r"The container host",
        index,
    )
    assert 'href="#fig-stack"><span class="std std-numref">Fig. 3</span>' in index
    assert 'aria-label="Five services on one Docker host"' in index
    # MyST: the same directive, numbered and referenced like any figure
    assert '<span class="std std-numref">Fig. 1</span>' in myst
    assert "width:500px;max-width:100%;height:auto" in myst
    for page in (index, myst):
        ids = re.findall(r'<title id="([^"]+)"', page)
        assert len(ids) == len(set(ids)) == page.count("max-width:100%;height:auto")
    assert list((html.parent / "html" / ".doctrees" / "diagramgen").glob("*.svg"))


def test_latex_includes_the_pdf_render(tmp_path: Path) -> None:
    out = tmp_path / "latex"
    _build(SITES / "sphinx", out, "latex")
    tex = (out / "book.tex").read_text("utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}\.pdf\}", tex)
    assert len(included) == 4
    for name in included:
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
    assert r"\caption{The container host}\label{\detokenize{index:fig-stack}}" in tex
    # Each at one scale, the 760 px column to the text width: the one drawn for 500 px is
    # at most 500/760 of it (tests/test_integrations_sphinx_pdf.py builds the PDF).
    shares = [float(share) for share in re.findall(r"\[width=([\d.]+)\\linewidth,", tex)]
    assert len(shares) == 4 and min(shares) <= 500 / 760 < max(shares) == 1
    assert "<svg" not in tex


def test_parallel_builds_and_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "html"
    _build(SITES / "sphinx", out, "html", "-j", "2")
    cache = out / ".doctrees" / "diagramgen"
    first = sorted(path.name for path in cache.iterdir())
    assert len(first) == 4
    _build(SITES / "sphinx", out, "html", "-E", "-a")  # everything anew: renders come cached
    assert sorted(path.name for path in cache.iterdir()) == first


def test_an_invalid_spec_fails_w_with_its_place_and_else_shows_a_box(tmp_path: Path) -> None:
    source = copy_site("sphinx-invalid", tmp_path)
    strict = run([tool("sphinx-build"), "-W", "-b", "html", ".", "_out"], source)
    message = 'index.rst:9:15: /hosts/0/stack: "vmm" is not one of'
    assert strict.returncode != 0 and message in strict.stderr
    lenient = run([tool("sphinx-build"), "-b", "html", ".", "_out2"], source)
    assert lenient.returncode == 0 and message in lenient.stderr
    page = (source / "_out2" / "index.html").read_text("utf-8")
    assert '<div class="diagramgen-error admonition error">' in page
    assert message in page


def test_a_missing_file_and_both_path_and_content_are_errors(tmp_path: Path) -> None:
    source = tmp_path / "site"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["diagramgen.sphinx"]\n')
    (source / "index.rst").write_text(
        "Page\n====\n\n.. diagramgen:: nowhere.json\n\n.. diagramgen:: x.json\n\n   {}\n"
    )
    done = run([tool("sphinx-build"), "-b", "html", ".", "_out"], source)
    assert "nowhere.json: cannot read: No such file or directory" in done.stderr
    assert "takes a spec path or the spec as content, not both" in done.stderr


@pytest.mark.browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_diagrams_fit_the_furo_column_in_light_and_dark(html: Path, dark: bool) -> None:
    scheme = "dark" if dark else "light"
    for page in ("index.html", "myst.html"):
        measured = geometry(html / page, "article", dark, html.parent)
        column = measured["column"]
        svgs = measured["svgs"]
        assert isinstance(column, dict) and isinstance(svgs, list) and svgs
        for svg in svgs:
            assert svg["left"] >= column["left"] - 1 and svg["right"] <= column["right"] + 1
            assert svg["height"] == pytest.approx(svg["width"] * svg["ratio"], rel=0.02)
        assert measured["scroll"] == measured["viewport"]
        assert isinstance(measured["background"], str)
        assert (luminance(measured["background"]) < 0.3) is dark  # furo follows the scheme
        screenshot(html / page, html.parent / f"sphinx-{page[:-5]}-{scheme}.png", dark)
