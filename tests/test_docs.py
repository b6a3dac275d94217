"""The documentation's examples run: its specs validate, its commands print what it shows.

Conventions in README.md and docs/*.md that these tests rely on:

- a ```json or ```yaml block with a ``version`` key is a full spec and must validate;
- a ```text block whose first line starts with ``$ diagramgen`` is run, command by command, in
  one temporary folder per page (holding copies of ``specs/`` and ``tests/data/invalid/``), and
  the output shown (stdout, then stderr) must be what the command prints; a last line ``...``
  leaves the rest out, and timings (``in 0.42 s``) may differ;
- ``<!-- file: NAME -->`` on the line before a block saves that block as NAME in those folders.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diagramgen import load_text

from .conftest import ROOT, cli_text

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
README = ROOT / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- file: (?P<file>[\w.-]+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S
)
_TIMING = re.compile(r"\bin [0-9]+\.[0-9]+ s\b")
_COMMANDS = [
    "",
    "validate",
    "totals",
    "render",
    "compare",
    "import compose",
    "import kubernetes",
    "watch",
    "schema",
    "init",
]


def _blocks(page: Path) -> list[tuple[str, str, str | None]]:
    """Return (language, body, file name) of every fenced block on ``page``, in order."""
    text = page.read_text("utf-8")
    return [(m["lang"], m["body"], m["file"]) for m in _BLOCK.finditer(text)]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _full_specs() -> list[tuple[str, str, str]]:
    found = []
    for page in PAGES:
        for lang, body, _ in _blocks(page):
            if lang in ("json", "yaml") and re.search(r'^\s*"?version"?\s*:', body, re.M):
                found.append((_name(page), lang, body))
    return found


def test_the_docs_hold_full_specs_in_json_and_yaml() -> None:
    specs = _full_specs()
    assert {lang for _, lang, _ in specs} == {"json", "yaml"}
    assert len(specs) >= 5


@pytest.mark.parametrize(("page", "lang", "body"), _full_specs())
def test_every_full_spec_in_the_docs_validates(page: str, lang: str, body: str) -> None:
    load_text(body, page, syntax=lang)


def test_the_yaml_examples_show_each_kind_of_stack() -> None:
    page = DOCS / "spec-format.md"
    section = page.read_text("utf-8").split("## YAML specs", 1)[1].split("\n## ", 1)[0]
    stacks = []
    for body in re.findall(r"```yaml\n(.*?)```", section, re.S):
        if "version" in body:
            stacks.append(load_text(body, "example.yaml", syntax="yaml").hosts[0].stack)
    assert stacks == ["vm", "container", "hybrid"]


def _runs(page: Path) -> list[tuple[list[str], str]]:
    """Return (arguments, output shown) of every ``$ diagramgen`` command on ``page``."""
    runs: list[tuple[list[str], str]] = []
    for lang, body, _ in _blocks(page):
        if lang != "text" or not body.startswith("$ diagramgen"):
            continue
        for chunk in re.split(r"^(?=\$ )", body, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            runs.append((shlex.split(command.removeprefix("$ "))[1:], shown))
    return runs


def _prepare(folder: Path) -> None:
    """Fill ``folder`` with what the docs' commands read: the examples and the saved blocks."""
    shutil.copytree(ROOT / "specs", folder / "specs")
    shutil.copytree(ROOT / "tests" / "data" / "invalid", folder / "tests" / "data" / "invalid")
    shutil.copytree(ROOT / "tests" / "data" / "import", folder / "tests" / "data" / "import")
    for page in PAGES:
        for _, body, file in _blocks(page):
            if file is not None:
                (folder / file).write_text(body, "utf-8")


def _matches(shown: str, printed: str) -> bool:
    shown, printed = _TIMING.sub("in N s", shown), _TIMING.sub("in N s", printed)
    lines = shown.splitlines()
    if lines and lines[-1].strip() == "...":
        return printed.startswith("\n".join(lines[:-1]) + "\n")
    return printed.rstrip("\n") == shown.rstrip("\n")


def test_the_pages_show_commands_with_their_output() -> None:
    pages = {page.name for page in PAGES if _runs(page)}
    assert {"README.md", "totals.md", "spec-format.md", "docs-pipeline.md", "cli.md"} <= pages


@pytest.mark.parametrize("page", [p for p in PAGES if _runs(p)], ids=_name)
def test_every_command_shown_prints_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    _prepare(tmp_path)
    for arguments, shown in _runs(page):
        done = cli_text(*arguments, cwd=tmp_path)
        printed = done.stdout + done.stderr
        assert _matches(shown, printed), f"$ diagramgen {shlex.join(arguments)}\n{printed}"


def test_output_comparison_can_fail() -> None:
    assert _matches("a\nb\n", "a\nb\n")
    assert _matches("a\n...\n", "a\nb\n")
    assert _matches("rendered 1 in 0.11 s\n", "rendered 1 in 2.50 s\n")
    assert not _matches("a\nb\n", "a\nc\n")
    assert not _matches("a\n", "a\nb\n")
    assert not _matches("a\n...\n", "b\na\n")


def _python_blocks() -> list[tuple[str, str]]:
    return [(_name(p), body) for p in PAGES for lang, body, _ in _blocks(p) if lang == "python"]


@pytest.mark.parametrize(("page", "code"), _python_blocks())
def test_every_python_example_runs(page: str, code: str, tmp_path: Path) -> None:
    _prepare(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr


def test_the_library_verbs_are_functions_whatever_the_import_order() -> None:
    code = "from diagramgen import render, totals, compare; print(callable(totals))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stdout.strip() == "True"


def test_the_readme_is_short() -> None:
    assert len(README.read_text("utf-8").splitlines()) <= 250


def _slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text("utf-8"), flags=re.S)
    return [
        target
        for target in re.findall(r"\]\(([^)\s]+)\)", text)
        if not target.startswith(("http://", "https://"))
    ]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_link_leads_to_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for target in _links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", linked.read_text("utf-8"), re.M)
            if anchor not in {_slug(h) for h in headings}:
                broken.append(target)
    assert broken == []


def test_the_readme_links_every_docs_page() -> None:
    linked = {Path(t.partition("#")[0]).name for t in _links(README) if t.startswith("docs/")}
    pages = {page.name for page in DOCS.glob("*.md") if page.name != "README.md"}
    assert pages and pages <= linked


def _options(command: str) -> list[str]:
    """Return every option ``diagramgen COMMAND -h`` lists."""
    done = cli_text(*command.split(), "-h")
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("Options:", 1)[1].split("Commands:", 1)[0]
    return sorted(set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", section)))


@pytest.mark.parametrize("command", _COMMANDS, ids=lambda c: c or "diagramgen")
def test_docs_cli_describes_every_command_and_option(command: str) -> None:
    text = (DOCS / "cli.md").read_text("utf-8")
    if command:
        assert f"\n## {command}\n" in text
    options = _options(command)
    assert "-h" in options
    missing = [o for o in options if not re.search(rf"`{re.escape(o)}[ `\\]", text)]
    assert missing == []
