"""A tiny store whose labels, figures and quotes carry HTML and script: views must show text."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from trialkg import iri
from trialkg.paths import ontology_file
from trialkg.store import Store, load_dataset

TKG = Namespace("https://w3id.org/trialkg/ontology#")
HOSTILE = "<script>alert(1)</script>"
HOSTILE_QUOTE = "</script><img src=x onerror=alert(2)> 12 months"


def hostile_store() -> Store:
    """A drug and a study (hostile labels), a figure with a hostile quote, in two sources."""
    onto = Graph().parse(ontology_file())
    drug, study = iri.drug("hostile"), iri.study("hostile")
    graphs = [(iri.ONTOLOGY_GRAPH, onto)]
    for source_id, enrollment in (("hostile-a", 12), ("hostile-b", 13)):
        g = Graph()
        g.add((drug, RDF.type, TKG.Drug))
        g.add((drug, RDFS.label, Literal(HOSTILE)))
        g.add((study, RDF.type, TKG.Study))
        g.add((study, RDFS.label, Literal('"study" & <b>bold</b>')))
        g.add((study, TKG.studiesDrug, drug))
        g.add((study, TKG.enrollment, Literal(enrollment)))
        ev = URIRef(f"{iri.ID}evidence/{source_id}/1")
        g.add((ev, RDF.type, TKG.Evidence))
        g.add((ev, TKG.evidenceFor, study))
        g.add((ev, TKG.aboutProperty, TKG.enrollment))
        g.add((ev, TKG.quote, Literal(HOSTILE_QUOTE)))
        g.add((ev, TKG.fromSource, iri.source(source_id)))
        g.add((iri.source(source_id), TKG.assertionGraph, iri.source_graph(source_id)))
        graphs.append((iri.source_graph(source_id), g))
    store = Store.in_memory()
    load_dataset(store, graphs)
    return store
