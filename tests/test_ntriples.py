"""N-Triples lines written by the registry mapping: same triples as rdflib, loadable as is."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef

from trialkg.triples.ntriples import TripleLines, as_quads, iri_term, nt_literal

S = URIRef("https://example.org/s")
P = URIRef("https://example.org/p")

TRICKY = [
    Literal('say "hi" .\nthen \\ leave .\r\n'),
    Literal("café ≥ 3 · 😀"),
    Literal("0.50", datatype=XSD.decimal),
    Literal("12", datatype=XSD.nonNegativeInteger),
    Literal("true", datatype=XSD.boolean),
    Literal("Brustkrebs", lang="de"),
    URIRef("https://example.org/o?x=1#frag"),
]


def test_lines_hold_the_same_triples_as_an_rdflib_graph() -> None:
    lines, expected = TripleLines(), Graph()
    for o in TRICKY:
        lines.add((S, P, o))
        expected.add((S, P, o))
    lines.add((S, P, TRICKY[0]))  # a duplicate is kept once
    assert len(lines) == len(TRICKY)
    assert set(lines.graph()) == set(expected)
    assert lines.subjects == {str(S)}


def test_lines_load_into_oxigraph_as_quads_of_one_graph() -> None:
    lines = TripleLines()
    for o in TRICKY:
        lines.add((S, P, o))
    name = URIRef("https://example.org/graph")
    store = ox.Store()
    store.bulk_load(as_quads(lines.ntriples(), name), format=ox.RdfFormat.N_QUADS)
    quads = list(store.quads_for_pattern(None, None, None, None))
    assert len(quads) == len(TRICKY)
    assert {q.graph_name for q in quads} == {ox.NamedNode(str(name))}
    texts = {q.object.value for q in quads}
    assert 'say "hi" .\nthen \\ leave .\r\n' in texts
    assert "café ≥ 3 · 😀" in texts


@pytest.mark.parametrize("bad", ["https://example.org/a b", "https://e.org/<x>", "no-scheme"])
def test_an_iri_n_triples_cannot_hold_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        iri_term(URIRef(bad))
    with pytest.raises(ValueError, match=bad.split("/")[-1][:5]):
        TripleLines().add((S, P, URIRef(bad)))


def test_blank_nodes_are_refused() -> None:
    from rdflib import BNode

    with pytest.raises(TypeError, match="only IRIs and literals"):
        TripleLines().add((S, P, BNode()))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "literal", [t for t in TRICKY if isinstance(t, Literal) and not t.language], ids=str
)
def test_a_literal_written_straight_reads_as_the_rdflib_literal(literal: Literal) -> None:
    datatype = str(literal.datatype) if literal.datatype is not None else None
    fast = TripleLines().add((S, P, nt_literal(str(literal), datatype)))
    assert fast.ntriples() == TripleLines().add((S, P, literal)).ntriples()
    assert set(fast.graph()) == {(S, P, literal)}


def test_ontology_terms_are_bound_once_and_typos_still_fail() -> None:
    from trialkg.terms import TKG

    assert TKG.Arm is TKG.Arm and str(TKG.Arm) == "https://w3id.org/trialkg/ontology#Arm"
    with pytest.raises(AttributeError, match="Armm"):
        _ = TKG.Armm
