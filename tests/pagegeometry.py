"""The page's promises, checked on a rendered SVG and the spec it draws.

Each check returns a list of messages, empty when the picture keeps the promise:

- everything stands on what it runs on: a VM on a hypervisor cell, an app on its guest OS,
  a container on its engine (:func:`floating`);
- rows of siblings are balanced: the VMs of a host, the items of a VM or an engine, the
  hosts of a page differ by at most one per row (:func:`unbalanced`);
- a picture that wraps anything uses at least 90 % of the width budget (:func:`unused_width`);
- a VM is one object: its own cell touches its stack (:func:`detached`);
- hosts that fit their share stand side by side (:func:`stacked_hosts`), and the bars of
  hosts side by side are level (:func:`uneven_bars`);
- the panel is a compact table (:func:`loose_panel`);
- no text is shortened with "…" while a third line is left, and no box is blank
  (:func:`cut_texts`, :func:`blank_boxes`).

Coordinates are the picture's own points, y down (see :mod:`tests.linkgeometry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from diagramgen.draw.themes import THEMES
from diagramgen.spec.model import Spec

from .linkgeometry import Frame, Picture, Polygon, Rect, Text

__all__ = [
    "LAYERS",
    "blank_boxes",
    "cut_texts",
    "detached",
    "floating",
    "loose_panel",
    "stacked_hosts",
    "unbalanced",
    "uneven_bars",
    "unused_width",
]

#: Touching within this many points.
NEAR = 0.75
#: How much higher Graphviz sets a bold line than a regular one in a cell of one height.
BOLD_SHIFT = 1.5
#: The fill of each layer in the light theme, the one the checked pictures are drawn in.
LAYERS = {colour: layer for layer, colour in THEMES["light"].fills.items()}


def _layer(polygon: Polygon) -> str | None:
    return LAYERS.get(polygon.fill)


def _filled(picture: Picture) -> list[Polygon]:
    """Return the filled cells of the hosts (no frames, no panel, no page)."""
    return [
        p
        for p in picture.polygons
        if p.fill != "none" and p.node.startswith(f"{picture.prefix}host-") and _layer(p)
    ]


def _overlap(a: Rect, b: Rect) -> float:
    return min(a.right, b.right) - max(a.left, b.left)


def _below(cells: Sequence[Polygon], rect: Rect) -> list[Polygon]:
    """Return the cells whose top touches the bottom of ``rect`` and that lie under it."""
    return [
        p for p in cells if abs(p.rect.top - rect.bottom) <= NEAR and _overlap(p.rect, rect) > NEAR
    ]


#: The layers of a grid's rows, which may have a lane for links between them.
ROWS = {"container", "app"}
#: The tallest lane between two rows of a grid (points): eight tracks 8 points apart.
LANE = 90


def _across_lane(cells: Sequence[Polygon], rect: Rect) -> list[Polygon]:
    """Return the next row of a grid under ``rect`` across a lane: item cells below it, with
    nothing filled between."""
    below = [
        p
        for p in cells
        if rect.bottom + NEAR < p.rect.top <= rect.bottom + LANE and _overlap(p.rect, rect) > NEAR
    ]
    if not below:
        return []
    top = min(p.rect.top for p in below)
    row = [p for p in below if abs(p.rect.top - top) <= NEAR]
    return row if all(_layer(p) in ROWS for p in row) else []


def _stack_bottom(
    cells: Sequence[Polygon],
    rect: Rect,
    base: set[str],
    others: Sequence[Rect] = (),
    lanes: bool = False,
) -> tuple[Rect, str]:
    """Follow the cells under ``rect`` down, while they are not one of the ``base`` layers;
    return the last row reached and the layer it stands on ("" for nothing, "another" when
    it reaches one of ``others``, another component's own cell). With ``lanes`` a grid's
    row may stand on its next row across a lane for links."""
    while True:
        under = _below(cells, rect)
        if not under and lanes:
            under = _across_lane(cells, rect)
        if any(p.rect in others for p in under):
            return rect, "another"
        standing = [p for p in under if _layer(p) in base]
        if standing:
            return rect, str(_layer(standing[0]))
        if not under:
            return rect, ""
        rect = Rect(
            min(p.rect.left for p in under),
            min(p.rect.top for p in under),
            max(p.rect.right for p in under),
            max(p.rect.bottom for p in under),
        )


def floating(spec: Spec, picture: Picture) -> list[str]:
    """Return each VM not standing on a hypervisor cell, and each app or container not
    standing on its guest OS (an app) or engine (a container)."""
    cells = _filled(picture)
    problems = []
    for host in spec.hosts:
        for vm in host.vms:
            rect = picture.cells.get(vm.id)
            if rect is None:
                problems.append(f"VM {vm.id} is not drawn")
                continue
            others = [
                picture.cells[v.id] for v in host.vms if v is not vm and v.id in picture.cells
            ]
            bottom, base = _stack_bottom(cells, rect, {"hypervisor"}, others)
            if base != "hypervisor":
                what = "another VM" if base == "another" else "nothing"
                problems.append(f"VM {vm.id} stands on {what}: its stack ends at {bottom}")
        for layer, items in _item_groups(host):
            for item in items:
                rect = picture.cells.get(item.id)
                if rect is None:
                    continue  # not drawn (a fixture's own check says so)
                bottom, base = _stack_bottom(cells, rect, {layer}, lanes=True)
                if base != layer:
                    problems.append(f"{item.id} does not stand on its {layer}: ends at {bottom}")
    return problems


def _item_groups(host: object) -> Iterable[tuple[str, list[object]]]:
    """Yield (the layer they stand on, the items) for each engine or guest OS of a host."""
    from diagramgen.spec.model import Host

    assert isinstance(host, Host)
    if host.containers:
        yield "engine", list(host.containers)
    for vm in host.vms:
        if vm.containers:
            yield "engine", list(vm.containers)
        if vm.apps:
            yield "guest_os", list(vm.apps)


def _rows(rects: Sequence[Rect], key: str) -> list[int]:
    """Return the sizes of the rows ``rects`` fall into, by their ``key`` edge."""
    rows: list[float] = []
    sizes: list[int] = []
    for rect in sorted(rects, key=lambda r: getattr(r, key)):
        edge = getattr(rect, key)
        if rows and abs(edge - rows[-1]) <= NEAR:
            sizes[-1] += 1
        else:
            rows.append(edge)
            sizes.append(1)
    return sizes


def _unbalanced(sizes: list[int]) -> bool:
    return bool(sizes) and max(sizes) - min(sizes) > 1


def unbalanced(spec: Spec, picture: Picture) -> list[str]:
    """Return each group of siblings whose rows differ by more than one."""
    problems = []
    frames = {frame.host: frame.rect for frame in picture.frames}
    host_rows = _rows([frames[h.id] for h in spec.hosts if h.id in frames], "bottom")
    if _unbalanced(host_rows):
        problems.append(f"hosts in rows of {host_rows}")
    for host in spec.hosts:
        vms = [picture.cells[vm.id] for vm in host.vms if vm.id in picture.cells]
        sizes = _vm_rows(vms)
        if _unbalanced(sizes):
            problems.append(f"the VMs of {host.id} in rows of {sizes}")
        for _, items in _item_groups(host):
            rects = [picture.cells[i.id] for i in items if i.id in picture.cells]  # type: ignore[attr-defined]
            sizes = _rows(rects, "top")
            if _unbalanced(sizes):
                problems.append(f"items {[i.id for i in items][:3]}… in rows of {sizes}")  # type: ignore[attr-defined]
    return problems


def _vm_rows(rects: Sequence[Rect]) -> list[int]:
    """Return the sizes of the rows of VMs: VMs side by side overlap vertically."""
    sizes: list[int] = []
    bands: list[Rect] = []
    for rect in sorted(rects, key=lambda r: r.top):
        for index, band in enumerate(bands):
            if rect.top < band.bottom - NEAR and band.top < rect.bottom - NEAR:
                sizes[index] += 1
                break
        else:
            bands.append(rect)
            sizes.append(1)
    return sizes


def wraps(spec: Spec, picture: Picture) -> bool:
    """Return whether the picture wraps anything: hosts, VMs or items in more than one row."""
    frames = [f.rect for f in picture.frames]
    if len(_rows(frames, "bottom")) > 1:
        return True
    for host in spec.hosts:
        if len(_vm_rows([picture.cells[v.id] for v in host.vms if v.id in picture.cells])) > 1:
            return True
        for _, items in _item_groups(host):
            rects = [picture.cells[i.id] for i in items if i.id in picture.cells]  # type: ignore[attr-defined]
            if len(_rows(rects, "top")) > 1:
                return True
    return False


def unused_width(spec: Spec, picture: Picture, budget: float) -> list[str]:
    """Return a message if the picture wraps something yet uses under 90 % of ``budget``."""
    width = picture.view.right - picture.view.left
    if wraps(spec, picture) and width < 0.9 * budget:
        return [f"wraps, yet uses {width:g} of {budget:g} points ({width / budget:.0%})"]
    return []


def detached(spec: Spec, picture: Picture) -> list[str]:
    """Return each VM whose own cell (its name and allocation) does not touch its stack."""
    cells = _filled(picture)
    problems = []
    for host in spec.hosts:
        for vm in host.vms:
            rect = picture.cells.get(vm.id)
            if rect is None:
                continue
            touching = [
                p
                for p in cells
                if _layer(p) in ("guest_os", "engine", "container", "app")
                and (abs(p.rect.top - rect.bottom) <= NEAR or abs(p.rect.bottom - rect.top) <= NEAR)
                and _overlap(p.rect, rect) > NEAR
            ]
            if not touching:
                problems.append(f"VM {vm.id}'s cell {rect} touches none of its stack")
    return problems


def stacked_hosts(spec: Spec, picture: Picture) -> list[str]:
    """Return a message unless the hosts stand side by side on one baseline, bars level."""
    frames = [f for f in picture.frames if f.host in {h.id for h in spec.hosts}]
    baselines = {round(f.rect.bottom) for f in frames}
    if len(baselines) > 1:
        return [f"hosts on {len(baselines)} baselines"]
    return uneven_bars(spec, picture)


def uneven_bars(spec: Spec, picture: Picture) -> list[str]:
    """Return each bar (counted from the bottom) that is not level across the hosts of a
    row: hosts side by side are compared bar for bar."""
    frames = [f for f in picture.frames if f.host in {h.id for h in spec.hosts}]
    rows: dict[int, list[Frame]] = {}
    for frame in frames:
        rows.setdefault(round(frame.rect.bottom), []).append(frame)
    problems = []
    bars = {"infrastructure", "host_os", "hypervisor", "engine"}
    for row in rows.values():
        levels: dict[int, set[tuple[int, int]]] = {}
        for frame in row:
            inside = [
                p
                for p in _filled(picture)
                if _layer(p) in bars
                and frame.rect.encloses(p.rect)
                and p.rect.right - p.rect.left > (frame.rect.right - frame.rect.left) / 2
            ]
            # The bars: the full-width cells stacked from the bottom (not a shelf above a band).
            stacked: list[tuple[int, int]] = []
            for polygon in sorted(inside, key=lambda p: -p.rect.bottom):
                edges = (round(polygon.rect.top), round(polygon.rect.bottom))
                if stacked and abs(edges[1] - stacked[-1][0]) > 1:
                    break
                if edges not in stacked:
                    stacked.append(edges)
            for index, edges in enumerate(stacked):
                levels.setdefault(index, set()).add(edges)
        for index, edges in levels.items():
            if len(edges) > 1:
                problems.append(f"bar {index + 1} from the bottom at {sorted(edges)}")
    return problems


def loose_panel(picture: Picture, size: float = 9.0) -> list[str]:
    """Return a message if the panel's lines (of its common size: not its title) are further
    apart than 1.5 times their size, whichever column they are in."""
    texts = [t for t in picture.texts if t.node == f"{picture.prefix}totals"]
    heights = [round(t.rect.bottom - t.rect.top, 1) for t in texts]
    common = max(set(heights), key=heights.count, default=0)
    lines = [t for t, height in zip(texts, heights, strict=True) if height == common]
    tops = sorted({round(t.rect.top, 1) for t in lines})
    for above, below in pairwise(tops):
        # Graphviz sets a bold line's baseline 1.45 points higher in its cell than a
        # regular one's: rows of both differ by as much.
        if below - above > 1.5 * size + BOLD_SHIFT:
            return [f"panel lines {below - above:g} apart at y={above:g}"]
    return []


def _line_above(picture: Picture, text: Text) -> Text | None:
    """Return the line of the same text block right above ``text``: same node and size,
    overlapping it across, at most a line's pitch above."""
    height = text.rect.bottom - text.rect.top
    for other in picture.texts:
        if other.node != text.node or other is text:
            continue
        if abs((other.rect.bottom - other.rect.top) - height) > 0.5:
            continue
        pitch = text.rect.top - other.rect.top
        if 0.5 < pitch <= 1.5 * height and _overlap(other.rect, text.rect) > 0:
            return other
    return None


def cut_texts(picture: Picture) -> list[str]:
    """Return each text shortened with "…" on the first or second line of its block: it
    should have wrapped onto a third line first (in a cell or in the panel)."""
    problems = []
    for text in picture.texts:
        if not text.content.endswith("…") or not text.node:
            continue
        line, above = 1, _line_above(picture, text)
        while above is not None and line < 3:
            line, above = line + 1, _line_above(picture, above)
        if line < 3:
            problems.append(f"{text.content!r} is shortened on line {line} of its text")
    return problems


def blank_boxes(picture: Picture) -> list[str]:
    """Return each bordered, filled cell of a host that holds no text."""
    problems = []
    strokes = {p.rect for p in picture.polygons if p.stroke != "none"}
    for polygon in _filled(picture):
        if polygon.rect not in strokes:
            continue
        inside = [
            t for t in picture.texts if t.node == polygon.node and polygon.rect.encloses(t.rect, 1)
        ]
        if not inside:
            problems.append(f"a blank {_layer(polygon)} box {polygon.rect}")
    return problems
