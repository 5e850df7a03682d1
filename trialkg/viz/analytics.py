"""Graph analytics on the typed multigraph: rankings per class, paths and components."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx

MEASURES = ("degree", "betweenness", "pagerank")


class AnalyticsError(ValueError):
    """An analysis that cannot be made; the message names the node or measure at fault."""


@dataclass(frozen=True, order=True)
class Ranked:
    """One node's score within its class."""

    cls: str
    rank: int
    score: float
    label: str
    iri: str


@dataclass(frozen=True)
class Step:
    """One step of a path: from a node along an edge (either direction) to the next node."""

    source: str
    predicate: str
    target: str
    forward: bool


@dataclass(frozen=True, order=True)
class Component:
    """A weakly connected component: size, and its best-connected nodes' labels."""

    size: int
    hubs: tuple[str, ...]


def scores(graph: nx.MultiDiGraph, measure: str = "degree") -> dict[str, float]:
    """A centrality measure over the undirected simple graph of entities."""
    if measure not in MEASURES:
        raise AnalyticsError(f"unknown measure {measure!r}: choose one of {', '.join(MEASURES)}")
    simple = nx.Graph(graph.to_undirected(as_view=True))
    if measure == "degree":
        return {n: float(d) for n, d in simple.degree()}
    if measure == "betweenness":
        k = None if simple.number_of_nodes() <= 2000 else 500  # sampled on large graphs
        return dict(nx.betweenness_centrality(simple, k=k, seed=1))
    return dict(nx.pagerank(simple))


def rankings(
    graph: nx.MultiDiGraph, measure: str = "degree", top: int = 5, cls: str | None = None
) -> list[Ranked]:
    """The ``top`` nodes of every class (or of one class label) by a centrality measure."""
    values = scores(graph, measure)
    by_class: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_class.setdefault(data["cls_label"], []).append(node)
    if cls is not None and cls not in by_class:
        raise AnalyticsError(f"no node of class {cls!r}; classes: {', '.join(sorted(by_class))}")
    out = []
    for name in sorted(by_class) if cls is None else [cls]:
        ordered = sorted(by_class[name], key=lambda n: (-values[n], graph.nodes[n]["label"], n))
        for i, node in enumerate(ordered[:top], start=1):
            out.append(Ranked(name, i, round(values[node], 6), graph.nodes[node]["label"], node))
    return out


def shortest_path(graph: nx.MultiDiGraph, source: str, target: str) -> list[Step]:
    """The shortest chain of edges, in either direction, from one node to another."""
    for node in (source, target):
        if node not in graph:
            raise AnalyticsError(f"{node} is not a node of this graph")
    try:
        nodes = nx.shortest_path(graph.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath as exc:
        raise AnalyticsError(f"no path between {source} and {target}") from exc
    steps = []
    for a, b in itertools.pairwise(nodes):
        if graph.has_edge(a, b):
            label = sorted(d["label"] for d in graph.get_edge_data(a, b).values())[0]
            steps.append(Step(a, label, b, True))
        else:
            label = sorted(d["label"] for d in graph.get_edge_data(b, a).values())[0]
            steps.append(Step(a, label, b, False))
    return steps


def components(graph: nx.MultiDiGraph, hubs: int = 3) -> list[Component]:
    """Weakly connected components, largest first, each with its highest-degree nodes."""
    degree = dict(graph.degree())
    out = []
    for members in nx.weakly_connected_components(graph):
        best = sorted(members, key=lambda n: (-degree[n], graph.nodes[n]["label"]))[:hubs]
        out.append(Component(len(members), tuple(graph.nodes[n]["label"] for n in best)))
    return sorted(out, key=lambda c: (-c.size, c.hubs))
