"""Reading the admins' YAML with ruamel.yaml, keeping where every value stands, and turning validation
errors into `file:line:col path: message` lines with a did-you-mean where one fits."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}  {self.path}: {self.message}" if self.path else f"{where}  {self.message}"


class PolicyError(Exception):
    """Raised with every problem found, so that one lint run lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class YamlDocument:
    file: str
    data: Any
    positions: dict[Loc, tuple[int, int]]  # 1-based line and column of each key or item

    def where(self, loc: Loc) -> tuple[int, int]:
        """The position of the deepest part of `loc` that exists in the file."""
        for size in range(len(loc), -1, -1):
            if loc[:size] in self.positions:
                return self.positions[loc[:size]]
        return (1, 1)

    def locate(self, under: Loc, value: str) -> Loc:
        """Where below `under` the admin wrote `value`, so that an error points at the name itself."""
        for loc in self.positions:
            if loc[: len(under)] == under and _value_at(self.data, loc) == value:
                return loc
        return under

    def problem(self, loc: Loc, message: str) -> Problem:
        line, col = self.where(loc)
        return Problem(self.file, line, col, render_path(self.data, loc), message)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([Problem(name, 1, 1, "", f"cannot read: {exc.strerror or exc}")]) from exc
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> YamlDocument:
    yaml = YAML(typ="rt")
    try:
        raw = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PolicyError([Problem(name, line, col, "", f"YAML: {exc.problem or exc.context}")]) from exc
    positions: dict[Loc, tuple[int, int]] = {(): (1, 1)}
    data = _plain(raw, (), positions)
    return YamlDocument(name, data if data is not None else {}, positions)


def _plain(node: Any, loc: Loc, positions: dict[Loc, tuple[int, int]]) -> Any:
    """ruamel's commented containers to plain dicts and lists, recording positions on the way."""
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            positions[(*loc, str(key))] = (line + 1, col + 1)
            out[str(key)] = _plain(value, (*loc, str(key)), positions)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*loc, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*loc, index), positions))
        return items
    return node


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def render_path(data: Any, loc: Loc) -> str:
    """`('rules', 1, 'then', 0)` -> `rules[ads].then[0]`: list items that carry an id are named by it."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label: str | int = part
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                label = node[part].get("id", part)
            out += f"[{label}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validation_problems(doc: YamlDocument, error: ValidationError, vocabulary: set[str]) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(
            p for p in item["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        )
        if item["type"] == "extra_forbidden" and loc:
            what = "detector" if len(loc) > 1 and loc[-2] == "detect" else "key"
            message = f"unknown {what} {loc[-1]!r}{did_you_mean(str(loc[-1]), vocabulary)}"
        else:
            message = item["msg"].removeprefix("Value error, ")
        problems.append(doc.problem(loc, message))
    return problems
