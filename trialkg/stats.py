"""Counts per class and per source graph."""

from __future__ import annotations

from dataclasses import dataclass

from trialkg.store import Store

CLASS_COUNTS = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(tkg:)))
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/trialkg/id/"))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

SOURCE_COUNTS = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?graph ?source ?label (COUNT(*) AS ?triples) WHERE {
  ?source tkg:assertionGraph ?graph .
  OPTIONAL { ?source rdfs:label ?label }
  GRAPH ?graph { ?s ?p ?o }
} GROUP BY ?graph ?source ?label ORDER BY ?graph
"""


@dataclass
class Stats:
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, int, int]]
    graphs: list[tuple[str, int]]
    total: int


def _short(iri: str) -> str:
    return "tkg:" + iri.rsplit("#", 1)[1] if "#" in iri else iri


def stats(store: Store) -> Stats:
    """Compute class counts (asserted and inferred types), per-source counts, graph sizes."""
    classes = [(_short(r["class"].value), int(r["n"].value)) for r in store.select(CLASS_COUNTS)]
    figure_counts = {
        r["g"].value: int(r["n"].value)
        for r in store.select(
            "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?ev a tkg:Evidence } } GROUP BY ?g"
        )
    }
    seen: dict[str, tuple[str, str, int, int]] = {}
    for r in store.select(SOURCE_COUNTS):
        g = r["graph"].value
        label = r["label"].value if r["label"] is not None else ""
        seen.setdefault(
            g,
            (
                r["source"].value.rsplit("/", 1)[1],
                label,
                int(r["triples"].value),
                figure_counts.get(g, 0),
            ),
        )
    graphs = [(g, store.graph_size(g)) for g in store.named_graphs()]
    return Stats(classes, [seen[g] for g in sorted(seen)], graphs, len(store))
