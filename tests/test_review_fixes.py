"""Cases found by a review of the file handling, each pinned by a test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diagramgen import SpecInvalid, load, load_text
from diagramgen.api import render
from diagramgen.draw.svg import prefix_for
from diagramgen.errors import InvalidArgument
from diagramgen.files.batch import render_files
from diagramgen.files.discover import find_specs
from diagramgen.spec.limits import Limits, parse_limits

from .conftest import ROOT, cli

VM = (ROOT / "specs" / "vm.json").read_bytes()


_cli = cli


def test_a_failing_spec_removes_only_what_diagramgen_wrote(tmp_path: Path) -> None:
    (tmp_path / "arch.json").write_text('{"version": 1, "hosts": []}')
    out = tmp_path / "img"
    out.mkdir()
    (out / "arch.png").write_text("drawn by hand")
    summary = render_files(
        find_specs([str(tmp_path / "arch.json")]), out, ["svg"], engine="embedded"
    )
    assert summary.failed and summary.removed == []
    assert (out / "arch.png").read_text() == "drawn by hand"


def test_globs_do_not_follow_folder_links(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "net").mkdir(parents=True)
    (docs / "top.json").write_bytes(VM)
    (docs / "net" / "edge.json").write_bytes(VM)
    (docs / "net" / "up").symlink_to(docs, target_is_directory=True)
    names = [found.name for found in find_specs([str(docs / "**" / "*.json")])]
    assert names == ["net/edge", "top"]


def test_file_problems_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "vm.json").write_bytes(VM)
    (tmp_path / "specs" / "gone.json").symlink_to(tmp_path / "specs" / "missing.json")
    (tmp_path / "afile").write_text("x")
    broken = _cli("render", "specs", "-o", "out", "-q", cwd=tmp_path)
    assert broken.returncode == 1
    assert b"gone.json: cannot read: No such file or directory" in broken.stderr
    assert b"Traceback" not in broken.stderr
    assert (tmp_path / "out" / "vm.svg").exists()
    into_file = _cli("render", "specs/vm.json", "-o", "afile", cwd=tmp_path)
    assert into_file.returncode == 2 and b"afile: is a file; -o takes a folder" in into_file.stderr
    (tmp_path / "folder").mkdir()
    init = _cli("init", "folder", "--force", cwd=tmp_path)
    assert init.returncode == 1 and b"Traceback" not in init.stderr
    assert init.stderr == b"folder: is a folder; give the path of the spec file to write\n"


def test_spec_size_is_checked_before_reading_in_a_batch(tmp_path: Path) -> None:
    (tmp_path / "vm.json").write_bytes(VM)
    summary = render_files(
        find_specs([str(tmp_path / "vm.json")]),
        tmp_path / "out",
        ["svg"],
        engine="embedded",
        limits=Limits(spec_bytes=100),
    )
    assert "too large for a spec" in summary.outcomes[0].errors[0]


def test_changing_a_limit_invalidates_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "vm.json").write_bytes(VM)
    specs = find_specs([str(tmp_path / "vm.json")])
    render_files(specs, tmp_path / "out", ["svg"], engine="embedded")
    strict = render_files(
        specs, tmp_path / "out", ["svg"], engine="embedded", check=True, limits=Limits(components=1)
    )
    assert strict.failed


def test_text_that_looks_like_a_reference_is_drawn_as_written() -> None:
    document = json.loads(VM)
    document["hosts"][0]["name"] = "see url(#top) and href=#x"
    svg = render(load_text(json.dumps(document)), ["svg"], engine="embedded", name="u")[
        "svg"
    ].decode()
    assert "see url(#top) and href=#x" in svg


def test_a_lowered_depth_limit_applies_to_valid_specs() -> None:
    with pytest.raises(SpecInvalid) as raised:
        load(ROOT / "specs" / "vm.json", Limits(depth=3))
    assert "the limit is 3" in raised.value.lines()[0]


def test_non_ascii_names_get_distinct_prefixes() -> None:
    prefixes = {
        prefix_for(name) for name in ("网络", "архитектура", "hybrid", "my.spec", "my-spec")
    }
    assert len(prefixes) == 5
    assert prefix_for("hybrid") == "hybrid"
    assert all(p[0].isalpha() for p in prefixes)


def test_smaller_cases(tmp_path: Path) -> None:
    check = _cli("render", "-", "--check", cwd=tmp_path, stdin=VM)
    assert check.returncode == 2 and b"--check" in check.stderr
    with pytest.raises(InvalidArgument, match="between 1 and"):
        parse_limits(["spec-bytes=99999999999999999999"])
    (tmp_path / "a.json").write_bytes(VM)
    (tmp_path / "b.json").write_bytes((ROOT / "specs" / "container.json").read_bytes())
    compare = _cli(
        "compare", "a.json", "b.json", "-o", "cmp/design-1.2", "-f", "svg,dot", cwd=tmp_path
    )
    assert compare.returncode == 0, compare.stderr
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == [
        "design-1.2.dot",
        "design-1.2.svg",
    ]
