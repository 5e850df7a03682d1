"""HermiT through owlready2: consistency, classification, contradictions explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from trialkg.reason import InconsistentGraph, infer, reasoner_input, run_hermit
from trialkg.terms import TKG
from trialkg.validate import ontology_graph

pytestmark = pytest.mark.reasoner
DATA = Path(__file__).parent / "data" / "reasoning"
EX = "https://example.org/"


def load(name: str) -> Graph:
    return Graph().parse(DATA / name)


def test_ontology_alone_is_consistent_and_has_no_unsatisfiable_class() -> None:
    reasoned = run_hermit(reasoner_input(ontology_graph(), []))
    from rdflib import OWL

    nothing_subclasses = set(reasoned.subjects(OWL.equivalentClass, OWL.Nothing))
    assert nothing_subclasses == set()


def test_classification_infers_defined_classes() -> None:
    result = infer(ontology_graph(), [load("classify.ttl")])
    inferred = result.inferred

    def has(node: str, cls: URIRef) -> bool:
        return (URIRef(EX + node), RDF.type, cls) in inferred

    assert has("drugA", TKG.CDK46Inhibitor)
    assert has("drugB", TKG.AromataseInhibitor)
    assert has("drugB", TKG.EndocrineAgent)
    assert not has("drugA", TKG.EndocrineAgent)
    assert has("pop", TKG.HER2PositivePopulation)
    assert has("pop", TKG.HRPositivePopulation)
    assert has("pop", TKG.PostCDK46iPopulation)
    assert has("pop", TKG.SecondLinePopulation)
    assert has("pop", TKG.AdvancedDiseasePopulation)
    assert not has("pop", TKG.HER2NegativePopulation)
    assert has("study", TKG.RandomizedControlledTrial)
    assert has("study", TKG.InterventionalStudy)
    # property chains: the drug of an arm is studied in the study, for its condition
    assert (URIRef(EX + "study"), TKG.studiesDrug, URIRef(EX + "drugB")) in inferred
    assert (URIRef(EX + "drugB"), TKG.inClinicalTrialsFor, TKG.MetastaticBreastCancer) in inferred


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("contradictory-observational-rct.ttl", "disjoint"),
        ("contradictory-her2.ttl", "functional property HER2 status"),
        ("contradictory-drug-study.ttl", "disjoint"),
    ],
)
def test_contradictions_are_reported_with_an_explanation(example: str, expected: str) -> None:
    with pytest.raises(InconsistentGraph) as info:
        infer(ontology_graph(), [load(example)])
    explanation = info.value.explanation
    assert expected in explanation
    assert "https://example.org/" in explanation
