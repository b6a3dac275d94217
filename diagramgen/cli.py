"""The ``diagramgen`` command: parse the command line, call the library, print the result.

Only this module turns errors into stderr lines and exit codes: 1 for a bad spec or a failed
render, 2 for a bad command line (:class:`UsageError`, or a library :class:`InvalidArgument`).
Results go to stdout. ``main(argv)`` returns the exit code, so every exit is testable in-process.
"""

# No `from __future__ import annotations` here: Typer would evaluate every parameter's
# annotation string when it builds the commands (3.5 ms a run); at import they cost 2 ms.

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import __version__
from .errors import DiagramgenError, InvalidArgument, SpecInvalid, UsageError
from .escape import terminal_json, terminal_text

if TYPE_CHECKING:
    from .api import Summary
    from .files.discover import Found
    from .settings import Settings
    from .spec import Limits, Spec

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
FormatsOption = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated: svg, png, pdf, dot.")
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
        help="Change a limit: spec-bytes, components, links, text, depth, picture (see docs).",
    ),
]


StackKind = Enum("StackKind", {name: name for name in ("vm", "container", "hybrid")}, type=str)  # type: ignore[misc]


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

    return parse_limits(items)


def _stdin(limits: "Limits") -> bytes:
    """Return stdin's bytes, read in chunks: at most ``spec-bytes`` + 1 of them are held."""
    from .reading import TooLarge, read_stream
    from .spec.load import too_big

    try:
        return read_stream(sys.stdin.buffer, limits.spec_bytes)
    except TooLarge as error:
        raise SpecInvalid("<stdin>", [too_big(error.size, limits, at_least=True)]) from None


def _load(spec: str, limits: "Limits", syntax: str = "json") -> "Spec":
    """Return the model of one spec file, or of stdin for ``-`` (read as ``syntax``)."""
    from .spec import load, load_text

    if spec == "-":
        return load_text(_stdin(limits), "<stdin>", limits, syntax)
    if not Path(spec).exists():
        raise UsageError(f"{spec}: no such file")
    if Path(spec).is_dir():
        raise UsageError(f"{spec}: is a folder; give a spec file")
    return load(spec, limits)


@app.command()
def validate(
    specs: Annotated[
        list[str],
        typer.Argument(
            metavar="SPEC...", help="Spec files, folders or globs to check; - reads one from stdin."
        ),
    ],
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
    from .accounting import compute
    from .accounting.report import counts_text
    from .files.discover import find_specs
    from .spec import load, load_text

    limits = _limits(limit)
    if "-" in specs and specs != ["-"]:
        raise UsageError("- (stdin) cannot be combined with other specs")
    found: list[Found | None] = [None] if specs == ["-"] else [*find_specs(specs)]
    failed = False
    for spec in found:
        name = "<stdin>" if spec is None else str(spec.path)
        try:
            model = (
                load_text(_stdin(limits), name, limits, spec_format)
                if spec is None
                else load(spec.path, limits, spec.within)
            )
        except SpecInvalid as error:
            _print_error(error)
            failed = True
            continue
        if not quiet:
            _say(f"{name}: valid ({counts_text(compute(model).diagram)})")
    return 1 if failed else 0


@app.command()
def totals(
    specs: Annotated[
        list[str],
        typer.Argument(
            metavar="SPEC...", help="Spec files, folders or globs; - reads one from stdin."
        ),
    ],
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

    from .accounting import compute
    from .accounting.report import totals_data, totals_text
    from .files.discover import find_specs
    from .spec import load

    limits = _limits(limit)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    single = len(specs) == 1 and (specs[0] == "-" or not Path(specs[0]).is_dir())
    if single and (specs[0] == "-" or Path(specs[0]).exists()):
        model = _load(specs[0], limits, spec_format)
        result = compute(model)
        if as_json:
            _say_json(totals_data(model, result))
        else:
            text = totals_text(model, result, color=color, verbose=verbose)
            typer.echo(text, nl=False, color=color)
        return 0
    if "-" in specs:
        raise UsageError("- (stdin) cannot be combined with other specs")
    failed = False
    by_path: dict[str, Any] = {}
    for found in find_specs(specs):
        path = str(found.path)
        try:
            model = load(found.path, limits, found.within)
        except SpecInvalid as error:
            _print_error(error)
            failed = True
            continue
        result = compute(model)
        if as_json:
            by_path[path] = totals_data(model, result)
            continue
        heading = f"== {terminal_text(path)} =="
        text = totals_text(model, result, color=color, verbose=verbose)
        typer.echo(f"{heading}\n{text}", color=color)
    if as_json:
        _say_json(by_path)
    return 1 if failed else 0


@app.command()
def render(
    specs: Annotated[
        list[str],
        typer.Argument(
            metavar="SPEC...", help="Spec files, folders (every *.json below) or globs; - is stdin."
        ),
    ],
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
) -> int:
    """Draw specs as layered diagrams: OUTPUT/<spec name>.<format>, only what changed.

    Examples: diagramgen render spec.json · diagramgen render specs -o site/img -f svg,png ·
    diagramgen render docs/diagrams -o docs/img --check
    """
    from .formats import verify_formats
    from .settings import Settings

    chosen = verify_formats(formats.split(","))
    settings = Settings(
        theme=theme,
        width=width,
        text=text,
        embed_fonts=embed_fonts,
        engine=engine,
        limits=_limits(limit),
    )
    if watch and (check or "-" in specs):
        raise UsageError("--watch renders files as they change; it takes neither --check nor -")
    if "-" in specs:
        return _render_stdin(
            specs,
            chosen,
            settings.replace(name=name),
            check,
            spec_format,
            output_given=output != Path("output"),
        )
    from .files.atomic import not_a_folder

    problem = not_a_folder(output)
    if problem is not None:
        raise UsageError(f"{output}: {problem}; -o takes a folder")
    from .api import render_files
    from .files.discover import find_specs

    found = find_specs(specs)
    with _progress(len(found), quiet) as advance:
        summary = render_files(
            found, output, chosen, settings, jobs=jobs, check=check, force=force, progress=advance
        )
    for outcome in summary.outcomes:
        for line in outcome.errors:
            _say(line, err=True)
        for missing in outcome.differing:
            state = "differs from" if (output / missing).exists() else "is missing from"
            _say(f"{output / missing}: {state} what `diagramgen render` writes now", err=True)
    for path in summary.removed:
        _say(f"{path}: removed, its spec failed", err=True)
    for path in summary.orphans:
        _say(f"note: {path} has no spec behind it", err=True)
    for note in summary.notes:
        _say(f"note: {note}", err=True)
    if not quiet:
        _say(_summary_line(summary, check), err=True)
    if watch:
        return _render_watch(specs, output, chosen, settings)
    return 1 if summary.failed else 0


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


def _render_stdin(
    specs: list[str],
    formats: list[str],
    settings: "Settings",
    check: bool,
    syntax: str,
    output_given: bool,
) -> int:
    """Render the spec on stdin in the one requested format to stdout."""
    from .api import render as draw
    from .spec import load_text

    if check:
        raise UsageError("--check compares files in OUTPUT; it does not read - (stdin)")
    if specs != ["-"]:
        raise UsageError("- (stdin) cannot be combined with other specs")
    if len(formats) != 1:
        raise UsageError("with - (stdin), give exactly one format; the picture goes to stdout")
    if output_given:
        raise UsageError("with - (stdin) the picture goes to stdout; -o does not apply")
    limits = settings.limits
    model = load_text(_stdin(limits), "<stdin>", limits, syntax)
    pictures = draw(model, formats, settings)
    sys.stdout.buffer.write(pictures[formats[0]])
    sys.stdout.buffer.flush()
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
    from .settings import Settings

    settings = Settings(theme=theme, width=width, text=text, engine=engine, limits=_limits(limit))
    models = (_load(first, settings.limits), _load(second, settings.limits))
    if as_json:
        from .api import comparison_labels

        labels = comparison_labels(first, second)
        comparison = compare_specs(*models, settings=settings, labels=labels)
        _say_json(comparison.data())
        return 0
    _, written = compare_files(first, second, output, verify_formats(formats.split(",")), settings)
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
    from .settings import Settings
    from .watch import watch as serve

    settings = Settings(engine=engine, limits=_limits(limit))
    if not Path(spec).exists():
        raise UsageError(f"{spec}: no such file or folder")
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

    typer.echo(schema_text(), nl=False)
    return 0


@app.command()
def init(
    path: Annotated[
        str, typer.Argument(metavar="[PATH]", help="Where to write the starter spec; - prints it.")
    ] = "spec.json",
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
    from .spec.sources import SYNTAXES, syntax_of, verify_syntax
    from .spec.starters import starter_text

    kind = stack.value
    chosen = verify_syntax(syntax) if syntax else ("json" if path == "-" else syntax_of(path))
    if path == "-":
        typer.echo(starter_text(kind, chosen), nl=False)
        return 0
    if path == "spec.json" and chosen == "yaml":
        path = "spec.yaml"
    read_as = syntax_of(path)
    if chosen != read_as:  # validate and render would read it as the other syntax
        suffix = SYNTAXES[chosen][0]
        raise UsageError(
            f"{path}: would be read as {read_as.upper()}, not {chosen.upper()}; "
            f"name it {Path(path).stem}{suffix} or leave out --format"
        )
    write_starter(path, kind, force, chosen)
    _say(f"wrote {path} ({kind} stack); check it with: diagramgen validate {path}")
    return 0


import_app = typer.Typer(
    help="Turn Docker Compose files or Kubernetes manifests into a spec, with their figures.",
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


def _require_inputs(*paths: "Path | None") -> None:
    """Refuse an input path that does not exist, as every command does (a usage error)."""
    for path in paths:
        if path is not None and not (path.exists() or path.is_symlink()):
            raise UsageError(f"{path}: no such file or folder")


def _write_import(imported: Any, output: "Path | None", force: bool) -> int:
    """Print the importer's notes, check the spec it made, and write it (or print it)."""
    from .files.single import write_spec_text
    from .importers import dump_spec
    from .spec import validate

    for note in imported.warnings:
        _say(note.format(), err=True)
    validate(imported.document, file="<imported spec>")
    syntax = "json" if output is not None and output.suffix.lower() == ".json" else "yaml"
    text = dump_spec(imported, syntax)
    if output is None:
        typer.echo(text, nl=False)
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
        typer.Option("--profile", help="Select services as `docker compose --profile` does."),
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
) -> int:
    """Import Docker Compose files as a spec: one container per service, with its figures.

    Examples: diagramgen import compose compose.yaml -o stack.yaml ·
    diagramgen import compose compose.yaml compose.prod.yaml --docker-info info.json
    """
    from .importers import import_compose as run

    _require_inputs(*files, docker_info, images)
    imported = run(
        files, profiles=profile or (), docker_info=docker_info, images=images, nodes=nodes
    )
    return _write_import(imported, output, force)


@import_app.command("kubernetes")
def import_kubernetes(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[FILE...]",
            help="Manifests (YAML or JSON, several documents, List objects).",
        ),
    ] = None,
    output: OutputSpecOption = None,
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
) -> int:
    """Import Kubernetes manifests, or a cluster's nodes and pods, as a spec.

    Examples: diagramgen import kubernetes deploy.yaml -o cluster.yaml ·
    diagramgen import kubernetes --nodes nodes.json --pods pods.json -o running.yaml
    """
    from .importers import import_kubernetes as run

    if not files and pods is None:
        raise UsageError("give manifests, or --pods with a dump of the running pods")
    _require_inputs(*(files or []), nodes, pods)
    imported = run(files or [], nodes=nodes, pods=pods, node_count=node_count)
    return _write_import(imported, output, force)


def _say(line: str, err: bool = False) -> None:
    """Print one line, user text in it escaped: a name cannot forge a line or move the cursor."""
    typer.echo(terminal_text(line), err=err)


def _say_json(data: Any) -> None:
    import json

    typer.echo(terminal_json(json.dumps(data, indent=2, ensure_ascii=False)))


def _print_error(error: DiagramgenError) -> None:
    for line in error.lines():
        _say(line, err=True)


def _exit_code(error: DiagramgenError) -> int:
    return 2 if isinstance(error, (UsageError, InvalidArgument)) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        result = app(args=list(sys.argv[1:] if argv is None else argv), standalone_mode=False)
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except DiagramgenError as error:
        _print_error(error)
        return _exit_code(error)
    except Exception as error:
        # Typer's own usage errors (an unknown option, a missing argument) and Ctrl-C arrive
        # as click exceptions: they know their message and exit code.
        if type(error).__name__ == "Abort":
            typer.echo("Aborted!", err=True)
            return 1
        show = getattr(error, "show", None)
        code = getattr(error, "exit_code", None)
        if show is None or not isinstance(code, int):
            raise
        import io

        shown = io.StringIO()
        show(file=shown)
        for line in shown.getvalue().splitlines():
            _say(line, err=True)
        return code
    return result if isinstance(result, int) else 0
