"""The CI action's Markdown (diagramgen.ci): totals, their change, stale pictures, the base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from diagramgen.ci import (
    base_revision,
    difference_markdown,
    main,
    markdown_text,
    stale_markdown,
    totals_markdown,
)

from .conftest import cli_text, container_spec


def _totals(*paths: str, cwd: Path | None = None) -> Any:
    done = cli_text("totals", "--json", *paths, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_one_spec_has_its_counts_hosts_and_warnings() -> None:
    text = totals_markdown(_totals("specs/container.json"), "specs/container.json")
    # By hand from specs/container.json: 9 containers on one host; limits sum to >= 13 of 16
    # cores (81 %) and >= 22 of 32 GiB (69 %), 3 of whose 9 containers share image layers.
    assert text == (
        "## diagramgen: totals\n\n"
        "### `specs/container.json`: Containers on Docker\n\n"
        "1 host · 0 VMs · 9 containers · 0 apps · 1 OS copy using 512 MiB memory, 4 GiB disk"
        " · image disk 641 MiB (1.13 GiB without sharing)\n\n"
        "| host | stack | cpu committed | memory committed | disk committed |\n"
        "| --- | --- | ---: | ---: | ---: |\n"
        "| `docker1` | container | ≥ 13 vCPU of 16 vCPU (81%) | ≥ 22 GiB of 32 GiB (69%)"
        " | 4.87 GiB of 512 GiB (1%) |\n\n"
        '- ▲ `unbounded-container` at `/hosts/0/containers/3`: container "cache (Redis 7.4)"'
        " has no cpu or memory limit\\: it can starve its neighbours (a noisy-neighbour risk),"
        " and totals count it as unknown\n"
        "- 2 figures not given: totals marked ≥\n"
    )


def test_several_specs_each_have_a_section_in_order() -> None:
    text = totals_markdown(_totals("specs"))
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings[0] == "### `specs/compare/as-containers.json`: Three apps as containers"
    assert (
        "### `specs/proxmox.json`: Home lab\\: Proxmox VE with VMs and LXC containers" in headings
    )
    assert "3 system containers" in text and "3 userland copies" in text
    assert len(headings) == 8


def test_an_overcommitted_host_is_marked_and_unknown_capacity_shows_the_figure_alone(
    tmp_path: Path,
) -> None:
    spec = container_spec(
        [{"id": "a", "name": "a", "limits": {"cpu": 3, "memory": "6GiB"}}],
    )
    spec["hosts"][0]["infrastructure"]["capacity"] = {"cpu": 2, "memory": "8GiB"}
    (tmp_path / "s.json").write_text(json.dumps(spec), "utf-8")
    text = totals_markdown(_totals("s.json", cwd=tmp_path), "s.json")
    # 3 cores committed of 2: 150 %; memory 6 of 8 GiB: 75 % (at least: the OS and engine
    # give no figures); no disk figure at all.
    assert "| `h` | container | ≥ 3 vCPU of 2 vCPU (150% ▲) | ≥ 6 GiB of 8 GiB (75%) | — |" in text
    assert "- ▲ `cpu-overcommit` at `/hosts/0`: " in text


def test_spec_text_cannot_break_the_table_or_inject_markup() -> None:
    assert markdown_text("a | b <script>x</script> *c* `d` [e](f)\nnext") == (
        "a \\| b &lt;script&gt;x&lt;/script&gt; \\*c\\* \\`d\\` \\[e\\](f) next"
    )
    assert markdown_text(":smile: @someone #12") == "\\:smile\\: \\@someone \\#12"
    data = {
        "title": "T | <img src=x>",
        "diagram": {"hosts": 1},
        "hosts": [{"id": "h`1", "stack": "vm", "capacity": {}, "committed": {}}],
    }
    text = totals_markdown(data, "specs/a|b.json")
    assert "### `specs/a|b.json`: T \\| &lt;img src=x&gt;" in text
    assert "| `h'1` | vm | — | — | — |" in text


def test_errors_of_invalid_specs_are_listed() -> None:
    errors = "specs/bad.json:1:25: /hosts: must have at least one item\n"
    text = totals_markdown({}, "specs/bad.json", errors)
    assert text == (
        "## diagramgen: totals\n\n### Specs that failed\n\n"
        "- specs/bad.json\\:1\\:25\\: /hosts\\: must have at least one item\n"
    )
    assert "No specs found." in totals_markdown({})


DIFF = {
    "summary": "+1 container, 1 changed; host Docker host memory 69% → 86%",
    "labels": {"old": "main", "new": "specs/container.json"},
    "changes": [
        {
            "id": "web",
            "kind": "changed",
            "what": "container",
            "name": "web",
            "figures": [{"figure": "limit memory", "old": "256 MiB", "new": "1 GiB"}],
        },
        {"id": "extra", "kind": "added", "what": "container", "name": "extra"},
        {"id": "db", "kind": "moved", "what": "VM", "name": "db", "from": "h1", "to": "h2"},
    ],
    "figures": [
        {"figure": "Docker host committed memory", "old": "≥22 GiB (69%)", "new": "≥27.5 GiB (86%)"}
    ],
    "warnings": {
        "appeared": [
            {"code": "memory-overcommit", "pointer": "/hosts/0", "message": "memory over"},
            {"code": "unspecified", "pointer": "/hosts/0/containers/5", "message": "no size"},
        ],
        "resolved": [{"code": "unbounded-container", "pointer": "/hosts/0/containers/3"}],
    },
}


def test_a_difference_is_a_table_of_figures_then_the_changes() -> None:
    assert difference_markdown("specs/container.json", DIFF) == (
        "### `specs/container.json`\n\n"
        "+1 container, 1 changed; host Docker host memory 69% → 86%\n\n"
        "| figure | base | this pull request |\n| --- | ---: | ---: |\n"
        "| Docker host committed memory | ≥22 GiB (69%) | ≥27.5 GiB (86%) |\n\n"
        "<details><summary>3 changes</summary>\n\n"
        "- changed container `web`: limit memory 256 MiB → 1 GiB\n"
        "- added container `extra`\n"
        "- moved VM `db` from `h1` to `h2`\n\n"
        "</details>\n\n"
        "- New warning: `memory-overcommit` at `/hosts/0`: memory over\n"
        "- 1 figure not given now\n"
        "- Resolved warning: `unbounded-container` at `/hosts/0/containers/3`: \n"
    )


def test_a_difference_without_changes_says_so() -> None:
    assert difference_markdown("s.json", {"summary": "no component changed"}) == (
        "### `s.json`\n\nno component changed\n\nNo figure changed.\n"
    )


def test_the_stale_pictures_are_listed_as_check_printed_them() -> None:
    report = (
        "output/vm.svg: differs from what `diagramgen render` writes now\n"
        "output/new.svg: is missing from what `diagramgen render` writes now\n"
    )
    text = stale_markdown(report)
    assert text.startswith("## diagramgen render --check failed\n\n")
    assert "- output/vm.svg\\: differs from what \\`diagramgen render\\` writes now\n" in text


def test_the_base_revision_is_the_events_base_commit(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": sha, "ref": "main"}}}))
    assert base_revision({"GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": str(event)}) == sha
    # Without a usable event: the base branch as fetched from origin.
    event.write_text("{}")
    assert base_revision({"GITHUB_BASE_REF": "main", "GITHUB_EVENT_PATH": str(event)}) == (
        "origin/main"
    )
    event.write_text(json.dumps({"pull_request": {"base": {"sha": "main; rm -rf /"}}}))
    assert base_revision({"GITHUB_BASE_REF": "dev", "GITHUB_EVENT_PATH": str(event)}) == (
        "origin/dev"
    )
    assert base_revision({"GITHUB_EVENT_PATH": str(event)}) is None  # not a pull request


def test_main_reads_the_files_and_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "t.json").write_text("")
    (tmp_path / "e.txt").write_text("bad.json: cannot read\n")
    assert main(["totals", str(tmp_path / "t.json"), "--errors", str(tmp_path / "e.txt")]) == 0
    assert "- bad.json\\: cannot read" in capsys.readouterr().out
    (tmp_path / "d.json").write_text(json.dumps(DIFF))
    assert main(["difference", str(tmp_path / "d.json"), "--spec", "s.json"]) == 0
    assert capsys.readouterr().out.startswith("### `s.json`\n")
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    assert main(["base"]) == 1
    assert "not a pull request" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main(["base"]) == 0 and capsys.readouterr().out == "origin/main\n"
