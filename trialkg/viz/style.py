"""The look of network views, read from ``viz/styles.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trialkg.paths import data_dir

NAMESPACES = {
    "tkg": "https://w3id.org/trialkg/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
# vis-network shapes whose label is drawn beside them (box, ellipse, ... grow with the label)
SHAPES = {"dot", "diamond", "square", "triangle", "triangleDown", "star", "hexagon"}


class StyleError(ValueError):
    """A styles file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class ClassStyle:
    """How nodes of one class are drawn."""

    cls: str  # full IRI ('' for the fallback)
    colour: str
    shape: str
    legend: str


@dataclass(frozen=True)
class Styles:
    """Everything ``viz/styles.yaml`` says."""

    classes: tuple[ClassStyle, ...]
    fallback: ClassStyle
    conflict_border: str
    conflict_width: int
    conflict_marker: str
    conflict_legend: str
    attribute_classes: frozenset[str]
    hidden_classes: frozenset[str]
    hidden_properties: frozenset[str]
    trial_rows: dict[str, int] = field(default_factory=dict)
    warn_nodes: int = 2000
    physics_nodes: int = 300
    edge_label_edges: int = 600

    def for_types(self, types: set[str]) -> ClassStyle:
        """The style of the first listed class among ``types``, else the fallback."""
        for style in self.classes:
            if style.cls in types:
                return style
        return self.fallback


def expand(curie: str, where: str) -> str:
    """``tkg:Drug`` -> full IRI; a full IRI stays as it is."""
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, _, local = curie.partition(":")
    if prefix not in NAMESPACES or not local:
        raise StyleError(
            f"{where}: {curie!r} is not a known CURIE (prefixes: {sorted(NAMESPACES)})"
        )
    return NAMESPACES[prefix] + local


def styles_file() -> Path:
    """The project's styles file."""
    return data_dir("viz") / "styles.yaml"


def _class_style(entry: Any, where: str, fallback: bool = False) -> ClassStyle:
    if not isinstance(entry, dict):
        raise StyleError(f"{where}: expected a mapping with colour, shape and legend")
    missing = [k for k in ("colour", "shape", "legend") if k not in entry]
    if not fallback and "class" not in entry:
        missing.insert(0, "class")
    if missing:
        raise StyleError(f"{where}: missing {', '.join(missing)}")
    if entry["shape"] not in SHAPES:
        raise StyleError(f"{where}: shape {entry['shape']!r} is not one of {sorted(SHAPES)}")
    cls = "" if fallback else expand(str(entry["class"]), where)
    return ClassStyle(cls, str(entry["colour"]), str(entry["shape"]), str(entry["legend"]))


def load_styles(path: Path | None = None) -> Styles:
    """Read and check a styles file (default: the project's ``viz/styles.yaml``)."""
    path = path or styles_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StyleError(f"{path}: cannot read styles: {exc}") from exc
    if not isinstance(data, dict):
        raise StyleError(f"{path}: expected a mapping at the top level")
    classes = tuple(
        _class_style(e, f"{path}: classes[{i}]") for i, e in enumerate(data.get("classes") or [])
    )
    conflict = data.get("conflict") or {}
    limits = data.get("limits") or {}

    def iris(key: str) -> frozenset[str]:
        return frozenset(expand(str(c), f"{path}: {key}") for c in data.get(key) or [])

    return Styles(
        classes=classes,
        fallback=_class_style(data.get("fallback"), f"{path}: fallback", fallback=True),
        conflict_border=str(conflict.get("border", "#d00000")),
        conflict_width=int(conflict.get("border_width", 4)),
        conflict_marker=str(conflict.get("marker", "!")),
        conflict_legend=str(conflict.get("legend", "sources disagree")),
        attribute_classes=iris("attribute_classes"),
        hidden_classes=iris("hidden_classes"),
        hidden_properties=iris("hidden_properties"),
        trial_rows={
            expand(str(k), f"{path}: trial_view"): int(v)
            for k, v in (data.get("trial_view") or {}).items()
        },
        warn_nodes=int(limits.get("warn_nodes", 2000)),
        physics_nodes=int(limits.get("physics_nodes", 300)),
        edge_label_edges=int(limits.get("edge_label_edges", 600)),
    )
