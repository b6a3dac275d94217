"""The ``diagramgen`` command: a thin layer over the library that turns errors into exit codes.

Only this module prints user errors: stderr lines, no tracebacks, exit 1 for a bad spec and
exit 2 for a bad command line. Results go to stdout.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__
from .errors import DiagramgenError, SpecInvalid, UsageError

if TYPE_CHECKING:
    from .model import Spec

__all__ = ["app", "main"]

app = typer.Typer(
    name="diagramgen",
    help="Validated, layered diagrams of VM, container and hybrid stacks, with resource totals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
        list[str], typer.Argument(help="Spec files to check; - reads one from stdin.")
    ],
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing for valid specs.")
    ] = False,
) -> None:
    """Check specs against the schema and the stack rules; print every problem found."""
    from .spec import load, load_text

    for spec in specs:
        if spec != "-" and not Path(spec).exists():
            raise UsageError(f"{spec}: no such file")
        if Path(spec).is_dir():
            raise UsageError(f"{spec}: is a folder; give spec files")
    failed = False
    for spec in specs:
        name = "<stdin>" if spec == "-" else spec
        try:
            model = load_text(sys.stdin.buffer.read(), name) if spec == "-" else load(spec)
        except SpecInvalid as error:
            _print_error(error)
            failed = True
            continue
        if not quiet:
            vms = sum(len(host.vms) for host in model.hosts)
            typer.echo(f"{name}: valid ({_count(len(model.hosts), 'host')}, {_count(vms, 'VM')})")
    if failed:
        raise typer.Exit(1)


@app.command()
def totals(
    spec: Annotated[str, typer.Argument(help="Spec file; - reads it from stdin.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the totals as JSON (millicores and bytes).")
    ] = False,
) -> None:
    """Print the resource totals of a spec: per host and VM, the diagram, and the warnings."""
    import json
    import os

    from .report import totals_data, totals_text
    from .totals import compute

    model = _load_one(spec)
    result = compute(model)
    if as_json:
        typer.echo(json.dumps(totals_data(model, result), indent=2, ensure_ascii=False))
        return
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    typer.echo(totals_text(model, result, color=color), nl=False, color=color)


@app.command()
def render(
    specs: Annotated[list[str], typer.Argument(help="Spec files to draw.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path(
        "output"
    ),
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: svg, png, pdf, dot.")
    ] = "svg",
    theme: Annotated[str, typer.Option(help="Colour theme: light, dark or mono.")] = "light",
    engine: Annotated[
        str, typer.Option(help="Graphviz engine: auto, embedded (pygraphviz) or system (dot).")
    ] = "auto",
    embed_fonts: Annotated[
        bool,
        typer.Option(
            "--embed-fonts/--no-embed-fonts",
            help="Embed a subset of the font in SVGs so every browser draws the text alike.",
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Draw specs as layered diagrams: OUTPUT/<spec name>.<format> for each format."""
    from .engines import select_engine
    from .output import write_atomic
    from .render import Options, verify_formats
    from .render import render as draw
    from .spec import load

    chosen = verify_formats(formats.split(","))
    options = Options(theme=theme, engine=engine, embed_fonts=embed_fonts)
    paths = [Path(spec) for spec in specs]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        if path.is_dir():
            raise UsageError(f"{path}: is a folder; give spec files")
    stems: dict[str, Path] = {}
    for path in paths:
        earlier = stems.setdefault(path.stem, path)
        if earlier != path:
            raise UsageError(f"{earlier} and {path} would both write {output / path.stem}.*")
    chosen_engine = select_engine(engine) if set(chosen) - {"dot"} else None
    failed = False
    for path in paths:
        try:
            pictures = draw(load(path), chosen, options, path.stem, chosen_engine)
        except DiagramgenError as error:
            _print_error(error if isinstance(error, SpecInvalid) else _named(path, error))
            failed = True
            continue
        for kind, data in pictures.items():
            target = output / f"{path.stem}.{kind}"
            write_atomic(target, data)
            if not quiet:
                typer.echo(f"wrote {target}")
    if failed:
        raise typer.Exit(1)


def _named(path: Path, error: DiagramgenError) -> DiagramgenError:
    named = DiagramgenError(f"{path}: {error}")
    named.exit_code = error.exit_code
    return named


def _load_one(spec: str) -> Spec:
    from .spec import load, load_text

    if spec == "-":
        return load_text(sys.stdin.buffer.read(), "<stdin>")
    if not Path(spec).exists():
        raise UsageError(f"{spec}: no such file")
    if Path(spec).is_dir():
        raise UsageError(f"{spec}: is a folder; give a spec file")
    return load(spec)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@app.command()
def schema() -> None:
    """Print the JSON Schema of spec v1 (save it and point "$schema" at it for editor help)."""
    from .spec import schema_text

    typer.echo(schema_text(), nl=False)


@app.command()
def init(
    path: Annotated[
        str, typer.Argument(help="Where to write the starter spec; - prints it.")
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


def main() -> NoReturn:
    """Run the command line; the console script's entry point."""
    try:
        app(standalone_mode=True)
    except DiagramgenError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    sys.exit(0)  # pragma: no cover - typer exits itself
