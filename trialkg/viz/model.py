"""RDF -> networkx: a typed multigraph of the knowledge graph's entities.

Nodes are the entities curators care about (studies, arms, drugs, results, ...), keyed by IRI,
with their label, drawing class, every type, their figures (each with the sources that state it
and the exact quotes) and other attributes. Edges are the ontology's object properties as the
source and reference graphs assert them, keyed by predicate, with the predicate's label and
the sources that assert the edge. Provenance machinery (evidence annotations) is folded into
the figures; controlled values (units, phases, grades, ...) become node attributes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from trialkg.display import short
from trialkg.viz.style import NAMESPACES, Styles, load_styles

TKG = NAMESPACES["tkg"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GRAPH_BASE = "https://w3id.org/trialkg/graph/"
SOURCE_GRAPH = GRAPH_BASE + "source/"
REFERENCE_GRAPH = GRAPH_BASE + "reference"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
PREFIXES = (
    f"PREFIX tkg: <{TKG}>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
)

VOCABULARY = (
    PREFIXES
    + f"""SELECT ?term ?label ?kind WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
  {{ ?term rdfs:label ?label BIND ("label" AS ?kind) }}
  UNION {{ ?term a owl:ObjectProperty BIND ("object" AS ?kind) }}
  UNION {{ ?term tkg:isFigure true BIND ("figure" AS ?kind) }}
}} }}"""
)

# What the assertion graphs (one per source, and the reference graph) say about subjects.
ASSERTED = """SELECT ?s ?p ?o ?g WHERE {{ {values}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (STRSTARTS(STR(?g), "{source}") || ?g = <{reference}>)
}}"""

TYPES = """SELECT ?s ?t WHERE {{ {values} ?s a ?t }}"""

EVIDENCE = (
    PREFIXES
    + """SELECT ?node ?prop ?quote ?g WHERE {{ {values}
  GRAPH ?g {{ ?ev tkg:evidenceFor ?node ; tkg:aboutProperty ?prop ; tkg:quote ?quote }}
}}"""
)

NEIGHBOURS = """SELECT DISTINCT ?n ?p WHERE {{ {values}
  GRAPH ?g {{ {{ ?s ?p ?n }} UNION {{ ?n ?p ?s }} }}
  FILTER (isIRI(?n))
  FILTER (STRSTARTS(STR(?g), "{source}") || ?g = <{reference}>)
}}"""


@dataclass(frozen=True)
class Vocabulary:
    """Labels of ontology terms, its object properties and its figure properties."""

    labels: dict[str, str]
    object_properties: frozenset[str]
    figure_properties: frozenset[str]

    def label(self, term: str) -> str:
        return self.labels.get(term) or short(term)


def iri_ref(value: str) -> str:
    """An IRI as a SPARQL term; refuses characters that could break out of ``<...>``."""
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not a safe IRI: {value!r}")
    return f"<{value}>"


def values_block(var: str, iris: Iterable[str] | None) -> str:
    """``VALUES ?var { <a> <b> }`` restricting a query to some nodes ('' for no restriction)."""
    if iris is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(iri_ref(i) for i in sorted(iris))} }}"


def source_of_graph(graph: str) -> str:
    """The source id of an assertion graph (``reference`` for the reference graph)."""
    if graph.startswith(SOURCE_GRAPH):
        return graph[len(SOURCE_GRAPH) :]
    if graph == REFERENCE_GRAPH:
        return "reference"
    return short(graph)


def load_vocabulary(store: Any) -> Vocabulary:
    """Read the ontology graph's labels, object properties and figure properties."""
    labels: dict[str, str] = {}
    objects: set[str] = set()
    figures: set[str] = set()
    for row in store.select(VOCABULARY):
        term, kind = row["term"].value, row["kind"].value
        if kind == "label":
            labels.setdefault(term, row["label"].value)
        elif kind == "object":
            objects.add(term)
        else:
            figures.add(term)
    return Vocabulary(labels, frozenset(objects), frozenset(figures))


def _chunks(items: list[str], size: int = 2000) -> Iterable[list[str] | None]:
    if not items:
        return
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _select(store: Any, template: str, var: str, nodes: set[str] | None) -> list[dict[str, Any]]:
    """Run a query for all nodes, or in chunks of a VALUES block over the given nodes."""
    fill = {"source": SOURCE_GRAPH, "reference": REFERENCE_GRAPH}
    if nodes is None:
        return list(store.select(template.format(values="", **fill)))
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(nodes)):
        rows.extend(store.select(template.format(values=values_block(var, chunk), **fill)))
    return rows


def neighbourhood(
    store: Any, start: Iterable[str], depth: int, styles: Styles | None = None
) -> set[str]:
    """IRIs within ``depth`` asserted object-property steps of ``start`` (either direction).

    Expands step by step with SPARQL, so a focus view on a large store reads only what it
    draws. Hidden and attribute nodes are not expanded through.
    """
    styles = styles or load_styles()
    vocab = load_vocabulary(store)
    drawable = set(vocab.object_properties) - styles.hidden_properties
    seen, frontier = set(start), set(start)
    for _ in range(depth):
        found: set[str] = set()
        for row in _select(store, NEIGHBOURS, "s", frontier):
            if row["p"].value in drawable:
                found.add(row["n"].value)
        found -= seen
        if not found:
            break
        types = _types(store, found)
        blocked = styles.attribute_classes | styles.hidden_classes
        frontier = {n for n in found if not (types.get(n, set()) & blocked)}
        seen |= frontier
    return seen


def _types(store: Any, nodes: set[str] | None) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, TYPES, "s", nodes):
        if hasattr(row["s"], "value") and row["t"] is not None:
            types[row["s"].value].add(row["t"].value)
    return types


def _is_iri(term: Any) -> bool:
    return type(term).__name__ in ("NamedNode", "URIRef")


def build_graph(
    store: Any,
    nodes: set[str] | None = None,
    styles: Styles | None = None,
    conflicts: Iterable[tuple[str, str]] | None = None,
) -> nx.MultiDiGraph:
    """The typed multigraph of the whole store, or of the given nodes and the edges among them.

    Args:
        store: a ``trialkg.store.Store`` or ``trialkg.external.RemoteStore``.
        nodes: IRIs to restrict the graph to (``None``: every entity).
        styles: drawing styles (default: ``viz/styles.yaml``).
        conflicts: ``(node IRI, property IRI)`` pairs on which sources disagree (default:
            computed with ``trialkg.conflicts``).
    """
    styles = styles or load_styles()
    vocab = load_vocabulary(store)
    if conflicts is None:
        from trialkg.conflicts import conflicts as find_conflicts

        conflicts = {(c.node, c.prop) for c in find_conflicts(store)}
    flagged = set(conflicts)
    rows = _select(store, ASSERTED, "s", nodes)
    mentioned = {r["s"].value for r in rows if _is_iri(r["s"])}
    mentioned |= {r["o"].value for r in rows if _is_iri(r["o"])}
    types = _types(store, mentioned if nodes is not None else None)
    blocked = styles.hidden_classes | styles.attribute_classes

    def drawable(iri: str) -> bool:
        if iri.startswith(GRAPH_BASE) or not types.get(iri):
            return False
        return not (types[iri] & blocked) and (nodes is None or iri in nodes)

    g = nx.MultiDiGraph()
    literals: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    attributes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    edge_sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        s, p, o = row["s"], row["p"].value, row["o"]
        if not _is_iri(s) or not drawable(s.value) or p == RDF_TYPE:
            continue
        source = source_of_graph(row["g"].value)
        if not _is_iri(o):
            literals[s.value][(p, o.value)].append(source)
        elif p in vocab.object_properties and p not in styles.hidden_properties:
            if drawable(o.value):
                edge_sources[(s.value, p, o.value)].add(source)
            elif types.get(o.value, set()) & styles.attribute_classes:
                attributes[s.value].add((vocab.label(p), vocab.label(o.value)))
        elif p not in styles.hidden_properties:
            attributes[s.value].add((vocab.label(p), o.value))
    node_ids = {s for s in literals} | {s for s, _, _ in edge_sources}
    node_ids |= {o for _, _, o in edge_sources} | set(attributes)
    quotes = _quotes(store, rows, node_ids if nodes is not None else None)
    for iri in sorted(node_ids):
        style = styles.for_types(types.get(iri, set()))
        labels = sorted(v for (p, v) in literals.get(iri, {}) if p == RDFS_LABEL)
        figures: list[dict[str, Any]] = []
        attrs = set(attributes.get(iri, set()))
        for (p, value), sources in sorted(literals.get(iri, {}).items()):
            if p in vocab.figure_properties:
                figures.append(
                    {
                        "property": vocab.label(p),
                        "value": value,
                        "sources": sorted(set(sources)),
                        "quotes": sorted(set(quotes.get((iri, p, value), []))),
                        "conflict": (iri, p) in flagged,
                    }
                )
            elif p != RDFS_LABEL:
                attrs.add((vocab.label(p), value))
        g.add_node(
            iri,
            iri=iri,
            label=labels[0] if labels else vocab.label(iri),
            cls=style.cls,
            cls_label=style.legend,
            types=sorted(types.get(iri, set())),
            figures=figures,
            attributes=sorted(attrs),
            conflict=any(f["conflict"] for f in figures),
        )
    for (s, p, o), asserted_by in sorted(edge_sources.items()):
        g.add_edge(s, o, key=p, predicate=p, label=vocab.label(p), sources=sorted(asserted_by))
    return g


def _quotes(
    store: Any, rows: list[dict[str, Any]], nodes: set[str] | None
) -> dict[tuple[str, str, str], list[str]]:
    """Quotes per (node, figure property, value): the quote backs the value its graph states."""
    if nodes is not None and not nodes:
        return {}
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # (node, prop, graph)->values
    for row in rows:
        if _is_iri(row["s"]) and not _is_iri(row["o"]):
            stated[(row["s"].value, row["p"].value, row["g"].value)].add(row["o"].value)
    out: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in _select(store, EVIDENCE, "node", nodes):
        node, prop, graph = row["node"].value, row["prop"].value, row["g"].value
        for value in stated.get((node, prop, graph), ()):
            out[(node, prop, value)].append(row["quote"].value)
    return out


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write GraphML; list- and dict-valued attributes are stored as JSON text."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _scalar(v) for k, v in data.items()})
    for s, o, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(s, o, key=key, **{k: _scalar(v) for k, v in data.items()})
    tmp = path.with_name(path.name + ".tmp")
    nx.write_graphml(flat, tmp)
    tmp.replace(path)


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
