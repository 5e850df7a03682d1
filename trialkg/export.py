"""Export the store as Turtle, TriG, N-Quads or JSON-LD, deterministically."""

from __future__ import annotations

from rdflib import Dataset, Graph

from trialkg.store import Store

FORMATS = ("turtle", "trig", "nquads", "jsonld")

PREFIXES = {
    "tkg": "https://w3id.org/trialkg/ontology#",
    "id": "https://w3id.org/trialkg/id/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "obo": "http://purl.obolibrary.org/obo/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def export(store: Store, fmt: str) -> bytes:
    """Serialise every quad of the store in ``fmt``; the same store gives the same bytes.

    Turtle has no named graphs: it carries the union of all graphs.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    lines = store.sorted_nquads()
    if fmt == "nquads":
        return "".join(lines).encode("utf-8")
    data = "".join(lines)
    if fmt == "turtle":
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        ds = Dataset()
        ds.parse(data=data, format="nquads")
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g.serialize(format="turtle", encoding="utf-8")
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    ds.parse(data=data, format="nquads")
    if fmt == "trig":
        return ds.serialize(format="trig", encoding="utf-8")
    return ds.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1)
