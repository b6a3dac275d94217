"""The Compose importer: merge rules, figures, profiles, links, notes with their places, output.

Hand-computed figures for the fixtures (tests/data/import/compose), compose.yaml with
compose.override.yaml, every service (all profiles selected, "*"):

    web     3 replicas (override) x 250m, 128 MiB  =  750m,  384 MiB
    app     3 replicas x 500m, 768 MiB (override)  = 1500m, 2304 MiB; reserved 750m, 768 MiB
    db      1 x 2 cores, 3 GiB (override)          = 2000m, 3072 MiB; reserved      1024 MiB
    cache   1 x 500m (cpus), 512 MiB (deploy wins) =  500m,  512 MiB
    worker  2 (scale) x 1 core, 1 GiB              = 2000m, 2048 MiB
    adminer no limits                              = unknown (unbounded)
    committed: 6750m and 8320 MiB (≥, adminer unknown); reserved: 750m and 1792 MiB
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from diagramgen import load_text, render
from diagramgen.accounting import compute
from diagramgen.errors import DiagramgenError, InvalidArgument
from diagramgen.importers import Imported, ImportFailed, ImportNote, dump_spec, import_compose
from diagramgen.importers.quantities import QuantityError, docker_bytes, spec_bytes
from diagramgen.spec import Limits

from .conftest import cli_process

DATA = Path(__file__).resolve().parent / "data" / "import" / "compose"
BASE = str(DATA / "compose.yaml")
OVERRIDE = str(DATA / "compose.override.yaml")
MiB = 1024**2


def containers(imported: Imported) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in imported.document["hosts"][0]["containers"]}


def places(imported: Imported) -> list[tuple[str, int, int, str]]:
    return [(Path(w.file).name, w.line, w.column, w.path) for w in imported.warnings]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def validated(imported: Imported) -> Any:
    return load_text(json.dumps(imported.document), "imported.json")


# --- the fixtures, merged -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop() -> Imported:
    return import_compose(
        [BASE, OVERRIDE],
        profiles=["*"],
        docker_info=DATA / "docker-info.json",
        images=DATA / "images.jsonl",
    )


def test_override_wins_and_figures_follow_compose(shop: Imported) -> None:
    found = containers(shop)
    assert list(found) == ["web", "app", "db", "cache", "worker", "adminer"]
    assert found["web"]["limits"] == {"cpu": "250m", "memory": "128MiB"}
    assert found["web"]["replicas"] == 3  # the override's deploy.replicas
    assert found["app"]["limits"] == {"cpu": "500m", "memory": "768MiB"}  # merged into an alias
    assert found["app"]["reservations"] == {"cpu": "250m", "memory": "256MiB"}
    assert found["db"]["limits"] == {"cpu": 2, "memory": "3GiB"}  # legacy keys, overridden
    assert found["db"]["reservations"] == {"memory": "1GiB"}  # mem_reservation
    assert "replicas" not in found["db"]
    assert found["cache"]["limits"] == {"cpu": "500m", "memory": "512MiB"}  # deploy wins
    assert found["worker"]["replicas"] == 2  # scale
    assert found["worker"]["image"]["ref"] == "shop-worker"  # as compose names a built image
    assert "limits" not in found["adminer"]


def test_totals_by_hand(shop: Imported) -> None:
    totals = compute(validated(shop)).hosts[0]
    # web, app, db, cache, worker (adminer has no limits)
    assert totals.committed.cpu.value == 3 * 250 + 3 * 500 + 2000 + 500 + 2 * 1000 == 6750
    assert totals.committed.memory.value == (384 + 2304 + 3072 + 512 + 2048) * MiB == 8320 * MiB
    assert totals.capacity.cpu == 8000
    assert totals.capacity.memory == 16651628544


def test_reserved_totals_by_hand(shop: Imported) -> None:
    reserved = compute(validated(shop)).hosts[0].reserved
    assert reserved.cpu.value == 3 * 250 == 750  # app only: Compose reserves no cpu otherwise
    assert reserved.memory.value == (3 * 256 + 1024) * MiB == 1792 * MiB  # app, db


def test_host_from_docker_facts(shop: Imported) -> None:
    host = shop.document["hosts"][0]
    assert host["id"] == "shop-prod-1"
    assert host["stack"] == "container"
    assert host["name"] == "shop-prod-1"
    assert host["infrastructure"]["name"] == "Docker host (x86_64)"
    assert host["infrastructure"]["capacity"] == {"cpu": 8, "memory": 16651628544}
    assert host["host_os"] == {"name": "Ubuntu 24.04.1 LTS"}
    assert host["engine"] == {"name": "Docker Engine 27.3.1"}


def test_image_sizes_as_docker_prints_them(shop: Imported) -> None:
    found = containers(shop)
    assert found["web"]["image"] == {"ref": "nginx:1.27-alpine", "size": "48.3MB"}
    assert found["app"]["image"]["size"] == "187MB"
    assert found["worker"]["image"]["size"] == "212MB"


def test_without_facts_figures_are_left_out() -> None:
    imported = import_compose([BASE])
    host = imported.document["hosts"][0]
    assert host["infrastructure"] == {"name": "Docker host"}
    assert host["host_os"] == {"name": "Host OS"}
    assert host["engine"] == {"name": "Docker Engine"}
    assert all("size" not in c.get("image", {}) for c in host["containers"])
    assert compute(validated(imported)).hosts[0].capacity.cpu is None


def test_links_from_depends_on_with_the_targets_port(shop: Imported) -> None:
    assert shop.document["links"] == [
        {"from": "web", "to": "app", "label": "TCP 8000"},
        {"from": "app", "to": "db", "label": "TCP 5432"},
        {"from": "app", "to": "cache", "label": "TCP 6379"},
        {"from": "worker", "to": "db", "label": "TCP 5432"},
        {"from": "worker", "to": "cache", "label": "TCP 6379"},
        {"from": "adminer", "to": "db", "label": "TCP 5432"},
    ]


def test_warnings_name_their_places(shop: Imported) -> None:
    assert places(shop) == [
        ("compose.yaml", 48, 17, "services.db.cpu_shares"),
        ("compose.yaml", 58, 19, "services.cache.deploy.resources.limits.memory"),
        ("compose.yaml", 61, 12, "services.worker.build"),
        ("compose.override.yaml", 10, 18, "services.app.environment.LOG_LEVEL"),
        ("images.jsonl", 0, 0, ""),
    ]
    disagree = shop.warnings[1]
    assert disagree.format() == (
        f"{BASE}:58:19: services.cache.deploy.resources.limits.memory:"
        " deploy.resources.limits.memory (512MiB) and mem_limit (256MiB) disagree: recent"
        " Compose refuses this, older versions apply deploy.resources.limits.memory;"
        " it is used here"
    )
    assert "not counted" in shop.warnings[0].message
    assert "rounded to 3 significant digits" in shop.warnings[4].message


def test_config_json_gives_the_same_figures() -> None:
    imported = import_compose([DATA / "compose-config.json"], images=DATA / "images-inspect.json")
    found = containers(imported)
    assert found["app"]["limits"] == {"cpu": "500m", "memory": "768MiB"}
    assert found["web"]["replicas"] == 3
    assert found["db"]["image"] == {"ref": "postgres:16", "size": 435069952}  # inspect: bytes
    assert {"from": "app", "to": "db", "label": "TCP 5432"} in imported.document["links"]
    assert places(imported) == [("compose-config.json", 62, 21, "services.db.cpu_shares")]
    totals = compute(validated(imported)).hosts[0]
    assert totals.committed.cpu.value == 750 + 1500 + 500 + 2000


# --- profiles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [
        ((), ["web", "app", "db", "cache"]),  # as docker compose up: no profile, none of them
        (("jobs",), ["web", "app", "db", "cache", "worker"]),
        (("debug",), ["web", "app", "db", "cache", "adminer"]),
        (("jobs", "debug"), ["web", "app", "db", "cache", "worker", "adminer"]),
        (("*",), ["web", "app", "db", "cache", "worker", "adminer"]),
    ],
)
def test_profiles_select_as_compose_does(profiles: tuple[str, ...], expected: list[str]) -> None:
    imported = import_compose([BASE], profiles=profiles)
    assert list(containers(imported)) == expected
    ids = set(expected)
    assert all(link["from"] in ids and link["to"] in ids for link in imported.document["links"])


def test_an_unknown_profile_is_noted() -> None:
    imported = import_compose([BASE], profiles=["nightly"])
    assert list(containers(imported)) == ["web", "app", "db", "cache"]
    assert any("no service has the profile 'nightly'" in w.message for w in imported.warnings)


def test_services_with_profiles_are_left_out_unless_one_is_selected() -> None:
    # As docker compose up: a service with profiles runs only when one of them is selected.
    imported = import_compose([BASE])
    assert list(containers(imported)) == ["web", "app", "db", "cache"]
    left_out = [w.format() for w in imported.warnings if w.path == "services"]
    assert left_out == [
        f"{BASE}:10:1: services: worker (jobs) and adminer (debug) are left out: docker compose"
        " up starts a service with profiles only when one of them is selected"
    ]


DEPENDS_ON_A_PROFILE = (
    "services:\n  app:\n    image: a\n    depends_on:\n      db: {{condition: service_started{}}}\n"
    "  db:\n    image: postgres\n    profiles: [data]\n"
)


def test_a_dependency_on_a_service_whose_profile_is_not_selected_is_refused(
    tmp_path: Path,
) -> None:
    # docker compose up refuses it: 'service "db" is required by "app" but is disabled'.
    path = write(tmp_path, "compose.yaml", DEPENDS_ON_A_PROFILE.format(""))
    with pytest.raises(ImportFailed) as failed:
        import_compose([path], profiles=["other"])
    assert failed.value.lines() == [
        f"{path}:5:7: services.app.depends_on.db: db does not run: its profiles (data) are not"
        " selected, and docker compose up refuses a dependency on it (select a profile of it,"
        " or make the dependency required: false)"
    ]


def test_a_dependency_not_required_on_a_service_not_running_is_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "compose.yaml", DEPENDS_ON_A_PROFILE.format(", required: false"))
    imported = import_compose([path])
    assert "links" not in imported.document
    assert [w.format() for w in imported.warnings][1:] == [
        f"{path}:5:7: services.app.depends_on.db: db is not in the selected profiles: no link"
    ]


# --- merge rules ---------------------------------------------------------------------------


def merged(tmp_path: Path, *texts: str) -> dict[str, Any]:
    paths = [write(tmp_path, f"c{i}.yaml", text) for i, text in enumerate(texts)]
    return import_compose(paths).document


def test_sequences_append_and_ports_stay_unique(tmp_path: Path) -> None:
    document = merged(
        tmp_path,
        "services:\n  db:\n    image: pg\n    expose: ['9187']\n    ports: ['5432:5432']\n"
        "  app:\n    image: a\n    depends_on: [db]\n",
        "services:\n  db:\n    ports: ['5432:5432', '15432:5432']\n",
    )
    # the first port stays first: the label is still 5432, and no duplicate was appended
    assert document["links"] == [{"from": "app", "to": "db", "label": "TCP 5432"}]


def test_reset_and_override_tags(tmp_path: Path) -> None:
    document = merged(
        tmp_path,
        "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    depends_on: [app]\n"
        "    deploy: {replicas: 4, resources: {limits: {cpus: '1', memory: 1g}}}\n"
        "  app:\n    image: a\n    expose: ['8000']\n",
        "services:\n  web:\n    depends_on: !reset []\n"
        "    deploy: !override {resources: {limits: {memory: 256m}}}\n",
    )
    web = document["hosts"][0]["containers"][0]
    assert web["limits"] == {"memory": "256MiB"}  # the whole deploy replaced: no cpus, 1 replica
    assert "replicas" not in web
    assert "links" not in document


def test_depends_on_list_and_mapping_forms_merge(tmp_path: Path) -> None:
    document = merged(
        tmp_path,
        "services:\n  app:\n    image: a\n    depends_on: [db]\n"
        "  db:\n    image: pg\n  cache:\n    image: redis\n",
        "services:\n  app:\n    depends_on:\n      cache: {condition: service_started}\n",
    )
    assert [(link["from"], link["to"]) for link in document["links"]] == [
        ("app", "db"),
        ("app", "cache"),
    ]


def test_extends_in_the_same_files(tmp_path: Path) -> None:
    document = merged(
        tmp_path,
        "x-base: &base\n  image: python:3.12-slim\n"
        "services:\n  base:\n    <<: *base\n    cpus: 0.5\n    mem_limit: 256m\n"
        "  worker:\n    extends: base\n    mem_limit: 512m\n    scale: 2\n",
    )
    worker = document["hosts"][0]["containers"][1]
    assert worker["image"] == {"ref": "python:3.12-slim"}
    assert worker["limits"] == {"cpu": "500m", "memory": "512MiB"}
    assert worker["replicas"] == 2


def test_merged_values_keep_the_place_of_the_file_that_gave_them(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.yaml", "services:\n  db:\n    image: pg\n    cpu_shares: 512\n"),
        write(tmp_path, "b.yaml", "# override\n\nservices:\n  db:\n    cpu_shares: 2048\n"),
    ]
    imported = import_compose(paths)
    assert places(imported) == [("b.yaml", 5, 17, "services.db.cpu_shares")]


# --- figures -------------------------------------------------------------------------------


def service(tmp_path: Path, body: str, **options: Any) -> tuple[dict[str, Any], Imported]:
    image = "" if "image:" in body else "    image: busybox\n"
    text = "services:\n  s:\n" + image + "".join(f"    {line}\n" for line in body.splitlines())
    imported = import_compose([write(tmp_path, "compose.yaml", text)], **options)
    return imported.document["hosts"][0]["containers"][0], imported


def test_zero_cpus_means_no_limit(tmp_path: Path) -> None:
    found, _ = service(tmp_path, "cpus: 0\nmem_limit: 64m")
    assert found["limits"] == {"memory": "64MiB"}


def test_legacy_cpus_when_deploy_gives_none(tmp_path: Path) -> None:
    found, imported = service(tmp_path, "cpus: '1.5'\ndeploy: {resources: {limits: {memory: 1g}}}")
    assert found["limits"] == {"cpu": "1500m", "memory": "1GiB"}
    assert imported.warnings == ()


def test_deploy_and_legacy_cpus_disagree(tmp_path: Path) -> None:
    found, imported = service(
        tmp_path, "cpus: 2\ndeploy:\n  resources:\n    limits:\n      cpus: '0.5'"
    )
    assert found["limits"] == {"cpu": "500m"}
    assert places(imported) == [("compose.yaml", 8, 17, "services.s.deploy.resources.limits.cpus")]
    assert "(0.5 CPUs) and cpus (2 CPUs) disagree" in imported.warnings[0].message


def test_replicas_and_scale_disagree(tmp_path: Path) -> None:
    found, imported = service(tmp_path, "scale: 5\ndeploy: {replicas: 2}")
    assert found["replicas"] == 2
    assert "deploy.replicas (2) and scale (5) disagree" in imported.warnings[0].message


def test_global_mode_uses_the_node_count(tmp_path: Path) -> None:
    found, imported = service(tmp_path, "deploy: {mode: global}", nodes=4)
    assert found["replicas"] == 4
    assert imported.warnings == ()
    found, imported = service(tmp_path, "deploy: {mode: global}")
    assert "replicas" not in found
    assert "node count is not given, 1 assumed" in imported.warnings[0].message


def test_a_service_scaled_to_zero_is_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  on:\n    image: a\n  off:\n    image: b\n    deploy: {replicas: 0}\n",
    )
    imported = import_compose([path])
    assert [c["id"] for c in imported.document["hosts"][0]["containers"]] == ["on"]
    assert "scaled to 0" in imported.warnings[0].message


def test_cpus_finer_than_a_millicore_are_rounded_with_a_note(tmp_path: Path) -> None:
    found, imported = service(tmp_path, "cpus: 0.0015")
    assert found["limits"] == {"cpu": "2m"}
    assert "rounded to 2m" in imported.warnings[0].message


# --- variables -----------------------------------------------------------------------------


def test_variables_take_their_defaults_and_unset_ones_are_noted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "name: shop$${NOT_A_VARIABLE}\nservices:\n  s:\n"
        "    image: ${REGISTRY:-docker.io}/app:${TAG-1.0}\n    mem_limit: ${MEMORY:-512m}\n"
        "    labels: {a: '$UNSET', b: '${ALT:+x}', c: '${NEED:?say it}'}\n",
    )
    imported = import_compose([path])
    found = containers(imported)["s"]
    assert found["image"] == {"ref": "docker.io/app:1.0"}
    assert found["limits"] == {"memory": "512MiB"}
    assert imported.document["title"] == "shop${NOT_A_VARIABLE} (Docker Compose)"
    messages = [w.message for w in imported.warnings]
    assert messages[0] == "variable UNSET is not set: a blank string is used, as Compose does"
    assert "NEED is not set, and Compose refuses that (say it)" in messages[1]
    assert len(messages) == 2


def test_a_broken_variable_fails(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failed:
        service(tmp_path, "image: app:${TAG")
    assert "invalid interpolation format" in failed.value.lines()[0]


NESTED_VARIABLES = (
    "variables are nested more than 20 levels deep; an import reads at most 20 levels"
)


def nested_defaults(levels: int, inner: str = "x") -> str:
    return "${A:-" * levels + inner + "}" * levels


def test_variables_nested_to_the_limit_take_their_innermost_default(tmp_path: Path) -> None:
    found, imported = service(tmp_path, f"image: '{nested_defaults(20, 'app:1')}'")
    assert found["image"] == {"ref": "app:1"}
    assert imported.warnings == ()


@pytest.mark.parametrize("levels", [21, 2_000, 300_000 // 6])
def test_variables_nested_too_deeply_are_refused_at_the_value(tmp_path: Path, levels: int) -> None:
    # 2,000 levels were a RecursionError; 300 KB of them (50,000 levels) took ~26 s, each
    # level scanning to its closing brace again, before the RecursionError.
    with pytest.raises(ImportFailed) as failed:
        service(tmp_path, f"image: '{nested_defaults(levels)}'")
    path = tmp_path / "compose.yaml"
    assert failed.value.lines() == [f"{path}:3:12: services.s.image: {NESTED_VARIABLES}"]


def test_a_broken_variable_in_a_long_value_is_one_short_line_at_the_value(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failed:
        service(tmp_path, f"labels: {{a: 'app:${{TAG{'x' * 300_000}'}}")
    path = tmp_path / "compose.yaml"
    shown = "'app:${TAG" + "x" * 28 + "...'"  # the first 37 characters
    assert failed.value.lines() == [
        f"{path}:4:17: services.s.labels.a: invalid interpolation format: unclosed ${{ in {shown}"
    ]


# --- Docker's byte syntax ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512m", 512 * MiB),
        ("512M", 512 * MiB),
        ("512mb", 512 * MiB),
        ("512MiB", 512 * MiB),
        ("1.5g", 1536 * MiB),
        ("2 GB", 2048 * MiB),
        ("64k", 65536),
        ("100", 100),
        ("100b", 100),
        (1073741824, 1073741824),
        ("1t", 1024**4),
        ("1.0000001k", 1024),  # the fraction of a byte is dropped, as Docker does
    ],
)
def test_docker_bytes(text: object, size: int) -> None:
    assert docker_bytes(text) == size


@pytest.mark.parametrize("text", ["", "m", "-1m", "1.2.3g", "12x", "1e9", "4 gigs", ".5g"])
def test_docker_bytes_refuses(text: str) -> None:
    with pytest.raises(QuantityError):
        docker_bytes(text)


@given(st.integers(min_value=0, max_value=2**40), st.sampled_from("kKmMgG"), st.booleans())
def test_docker_bytes_units_are_binary_in_any_case(number: int, unit: str, with_b: bool) -> None:
    power = {"k": 1, "m": 2, "g": 3}[unit.lower()]
    text = f"{number}{unit}{'b' if with_b else ''}"
    if number * 1024**power > 2**63 - 1:  # more than a spec holds: refused where it is read
        with pytest.raises(QuantityError, match="too large"):
            docker_bytes(text)
    else:
        assert docker_bytes(text) == number * 1024**power


@given(st.integers(min_value=0, max_value=2**62))
def test_spec_bytes_round_trips_through_the_spec_syntax(size: int) -> None:
    written = spec_bytes(size)
    if isinstance(written, int):
        assert written == size
        return
    units = {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4, "PiB": 1024**5}
    units |= {"KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4, "PB": 1000**5}
    unit = written.lstrip("0123456789.")
    assert Fraction(written[: -len(unit)]) * units[unit] == size


def test_a_size_that_cannot_be_read_fails_at_its_place(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failed:
        service(tmp_path, "mem_limit: 4 gigs")
    line = failed.value.lines()[0]
    assert line.startswith(f"{tmp_path / 'compose.yaml'}:4:16: services.s.mem_limit: '4 gigs'")
    assert "e.g. 512m" in line
    assert isinstance(failed.value, DiagramgenError)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("services: [\n", ":2:1: is not valid YAML"),
        ("- a\n- b\n", ":1:1: is not a Compose file: expected a mapping"),
        ("version: '3'\n", ": services: no services: not a Compose file"),
        ("services:\n  a: {image: x}\n  a: {image: y}\n", ":3:3: is not valid YAML"),
        ("services:\n  a:\n    image: x\n    depends_on: [ghost]\n", "undefined service 'ghost'"),
        ('{"services": {"a": 1}}', ":1:20: services.a: expected a mapping"),
    ],
)
def test_bad_input_fails_with_one_line_per_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, "compose.yaml", text)
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert expected in failed.value.lines()[0]
    assert failed.value.lines()[0].startswith(path)


def test_json_is_read_as_json(tmp_path: Path) -> None:
    path = write(tmp_path, "compose.json", '{"services": {"a": {"image": "x"},}}')
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:1:35: is not valid JSON: Expecting property name enclosed in double quotes"
    ]


def test_a_missing_file_is_the_callers_mistake(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument) as failed:
        import_compose([tmp_path / "nope.yaml"])
    assert failed.value.lines() == [f"{tmp_path / 'nope.yaml'}: no such file or folder"]


def _expanding_never_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    def expand(*_: object) -> None:
        raise AssertionError("the document was expanded before it was measured")

    monkeypatch.setattr("diagramgen.importers.sources._Converter", expand)


def test_an_alias_bomb_fails_before_anything_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The billion laughs in 549 bytes: 10^9 values. It was refused after 17 s and ~400 MB.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = write(tmp_path, "compose.yaml", "\n".join(lines) + "\nservices: {a: {image: x}}\n")
    _expanding_never_starts(monkeypatch)
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [f"{path}: expands to more than 2,000,000 values (aliases)"]


def test_aliases_under_long_keys_fail_before_anything_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 80 KB, about 1.1 million values each under a pointer of up to 7,000 characters: it
    # needed more than 12 GB before the value count tripped (MemoryError).
    key = "k" * 1000
    first = ", ".join(f"{key}{j}: {j}" for j in range(10))
    lines = [f"a0: &a0 {{{first}}}"]
    for i in range(1, 7):
        lines.append(f"a{i}: &a{i} {{{', '.join(f'{key}{j}: *a{i - 1}' for j in range(10))}}}")
    path = write(tmp_path, "compose.yaml", "\n".join(lines) + "\nservices: {a: {image: x}}\n")
    _expanding_never_starts(monkeypatch)
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}: expands to more than 67,108,864 characters of keys (aliases under long keys)"
    ]


def test_aliases_nesting_past_the_depth_limit_fail_before_anything_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,000 lines, each a list of the one before: 1,000 levels once expanded, a RecursionError.
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 1000)]
    path = write(tmp_path, "compose.yaml", "\n".join(lines) + "\nservices: {a: {image: x}}\n")
    _expanding_never_starts(monkeypatch)
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}: is nested more than 100 levels deep; an import reads at most 100 levels (aliases)"
    ]


def test_a_long_chain_of_merge_keys_is_read_at_once(tmp_path: Path) -> None:
    # Each key's place was looked up through every mapping merged below it, each lookup
    # passing through one generator a level: 400 merges took 41 s, 500 over a minute.
    lines = ["m0: &m0 {a: 1}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}, b{i}: 1}}" for i in range(1, 500)]
    text = "\n".join(lines) + "\nservices:\n  s: {<<: *m499, image: x, cpus: 1}\n"
    done = cli_process("import", "compose", write(tmp_path, "compose.yaml", text), timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"limits:\n" in done.stdout


def test_aliases_within_the_bounds_are_expanded_with_their_places(tmp_path: Path) -> None:
    text = (
        "x-limits: &limits {resources: {limits: {cpus: '0.5', memory: 256m}}}\n"
        "services:\n  a: {image: x, deploy: *limits}\n  b: {image: y, deploy: *limits}\n"
    )
    imported = import_compose([write(tmp_path, "compose.yaml", text)])
    containers = imported.document["hosts"][0]["containers"]
    assert [c["limits"] for c in containers] == [{"cpu": "500m", "memory": "256MiB"}] * 2


def test_bad_docker_info_and_images_fail(tmp_path: Path) -> None:
    info = write(tmp_path, "info.json", '{"ServerErrors": ["Cannot connect to the Docker daemon"]}')
    images = write(
        tmp_path, "images.jsonl", '{"Repository": "a", "Tag": "1", "Size": "big"}\n{oops\n'
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([BASE], docker_info=info, images=images)
    assert failed.value.lines() == [
        f"{info}:1:1: is not the JSON of `docker info --format json`"
        " (Cannot connect to the Docker daemon)",
        f"{images}:1:1: Size: 'big' is not a size as docker prints it, e.g. 187MB, 1.2GB",
        f"{images}:2:2: is not a JSON line: Expecting property name enclosed in double quotes",
    ]


def test_docker_facts_too_large_for_a_spec_fail_at_their_place(tmp_path: Path) -> None:
    # They were refused as "<imported spec>: /hosts/0/infrastructure/capacity/cpu: … too large".
    info = write(
        tmp_path, "info.json", f'{{"ServerVersion": "27.1", "NCPU": {10**19}, "MemTotal": {2**63}}}'
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([BASE], docker_info=info)
    assert failed.value.lines() == [
        f"{info}:1:35: NCPU: '10000000000000000000' is too large: a spec's figures are at most"
        " 2^63 - 1 millicores",
        f"{info}:1:69: MemTotal: '9223372036854775808' is too large: a spec's figures are at most"
        " 2^63 - 1 bytes",
    ]


# --- the written spec ----------------------------------------------------------------------


def test_ids_are_valid_unique_and_names_original(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  _web:\n    image: a\n  web:\n    image: b\n  'no':\n    image: c\n",
    )
    imported = import_compose([path])
    found = imported.document["hosts"][0]["containers"]
    assert [(c["id"], c["name"]) for c in found] == [
        ("web", "_web"),
        ("web-2", "web"),
        ("no", "no"),
    ]
    assert "  - id: 'no'\n    name: 'no'\n" in dump_spec(imported).replace("      ", "  ")


def test_key_order_is_the_design_examples(shop: Imported) -> None:
    document = shop.document
    assert list(document) == ["version", "$comment", "title", "hosts", "links"]
    host = document["hosts"][0]
    assert list(host) == [
        "id",
        "name",
        "stack",
        "infrastructure",
        "host_os",
        "engine",
        "containers",
    ]
    app = containers(shop)["app"]
    assert list(app) == ["id", "name", "image", "limits", "reservations", "replicas"]
    assert document["$comment"].startswith(f"Imported by diagramgen from Docker Compose: {BASE}")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dump_spec_reads_back_to_the_same_document(shop: Imported, fmt: str) -> None:
    text = dump_spec(shop, fmt)
    loaded = json.loads(text) if fmt == "json" else YAML(typ="safe").load(text)
    assert loaded == shop.document
    assert list(loaded) == list(shop.document)
    assert text.endswith("\n")


def test_dump_spec_yaml_is_plain_to_read(shop: Imported) -> None:
    text = dump_spec(shop)
    assert text.startswith("version: 1\n$comment: ")
    assert "\n  - id: shop-prod-1\n    name: shop-prod-1\n    stack: container\n" in text
    assert "          memory: 128MiB\n" in text


def test_dump_spec_refuses_an_unknown_format(shop: Imported) -> None:
    with pytest.raises(ValueError, match="choose from json, yaml"):
        dump_spec(shop, "toml")


def test_warning_format_without_a_position() -> None:
    note = ImportNote("images.jsonl", 0, 0, "", "rounded")
    assert note.format() == "images.jsonl: rounded"
    note = ImportNote("c.yaml", 3, 5, "services.a", "odd")
    assert note.format() == "c.yaml:3:5: services.a: odd"


@pytest.mark.parametrize(
    "arguments",
    [
        {
            "paths": [BASE, OVERRIDE],
            "docker_info": DATA / "docker-info.json",
            "images": DATA / "images.jsonl",
        },
        {"paths": [BASE], "profiles": ["jobs"]},
        {"paths": [DATA / "compose-config.json"], "images": DATA / "images-inspect.json"},
    ],
)
def test_every_fixture_validates_and_totals(arguments: dict[str, Any]) -> None:
    imported = import_compose(**arguments)
    totals = compute(validated(imported))
    for fmt in ("json", "yaml"):
        assert load_text(dump_spec(imported, fmt), f"imported.{fmt}", syntax=fmt) == validated(
            imported
        )
    assert totals.diagram.hosts == 1
    ids = {c["id"] for c in imported.document["hosts"][0]["containers"]}
    for link in imported.document.get("links", []):
        assert {link["from"], link["to"]} <= ids


# --- arbitrary input -----------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["512m", "0.5", "global", "1g", "a", "${X:-1}", "80:80", "-1", "", "$$"]),
)
KEYS = st.sampled_from(
    [
        "image", "deploy", "resources", "limits", "reservations", "cpus", "memory", "mem_limit",
        "mem_reservation", "replicas", "scale", "mode", "depends_on", "ports", "expose",
        "profiles", "cpu_shares", "build", "extends", "service", "target", "protocol", "s",
    ]
)  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["s", "t", "u"]), TREES, max_size=3))
def test_arbitrary_services_import_or_fail_with_our_error(services: dict[str, Any]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compose.json"
        path.write_text(json.dumps({"services": services}))
        try:
            imported = import_compose([path], profiles=["p"] if len(services) == 2 else ())
        except ImportFailed as failed:
            assert failed.lines()
        else:
            validated(imported)


def test_the_imported_spec_renders(shop: Imported) -> None:
    picture = render(validated(shop), ["svg"])["svg"]
    assert b"shop (Docker Compose)" in picture
    assert b"TCP 5432" in picture


def test_more_replicas_than_a_spec_runs_fail_at_their_place(tmp_path: Path) -> None:
    path = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: x\n    scale: 1000001\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert "1,000,001 replicas: a spec runs at most 1,000,000" in failed.value.lines()[0]
    assert failed.value.lines()[0].startswith(f"{path}:4:")


# --- what the import writes passes the spec's own check (found by the CLI-contract fuzzer) ---


def test_a_reservation_over_its_limit_fails_at_the_reservation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  a:\n    image: x\n    cpus: 0.5\n    mem_limit: 100m\n"
        "    mem_reservation: 200m\n"
        "    deploy:\n      resources:\n        reservations:\n          cpus: '1'\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert [line.split(": ", 1)[1] for line in failed.value.lines()] == [
        "services.a.mem_reservation: reserves more memory than its limit (200MiB > 100MiB);"
        " Docker refuses such a container",
        "services.a.deploy.resources.reservations.cpus: reserves more CPU than its limit"
        " (1000m > 500m); Docker refuses such a container",
    ]
    assert [(p.line, p.column) for p in failed.value.problems] == [(6, 22), (10, 17)]


def test_text_no_utf8_can_write_is_refused_at_its_place(tmp_path: Path) -> None:
    # JSON's escape reads as a lone surrogate; the spec would refuse it, far from its cause.
    path = write(tmp_path, "compose.json", '{"name": "\\udfff", "services": {"a": {"image": "x"}}}')
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:1:10: name: is not valid Unicode text (a lone surrogate)"
    ]


def test_a_text_over_the_limit_is_cut_with_a_note(tmp_path: Path) -> None:
    image = "registry.example/" + "a" * 300
    path = write(tmp_path, "compose.yaml", f"services:\n  web:\n    image: {image}\n")
    imported = import_compose([path])
    ref = containers(imported)["web"]["image"]["ref"]
    assert len(ref) == 200 and ref.endswith("…") and image.startswith(ref[:-1])
    assert [w.format() for w in imported.warnings] == [
        f"{path}: hosts[0].containers[0].image.ref: 'registry.example/aaaaaaaaaaaaaaaaaaaa..."
        "' is 317 characters long: cut to the text limit, 200 (change it with --limit text=N)"
    ]
    validated(imported)
    wider = import_compose([path], limits=Limits(text=400))
    assert containers(wider)["web"]["image"]["ref"] == image


def test_a_yaml_list_or_mapping_past_the_components_limit_is_refused_as_it_is_read(
    tmp_path: Path,
) -> None:
    # 400,000 services took two minutes and 1.6 GB to compose before the count was checked.
    services = "".join(f"  s{i}:\n    image: x\n" for i in range(12))
    path = write(tmp_path, "compose.yaml", f"services:\n{services}")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path], limits=Limits(components=10))
    assert failed.value.lines() == [
        f"{path}:22:3: holds more than 10 entries here; the components limit is 10"
    ]
    assert failed.value.problems[0].rule == "limit:components"
    assert len(containers(import_compose([path], limits=Limits(components=13)))) == 12
