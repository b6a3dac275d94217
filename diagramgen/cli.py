"""The ``diagramgen`` command: a thin layer over the library that turns errors into exit codes.

Only this module prints user errors: stderr lines, no tracebacks, exit 1 for a bad spec and
exit 2 for a bad command line. Results go to stdout.
"""

# No `from __future__ import annotations` here: Typer would evaluate every parameter's
# annotation string when it builds the commands (3.5 ms a run); at import they cost 2 ms.

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from . import __version__
from .errors import DiagramgenError, SpecInvalid, UsageError

if TYPE_CHECKING:
    from .engines import Engine
    from .model import Spec
    from .renderer import EngineProcess

__all__ = ["app", "main"]

app = typer.Typer(
    name="diagramgen",
    help="Validated, layered diagrams of VM, container and hybrid stacks, with resource totals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# Options that several commands share, declared once.
FormatsOption = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated: svg, png, pdf, dot.")
]
ThemeOption = Annotated[str, typer.Option(help="Colour theme: light, dark or mono.")]
EngineOption = Annotated[
    str, typer.Option(help="Graphviz engine: auto, embedded (pygraphviz) or system (dot).")
]
LimitOption = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        metavar="NAME=N",
        help="Change a limit: spec-bytes, components, text, depth, picture (see README).",
    ),
]


class StackKind(str, Enum):
    vm = "vm"
    container = "container"
    hybrid = "hybrid"


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


@app.command()
def validate(
    specs: Annotated[
        list[str],
        typer.Argument(metavar="SPEC...", help="Spec files to check; - reads one from stdin."),
    ],
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing for valid specs.")
    ] = False,
    limit: LimitOption = None,
) -> None:
    """Check specs against the schema and the stack rules; print every problem found."""
    from .limits import parse_limits
    from .report import counts_text
    from .spec import load, load_text
    from .totals import compute

    limits = parse_limits(limit)
    for spec in specs:
        if spec != "-" and not Path(spec).exists():
            raise UsageError(f"{spec}: no such file")
        if Path(spec).is_dir():
            raise UsageError(f"{spec}: is a folder; give spec files")
    failed = False
    for spec in specs:
        name = "<stdin>" if spec == "-" else spec
        try:
            model = (
                load_text(sys.stdin.buffer.read(limits.spec_bytes + 1), name, limits)
                if spec == "-"
                else load(spec, limits)
            )
        except SpecInvalid as error:
            _print_error(error)
            failed = True
            continue
        if not quiet:
            counts = counts_text(compute(model).diagram)
            typer.echo(f"{name}: valid ({counts})")
    if failed:
        raise typer.Exit(1)


@app.command()
def totals(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help="Spec file; - reads it from stdin.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the totals as JSON (millicores and bytes).")
    ] = False,
    limit: LimitOption = None,
) -> None:
    """Print the resource totals of a spec: per host and VM, the diagram, and the warnings."""
    import json
    import os

    from .report import totals_data, totals_text
    from .totals import compute

    model = _load_one(spec, limit)
    result = compute(model)
    if as_json:
        typer.echo(json.dumps(totals_data(model, result), indent=2, ensure_ascii=False))
        return
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    typer.echo(totals_text(model, result, color=color), nl=False, color=color)


@app.command()
def render(
    context: typer.Context,
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
    engine: EngineOption = "auto",
    embed_fonts: Annotated[
        bool,
        typer.Option(
            "--embed-fonts/--no-embed-fonts",
            help="Embed a subset of the font in SVGs so every browser draws the text alike.",
        ),
    ] = True,
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
    limit: LimitOption = None,
) -> None:
    """Draw specs as layered diagrams: OUTPUT/<spec name>.<format>, only what changed."""
    from .limits import parse_limits
    from .options import Options, verify_formats

    chosen = verify_formats(formats.split(","))
    options = Options(theme=theme, engine=engine, embed_fonts=embed_fonts)
    limits = parse_limits(limit)
    if "-" in specs:
        if check:
            raise UsageError("--check compares files in OUTPUT; it does not read - (stdin)")
        _render_stdin(specs, chosen, options, limits, name, context.obj)
        return
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: is a file; -o takes a folder")
    from .batch import run_batch
    from .discover import find_specs

    found = find_specs(specs)
    with _progress(len(found), quiet) as advance:
        summary = run_batch(
            found, chosen, options, output, jobs, check, force, advance, limits, context.obj
        )
    for outcome in summary.outcomes:
        for line in outcome.errors:
            typer.echo(line, err=True)
        for name in outcome.differing:
            state = "differs from" if (output / name).exists() else "is missing from"
            typer.echo(f"{output / name}: {state} what `diagramgen render` writes now", err=True)
    for path in summary.removed:
        typer.echo(f"{path}: removed, its spec failed", err=True)
    for path in summary.orphans:
        typer.echo(f"note: {path} has no spec behind it", err=True)
    if not quiet:
        typer.echo(_summary_line(summary, check), err=True)
    if summary.failed:
        raise typer.Exit(1)


def _summary_line(summary: Any, check: bool) -> str:
    seconds = f"in {summary.seconds:.2f} s"
    if check:
        fresh = summary.count("unchanged")
        return (
            f"checked {len(summary.outcomes)} specs: {fresh} up to date, "
            f"{summary.count('stale')} out of date, {summary.count('failed')} failed {seconds}"
        )
    return (
        f"rendered {summary.count('rendered')}, unchanged {summary.count('unchanged')}, "
        f"failed {summary.count('failed')} {seconds}"
    )


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
    options: Any,
    limits: Any,
    name: str,
    process: "EngineProcess | None",
) -> None:
    """Render the spec on stdin in the one requested format to stdout."""
    from .render import render as draw
    from .spec import load_text

    if specs != ["-"]:
        raise UsageError("- (stdin) cannot be combined with other specs")
    if len(formats) != 1:
        raise UsageError("with - (stdin), give exactly one format; the picture goes to stdout")
    data = sys.stdin.buffer.read(limits.spec_bytes + 1)
    model = load_text(data, "<stdin>", limits)
    engine = _engine(options, formats, process)
    data = draw(model, formats, options, name, engine, limits=limits)[formats[0]]
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _engine(options: Any, formats: list[str], process: "EngineProcess | None") -> "Engine | None":
    """Return the engine for ``formats`` (none for DOT alone), in the engine process if any."""
    from .engines import select_engine

    return select_engine(options.engine, process) if set(formats) - {"dot"} else None


@app.command()
def compare(
    context: typer.Context,
    first: Annotated[str, typer.Argument(metavar="A", help="The first spec.")],
    second: Annotated[str, typer.Argument(metavar="B", help="The second spec.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default output/A-vs-B.<format>)."),
    ] = None,
    formats: FormatsOption = "svg",
    theme: ThemeOption = "light",
    engine: Annotated[
        str, typer.Option(help="Graphviz engine: auto, embedded or system.")
    ] = "auto",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the comparison as JSON instead of drawing it.")
    ] = False,
    limit: LimitOption = None,
) -> None:
    """Draw two specs side by side with a panel comparing their numbers."""
    import json

    from .compare import compare as combine
    from .compare import comparison_data, comparison_label
    from .limits import parse_limits
    from .options import Options, verify_formats
    from .output import write_atomic
    from .render import render as draw
    from .themes import verify_theme

    chosen = verify_formats(formats.split(","))
    options = Options(theme=theme, engine=engine)
    labels = (Path(first).stem, Path(second).stem)
    if labels[0] == labels[1]:
        labels = (f"A {labels[0]}", f"B {labels[1]}")
    spec, side_a, side_b = combine(_load_one(first, limit), _load_one(second, limit), labels)
    if as_json:
        typer.echo(json.dumps(comparison_data(side_a, side_b), indent=2, ensure_ascii=False))
        return
    panel = comparison_label(side_a, side_b, verify_theme(theme))
    name = f"{Path(first).stem}-vs-{Path(second).stem}"
    base = output or Path("output") / name
    if base.suffix.lstrip(".") in ("svg", "png", "pdf", "dot"):
        base = base.with_suffix("")  # -o cmp.svg: the stem; -o design-1.2: the whole name
    drawer = _engine(options, chosen, context.obj)
    pictures = draw(spec, chosen, options, base.name, drawer, panel, parse_limits(limit))
    for kind, data in pictures.items():
        target = base.with_name(f"{base.name}.{kind}")
        write_atomic(target, data)
        typer.echo(f"wrote {target}", err=True)


def _load_one(spec: str, limit: list[str] | None = None) -> "Spec":
    from .limits import parse_limits
    from .spec import load, load_text

    limits = parse_limits(limit)
    if spec == "-":
        return load_text(sys.stdin.buffer.read(limits.spec_bytes + 1), "<stdin>", limits)
    if not Path(spec).exists():
        raise UsageError(f"{spec}: no such file")
    if Path(spec).is_dir():
        raise UsageError(f"{spec}: is a folder; give a spec file")
    return load(spec, limits)


@app.command()
def schema() -> None:
    """Print the JSON Schema of spec v1 (save it and point "$schema" at it for editor help)."""
    from .spec import schema_text

    typer.echo(schema_text(), nl=False)


@app.command()
def init(
    path: Annotated[
        str, typer.Argument(metavar="[PATH]", help="Where to write the starter spec; - prints it.")
    ] = "spec.json",
    stack: Annotated[
        StackKind, typer.Option("--stack", "-s", help="Kind of stack to start from.")
    ] = StackKind.hybrid,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a commented starter spec that validates, to edit into your own."""
    from .output import write_atomic
    from .starters import starter_text

    text = starter_text(stack.value)
    if path == "-":
        typer.echo(text, nl=False)
        return
    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{path}: already exists; use --force to overwrite it")
    write_atomic(target, text.encode("utf-8"))
    typer.echo(f"wrote {path} ({stack.value} stack); check it with: diagramgen validate {path}")


def _print_error(error: DiagramgenError) -> None:
    for line in error.lines():
        typer.echo(line, err=True)


def main(process: "EngineProcess | None" = None) -> NoReturn:
    """Run the command line; ``process`` is the engine process started at launch, if any."""
    try:
        app(standalone_mode=True, obj=process)
        code = 0
    except SystemExit as done:  # how Typer ends every command, usage errors included
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        if isinstance(done.code, str):
            typer.echo(done.code, err=True)
    except DiagramgenError as error:
        _print_error(error)
        code = error.exit_code
    except OSError as error:  # a file the user named cannot be written or read
        where = f"{error.filename}: " if error.filename else ""
        typer.echo(f"diagramgen: {where}{error.strerror or error}", err=True)
        code = 1
    finally:
        if process is not None:
            process.release()
    _exit(code)


def _exit(code: int) -> NoReturn:
    """End the process without the interpreter's teardown.

    Freeing every module and cache takes about 35 ms, a fifth of a small render. Everything
    diagramgen writes is closed by now (atomic writes close their files), the engines' temporary
    files are removed here, and the output streams are flushed.
    """
    from .engines import clean_up

    clean_up()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
