"""OWL reasoning with HermiT (through owlready2): consistency, classification, inferred facts.

HermiT handles only the OWL 2 datatype map, so ranges such as ``xsd:date`` are left out of
what it reads; literal values are left out of the instance data as well, since no axiom of
the ontology depends on them. What HermiT entails and the input did not state goes to the
inferred graph: every named type of every individual (with all its superclasses), and the
values of the property chains and inverse properties.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from trialkg.terms import TKG

OWL2_UNSUPPORTED = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.time, XSD.duration}
TKG_NS = str(TKG)


class ReasonerUnavailable(RuntimeError):
    """Java (needed by HermiT) is not installed."""


class InconsistentGraph(RuntimeError):
    """The ontology plus instance data has no model; ``explanation`` says why."""

    def __init__(self, explanation: str) -> None:
        self.explanation = explanation
        super().__init__(explanation)


@dataclass
class ReasoningResult:
    inferred: Graph
    individuals: int


def java_available() -> bool:
    """True when a ``java`` executable is on PATH."""
    return shutil.which("java") is not None


def reasoner_input(ontology: Graph, data: Iterable[Graph]) -> Graph:
    """The OWL input HermiT reads: ontology minus unsupported ranges, data minus literals."""
    g = Graph()
    for s, p, o in ontology:
        if p == RDFS.range and o in OWL2_UNSUPPORTED:
            continue
        if isinstance(o, Literal) and o.datatype in OWL2_UNSUPPORTED:
            continue
        g.add((s, p, o))
    object_props = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    for graph in data:
        for s, p, o in graph:
            typed = p == RDF.type and isinstance(o, URIRef) and str(o).startswith(TKG_NS)
            if typed or (p in object_props and isinstance(o, URIRef)):
                g.add((s, p, o))
    for s in set(g.subjects(RDF.type, None)):
        if (
            isinstance(s, URIRef)
            and not str(s).startswith(TKG_NS)
            and (s, RDF.type, OWL.Class) not in g
        ):
            g.add((s, RDF.type, OWL.NamedIndividual))
    return g


def _superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Named superclasses (reflexive, transitive) of every named class."""
    direct: dict[URIRef, set[URIRef]] = {}
    for c in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(c, URIRef):
            direct.setdefault(c, set())
    for c, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(c, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}

    def up(c: URIRef, seen: frozenset[URIRef]) -> set[URIRef]:
        if c in closure:
            return closure[c]
        out = {c}
        for sup in direct.get(c, ()):
            if sup not in seen:
                out |= up(sup, seen | {c})
        closure[c] = out
        return out

    for c in list(direct):
        up(c, frozenset())
    return closure


def run_hermit(owl_input: Graph) -> Graph:
    """Run HermiT on an OWL graph; return the graph owlready2 holds afterwards.

    Raises:
        ReasonerUnavailable: Java is missing.
        InconsistentGraph: the input is inconsistent.
    """
    if not java_available():
        raise ReasonerUnavailable(
            "the HermiT reasoner needs Java: install a JRE (for example "
            "'apt-get install default-jre-headless') or run 'make setup'"
        )
    import owlready2  # heavy import: only when reasoning

    with tempfile.TemporaryDirectory(prefix="trialkg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        owl_input.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise InconsistentGraph(explain_inconsistency(owl_input)) from exc
        out = Graph()
        for s, p, o in world.as_rdflib_graph():
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                out.add((s, p, o))
        world.close()
    return out


def infer(ontology: Graph, data: Iterable[Graph], engine: str = "rules") -> ReasoningResult:
    """What reasoning adds to the instance data ``data`` under ``ontology``.

    ``engine`` is ``rules`` (HermiT classifies the ontology once; its consequences are applied
    to the instances as SPARQL rules on Oxigraph, see :mod:`trialkg.rules`; scales to large
    graphs) or ``hermit`` (HermiT over ontology and instances together; the reference, slow
    on large graphs). Both give the same inferred triples; the tests check it.

    Raises:
        InconsistentGraph: the data contradicts the ontology.
        ReasonerUnavailable: Java (for HermiT) is missing.
    """
    if engine == "rules":
        from trialkg.rules import infer_with_rules

        derived, count, problems = infer_with_rules(ontology, data)
        if problems:
            raise InconsistentGraph("inconsistent: " + "; ".join(problems))
        return ReasoningResult(derived, count)
    if engine != "hermit":
        raise ValueError(f"unknown reasoning engine {engine!r}: rules or hermit")
    data = list(data)
    owl_input = reasoner_input(ontology, data)
    reasoned = run_hermit(owl_input)
    supers = _superclasses(ontology)
    asserted: set[tuple[object, object, object]] = set(ontology)
    for graph in data:
        asserted.update(graph)
    individuals = {
        s
        for s in owl_input.subjects(RDF.type, None)
        if isinstance(s, URIRef)
        and not str(s).startswith(TKG_NS)
        and (s, RDF.type, OWL.Class) not in owl_input
    }
    object_props = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    inverse: dict[URIRef, URIRef] = {}
    for a, b in ontology.subject_objects(OWL.inverseOf):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            inverse[a], inverse[b] = b, a
    inferred = Graph()
    for ind in individuals:
        types = {t for t in reasoned.objects(ind, RDF.type) if isinstance(t, URIRef)}
        types |= {t for t in owl_input.objects(ind, RDF.type) if isinstance(t, URIRef)}
        all_types: set[URIRef] = set()
        for t in types:
            all_types |= supers.get(t, {t})
        for t in all_types:
            if str(t).startswith(TKG_NS) and (ind, RDF.type, t) not in asserted:
                inferred.add((ind, RDF.type, t))
    for s, p, o in reasoned:
        if p in object_props and s in individuals and isinstance(o, URIRef):
            candidates: list[tuple[Node, Node, Node]] = [(s, p, o)]
            if isinstance(p, URIRef) and p in inverse:
                candidates.append((o, inverse[p], s))
            for triple in candidates:
                if triple not in asserted:
                    inferred.add(triple)
    return ReasoningResult(inferred, len(individuals))


def explain_inconsistency(owl_input: Graph) -> str:
    """A readable account of why instance data contradicts the ontology.

    Checks the usual culprits directly: an individual in two disjoint classes (also after
    the defined classes apply), and a functional property with two different values.
    """
    lines: list[str] = []
    disjoint_pairs: set[tuple[URIRef, URIRef]] = set()
    for a, b in owl_input.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            disjoint_pairs.add((a, b))
    for group in owl_input.subjects(RDF.type, OWL.AllDisjointClasses):
        head = owl_input.value(group, OWL.members)
        members = list(owl_input.items(head)) if head is not None else []
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if isinstance(a, URIRef) and isinstance(b, URIRef):
                    disjoint_pairs.add((a, b))
    supers = _superclasses(owl_input)
    defined = _defined_types(owl_input)

    def label(term: URIRef) -> str:
        lab = owl_input.value(term, RDFS.label)
        return f"{lab} <{term}>" if lab else f"<{term}>"

    for ind in sorted({s for s in owl_input.subjects(RDF.type, None) if isinstance(s, URIRef)}):
        types = {t for t in owl_input.objects(ind, RDF.type) if isinstance(t, URIRef)}
        types |= defined.get(ind, set())
        closure: dict[URIRef, URIRef] = {}
        for t in sorted(types):
            for sup in supers.get(t, {t}):
                closure.setdefault(sup, t)
        for a, b in sorted(disjoint_pairs):
            if a in closure and b in closure:
                lines.append(
                    f"{ind} is a {label(a)} (via {label(closure[a])}) and a {label(b)} "
                    f"(via {label(closure[b])}), but these classes are disjoint"
                )
    for prop in sorted(
        p for p in owl_input.subjects(RDF.type, OWL.FunctionalProperty) if isinstance(p, URIRef)
    ):
        for s in sorted({s for s in owl_input.subjects(prop, None) if isinstance(s, URIRef)}):
            values = sorted(str(o) for o in owl_input.objects(s, prop))
            if len(values) > 1:
                lines.append(
                    f"{s} has {len(values)} values of the functional property {label(prop)}: "
                    + ", ".join(values)
                )
    if not lines:
        lines.append(
            "HermiT reports the ontology and data inconsistent; no disjointness or "
            "functional-property clash was found directly"
        )
    return "inconsistent: " + "; ".join(lines)


def _defined_types(g: Graph) -> dict[URIRef, set[URIRef]]:
    """Types that hasValue-defined classes give individuals (for explanations only)."""
    out: dict[URIRef, set[URIRef]] = {}
    for cls, eq in g.subject_objects(OWL.equivalentClass):
        if not isinstance(cls, URIRef):
            continue
        head = g.value(eq, OWL.intersectionOf)
        parts = list(g.items(head)) if head is not None else []
        for part in parts:
            prop = g.value(part, OWL.onProperty)
            value = g.value(part, OWL.hasValue)
            if prop is not None and value is not None:
                for s in g.subjects(prop, value):
                    if isinstance(s, URIRef):
                        out.setdefault(s, set()).add(cls)
    return out
