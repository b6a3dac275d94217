"""The page an illustrator would draw: of the arrangements that keep the page's promises, the
one of least height.

The promises: everything stands on what it runs on (a VM on its hypervisor, each band of VMs
that wraps on a shelf of it; an app or container on its OS or engine); rows of siblings
(items, VMs, hosts) differ by at most one; hosts stand side by side on one baseline when each
fits its share of the width; a picture that wraps anything fills at least 90 % of the width.

The search, host by host: each VM can be drawn at several shapes (:class:`.stacks.VmColumn`:
its items in fewer rows and wider, or in more rows and narrower, their texts wrapping onto up
to three lines); a band of VMs takes the shapes of least height that fit the width
(:func:`.stacks.plan_band`); a host takes the number of bands of least height. The page then
chooses the rows of hosts, each host's share of the width, and the panel beside the hosts or
below them, by least height.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec import Struct

from ..spec.model import Host
from .items import Workloads
from .stacks import (
    Band,
    VmColumn,
    balanced,
    engine_bar,
    hypervisor_bar,
    plan_band,
    shelf_height,
)
from .style import Style, lone_gap

__all__ = ["HostPlan", "Row", "plan_host", "plan_rows", "widen"]

#: Room between hosts side by side (points).
HOST_GAP = 16
#: Room between a mixed host's VMs and its containers (points).
MIXED_GAP = 8
#: The share of the width a picture that wraps anything fills at least.
FILL = 0.9
#: Band counts tried beyond the least that fits (more bands are taller, but narrower VMs
#: can be taller still).
MORE_BANDS = 1
#: The shares of the width a host is tried at when it stands beside others.
SHARES = (1.0, 0.85, 0.72, 0.62, 0.54, 0.47, 0.41, 0.36, 0.31, 0.27, 0.23)


class HostPlan(Struct):
    """One host at one size: its bands of VMs, or its grid of containers, and the width of
    its table (without its frame) and its height (without title and bars)."""

    host: Host
    width: int
    height: int
    bands: list[Band] = []
    grid: Workloads | None = None
    rows: int = 0
    shelf: int = 0
    #: What the plan was made from, to make another at another width.
    columns: list[VmColumn] = []
    gap: int = 0
    #: A mixed host's: the width of its VMs (on their hypervisor) left of its containers (on
    #: their engine), and the height of each side with its bar; 0 for other hosts.
    split: int = 0
    sides: tuple[int, int] = (0, 0)

    @property
    def beside(self) -> int:
        """Return the width of a mixed host's containers, right of its VMs."""
        return self.width - self.split - MIXED_GAP if self.split else 0

    @property
    def wraps(self) -> bool:
        """Return whether anything in the host wraps: bands of VMs, or rows of items."""
        if len(self.bands) > 1:
            return True
        if self.grid is not None and (self.rows > 1 or not self.bands):
            return self.rows > 1
        return any(shape.rows > 1 for band in self.bands for shape in band.shapes)


def plan_host(
    host: Host, columns: list[VmColumn], grid: Workloads | None, room: int, gap: int, shelf: int
) -> HostPlan | None:
    """Return the host's arrangement of least height inside ``room`` points, or None."""
    if grid is not None and columns:
        return _plan_mixed(host, columns, grid, room, gap, shelf)
    if grid is not None:
        return _plan_grid(host, grid, room)
    return _plan_bands(host, columns, room, gap, shelf)


def _plan_mixed(
    host: Host, columns: list[VmColumn], grid: Workloads, room: int, gap: int, shelf: int
) -> HostPlan | None:
    """Return a mixed host of least height inside ``room``: its VMs on their hypervisor left,
    its containers on their engine right, each side as tall as its contents and bar."""
    style = columns[0].style
    best: HostPlan | None = None
    for rows in grid.row_counts():
        count = grid.columns(rows)
        for item in grid.widths():
            right = count * item
            left_room = room - right - MIXED_GAP
            if left_room <= 0:
                continue
            found = _plan_bands(host, columns, left_room, gap, shelf)
            if found is not None:
                plan = _mixed(found, grid, rows, right, style)
                if best is None or (plan.height, plan.width) < (best.height, best.width):
                    best = plan
    return best


def _mixed(vms: HostPlan, grid: Workloads, rows: int, right: int, style: Style) -> HostPlan:
    """Return the mixed host made of its VMs' plan and its grid ``right`` points wide."""
    left = vms.height + hypervisor_bar(vms.host, style, vms.width).height
    beside = grid.height(rows, right) + engine_bar(vms.host, style, right).height
    return HostPlan(
        vms.host,
        vms.width + MIXED_GAP + right,
        max(left, beside),
        bands=vms.bands,
        grid=grid,
        rows=rows,
        shelf=vms.shelf,
        columns=vms.columns,
        gap=vms.gap,
        split=vms.width,
        sides=(left, beside),
    )


def _plan_grid(host: Host, grid: Workloads, room: int) -> HostPlan | None:
    """Return a container host's grid of least height that fits ``room``: its rows and width."""
    best: HostPlan | None = None
    for rows in grid.row_counts():
        columns = grid.columns(rows)
        for item in grid.widths():
            width = columns * item
            if width > room:
                continue
            height = grid.height(rows, width)
            if best is None or (height, width) < (best.height, best.width):
                best = HostPlan(host, width, height, grid=grid, rows=rows)
    return best


def _plan_bands(
    host: Host, columns: list[VmColumn], room: int, gap: int, shelf: int
) -> HostPlan | None:
    """Return the bands of VMs of least height inside ``room``: as few as fit, or a few more.

    The VMs keep their order; bands differ in length by at most one, in whichever order
    (a long band may follow a short one) makes the host least tall. ``gap`` is between the
    VMs of bands that wrap (links run down it to the bands below); a single band takes the
    host's narrower ``lone_gap``.
    """
    count = len(columns)
    lone = min(gap, lone_gap(host, columns[0].style)) if columns else gap
    bands_of: dict[tuple[int, int], Band | None] = {}

    def band(start: int, size: int) -> Band | None:
        key = (start, size)
        if key not in bands_of:
            between = lone if size == count else gap
            bands_of[key] = plan_band(columns[start : start + size], room, between)
        return bands_of[key]

    # The fewest bands that can fit, found on the VMs' narrowest widths alone (cheap): more
    # bands are shorter, so fitting is monotone in their number.
    narrowest = [min(option[0] for option in column.options_within(room)) for column in columns]
    low, high = 1, count
    if not _may_fit(narrowest, lone if count == 1 else gap, room, high):
        return None
    while low < high:
        middle = (low + high) // 2
        if _may_fit(narrowest, lone if middle == 1 else gap, room, middle):
            high = middle
        else:
            low = middle + 1
    best: HostPlan | None = None
    for bands in range(low, min(count, low + MORE_BANDS) + 1):
        found = _least_tall(band, count, bands)
        if found is None:
            continue
        found = [band.widened(room) for band in found]
        width = max(band.width for band in found)
        height = sum(band.height for band in found) + shelf * (len(found) - 1)
        if best is None or (height, width) < (best.height, best.width):
            best = HostPlan(host, width, height, bands=found, shelf=shelf, columns=columns, gap=gap)
    return best


def _may_fit(widths: list[int], gap: int, room: int, bands: int) -> bool:
    """Return whether VMs as narrow as ``widths`` can stand in ``bands`` bands of q or q + 1
    inside ``room``: the search of :func:`_least_tall` on widths alone."""
    count = len(widths)
    sums = [0]
    for width in widths:
        sums.append(sums[-1] + width)
    short, longs = divmod(count, bands)
    reached = {0}
    for k in range(bands):
        following = set()
        for j in reached:
            start = k * short + j
            for size, long in ((short, 0), (short + 1, 1)):
                if size == 0 or j + long > longs or bands - k - 1 < longs - j - long:
                    continue
                if sums[start + size] - sums[start] + gap * (size - 1) <= room:
                    following.add(j + long)
        if not following:
            return False
        reached = following
    return longs in reached


def _least_tall(
    band: Callable[[int, int], Band | None], count: int, bands: int
) -> list[Band] | None:
    """Return ``count`` VMs in ``bands`` bands of q or q + 1 VMs, of least summed height.

    Of the bands, ``count mod bands`` are long; after k bands of which j are long the next
    VM is k·q + j, so the search runs over (k, j).
    """
    short, longs = divmod(count, bands)
    # best[j]: the least tall bands so far with j long ones among them, and their height.
    best: dict[int, tuple[int, int, list[Band]]] = {0: (0, 0, [])}
    for k in range(bands):
        following: dict[int, tuple[int, int, list[Band]]] = {}
        for j, (height, width, found) in best.items():
            start = k * short + j
            for size, long in ((short, 0), (short + 1, 1)):
                if size == 0 or j + long > longs or bands - k - 1 < longs - j - long:
                    continue
                made = band(start, size)
                if made is None:
                    continue
                held = (height + made.height, max(width, made.width), [*found, made])
                known = following.get(j + long)
                if known is None or held[:2] < known[:2]:
                    following[j + long] = held
        best = following
    done = best.get(longs)
    return None if done is None else done[2]


class Row(Struct):
    """Hosts side by side: each one's plan (its frame's width given apart)."""

    plans: list[HostPlan]
    frames: list[int]

    @property
    def width(self) -> int:
        widths = [
            plan.width + 2 * frame for plan, frame in zip(self.plans, self.frames, strict=True)
        ]
        return sum(widths) + HOST_GAP * (len(widths) - 1)

    @property
    def height(self) -> int:
        return max(plan.height for plan in self.plans)


class Candidate(Struct):
    """One host's options: its plan at each share of the width it was tried at."""

    frame: int
    plans: list[HostPlan]


def candidates(
    host: Host,
    columns: list[VmColumn],
    grid: Workloads | None,
    budget: int,
    frame: int,
    gap: int,
    shares: tuple[float, ...],
    passage: int = 0,
    least: int = 0,
) -> Candidate:
    """Return the host's plans at ``shares`` of ``budget`` (its frame included); ``passage``
    is the room under each shelf for links between bands to pass; a plan narrower than
    ``least`` is widened to it."""
    plans: dict[tuple[int, int], HostPlan] = {}
    shelf = shelf_height(host, columns[0].style, budget) + passage if columns else 0
    for share in shares:
        room = int(budget * share) - 2 * frame
        if room <= 0:
            continue
        plan = plan_host(host, columns, grid, room, gap, shelf)
        if plan is not None:
            plan = widen(plan, least)
            plans.setdefault((plan.width, plan.height), plan)
    if not plans:  # not even at the narrowest share: as narrow as it gets, past the budget
        plan = widen(_narrowest(host, columns, grid, gap, shelf), least)
        plans[plan.width, plan.height] = plan
    return Candidate(frame, sorted(plans.values(), key=lambda plan: plan.width))


def _narrowest(
    host: Host, columns: list[VmColumn], grid: Workloads | None, gap: int, shelf: int
) -> HostPlan:
    """Return the host drawn as narrow as it can be: one VM a band, the grid one a row."""
    if grid is not None:
        rows = grid.row_counts()[-1]
        width = grid.columns(rows) * grid.widths()[-1]
        if columns:
            room = max(column.narrowest for column in columns)
            vms = _plan_bands(host, columns, room, gap, shelf)
            assert vms is not None
            return _mixed(vms, grid, rows, width, columns[0].style)
        return HostPlan(host, width, grid.height(rows, width), grid=grid, rows=rows)
    room = max(column.narrowest for column in columns)
    plan = _plan_bands(host, columns, room, gap, shelf)
    assert plan is not None
    return plan


def plan_rows(options: list[Candidate], budget: int) -> list[Row]:
    """Return the hosts in rows of least total height: balanced rows, each host at the plan
    of least height that lets its row fit ``budget``."""
    best: list[Row] | None = None
    best_height = 0
    count = len(options)
    for rows in range(1, count + 1):
        found, start = [], 0
        for size in balanced(count, rows):
            row = _plan_row(options[start : start + size], budget)
            if row is None:
                break
            found.append(row)
            start += size
        else:
            height = sum(row.height for row in found) + HOST_GAP * (len(found) - 1)
            if best is None or height < best_height:
                best, best_height = found, height
    if best is None:  # each host alone, at its narrowest
        best = [Row([option.plans[0]], [option.frame]) for option in options]
    return best


def _plan_row(options: list[Candidate], budget: int) -> Row | None:
    """Return the hosts side by side at the plans of least row height that fit, or None."""
    fixed = HOST_GAP * (len(options) - 1) + sum(2 * option.frame for option in options)
    heights = sorted({plan.height for option in options for plan in option.plans})
    chosen: list[HostPlan] | None = None
    for height in heights:
        picks = []
        for option in options:
            fitting = [plan for plan in option.plans if plan.height <= height]
            if not fitting:
                break
            picks.append(min(fitting, key=lambda plan: (plan.width, plan.height)))
        else:
            if sum(plan.width for plan in picks) + fixed <= budget:
                chosen = picks
                break
    if chosen is None:
        return None
    return Row(chosen, [option.frame for option in options])


def widen(plan: HostPlan, width: int) -> HostPlan:
    """Return the host's plan of least height in ``width`` points, made as wide as that: its
    bands or grid widened (a plan that wrapped may no longer need to)."""
    if width <= plan.width:
        return plan
    better = plan_host(plan.host, plan.columns, plan.grid, width, plan.gap, plan.shelf)
    if better is not None and better.height <= plan.height:
        plan = better
    if plan.split:  # a mixed host: each side wider by its share
        extra = width - plan.width
        share = extra * plan.split // (plan.width - MIXED_GAP)
        bands = [band.widened(plan.split + share) for band in plan.bands]
        height = sum(band.height for band in bands) + plan.shelf * (len(bands) - 1)
        vms = HostPlan(
            plan.host,
            plan.split + share,
            height,
            bands,
            shelf=plan.shelf,
            columns=plan.columns,
            gap=plan.gap,
        )
        assert plan.grid is not None
        style = plan.columns[0].style
        return _mixed(vms, plan.grid, plan.rows, plan.beside + extra - share, style)
    if plan.grid is not None:
        height = plan.grid.height(plan.rows, width)
        return HostPlan(plan.host, width, height, grid=plan.grid, rows=plan.rows)
    bands = [band.widened(width) for band in plan.bands]
    height = sum(band.height for band in bands) + plan.shelf * (len(bands) - 1)
    return HostPlan(
        plan.host, width, height, bands, shelf=plan.shelf, columns=plan.columns, gap=plan.gap
    )


def fill(rows: list[Row], budget: int) -> list[Row]:
    """Return the rows each as wide as ``budget``: every host wider by its share of the rest."""
    found = []
    for row in rows:
        extra = budget - row.width
        if extra <= 0:
            found.append(row)
            continue
        total = sum(plan.width for plan in row.plans)
        shares = [extra * plan.width // total for plan in row.plans]
        shares[-1] += extra - sum(shares)
        plans = [
            widen(plan, plan.width + share) for plan, share in zip(row.plans, shares, strict=True)
        ]
        found.append(Row(plans, row.frames))
    return found
