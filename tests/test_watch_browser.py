"""The watch page in a real browser: it follows saves, shows errors over the last good picture,
and clears them when the spec is fixed; screenshots of each state go to $DIAGRAMGEN_SHOTS."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import SPECS
from .devtools import Chromium
from .test_watch import _save, _watching, _worker_of_the_main_thread  # noqa: F401

pytestmark = pytest.mark.browser
pytest.importorskip("watchfiles")


def _shoot(browser: Chromium, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("DIAGRAMGEN_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    browser.screenshot(folder / f"watch-{name}.png")


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPECS / "hybrid.json").read_text())
    return document


def test_the_page_follows_saves_errors_and_fixes(tmp_path: Path) -> None:
    spec = tmp_path / "stack.json"
    shutil.copy(SPECS / "hybrid.json", spec)
    with _watching(spec) as server, Chromium(tmp_path, 1280, 900) as browser:
        browser.navigate(server.url)
        browser.wait_for("document.querySelector('#view[data-status=ok] #picture svg') !== null")
        assert "KVM host" in browser.evaluate("document.getElementById('totals').textContent")
        width = browser.evaluate(
            "document.querySelector('#picture svg').getBoundingClientRect().width"
        )
        assert 0 < width <= 1280
        _shoot(browser, tmp_path, "1-first")
        browser.evaluate("window.scrollTo(0, 400)")

        document = _document()
        document["hosts"][0]["vms"][0]["name"] = "renamed_vm"
        document["title"] = "Saved again"
        _save(spec, document)
        browser.wait_for("document.getElementById('totals').textContent.includes('renamed_vm')")
        assert browser.evaluate("document.querySelector('#picture svg').textContent").count(
            "renamed_vm"
        )
        assert browser.evaluate("document.getElementById('title').textContent") == "Saved again"
        assert browser.evaluate("window.scrollY") == 400  # no reload, scroll position kept
        browser.evaluate("window.scrollTo(0, 0)")
        _shoot(browser, tmp_path, "2-saved")

        broken = _document()
        broken["hosts"][0]["vms"][0]["allocated"]["memory"] = "4 gigs"
        broken["hosts"][0]["vms"][0]["containers"][0]["replicas"] = 0
        _save(spec, broken)
        browser.wait_for("!document.getElementById('errors').hidden")
        errors = browser.evaluate(
            "[...document.querySelectorAll('#error-list li')].map(li => li.textContent)"
        )
        assert [line.split(": ")[:2] for line in errors] == [
            [f"{spec}:38:23", "/hosts/0/vms/0/allocated/memory"],
            [f"{spec}:70:27", "/hosts/0/vms/0/containers/0/replicas"],
        ]
        # The last good picture stays, dimmed.
        assert browser.evaluate("document.getElementById('picture').className") == "stale"
        assert "renamed_vm" in browser.evaluate(
            "document.querySelector('#picture svg').textContent"
        )
        assert browser.evaluate("document.title").startswith("✗ ")
        _shoot(browser, tmp_path, "3-invalid")

        _save(spec, _document())
        browser.wait_for("document.getElementById('errors').hidden")
        assert browser.evaluate("document.getElementById('picture').className") == ""
        assert "renamed_vm" not in browser.evaluate(
            "document.querySelector('#picture svg').textContent"
        )
        _shoot(browser, tmp_path, "4-fixed")


def test_a_folder_gets_an_index_of_its_specs(tmp_path: Path) -> None:
    shutil.copy(SPECS / "vm.json", tmp_path / "vm.json")
    shutil.copy(SPECS / "container.json", tmp_path / "container.json")
    (tmp_path / "broken.json").write_text('{"version": 1}')
    with _watching(tmp_path) as server, Chromium(tmp_path, 1280, 700) as browser:
        browser.navigate(server.url)
        browser.wait_for("document.querySelectorAll('#specs a:not(.pending)').length === 3")
        names = browser.evaluate("[...document.querySelectorAll('#specs a')].map(a => a.className)")
        assert names == ["invalid", "ok", "ok"]
        _shoot(browser, tmp_path, "5-index")
        browser.evaluate("document.querySelectorAll('#specs a')[2].click()")
        browser.wait_for("document.querySelector('#view[data-status=ok] #picture svg') !== null")
        assert browser.evaluate("location.hash") == "#vm"
        assert not browser.evaluate("document.getElementById('home').hidden")
