"""Which part of the graph a view draws: everything, a focus, a trial, or a query's answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from trialkg.display import short
from trialkg.viz.layout import Positions, force_layout, layered_layout
from trialkg.viz.model import RDF_TYPE, build_graph, iri_ref, load_vocabulary, neighbourhood
from trialkg.viz.style import NAMESPACES, Styles, load_styles


class ViewError(ValueError):
    """A view that cannot be made; the message says which input is wrong."""


@dataclass
class View:
    """A graph to draw, with its positions and how the browser should treat it."""

    title: str
    graph: nx.MultiDiGraph
    positions: Positions
    layout: str
    physics: bool
    warnings: list[str] = field(default_factory=list)


def resolve_node(store: Any, name: str) -> str:
    """A node named by IRI, CURIE (``id:study/patina``) or label/synonym -> its IRI."""
    from trialkg.query import QueryError, resolve_term

    try:
        term = resolve_term(store, name)
    except QueryError as exc:
        raise ViewError(str(exc)) from exc
    if not term.startswith("<"):
        raise ViewError(f"no node is named {name!r}: give an IRI, a CURIE or an exact label")
    iri = term[1:-1]
    if not store.select(f"SELECT ?p WHERE {{ {iri_ref(iri)} ?p ?o }} LIMIT 1"):
        raise ViewError(f"{name!r} ({short(iri)}) is not in the graph")
    return iri


def finish_view(
    title: str, graph: nx.MultiDiGraph, styles: Styles, positions: Positions | None = None
) -> View:
    warnings = []
    n = graph.number_of_nodes()
    if n > styles.warn_nodes:
        warnings.append(
            f"this view has {n} nodes (more than {styles.warn_nodes}): it will be slow to explore;"
            " a focus view (--focus NODE --depth N) or a trial view (--trial TRIAL) draws less"
        )
    if positions is not None:
        return View(title, graph, positions, "layered", False, warnings)
    layout_positions, method = force_layout(graph)
    return View(title, graph, layout_positions, method, n <= styles.physics_nodes, warnings)


def whole_view(store: Any, styles: Styles | None = None) -> View:
    """Every entity of the graph."""
    styles = styles or load_styles()
    graph = build_graph(store, styles=styles)
    return finish_view("the whole graph", graph, styles)


def focus_view(store: Any, name: str, depth: int = 2, styles: Styles | None = None) -> View:
    """The nodes within ``depth`` steps of a drug, trial, population, endpoint, ..."""
    if depth < 0:
        raise ViewError(f"--depth must be 0 or more, not {depth}")
    styles = styles or load_styles()
    start = resolve_node(store, name)
    nodes = neighbourhood(store, {start}, depth, styles)
    graph = build_graph(store, nodes=nodes, styles=styles)
    if start in graph:
        graph.nodes[start]["focus"] = True
    label = graph.nodes[start]["label"] if start in graph else short(start)
    return finish_view(f"{label}: {depth} step(s) around", graph, styles)


TRIAL_MEMBERS = """SELECT DISTINCT ?n WHERE {{
  ?n ?p ?o .
  FILTER (STRSTARTS(STR(?n), {prefix}))
}}"""


def trial_view(store: Any, name: str, styles: Styles | None = None) -> View:
    """A trial's arms, their regimens and drugs, results, endpoints and effect estimates.

    Laid out in rows (``trial_view`` in the styles file): arms in one row, comparisons and
    effect estimates between the arms they compare, arm results under their arm, endpoints
    under their results.
    """
    styles = styles or load_styles()
    study = resolve_node(store, name)
    types = {r["t"].value for r in store.select(f"SELECT ?t WHERE {{ {iri_ref(study)} a ?t }}")}
    if NAMESPACES["tkg"] + "Study" not in types:
        raise ViewError(f"{name!r} ({short(study)}) is not a study")
    import pyoxigraph as ox

    prefix = str(ox.Literal(study + "/"))  # a properly escaped SPARQL string
    members = {study} | {r["n"].value for r in store.select(TRIAL_MEMBERS.format(prefix=prefix))}
    # drugs, adverse-event terms and other shared nodes one step from the trial's own nodes
    around = neighbourhood(store, members, 1, styles)
    graph = build_graph(store, nodes=members | around, styles=styles)
    rows: dict[str, int] = {}
    for node in list(graph.nodes):
        node_types = set(graph.nodes[node]["types"])
        matches = [row for cls, row in styles.trial_rows.items() if cls in node_types]
        if matches:
            rows[node] = min(matches)
        else:
            graph.remove_node(node)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0 and n != study])
    anchor = styles.trial_rows.get(NAMESPACES["tkg"] + "Arm", 0)
    positions = layered_layout(graph, {n: rows[n] for n in graph.nodes}, anchor)
    return finish_view(f"trial {graph.nodes[study]['label']}", graph, styles, positions)


def query_view(store: Any, text: str, styles: Styles | None = None) -> View:
    """The graph a CONSTRUCT returns, or the IRIs of a SELECT's rows linked column to column.

    CONSTRUCT: each returned triple with an IRI object is an edge (its predicate's label);
    literal objects become attributes. SELECT: in each row, the IRI values are linked in
    column order, the edge named after the two columns; literal values become attributes of
    the IRI in the column before them. Nodes then get their labels, classes and figures from
    the store.
    """
    import pyoxigraph as ox

    from trialkg.query import QueryError, execute

    styles = styles or load_styles()
    try:
        result = execute(store, text)
    except QueryError as exc:
        raise ViewError(str(exc)) from exc
    edges: dict[tuple[str, str, str], str] = {}
    extra: dict[str, set[tuple[str, str]]] = {}
    if isinstance(result, ox.QueryTriples):
        vocab = load_vocabulary(store)
        for triple in result:
            s, p, o = triple.subject, triple.predicate.value, triple.object
            if not isinstance(s, ox.NamedNode) or p == RDF_TYPE:
                continue
            if isinstance(o, ox.NamedNode):
                edges[(s.value, p, o.value)] = vocab.label(p)
            else:
                extra.setdefault(s.value, set()).add((vocab.label(p), o.value))
    elif isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        for solution in result:
            last: tuple[str, str] | None = None
            for var in names:
                term = solution[var]
                if term is None:
                    continue
                if isinstance(term, ox.NamedNode):
                    if last is not None and last[1] != term.value:
                        edges[(last[1], f"?{last[0]} → ?{var}", term.value)] = f"{last[0]} → {var}"
                    last = (var, term.value)
                elif last is not None:
                    extra.setdefault(last[1], set()).add((var, term.value))
    else:
        raise ViewError("a view needs a SELECT or CONSTRUCT query, not ASK")
    nodes = {s for s, _, _ in edges} | {o for _, _, o in edges} | set(extra)
    if not nodes:
        raise ViewError("the query returned no IRIs to draw")
    known = build_graph(store, nodes=nodes, styles=styles)
    graph = nx.MultiDiGraph()
    for node in sorted(nodes):
        data = dict(known.nodes[node]) if node in known else _bare(node, styles)
        data["attributes"] = sorted(set(data["attributes"]) | extra.get(node, set()))
        graph.add_node(node, **data)
    for (s, p, o), label in sorted(edges.items()):
        graph.add_edge(s, o, key=p, predicate=p, label=label, sources=[])
    return finish_view("query result", graph, styles)


def _bare(node: str, styles: Styles) -> dict[str, Any]:
    style = styles.fallback
    return {
        "iri": node,
        "label": short(node),
        "cls": style.cls,
        "cls_label": style.legend,
        "types": [],
        "figures": [],
        "attributes": [],
        "conflict": False,
    }
