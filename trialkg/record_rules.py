"""Reasoning over one record at a time, in plain Python, as the bulk build does it.

``trialkg import ctgov`` reasons over each record with the ontology and the reference graph
(:func:`trialkg.rules.infer_with_rules`: the rules run on a small Oxigraph store). A bulk
build of tens of thousands of records cannot afford a store and some fifty queries per
record, nor a pass over the whole store afterwards, which leaves the engine's files to be
compacted again. :class:`RecordReasoner` derives the same triples per record from indexes in
memory: the ontology and the reference graph are closed under the rules once (in Oxigraph),
then each record's rule input is added on top and closed under the same rules evaluated
over Python dictionaries:

- the table rules (class hierarchy, domains, ranges, sub-properties, inverses) and what a
  defined class implies (its ``hasValue`` parts), from each new triple alone;
- the defined classes (``intersectionOf``, ``oneOf``, ``hasValue``, ``someValuesFrom``) and
  property chains, checked on the nodes a new triple can affect: its subject and object and
  the nodes that link to them, as deep as the deepest definition or chain reaches.

What it reports equals :func:`~trialkg.rules.infer_with_rules` on the ontology, the reference
graph and the record, less what the ontology and the reference graph give alone (the
build's own reasoning over the curated records has that); the tests check it. Terms are
N-Triples strings throughout, as :class:`~trialkg.triples.ntriples.TripleLines` writes them:
one triple per line, terms separated by one space.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import OWL, RDF, Graph

from trialkg.rules import TKG_NS, TYPE, RuleSet

_TKG = f"<{TKG_NS}"

Triple = tuple[str, str, str]
Index = dict[str, dict[str, set[str]]]  # subject -> predicate -> objects (types: TYPE)


def _depth(tree: Any) -> int:
    """How many links a definition follows to other nodes' types and links (a ``hasValue``
    reads a link of the member itself)."""
    kind = tree[0]
    if kind == "and":
        return max((_depth(part) for part in tree[1]), default=0)
    return 1 + _depth(tree[2]) if kind == "some" else 0


def _watched(tree: Any, classes: set[str], props: set[str], nodes: set[str]) -> None:
    """Add to ``classes``, ``props`` and ``nodes`` the types, links and individuals whose
    facts a definition reads."""
    kind = tree[0]
    if kind == "class":
        classes.add(tree[1])
    elif kind == "and":
        for part in tree[1]:
            _watched(part, classes, props, nodes)
    elif kind == "oneOf":
        nodes.update(tree[1])
    else:  # hasValue, some
        props.add(tree[1])
        if kind == "some":
            _watched(tree[2], classes, props, nodes)


def _put(index: Index, s: str, p: str, o: str) -> None:
    index.setdefault(s, {}).setdefault(p, set()).add(o)


def rule_input(nt: bytes, object_properties: frozenset[str]) -> Iterator[Triple]:
    """What the rules read of N-Triples ``nt`` (as the reasoner's input holds it): trialkg
    types and links to IRIs by ``object_properties`` (N-Triples form); literals never."""
    for line in nt.decode("utf-8").splitlines():
        s, p, rest = line.split(" ", 2)
        o = rest[:-2]  # without " ."
        if p == TYPE:
            if o.startswith(_TKG):
                yield s, p, o
        elif p in object_properties and o[0] == "<":
            yield s, p, o


class RecordReasoner:
    """The rules (:class:`~trialkg.rules.RuleSet`) as Python tables, and the closure of the
    ontology and the reference graph under them, to reason over one record at a time."""

    def __init__(
        self,
        rules: RuleSet,
        base: Iterable[Triple],
        individuals: Iterable[str],
        classes: Iterable[str],
    ) -> None:
        """``base``: the ontology and the reference graph closed under ``rules`` (types and
        links to IRIs); ``individuals`` and ``classes``: their nodes that are individuals,
        and those typed ``owl:Class`` (never individuals)."""
        self.rules = rules
        self.base_facts = frozenset(base)
        self.base_individuals = frozenset(individuals)
        self.classes = frozenset(classes)
        self.base: Index = {}  # subject -> predicate -> objects
        self.base_in: Index = {}  # the links backwards: object -> predicate -> subjects
        for s, p, o in self.base_facts:
            _put(self.base, s, p, o)
            if p != TYPE:
                _put(self.base_in, o, p, s)
        self.props = _props(rules)
        self.tables = rules.local.nt_tables
        self.implications = dict(rules.implications)
        # a type's superclasses (the table is transitive: theirs are among them), and what
        # the type and its superclasses imply, so that a derived superclass is not expanded
        # again
        supers = self.tables[0]
        self.type_supers = {
            c: tuple(tail[len(TYPE) + 1 : -2] for tail in tails) for c, tails in supers.items()
        }
        self.type_implies: dict[str, tuple[tuple[str, str], ...]] = {}
        for c in {*self.type_supers, *self.implications}:
            implied = [*self.implications.get(c, ())]
            for sup in self.type_supers.get(c, ()):
                implied += self.implications.get(sup, ())
            self.type_implies[c] = tuple(dict.fromkeys(implied))
        # a definition is checked on a node only if the node has a class the definition
        # requires (if any); a chain only from a node with a link of its first step
        self.guarded: dict[str, list[tuple[str, Any]]] = {}
        self.unguarded: list[tuple[str, Any]] = []
        for cls, tree in rules.definitions:
            parts = tree[1] if tree[0] == "and" else [tree]
            guard = next((part[1] for part in parts if part[0] == "class"), None)
            if guard is None:
                self.unguarded.append((cls, tree))
            else:
                self.guarded.setdefault(guard, []).append((cls, tree))
        self.chains: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for prop, steps in rules.chains:
            self.chains.setdefault(steps[0], []).append((prop, steps))
        # the facts a definition or chain reads: a triple of any other type or link changes
        # no node's membership or chain ends, so its subject is not checked again for it
        types: set[str] = set()
        links: set[str] = {step for _p, steps in rules.chains for step in steps}
        nodes: set[str] = set()
        for _cls, tree in rules.definitions:
            _watched(tree, types, links, nodes)
        self.watched_types = frozenset(types)
        self.watched_links = frozenset(links)
        self.watched_nodes = frozenset(nodes)
        # how far back from a node with a new triple the nodes it may affect lie
        self.reach = max(
            [_depth(tree) for _c, tree in rules.definitions]
            + [len(steps) - 1 for _p, steps in rules.chains]
            + [0]
        )

    @classmethod
    def build(cls, onto: Graph, reference: Graph, rules: RuleSet) -> RecordReasoner:
        """Close the ontology and the reference graph under ``rules`` (in Oxigraph, once)."""
        import pyoxigraph as ox

        from trialkg.rules import _individuals, _instance_input, apply_rules

        store = ox.Store()
        store.bulk_load(_instance_input(onto, [reference], rules), format=ox.RdfFormat.N_TRIPLES)
        individuals = _individuals(store)
        classes = {
            str(q.subject)
            for q in store.quads_for_pattern(
                None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Class)), ox.DefaultGraph()
            )
        }
        apply_rules(store, rules)
        read = {TYPE, *_props(rules)}
        base = [
            (s, p, o)
            for s, p, o in map(_nt, store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            if p in read and o[0] == "<" and s[0] == "<"  # the ontology's blank nodes: no
        ]
        return cls(rules, base, (f"<{i}>" for i in individuals), classes)

    def as_json(self) -> dict[str, Any]:
        """What :meth:`from_json` needs in the mapping child (the rules travel apart)."""
        return {
            "base": sorted(list(t) for t in self.base_facts),
            "individuals": sorted(self.base_individuals),
            "classes": sorted(self.classes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], rules: RuleSet) -> RecordReasoner:
        base = [(s, p, o) for s, p, o in data["base"]]
        return cls(rules, base, data["individuals"], data["classes"])

    def infer(self, nt: bytes) -> list[Triple]:
        """The triples the rules add to the record ``nt`` about its individuals (and the
        reference graph's), beyond what the ontology and the reference graph give alone;
        sorted."""
        run = _Run(self)
        props = self.props
        asserted = list(rule_input(nt, props))
        for t in asserted:
            run.assert_(t)
        individuals = {
            s
            for s, p, _o in asserted
            if p == TYPE and s[0] == "<" and not s.startswith(_TKG) and s not in self.classes
        } | self.base_individuals
        return sorted(
            (s, p, o)
            for s, p, o in run.close()
            if s in individuals
            and o[0] == "<"
            and ((p == TYPE and o.startswith(_TKG)) or (p != TYPE and p in props))
        )


class _Run:
    """One record's triples over the base closure, and their closure under the rules."""

    def __init__(self, reasoner: RecordReasoner) -> None:
        self.r = reasoner
        self.supers, self.domains, self.ranges, self.superprops, self.inverses = reasoner.tables
        self.out: Index = {}
        self.into: Index = {}
        self.todo: list[Triple] = []
        self.touched: set[str] = set()
        self.derived: list[Triple] = []
        self.known = reasoner.base_facts
        self.facts: set[Triple] = set()  # the record's, asserted and derived

    # the facts: the base closure and the record's, together

    def has(self, s: str, p: str, o: str) -> bool:
        t = (s, p, o)
        return t in self.facts or t in self.known

    def objects(self, s: str, p: str) -> Iterable[str]:
        yield from self.r.base.get(s, {}).get(p, ())
        yield from self.out.get(s, {}).get(p, ())

    def linkers(self, o: str) -> Iterable[str]:
        for index in (self.r.base_in, self.into):
            for subjects in index.get(o, {}).values():
                yield from subjects

    def _add(self, t: Triple, expand: bool = True) -> bool:
        """Add a fact; unless told not to ``expand`` it, the table rules run on it later."""
        if t in self.facts or t in self.known:
            return False
        self.facts.add(t)
        s, p, o = t
        _put(self.out, s, p, o)
        if p != TYPE:
            _put(self.into, o, p, s)
        if expand:
            self.todo.append(t)
        r = self.r  # a triple bears on the definitions and chains of its subject, if read
        if (o in r.watched_types if p == TYPE else p in r.watched_links) or s in r.watched_nodes:
            self.touched.add(s)
        return True

    def assert_(self, t: Triple) -> None:
        self._add(t)

    def derive(self, t: Triple, expand: bool = True) -> None:
        if self._add(t, expand):
            self.derived.append(t)

    # the rules

    def member(self, x: str, tree: Any) -> bool:
        kind = tree[0]
        if kind == "class":
            return self.has(x, TYPE, tree[1])
        if kind == "and":
            return all(self.member(x, part) for part in tree[1])
        if kind == "oneOf":
            return x in tree[1]
        if kind == "hasValue":
            return self.has(x, tree[1], tree[2])
        return any(self.member(y, tree[2]) for y in list(self.objects(x, tree[1])))

    def ends(self, x: str, steps: tuple[str, ...]) -> set[str]:
        nodes = {x}
        for step in steps:
            nodes = {y for n in nodes for y in self.objects(n, step)}
        return nodes

    def table_rules(self, t: Triple) -> None:
        s, p, o = t
        if p == TYPE:
            for sup in self.r.type_supers.get(o, ()):
                self.derive((s, TYPE, sup), expand=False)  # its supers are among these
            for q, v in self.r.type_implies.get(o, ()):
                self.derive((s, q, v))
            return
        if s[0] == "<":
            for tail in self.domains.get(p, ()):
                self.derive((s, TYPE, tail[len(TYPE) + 1 : -2]))
        if o[0] == "<":
            for tail in self.ranges.get(p, ()):
                self.derive((o, TYPE, tail[len(TYPE) + 1 : -2]))
        for q in self.superprops.get(p, ()):
            self.derive((s, q, o))
        if o[0] == "<" or o.startswith("_:"):
            for q in self.inverses.get(p, ()):
                self.derive((o, q, s))

    def close(self) -> list[Triple]:
        """Run the rules to a fixpoint; return what they derived."""
        while self.todo:
            while self.todo:
                self.table_rules(self.todo.pop())
            # nodes whose membership of a definition or chain ends may have changed
            frontier = set(self.touched)
            candidates = set(frontier)
            for _ in range(self.r.reach):
                frontier = {s for o in frontier for s in self.linkers(o)} - candidates
                candidates |= frontier
            self.touched = set()
            for x in candidates:  # the closure does not depend on the order
                facts = [self.r.base.get(x, {}), self.out.get(x, {})]
                types = {c for f in facts for c in f.get(TYPE, ())}
                for cls, tree in self.r.unguarded + [
                    d for c in types for d in self.r.guarded.get(c, ())
                ]:
                    if cls not in types and self.member(x, tree):
                        types.add(cls)
                        self.derive((x, TYPE, cls))
                for first in {p for f in facts for p in f} & self.r.chains.keys():
                    for prop, steps in self.r.chains[first]:
                        for y in self.ends(x, steps):
                            self.derive((x, prop, y))
        return self.derived


def _props(rules: RuleSet) -> frozenset[str]:
    """The object properties in N-Triples form."""
    return frozenset(f"<{p}>" for p in rules.object_properties)


def _nt(quad: Any) -> Triple:
    """A pyoxigraph quad's subject, predicate and object in N-Triples form."""
    return str(quad.subject), str(quad.predicate), str(quad.object)
