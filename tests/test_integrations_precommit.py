"""The pre-commit hooks, installed by pre-commit from this checkout, on a temporary repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, SPECS
from .sites.tools import doc_blocks, run, tool

GIT = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test"]


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Return a one-commit copy of this checkout as it is now (committed or not), and its rev.

    pre-commit installs hooks from a commit; one snapshot means one install for every test.
    """
    snapshot = tmp_path_factory.mktemp("hooks") / "diagramgen"
    listed = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, _git(snapshot, "rev-parse", "HEAD")


def _project(folder: Path, config: str) -> Path:
    """Return a git repository with one spec, its committed picture, and ``config``."""
    project = folder / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(SPECS / "vm.json", project / "specs" / "vm.json")
    _git(project, "init", "-q")
    done = run([tool("diagramgen"), "render", "specs", "-o", "output", "-f", "svg", "-q"], project)
    assert done.returncode == 0, done.stderr
    (project / ".pre-commit-config.yaml").write_text(config)
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "specs and pictures")
    return project


def test_the_validate_hook_sees_a_spec_whose_name_holds_a_newline() -> None:
    """pre-commit searches each file name with the hook's ``files`` pattern (Python's re)."""
    import re

    import yaml  # pre-commit's own dependency reads the hooks file

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    pattern = next(h["files"] for h in hooks if h["id"] == "diagramgen-validate")
    assert re.search(pattern, "specs/odd\nname.json")
    assert re.search(pattern, "docs/diagrams/vm.yaml")
    assert not re.search(pattern, "specs/notes.txt")


def test_the_hooks_of_the_docs_page_and_the_render_hook(
    hooks_repo: tuple[Path, str], tmp_path: Path
) -> None:
    repo, rev = hooks_repo
    config = doc_blocks("pre-commit.md")[".pre-commit-config.yaml"]
    config = config.replace("https://github.com/diagramgen/diagramgen", str(repo))
    config = config.replace("rev: v0.1.0", f"rev: {rev}")
    project = _project(tmp_path, config)
    home = {"PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home")}

    def hooks(*args: str) -> subprocess.CompletedProcess[str]:
        return run([tool("pre-commit"), "run", "--all-files", *args], project, env=home)

    done = hooks()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "diagramgen validate" in done.stdout and "diagramgen render --check" in done.stdout

    spec = project / "specs" / "vm.json"
    spec.write_text(spec.read_text().replace("Three VMs on ESXi", "Three VMs, edited"))
    stale = hooks("diagramgen-check")
    assert stale.returncode == 1 and "output/vm.svg" in stale.stdout + stale.stderr

    spec.write_text(spec.read_text().replace('"stack": "vm"', '"stack": "vmm"', 1))
    invalid = hooks("diagramgen-validate")
    assert invalid.returncode == 1 and "specs/vm.json:" in invalid.stdout
    assert '/hosts/0/stack: "vmm" is not one of' in invalid.stdout

    # A spec whose file name holds a newline is still checked (the pattern's `.` missed it).
    strange = project / "specs" / "odd\nname.json"
    strange.write_text('{"version": 1, "hosts": 3}')
    _git(project, "add", "-A")
    odd = hooks("diagramgen-validate")
    # (The name is shown escaped: a newline in it would break the one-line promise.)
    assert odd.returncode == 1 and "specs/odd\\nname.json:1:25: /hosts:" in odd.stdout
    strange.unlink()
    _git(project, "add", "-A")

    # diagramgen-render, through try-repo as a hook author tries one: it fixes the picture
    # and fails because it changed it; run again, it passes.
    spec.write_text(spec.read_text().replace('"stack": "vmm"', '"stack": "vm"', 1))
    try_repo = [tool("pre-commit"), "try-repo", str(repo), "diagramgen-render", "--ref", rev]
    changed = run([*try_repo, "--all-files"], project, env=home)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "files were modified by this hook" in changed.stdout
    assert "Three VMs, edited" in (project / "output" / "vm.svg").read_text("utf-8")
    _git(project, "add", "-A")
    again = run([*try_repo, "--all-files"], project, env=home)
    assert again.returncode == 0, again.stdout + again.stderr
