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
    data: Graph, context: Graph, focus_nodes: list[Node] | None = None
) -> list[tuple[URIRef, Node | None, str, Node | None]]:
    """Validate ``data`` (with ``context`` for types it refers to).

    With ``focus_nodes``, only those nodes are validated (the rest of ``data`` is context).
    Returns (focus node, path, message, value) for each violation, sorted.
    """
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
            focus_nodes=[URIRef(str(n)) for n in focus_nodes] if focus_nodes is not None else None,
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
    focus_nodes: list[Node] | None = None,
) -> list[RecordIssue]:
    """SHACL violations as record issues naming file, line and field where known."""
    issues = []
    for focus, path, message, value in shacl_report(data, context, focus_nodes):
        loc = origin.get(focus)
        prop = _short(path) if isinstance(path, URIRef) else ""
        where = format_loc(loc) if loc is not None else f"<{focus}>"
        field = f"{where} ({prop})" if prop else where
        line = doc.line_of(loc) if (doc is not None and loc is not None) else 0
        detail = f" (value {value})" if value is not None and "{" not in message else ""
        issues.append(RecordIssue(file, line, field, f"{message}{detail} [node <{focus}>]"))
    return issues


def split_for_validation(
    graph: Graph, node_type: URIRef, chunk: int = 250
) -> tuple[Graph, list[tuple[Graph, list[Node]]]]:
    """Split a large graph for SHACL: the rest, and chunks of ``node_type`` nodes.

    Each chunk holds its nodes' triples, their evidence (with targets and selectors) and the
    types of the nodes they point to, which is all the shapes read. pySHACL's cost grows
    faster than linearly with graph size; chunks keep validation of registry records with
    thousands of adverse-event rows in seconds, with the same shapes and the same messages.
    """
    from rdflib import RDF as _RDF

    from trialkg.terms import TKG

    nodes = sorted(set(graph.subjects(_RDF.type, node_type)), key=str)
    owned: set[Node] = set()
    chunks: list[tuple[Graph, list[Node]]] = []
    for start in range(0, len(nodes), chunk):
        g = Graph()
        focus: list[Node] = []
        for node in nodes[start : start + chunk]:
            stack = [node]
            while stack:
                s = stack.pop()
                if s in owned:
                    continue
                owned.add(s)
                focus.append(s)
                for t in graph.triples((s, None, None)):
                    g.add(t)
                    o = t[2]
                    if t[1] in (TKG.hasEvidence,) or str(o).startswith(f"{s}/"):
                        stack.append(o)
                    elif isinstance(o, URIRef) and t[1] != _RDF.type:
                        for typ in graph.objects(o, _RDF.type):
                            g.add((o, _RDF.type, typ))
        chunks.append((g, focus))
    rest = Graph()
    for t in graph:
        if t[0] not in owned:
            rest.add(t)
    return rest, chunks
