"""OWL reasoning that scales: classify the ontology once, apply it to instances as SPARQL rules.

HermiT reasons over every individual at once; on a registry record with thousands of
adverse-event rows it took minutes, and a build of many thousands of trials would not finish.
The ontology's instance-level consequences are few and known: the types its defined classes
give (intersections of classes and ``hasValue`` / ``someValuesFrom`` restrictions), the class
hierarchy (asserted and inferred by HermiT on the ontology alone, once), domains and ranges,
sub-properties, inverse properties and property chains. Each becomes a SPARQL rule; the rules
run on Oxigraph until nothing new is derived. Contradictions the ontology can detect on
instances (disjoint classes, two values of a functional property) are SPARQL checks after
the rules. Tests check that the result equals HermiT's on the seed graph and the examples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Node

from trialkg.terms import TKG

TKG_NS = str(TKG)
TYPE = f"<{RDF.type}>"


class RuleCompileError(ValueError):
    """An ontology axiom this rule compiler cannot translate; names the class or property."""


@dataclass(frozen=True)
class RuleSet:
    """The ontology as rules: CONSTRUCT queries, and checks for contradictions."""

    rules: tuple[str, ...]
    disjoint: tuple[tuple[str, str], ...]
    functional: tuple[str, ...]
    object_properties: frozenset[str]
    labels: dict[str, str]

    def label(self, term: str) -> str:
        lab = self.labels.get(term)
        return f"{lab} <{term}>" if lab else f"<{term}>"


def _iri(node: Node) -> str:
    if not isinstance(node, URIRef):
        raise RuleCompileError(f"expected an IRI, found {node!r}")
    return f"<{node}>"


class _Compiler:
    def __init__(self, onto: Graph) -> None:
        self.onto = onto
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"?v{self.n}"

    def pattern(self, x: str, expr: Node) -> str:
        """A SPARQL group pattern true when ``x`` is an instance of a class expression."""
        g = self.onto
        if isinstance(expr, URIRef):
            return f"{x} {TYPE} {_iri(expr)} ."
        parts = g.value(expr, OWL.intersectionOf)
        if parts is not None:
            return " ".join(self.pattern(x, part) for part in Collection(g, parts))
        members = g.value(expr, OWL.oneOf)
        if members is not None:
            return f"VALUES {x} {{ {' '.join(_iri(m) for m in Collection(g, members))} }}"
        prop = g.value(expr, OWL.onProperty)
        if prop is not None:
            value = g.value(expr, OWL.hasValue)
            if value is not None:
                return f"{x} {_iri(prop)} {_iri(value)} ."
            filler = g.value(expr, OWL.someValuesFrom)
            if filler is not None:
                y = self.var()
                return f"{x} {_iri(prop)} {y} . {self.pattern(y, filler)}"
        raise RuleCompileError(f"cannot compile the class expression {expr!r} into a rule")

    def implied(self, x: str, expr: Node) -> list[str]:
        """Triples (templates) that membership of ``x`` in a class expression entails."""
        g = self.onto
        if isinstance(expr, URIRef):
            return [f"{x} {TYPE} {_iri(expr)} ."]
        parts = g.value(expr, OWL.intersectionOf)
        if parts is not None:
            return [t for part in Collection(g, parts) for t in self.implied(x, part)]
        prop, value = g.value(expr, OWL.onProperty), g.value(expr, OWL.hasValue)
        if prop is not None and value is not None:
            return [f"{x} {_iri(prop)} {_iri(value)} ."]
        return []  # someValuesFrom, oneOf: nothing named to assert


def _tbox_supers(onto: Graph) -> dict[URIRef, set[URIRef]]:
    """Named superclasses of every named class after HermiT classifies the ontology alone."""
    from trialkg.reason import _superclasses, reasoner_input, run_hermit

    reasoned = run_hermit(reasoner_input(onto, []))
    merged = Graph()
    for triple in onto:
        merged.add(triple)
    for s, p, o in reasoned:
        if p in (RDFS.subClassOf, OWL.equivalentClass) and isinstance(o, URIRef):
            merged.add((s, RDFS.subClassOf, o))
            if p == OWL.equivalentClass:
                merged.add((o, RDFS.subClassOf, s))
    return _superclasses(merged)


def _digest(onto: Graph) -> str:
    lines = sorted(onto.serialize(format="nt", encoding="utf-8").splitlines())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


_CACHE: dict[str, RuleSet] = {}


def compile_rules(onto: Graph) -> RuleSet:
    """Compile the ontology into rules (HermiT classifies it once per distinct ontology)."""
    key = _digest(onto)
    if key not in _CACHE:
        _CACHE[key] = _compile(onto)
    return _CACHE[key]


def _compile(onto: Graph) -> RuleSet:
    comp = _Compiler(onto)
    rules: list[str] = []
    supers = _tbox_supers(onto)
    pairs = sorted(
        (c, s) for c, ss in supers.items() for s in ss if c != s and str(s).startswith(TKG_NS)
    )
    if pairs:
        table = " ".join(f"({_iri(c)} {_iri(s)})" for c, s in pairs)
        rules.append(
            f"CONSTRUCT {{ ?x {TYPE} ?sup }} "
            f"WHERE {{ VALUES (?c ?sup) {{ {table} }} ?x {TYPE} ?c }}"
        )
    for cls, expr in sorted(onto.subject_objects(OWL.equivalentClass)):
        if not isinstance(cls, URIRef) or not isinstance(expr, BNode):
            continue
        rules.append(
            f"CONSTRUCT {{ ?x {TYPE} {_iri(cls)} }} WHERE {{ {comp.pattern('?x', expr)} }}"
        )
        implied = comp.implied("?x", expr)
        if implied:
            rules.append(f"CONSTRUCT {{ {' '.join(implied)} }} WHERE {{ ?x {TYPE} {_iri(cls)} }}")
    object_props = {p for p in onto.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    for key, position in ((RDFS.domain, "?s"), (RDFS.range, "?o")):
        table = " ".join(
            f"({_iri(p)} {_iri(c)})"
            for p, c in sorted(onto.subject_objects(key))
            if p in object_props and isinstance(c, URIRef) and str(c).startswith(TKG_NS)
        )
        if table:
            rules.append(
                f"CONSTRUCT {{ {position} {TYPE} ?c }} WHERE {{ VALUES (?p ?c) {{ {table} }} "
                f"?s ?p ?o . FILTER (isIRI({position})) }}"
            )
    for p, q in sorted(onto.subject_objects(RDFS.subPropertyOf)):
        if isinstance(p, URIRef) and isinstance(q, URIRef) and q in object_props:
            rules.append(f"CONSTRUCT {{ ?s {_iri(q)} ?o }} WHERE {{ ?s {_iri(p)} ?o }}")
    for p, q in sorted(onto.subject_objects(OWL.inverseOf)):
        rules.append(f"CONSTRUCT {{ ?o {_iri(q)} ?s }} WHERE {{ ?s {_iri(p)} ?o }}")
        rules.append(f"CONSTRUCT {{ ?o {_iri(p)} ?s }} WHERE {{ ?s {_iri(q)} ?o }}")
    for prop, chain in sorted(onto.subject_objects(OWL.propertyChainAxiom)):
        steps = [_iri(step) for step in Collection(onto, chain)]
        path = " ".join(f"?c{i} {step} ?c{i + 1} ." for i, step in enumerate(steps))
        rules.append(f"CONSTRUCT {{ ?c0 {_iri(prop)} ?c{len(steps)} }} WHERE {{ {path} }}")
    disjoint: set[tuple[str, str]] = set()
    for a, b in onto.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            disjoint.add((str(a), str(b)))
    for group in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        head = onto.value(group, OWL.members)
        members = [m for m in Collection(onto, head) if isinstance(m, URIRef)] if head else []
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                disjoint.add((str(a), str(b)))
    functional = sorted(
        str(p) for p in onto.subjects(RDF.type, OWL.FunctionalProperty) if p in object_props
    )
    labels = {str(t): str(v) for t, v in onto.subject_objects(RDFS.label) if isinstance(t, URIRef)}
    return RuleSet(
        tuple(rules),
        tuple(sorted(disjoint)),
        tuple(functional),
        frozenset(map(str, object_props)),
        labels,
    )


def _instance_input(onto: Graph, data: Iterable[Graph], rules: RuleSet) -> bytes:
    """What the rules read, as N-Triples: the ontology (its own individuals included), and
    of the data its trialkg types and object-property links (no axiom reads a literal)."""
    lines = [onto.serialize(format="nt", encoding="utf-8")]
    type_iri = RDF.type
    props = rules.object_properties
    for graph in data:
        for s, p, o in graph:
            if not isinstance(o, URIRef):
                continue
            if (p == type_iri and str(o).startswith(TKG_NS)) or str(p) in props:
                lines.append(f"{s.n3()} {p.n3()} {o.n3()} .\n".encode())
    return b"".join(lines)


def only_new(rule: str) -> str:
    """A rule that derives only what is not in the store yet: ``FILTER NOT EXISTS`` on its
    template, so the engine, not Python, drops what is already known."""
    head = rule[rule.index("{") + 1 : rule.index("} WHERE {")].strip()
    body = rule[: rule.rindex("}")].rstrip()
    return f"{body} FILTER NOT EXISTS {{ {head} }} }}"


def apply_rules(store: Any, rules: RuleSet, max_rounds: int = 50) -> list[Any]:
    """Run the rules on a pyoxigraph store until nothing new is derived; return what they
    added (quads in the default graph), in the order derived."""
    import pyoxigraph as ox

    queries = [only_new(rule) for rule in rules.rules]
    added: list[ox.Quad] = []
    for _ in range(max_rounds):
        new: dict[ox.Quad, None] = {}
        for query in queries:
            for triple in store.query(query):
                quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
                if quad not in new and quad not in store:
                    new[quad] = None
        if not new:
            return added
        store.extend(new)
        added.extend(new)
    raise RuntimeError(f"the rules did not reach a fixpoint within {max_rounds} rounds")


def contradictions(store: Any, rules: RuleSet) -> list[str]:
    """Individuals in two disjoint classes, and functional properties with two values."""
    lines: list[str] = []
    for a, b in rules.disjoint:
        query = (
            f"SELECT DISTINCT ?x WHERE {{ ?x {TYPE} <{a}> , <{b}> . "
            f'FILTER (!STRSTARTS(STR(?x), "{TKG_NS}")) }} ORDER BY ?x'
        )
        for row in store.query(query):
            lines.append(
                f"{row['x'].value} is a {rules.label(a)} and a {rules.label(b)}, "
                "but these classes are disjoint"
            )
    for p in rules.functional:
        query = (
            f"SELECT ?x (GROUP_CONCAT(DISTINCT STR(?o); separator=', ') AS ?vs) "
            f"(COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?x <{p}> ?o }} GROUP BY ?x "
            "HAVING (COUNT(DISTINCT ?o) > 1) ORDER BY ?x"
        )
        for row in store.query(query):
            lines.append(
                f"{row['x'].value} has {row['n'].value} values of the functional property "
                f"{rules.label(p)}: {row['vs'].value}"
            )
    return lines


def infer_in_store(store: Any, rules: RuleSet) -> tuple[Graph, int, list[str]]:
    """Run the rules on a pyoxigraph store holding the rules' input (ontology, typed nodes,
    object-property links); return what they add about individuals, how many individuals
    there are, and contradictions. The store gets the derived triples."""
    import pyoxigraph as ox

    type_node = ox.NamedNode(str(RDF.type))
    classes = {
        q.subject.value
        for q in store.quads_for_pattern(None, type_node, ox.NamedNode(str(OWL.Class)), None)
        if isinstance(q.subject, ox.NamedNode)
    }
    # as with HermiT: the individuals are the typed nodes of the input
    individuals = {
        q.subject.value
        for q in store.quads_for_pattern(None, type_node, None, None)
        if isinstance(q.subject, ox.NamedNode)
        and not q.subject.value.startswith(TKG_NS)
        and q.subject.value not in classes
    }
    added = apply_rules(store, rules)
    problems = contradictions(store, rules)
    inferred = Graph()
    for q in added:
        if not isinstance(q.subject, ox.NamedNode) or not isinstance(q.object, ox.NamedNode):
            continue
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if s not in individuals:
            continue
        if p == str(RDF.type):
            if o.startswith(TKG_NS):
                inferred.add((URIRef(s), RDF.type, URIRef(o)))
        elif p in rules.object_properties:
            inferred.add((URIRef(s), URIRef(p), URIRef(o)))
    return inferred, len(individuals), problems


def infer_with_rules(onto: Graph, data: Iterable[Graph]) -> tuple[Graph, int, list[str]]:
    """Inferred triples about the data's individuals, their count, and contradictions."""
    import pyoxigraph as ox

    rules = compile_rules(onto)
    store = ox.Store()
    store.bulk_load(_instance_input(onto, list(data), rules), format=ox.RdfFormat.N_TRIPLES)
    return infer_in_store(store, rules)
