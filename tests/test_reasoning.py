"""HermiT through owlready2: consistency, classification, contradictions explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from trialkg.paths import records_dir
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
@pytest.mark.parametrize("engine", ["rules", "hermit"])
def test_contradictions_are_reported_with_an_explanation(
    example: str, expected: str, engine: str
) -> None:
    with pytest.raises(InconsistentGraph) as info:
        infer(ontology_graph(), [load(example)], engine=engine)
    explanation = info.value.explanation
    assert expected in explanation
    assert "https://example.org/" in explanation


def test_disjointness_on_a_store_names_individuals_not_ontology_terms() -> None:
    import pyoxigraph as ox

    from trialkg.rules import compile_rules, contradictions

    rules = compile_rules(ontology_graph())
    a, b = sorted(rules.disjoint)[0]
    store = ox.Store()
    type_node = ox.NamedNode(str(RDF.type))
    for x in (EX + "both", str(TKG) + "SomeOntologyTerm"):
        for c in (a, b):
            store.add(ox.Quad(ox.NamedNode(x), type_node, ox.NamedNode(c), ox.DefaultGraph()))
    found = contradictions(store, rules)
    assert len(found) == 1
    assert found[0].startswith(EX + "both is a ")
    assert "but these classes are disjoint" in found[0]


def without_super_property_values(inferred: Graph) -> set[tuple[object, object, object]]:
    """Inferred triples less those whose predicate is a super-property (priorTreatment)."""
    from rdflib import RDFS

    supers = set(ontology_graph().objects(None, RDFS.subPropertyOf))
    return {(s, p, o) for s, p, o in inferred if p not in supers}


def test_rules_agree_with_hermit_on_the_examples() -> None:
    data = [load("classify.ttl")]
    rules = infer(ontology_graph(), data, engine="rules")
    hermit = infer(ontology_graph(), data, engine="hermit")
    assert without_super_property_values(rules.inferred) == without_super_property_values(
        hermit.inferred
    )
    assert rules.individuals == hermit.individuals
    assert len(rules.inferred) > 10
    # progressedOn is a sub-property of priorTreatment: the rules state what OWL entails,
    # which owlready2 leaves out of the values it reads back from HermiT
    assert (URIRef(EX + "pop"), TKG.priorTreatment, URIRef(EX + "drugA")) in rules.inferred


def test_rules_agree_with_hermit_on_the_seed_graph(seed_store_root: Path) -> None:
    import pyoxigraph as ox

    from trialkg import iri
    from trialkg.store import current_data_dir

    store = ox.Store.read_only(str(current_data_dir(seed_store_root)))
    data = []
    for name in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        if name.startswith(iri.GRAPH + "source/") or name == str(iri.REFERENCE_GRAPH):
            nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
            data.append(Graph().parse(data=nt.decode("utf-8"), format="nt"))
    assert len(data) == 6
    rules = infer(ontology_graph(), data, engine="rules")
    hermit = infer(ontology_graph(), data, engine="hermit")
    assert without_super_property_values(rules.inferred) == without_super_property_values(
        hermit.inferred
    )
    assert len(hermit.inferred) > 50


def test_compiled_rules_are_reused_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trialkg import rules as rules_module

    monkeypatch.setenv("TRIALKG_CACHE", str(tmp_path))
    monkeypatch.setattr(rules_module, "_CACHE", {})
    first = rules_module.compile_rules(ontology_graph())
    cached = list(tmp_path.glob("rules-*.json"))
    assert len(cached) == 1

    def no_reasoner(onto: Graph) -> None:
        raise AssertionError("HermiT ran although the rules were cached")

    monkeypatch.setattr(rules_module, "_CACHE", {})
    monkeypatch.setattr(rules_module, "_compile", no_reasoner)
    assert rules_module.compile_rules(ontology_graph()) == first

    cached[0].write_text("{not json", encoding="utf-8")  # a damaged cache is compiled again
    monkeypatch.setattr(rules_module, "_CACHE", {})
    with pytest.raises(AssertionError, match="HermiT ran"):
        rules_module.compile_rules(ontology_graph())


def test_record_reasoner_equals_the_rules_on_a_store(seed_store_root: Path, tmp_path: Path) -> None:
    """Reasoning over one record in Python (as the bulk build reasons) adds what the rules
    add on a store of the ontology, the reference graph and the record (as the import
    reasons), less what the ontology and the reference graph give alone: on the seed
    graph's sources and on synthetic registry records."""
    import pyoxigraph as ox

    from benchmarks.synthetic import generate
    from trialkg import iri
    from trialkg.record_rules import RecordReasoner
    from trialkg.rules import compile_rules, infer_with_rules
    from trialkg.sources.ctgov import read_record
    from trialkg.store import current_data_dir
    from trialkg.triples.ctgov import Context, registry_ntriples

    def triples(graph: Graph) -> set[tuple[str, str, str]]:
        return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}

    onto = ontology_graph()
    rules = compile_rules(onto)
    seed = ox.Store.read_only(str(current_data_dir(seed_store_root)))

    def graph(name: str) -> bytes:
        return seed.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))

    context = Graph().parse(data=graph(str(iri.REFERENCE_GRAPH)).decode(), format="nt")
    reasoner = RecordReasoner.from_json(
        RecordReasoner.build(onto, context, rules).as_json(), rules
    )  # as the mapping child gets it
    base_only = triples(infer_with_rules(onto, [context])[0])
    records = [
        graph(g.value) for g in seed.named_graphs() if g.value.startswith(iri.GRAPH + "source/")
    ]
    ctx = Context.from_records(records_dir())
    for path in generate(6, tmp_path / "records", seed=5):
        records.append(registry_ntriples(read_record(path), ctx)[1].ntriples())
    assert len(records) > 10
    added = 0
    for nt in records:
        expected = triples(
            infer_with_rules(onto, [context, Graph().parse(data=nt.decode(), format="nt")])[0]
        )
        got = set(reasoner.infer(nt))
        assert got == expected - base_only
        added += len(got)
    assert added > 100
