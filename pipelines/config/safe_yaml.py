"""Reading YAML written by people (city config, source profiles) with hard limits.

`yaml.safe_load` is safe against code, not against size: a 600-byte file of nested
aliases ("billion laughs") expands to billions of nodes once anything walks it. The
document is composed first (aliases stay shared, linear in the file), its expanded size
is counted with memoisation, and only a document within the limits is constructed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1 << 20  # a city config or profile is a few KB
MAX_NODES = 100_000  # after expanding aliases
MAX_DEPTH = 50


class YamlRefused(ValueError):
    pass


def load_yaml(path: Path, what: str) -> Any:
    """The parsed document, or YamlRefused with a German message naming `what` and the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlRefused(
                f"{what} {path}: {size:,} Bytes, erlaubt sind höchstens "
                f"{MAX_BYTES:,} Bytes".replace(",", ".")
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise YamlRefused(f"{what} {path} ist kein UTF-8-Text") from None
    except OSError as exc:
        raise YamlRefused(f"{what} {path} nicht lesbar: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlRefused(f"{what} {path} ist kein gültiges YAML: {_where(exc)}") from None
    if node is None:
        return None
    _check_size(node, what, str(path))
    try:
        return yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as exc:
        raise YamlRefused(f"{what} {path} ist kein gültiges YAML: {_where(exc)}") from None


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "Syntaxfehler"
    if mark is not None:
        return f"{problem} in Zeile {mark.line + 1}, Spalte {mark.column + 1}"
    return str(problem)


def _check_size(root: yaml.Node, what: str, name: str) -> None:
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlRefused(f"{what} {name}: tiefer als {MAX_DEPTH} Ebenen verschachtelt")
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if total > MAX_NODES:
            raise YamlRefused(
                f"{what} {name}: mehr als {MAX_NODES:,} Einträge nach Auflösen der "
                "YAML-Verweise (&/*); Verweise vervielfachen den Inhalt".replace(",", ".")
            )
        sizes[id(node)] = total
        return total

    size(root, 0)
