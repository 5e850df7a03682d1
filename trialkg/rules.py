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
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
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
class LocalRules:
    """The rules that read one triple and a fixed table: each triple's consequences depend on
    that triple alone, so they can be derived record by record, in plain Python, while the
    records are mapped (:mod:`trialkg.record_rules`). IRIs as plain strings."""

    supers: dict[str, tuple[str, ...]]  # class -> its named trialkg superclasses
    domains: dict[str, tuple[str, ...]]  # object property -> classes of its subjects
    ranges: dict[str, tuple[str, ...]]  # object property -> classes of its objects
    superproperties: dict[str, tuple[str, ...]]  # property -> object properties it implies
    inverses: dict[str, tuple[str, ...]]  # property -> its inverses (both directions)

    def as_json(self) -> dict[str, dict[str, list[str]]]:
        return {
            name: {k: list(v) for k, v in sorted(getattr(self, name).items())}
            for name in ("supers", "domains", "ranges", "superproperties", "inverses")
        }

    @cached_property
    def nt_tables(self) -> tuple[dict[str, list[str]], ...]:
        """The tables keyed by N-Triples terms, valued by what to append to a term to make
        the derived line (superclasses, domains, ranges) or by N-Triples predicates."""
        return (
            {f"<{c}>": [f"{TYPE} <{s}> ." for s in ss] for c, ss in self.supers.items()},
            {f"<{p}>": [f"{TYPE} <{c}> ." for c in cs] for p, cs in self.domains.items()},
            {f"<{p}>": [f"{TYPE} <{c}> ." for c in cs] for p, cs in self.ranges.items()},
            {f"<{p}>": [f"<{q}>" for q in qs] for p, qs in self.superproperties.items()},
            {f"<{p}>": [f"<{q}>" for q in qs] for p, qs in self.inverses.items()},
        )

    @classmethod
    def from_json(cls, data: dict[str, dict[str, list[str]]]) -> LocalRules:
        def table(name: str) -> dict[str, tuple[str, ...]]:
            return {str(k): tuple(map(str, v)) for k, v in data[name].items()}

        return cls(
            table("supers"),
            table("domains"),
            table("ranges"),
            table("superproperties"),
            table("inverses"),
        )


@dataclass(frozen=True)
class RuleSet:
    """The ontology as rules: CONSTRUCT queries, and checks for contradictions."""

    rules: tuple[str, ...]
    disjoint: tuple[tuple[str, str], ...]
    functional: tuple[str, ...]
    object_properties: frozenset[str]
    labels: dict[str, str]
    single_pattern: tuple[bool, ...]  # per rule: its body is one triple pattern
    local: LocalRules  # the table rules, as data
    # the other rules as data (for :mod:`trialkg.record_rules`), terms in N-Triples form:
    # defined class -> its definition (see :meth:`_Compiler.tree`)
    definitions: tuple[tuple[str, Any], ...] = ()
    implications: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # class -> (p, o)
    chains: tuple[tuple[str, tuple[str, ...]], ...] = ()  # property -> its chain (2+ steps)

    def label(self, term: str) -> str:
        lab = self.labels.get(term)
        return f"{lab} <{term}>" if lab else f"<{term}>"

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules),
            "disjoint": [list(pair) for pair in self.disjoint],
            "functional": list(self.functional),
            "object_properties": sorted(self.object_properties),
            "labels": dict(sorted(self.labels.items())),
            "single_pattern": list(self.single_pattern),
            "local": self.local.as_json(),
            "definitions": [list(d) for d in self.definitions],
            "implications": [[c, [list(pair) for pair in pairs]] for c, pairs in self.implications],
            "chains": [[p, list(steps)] for p, steps in self.chains],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleSet:
        return cls(
            tuple(data["rules"]),
            tuple((a, b) for a, b in data["disjoint"]),
            tuple(data["functional"]),
            frozenset(data["object_properties"]),
            dict(data["labels"]),
            tuple(bool(x) for x in data["single_pattern"]),
            LocalRules.from_json(data["local"]),
            tuple((c, tree) for c, tree in data["definitions"]),
            tuple((c, tuple((p, o) for p, o in pairs)) for c, pairs in data["implications"]),
            tuple((p, tuple(steps)) for p, steps in data["chains"]),
        )


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

    def tree(self, expr: Node) -> Any:
        """A class expression as JSON-able data, IRIs in N-Triples form: ``["class", c]``,
        ``["and", [...]]``, ``["oneOf", [...]]``, ``["hasValue", p, v]`` or
        ``["some", p, filler]`` (the forms :meth:`pattern` compiles)."""
        g = self.onto
        if isinstance(expr, URIRef):
            return ["class", _iri(expr)]
        parts = g.value(expr, OWL.intersectionOf)
        if parts is not None:
            return ["and", [self.tree(part) for part in Collection(g, parts)]]
        members = g.value(expr, OWL.oneOf)
        if members is not None:
            return ["oneOf", [_iri(m) for m in Collection(g, members)]]
        prop = g.value(expr, OWL.onProperty)
        if prop is not None:
            value = g.value(expr, OWL.hasValue)
            if value is not None:
                return ["hasValue", _iri(prop), _iri(value)]
            filler = g.value(expr, OWL.someValuesFrom)
            if filler is not None:
                return ["some", _iri(prop), self.tree(filler)]
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


def cache_dir() -> Path:
    """Where compiled rules are kept between runs: ``$TRIALKG_CACHE``, else
    ``$XDG_CACHE_HOME/trialkg``, else ``~/.cache/trialkg``."""
    if os.environ.get("TRIALKG_CACHE"):
        return Path(os.environ["TRIALKG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trialkg"


def _cache_file(key: str) -> Path:
    # the compiler's own source is part of the key: a changed compiler never reads old rules
    compiler = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return cache_dir() / f"rules-{key[:32]}-{compiler}.json"


def _read_cached(path: Path) -> RuleSet | None:
    try:
        return RuleSet.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: compile again


def _write_cached(path: Path, rules: RuleSet) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rules.as_json(), indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: the rules are compiled again next time


def compile_rules(onto: Graph) -> RuleSet:
    """Compile the ontology into rules. HermiT classifies each distinct ontology once: the
    rules are kept in memory and in :func:`cache_dir`, so a later run (an incremental import)
    does not start the reasoner again."""
    key = _digest(onto)
    if key not in _CACHE:
        path = _cache_file(key)
        rules = _read_cached(path)
        if rules is None:
            rules = _compile(onto)
            _write_cached(path, rules)
        _CACHE[key] = rules
    return _CACHE[key]


def _add(table: dict[str, tuple[str, ...]], key: Node, value: Node) -> None:
    table[str(key)] = tuple(sorted({*table.get(str(key), ()), str(value)}))


def _local_rules(onto: Graph, object_props: set[URIRef]) -> LocalRules:
    """The class hierarchy (after HermiT), domains, ranges, sub-properties (and one-step
    property chains) and inverses of the ontology, as tables."""
    supers: dict[str, tuple[str, ...]] = {}
    for c, ss in sorted(_tbox_supers(onto).items()):
        for sup in sorted(ss):
            if c != sup and str(sup).startswith(TKG_NS):
                _add(supers, c, sup)
    domains: dict[str, tuple[str, ...]] = {}
    ranges: dict[str, tuple[str, ...]] = {}
    for key, table in ((RDFS.domain, domains), (RDFS.range, ranges)):
        for prop_iri, cls in sorted(onto.subject_objects(key)):
            if prop_iri in object_props and str(cls).startswith(TKG_NS):
                _add(table, prop_iri, cls)
    superproperties: dict[str, tuple[str, ...]] = {}
    for sub_p, sup_p in sorted(onto.subject_objects(RDFS.subPropertyOf)):
        if isinstance(sub_p, URIRef) and sup_p in object_props:
            _add(superproperties, sub_p, sup_p)
    for prop, chain in sorted(onto.subject_objects(OWL.propertyChainAxiom)):
        steps = list(Collection(onto, chain))
        if len(steps) == 1:
            _add(superproperties, _term(steps[0]), _term(prop))
    inverses: dict[str, tuple[str, ...]] = {}
    for p, q in sorted(onto.subject_objects(OWL.inverseOf)):
        _add(inverses, _term(p), _term(q))
        _add(inverses, _term(q), _term(p))
    return LocalRules(supers, domains, ranges, superproperties, inverses)


def _term(node: Node) -> URIRef:
    if not isinstance(node, URIRef):
        raise RuleCompileError(f"expected an IRI, found {node!r}")
    return node


def _table_rules(local: LocalRules) -> list[str]:
    """The SPARQL form of the table rules (:mod:`trialkg.record_rules` runs them in Python)."""
    rules: list[str] = []
    pairs = " ".join(f"(<{c}> <{s}>)" for c, ss in sorted(local.supers.items()) for s in ss)
    if pairs:
        rules.append(
            f"CONSTRUCT {{ ?x {TYPE} ?sup }} "
            f"WHERE {{ VALUES (?c ?sup) {{ {pairs} }} ?x {TYPE} ?c }}"
        )
    for table, position in ((local.domains, "?s"), (local.ranges, "?o")):
        pairs = " ".join(f"(<{p}> <{c}>)" for p, cs in sorted(table.items()) for c in cs)
        if pairs:
            rules.append(
                f"CONSTRUCT {{ {position} {TYPE} ?c }} WHERE {{ VALUES (?p ?c) {{ {pairs} }} "
                f"?s ?p ?o . FILTER (isIRI({position})) }}"
            )
    for p, qs in sorted(local.superproperties.items()):
        rules += [f"CONSTRUCT {{ ?s <{q}> ?o }} WHERE {{ ?s <{p}> ?o }}" for q in qs]
    for p, qs in sorted(local.inverses.items()):
        rules += [f"CONSTRUCT {{ ?o <{q}> ?s }} WHERE {{ ?s <{p}> ?o }}" for q in qs]
    return rules


def _compile(onto: Graph) -> RuleSet:
    comp = _Compiler(onto)
    object_props = {p for p in onto.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    local = _local_rules(onto, object_props)
    rules = _table_rules(local)
    single = [True] * len(rules)  # whether a rule's body is one triple pattern
    definitions: list[tuple[str, Any]] = []
    implications: dict[str, set[tuple[str, str]]] = {}
    for cls, expr in sorted(onto.subject_objects(OWL.equivalentClass)):
        if not isinstance(cls, URIRef) or not isinstance(expr, BNode):
            continue
        body = comp.pattern("?x", expr)
        rules.append(f"CONSTRUCT {{ ?x {TYPE} {_iri(cls)} }} WHERE {{ {body} }}")
        single.append(body.count(" .") == 1 and "VALUES" not in body)
        definitions.append((_iri(cls), comp.tree(expr)))
        implied = comp.implied("?x", expr)
        if implied:
            rules.append(f"CONSTRUCT {{ {' '.join(implied)} }} WHERE {{ ?x {TYPE} {_iri(cls)} }}")
            single.append(True)
            for template in implied:
                _x, p, o = template.removesuffix(" .").split(" ")
                implications.setdefault(_iri(cls), set()).add((p, o))
    chains: list[tuple[str, tuple[str, ...]]] = []
    for prop, chain in sorted(onto.subject_objects(OWL.propertyChainAxiom)):
        steps = [_iri(step) for step in Collection(onto, chain)]
        if len(steps) > 1:
            path = " ".join(f"?c{i} {step} ?c{i + 1} ." for i, step in enumerate(steps))
            rules.append(f"CONSTRUCT {{ ?c0 {_iri(prop)} ?c{len(steps)} }} WHERE {{ {path} }}")
            single.append(False)
            chains.append((_iri(prop), tuple(steps)))
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
    assert len(single) == len(rules)
    return RuleSet(
        tuple(rules),
        tuple(sorted(disjoint)),
        tuple(functional),
        frozenset(map(str, object_props)),
        labels,
        tuple(single),
        local,
        tuple(definitions),
        tuple((c, tuple(sorted(pairs))) for c, pairs in sorted(implications.items())),
        tuple(chains),
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
    """A rule that derives only what is not in the store yet (``MINUS`` its template), so
    the engine, not Python, drops what is already known. ``MINUS`` (a hash anti-join) ran
    2.3x faster than ``FILTER NOT EXISTS`` over all rules on a 1,000-trial store."""
    head = rule[rule.index("{") + 1 : rule.index("} WHERE {")].strip()
    start = rule.index("} WHERE {") + len("} WHERE {")
    body = rule[start : rule.rindex("}")].strip()
    return f"{rule[:start]} {{ {body} }} MINUS {{ {head} }} }}"


def apply_rules(store: Any, rules: RuleSet, max_rounds: int = 50) -> Any:
    """Run the rules on a pyoxigraph store until nothing new is derived (semi-naive): the
    first round runs every rule on the store; later rounds run only the rules whose body
    names a predicate or class of what the round before derived, and a rule whose body is
    one triple pattern runs on just those new triples (nothing older can give it anything
    new). New triples go into the default graph with ``bulk_extend`` (no transaction, so a
    large on-disk store is fine). Returns an in-memory store holding everything derived."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    reads = [_reads(rule) for rule in rules.rules]
    derived = ox.Store()
    delta: Any = None
    touched: set[str] = set()
    for _ in range(max_rounds):
        new: dict[Any, None] = {}
        for rule, rule_reads, one in zip(rules.rules, reads, rules.single_pattern, strict=True):
            if delta is None:
                results = store.query(only_new(rule))
            elif rule_reads.isdisjoint(touched):
                continue
            elif one:
                results = delta.query(rule)
            else:
                results = store.query(only_new(rule))
            for triple in results:
                quad = ox.Quad(triple.subject, triple.predicate, triple.object, default)
                if quad not in new and quad not in store:
                    new[quad] = None
        if not new:
            return derived
        store.bulk_extend(new)
        derived.extend(new)
        delta = ox.Store()
        delta.extend(new)
        touched = {_key(q) for q in new}
    raise RuntimeError(f"the rules did not reach a fixpoint within {max_rounds} rounds")


_IRI_IN_TEXT = re.compile(r"<([^>]*)>")


def _reads(rule: str) -> frozenset[str]:
    """The IRIs a rule's body names: every predicate and class it matches on (the compiled
    rules never match on a variable predicate or class that a VALUES table does not list)."""
    return frozenset(_IRI_IN_TEXT.findall(rule[rule.index("} WHERE {") :]))


def _key(quad: Any) -> str:
    """What a rule must read to see a triple: its class if it is a type, else its predicate."""
    p = quad.predicate.value
    return str(quad.object.value) if p == str(RDF.type) else str(p)


def contradictions(store: Any, rules: RuleSet) -> list[str]:
    """Individuals in two disjoint classes, and functional properties with two values."""
    lines: list[str] = []
    size: dict[str, int] = {}
    for c in sorted({c for pair in rules.disjoint for c in pair}):
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x {TYPE} <{c}> }}")
        size[c] = int(next(iter(rows))["n"].value)
    partners: dict[str, set[str]] = {}
    for a, b in rules.disjoint:
        if size[a] and size[b]:  # a class without instances cannot take part
            first, second = sorted((a, b), key=lambda c: (size[c], c))
            partners.setdefault(first, set()).add(second)
    found: set[tuple[str, str, str]] = set()
    for a, others in sorted(partners.items()):
        # the instances of the smaller class of each pair, and their other types looked up
        # in the index: no grouping or hashing over all typed nodes, and the largest
        # classes (evidence, results) are never scanned for their types. Ontology terms are
        # left out here, not in the query: a filter on the IRI's text made the engine read
        # the text of every instance (1.7-4x the time at 100,000 trials)
        query = (
            f"SELECT ?x ?t WHERE {{ ?x {TYPE} <{a}> . ?x {TYPE} ?t "
            f"FILTER (?t IN ({', '.join(f'<{b}>' for b in sorted(others))})) }}"
        )
        for row in store.query(query):
            if row["x"].value.startswith(TKG_NS):
                continue
            first, second = sorted((a, row["t"].value))  # messages independent of sizes
            found.add((row["x"].value, first, second))
    for x, a, b in sorted(found):
        lines.append(
            f"{x} is a {rules.label(a)} and a {rules.label(b)}, but these classes are disjoint"
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


def _individuals(store: Any) -> set[str]:
    """As with HermiT: the individuals are the typed nodes of the default graph that are not
    ontology terms or classes."""
    import pyoxigraph as ox

    type_node = ox.NamedNode(str(RDF.type))
    default = ox.DefaultGraph()
    classes = {
        q.subject.value
        for q in store.quads_for_pattern(None, type_node, ox.NamedNode(str(OWL.Class)), default)
        if isinstance(q.subject, ox.NamedNode)
    }
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, type_node, None, default)
        if isinstance(q.subject, ox.NamedNode)
        and not q.subject.value.startswith(TKG_NS)
        and q.subject.value not in classes
    }


def _reported(quad: Any, rules: RuleSet) -> bool:
    """Whether the reasoner would report a derived triple if its subject is an individual:
    a trialkg type, or an object-property link."""
    import pyoxigraph as ox

    if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.NamedNode):
        return False
    p = quad.predicate.value
    if p == str(RDF.type):
        return bool(quad.object.value.startswith(TKG_NS))
    return p in rules.object_properties


def infer_in_store(store: Any, rules: RuleSet) -> tuple[Graph, int, list[str]]:
    """Run the rules on a pyoxigraph store holding the rules' input (ontology, typed nodes,
    object-property links); return what they add about individuals, how many individuals
    there are, and contradictions. The store gets the derived triples."""
    individuals = _individuals(store)
    derived = apply_rules(store, rules)
    problems = contradictions(store, rules)
    inferred = Graph()
    for q in derived:
        if _reported(q, rules) and q.subject.value in individuals:
            inferred.add(
                (URIRef(q.subject.value), URIRef(q.predicate.value), URIRef(q.object.value))
            )
    return inferred, len(individuals), problems


def infer_with_rules(onto: Graph, data: Iterable[Graph]) -> tuple[Graph, int, list[str]]:
    """Inferred triples about the data's individuals, their count, and contradictions."""
    import pyoxigraph as ox

    rules = compile_rules(onto)
    store = ox.Store()
    store.bulk_load(_instance_input(onto, list(data), rules), format=ox.RdfFormat.N_TRIPLES)
    return infer_in_store(store, rules)
