"""The page's promises (tests/pagegeometry.py), checked on every picture the layout draws:
the examples, a fixture for each case the layout must handle, random pages at three widths,
and the comparison; and each checker shown to fail on the pictures the layout drew before
(tests/data/page/before/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from diagramgen import Settings, load, load_text
from diagramgen.accounting.compare import combine
from diagramgen.api import compare, render
from diagramgen.draw.themes import THEMES
from diagramgen.spec.model import Spec

from . import pagegeometry as page
from .conftest import DATA, SPECS, example_specs
from .linkgeometry import Picture, read_picture
from .randompages import random_spec

FIXTURES = sorted((DATA / "page").glob("*.json"))
BEFORE = DATA / "page" / "before"
PICTURES = [
    *example_specs(),
    *FIXTURES,
    DATA / "render" / "many-vms.json",
    *sorted((DATA / "links").glob("*.json")),
]
_SIZE = re.compile(r'<svg width="([0-9.]+)px" height="([0-9.]+)px"')


def _svg(spec: Spec, width: int = 760, name: str = "page") -> bytes:
    settings = Settings(width=width, name=name, embed_fonts=False, engine="embedded")
    return render(spec, ["svg"], settings=settings)["svg"]


def _size(svg: bytes) -> tuple[float, float]:
    found = _SIZE.search(svg.decode())
    assert found is not None
    return float(found.group(1)), float(found.group(2))


def _problems(spec: Spec, picture: Picture, budget: int) -> list[str]:
    return [
        *page.floating(spec, picture),
        *page.unbalanced(spec, picture),
        *page.unused_width(spec, picture, budget),
        *page.detached(spec, picture),
        *page.uneven_bars(spec, picture),
        *page.loose_panel(picture),
        *page.cut_texts(picture),
        *page.blank_boxes(picture),
    ]


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_every_picture_keeps_the_page_promises(path: Path) -> None:
    spec = load(path)
    svg = _svg(spec, name=path.stem)
    assert _size(svg)[0] <= 760
    problems = _problems(spec, read_picture(svg), 760)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [480, 760, 1200])
@pytest.mark.parametrize("seed", range(12))
def test_random_pages_keep_the_page_promises(seed: int, width: int) -> None:
    spec = load_text(json.dumps(random_spec(seed)), f"random-{seed}.json")
    svg = _svg(spec, width, f"random-{seed}")
    assert _size(svg)[0] <= width
    problems = _problems(spec, read_picture(svg), width)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.stem)
def test_the_same_spec_draws_the_same_bytes(path: Path) -> None:
    assert _svg(load(path), name=path.stem) == _svg(load(path), name=path.stem)


# The cases of the issue, one by one


def _picture(name: str, width: int = 760) -> tuple[Spec, Picture, bytes]:
    spec = load(DATA / "page" / f"{name}.json")
    svg = _svg(spec, width, name)
    return spec, read_picture(svg), svg


def _frame_height(picture: Picture) -> float:
    return max(f.rect.bottom for f in picture.frames) - min(f.rect.top for f in picture.frames)


def test_four_vms_stand_side_by_side_on_their_hypervisor() -> None:
    """Three Docker hosts of four containers and a database VM: one band of four VMs on the
    KVM bar, the host (without its totals) about 760 x 600."""
    spec, picture, svg = _picture("three-docker-hosts-and-a-db")
    vms = [picture.cells[vm.id] for vm in spec.hosts[0].vms]
    assert len({round(vm.bottom) for vm in vms}) == 1, "the VMs do not share one baseline"
    assert page.floating(spec, picture) == []
    assert _size(svg)[0] == 760
    assert _frame_height(picture) <= 620


def test_six_apps_on_one_engine_are_not_five_and_one() -> None:
    spec, picture, _ = _picture("six-apps-on-one-engine")
    rows = page._rows([picture.cells[c.id] for c in spec.hosts[0].containers], "top")
    assert rows in ([6], [3, 3], [2, 2, 2]), rows


def test_a_one_app_vm_is_as_wide_as_its_content() -> None:
    """A one-app VM beside Docker hosts of four containers is narrower than they are, and in
    their band: no row of its own, no hole."""
    spec, picture, _ = _picture("one-app-beside-docker-hosts")
    host = spec.hosts[0]
    small = next(vm for vm in host.vms if len(vm.workloads()) == 1)
    others = [picture.cells[vm.id] for vm in host.vms if vm is not small]
    own = picture.cells[small.id]
    assert all(own.right - own.left < 0.75 * (o.right - o.left) for o in others)
    assert len(page._vm_rows([own, *others])) == 1


def test_a_vm_with_no_apps_says_so() -> None:
    spec, picture, _ = _picture("vm-with-no-apps")
    assert page.blank_boxes(picture) == []
    idle = next(vm for vm in spec.hosts[0].vms if not vm.workloads())
    rect = picture.cells[idle.id]
    texts = [t.content for t in picture.texts if rect.encloses(t.rect, 1)]
    assert texts, "the idle VM's cell says nothing"


def test_long_names_wrap_instead_of_being_shortened() -> None:
    for width in (480, 760):
        _, picture, _ = _picture("long-names", width)
        assert not [t.content for t in picture.texts if "…" in t.content], width


@pytest.mark.parametrize("width", [760, 1200])
def test_vms_and_containers_stand_side_by_side(width: int) -> None:
    spec = load(SPECS / "vms-vs-containers.json")
    picture = read_picture(_svg(spec, width, "vms-vs-containers"))
    frames = sorted(picture.frames, key=lambda f: f.rect.left)
    assert len(frames) == 2 and frames[0].rect.right < frames[1].rect.left
    assert page.stacked_hosts(spec, picture) == []


def test_the_two_sides_of_a_comparison_stand_side_by_side() -> None:
    first, second = SPECS / "compare" / "as-vms.json", SPECS / "compare" / "as-containers.json"
    svg = compare(first, second, ["svg"], Settings(embed_fonts=False)).pictures["svg"]
    picture = read_picture(svg)
    both = combine(load(first), load(second), ("as-vms", "as-containers"))
    frames = sorted(picture.frames, key=lambda f: f.rect.left)
    assert len(frames) == 2 and frames[0].rect.right < frames[1].rect.left
    assert page.stacked_hosts(both, picture) == []
    assert _size(svg)[0] <= 760


def test_the_panel_goes_beside_the_hosts_when_there_is_room() -> None:
    spec = load(SPECS / "vm.json")
    picture = read_picture(_svg(spec, 1400, "vm"))
    panel = [t.rect for t in picture.texts if t.node.endswith("totals")]
    (frame,) = picture.frames
    assert min(r.left for r in panel) > frame.rect.right
    assert page.loose_panel(picture) == []


# The checkers, shown to fail on the pictures the layout drew before


def _before(name: str) -> Picture:
    return read_picture((BEFORE / f"{name}.svg").read_bytes())


def test_floating_flags_vms_standing_on_vms() -> None:
    spec = load(DATA / "page" / "three-docker-hosts-and-a-db.json")
    problems = page.floating(spec, _before("three-docker-hosts-and-a-db"))
    assert "VM dh2 stands on nothing" in problems[1]
    fourteen = page.floating(load(DATA / "links" / "fourteen-vms.json"), _before("fourteen-vms"))
    assert len([p for p in fourteen if p.startswith("VM ")]) >= 12


def test_unbalanced_flags_four_and_two() -> None:
    spec = load(DATA / "page" / "six-apps-on-one-engine.json")
    assert page.unbalanced(spec, _before("six-apps-on-one-engine")) == [
        "items ['appA', 'appB', 'appC']… in rows of [4, 2]"
    ]


def test_unused_width_flags_a_wrapped_picture_narrower_than_the_column() -> None:
    spec = load(DATA / "page" / "four-docker-hosts.json")
    (problem,) = page.unused_width(spec, _before("four-docker-hosts"), 760)
    assert problem.startswith("wraps, yet uses")


def test_detached_flags_a_vm_title_above_its_stack() -> None:
    spec = load(DATA / "links" / "fourteen-vms.json")
    problems = page.detached(spec, _before("fourteen-vms"))
    assert len(problems) == 14 and "touches none of its stack" in problems[0]


def test_stacked_hosts_flags_two_designs_one_above_the_other() -> None:
    spec = load(SPECS / "vms-vs-containers.json")
    assert page.stacked_hosts(spec, _before("vms-vs-containers")) == ["hosts on 2 baselines"]
    first, second = (
        load(SPECS / "compare" / "as-vms.json"),
        load(SPECS / "compare" / "as-containers.json"),
    )
    both = combine(first, second, ("as-vms", "as-containers"))
    assert page.stacked_hosts(both, _before("as-vms-vs-as-containers")) == ["hosts on 2 baselines"]


def test_loose_panel_flags_rows_22_points_apart() -> None:
    assert page.loose_panel(_before("six-apps-on-one-engine")) == ["panel lines 22 apart at y=-199"]


def test_cut_texts_flags_a_name_shortened_on_its_second_line() -> None:
    assert page.cut_texts(_before("long-names")) == [
        "'reconciliation-service-fo…' is shortened on line 2 of its text"
    ]


def test_blank_boxes_flags_a_cell_with_nothing_in_it() -> None:
    """The pictures before drew no blank box for these fixtures; one is made by taking the
    texts out of a VM's cell of today's picture."""
    spec = load(DATA / "page" / "vm-with-no-apps.json")
    svg = _svg(spec, name="vm-with-no-apps").decode()
    start = svg.index('id="vm-with-no-apps-a_c&#45;spare"')
    end = svg.index("</g>", start)
    emptied = svg[:start] + re.sub(r"<text[^>]*>[^<]*</text>", "", svg[start:end]) + svg[end:]
    (problem,) = page.blank_boxes(read_picture(emptied))
    assert problem.startswith("a blank vm box")


def test_uneven_bars_flags_a_bar_higher_than_its_neighbours() -> None:
    """No picture before stood hosts side by side; one is made by raising the container
    host's infrastructure bar of today's picture by 4 points."""
    spec = load(SPECS / "vms-vs-containers.json")
    svg = _svg(spec, name="vms-vs-containers").decode()
    picture = read_picture(svg)
    frame = next(f.rect for f in picture.frames if f.host == "ctrhost")
    fill = THEMES["light"].fill("infrastructure")

    def raised(match: re.Match[str]) -> str:
        points = [tuple(map(float, p.split(","))) for p in match["points"].split()]
        if not all(frame.left <= x <= frame.right for x, _ in points):
            return match[0]
        moved = " ".join(f"{x:g},{y - 4:g}" for x, y in points)
        return match[0].replace(match["points"], moved)

    pattern = rf'<polygon fill="{fill}" stroke="none" points="(?P<points>[^"]+)"'
    problems = page.uneven_bars(spec, read_picture(re.sub(pattern, raised, svg)))
    assert problems and problems[0].startswith("bar 1 from the bottom at ")
    assert page.uneven_bars(spec, picture) == []
