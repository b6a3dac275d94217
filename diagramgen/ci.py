"""The CI action's job summary: each spec's totals and, on a pull request, their change.

The action (``action.yml``) runs the command line and hands its JSON to this module, which
writes GitHub-flavoured Markdown to stdout::

    diagramgen totals --json SPECS > totals.json 2> errors.txt
    python -m diagramgen.ci totals totals.json --spec SPECS --errors errors.txt
    diagramgen diff --json BASE:specs/a.json specs/a.json > a.json
    python -m diagramgen.ci difference a.json --spec specs/a.json
    python -m diagramgen.ci stale check.txt     # what render --check printed
    python -m diagramgen.ci base                # the pull request's base revision

The functions are pure (JSON in, Markdown out) but for :func:`base_revision`, which reads the
event file the runner gives. Every text from a spec is escaped (:func:`markdown_text`): a
title cannot break a table or inject markup into the summary.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .accounting.figures import RESOURCES, Sum, percent
from .accounting.report import severity
from .escape import clean

__all__ = [
    "base_revision",
    "difference_markdown",
    "main",
    "markdown_text",
    "stale_markdown",
    "totals_markdown",
]

#: Shown where the spec gives no figure, as the picture leaves it out.
NOT_GIVEN = "—"
#: Markdown's punctuation that could start markup inside a line or a table cell.
_MARKUP = re.compile(r"([\\`*_\[\]{}|~#!:@])")


def markdown_text(text: str) -> str:
    """Return ``text`` as it reads in Markdown: one line, HTML and markup characters escaped."""
    return _MARKUP.sub(r"\\\1", html.escape(clean(text), quote=False))


def _code(text: str) -> str:
    """Return ``text`` as inline code (ids, paths): one line, backticks kept out of the span."""
    line = clean(text).replace("`", "'")
    return f"`{line}`" if line.strip() else markdown_text(text)


def _sum(data: Mapping[str, Any], key: str) -> Sum:
    """Return a figure of ``totals --json`` (its known part, ``null`` if none, and the count of
    contributors that gave none) as the :class:`Sum` it was made from."""
    value = data.get(key)
    unknown = (data.get("unknown") or {}).get(key, 0)
    return Sum(0, max(unknown, 1)) if value is None else Sum(value, unknown)


def _figure(data: Mapping[str, Any], key: str, resource: str | None = None) -> str:
    """Return one figure as label text ("≥ 2 GiB"); ``resource`` when ``key`` is not one."""
    return _sum(data, key).label(resource or key, NOT_GIVEN, "≥ ")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(diagram: Mapping[str, Any]) -> str:
    """Return the diagram's counts on one line: "1 host · 3 VMs · 8 containers · 1 app"."""
    parts = [
        _plural(diagram.get("hosts", 0), "host"),
        _plural(diagram.get("vms", 0), "VM"),
        _plural(diagram.get("containers", 0), "container"),
    ]
    if diagram.get("system_containers"):
        parts.append(_plural(diagram["system_containers"], "system container"))
    parts.append(_plural(diagram.get("apps", 0), "app"))
    overhead = diagram.get("os_overhead") or {}
    shown = {resource: _figure(overhead, resource) for resource in RESOURCES}
    using = ", ".join(
        text if resource == "cpu" else f"{text} {resource}"
        for resource, text in shown.items()
        if text != NOT_GIVEN
    )
    copies = _plural(diagram.get("os_copies", 0), "OS copy").replace("copys", "copies")
    parts.append(f"{copies} using {using}" if using else copies)
    if diagram.get("userland_copies"):
        parts.append(
            _plural(diagram["userland_copies"], "userland copy").replace("copys", "copies")
        )
    images = diagram.get("image_disk") or {}
    if images.get("naive"):
        unique, naive = (_figure(images, key, "disk") for key in ("unique", "naive"))
        parts.append(f"image disk {unique} ({naive} without sharing)")
    return " · ".join(parts)


def _host_row(host: Mapping[str, Any]) -> str:
    cells = [_code(str(host.get("id", ""))), markdown_text(str(host.get("stack", "")))]
    capacity, committed = host.get("capacity") or {}, host.get("committed") or {}
    for resource in RESOURCES:
        used = _figure(committed, resource)
        whole = capacity.get(resource)
        if whole is None:
            cells.append(used)
            continue
        share = None if used == NOT_GIVEN else percent(_sum(committed, resource), whole)
        mark = " ▲" if share is not None and share > 100 else ""
        shown = f" ({share}%{mark})" if share is not None else ""
        cells.append(f"{used} of {_figure(capacity, resource)}{shown}")
    return "| " + " | ".join(cells) + " |"


def _warnings(warnings: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the warnings as a list, and the figures not given as one line (as ``totals``)."""
    serious = [item for item in warnings if item.get("severity", "warning") != "info"]
    lines = [
        f"- ▲ {_code(str(item.get('code', '')))} at {_code(str(item.get('pointer', '')))}: "
        f"{markdown_text(str(item.get('message', '')))}"
        for item in serious
    ]
    missing = len(warnings) - len(serious)
    if missing:
        lines.append(f"- {_plural(missing, 'figure')} not given: totals marked ≥")
    return lines


def _spec_section(path: str, data: Mapping[str, Any]) -> str:
    title = data.get("title")
    heading = f"### {_code(path)}" + (f": {markdown_text(title)}" if title else "")
    lines = [heading, "", _counts(data.get("diagram") or {}), ""]
    hosts = data.get("hosts") or []
    if hosts:
        lines += [
            "| host | stack | cpu committed | memory committed | disk committed |",
            "| --- | --- | ---: | ---: | ---: |",
            *(_host_row(host) for host in hosts),
            "",
        ]
    warnings = _warnings(data.get("warnings") or [])
    if warnings:
        lines += [*warnings, ""]
    return "\n".join(lines)


def totals_markdown(data: Mapping[str, Any], spec: str | None = None, errors: str = "") -> str:
    """Return the job summary of ``diagramgen totals --json``: a section per spec.

    ``data`` is one spec's object (a single spec file given; ``spec`` names it) or objects
    keyed by spec path. ``errors`` is what the command printed on stderr (invalid specs).
    """
    specs = {spec or "spec": data} if "diagram" in data else dict(data)
    lines = ["## diagramgen: totals", ""]
    if not specs and not errors.strip():
        lines += ["No specs found.", ""]
    for path, totals in specs.items():
        lines.append(_spec_section(path, totals))
    if errors.strip():
        lines += [
            "### Specs that failed",
            "",
            *(f"- {markdown_text(line)}" for line in errors.splitlines() if line.strip()),
            "",
        ]
    return "\n".join(lines)


def _change_line(change: Mapping[str, Any]) -> str:
    kind = str(change.get("kind", "changed"))
    what = markdown_text(str(change.get("what", "component")))
    name = change.get("name") or change.get("id") or ""
    line = f"- {markdown_text(kind)} {what} {_code(str(name))}"
    if kind == "moved" and change.get("from") and change.get("to"):
        line += f" from {_code(str(change['from']))} to {_code(str(change['to']))}"
    figures = change.get("figures") or []
    if figures:
        line += ": " + ", ".join(
            f"{markdown_text(str(row.get('figure', '')))} "
            f"{markdown_text(str(row.get('old', '')))} → {markdown_text(str(row.get('new', '')))}"
            for row in figures
        )
    return line


def difference_markdown(spec: str, data: Mapping[str, Any]) -> str:
    """Return the change of one spec's totals from ``diagramgen diff --json`` as Markdown.

    Reads ``summary`` (one line), ``figures`` (``[{figure, old, new}]``: a table),
    ``changes`` (``[{kind, what, id, name, figures?, from?, to?}]``) and ``warnings``
    (``{appeared, resolved}``); a key that is absent is left out.
    """
    lines = [f"### {_code(spec)}", ""]
    if data.get("summary"):
        lines += [markdown_text(str(data["summary"])), ""]
    figures = data.get("figures") or []
    if figures:
        lines += ["| figure | base | this pull request |", "| --- | ---: | ---: |"]
        lines += [
            f"| {markdown_text(str(row.get('figure', '')))} "
            f"| {markdown_text(str(row.get('old', '')))} "
            f"| {markdown_text(str(row.get('new', '')))} |"
            for row in figures
        ]
        lines.append("")
    elif not data.get("changes"):
        lines += ["No figure changed.", ""]
    changes = data.get("changes") or []
    if changes:
        lines += [f"<details><summary>{_plural(len(changes), 'change')}</summary>", ""]
        lines += [*(_change_line(change) for change in changes), "", "</details>", ""]
    alerts = data.get("warnings") or {}
    listed = []
    for key, label in (("appeared", "New warning"), ("resolved", "Resolved warning")):
        items = alerts.get(key) or []
        for item in items:
            if severity(str(item.get("code", ""))) == "info":
                continue
            code, pointer = (_code(str(item.get(name, ""))) for name in ("code", "pointer"))
            message = markdown_text(str(item.get("message", "")))
            listed.append(f"- {label}: {code} at {pointer}: {message}")
        missing = sum(severity(str(item.get("code", ""))) == "info" for item in items)
        if missing:
            state = "not given now" if key == "appeared" else "given now"
            listed.append(f"- {_plural(missing, 'figure')} {state}")
    return "\n".join([*lines, *listed, *([""] if listed else [])])


def stale_markdown(report: str) -> str:
    """Return what a failed ``render --check --quiet`` printed as Markdown: the pictures
    missing or out of date, and any spec that is invalid, each on its line."""
    found = [line for line in report.splitlines() if line.strip()]
    lines = ["## diagramgen render --check failed", ""]
    lines += [f"- {markdown_text(line)}" for line in found]
    lines += ["", "Render them as you render them (`diagramgen render`) and commit them.", ""]
    return "\n".join(lines)


def base_revision(environ: Mapping[str, str]) -> str | None:
    """Return the revision a pull request is compared with: the base commit its event names,
    else ``origin/BASE_BRANCH``; ``None`` outside a pull request."""
    branch = environ.get("GITHUB_BASE_REF", "")
    if not branch:
        return None
    event = environ.get("GITHUB_EVENT_PATH", "")
    if event:
        try:
            payload = json.loads(Path(event).read_text("utf-8"))
        except (OSError, ValueError):
            payload = {}
        sha = (payload.get("pull_request") or {}).get("base", {}).get("sha")
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", sha):
            return sha
    return f"origin/{branch}"


def _read(path: str) -> str:
    return Path(path).read_text("utf-8", errors="replace") if path else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m diagramgen.ci COMMAND``: print Markdown (or the base revision)."""
    parser = argparse.ArgumentParser(prog="python -m diagramgen.ci", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    totals = commands.add_parser("totals", help="the totals of `diagramgen totals --json`")
    totals.add_argument("json", help="the file holding its output (may be empty)")
    totals.add_argument("--spec", help="the spec's path, when one spec file was given")
    totals.add_argument("--errors", default="", help="the file holding its stderr")
    difference = commands.add_parser("difference", help="the JSON of `diagramgen diff --json`")
    difference.add_argument("json")
    difference.add_argument("--spec", required=True, help="the spec's path")
    stale = commands.add_parser("stale", help="what `diagramgen render --check` printed")
    stale.add_argument("report")
    commands.add_parser("base", help="print the pull request's base revision")
    arguments = parser.parse_args(argv)
    if arguments.command == "base":
        revision = base_revision(os.environ)
        if revision is None:
            print("not a pull request: GITHUB_BASE_REF is not set", file=sys.stderr)
            return 1
        print(revision)
        return 0
    if arguments.command == "stale":
        print(stale_markdown(_read(arguments.report)))
        return 0
    text = _read(arguments.json).strip()
    data = json.loads(text) if text else {}
    if arguments.command == "totals":
        print(totals_markdown(data, arguments.spec, _read(arguments.errors)))
    else:
        print(difference_markdown(arguments.spec, data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
