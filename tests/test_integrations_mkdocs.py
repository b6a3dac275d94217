"""The MkDocs plugin in real ``mkdocs build`` and ``mkdocs serve`` runs on tests/sites/."""

from __future__ import annotations

import html
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .sites.tools import copy_site, geometry, luminance, run, screenshot, tool


def _build(site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run([tool("mkdocs"), "build", "-d", str(site / "site"), *extra], cwd=site)


def _counts(log: str) -> tuple[int, int]:
    found = re.search(r"diagramgen: (\d+) pictures rendered, (\d+) from the cache", log)
    assert found, log
    return int(found.group(1)), int(found.group(2))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site("mkdocs", tmp_path_factory.mktemp("mkdocs"))
    done = _build(site, "--strict")
    assert done.returncode == 0, done.stderr
    assert _counts(done.stderr) == (5, 0)
    return site


def test_pages_show_inline_svg_beside_other_fences(built: Path) -> None:
    index = (built / "site" / "index.html").read_text("utf-8")
    more = (built / "site" / "more" / "index.html").read_text("utf-8")
    assert index.count('<svg width="') == 2 and more.count('<svg width="') == 3
    assert '<pre class="mermaid"><code>graph LR' in index
    assert 'class="highlight"' in index  # an ordinary code block is still highlighted
    for page in (index, more):
        ids = re.findall(r'<title id="([^"]+)"', page)
        assert len(ids) == len(set(ids))
        assert page.count("max-width:100%;height:auto") == len(ids)
    assert "<figcaption>One VM host</figcaption>" in more
    assert 'aria-label="Two containers on Docker"' in more


def test_spec_files_stay_out_of_the_site(built: Path) -> None:
    names = {path.name for path in (built / "site").rglob("*")}
    assert not names & {"stack.json", "web-and-db.yaml", "outside.json"}


def test_a_second_build_renders_nothing_and_a_deleted_cache_renders_again(
    built: Path, tmp_path: Path
) -> None:
    built = Path(shutil.copytree(built, tmp_path / "site-copy"))  # its cache too
    cache = built / ".cache" / "diagramgen"
    assert len(list(cache.glob("*.svg"))) == 5
    started = time.perf_counter()
    again = _build(built)
    cached = time.perf_counter() - started
    assert again.returncode == 0 and _counts(again.stderr) == (0, 5)
    shutil.rmtree(cache)
    started = time.perf_counter()
    cold = _build(built)
    fresh = time.perf_counter() - started
    assert cold.returncode == 0 and _counts(cold.stderr) == (5, 0)
    print(f"mkdocs build: {fresh:.2f} s rendering 5 diagrams, {cached:.2f} s from the cache")
    # A changed spec renders only itself; the render it replaced is pruned.
    spec = built / "docs" / "diagrams" / "stack.json"
    spec.write_text(spec.read_text().replace("Containers on Docker", "Containers, renamed"))
    changed = _build(built)
    assert _counts(changed.stderr) == (1, 4)
    assert len(list(cache.glob("*.svg"))) == 5
    assert "Containers, renamed" in (built / "site" / "index.html").read_text("utf-8")


def test_an_invalid_spec_fails_strict_and_fail_fast_and_else_shows_a_box(tmp_path: Path) -> None:
    site = copy_site("mkdocs-invalid", tmp_path)
    message = 'docs/index.md:7:12: /hosts/0/stack: "vmm" is not one of'
    strict = _build(site, "--strict")
    assert strict.returncode == 1 and message in strict.stderr
    assert "Aborted with 1 warnings in strict mode" in strict.stdout + strict.stderr
    lenient = _build(site)
    assert lenient.returncode == 0 and f"WARNING -  {message}" in lenient.stderr
    page = (site / "site" / "index.html").read_text("utf-8")
    assert 'class="diagramgen-error" role="alert"' in page and html.escape(message) in page
    assert "Text after the box." in page
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - diagramgen\n", FAIL_FAST))
    stopped = _build(site)
    assert stopped.returncode == 1 and message in stopped.stderr
    assert "Traceback" not in stopped.stderr


FAIL_FAST = "  - diagramgen:\n      fail_fast: true\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def test_serve_re_renders_a_changed_spec_outside_docs(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    address = f"127.0.0.1:{_free_port()}"
    url = f"http://{address}/more/"
    server = subprocess.Popen(
        [tool("mkdocs"), "serve", "-a", address],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = _wait_for(url, "Three VMs on ESXi")
        assert "<svg" in page
        spec = site / "specs" / "outside.json"
        spec.write_text(spec.read_text().replace("Three VMs on ESXi", "Four VMs, edited"))
        assert "Four VMs, edited" in _wait_for(url, "Four VMs, edited")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        try:
            page = _fetch(url)
        except OSError:
            page = ""
        if text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {text!r}")


@pytest.mark.browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_diagrams_fit_the_material_column_in_light_and_dark(built: Path, dark: bool) -> None:
    scheme = "dark" if dark else "light"
    for page in ("index.html", "more/index.html"):
        path = built / "site" / page
        measured = geometry(path, ".md-content__inner", dark, built)
        column = measured["column"]
        assert isinstance(column, dict)
        svgs = measured["svgs"]
        assert isinstance(svgs, list) and svgs
        for svg in svgs:
            assert svg["left"] >= column["left"] - 1 and svg["right"] <= column["right"] + 1
            assert svg["height"] == pytest.approx(svg["width"] * svg["ratio"], rel=0.02)
        assert measured["scroll"] == measured["viewport"]  # nothing overflows sideways
        assert isinstance(measured["background"], str)
        assert (luminance(measured["background"]) < 0.3) is dark  # slate follows the scheme
        name = page.replace("/", "-").replace(".html", "")
        screenshot(path, built / f"mkdocs-{name}-{scheme}.png", dark)


ZENSICAL = """site_name: Zensical
markdown_extensions:
  - attr_list
  - diagramgen.integrations.markdown:
      base_path: docs
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""


def test_zensical_builds_the_site_with_the_extension_alone(tmp_path: Path) -> None:
    if not Path(tool("zensical")).exists():
        pytest.skip("Zensical is not installed (pip install zensical)")
    site = copy_site("mkdocs", tmp_path)
    (site / "mkdocs.yml").write_text(ZENSICAL)
    done = run([tool("zensical"), "build"], cwd=site)
    assert done.returncode == 0, done.stdout + done.stderr
    index = (site / "site" / "index.html").read_text("utf-8")
    more = (site / "site" / "more" / "index.html").read_text("utf-8")
    assert index.count("<svg width=") == 2 and more.count("<svg width=") == 3
    assert 'class="mermaid"' in index


def test_a_missing_spec_file_is_named_by_its_page_and_reference(tmp_path: Path) -> None:
    """It was named by the build machine's absolute path, with no page or line."""
    site = copy_site("mkdocs-invalid", tmp_path)
    page = site / "docs" / "index.md"
    page.write_text("# A page\n\nSome text.\n\n![A stack](diagrams/missing.json)\n", "utf-8")
    done = _build(site)
    expected = "docs/index.md:5: diagrams/missing.json: cannot read: No such file or directory"
    assert done.returncode == 0 and f"WARNING -  {expected}" in done.stderr, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert not [line for line in warnings if str(site) in line]
    assert html.escape(expected) in (site / "site" / "index.html").read_text("utf-8")
