"""Check built distributions before they are published: what the release workflow runs.

    python -m build && python tools/check_dist.py dist [--tag v0.2.0]

1. ``twine check --strict`` passes on the wheel and the sdist;
2. both are ``diagramgen-stacks`` at the version ``diagramgen/__init__.py`` gives (and the
   tag's, when one is given);
3. the wheel holds every file of the package (each file under ``diagramgen/`` that git does not
   ignore) and the sdist holds what the wheel does, without the tests;
4. a fresh virtual environment with only the wheel installed (and its dependencies) renders every
   example byte-identically to ``output/``: the same commands as ``.ci/run``, run from the
   checkout by the environment's own ``diagramgen``, which imports nothing from the checkout.

Standard library only, so the workflow runs it with the Python that built the distributions.
Exit 0 when everything holds; else one line per problem on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "diagramgen-stacks"
#: The examples' pictures, as .ci/run renders them into output/ (OUT: the folder to write).
RENDERS = [
    ["render", "specs", "-o", "{out}", "-f", "svg,png", "--quiet"],
    ["render", "specs", "-o", "{out}/auto", "-f", "svg", "--theme", "auto", "--quiet"],
    [
        "compare",
        "specs/compare/as-vms.json",
        "specs/compare/as-containers.json",
        "-f",
        "svg,png",
        "-o",
        "{out}/as-vms-vs-as-containers.svg",
    ],
]
PICTURES = (".svg", ".png", ".pdf")


def version() -> str:
    """Return ``__version__`` as ``diagramgen/__init__.py`` assigns it (read, not imported)."""
    tree = ast.parse((ROOT / "diagramgen" / "__init__.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    raise SystemExit("diagramgen/__init__.py assigns no __version__")


def package_files() -> set[str]:
    """Return the package's files that a distribution must carry (git's view: not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "diagramgen"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return {name for name in listed.split("\0") if name and (ROOT / name).is_file()}


def check_archives(dist: Path, tag: str | None) -> list[str]:
    """Return what is wrong with the wheel and sdist in ``dist``: names, version, contents."""
    expected = version()
    stem = f"{DISTRIBUTION.replace('-', '_')}-{expected}"
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    problems = []
    if tag is not None and tag.removeprefix("v") != expected:
        problems.append(f"tag {tag} is not the version {expected} of diagramgen/__init__.py")
    if [path.name for path in wheels] != [f"{stem}-py3-none-any.whl"]:
        problems.append(f"{dist}: expected one wheel {stem}-py3-none-any.whl, found {wheels}")
    if [path.name for path in sdists] != [f"{stem}.tar.gz"]:
        problems.append(f"{dist}: expected one sdist {stem}.tar.gz, found {sdists}")
    if not (len(wheels) == len(sdists) == 1):
        return problems
    with zipfile.ZipFile(wheels[0]) as wheel:
        in_wheel = {name for name in wheel.namelist() if name.startswith("diagramgen/")}
    for name in sorted(package_files() - in_wheel):
        problems.append(f"{wheels[0].name}: lacks {name} (add it to package-data)")
    with tarfile.open(sdists[0]) as sdist:
        in_sdist = {name.partition("/")[2] for name in sdist.getnames()}
    for name in sorted(in_wheel - in_sdist):
        problems.append(f"{sdists[0].name}: lacks {name}")
    shipped_tests = sorted(name for name in in_sdist if name.startswith("tests/"))
    if shipped_tests:
        problems.append(f"{sdists[0].name}: holds tests ({shipped_tests[0]}, ...)")
    twine = [sys.executable, "-m", "twine", "check", "--strict", *map(str, [*wheels, *sdists])]
    done = subprocess.run(twine, capture_output=True, text=True)
    if done.returncode != 0:
        problems.append(f"twine check failed:\n{done.stdout}{done.stderr}")
    return problems


def check_wheel_renders(wheel: Path, folder: Path) -> list[str]:
    """Return what differs between ``output/`` and the examples as the installed wheel draws
    them, in a fresh virtual environment made in ``folder``."""
    environment = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    python = environment / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, str(wheel)], check=True)
    probe = (
        "import importlib.metadata as m, diagramgen; "
        f"print(diagramgen.__file__, m.version({DISTRIBUTION!r}), diagramgen.__version__, "
        "[e.value for e in m.entry_points(group='mkdocs.plugins') if e.name == 'diagramgen'])"
    )
    shown = subprocess.run(
        [str(python), "-I", "-c", probe], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.split()
    problems = []
    if not shown[0].startswith(str(environment)):
        problems.append(f"the fresh environment imports diagramgen from {shown[0]}")
    if shown[1] != version() or shown[2] != version():
        problems.append(f"installed versions {shown[1]} / {shown[2]}, expected {version()}")
    if "'diagramgen.integrations.mkdocs:DiagramgenPlugin']" not in shown[3]:
        problems.append(f"the MkDocs plugin's entry point is missing: {shown[3]}")
    out = folder / "out"
    for arguments in RENDERS:
        command = [str(environment / "bin" / "diagramgen")]
        command += [argument.format(out=out) for argument in arguments]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            problems.append(f"{' '.join(arguments)}: exit {done.returncode}\n{done.stderr}")
    committed = {p.relative_to(ROOT / "output") for p in (ROOT / "output").rglob("*")}
    drawn = {path.relative_to(out) for path in out.rglob("*")}
    for name in sorted(path for path in committed | drawn if path.suffix in PICTURES):
        if name not in drawn:
            problems.append(f"output/{name}: no example render writes it")
        elif name not in committed:
            problems.append(f"output/{name}: missing (the wheel renders it)")
        elif not filecmp.cmp(ROOT / "output" / name, out / name, shallow=False):
            problems.append(f"output/{name}: differs from what the installed wheel renders")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dist", type=Path, help="the folder python -m build wrote into")
    parser.add_argument("--tag", help="the release tag (v0.2.0): must be the version")
    arguments = parser.parse_args(argv)
    problems = check_archives(arguments.dist, arguments.tag)
    if not problems:
        with tempfile.TemporaryDirectory(prefix="check-dist-") as folder:
            wheel = next(arguments.dist.glob("*.whl")).resolve()
            problems = check_wheel_renders(wheel, Path(folder))
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_dist: {DISTRIBUTION} {version()}: wheel and sdist are ready to publish")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
