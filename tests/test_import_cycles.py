"""No import cycle inside `pipelines`, also none hidden in a function-level import.

The graph is built with `ast` from every `import` in every module (top level and inside
functions; `if TYPE_CHECKING:` blocks do not run and are left out). Importing `a.b.c`
also runs the packages `a.b` and `a` unless the importer lives inside them, so those
edges count too: a package `__init__` that re-exports is part of the graph. The one
dynamic import, the registry's `pipelines.deliveries.<kind>` per contract, is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pipelines.contracts import KINDS
from pipelines.deliveries.registry import transform_module

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "pipelines"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = getattr(test, "id", None) or getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skip.update(id(n) for n in ast.walk(child))
    return skip


def imported(tree: ast.AST, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of `modules` that importing `module` runs directly (see docstring)."""
    package = module if is_package else module.rpartition(".")[0]
    skip = _type_checking_only(tree)
    targets: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.append(full if full in modules else base)
    out = set()
    for target in targets:
        if target not in modules:
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            ancestor = ".".join(parts[:i])
            inside = module == ancestor or module.startswith(ancestor + ".")
            if ancestor in modules and not inside:
                out.add(ancestor)
    return out


def import_graph(root: Path = ROOT / PACKAGE) -> dict[str, set[str]]:
    paths = {module_name(p): p for p in sorted(root.rglob("*.py"))}
    modules = set(paths)
    graph = {
        m: imported(ast.parse(p.read_text(encoding="utf-8")), m, p.name == "__init__.py", modules)
        for m, p in paths.items()
    }
    if "pipelines.deliveries.registry" in graph:
        graph["pipelines.deliveries.registry"] |= {transform_module(k) for k in KINDS} & modules
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a -> ... -> a) per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                components.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_through(sorted(c)[0], c, graph) for c in components]


def _path_through(start: str, comp: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest cycle start -> ... -> start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & comp):
                if w == start:  # back at the start: walk the way here backwards
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if w not in previous:
                    previous[w] = v
                    following.append(w)
        frontier = following
    return [start]


def test_pipelines_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "Importzyklen in pipelines:\n" + "\n".join(" -> ".join(c) for c in found)


def test_function_level_imports_count():
    """The checker sees an import inside a function, and a cycle through a package init."""
    src = {
        "a": "def f():\n    from b import x\n",
        "b": "import a\n",
        "c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n",
        "p": "from p.m import y\n",
        "p.m": "y = 1\n",
        "q": "from p.m import y\n",
        "p.n": "import q\n",
    }
    modules = set(src)
    graph = {m: imported(ast.parse(code), m, m in ("p",), modules) for m, code in src.items()}
    assert graph["a"] == {"b"} and graph["c"] == set()
    assert graph["q"] == {"p", "p.m"}  # importing p.m runs p's __init__ first
    assert graph["p"] == {"p.m"}  # a package importing its own module: no edge back to p
    found = cycles(graph)
    assert sorted(sorted(set(c)) for c in found) == [["a", "b"]]
    graph["p.m"].add("q")  # p.m -> q -> p -> p.m
    assert ["p", "p.m", "q"] in [sorted(set(c)) for c in cycles(graph)]
