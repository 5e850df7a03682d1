"""SHACL validation of each source's graph, with messages mapped back to the record file."""

from __future__ import annotations

from functools import lru_cache

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from trialkg.paths import ontology_file, shapes_file
from trialkg.records.loader import LoadedYaml, Loc, RecordIssue, format_loc

SH = Namespace("http://www.w3.org/ns/shacl#")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The parsed SHACL shapes (ontology/shapes.ttl)."""
    return Graph().parse(shapes_file())


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The parsed ontology (ontology/trialkg.ttl)."""
    return Graph().parse(ontology_file())


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return text


def shacl_report(data: Graph, context: Graph) -> list[tuple[URIRef, Node | None, str, Node | None]]:
    """Validate ``data`` (with ``context`` for types it refers to).

    Returns (focus node, path, message, value) for each violation, sorted.
    """
    from pyshacl import validate  # heavy import: only when validating

    merged = Graph()
    for graph in (ontology_graph(), context, data):
        for triple in graph:
            merged.add(triple)
    conforms, results, _ = validate(
        merged,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    out = []
    if not isinstance(results, Graph):
        raise TypeError(f"unexpected SHACL results {type(results)}: {_}")
    for res in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(res, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(res, SH.focusNode)
        path = results.value(res, SH.resultPath)
        message = str(results.value(res, SH.resultMessage) or "violates a shape")
        value = results.value(res, SH.value)
        out.append((URIRef(str(focus)), path, message, value))
    return sorted(set(out), key=lambda r: (str(r[0]), str(r[1]), r[2]))


def shacl_issues(
    data: Graph, context: Graph, origin: dict[URIRef, Loc], doc: LoadedYaml | None, file: str
) -> list[RecordIssue]:
    """SHACL violations as record issues naming file, line and field where known."""
    issues = []
    for focus, path, message, value in shacl_report(data, context):
        loc = origin.get(focus)
        prop = _short(path) if isinstance(path, URIRef) else ""
        where = format_loc(loc) if loc is not None else f"<{focus}>"
        field = f"{where} ({prop})" if prop else where
        line = doc.line_of(loc) if (doc is not None and loc is not None) else 0
        detail = f" (value {value})" if value is not None and "{" not in message else ""
        issues.append(RecordIssue(file, line, field, f"{message}{detail} [node <{focus}>]"))
    return issues
