from __future__ import annotations

import json
import re
from pathlib import Path

from diagramgen import load, load_text
from diagramgen.accounting import compute
from diagramgen.accounting.compare import combine, measure

from .conftest import ROOT, cli_text, container_spec

GIB = 1024**3
AS_VMS = ROOT / "specs" / "compare" / "as-vms.json"
AS_CONTAINERS = ROOT / "specs" / "compare" / "as-containers.json"


_cli = cli_text


def test_compare_measures_both_sides_by_hand() -> None:
    first, second = load(AS_VMS), load(AS_CONTAINERS)
    spec = combine(first, second, ("vms", "containers"))
    vms, containers = measure("vms", compute(first)), measure("containers", compute(second))
    # As VMs: one host OS + three guest OSes, Debian 12 each (512 MiB, 4 GiB).
    assert vms.os_copies == 4 and containers.os_copies == 1
    assert vms.os_overhead.memory.value == 4 * 512 * 1024**2
    assert vms.os_overhead.disk.value == 16 * GIB
    assert containers.os_overhead.disk.value == 4 * GIB
    assert vms.workloads == containers.workloads == 3
    assert vms.density == 3.0
    # Ids are kept apart, links follow them.
    ids = [host.id for host in spec.hosts]
    assert ids == ["a.vmhost", "b.ctrhost"]
    assert all(link.source.startswith(("a.", "b.")) for link in spec.links)
    assert spec.title == "Three apps as VMs vs Three apps as containers"


def test_compare_json(tmp_path: Path) -> None:
    result = _cli("compare", str(AS_VMS), str(AS_CONTAINERS), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["a"]["os_copies"] == 4 and data["b"]["os_copies"] == 1
    assert data["a"]["os_overhead"]["memory"] == 2 * GIB
    # nginx 161.27 MB + python 119.2 MB stored once; naive counts python for both containers.
    assert data["b"]["image_disk"] == {"unique": 280_470_000, "naive": 399_670_000}
    assert data["a"]["committed"]["unknown"] == {"cpu": 2, "memory": 1}


def test_compare_draws_one_picture(tmp_path: Path) -> None:
    target = tmp_path / "cmp.svg"
    result = _cli("compare", str(AS_VMS), str(AS_CONTAINERS), "-o", str(target), "-f", "svg,png")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp.png", "cmp.svg"]
    svg = target.read_text()
    assert "Comparison" in svg and "as&#45;vms" in svg
    assert 'id="cmp-' in svg


def test_compare_of_an_invalid_spec_exits_1(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "data" / "invalid" / "link-self.json"
    result = _cli("compare", str(AS_VMS), str(bad), "-o", str(tmp_path / "x.svg"))
    assert result.returncode == 1
    assert "link-self.json:5:35" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_compare_json_gives_null_for_an_unknown_image_disk_as_totals_does(
    tmp_path: Path,
) -> None:
    document = json.loads(AS_CONTAINERS.read_text())
    for container in document["hosts"][0]["containers"]:
        container.pop("image", None)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(document))
    compared = json.loads(_cli("compare", str(AS_VMS), str(unknown), "--json").stdout)
    totals = json.loads(_cli("totals", str(unknown), "--json").stdout)
    assert compared["b"]["image_disk"] == totals["diagram"]["image_disk"]
    assert compared["b"]["image_disk"]["unique"] is None
    assert compared["b"]["image_disk"]["unknown"] == {"unique": 3, "naive": 3}


def test_the_library_compare_gives_data_and_pictures() -> None:
    import diagramgen

    comparison = diagramgen.compare(AS_VMS, AS_CONTAINERS, ["svg", "dot"])
    assert comparison.a.label == "as-vms" and comparison.b.label == "as-containers"
    assert comparison.data()["a"]["os_copies"] == 4
    assert sorted(comparison.pictures) == ["dot", "svg"]
    assert b'id="as-vms-vs-as-containers-' in comparison.pictures["svg"]


def test_an_output_name_with_dots_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes((ROOT / "specs" / "vm.json").read_bytes())
    (tmp_path / "b.json").write_bytes((ROOT / "specs" / "container.json").read_bytes())
    compare = cli_text(
        "compare", "a.json", "b.json", "-o", "cmp/design-1.2", "-f", "svg,dot", cwd=tmp_path
    )
    assert compare.returncode == 0, compare.stderr
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == [
        "design-1.2.dot",
        "design-1.2.svg",
    ]


def test_the_picture_names_components_as_their_specs_do_and_labels_the_links() -> None:
    from diagramgen.api import compare as draw_both

    unnamed = container_spec(
        [
            {"id": "nginx", "limits": {"cpu": 1, "memory": "1GiB"}},
            {"id": "pg", "limits": {"cpu": 1, "memory": "1GiB"}},
        ],
        [{"from": "nginx", "to": "pg", "label": "TCP 5432"}],
    )
    spec = load_text(json.dumps(unnamed))
    dot = draw_both(spec, spec, ["dot"], labels=("one", "two")).pictures["dot"].decode()
    shown = re.sub(r'(ID|TOOLTIP|id)="[^"]*"|"[a-z_.-]+" -> "[a-z_.-]+"', "", dot)
    assert "a.nginx" not in shown and "b.pg" not in shown
    assert ">nginx<" in shown
    # Each side's link labelled on its line (as its spec names it), none listed by number.
    assert shown.count(">TCP 5432<") == 2
    assert "nginx → pg" not in shown
