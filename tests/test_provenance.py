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


def test_each_format_names_the_spec_by_path_and_content(repository: Path) -> None:
    spec = repository / "docs" / "stack.json"
    blob = _git(repository, "hash-object", "docs/stack.json")
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()
    line = f"from docs/stack.json · git blob {blob} · sha256 {digest} · diagramgen {__version__}"
    pictures = draw(spec, ["svg", "png", "pdf"], Settings(embed_fonts=False)).pictures
    assert _metadata(pictures["svg"]) == line
    with Image.open(io.BytesIO(pictures["png"])) as image:
        assert image.text["Source"] == line
    subject = ("\ufeff" + line).encode("utf-16-be").hex().upper().encode()
    assert b"/Subject <" + subject + b">" in pictures["pdf"]
    # git finds the spec from the picture: the blob is its content, and the commits hold it.
    assert _git(repository, "show", blob[:7]) == spec.read_text().strip()
    assert _git(repository, "log", "--format=%s", f"--find-object={blob}") == "the stack"


def test_committing_renaming_history_or_a_shallow_clone_change_no_picture(
    repository: Path, tmp_path: Path
) -> None:
    spec = repository / "docs" / "stack.json"
    document = json.loads(spec.read_text())
    document["title"] = "Edited"
    spec.write_text(json.dumps(document))
    before = draw(spec, ["svg"], Settings(embed_fonts=False)).pictures["svg"]  # uncommitted
    _git(repository, "commit", "-q", "-am", "edited")
    (repository / "README").write_text("other work\n")
    _git(repository, "add", "README")
    _git(repository, "commit", "-q", "-m", "unrelated")
    assert draw(spec, ["svg"], Settings(embed_fonts=False)).pictures["svg"] == before
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repository}", str(shallow)], check=True
    )
    cloned = draw(shallow / "docs" / "stack.json", ["svg"], Settings(embed_fonts=False))
    assert cloned.pictures["svg"] == before


def test_outside_git_the_path_is_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    spec = tmp_path / "a" / "s.json"
    spec.write_text((SPECS / "vm.json").read_text())
    monkeypatch.chdir(tmp_path)
    origin = origin_of(Path("a/s.json"), spec.read_bytes())
    assert origin.path == "a/s.json"
    assert (
        origin.blob
        == hashlib.sha1(
            b"blob %d\0" % spec.stat().st_size + spec.read_bytes(), usedforsecurity=False
        ).hexdigest()
    )


def test_the_same_spec_gives_the_same_bytes_and_the_footer_draws_it(repository: Path) -> None:
    spec = repository / "docs" / "stack.json"
    settings = Settings(embed_fonts=False, footer=True)
    first = draw(spec, ["svg"], settings).pictures["svg"]
    assert draw(spec, ["svg"], settings).pictures["svg"] == first
    texts = re.findall(rb"<text[^>]*>([^<]*)</text>", first)
    blob = _git(repository, "hash-object", "docs/stack.json")[:7]
    line = f"from docs/stack.json @ {blob} \N{MIDDLE DOT} diagramgen {__version__}"
    assert line.encode() in texts
    plain = draw(spec, ["svg"], Settings(embed_fonts=False)).pictures["svg"]
    shown = re.findall(rb"<text[^>]*>([^<]*)</text>", plain)
    assert not any(text.startswith(b"from docs/") for text in shown)


def test_an_edit_of_the_spec_renders_its_pictures_again_a_commit_does_not(
    repository: Path, tmp_path: Path
) -> None:
    spec = repository / "docs" / "stack.json"
    out = tmp_path / "out"
    specs = find_specs([str(spec)])
    settings = Settings(engine="embedded", embed_fonts=False)
    render_files(specs, out, ["svg"], settings, jobs=1)
    _git(repository, "commit", "-q", "--allow-empty", "-m", "empty")
    assert render_files(specs, out, ["svg"], settings, jobs=1).outcomes[0].status == "unchanged"
    document = json.loads(spec.read_text())
    document["$comment"] = "reviewed"
    spec.write_text(json.dumps(document))
    again = render_files(specs, out, ["svg"], settings, jobs=1).outcomes[0]
    assert again.status == "rendered"
    blob = _git(repository, "hash-object", "docs/stack.json")
    assert blob in _metadata((out / "stack.svg").read_bytes())
    _git(repository, "commit", "-q", "-am", "reviewed")
    check = render_files(specs, out, ["svg"], settings, jobs=1, check=True)
    assert check.outcomes[0].status == "unchanged"
