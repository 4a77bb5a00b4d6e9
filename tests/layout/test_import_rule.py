"""The package layout has one import rule: packages sit in layers and import only from layers below them (or from
their own package), no module imports itself back through others, and botocore is imported only where AWS is
spoken to (aws/, sso/) or its config loader is used (config/). docs/architecture.md draws the same layers.

The rule is read from the source with `ast`, every import counted (also those inside functions, which keep start-up
fast but are imports all the same). A failure names the file, the line and the import that breaks the rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "awsenv"

# The small shared kernel: top-level modules that any layer may use, and that use only one another.
KERNEL = {"errors", "model", "redact", "durations", "jsonlite", "files", "locking", "terminal", "env", "paths",
          "__init__"}
# The front end: the command line and the entry points, which nothing imports.
FRONT = {"cli", "main", "__main__"}
# Layer of each package (the kernel and the front end count as one unit each). Lower numbers sit below.
LAYERS = {
    0: {"kernel"},
    1: {"config", "keys", "cache", "shells"},
    2: {"plan", "aws", "sso"},
    3: {"resolve"},
    4: {"console", "server", "populate", "commands", "eks"},
    5: {"cli"},
}
# Edges between two packages of one layer that the layout allows, each for a reason.
SIBLINGS = {
    ("config", "keys"): "a profile's keys may be stored with `awsenv keys`: reading the config reads the key index",
    ("sso", "aws"): "IAM Identity Center's clients are built by the one botocore client factory",
}
# Public names kept at the top for users: each counts as part of the package it forwards to.
PUBLIC_ALIASES = {"keyfile": "keys"}
BOTOCORE_ALLOWED = {"aws", "sso", "config"}
MAX_TOP_LEVEL_MODULES = 15


def _layer_of() -> dict[str, int]:
    return {name: layer for layer, names in LAYERS.items() for name in names}


def _unit(module: str) -> str:
    """The top-level name under awsenv a dotted module belongs to (awsenv.plan.rules -> plan)."""
    parts = module.split(".")
    unit = parts[1] if len(parts) > 1 else "__init__"
    unit = PUBLIC_ALIASES.get(unit, unit)
    return "kernel" if unit in KERNEL else "cli" if unit in FRONT else unit


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(("awsenv",) + path.relative_to(PACKAGE).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> list[tuple[int, str]]:
    """(line, module) for every import in the file: awsenv modules resolved to the module imported (a name
    imported from a package is a module when one exists by that name), other packages by their top name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "awsenv":
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.append((node.lineno, candidate if candidate in known else node.module))
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return sorted(set(found))


def violations(modules: dict[str, Path]) -> list[str]:
    layer_of = _layer_of()
    known = set(modules)
    problems = []
    for module, path in modules.items():
        here = _unit(module)
        where = path.relative_to(PACKAGE.parent)
        if here not in layer_of:
            problems.append(f"{where}: awsenv.{here} has no layer: add it to LAYERS here and to docs/architecture.md")
            continue
        for line, target in imports(path, known):
            top = target.split(".")[0]
            if target.startswith("."):
                problems.append(f"{where}:{line}: relative import {target!r}: awsenv imports by absolute name")
            elif top in ("botocore", "boto3") and here not in BOTOCORE_ALLOWED:
                problems.append(f"{where}:{line} imports {target}: only {sorted(BOTOCORE_ALLOWED)} import botocore")
            elif top == "awsenv":
                there = _unit(target)
                if there == here or there not in layer_of:
                    continue
                if layer_of[there] > layer_of[here] or (layer_of[there] == layer_of[here]
                                                        and (here, there) not in SIBLINGS):
                    problems.append(f"{where}:{line} imports {target}: {here} (layer {layer_of[here]}) may not "
                                    f"import {there} (layer {layer_of[there]})")
    return problems


def cycles(modules: dict[str, Path]) -> list[list[str]]:
    """Cycles in the graph of awsenv modules (each found once, as the path that closes it)."""
    known = set(modules)
    graph = {module: sorted({target for _, target in imports(path, known) if target in known and target != module
                             and not module.startswith(target + ".") and module != target.rsplit(".", 1)[0]})
             for module, path in modules.items()}
    seen, on_path, found = set(), [], []

    def visit(module: str) -> None:
        if module in on_path:
            found.append(on_path[on_path.index(module):] + [module])
            return
        if module in seen:
            return
        seen.add(module)
        on_path.append(module)
        for target in graph[module]:
            visit(target)
        on_path.pop()

    for module in sorted(graph):
        visit(module)
    return found


def test_every_import_points_down_the_layers():
    problems = violations(_modules())
    assert not problems, "imports against the layout's rule:\n" + "\n".join(problems)


def test_no_module_imports_itself_back():
    found = cycles(_modules())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_package_files_are_empty():
    """`__init__.py` files hold nothing, so importing one module of a package loads only what that module needs
    (the cache-hit path loads awsenv.cli.fast without Typer)."""
    filled = [str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob("__init__.py")
              if path.parent != PACKAGE and path.read_text().strip()]
    assert not filled, f"non-empty package files: {filled}"


def test_the_top_level_holds_the_kernel_and_the_domains():
    modules = sorted(path.stem for path in PACKAGE.glob("*.py"))
    packages = sorted(path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists())
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules
    assert set(packages) <= set(_layer_of()), packages
    assert set(modules) <= KERNEL | FRONT | set(PUBLIC_ALIASES), modules


@pytest.mark.parametrize("source, expected", [
    ("from awsenv.cli.reporting import report\n", "plan (layer 2) may not import cli (layer 5)"),
    ("import botocore.session\n", "only ['aws', 'config', 'sso'] import botocore"),
    ("def f():\n    from awsenv.server import renewal\n", "plan (layer 2) may not import server (layer 4)"),
    ("from awsenv.sso import login\n", "plan (layer 2) may not import sso (layer 2)"),
    ("from awsenv import main\n", "plan (layer 2) may not import cli (layer 5)"),
])
def test_an_upward_import_is_named(tmp_path, source, expected):
    """The rule catches what it is for: a module of plan/ importing upward, sideways or botocore."""
    offender = PACKAGE / "plan" / "offender.py"
    modules = {**_modules(), "awsenv.plan.offender": offender}
    real_read = Path.read_text

    def read(path, *args, **kwargs):
        return source if path == offender else real_read(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_text", read)
        problems = violations(modules)
    assert [p for p in problems if "offender.py" in p and expected in p], problems


def test_a_cycle_is_named(tmp_path):
    first, second = PACKAGE / "plan" / "first.py", PACKAGE / "plan" / "second.py"
    modules = {**_modules(), "awsenv.plan.first": first, "awsenv.plan.second": second}
    texts = {first: "from awsenv.plan import second\n", second: "def f():\n    from awsenv.plan.first import x\n"}
    real_read = Path.read_text

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_text", lambda path, *a, **k: texts.get(path) or real_read(path, *a, **k))
        found = cycles(modules)
    assert ["awsenv.plan.first", "awsenv.plan.second", "awsenv.plan.first"] in found, found
