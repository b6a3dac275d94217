"""Every picture says where it came from: the spec's path, its last commit, its digest and
diagramgen's version, in each format's metadata, and under the picture with --footer."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from diagramgen import Settings, __version__
from diagramgen.api import draw, render_files
from diagramgen.files.discover import find_specs
from diagramgen.files.origin import origin_of

from .conftest import SPECS


def _git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "stack.json").write_text((SPECS / "vm.json").read_text())
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "the stack")
    return tmp_path


def _metadata(svg: bytes) -> str:
    found = re.search(rb"<metadata>(.*?)</metadata>", svg)
    assert found is not None
    return found.group(1).decode()


def test_each_format_names_the_spec_its_commit_and_digest(repository: Path) -> None:
    spec = repository / "docs" / "stack.json"
    commit = _git(repository, "log", "-1", "--format=%h")
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()
    line = f"from docs/stack.json @ {commit} · diagramgen {__version__} · sha256 {digest}"
    pictures = draw(spec, ["svg", "png", "pdf"], Settings(embed_fonts=False)).pictures
    assert _metadata(pictures["svg"]) == line
    with Image.open(io.BytesIO(pictures["png"])) as image:
        assert image.text["Source"] == line
    subject = ("\ufeff" + line).encode("utf-16-be").hex().upper().encode()
    assert b"/Subject <" + subject + b">" in pictures["pdf"]


def test_an_unrelated_commit_changes_no_picture_and_an_edit_is_marked(repository: Path) -> None:
    spec = repository / "docs" / "stack.json"
    first = origin_of(spec, spec.read_bytes())
    (repository / "README").write_text("other work\n")
    _git(repository, "add", "README")
    _git(repository, "commit", "-q", "-m", "unrelated")
    assert origin_of(spec, spec.read_bytes()) == first  # not HEAD: the spec's own commit
    document = json.loads(spec.read_text())
    document["title"] = "Edited"
    spec.write_text(json.dumps(document))
    edited = origin_of(spec, spec.read_bytes())
    assert edited.commit == first.commit and edited.modified
    assert "(modified)" in edited.line(__version__)


def test_outside_git_the_path_is_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    spec = tmp_path / "a" / "s.json"
    spec.write_text((SPECS / "vm.json").read_text())
    monkeypatch.chdir(tmp_path)
    origin = origin_of(Path("a/s.json"), spec.read_bytes())
    assert (origin.path, origin.commit) == ("a/s.json", None)


def test_the_same_spec_gives_the_same_bytes_and_the_footer_draws_it(repository: Path) -> None:
    spec = repository / "docs" / "stack.json"
    settings = Settings(embed_fonts=False, footer=True)
    first = draw(spec, ["svg"], settings).pictures["svg"]
    assert draw(spec, ["svg"], settings).pictures["svg"] == first
    texts = re.findall(rb"<text[^>]*>([^<]*)</text>", first)
    commit = _git(repository, "log", "-1", "--format=%h").encode()
    assert any(t.startswith(b"from docs/stack.json @ " + commit) for t in texts)
    plain = draw(spec, ["svg"], Settings(embed_fonts=False)).pictures["svg"]
    shown = re.findall(rb"<text[^>]*>([^<]*)</text>", plain)
    assert not any(text.startswith(b"from docs/") for text in shown)


def test_a_new_commit_of_the_spec_renders_its_pictures_again(
    repository: Path, tmp_path: Path
) -> None:
    spec = repository / "docs" / "stack.json"
    out = tmp_path / "out"
    specs = find_specs([str(spec)])
    settings = Settings(engine="embedded", embed_fonts=False)
    render_files(specs, out, ["svg"], settings, jobs=1)
    assert render_files(specs, out, ["svg"], settings, jobs=1).outcomes[0].status == "unchanged"
    _git(repository, "commit", "-q", "--allow-empty", "-m", "empty")
    assert render_files(specs, out, ["svg"], settings, jobs=1).outcomes[0].status == "unchanged"
    document = json.loads(spec.read_text())
    document["$comment"] = "reviewed"
    spec.write_text(json.dumps(document))
    _git(repository, "commit", "-q", "-am", "reviewed")
    again = render_files(specs, out, ["svg"], settings, jobs=1).outcomes[0]
    assert again.status == "rendered"
    commit = _git(repository, "log", "-1", "--format=%h")
    assert commit in _metadata((out / "stack.svg").read_bytes())
