"""The configurations on docs/integrations/ pages, copied as a reader would, in real builds."""

from __future__ import annotations

import shutil
from pathlib import Path

from .sites.tools import SITES, doc_blocks, run, tool


def test_the_mkdocs_page_configuration_builds(tmp_path: Path) -> None:
    blocks = doc_blocks("mkdocs.md")
    (tmp_path / "docs" / "diagrams").mkdir(parents=True)
    shutil.copy(SITES / "mkdocs/docs/diagrams/stack.json", tmp_path / "docs/diagrams/stack.json")
    (tmp_path / "mkdocs.yml").write_text(blocks["mkdocs.yml"])
    (tmp_path / "docs" / "index.md").write_text(blocks["docs/index.md"])
    done = run([tool("mkdocs"), "build", "--strict", "-d", str(tmp_path / "site")], tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert page.count("<svg width=") == 2 and "<figcaption>The database VM</figcaption>" in page
    # The custom_fences way, without the plugin: the fence still draws.
    (tmp_path / "mkdocs.yml").write_text(blocks["mkdocs-custom-fences.yml"])
    done = run([tool("mkdocs"), "build", "-d", str(tmp_path / "plain")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plain" / "index.html").read_text("utf-8").count("<svg width=") == 1


def test_the_python_markdown_example_runs() -> None:
    exec(compile(doc_blocks("mkdocs.md")["python"], "docs/integrations/mkdocs.md", "exec"), {})


def test_the_sphinx_page_configuration_builds_html_and_latex(tmp_path: Path) -> None:
    blocks = doc_blocks("sphinx.md")
    source = tmp_path / "source"
    (source / "diagrams").mkdir(parents=True)
    shutil.copy(SITES / "sphinx/diagrams/stack.json", source / "diagrams/stack.json")
    for name in ("conf.py", "index.rst", "database.md"):
        (source / name).write_text(blocks[name])
    for builder in ("html", "latex"):
        out = tmp_path / builder
        done = run([tool("sphinx-build"), "-W", "-b", builder, str(source), str(out)], tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "html" / "database.html").read_text("utf-8").count("<svg width=") == 1
    assert len(list((tmp_path / "latex").glob("diagramgen-*.pdf"))) == 2
