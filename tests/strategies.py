"""Hypothesis strategies for valid specs, following the schema (and its semantic rules).

hypothesis-jsonschema 0.23.1, the obvious tool, fails on current Hypothesis ("'many' object
has no attribute 'more'") and cannot resolve the schema's own $defs references; these
strategies cover the same ground: every stack, every optional field present or absent, every
quantity form, any text.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=24)
byte_units = st.sampled_from(["B", "KB", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"])
sizes = st.one_of(
    st.integers(0, 2**40),
    st.builds(
        lambda n, space, unit: f"{n}{space}{unit}",
        st.integers(0, 4096),
        st.sampled_from(["", " "]),
        byte_units,
    ),
    st.builds(
        lambda n, f, unit: f"{n}.{f}{unit}", st.integers(0, 999), st.integers(0, 99), byte_units
    ),
)
cpus = st.one_of(
    st.integers(0, 256),
    st.sampled_from([0.5, 0.25, 1.5, 0.125]),
    st.builds(lambda m: f"{m}m", st.integers(0, 64000)),
)


def resources(keys: tuple[str, ...] = ("cpu", "memory", "disk")) -> st.SearchStrategy[Any]:
    figures = {"cpu": cpus, "memory": sizes, "disk": sizes}
    return st.fixed_dictionaries({}, optional={key: figures[key] for key in keys})


def layer() -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries({}, optional={"name": texts, "uses": resources()})


def container() -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {},
        optional={
            "name": texts,
            "image": st.fixed_dictionaries(
                {},
                optional={"ref": st.sampled_from(["a:1", "b:2", "c:3"]), "size": st.just("10MiB")},
            ),
            "libs": st.lists(texts, max_size=3),
            "limits": resources(("cpu", "memory")),
            "replicas": st.integers(1, 5),
        },
    )


def app() -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {}, optional={"name": texts, "libs": st.lists(texts, max_size=3), "uses": resources()}
    )


@st.composite
def vm(draw: st.DrawFn, runs_containers: bool) -> dict[str, Any]:
    data: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {"guest_os": layer()}, optional={"name": texts, "allocated": resources()}
        )
    )
    if runs_containers:
        data["engine"] = draw(layer())
        data["containers"] = draw(st.lists(container(), min_size=1, max_size=4))
    elif draw(st.booleans()):
        data["apps"] = draw(st.lists(app(), max_size=3))
    return data


@st.composite
def host(draw: st.DrawFn) -> dict[str, Any]:
    stack = draw(st.sampled_from(["vm", "container", "hybrid"]))
    data: dict[str, Any] = {
        "stack": stack,
        "infrastructure": draw(
            st.fixed_dictionaries({}, optional={"name": texts, "capacity": resources()})
        ),
    }
    if draw(st.booleans()):
        data["name"] = draw(texts)
    if stack == "container":
        data["host_os"] = draw(layer())
        data["engine"] = draw(layer())
        data["containers"] = draw(st.lists(container(), min_size=1, max_size=5))
        return data
    kind = draw(st.sampled_from([1, 2]))
    data["hypervisor"] = {**draw(layer()), "type": kind}
    if kind == 2 or draw(st.booleans()):
        data["host_os"] = draw(layer())
    count = draw(st.integers(1, 4))
    data["vms"] = [
        draw(vm(runs_containers=stack == "hybrid" and (index == 0 or draw(st.booleans()))))
        for index in range(count)
    ]
    return data


def _number(document: dict[str, Any]) -> list[str]:
    """Give every component a unique id; return them."""
    ids = []

    def name(item: dict[str, Any], prefix: str) -> None:
        item["id"] = f"{prefix}{len(ids)}"
        ids.append(item["id"])

    for item in document["hosts"]:
        name(item, "h")
        for entry in item.get("containers", []):
            name(entry, "c")
        for machine in item.get("vms", []):
            name(machine, "v")
            for entry in (*machine.get("containers", []), *machine.get("apps", [])):
                name(entry, "a")
    return ids


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """Return a valid spec document."""
    document: dict[str, Any] = {
        "version": 1,
        "hosts": draw(st.lists(host(), min_size=1, max_size=3)),
    }
    if draw(st.booleans()):
        document["title"] = draw(texts)
    if draw(st.booleans()):
        document["description"] = draw(texts)
    ids = _number(document)
    if len(ids) > 1 and draw(st.booleans()):
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
        document["links"] = [
            {"from": a, "to": b, **({"label": label} if label else {})}
            for (a, b), label in draw(st.lists(st.tuples(pairs, st.none() | texts), max_size=3))
        ]
    return document
