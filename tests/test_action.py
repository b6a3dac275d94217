"""The CI action (action.yml): its steps run as a runner runs them, on git repositories made here.

A small runner: each step's ``env`` is evaluated (the expressions the action may use:
``inputs.*``, ``github.action_path``, ``steps.*.outputs.*``), its ``run`` goes to
``bash --noprofile --norc -eo pipefail`` as GitHub runs a composite step's bash, with the files
and variables a runner gives (``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``, ``GITHUB_EVENT_PATH``,
``GITHUB_BASE_REF``, ``RUNNER_TEMP``), and a failed step skips the rest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from msgspec import Struct
from ruamel.yaml import YAML

from .checkout import copy_checkout
from .conftest import ROOT, SPECS, cli

ACTION = ROOT / "action.yml"
GIT = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test"]
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Ran(Struct):
    """What a run of the action did: each step's name and result, the job summary."""

    steps: list[tuple[str, subprocess.CompletedProcess[str]]]
    summary: str

    @property
    def code(self) -> int:
        return self.steps[-1][1].returncode

    def log(self) -> str:
        return "\n".join(f"## {name}\n{done.stdout}{done.stderr}" for name, done in self.steps)


def _action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(ACTION.read_text("utf-8"))
    return data


def _evaluate(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        words = match.group(1).split(".")
        if words[0] == "inputs" and len(words) == 2:
            return inputs[words[1]]
        if words == ["github", "action_path"]:
            return inputs["__action_path"]
        if words[0] == "steps" and words[2] == "outputs" and len(words) == 4:
            return outputs.get(words[1], {}).get(words[3], "")
        raise AssertionError(f"the test runner does not evaluate ${{{{ {match.group(1)} }}}}")

    return _EXPRESSION.sub(one, str(value))


def run_action(
    workspace: Path,
    runner: Path,
    inputs: dict[str, str],
    event: dict[str, Any] | None = None,
    base_ref: str = "",
    action_path: Path = ROOT,
) -> Ran:
    """Run the action's steps in ``workspace``, with ``runner`` for the runner's own files."""
    action = _action()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    assert set(inputs) <= set(values), f"unknown inputs {set(inputs) - set(values)}"
    values |= inputs
    values["__action_path"] = str(action_path)
    temp, summary, event_file = runner / "temp", runner / "summary.md", runner / "event.json"
    temp.mkdir(parents=True, exist_ok=True)
    summary.touch()
    event_file.write_text(json.dumps(event or {}), "utf-8")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB")}
    environment |= {
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_EVENT_NAME": "pull_request" if base_ref else "push",
        "GITHUB_BASE_REF": base_ref,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_path),
        "RUNNER_TEMP": str(temp),
        "NO_COLOR": "1",
    }
    outputs: dict[str, dict[str, str]] = {}
    steps = []
    for index, step in enumerate(action["runs"]["steps"]):
        output = runner / f"output-{index}"
        output.touch()
        env = {key: _evaluate(value, values, outputs) for key, value in step["env"].items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env={**environment, **env, "GITHUB_OUTPUT": str(output)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        pairs = [line.split("=", 1) for line in output.read_text("utf-8").splitlines()]
        outputs[step.get("id", str(index))] = {key: value for key, value in pairs}
        steps.append((step["name"], done))
        if done.returncode != 0:
            break
    return Ran(steps, summary.read_text("utf-8"))


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _commit(project: Path, message: str) -> None:
    """Commit the specs, then render them and commit the pictures.

    Two commits: a picture names its spec's last commit (provenance), which a picture
    rendered before that commit cannot know.
    """
    _git(project, "add", "-A", "specs")
    _git(project, "commit", "-q", "-m", message)
    done = cli("render", "specs", "-o", "output", "-f", "svg", "-q", cwd=project)
    assert done.returncode == 0, done.stderr
    _git(project, "add", "-A", "output")
    _git(project, "commit", "-q", "-m", f"{message}: pictures")


def _repository(folder: Path) -> tuple[Path, str]:
    """Return a repository on ``main`` with two specs and their committed pictures, and the
    commit."""
    project = folder / "project"
    (project / "specs").mkdir(parents=True)
    for name in ("vm.json", "container.json"):
        shutil.copy(SPECS / name, project / "specs" / name)
    _git(project, "init", "-q", "-b", "main")
    _commit(project, "specs")
    return project, _git(project, "rev-parse", "HEAD")


def _add_container(project: Path) -> None:
    """Change ``specs/container.json`` on a branch: one more container, the pictures redrawn."""
    _git(project, "checkout", "-q", "-b", "more")
    spec = project / "specs" / "container.json"
    data = json.loads(spec.read_text("utf-8"))
    extra = {"id": "extra", "name": "extra", "limits": {"cpu": 1, "memory": "4GiB"}}
    data["hosts"][0]["containers"].append(extra)
    spec.write_text(json.dumps(data, indent=2), "utf-8")
    (project / "specs" / "new.json").write_text((SPECS / "vm.json").read_text("utf-8"), "utf-8")
    _git(project, "rm", "-q", "specs/vm.json", "output/vm.svg")
    _commit(project, "one more container; vm.json is new.json")


_PYTHON = sys.executable
NONE = {"install": "none", "python": _PYTHON}


def test_the_action_uses_only_what_the_runner_evaluates_and_no_expression_in_scripts() -> None:
    """An expression inside ``run`` is pasted into the script (a title could inject shell):
    the steps take every value through ``env``."""
    action = _action()
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash" and "if" not in step
        for value in step["env"].values():
            _evaluate(value, {name: "" for name in action["inputs"]} | {"__action_path": ""}, {})


def test_a_push_with_current_pictures_writes_each_specs_totals(tmp_path: Path) -> None:
    project, _ = _repository(tmp_path)
    ran = run_action(project, tmp_path / "runner", NONE)
    assert ran.code == 0 and len(ran.steps) == 4, ran.log()
    summary = ran.summary
    assert summary.startswith("## diagramgen: totals\n")
    assert "### `specs/container.json`: Containers on Docker" in summary
    assert "| `docker1` | container | ≥ 13 vCPU of 16 vCPU (81%) |" in summary
    assert "### `specs/vm.json`: Three VMs on ESXi" in summary
    assert "change in totals" not in summary  # not a pull request
    assert "diagramgen 0." in ran.steps[0][1].stdout  # the version the install step found


def test_a_stale_picture_fails_the_check_and_is_listed(tmp_path: Path) -> None:
    project, _ = _repository(tmp_path)
    spec = project / "specs" / "vm.json"
    spec.write_text(spec.read_text("utf-8").replace("Three VMs on ESXi", "Renamed"), "utf-8")
    (project / "output" / "container.svg").unlink()
    ran = run_action(project, tmp_path / "runner", NONE)
    assert ran.code == 1 and ran.steps[-1][0] == "Check the committed pictures"
    check = ran.steps[-1][1]
    assert "output/vm.svg: differs from what `diagramgen render` writes now" in check.stderr
    assert "::error title=diagramgen::pictures are missing or out of date" in check.stdout
    stale = ran.summary.split("## diagramgen render --check failed\n", 1)[1]
    assert "- output/vm.svg\\: differs from what \\`diagramgen render\\` writes now" in stale
    assert "- output/container.svg\\: is missing from" in stale
    # check: false writes the summary and passes.
    quiet = run_action(project, tmp_path / "runner2", {**NONE, "check": "false"})
    assert quiet.code == 0 and "### `specs/vm.json`: Renamed" in quiet.summary


def test_an_invalid_spec_is_in_the_summary_and_fails_even_without_the_check(
    tmp_path: Path,
) -> None:
    project, _ = _repository(tmp_path)
    (project / "specs" / "bad.json").write_text('{"version": 1, "hosts": []}\n', "utf-8")
    for check in ("true", "false"):
        ran = run_action(project, tmp_path / f"runner-{check}", {**NONE, "check": check})
        assert ran.code == 1 and len(ran.steps) == 4, ran.log()
        failed = ran.summary.split("### Specs that failed\n", 1)[1]
        assert failed.startswith(
            "\n- specs/bad.json\\:1\\:25\\: /hosts\\: must have at least one item\n"
        )
        assert "### `specs/vm.json`" in ran.summary  # the valid ones are summarised


def test_a_path_that_does_not_exist_stops_the_action(tmp_path: Path) -> None:
    project, _ = _repository(tmp_path)
    ran = run_action(project, tmp_path / "runner", {**NONE, "paths": "specs nowhere"})
    assert ran.code == 2 and len(ran.steps) == 2
    assert "nowhere" in ran.steps[-1][1].stderr


def _fake_python(folder: Path, diff_json: dict[str, Any] | None) -> Path:
    """Return a Python that runs this one, but answers ``-I -m diagramgen diff`` itself:
    with ``diff_json`` (and a record of its arguments), or as a diagramgen without ``diff``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "diff.json").write_text(json.dumps(diff_json or {}), "utf-8")
    script = folder / "python"
    answer = (
        f'echo "$*" >> {folder}/calls; cat {folder}/diff.json; exit 0'
        if diff_json is not None
        else "echo \"Error: No such command 'diff'.\" >&2; exit 2"
    )
    script.write_text(
        "#!/bin/bash\n"
        f'if [ "$1 $2 $3 $4" = "-I -m diagramgen diff" ]; then {answer}; fi\n'
        f'exec {_PYTHON} "$@"\n',
        "utf-8",
    )
    script.chmod(0o755)
    return script


_DIFF = {
    "summary": "+1 container; host docker1 memory 69% → 81%",
    "labels": {"old": "main", "new": "this branch"},
    "changes": [
        {"id": "extra", "kind": "added", "what": "container", "name": "extra"},
        {
            "id": "web",
            "kind": "changed",
            "what": "container",
            "name": "web | <b>",
            "figures": [{"figure": "memory", "old": "1 GiB", "new": "2 GiB"}],
        },
    ],
    "figures": [
        {"figure": "Docker host committed memory", "old": "22 GiB (69%)", "new": "26 GiB (81%)"},
        {"figure": "warnings", "old": "1", "new": "1"},
    ],
    "warnings": {
        "appeared": [{"code": "memory-overcommit", "pointer": "/hosts/0", "message": "over"}],
        "resolved": [],
    },
}


def test_a_pull_request_shows_the_change_of_each_changed_spec(tmp_path: Path) -> None:
    project, base = _repository(tmp_path)
    _add_container(project)
    fake = _fake_python(tmp_path / "fake", _DIFF)
    event = {"pull_request": {"base": {"sha": base, "ref": "main"}}}
    ran = run_action(project, tmp_path / "runner", {**NONE, "python": str(fake)}, event, "main")
    assert ran.code == 0, ran.log()
    change = ran.summary.split("## diagramgen: change in totals against main\n\n", 1)[1]
    calls = (tmp_path / "fake" / "calls").read_text("utf-8").splitlines()
    assert calls == [
        "-I -m diagramgen diff --help",
        f"-I -m diagramgen diff --json {base}:specs/container.json specs/container.json",
    ]
    assert change.startswith(
        "### `specs/container.json`\n\n"
        "+1 container; host docker1 memory 69% → 81%\n\n"
        "| figure | base | this pull request |\n| --- | ---: | ---: |\n"
        "| Docker host committed memory | 22 GiB (69%) | 26 GiB (81%) |\n"
    )
    assert "- changed container `web | <b>`: memory 1 GiB → 2 GiB" in change
    assert "- New warning: `memory-overcommit` at `/hosts/0`: over" in change
    assert change.endswith("- `specs/new.json`: a new spec\n\n- `specs/vm.json`: removed\n\n")


def test_a_pull_request_in_a_shallow_clone_fetches_its_base(tmp_path: Path) -> None:
    project, base = _repository(tmp_path)
    _add_container(project)
    _git(project, "config", "uploadpack.allowAnySHA1InWant", "true")  # as GitHub allows
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth=1", "-b", "more", f"file://{project}", str(clone))
    with pytest.raises(subprocess.CalledProcessError):
        _git(clone, "cat-file", "-e", f"{base}^{{commit}}")
    fake = _fake_python(tmp_path / "fake", _DIFF)
    event = {"pull_request": {"base": {"sha": base}}}
    inputs = {**NONE, "python": str(fake), "check": "false"}
    ran = run_action(clone, tmp_path / "runner", inputs, event, "main")
    assert ran.code == 0, ran.log()
    assert "### `specs/container.json`" in ran.summary
    assert _git(clone, "cat-file", "-t", base) == "commit"
    # The check passes in the shallow clone: each picture names its spec by its content.
    checked = run_action(clone, tmp_path / "runner2", NONE)
    assert checked.code == 0, checked.log()


def test_without_a_diff_command_the_pull_request_step_writes_a_note(tmp_path: Path) -> None:
    project, base = _repository(tmp_path)
    _add_container(project)
    fake = _fake_python(tmp_path / "fake", None)
    event = {"pull_request": {"base": {"sha": base}}}
    ran = run_action(project, tmp_path / "runner", {**NONE, "python": str(fake)}, event, "main")
    assert ran.code == 0, ran.log()
    assert ran.summary.endswith(
        "## diagramgen: change in totals against main\n\n"
        "This diagramgen has no `diff` command: the change is not shown.\n"
    )


def _has_diff() -> bool:
    done = subprocess.run(
        [_PYTHON, "-I", "-m", "diagramgen", "diff", "--help"], capture_output=True, text=True
    )
    return done.returncode == 0


@pytest.mark.skipif(not _has_diff(), reason="this diagramgen has no diff command yet")
def test_a_pull_request_with_the_real_diff_command(tmp_path: Path) -> None:
    project, base = _repository(tmp_path)
    _add_container(project)
    event = {"pull_request": {"base": {"sha": base}}}
    ran = run_action(project, tmp_path / "runner", NONE, event, "main")
    assert ran.code == 0, ran.log()
    change = ran.summary.split("## diagramgen: change in totals against main\n\n", 1)[1]
    assert "### `specs/container.json`\n\n" in change
    assert "| figure | base | this pull request |" in change


def _docs_workflow() -> dict[str, Any]:
    page = (ROOT / "docs" / "ci-action.md").read_text("utf-8")
    block = page.split("<!-- test: workflow.yml -->\n```yaml\n", 1)[1].split("\n```\n", 1)[0]
    data: dict[str, Any] = YAML(typ="safe").load(block)
    return data


def test_the_docs_workflow_runs_the_action_of_this_version_as_a_runner_would(
    tmp_path: Path,
) -> None:
    import diagramgen

    steps = _docs_workflow()["jobs"]["diagrams"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4"}  # a shallow clone is enough
    ours = next(step for step in steps if step["uses"].startswith("diagramgen/diagramgen@"))
    assert ours["uses"] == f"diagramgen/diagramgen@v{diagramgen.__version__}"
    project = tmp_path / "project"
    (project / "docs" / "diagrams").mkdir(parents=True)
    shutil.copy(SPECS / "hybrid.json", project / "docs" / "diagrams" / "hybrid.json")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "a spec")
    render = ["render", "docs/diagrams", "-o", "docs/img", "-f", "svg,png", "-q"]
    assert cli(*render, cwd=project).returncode == 0
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "its pictures")
    ran = run_action(project, tmp_path / "runner", {**ours["with"], **NONE})
    assert ran.code == 0, ran.log()
    assert "### `docs/diagrams/hybrid.json`: Hybrid\\: VMs as Docker hosts" in ran.summary


@pytest.mark.dist
def test_the_action_installs_its_own_version_in_a_virtual_environment(tmp_path: Path) -> None:
    """``install`` empty: pip installs the action's own checkout (a copy of this one)."""
    action_path = copy_checkout(tmp_path / "action")
    project, _ = _repository(tmp_path)
    ran = run_action(project, tmp_path / "runner", {}, action_path=action_path)
    assert ran.code == 0, ran.log()
    python = tmp_path / "runner" / "temp" / "diagramgen-venv" / "bin" / "python"
    assert ran.steps[0][1].stdout.startswith("diagramgen ")
    where = subprocess.run(
        [str(python), "-I", "-c", "import diagramgen; print(diagramgen.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(tmp_path / "runner" / "temp" / "diagramgen-venv"))
    assert "### `specs/vm.json`: Three VMs on ESXi" in ran.summary
