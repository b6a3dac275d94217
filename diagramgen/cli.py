"""The ``diagramgen`` command: parse the command line, call the library, print the result.

Only this module turns errors into stderr lines and exit codes: 1 for a bad spec or a failed
render, 2 for a bad command line (:class:`UsageError`, or a library :class:`InvalidArgument`).
Results go to stdout. ``main(argv)`` returns the exit code, so every exit is testable in-process.
The library's messages name no option; :func:`_hint` adds the one that helps.
"""

# No `from __future__ import annotations` here: Typer would evaluate every parameter's
# annotation string when it builds the commands (3.5 ms a run); at import they cost 2 ms.

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import __version__
from .errors import DiagramgenError, InvalidArgument, OutputError, UsageError
from .escape import terminal_json, terminal_text

if TYPE_CHECKING:
    from .api import Summary
    from .settings import Settings
    from .spec import Limits

__all__ = ["app", "main"]

app = typer.Typer(
    name="diagramgen",
    help="Validated, layered diagrams of VM, container and hybrid stacks, with resource totals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Options that several commands share, declared once.
SpecsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="SPEC...",
        help="Spec files, folders (every *.json, *.yaml and *.yml below) or globs; - is stdin.",
    ),
]
FormatsOption = Annotated[
    str,
    typer.Option("--format", "-f", help="Comma-separated: svg, png, pdf, dot, drawio, drawio.svg."),
]
ThemeOption = Annotated[
    str,
    typer.Option(
        help="Colour theme: light, dark, mono, or auto (one SVG that follows the reader's "
        "light or dark preference; PNG and PDF are light)."
    ),
]
TextOption = Annotated[
    str,
    typer.Option(
        "--text",
        help="How SVGs draw text: font (with the embedded font) or paths (outlines: the same "
        "in every renderer, also without web fonts).",
    ),
]
WidthOption = Annotated[
    int,
    typer.Option(
        "--width",
        metavar="PX",
        help="Width budget in CSS px (the page column): VMs and workloads wrap to fit it.",
    ),
]
EngineOption = Annotated[
    str, typer.Option(help="Graphviz engine: auto, embedded (pygraphviz) or system (dot).")
]
SpecFormatOption = Annotated[
    str, typer.Option("--spec-format", help="Syntax of a spec read from - (stdin): json or yaml.")
]
LimitOption = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        metavar="NAME=N",
        help="Change a limit: spec-bytes, components, links, text, depth, picture, input-bytes "
        "(see docs).",
    ),
]


StackKind = Enum(  # type: ignore[misc]
    "StackKind", {name: name for name in ("vm", "container", "hybrid", "mixed")}, type=str
)


def _hint(rule: str) -> str | None:
    """Return what a user of this command line does about ``rule`` (the library's rule names)."""
    if rule.startswith("limit:"):
        return f"change it with --limit {rule.removeprefix('limit:')}=N"
    return {
        "exists": "use --force to overwrite it",
        "engine:system": "--engine system",
        "replicas:max": "--replicas max draws the maximum",
    }.get(rule)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"diagramgen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn JSON specs of infrastructure stacks into layered diagrams with resource totals."""


def _limits(items: list[str] | None) -> "Limits":
    from .spec import parse_limits

    try:
        return parse_limits(items)
    except InvalidArgument as error:
        raise UsageError(f"--limit: {error}") from None


def _settings(limit: list[str] | None, **chosen: Any) -> "Settings":
    from .settings import Settings

    return Settings(limits=_limits(limit), **chosen)


@app.command()
def validate(
    specs: SpecsArgument,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing for valid specs.")
    ] = False,
    spec_format: SpecFormatOption = "json",
    limit: LimitOption = None,
) -> int:
    """Check specs against the schema and the stack rules; print every problem found.

    Examples: diagramgen validate specs/ · diagramgen validate a.json b.yaml ·
    diagramgen validate - --spec-format yaml < stack.yaml
    """
    from .accounting.report import counts_text
    from .api.specs import check_specs

    failed = False
    for checked in check_specs(specs, _limits(limit), stdin=sys.stdin.buffer, syntax=spec_format):
        if checked.error is not None:
            _print_error(checked.error)
            failed = True
        elif not quiet and checked.totals is not None:
            _say(f"{checked.name}: valid ({counts_text(checked.totals.diagram)})")
    return 1 if failed else 0


@app.command()
def totals(
    specs: SpecsArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the totals as JSON (millicores and bytes).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every figure the spec leaves out.")
    ] = False,
    spec_format: SpecFormatOption = "json",
    limit: LimitOption = None,
) -> int:
    """Print the resource totals of specs: per host and VM, the diagram, and the warnings.

    One spec file prints its table (or JSON object); several specs, a folder or a glob print
    each spec's table under its path (--json: one object keyed by spec path).

    Examples: diagramgen totals specs/hybrid.json · diagramgen totals stack.yaml --json ·
    diagramgen totals specs/
    """
    from .accounting.report import totals_data, totals_text
    from .api.specs import check_specs

    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    failed = alone = False
    by_path: dict[str, Any] = {}
    for checked in check_specs(specs, _limits(limit), stdin=sys.stdin.buffer, syntax=spec_format):
        alone = checked.alone
        if checked.spec is None or checked.totals is None:
            assert checked.error is not None
            _print_error(checked.error)
            failed = True
        elif as_json:
            by_path[checked.name] = totals_data(checked.spec, checked.totals)
        else:
            text = totals_text(
                checked.spec, checked.totals, color, verbose, listing="--verbose lists them"
            )
            heading = "" if alone else f"== {terminal_text(checked.name)} ==\n"
            _out(heading + text + ("" if alone else "\n"))
    if as_json and not (alone and failed):
        _say_json(next(iter(by_path.values())) if alone else by_path)
    return 1 if failed else 0


@app.command()
def render(
    specs: SpecsArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path(
        "output"
    ),
    formats: FormatsOption = "svg",
    theme: ThemeOption = "light",
    width: WidthOption = 760,
    engine: EngineOption = "auto",
    embed_fonts: Annotated[
        bool,
        typer.Option(
            "--embed-fonts/--no-embed-fonts",
            help="Embed a subset of the font in SVGs so every browser draws the text alike.",
        ),
    ] = True,
    text: TextOption = "font",
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per CPU).")
    ] = 0,
    force: Annotated[bool, typer.Option(help="Render even outputs that are up to date.")] = False,
    check: Annotated[
        bool,
        typer.Option(help="Write nothing; exit 1 if an output is missing or out of date."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only errors: no progress, no summary.")
    ] = False,
    name: Annotated[
        str, typer.Option(help="With - (stdin): the diagram's name, which prefixes SVG ids.")
    ] = "stdin",
    spec_format: SpecFormatOption = "json",
    limit: LimitOption = None,
    watch: Annotated[
        bool,
        typer.Option("--watch", help="Then render again whenever a spec changes (Ctrl-C stops)."),
    ] = False,
    footer: Annotated[
        bool,
        typer.Option(
            "--footer",
            help="Write under the picture where it came from: the spec, its last commit, "
            "the version (every file's metadata says it anyway).",
        ),
    ] = False,
) -> int:
    """Draw specs as layered diagrams: OUTPUT/<spec name>.<format>, only what changed.

    Examples: diagramgen render spec.json · diagramgen render specs -o site/img -f svg,png ·
    diagramgen render docs/diagrams -o docs/img --check
    """
    from .files.atomic import not_a_folder
    from .formats import verify_formats

    chosen = verify_formats(formats.split(","))
    settings = _settings(
        limit,
        theme=theme,
        width=width,
        text=text,
        embed_fonts=embed_fonts,
        engine=engine,
        footer=footer,
    )
    if "-" in specs:
        if watch or check or len(chosen) != 1 or output != Path("output"):
            raise UsageError(
                "with - (stdin), give exactly one format: the picture goes to stdout "
                "(no -o, --check or --watch)"
            )
        return _render_stdin(specs, chosen[0], settings.replace(name=name), spec_format)
    if watch and check:
        raise UsageError("--watch renders files as they change; it takes no --check")
    problem = not_a_folder(output)
    if problem is not None:
        raise UsageError(f"{output}: {problem}; -o takes a folder")
    from .api import render_files
    from .files.discover import find_specs

    found = find_specs(specs)
    with _progress(len(found), quiet) as advance:
        summary = render_files(
            found,
            output,
            chosen,
            settings,
            jobs=jobs,
            check=check,
            force=force,
            progress=advance,
            hint=_hint,
        )
    _report(summary, check, quiet)
    if watch:
        return _render_watch(specs, output, chosen, settings)
    return 1 if summary.failed else 0


def _render_stdin(specs: list[str], output: str, settings: "Settings", syntax: str) -> int:
    """Render the spec on stdin in the format ``output``, to stdout."""
    from .api import render as draw
    from .files.discover import find_specs
    from .spec import load_text, read_spec_stream

    find_specs(specs, stdin=True)  # - alone
    data = read_spec_stream(sys.stdin.buffer, settings.limits)
    picture = draw(load_text(data, "<stdin>", settings.limits, syntax), [output], settings)
    _out(picture[output])
    return 0


def _report(summary: "Summary", check: bool, quiet: bool) -> None:
    """Print what a batch did: errors, stale outputs, removals and notes, then one summary."""
    for outcome in summary.outcomes:
        for line in outcome.errors:
            _say(line, err=True)
        for missing in outcome.differing:
            target = summary.folder / missing
            state = "differs from" if target.exists() else "is missing from"
            _say(f"{target}: {state} what `diagramgen render` writes now", err=True)
    for line in summary.errors:
        _say(line, err=True)
    for path in summary.removed:
        _say(f"{path}: removed, its spec failed", err=True)
    for path in summary.orphans:
        _say(f"note: {path} has no spec behind it", err=True)
    for note in summary.notes:
        _say(f"note: {note}", err=True)
    if not quiet:
        _say(_summary_line(summary, check), err=True)


def _render_watch(specs: list[str], output: Path, formats: list[str], settings: "Settings") -> int:
    """Render ``specs`` again as they change, until Ctrl-C; one line on stderr per change."""
    from .watch import render_on_change

    try:
        render_on_change(
            specs,
            output,
            formats,
            settings,
            echo=lambda line: _say(line, err=True),
            fail=lambda line: _say(line, err=True),
            hint=_hint,
        )
    except KeyboardInterrupt:
        typer.echo("stopped watching", err=True)
    return 0


def _summary_line(summary: "Summary", check: bool) -> str:
    seconds = f"in {summary.seconds:.2f} s"
    if check:
        fresh = summary.count("unchanged")
        checked = len(summary.outcomes)
        return (
            f"checked {checked} spec{'' if checked == 1 else 's'}: {fresh} up to date, "
            f"{summary.count('stale')} out of date, {summary.count('failed')} failed {seconds}"
        )
    rendered, unchanged = summary.count("rendered"), summary.count("unchanged")
    line = f"rendered {rendered}, unchanged {unchanged}, failed {summary.count('failed')} {seconds}"
    if unchanged and not rendered and not summary.failed:
        line += f" ({summary.folder}/ already holds current pictures; --force renders again)"
    return line


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[Any], None]]:
    """Yield a callback that advances a progress bar on stderr, if stderr is a terminal."""
    if quiet or total < 2 or not sys.stderr.isatty():
        yield lambda outcome: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("render", total=total)
        yield lambda outcome: bar.advance(task)


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help="The spec before: a file, - (stdin), or a git revision of one (main:docs/s.yaml).",
        ),
    ],
    new: Annotated[
        str | None,
        typer.Argument(metavar="[NEW]", help="The spec after (with --against: omitted)."),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against", metavar="REV", help="Compare OLD with itself as git revision REV has it."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Picture to write (default output/NEW-diff.<format>)."),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Draw the change too: svg, png, pdf, dot, drawio or drawio.svg (comma-separated).",
        ),
    ] = None,
    theme: ThemeOption = "light",
    width: WidthOption = 760,
    engine: EngineOption = "auto",
    text: TextOption = "font",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print both sides' figures and the differences as JSON.")
    ] = False,
    spec_format: SpecFormatOption = "json",
    limit: LimitOption = None,
) -> int:
    """Show what changed between two versions of a spec: in words, as JSON, or drawn.

    Examples: diagramgen diff old.yaml stack.yaml · diagramgen diff main:docs/stack.yaml
    docs/stack.yaml -f svg · diagramgen diff docs/stack.yaml --against main --json
    """
    from .api.diff import diff as diff_specs
    from .api.diff import diff_base, diff_files, git_spec
    from .formats import verify_formats
    from .spec import load_text, read_spec_stream

    settings = _settings(limit, theme=theme, width=width, text=text, engine=engine)
    if against is not None:
        if new is not None:
            raise UsageError("--against compares one spec with a revision of itself: give one")
        old, new = f"{against}:{old}", old
    if new is None:
        raise UsageError("give the spec before and the spec after (or one spec and --against)")
    if old == "-" and new == "-":
        raise UsageError("only one side can be - (stdin)")
    limits = settings.limits

    def side(argument: str) -> Any:
        if argument == "-":
            data = read_spec_stream(sys.stdin.buffer, limits)
            return load_text(data, "<stdin>", limits, spec_format)
        revision, colon, path = argument.partition(":")
        if colon and revision and not Path(argument).exists():
            return git_spec(revision, path, limits)
        return argument

    labels = tuple(
        a.partition(":")[0] if ":" in a and not Path(a).exists() else a for a in (old, new)
    )
    sides = (side(old), side(new))
    wanted = verify_formats(formats.split(",")) if formats else []
    if output is not None and not wanted:
        wanted = ["svg"]
    if wanted:
        stem = new if new != "-" else "stdin"
        base = diff_base(
            Path(stem).name if ":" not in stem else Path(stem.partition(":")[2]).name, output
        )
        if output is None:
            base = Path("output") / base.name
        difference, written = diff_files(*sides, base, wanted, settings, labels)  # type: ignore[arg-type]
        for target in written:
            _say(f"wrote {target}", err=True)
    else:
        difference = diff_specs(*sides, settings=settings, labels=labels)  # type: ignore[arg-type]
    if as_json:
        _say_json(difference.data())
        return 0
    _say(difference.summary())
    from .accounting.changes import arrow
    from .draw.difference import figure_rows

    rows = figure_rows(difference.old, difference.new, difference.before, difference.after)
    if rows:
        widest = max(len(label) for label, _, _ in rows)
        for label, before, after in rows:
            _say(f"  {label:<{widest}}  {arrow(before, after)}")
    signs = {"added": "+", "removed": "\N{MINUS SIGN}", "changed": "~", "moved": "~"}
    for change in difference.changes.items:
        what = f"{signs[change.kind]} {change.what} {change.name}"
        if change.kind == "moved":
            what += f" moved from {change.names[0]} to {change.names[1]}"
        figures = "; ".join(f"{label} {arrow(b, a)}" for label, b, a in change.figures)
        _say(f"{what}: {figures}" if figures else what)
    for sign, alerts in (
        ("+", difference.changes.appeared),
        ("\N{MINUS SIGN}", difference.changes.resolved),
    ):
        for alert in alerts:
            _say(f"{sign} warning: {alert.message}")
    return 0


@app.command()
def compare(
    first: Annotated[str, typer.Argument(metavar="A", help="The first spec.")],
    second: Annotated[str, typer.Argument(metavar="B", help="The second spec.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default output/A-vs-B.<format>)."),
    ] = None,
    formats: FormatsOption = "svg",
    theme: ThemeOption = "light",
    width: WidthOption = 760,
    engine: EngineOption = "auto",
    text: TextOption = "font",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the comparison as JSON instead of drawing it.")
    ] = False,
    limit: LimitOption = None,
) -> int:
    """Draw two specs side by side with a panel comparing their numbers.

    Examples: diagramgen compare as-vms.json as-containers.json -f svg,png ·
    diagramgen compare a.yaml b.yaml --json
    """
    from .api import compare as compare_specs
    from .api import compare_files
    from .formats import verify_formats

    settings = _settings(limit, theme=theme, width=width, text=text, engine=engine)
    if as_json:
        _say_json(compare_specs(first, second, settings=settings).data())
        return 0
    chosen = verify_formats(formats.split(","))
    _, written = compare_files(first, second, output, chosen, settings)
    for target in written:
        _say(f"wrote {target}", err=True)
    return 0


@app.command()
def watch(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC|FOLDER", help="A spec file, or a folder (an index of its specs)."
        ),
    ],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to serve on (default: a free one).")
    ] = 0,
    host: Annotated[
        str,
        typer.Option(help="Address to serve on; any but 127.0.0.1 shows your specs to others."),
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in a browser.")
    ] = True,
    engine: EngineOption = "auto",
    limit: LimitOption = None,
) -> int:
    """Serve a page with the picture, totals and warnings that updates on every save.

    Examples: diagramgen watch spec.json · diagramgen watch specs/ --no-open --port 8765
    """
    from .watch import watch as serve

    settings = _settings(limit, engine=engine)
    try:
        serve(spec, host=host, port=port, open_browser=open_browser, settings=settings, echo=_say)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    return 0


@app.command()
def schema() -> int:
    """Print the JSON Schema of spec v1 (save it and point "$schema" at it for editor help).

    Examples: diagramgen schema > spec-v1.schema.json
    """
    from .spec import schema_text

    _out(schema_text())
    return 0


@app.command()
def init(
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="Where to write the starter spec (default spec.json, or spec.yaml with "
            "--format yaml); - prints it.",
        ),
    ] = None,
    stack: Annotated[
        StackKind, typer.Option("--stack", "-s", help="Kind of stack to start from.")
    ] = StackKind.hybrid,  # type: ignore[attr-defined]
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
    syntax: Annotated[
        str,
        typer.Option("--format", help="json, or yaml (default when PATH ends in .yaml or .yml)."),
    ] = "",
) -> int:
    """Write a commented starter spec that validates, to edit into your own.

    Examples: diagramgen init · diagramgen init --stack vm my-stack.yaml ·
    diagramgen init --format yaml -
    """
    from .files.single import write_starter
    from .spec.starters import starter_text

    if path == "-":
        _out(starter_text(stack.value, syntax or "json"))
        return 0
    written = write_starter(path, stack.value, syntax=syntax or None, force=force)
    _say(f"wrote {written} ({stack.value} stack); check it with: diagramgen validate {written}")
    return 0


import_app = typer.Typer(
    help="Turn Docker Compose files, Kubernetes manifests or a Proxmox VE cluster into a spec, "
    "with their figures.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(import_app, name="import")

OutputSpecOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Spec file to write (.yaml, .yml or .json); default: YAML on stdout.",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")]


def _write_import(imported: Any, output: "Path | None", force: bool) -> int:
    """Print the importer's notes, then write the spec it made (or print it)."""
    from .files.single import write_spec_text
    from .importers import dump_spec
    from .spec import syntax_of

    for note in imported.warnings:
        _say(note.format(_hint), err=True)
    text = dump_spec(imported, "yaml" if output is None else syntax_of(output))
    if output is None:
        _out(text)
        return 0
    write_spec_text(output, text, force)
    _say(f"wrote {output}; draw it with: diagramgen render {output}", err=True)
    return 0


@import_app.command("compose")
def import_compose(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="compose.yaml files, merged in order as `docker compose -f` does, or the JSON "
            "of `docker compose config --format json`.",
        ),
    ],
    output: OutputSpecOption = None,
    profile: Annotated[
        list[str] | None,
        typer.Option(
            "--profile",
            help="Select services as `docker compose --profile` does; without it, services "
            "with profiles are left out, as `docker compose up`; `*` selects all.",
        ),
    ] = None,
    env_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--env-file",
            help="Variables for ${VAR}, read instead of the .env beside the first file, as "
            "`docker compose --env-file` does; repeat it, a later file winning.",
        ),
    ] = None,
    docker_info: Annotated[
        Path | None,
        typer.Option(help="JSON of `docker info --format json`: capacity, OS and engine."),
    ] = None,
    images: Annotated[
        Path | None,
        typer.Option(help="`docker image ls --format json` lines or `docker image inspect`."),
    ] = None,
    nodes: Annotated[
        int | None, typer.Option(min=1, help="Node count for services in `mode: global`.")
    ] = None,
    force: ForceOption = False,
    limit: LimitOption = None,
) -> int:
    """Import Docker Compose files as a spec: one container per service, with its figures.

    Examples: diagramgen import compose compose.yaml -o stack.yaml ·
    diagramgen import compose compose.yaml compose.prod.yaml --docker-info info.json
    """
    from .importers import import_compose as run

    imported = run(
        files,
        profiles=profile or (),
        env_files=env_file or (),
        docker_info=docker_info,
        images=images,
        nodes=nodes,
        limits=_limits(limit),
    )
    return _write_import(imported, output, force)


@import_app.command("kubernetes")
def import_kubernetes(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE|FOLDER|-]...",
            help="Manifests (YAML or JSON, several documents, List objects); a folder gives its "
            "*.yaml, *.yml and *.json files, as `kubectl apply -f DIR`; - reads stdin "
            "(`helm template … | diagramgen import kubernetes -`).",
        ),
    ] = None,
    output: OutputSpecOption = None,
    recursive: Annotated[
        bool,
        typer.Option("--recursive", "-R", help="Read the folders' subfolders too, as kubectl -R."),
    ] = False,
    replicas: Annotated[
        str,
        typer.Option(
            "--replicas",
            metavar="min|max",
            help="Draw a HorizontalPodAutoscaler's target with its minReplicas or maxReplicas.",
        ),
    ] = "min",
    nodes: Annotated[
        Path | None,
        typer.Option(help="JSON of `kubectl get nodes -o json`: one host per node."),
    ] = None,
    pods: Annotated[
        Path | None,
        typer.Option(help="JSON of `kubectl get pods -A -o json`: pods on their nodes."),
    ] = None,
    node_count: Annotated[
        int | None, typer.Option(min=1, help="Node count for DaemonSets without --nodes.")
    ] = None,
    force: ForceOption = False,
    limit: LimitOption = None,
) -> int:
    """Import Kubernetes manifests, or a cluster's nodes and pods, as a spec.

    Examples: diagramgen import kubernetes deploy.yaml -o cluster.yaml ·
    diagramgen import kubernetes k8s/ -o cluster.yaml ·
    kustomize build overlays/prod | diagramgen import kubernetes - ·
    diagramgen import kubernetes --nodes nodes.json --pods pods.json -o running.yaml
    """
    from .importers import import_kubernetes as run

    if not files and pods is None:
        raise UsageError("give manifests, or --pods with a dump of the running pods")
    imported = run(
        files or [],
        nodes=nodes,
        pods=pods,
        node_count=node_count,
        limits=_limits(limit),
        recursive=recursive,
        replicas=replicas,
        stdin=sys.stdin.buffer,
    )
    return _write_import(imported, output, force)


@import_app.command("proxmox")
def import_proxmox(
    resources: Annotated[
        str,
        typer.Argument(
            metavar="RESOURCES|-",
            help="JSON of `pvesh get /cluster/resources --output-format json` (the whole "
            "cluster: nodes, guests, storage); - reads stdin "
            "(`ssh root@pve pvesh get /cluster/resources --output-format json | diagramgen "
            "import proxmox -`).",
        ),
    ],
    output: OutputSpecOption = None,
    configs: Annotated[
        list[Path] | None,
        typer.Option(
            "--configs",
            metavar="FILE|FOLDER",
            help="Guest configs, each named for its VMID (100.conf): `qm config VMID` or "
            "`pct config VMID` text, /etc/pve/qemu-server/*.conf, or pvesh JSON; a folder "
            "gives its *.conf, *.json and *.txt files. Adds every disk and its storage, "
            "cores x sockets, balloon and the OS type. Repeatable.",
        ),
    ] = None,
    force: ForceOption = False,
    limit: LimitOption = None,
) -> int:
    """Import a Proxmox VE cluster as a spec: one host per node, its VMs and LXC containers.

    Examples: pvesh get /cluster/resources --output-format json > resources.json ·
    diagramgen import proxmox resources.json -o cluster.yaml ·
    diagramgen import proxmox resources.json --configs configs/ -o cluster.yaml
    """
    from .importers import import_proxmox as run

    imported = run(resources, configs=configs or (), limits=_limits(limit), stdin=sys.stdin.buffer)
    return _write_import(imported, output, force)


def _say(line: str, err: bool = False) -> None:
    """Print one line, user text in it escaped: a name cannot forge a line or move the cursor."""
    if err:
        typer.echo(terminal_text(line), err=True)
    else:
        _out(terminal_text(line) + "\n")


def _say_json(data: Any) -> None:
    import json

    _out(terminal_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def _out(data: str | bytes) -> None:
    """Write ``data`` to standard output now; one that cannot take it is an :class:`OutputError`
    (a full disk, a closed pipe), not a traceback."""
    try:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        sys.stdout.flush()
    except OSError as error:
        raise OutputError(f"standard output: cannot write: {error.strerror or error}") from None


def _print_error(error: DiagramgenError) -> None:
    for line in error.lines(_hint):
        _say(line, err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Standard output that cannot be written (a full disk, a closed pipe) is one line on stderr
    and exit code 1.
    """
    try:
        result = app(args=list(sys.argv[1:] if argv is None else argv), standalone_mode=False)
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except DiagramgenError as error:
        _print_error(error)
        return 2 if isinstance(error, (UsageError, InvalidArgument)) else 1
    except typer.Abort:  # Ctrl-C at a prompt
        typer.echo("Aborted!", err=True)
        return 1
    except typer.TyperException as error:  # the command line itself: an unknown option…
        shown = io.StringIO()
        show = getattr(error, "show", None)
        if show is None:  # pragma: no cover - every one Typer raises can show itself
            raise
        show(file=shown)
        for line in shown.getvalue().splitlines():
            _say(line, err=True)
        return error.exit_code
    return result if isinstance(result, int) else 0
