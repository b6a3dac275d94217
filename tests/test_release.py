"""The release: the workflow's shape, and its build job's steps run on a copy of the checkout."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

import diagramgen

from .checkout import copy_checkout
from .conftest import ROOT, SPECS, cli
from .sites.tools import doc_blocks, run, tool

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text("utf-8"))
    return data


def _check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / "tools" / "check_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_workflow_publishes_a_checked_build_on_a_version_tag() -> None:
    workflow = _workflow()
    # YAML 1.1 reads the key `on` as true.
    trigger = workflow.get("on", workflow.get(True))
    assert trigger == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert build["steps"][0]["with"]["fetch-depth"] == 0
    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert any("python -m build" in run for run in runs)
    assert any("tools/check_dist.py dist --tag" in run for run in runs)
    # Trusted publishing: an OIDC token for this job alone, no stored password.
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [step["uses"] for step in publish["steps"]]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish["steps"][-1]  # no password, no repository override


def test_the_version_comes_from_one_place() -> None:
    assert _check_dist().version() == diagramgen.__version__
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = {attr = "diagramgen.__version__"}' in pyproject
    assert 'name = "diagramgen-stacks"' in pyproject


_PINNED = {
    "docs/integrations/pre-commit.md": [r"rev: v([\d.]+)", r"diagramgen-stacks==([\d.]+)"],
    "docs/ci-action.md": [r"diagramgen/diagramgen@v([\d.]+)", r"diagramgen-stacks==([\d.]+)"],
}


@pytest.mark.parametrize("page", sorted(_PINNED))
def test_the_docs_pin_this_version(page: str) -> None:
    """A release bumps ``__version__``; the pages that pin a version follow it."""
    text = (ROOT / page).read_text("utf-8")
    for pattern in _PINNED[page]:
        found = re.findall(pattern, text)
        assert found and set(found) == {diagramgen.__version__}, (page, pattern, found)


def _archives(folder: Path, files: dict[str, bytes], tests: bool = False) -> Path:
    """Write a fake wheel and sdist of the current version holding ``files``."""
    stem = f"diagramgen_stacks-{diagramgen.__version__}"
    folder.mkdir()
    with zipfile.ZipFile(folder / f"{stem}-py3-none-any.whl", "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    with tarfile.open(folder / f"{stem}.tar.gz", "w:gz") as sdist:
        extra = {"tests/test_x.py": b""} if tests else {}
        for name, data in {**files, **extra}.items():
            entry = tarfile.TarInfo(f"{stem}/{name}")
            entry.size = len(data)
            sdist.addfile(entry, io.BytesIO(data))
    return folder


def test_check_dist_names_a_package_file_missing_from_the_wheel(tmp_path: Path) -> None:
    check = _check_dist()
    everything = {name: b"" for name in check.package_files()}
    assert "diagramgen/data/fonts/DejaVuSans.ttf" in everything
    complete = _archives(tmp_path / "complete", everything)
    found = check.check_archives(complete, "v" + diagramgen.__version__)
    assert not [problem for problem in found if "lacks" in problem or "tag" in problem]
    del everything["diagramgen/data/spec-v1.schema.json"]
    lacking = _archives(tmp_path / "lacking", everything, tests=True)
    found = check.check_archives(lacking, "v9.9.9")
    assert f"tag v9.9.9 is not the version {diagramgen.__version__}" in found[0]
    assert any(
        "lacks diagramgen/data/spec-v1.schema.json (add it to package-data)" in p for p in found
    )
    assert any("holds tests (tests/test_x.py, ...)" in problem for problem in found)


@pytest.mark.dist
def test_the_build_jobs_steps_make_a_wheel_that_renders_every_example(tmp_path: Path) -> None:
    """The wheel alone, in a fresh environment, draws output/ byte for byte (check_dist.py)."""
    source = copy_checkout(tmp_path / "checkout")
    steps = [step for step in _workflow()["jobs"]["build"]["steps"] if "run" in step]
    environment = {
        **os.environ,
        # `python` is this test's interpreter, as setup-python's is the workflow's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_REF_NAME": f"v{diagramgen.__version__}",
    }
    for step in steps:
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=source,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout}\n{done.stderr}"
    assert "wheel and sdist are ready to publish" in done.stdout
    wheel = next((source / "dist").glob("*.whl"))
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1e6:.2f} MB")


GIT = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test"]


@pytest.mark.dist
def test_the_pre_commit_hook_pinned_from_pypi_installs_the_distribution(tmp_path: Path) -> None:
    """The docs page's local hook: pre-commit pip-installs diagramgen-stacks==VERSION (from a
    folder holding the wheel built here, as it would from PyPI) and runs its command."""
    source = copy_checkout(tmp_path / "checkout")
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=600)
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(SPECS / "vm.json", project / "specs" / "vm.json")

    def git(*args: str) -> None:
        subprocess.run([*GIT, *args], cwd=project, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "a spec")  # before rendering: a picture names its spec's commit
    assert cli("render", "specs", "-o", "output", "-f", "svg", "-q", cwd=project).returncode == 0
    (project / ".pre-commit-config.yaml").write_text(
        doc_blocks("pre-commit.md")["pypi.pre-commit-config.yaml"]
    )
    git("add", "-A")
    git("commit", "-q", "-m", "its picture")
    links = f"{os.environ.get('PIP_FIND_LINKS', '')} {wheels}".strip()
    env = {"PRE_COMMIT_HOME": str(tmp_path / "home"), "PIP_FIND_LINKS": links}
    done = run([tool("pre-commit"), "run", "--all-files"], project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    installed = list((tmp_path / "home").rglob("diagramgen_stacks-*.dist-info"))
    assert [path.name for path in installed] == [
        f"diagramgen_stacks-{diagramgen.__version__}.dist-info"
    ]
    spec = project / "specs" / "vm.json"
    spec.write_text(spec.read_text().replace("Three VMs on ESXi", "Three VMs, edited"))
    stale = run([tool("pre-commit"), "run", "--all-files"], project, env=env)
    assert stale.returncode == 1 and "output/vm.svg: differs" in stale.stdout
