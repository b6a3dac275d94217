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
    path.parent.mkdir(parents=True, exist_ok=True)
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


# --- variables from .env files (tests/data/import/compose/demo) ----------------------------

DEMO = DATA / "demo"


def test_the_env_file_beside_the_compose_file_fills_its_variables() -> None:
    # The demo names every image from variables only its .env sets: they were ':-ad'.
    imported = import_compose([DEMO / "compose.yaml"])
    found = containers(imported)
    assert {name: c["image"]["ref"] for name, c in found.items()} == {
        "ad": "ghcr.io/example/demo:2.1.3-ad",
        "cart": "ghcr.io/example/demo:2.1.3-cart",
        "valkey": "valkey/valkey:8.1-alpine",  # export VALKEY_IMAGE=…
        "flagd": "ghcr.io/example/flagd:v0.12.8",  # "quoted", then a comment
    }
    assert imported.document["links"] == [
        {"from": "ad", "to": "flagd", "label": "TCP 8013"},  # FLAGD_PORT='8013'
        {"from": "cart", "to": "valkey", "label": "TCP 6379"},
    ]
    assert [w.path for w in imported.warnings] == ["services"]  # the load generator's profile
    assert imported.document["$comment"].startswith(
        f"Imported by diagramgen from Docker Compose: {DEMO / 'compose.yaml'}"
        f" (with variables from {DEMO / '.env'})."
    )


def test_env_files_replace_the_default_env_file_and_a_later_one_wins() -> None:
    imported = import_compose(
        [DEMO / "compose.yaml"], env_files=[DEMO / ".env", DEMO / "release.env"]
    )
    assert containers(imported)["ad"]["image"] == {"ref": "ghcr.io/example/demo:2.2.0-ad"}
    # Given alone, release.env is all there is: the .env beside the file is not read.
    alone = import_compose([DEMO / "compose.yaml"], env_files=[DEMO / "release.env"])
    assert "image" not in containers(alone)["ad"]
    assert any(w.message.startswith("variable IMAGE_NAME is not set") for w in alone.warnings)


def test_a_missing_env_file_is_the_callers_mistake(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument) as failed:
        import_compose([DEMO / "compose.yaml"], env_files=[tmp_path / "prod.env"])
    assert failed.value.lines() == [f"{tmp_path / 'prod.env'}: no such file or folder"]


def test_the_process_environment_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAG", "9.9")
    found, _ = service(tmp_path, "image: app:${TAG:-1.0}")
    assert found["image"] == {"ref": "app:1.0"}


def test_variables_not_set_break_no_image_reference(tmp_path: Path) -> None:
    # Without the demo's .env: each image ref was written ':-ad', 'postgres:' and accepted.
    text = (DEMO / "compose.yaml").read_text()
    text += "  db:\n    image: postgres:${POSTGRESQL_VERSION}\n"
    text += "  proxy:\n    image: ${REGISTRY}nginx:1.27\n  blank:\n    image: ${ONLY}\n"
    path = write(tmp_path, "compose.yaml", text)
    imported = import_compose([path])
    found = containers(imported)
    assert [name for name, c in found.items() if "image" in c] == ["proxy"]
    assert found["proxy"]["image"] == {"ref": "nginx:1.27"}  # valid without REGISTRY, as in Compose
    assert [w.format() for w in imported.warnings if "variable" not in w.message] == [
        f"{path}:9:1: services: load-generator (load) is left out: docker compose up starts a"
        " service with profiles only when one of them is selected",
        f"{path}:11:12: services.ad.image: '${{IMAGE_NAME}}:${{DEMO_VERSION}}-ad' is ':-ad' with"
        " IMAGE_NAME and DEMO_VERSION not set: not an image reference (docker compose refuses"
        " it); the image is left out",
        f"{path}:22:12: services.cart.image: '${{IMAGE_NAME}}:${{DEMO_VERSION}}-cart' is ':-cart'"
        " with IMAGE_NAME and DEMO_VERSION not set: not an image reference (docker compose"
        " refuses it); the image is left out",
        f"{path}:32:12: services.valkey.image: '${{VALKEY_IMAGE}}' is blank with VALKEY_IMAGE not"
        " set: the image is left out",
        f"{path}:37:12: services.flagd.image: '${{FLAGD_IMAGE}}' is blank with FLAGD_IMAGE not"
        " set: the image is left out",
        f"{path}:47:12: services.db.image: 'postgres:${{POSTGRESQL_VERSION}}' is 'postgres:' with"
        " POSTGRESQL_VERSION not set: not an image reference (docker compose refuses it); the"
        " image is left out",
        f"{path}:51:12: services.blank.image: '${{ONLY}}' is blank with ONLY not set: the image is"
        " left out",
    ]
    # One note a variable, at its first use, however many values use it (IMAGE_NAME: three).
    unset = [(w.line, w.message) for w in imported.warnings if "variable" in w.message]
    assert unset == [
        (11, "variable IMAGE_NAME is not set: a blank string is used, as Compose does"
         " (and in 2 more values)"),
        (11, "variable DEMO_VERSION is not set: a blank string is used, as Compose does"
         " (and in 2 more values)"),
        (32, "variable VALKEY_IMAGE is not set: a blank string is used, as Compose does"),
        (34, "variable VALKEY_PORT is not set: a blank string is used, as Compose does"),
        (37, "variable FLAGD_IMAGE is not set: a blank string is used, as Compose does"),
        (39, "variable FLAGD_PORT is not set: a blank string is used, as Compose does"),
        (47, "variable POSTGRESQL_VERSION is not set: a blank string is used, as Compose does"),
        (49, "variable REGISTRY is not set: a blank string is used, as Compose does"),
        (51, "variable ONLY is not set: a blank string is used, as Compose does"),
    ]  # fmt: skip
    validated(imported)


def test_compose_variables_in_the_env_file_select_profiles_and_name_the_project(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".env", "COMPOSE_PROFILES=jobs, debug\nCOMPOSE_PROJECT_NAME=shop-staging\n")
    path = write(tmp_path, "compose.yaml", Path(BASE).read_text())
    imported = import_compose([path])
    assert list(containers(imported)) == ["web", "app", "db", "cache", "worker", "adminer"]
    assert imported.document["title"] == "shop-staging (Docker Compose)"
    assert containers(imported)["worker"]["image"] == {"ref": "shop-staging-worker"}
    # Profiles given to the import win over COMPOSE_PROFILES, as --profile does.
    assert list(containers(import_compose([path], profiles=["jobs"])))[-1] == "worker"


# --- the .env format, as Compose's dotenv reads it ------------------------------------------


def env_values(tmp_path: Path, text: str, outer: dict[str, str] | None = None) -> dict[str, str]:
    from diagramgen.importers.envfiles import read_env_files
    from diagramgen.importers.notes import Notes

    notes = Notes()
    values = read_env_files([write(tmp_path, ".env", text)], notes, Limits(), outer)
    notes.check()
    return values


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("TAG=1.4.2", "1.4.2"),
        ("TAG = 1.4.2   ", "1.4.2"),  # blanks around the = and at the end
        ("TAG: 1.4.2", "1.4.2"),  # YAML's style, which dotenv reads too
        ("export TAG=1.4.2", "1.4.2"),
        ("TAG=1.4.2 # the release", "1.4.2"),  # a comment after a blank
        ("TAG=1.4.2#not-a-comment", "1.4.2#not-a-comment"),
        ("TAG='1.4.2' # the release", "1.4.2"),
        ("TAG='a ${HOME} b\\n'", "a ${HOME} b\\n"),  # single quotes keep the text as written
        ('TAG="a\\tb\\nc"', "a\tb\nc"),  # double quotes read escapes
        ('TAG="say \\"hi\\""', 'say "hi"'),
        ("TAG='it\\'s'", "it's"),
        ('TAG="\\$HOME"', "$HOME"),  # an escaped $ is not a variable
        ('TAG="\\0101"', "A"),  # \0 and three octal digits
        ("TAG=", ""),
        ('TAG=""', ""),
        ("TAG=${BASE}-1", "2.0-1"),  # earlier lines' variables
        ("TAG='${BASE}-1'", "${BASE}-1"),
        ('TAG="${BASE:-x}-${NONE:-1}"', "2.0-1"),
        ("TAG=$$BASE", "$BASE"),
    ],
)
def test_env_file_values(tmp_path: Path, line: str, value: str) -> None:
    assert env_values(tmp_path, f"# the release\n\nBASE=2.0\n{line}\n")["TAG"] == value


def test_env_file_values_span_lines_in_quotes_and_a_later_line_wins(tmp_path: Path) -> None:
    values = env_values(tmp_path, "KEY='-----BEGIN\nabc\n-----END'\nA=1\nA=2\nB.C-D[0]=x\n")
    assert values == {"KEY": "-----BEGIN\nabc\n-----END", "A": "2", "B.C-D[0]": "x"}


def test_env_file_values_of_an_included_project_look_up_the_outer_variables_first(
    tmp_path: Path,
) -> None:
    values = env_values(tmp_path, "A=inner\nB=${A}\nC\n", outer={"A": "outer", "C": "from outer"})
    assert values == {"A": "inner", "B": "outer", "C": "from outer"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\nB='open\nC=3\n", ':2:3: a quoted value is not closed: "\'open"'),
        ("A=1\nMY KEY=2\n", ":2:1: a variable name cannot hold a space: 'MY KEY'"),
        ("A=1\nKEY@2=3\n", ":2:4: unexpected character '@' in the variable name 'KEY@2=3'"),
        ("A=${B\n", ":1:3: A: invalid interpolation format: unclosed ${ in '${B'"),
    ],
)
def test_an_env_file_compose_cannot_read_fails_at_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    write(tmp_path, ".env", text)
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    image: x\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [f"{tmp_path / '.env'}{expected}"]


def test_an_env_file_line_that_names_a_variable_of_the_environment_is_noted(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".env", "TAG=1\nHOME\n")
    found, imported = service(tmp_path, "image: app:${TAG}")
    assert found["image"] == {"ref": "app:1"}
    assert [w.format() for w in imported.warnings] == [
        f"{tmp_path / '.env'}:2:1: HOME: HOME takes its value from the environment, which an"
        " import does not read: it is left unset"
    ]


def test_an_env_file_is_read_within_the_input_bytes_limit(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=" + "x" * 2000 + "\n")
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    image: x\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path], limits=Limits(input_bytes=1000))
    assert failed.value.lines() == [
        f"{tmp_path / '.env'}: holds 2,003 bytes or more; the input-bytes limit is 1,000"
    ]
    assert failed.value.problems[0].rule == "limit:input-bytes"


def test_an_env_file_that_links_outside_the_project_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    write(tmp_path, "secrets.env", "TAG=1\n")
    (tmp_path / "project" / ".env").symlink_to(tmp_path / "secrets.env")
    path = write(tmp_path, "project/compose.yaml", "services:\n  a:\n    image: app:${TAG:-0}\n")
    imported = import_compose([path])
    assert containers(imported)["a"]["image"] == {"ref": "app:0"}
    assert [w.format() for w in imported.warnings] == [
        f"{tmp_path / 'project' / '.env'}: {tmp_path / 'project' / '.env'} is outside the project"
        " folder: not read"
    ]


# --- include (tests/data/import/compose/platform) -------------------------------------------

PLATFORM = DATA / "platform"


def test_a_file_of_includes_reads_the_files_it_includes() -> None:
    # It was "no services: not a Compose file".
    path = PLATFORM / "compose.yaml"
    imported = import_compose([path])
    found = containers(imported)
    assert list(found) == ["db", "web"]  # in the order they are included
    assert found["db"] == {  # PG_VERSION from the .env beside db/compose.yaml
        "id": "db",
        "name": "db",
        "image": {"ref": "postgres:16.4"},
        "limits": {"memory": "1GiB"},
    }
    assert found["web"]["image"] == {"ref": "nginx:1.27.3"}  # from its env_file, web/web.env
    assert found["web"]["replicas"] == 2  # the including file's own definition, merged over
    assert imported.document["links"] == [{"from": "web", "to": "db", "label": "TCP 5432"}]
    assert [w.format() for w in imported.warnings] == [
        f"{path}:9:3: services.web: web is defined by an included file too: merged over it,"
        " as recent Compose does (older versions refuse this)",
        f"{PLATFORM / 'db' / 'compose.yaml'}:6:17: services.db.cpu_shares: cpu_shares is a"
        " relative weight under contention, not a figure: not counted",
    ]


def test_included_files_outside_the_project_folder_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "shared/compose.yaml", "services:\n  db:\n    image: postgres:16\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "linked.yaml").symlink_to(tmp_path / "shared" / "compose.yaml")
    path = write(
        tmp_path,
        "app/compose.yaml",
        "include:\n  - ../shared/compose.yaml\n  - linked.yaml\n"
        "  - oci://registry.example/stacks/db:1\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}: services: no services: the files it includes are not read:"
        " '../shared/compose.yaml' is outside the project folder (that of the first Compose"
        " file): not read (and 2 more)"
    ]
    with_own = write(tmp_path, "app/compose.yaml", (tmp_path / "app" / "compose.yaml").read_text()
                     + "services:\n  web:\n    image: nginx\n")  # fmt: skip
    imported = import_compose([with_own])
    assert list(containers(imported)) == ["web"]
    assert [w.format() for w in imported.warnings] == [
        f"{path}:2:5: include[0]: '../shared/compose.yaml' is outside the project folder (that"
        " of the first Compose file): not read",
        f"{path}:3:5: include[1]: 'linked.yaml' is outside the project folder (that of the first"
        " Compose file): not read",
        f"{path}:4:5: include[2]: 'oci://registry.example/stacks/db:1' is a remote resource: not"
        " read",
    ]


def test_an_include_cycle_is_refused(tmp_path: Path) -> None:
    first = write(tmp_path, "compose.yaml", "include: [more/compose.yaml]\n")
    write(tmp_path, "more/compose.yaml", "include: [../compose.yaml]\nservices: {a: {image: x}}\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([first])
    assert failed.value.lines() == [
        f"{tmp_path / 'more' / 'compose.yaml'}:1:11: include[0]: an include cycle"
        " (compose.yaml -> more/compose.yaml -> compose.yaml): Compose refuses it"
    ]


def test_an_included_file_that_is_missing_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "compose.yaml", "include:\n  - path: [db.yaml]\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{tmp_path / 'db.yaml'}: cannot read the file: No such file or directory"
    ]


# --- Compose's own checks, at the Compose file's line ---------------------------------------


EMPTY_SERVICE = (
    "is empty: docker compose refuses a service that is not a mapping; give it an image or a"
    " build, or remove it"
)


def test_an_empty_service_is_refused_as_compose_refuses_it(tmp_path: Path) -> None:
    # docker compose: "services.nil must be a mapping". It was "expected a mapping".
    path = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: nginx\n  nil:\n")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    # An empty value stands at its key (the YAML reader would place it at the next token).
    assert failed.value.lines() == [f"{path}:4:3: services.nil: {EMPTY_SERVICE}"]
    path = write(tmp_path, "compose.json", '{"services": {"web": {"image": "nginx"}, "nil": null}}')
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [f"{path}:1:49: services.nil: {EMPTY_SERVICE}"]


def test_an_empty_value_in_a_later_file_changes_nothing(tmp_path: Path) -> None:
    # As compose-go merges: an override's `web:` (null) or `deploy:` (null) keeps what was given.
    document = merged(
        tmp_path,
        "services:\n  web:\n    image: nginx\n    deploy: {replicas: 2}\n  db:\n    image: pg\n",
        "services:\n  web:\n  db:\n    deploy:\n",
    )
    web, db = document["hosts"][0]["containers"]
    assert (web["image"], web["replicas"]) == ({"ref": "nginx"}, 2)
    assert db["image"] == {"ref": "pg"}


def test_a_service_that_depends_on_itself_fails_at_its_line(tmp_path: Path) -> None:
    # It failed as "<imported spec>: /links/0/to".
    path = write(
        tmp_path, "compose.yaml", "services:\n  app:\n    image: a\n    depends_on: [db, app]\n"
        "  db:\n    image: pg\n"
    )  # fmt: skip
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:4:22: services.app.depends_on.app: app depends on itself, which docker compose"
        " refuses"
    ]


def test_a_dependency_cycle_fails_where_it_closes(tmp_path: Path) -> None:
    # docker compose: "dependency cycle detected: web -> app -> worker -> web". It was imported.
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    depends_on: [app]\n"
        "  app:\n    image: a\n    depends_on: [worker, db]\n"
        "  worker:\n    image: w\n    depends_on:\n      db: {condition: service_healthy}\n"
        "      web: {condition: service_started}\n"
        "  db:\n    image: pg\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:12:7: services.worker.depends_on.web: makes a dependency cycle, which docker"
        " compose refuses: web -> app -> worker -> web"
    ]


def test_a_cycle_through_a_service_not_started_is_no_cycle(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  app:\n    image: a\n    depends_on:\n"
        "      debug: {condition: service_started, required: false}\n"
        "  debug:\n    image: d\n    profiles: [debug]\n    depends_on: [app]\n",
    )
    assert list(containers(import_compose([path]))) == ["app"]


def test_a_long_dependency_chain_is_checked_without_recursion(tmp_path: Path) -> None:
    count = 5000
    services = "".join(
        f"  s{i}:\n    image: x\n    depends_on: [s{(i + 1) % count}]\n" for i in range(count)
    )
    path = write(tmp_path, "compose.yaml", f"services:\n{services}")
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:{3 * count + 1}:18: services.s{count - 1}.depends_on.s0: makes a dependency"
        " cycle, which docker compose refuses: s0 -> s1 -> s2 -> s3 -> s4 -> … 4,991 more … ->"
        " s4996 -> s4997 -> s4998 -> s4999 -> s0"
    ]


# --- what a spec has no figure for: one note a kind -----------------------------------------


def test_settings_a_spec_cannot_show_are_named_once_per_kind(tmp_path: Path) -> None:
    gpu = (
        "    deploy:\n      resources:\n        reservations:\n          devices:\n"
        "            - driver: nvidia\n              count: 1\n              capabilities: [gpu]\n"
    )
    path = write(
        tmp_path,
        "compose.yaml",
        f"services:\n  train:\n    image: t\n{gpu}    shm_size: 8gb\n"
        f"  serve:\n    image: s\n{gpu}    pids_limit: 200\n"
        "  db:\n    image: pg\n    shm_size: 256m\n    memswap_limit: 2g\n"
        "    deploy: {resources: {limits: {pids: 100}}}\n"
        "  tpu:\n    image: t\n    deploy: {resources: {reservations: {devices:"
        " [{capabilities: [tpu]}]}}}\n"
        "  free:\n    image: f\n    pids_limit: -1\n",
    )
    imported = import_compose([path])
    assert [w.format() for w in imported.warnings] == [
        f"{path}:8:15: services.train.deploy.resources.reservations.devices[0]: GPU reservations"
        " are not drawn (a spec has no figure for them): services train and serve",
        f"{path}:11:15: services.train.shm_size: shared memory sizes (shm_size) are not drawn (a"
        " spec has no figure for them): services train and db",
        f"{path}:21:17: services.serve.pids_limit: process limits (pids_limit) are not drawn (a"
        " spec has no figure for them): services serve and db",
        f"{path}:25:20: services.db.memswap_limit: memory-and-swap limits (memswap_limit) are not"
        " drawn (a spec has no figure for them): service db",
        f"{path}:29:51: services.tpu.deploy.resources.reservations.devices[0]: device"
        " reservations are not drawn (a spec has no figure for them): service tpu",
    ]


# --- messages: what the input holds, in words -----------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "scale: {{replicas}}",
            ':4:12: services.s.scale: "{{replicas}}" looks like a template placeholder; render'
            " the chart or template first",
        ),
        (
            "cpus: '{{ .Values.cpus }}'",
            ':4:11: services.s.cpus: "{{ .Values.cpus }}" looks like a template placeholder;'
            " render the chart or template first",
        ),
        (
            "image: '{{ .Values.image }}:1'",
            ':3:12: services.s.image: "{{ .Values.image }}:1" looks like a template placeholder;'
            " render the chart or template first",
        ),
        ("mem_limit: [512m]", ":4:5: services.s.mem_limit: expected a number or text, not a list"),
        ("image: {name: x}", ":3:5: services.s.image: expected an image reference, not a mapping"),
    ],
)
def test_messages_show_no_python_values(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(ImportFailed) as failed:
        service(tmp_path, body)
    assert failed.value.lines() == [f"{tmp_path / 'compose.yaml'}{expected}"]


@pytest.mark.parametrize("text", ["", "\n  \n", "# nothing yet\n", "---\n# nothing\n...\n"])
def test_an_empty_compose_file_says_it_is_empty(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "compose.yaml", text)
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [f"{path}: is empty"]


def test_an_empty_file_among_others_is_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "compose.override.yaml", "# overrides go here\n")
    imported = import_compose([BASE, path])
    assert [w.format() for w in imported.warnings][
        -1
    ] == f"{path}: is empty: nothing is read from it"


def test_services_that_all_have_profiles_none_selected_say_so(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compose.yaml",
        "services:\n  seed:\n    image: s\n    profiles: [seed]\n"
        "  load:\n    image: l\n    profiles: [load, perf]\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_compose([path])
    assert failed.value.lines() == [
        f"{path}:1:1: services: no service to import: each has profiles, and none of them is"
        " selected (load, perf and seed); docker compose up starts none"
    ]


def test_the_spec_names_every_file_read_with_its_digest_and_when_a_dump_was_taken(
    tmp_path: Path,
) -> None:
    import hashlib

    compose = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: nginx:1.27\n")
    info = write(
        tmp_path,
        "info.json",
        json.dumps({"NCPU": 4, "MemTotal": 8 * 1024**3, "SystemTime": "2026-12-01T09:30:00Z"}),
    )
    imported = import_compose([compose], docker_info=info)

    def digest(path: str) -> str:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    assert imported.document["$comment"].endswith(
        f" Files read: {compose} (sha256 {digest(compose)});"
        f" {info} (sha256 {digest(info)}, taken 2026-12-01T09:30:00Z)."
    )
