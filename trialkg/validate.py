"""SHACL validation of each source's graph, with messages mapped back to the record file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

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


@contextmanager
def prepared_sparql() -> Iterator[None]:
    """Parse each SPARQL text once while validating.

    pySHACL runs a SPARQL-based constraint once per focus node, as the same query text with
    ``$this`` bound through ``initBindings``; rdflib parses the text again on every call, and
    parsing was three quarters of the time on registry records with thousands of rows. Within
    this block, rdflib's SPARQL processor keeps the parsed (prepared) query per text, which is
    rdflib's own supported way of running one query with different initial bindings.
    """
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}

    def query(
        self: Any,
        strOrQuery: Any,  # rdflib's parameter names
        initBindings: Any = None,
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def shacl_report(
    data: Graph, context: Graph, engine: str = "oxigraph"
) -> list[tuple[URIRef, Node | None, str, Node | None]]:
    """Validate ``data`` (with ``context`` for types it refers to) against the shapes.

    ``engine`` is ``oxigraph`` (the shapes compiled to whole-graph SPARQL, see
    :mod:`trialkg.shacl_sparql`; fast at any size) or ``pyshacl`` (the reference
    implementation, node by node). Both give the same violations; the tests check it.
    Returns (focus node, path, message, value) for each violation, sorted.
    """
    if engine == "oxigraph":
        from trialkg.shacl_sparql import validate_graphs

        return validate_graphs([ontology_graph(), context, data])
    if engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r}: oxigraph or pyshacl")
    from pyshacl import validate  # heavy import: only when validating

    merged = Graph()
    for graph in (ontology_graph(), context, data):
        for triple in graph:
            merged.add(triple)
    with prepared_sparql():
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
    data: Graph,
    context: Graph,
    origin: dict[URIRef, Loc],
    doc: LoadedYaml | None,
    file: str,
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
