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
@pytest.mark.parametrize("engine", ["rules", "hermit"])
def test_contradictions_are_reported_with_an_explanation(
    example: str, expected: str, engine: str
) -> None:
    with pytest.raises(InconsistentGraph) as info:
        infer(ontology_graph(), [load(example)], engine=engine)
    explanation = info.value.explanation
    assert expected in explanation
    assert "https://example.org/" in explanation


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


@pytest.mark.parametrize("local", [False, True], ids=["all-rules-in-store", "table-rules-local"])
def test_reasoning_in_place_equals_reasoning_on_a_copy(seed_store_root: Path, local: bool) -> None:
    """The bulk build reasons on the store itself (semi-naive rounds, no copy): the same
    inferred triples as the rules on a copy of the reasoner's input, and nothing else left;
    also when the table rules ran beforehand in Python, as the bulk build runs them."""
    import pyoxigraph as ox

    from trialkg import iri
    from trialkg.rules import compile_rules, infer_in_place, local_closure
    from trialkg.store import current_data_dir

    seed = ox.Store.read_only(str(current_data_dir(seed_store_root)))
    inferred_name = ox.NamedNode(str(iri.INFERRED_GRAPH))
    expected = {
        (q.subject, q.predicate, q.object)
        for q in seed.quads_for_pattern(None, None, None, inferred_name)
    }
    assert len(expected) > 50
    store = ox.Store()
    store.extend(q for q in seed if q.graph_name != inferred_name)
    for s, p, o in expected:  # the default graph without what was inferred
        store.remove(ox.Quad(s, p, o, ox.DefaultGraph()))
    before = len(store)
    rules = compile_rules(ontology_graph())
    local_done = None
    if local:
        asserted = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        lines = local_closure(asserted, rules.local)
        local_done = [
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
        ]
        assert local_done  # the table rules derive something on the seed graph
        store.bulk_extend(local_done)
    count, problems = infer_in_place(store, rules, str(iri.INFERRED_GRAPH), local_done)
    assert problems == []
    got = {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, inferred_name)
    }
    assert got == expected and count == len(expected)
    assert len(store) == before + 2 * len(expected)  # in the inferred graph and the default one


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


def test_local_closure_equals_the_table_rules_in_sparql(seed_store_root: Path) -> None:
    """The table rules in Python derive exactly what their SPARQL form derives."""
    import dataclasses

    import pyoxigraph as ox

    from trialkg import iri
    from trialkg.rules import apply_rules, compile_rules, local_closure
    from trialkg.store import current_data_dir

    rules = compile_rules(ontology_graph())
    table_only = dataclasses.replace(
        rules,
        rules=tuple(r for r, c in zip(rules.rules, rules.covered, strict=True) if c),
        single_pattern=tuple(
            s for s, c in zip(rules.single_pattern, rules.covered, strict=True) if c
        ),
        covered=tuple(c for c in rules.covered if c),
    )
    assert 0 < len(table_only.rules) < len(rules.rules)
    seed = ox.Store.read_only(str(current_data_dir(seed_store_root)))
    asserted = seed.dump(
        format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(iri.REFERENCE_GRAPH))
    )
    for g in seed.named_graphs():
        if g.value.startswith(iri.GRAPH + "source/"):
            asserted += seed.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)
    store = ox.Store()
    store.load(asserted, format=ox.RdfFormat.N_TRIPLES)
    in_sparql = {(q.subject, q.predicate, q.object) for q in apply_rules(store, table_only)}
    lines = local_closure(asserted, rules.local)
    in_python = {
        (t.subject, t.predicate, t.object) for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
    }
    assert len(in_sparql) > 20
    assert in_python == in_sparql
