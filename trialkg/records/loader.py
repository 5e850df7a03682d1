"""Read curated YAML records into typed records, with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from trialkg.records.model import ReferenceRecord, SourceRecord

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, order=True)
class RecordIssue:
    """One problem in one record file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(file)'}: {self.message}"


class RecordError(Exception):
    """Raised when one or more record files are invalid; carries every issue found."""

    def __init__(self, issues: Iterable[RecordIssue]) -> None:
        self.issues = sorted(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def format_loc(loc: Loc) -> str:
    """Render a location tuple as ``studies[0].arms[1].patients``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class LoadedYaml:
    """A parsed YAML document with the line of every key and item."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """Line of the deepest known prefix of ``loc`` (1-based; 0 if unknown)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line:
                return line
        return 0

    def issue(self, loc: Loc, message: str) -> RecordIssue:
        return RecordIssue(str(self.path), self.line_of(loc), format_loc(loc), message)


def read_yaml(path: Path) -> LoadedYaml:
    """Parse a YAML file, keeping line numbers; duplicate keys are errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError([RecordIssue(str(path), 0, "", f"cannot read file: {exc}")]) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        result = LoadedYaml(path, None)
        issues: list[RecordIssue] = []
        result.data = _convert(loader, node, (), result.lines, issues, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise RecordError([RecordIssue(str(path), line, "", f"malformed YAML: {problem}")]) from exc
    finally:
        loader.dispose()
    if issues:
        raise RecordError(issues)
    if result.data is None:
        raise RecordError([RecordIssue(str(path), 1, "", "the file is empty")])
    return result


def _convert(
    loader: yaml.SafeLoader,
    node: yaml.Node | None,
    loc: Loc,
    lines: dict[Loc, int],
    issues: list[RecordIssue],
    path: Path,
) -> Any:
    if node is None:
        return None
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = str(key)
            key_loc = (*loc, key)
            if key in out:
                issues.append(
                    RecordIssue(
                        str(path),
                        key_node.start_mark.line + 1,
                        format_loc(key_loc),
                        "duplicate key",
                    )
                )
                continue
            lines[key_loc] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, key_loc, lines, issues, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*loc, i), lines, issues, path)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def validate_model(doc: LoadedYaml, model: type[M]) -> M:
    """Validate parsed YAML against a typed record model."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            elif err["type"] == "missing":
                message = "required field is missing"
            elif "input" in err and err["type"] not in ("value_error",):
                message = f"{message} (got {err['input']!r})"
            issues.append(doc.issue(loc, message))
        raise RecordError(_dedupe(issues)) from exc


# pydantic inserts union member names into error locations; they are not YAML keys.
_UNION_TAGS = {"str", "ClassAgent", "function-after[_slug(), str]", "int", "bool", "decimal"}


def _dedupe(issues: list[RecordIssue]) -> list[RecordIssue]:
    seen: dict[tuple[int, str], RecordIssue] = {}
    for issue in issues:
        seen.setdefault((issue.line, issue.field), issue)
    return list(seen.values())


def load_source(path: Path) -> tuple[SourceRecord, LoadedYaml]:
    """Read and type-check one source record file."""
    doc = read_yaml(path)
    return validate_model(doc, SourceRecord), doc


def load_reference(path: Path) -> tuple[ReferenceRecord, LoadedYaml]:
    """Read and type-check kg/reference.yaml."""
    doc = read_yaml(path)
    return validate_model(doc, ReferenceRecord), doc


def source_files(records_dir: Path) -> Iterator[Path]:
    """The source record files of a records folder, sorted."""
    yield from sorted((records_dir / "sources").glob("*.yaml"))
