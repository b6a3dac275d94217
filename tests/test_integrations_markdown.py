"""The Python-Markdown fence and spec images, run through real Markdown and superfences."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from diagramgen.errors import SpecInvalid
from diagramgen.integrations.markdown import DiagramFailed, DiagramgenExtension
from diagramgen.integrations.pictures import DEFAULT_THEME, Renderer, SpecText

from .conftest import SPECS

NAME = "diagramgen.integrations.markdown"
YAML_FENCE = """```diagramgen
version: 1
title: One VM
hosts:
  - id: h
    stack: vm
    infrastructure: {name: Server}
    hypervisor: {name: KVM, type: 1}
    vms: [{id: v, guest_os: {name: Debian}}]
```
"""
JSON_FENCE = """```diagramgen caption="Two" width="500" theme="dark" alt="Two VMs"
{"version": 1, "hosts": [{"id": "h", "stack": "vm", "infrastructure": {"name": "Server"},
 "hypervisor": {"name": "KVM", "type": 1}, "vms": [{"id": "v", "guest_os": {"name": "D"}}]}]}
```
"""
MERMAID = "```mermaid\ngraph LR\n  a --> b\n```\n"
MERMAID_FENCE = {
    "name": "mermaid",
    "class": "mermaid",
    "format": __import__("pymdownx.superfences").superfences.fence_code_format,
}


def _convert(text: str, extensions: list[object], configs: dict[str, object] | None = None) -> str:
    return markdown.Markdown(extensions=extensions, extension_configs=configs or {}).convert(text)


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b[^>]*>", page)


def test_the_default_theme_is_auto_one_svg_for_light_and_dark_pages() -> None:
    assert DEFAULT_THEME == "auto"
    fence = JSON_FENCE.replace(' theme="dark"', "")
    page = _convert(f"# Page\n\n{fence}", [NAME])
    assert "prefers-color-scheme:dark" in page.replace(" ", "")
    dark = _convert(f"# Page\n\n{JSON_FENCE}", [NAME])  # a fence's own theme wins
    assert "prefers-color-scheme" not in dark


def test_alone_the_extension_draws_json_and_yaml_fences_as_inline_svg() -> None:
    page = _convert(f"# Page\n\n{YAML_FENCE}\n{JSON_FENCE}", [NAME])
    first, second = _svgs(page)
    for tag in (first, second):
        assert 'style="' in tag and "max-width:100%;height:auto" in tag
        assert "viewBox=" in tag
    assert "width:500px" in second and 'aria-label="Two VMs"' in second
    # ids are unique per diagram on the page
    assert 'id="diagram-1-title"' in page and 'id="diagram-2-title"' in page
    assert "<figcaption>Two</figcaption>" in page
    assert "<?xml" not in page
    assert "#0f172a" in page or "dark" in page  # the dark theme was asked for on the second


@pytest.mark.parametrize("order", ["before", "after"])
def test_beside_another_superfences_fence(order: str) -> None:
    superfences = ("pymdownx.superfences", {"custom_fences": [MERMAID_FENCE]})
    names = [NAME, superfences[0]] if order == "after" else [superfences[0], NAME]
    page = _convert(
        f"{MERMAID}\n{YAML_FENCE}\n```python\nx = 1\n```\n",
        names,
        {superfences[0]: superfences[1]},
    )
    assert '<pre class="mermaid"><code>graph LR' in page
    assert len(_svgs(page)) == 1
    assert '<span class="n">x</span>' in page or "x = 1" in page


def test_configured_in_custom_fences_without_the_extension() -> None:
    from diagramgen.integrations.markdown import fence_format, fence_validator

    fence = {
        "name": "diagramgen",
        "class": "diagramgen",
        "format": fence_format,
        "validator": fence_validator,
    }
    configs = {"pymdownx.superfences": {"custom_fences": [fence, MERMAID_FENCE]}}
    page = _convert(f"{YAML_FENCE}\n{MERMAID}", ["pymdownx.superfences"], configs)
    assert len(_svgs(page)) == 1 and 'class="mermaid"' in page
    # both ways at once: the extension sees the configured fence and adds no second one
    page = _convert(YAML_FENCE, ["pymdownx.superfences", NAME], configs)
    assert len(_svgs(page)) == 1


def test_image_references_to_spec_files(tmp_path: Path) -> None:
    shutil.copy(SPECS / "container.json", tmp_path / "stack.json")
    shutil.copy(SPECS / "web-and-db.yaml", tmp_path / "web.yaml")
    text = (
        '![Our stack](stack.json "The container host")\n\n'
        "Inline: ![Web](web.yaml) and ![a photo](photo.png).\n"
    )
    page = _convert(text, [NAME], {NAME: {"base_path": str(tmp_path)}})
    assert page.startswith('<figure class="diagramgen"><svg')  # the paragraph became the figure
    assert (
        'aria-label="Our stack"' in page and "<figcaption>The container host</figcaption>" in page
    )
    assert '<span><div class="diagramgen"><svg' in page  # in running text
    assert '<img alt="a photo" src="photo.png"' in page
    assert len(_svgs(page)) == 2


def test_an_invalid_spec_is_logged_at_its_page_place_and_shown_in_a_box(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = (
        "# Title\n\nText.\n\n- item\n\n    ```diagramgen\n    version: 1\n    hosts: []\n    ```\n"
    )
    with caplog.at_level(logging.WARNING, "diagramgen.markdown"):
        page = _convert(text, [NAME])
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["<markdown>:9:12: /hosts: must have at least one item"]
    assert 'class="diagramgen-error" role="alert"' in page
    assert "&lt;markdown&gt;:9:" in page


def test_fail_fast_raises_the_spec_error() -> None:
    with pytest.raises(DiagramFailed) as raised:
        _convert('```diagramgen\n{"version": 2}\n```\n', [NAME], {NAME: {"fail_fast": True}})
    assert raised.value.lines()[0].startswith("<markdown>:2:")
    assert isinstance(raised.value.error, SpecInvalid)


def test_an_unknown_fence_option_is_an_error_not_a_code_block() -> None:
    page = _convert(YAML_FENCE.replace("diagramgen", 'diagramgen colour="red"', 1), [NAME])
    assert "unknown diagramgen fence option &#x27;colour&#x27;" in page
    assert "<svg" not in page


def test_a_bad_theme_lists_the_themes() -> None:
    page = _convert(YAML_FENCE.replace("diagramgen", 'diagramgen theme="purple"', 1), [NAME])
    assert "diagramgen-error" in page and "light" in page


def test_the_cache_renders_once_and_prunes_what_was_not_used(tmp_path: Path) -> None:
    spec = SpecText.from_file(SPECS / "vm.json")
    first = Renderer(tmp_path)
    svg = first.picture(spec, "svg", "light", "a")
    assert (first.rendered, first.reused) == (1, 0)
    second = Renderer(tmp_path)
    assert second.picture(spec, "svg", "light", "a") == svg
    assert (second.rendered, second.reused) == (0, 1)
    second.picture(spec, "svg", "dark", "a")  # other options: another render
    assert second.rendered == 1 and len(list(tmp_path.iterdir())) == 2
    third = Renderer(tmp_path)
    third.picture(spec, "svg", "dark", "a")
    assert third.prune() == 1 and len(list(tmp_path.iterdir())) == 1


def test_one_extension_instance_numbers_diagrams_per_page() -> None:
    extension = DiagramgenExtension()
    for _ in range(2):  # MkDocs makes a Markdown per page around one instance
        page = markdown.Markdown(extensions=[extension]).convert(YAML_FENCE + YAML_FENCE)
        assert 'id="diagram-1-title"' in page and 'id="diagram-2-title"' in page


def test_importing_diagramgen_imports_no_docs_tool() -> None:
    code = (
        "import sys, diagramgen; diagramgen.render; diagramgen.load; diagramgen.render_files\n"
        "tools = ('mkdocs', 'sphinx', 'markdown', 'docutils', 'pymdownx')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in tools"
        " or m.startswith('diagramgen.integrations')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
