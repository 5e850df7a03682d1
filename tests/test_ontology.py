"""The ontology file: metadata, annotations, domains and ranges, alignments, terms module."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, URIRef
from rdflib.namespace import DCTERMS

from trialkg import gen_terms, vocab
from trialkg.paths import PACKAGE_DIR, ontology_file
from trialkg.terms import TKG

ONTOLOGY = URIRef("https://w3id.org/trialkg/ontology")

#: Every external identifier the ontology aligns to, each checked against a public copy of
#: its source (see ontology/README.md). A new alignment must be checked and added here.
VERIFIED_ALIGNMENTS = {
    "http://purl.obolibrary.org/obo/NCIT_C28234",
    "http://purl.obolibrary.org/obo/NCIT_C125201",
    "http://purl.obolibrary.org/obo/NCIT_C4872",
    "http://purl.obolibrary.org/obo/NCIT_C38288",  # routes of administration
    "http://purl.obolibrary.org/obo/NCIT_C38276",
    "http://purl.obolibrary.org/obo/NCIT_C38299",
    "http://purl.obolibrary.org/obo/NCIT_C28161",
    "http://purl.obolibrary.org/obo/NCIT_C38277",
    "http://purl.obolibrary.org/obo/NCIT_C38304",
    "http://purl.obolibrary.org/obo/STATO_0000196",
    "http://purl.obolibrary.org/obo/OBI_0000175",
    "https://w3id.org/biolink/vocab/Drug",
    "https://w3id.org/biolink/vocab/ClinicalTrial",
    "https://w3id.org/biolink/vocab/in_clinical_trials_for",
    "https://w3id.org/biolink/vocab/has_adverse_event",
    "http://schema.org/MedicalTrial",
    "http://schema.org/MedicalStudy",
    "http://schema.org/ScholarlyArticle",
    "http://schema.org/NewsArticle",
    "http://schema.org/Organization",
    "http://schema.org/Person",
    "http://purl.org/dc/terms/title",
    "http://purl.org/spar/fabio/hasPubMedId",
}


@pytest.fixture(scope="module")
def g() -> Graph:
    return Graph().parse(ontology_file())


def local_terms(g: Graph) -> dict[URIRef, str]:
    out = {}
    for t, kind in (
        (OWL.Class, "class"),
        (OWL.ObjectProperty, "property"),
        (OWL.DatatypeProperty, "property"),
        (OWL.AnnotationProperty, "property"),
        (OWL.NamedIndividual, "individual"),
    ):
        for s in g.subjects(RDF.type, t):
            if isinstance(s, URIRef) and str(s).startswith(str(TKG)):
                out[s] = kind
    return out


def test_ontology_header(g: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY, OWL.versionIRI) == URIRef("https://w3id.org/trialkg/ontology/0.1.0")
    assert g.value(ONTOLOGY, DCTERMS.license) is not None
    assert g.value(ONTOLOGY, RDFS.label) is not None


def test_every_term_has_label_and_definition(g: Graph) -> None:
    missing = [
        str(t)
        for t in local_terms(g)
        if g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None
    ]
    assert missing == []
    assert len(local_terms(g)) > 200


def test_properties_have_ranges_and_numbers_are_typed(g: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for p in g.subjects(RDF.type, kind):
            assert g.value(p, RDFS.range) is not None, f"{p} has no rdfs:range"
    figures = set(g.subjects(TKG.isFigure, None))
    assert TKG.value in figures and TKG.percentOfPatients in figures
    for p in figures:
        assert g.value(p, RDFS.range) in {
            XSD.decimal,
            XSD.nonNegativeInteger,
            XSD.boolean,
            XSD.string,
            TKG.ValueStatus,  # why a figure has no number
        }, p


def test_units_come_from_uo(g: Graph) -> None:
    for unit in [*vocab.UNITS.values(), *vocab.DOSE_UNITS.values()]:
        assert (unit, RDF.type, TKG.Unit) in g
        assert str(unit).startswith("http://purl.obolibrary.org/obo/UO_")
    assert g.value(TKG.unit, RDFS.range) == TKG.Unit
    assert g.value(TKG.doseUnit, RDFS.range) == TKG.Unit


def test_alignments_are_all_verified(g: Graph) -> None:
    used = {str(o) for p in (SKOS.exactMatch, SKOS.closeMatch) for o in g.objects(None, p)}
    assert used <= VERIFIED_ALIGNMENTS, used - VERIFIED_ALIGNMENTS
    assert "http://purl.obolibrary.org/obo/NCIT_C28234" in used


def test_record_vocabulary_points_at_ontology_terms(g: Graph) -> None:
    declared = set(local_terms(g)) | set(g.subjects(RDF.type, TKG.Unit))
    for name, table in vocab.ALL_TABLES.items():
        for key, term in table.items():
            assert term in declared, f"{name}: {key} -> {term} is not in the ontology"


def test_terms_module_is_in_sync(g: Graph) -> None:
    expected = gen_terms.render(g)
    actual = (PACKAGE_DIR / "terms.py").read_text(encoding="utf-8")
    assert actual == expected, "run 'python -m trialkg.gen_terms' to regenerate trialkg/terms.py"


def test_terms_module_rejects_typos() -> None:
    assert str(TKG.HazardRatio).endswith("#HazardRatio")
    with pytest.raises(AttributeError):
        _ = TKG.HazardRatoi


@pytest.mark.slow
def test_html_reference_lists_every_class(g: Graph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from trialkg.gen_docs import generate

    html = generate(tmp_path / "ontology.html").read_text(encoding="utf-8")
    assert "do not edit" in html.splitlines()[0]
    for cls in g.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(str(TKG)):
            assert str(g.value(cls, RDFS.label)) in html, cls
