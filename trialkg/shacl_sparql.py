"""The SHACL shapes compiled to whole-graph SPARQL queries, run on Oxigraph.

pySHACL evaluates shapes node by node in Python; on a registry record with thousands of
adverse-event rows, or a build of many thousands of trials, that takes minutes to hours. The
same constraints, as one SPARQL query per constraint over the whole graph, take seconds on
Oxigraph. ``ontology/shapes.ttl`` stays the single source: this module reads it and compiles
every constraint it uses (targets by class and by subject of a property; ``minCount``,
``maxCount``, ``class``, ``datatype``, ``in``, ``pattern``, ``minLength``, ``disjoint``,
numeric ranges, ``or`` of property counts, and SHACL-SPARQL ``select`` constraints). A shape
using anything else is refused with :class:`ShapeCompileError`, so an edit to the shapes
cannot be silently ignored; tests check that both engines give the same results on every
example graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import BNode, Node

from trialkg.paths import shapes_file

SH = Namespace("http://www.w3.org/ns/shacl#")
RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PROPERTY_KEYS = {
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"], SH.pattern,
    SH.flags, SH.minLength, SH.disjoint, SH.minInclusive, SH.maxInclusive, SH.minExclusive,
    SH.maxExclusive, SH.message, SH.name, SH.description,
}  # fmt: skip
NODE_KEYS = {
    RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.property, SH.sparql, SH["or"],
    SH.message, SH.name, SH.description,
}  # fmt: skip
RANGES = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}

Violation = tuple[URIRef, Node | None, str, Node | None]


class ShapeCompileError(ValueError):
    """A shape uses a SHACL feature this compiler does not translate; names shape and term."""


@dataclass(frozen=True)
class Check:
    """One constraint as a query selecting ``?this`` (and ``?value`` or message variables)."""

    shape: str
    path: str | None
    message: str
    query: str


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise ShapeCompileError(f"cannot use {node!r} in a query")


def _targets(shapes: Graph, shape: Node) -> str:
    parts = []
    for cls in sorted(shapes.objects(shape, SH.targetClass), key=str):
        parts.append(f"{{ ?this {RDF_TYPE}/{RDFS_SUBCLASS}* {_term(cls)} }}")
    for prop in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        parts.append(f"{{ ?this {_term(prop)} ?_target }}")
    if not parts:
        raise ShapeCompileError(f"shape {shape} has no sh:targetClass or sh:targetSubjectsOf")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _message(shapes: Graph, *nodes: Node) -> str:
    for node in nodes:
        message = shapes.value(node, SH.message)
        if message is not None:
            return str(message)
    return "violates a shape"


def _prefixes(shapes: Graph, constraint: Node) -> str:
    out = []
    for decl_owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(decl_owner, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            out.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(out)))


XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph stores literals of integer types derived from xsd:integer as xsd:integer (value
# kept, datatype normalised): such a datatype is checked as xsd:integer within its range.
INTEGER_RANGES = {
    XSD + "nonNegativeInteger": ">= 0",
    XSD + "positiveInteger": "> 0",
    XSD + "nonPositiveInteger": "<= 0",
    XSD + "negativeInteger": "< 0",
}


def _int(node: Node | None) -> int:
    if not isinstance(node, Literal):
        raise ShapeCompileError(f"expected a number, not {node!r}")
    return int(node.toPython())


def _datatype_filter(datatype: Node) -> str:
    wanted = _term(datatype)
    if str(datatype) in INTEGER_RANGES:
        bound = INTEGER_RANGES[str(datatype)]
        return (
            f"FILTER (!isLiteral(?value) || !((DATATYPE(?value) = {wanted} || "
            f"DATATYPE(?value) = <{XSD}integer>) && COALESCE(?value {bound}, false)))"
        )
    return f"FILTER (!isLiteral(?value) || DATATYPE(?value) != {wanted})"


def _property_checks(shapes: Graph, shape: Node, prop: Node, target: str) -> list[Check]:
    unknown = set(shapes.predicates(prop)) - PROPERTY_KEYS
    if unknown:
        raise ShapeCompileError(f"property shape of {shape} uses {sorted(map(str, unknown))}")
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise ShapeCompileError(f"property shape of {shape}: only predicate paths are compiled")
    p, message, name = _term(path), _message(shapes, prop), str(shape)
    checks = []

    def each(condition: str) -> None:
        checks.append(
            Check(
                name,
                str(path),
                message,
                f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {p} ?value . {condition} }}",
            )
        )

    # A count of one is an anti-join (min) or a self-join (max): Oxigraph ran the 136 shape
    # queries on a batch of 100 record versions in 501 ms this way, 694 ms grouping every
    # target node.
    min_count = shapes.value(prop, SH.minCount)
    if min_count is not None and _int(min_count) == 1:
        checks.append(
            Check(
                name,
                str(path),
                message,
                f"SELECT ?this WHERE {{ {target} MINUS {{ ?this {p} ?v }} }}",
            )
        )
    elif min_count is not None and _int(min_count) > 1:
        checks.append(
            Check(
                name,
                str(path),
                message,
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?v }} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?v) < {_int(min_count)})",
            )
        )
    max_count = shapes.value(prop, SH.maxCount)
    if max_count is not None and _int(max_count) == 1:
        checks.append(
            Check(
                name,
                str(path),
                message,
                f"SELECT DISTINCT ?this WHERE {{ {target} ?this {p} ?v . ?this {p} ?w . "
                "FILTER (!sameTerm(?v, ?w)) }",
            )
        )
    elif max_count is not None:
        checks.append(
            Check(
                name,
                str(path),
                message,
                f"SELECT ?this WHERE {{ {target} ?this {p} ?v }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?v) > {_int(max_count)})",
            )
        )
    cls = shapes.value(prop, SH["class"])
    if cls is not None:
        # an anti-join on ?value, which the triple pattern before it always binds: the same
        # answer as FILTER NOT EXISTS, which Oxigraph evaluates row by row (on a batch of 200
        # registry record versions, the class checks of endpoints, arms and regimens took
        # 2.9-5.2 ms each that way and 0.3-0.6 ms as MINUS)
        each(f"MINUS {{ ?value {RDF_TYPE}/{RDFS_SUBCLASS}* {_term(cls)} }}")
    datatype = shapes.value(prop, SH.datatype)
    if datatype is not None:
        each(_datatype_filter(datatype))
    allowed = shapes.value(prop, SH["in"])
    if allowed is not None:
        values = " ".join(_term(v) for v in Collection(shapes, allowed))
        each(
            f"FILTER NOT EXISTS {{ VALUES ?allowed {{ {values} }} "
            "FILTER (sameTerm(?value, ?allowed)) }"
        )
    pattern = shapes.value(prop, SH.pattern)
    if pattern is not None:
        flags = shapes.value(prop, SH.flags)
        extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        each(
            f"FILTER (isBlank(?value) || !REGEX(STR(?value), {Literal(str(pattern)).n3()}{extra}))"
        )
    min_length = shapes.value(prop, SH.minLength)
    if min_length is not None:
        each(f"FILTER (isBlank(?value) || STRLEN(STR(?value)) < {_int(min_length)})")
    disjoint = shapes.value(prop, SH.disjoint)
    if disjoint is not None:
        each(f"?this {_term(disjoint)} ?value .")
    for key, op in RANGES.items():
        bound = shapes.value(prop, key)
        if bound is not None:
            each(f"FILTER (!COALESCE(?value {op} {_term(bound)}, false))")
    return checks


def _or_check(shapes: Graph, shape: Node, alternatives: Node, target: str) -> Check:
    conditions = []
    for alt in Collection(shapes, alternatives):
        path, min_count = shapes.value(alt, SH.path), shapes.value(alt, SH.minCount)
        rest = set(shapes.predicates(alt)) - {SH.path, SH.minCount}
        if not isinstance(path, URIRef) or min_count is None or _int(min_count) != 1 or rest:
            raise ShapeCompileError(
                f"sh:or of {shape}: only [sh:path P ; sh:minCount 1] alternatives"
            )
        conditions.append(f"EXISTS {{ ?this {_term(path)} ?_any }}")
    return Check(
        str(shape),
        None,
        _message(shapes, shape),
        f"SELECT ?this WHERE {{ {target} FILTER (!({' || '.join(conditions)})) }}",
    )


NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{([^{}]*)\}", re.IGNORECASE)


def anti_joins(text: str) -> str:
    """``FILTER NOT EXISTS { P }`` -> ``MINUS { P }`` where both mean the same.

    Oxigraph evaluates ``MINUS`` as a hash anti-join and ``NOT EXISTS`` row by row (measured on
    a registry record with 17,000 figures: 67 s against 0.06 s). SHACL forbids ``MINUS`` in
    the shapes themselves (``$this`` is pre-bound there), so the rewrite happens here, only
    when it cannot change the answer: ``P`` is a plain group of triple patterns (no filter, no
    nested group) that shares a variable with the rest of the query, where every variable is
    bound by plain triple patterns.
    """

    def rewrite(match: re.Match[str]) -> str:
        inner = match.group(1)
        outer = text[: match.start()] + text[match.end() :]
        if re.search(r"\b(FILTER|OPTIONAL|UNION|BIND|VALUES|GRAPH|SERVICE)\b", inner, re.I):
            return match.group(0)
        if re.search(r"\b(OPTIONAL|UNION|BIND)\b", outer, re.I):
            return match.group(0)
        shared = set(re.findall(r"[?$](\w+)", inner)) & set(re.findall(r"[?$](\w+)", outer))
        return f"MINUS {{{inner}}}" if shared else match.group(0)

    return NOT_EXISTS.sub(rewrite, text)


IN_FILTER = re.compile(r"FILTER\s*\(\s*\?(\w+)\s+IN\s*\(([^()]*)\)\s*\)", re.IGNORECASE)
IRI_ITEM = re.compile(r"\s*(<[^<>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)\s*")


def _top_level(text: str, start: int) -> str:
    """The text of the group opening at ``text[start] == "{"`` without its nested groups."""
    depth, out = 0, []
    for ch in text[start:]:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1:
            out.append(ch)
    return "".join(out)


def _without_filters(text: str) -> str:
    """``text`` with every ``FILTER (...)`` left out (parentheses balanced)."""
    out, i = [], 0
    for match in re.finditer(r"\bFILTER\s*\(", text, re.IGNORECASE):
        if match.start() < i:
            continue
        out.append(text[i : match.start()])
        depth, j = 1, match.end()
        while j < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return " ".join(out)


def inline_values(text: str) -> str:
    """``FILTER (?v IN (iri, ...))`` -> ``VALUES ?v { iri ... }`` where both mean the same.

    Oxigraph filters every solution of the group against the list, but joins a ``VALUES``
    block through the index (a constraint whose variable is a predicate: 62 ms against 26 ms
    on a batch of 100 records). SHACL forbids ``VALUES`` in the shapes, so the rewrite happens
    here, only when it cannot change the answer: the filter stands in the top-level group of
    the ``WHERE`` clause, the list holds IRIs only (compared as terms either way), and the
    variable occurs in that group outside any filter, in a query without ``OPTIONAL``,
    ``UNION`` or ``BIND`` (so a triple pattern of the group binds it).
    """
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if where is None or re.search(r"\b(OPTIONAL|UNION|BIND)\b", text, re.IGNORECASE):
        return text
    group = where.end() - 1
    top = _top_level(text, group)

    def rewrite(match: re.Match[str]) -> str:
        items = match.group(2).split(",")
        before = text[group : group + match.start()]
        if before.count("{") - before.count("}") != 1:  # in a nested group
            return match.group(0)
        if not all(IRI_ITEM.fullmatch(item) for item in items):
            return match.group(0)
        if not re.search(rf"\?{match.group(1)}\b", _without_filters(top)):
            return match.group(0)
        return f"VALUES ?{match.group(1)} {{ {' '.join(item.strip() for item in items)} }}"

    return text[:group] + IN_FILTER.sub(rewrite, text[group:])


def _sparql_check(shapes: Graph, shape: Node, constraint: Node, target: str) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise ShapeCompileError(f"SPARQL constraint of {shape} has no sh:select")
    text = inline_values(anti_joins(str(select).replace("$this", "?this")))
    match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if match is None:
        raise ShapeCompileError(f"SPARQL constraint of {shape}: no WHERE clause")
    text = text[: match.end()] + f" {target} " + text[match.end() :]
    return Check(
        str(shape), None, _message(shapes, constraint), _prefixes(shapes, constraint) + "\n" + text
    )


@lru_cache(maxsize=4)
def compile_shapes(path: Path | None = None) -> tuple[Check, ...]:
    """Every constraint of the shapes file as a query (cached per file)."""
    shapes = Graph().parse(path or shapes_file())
    checks: list[Check] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if isinstance(shape, BNode):
            continue
        unknown = set(shapes.predicates(shape)) - NODE_KEYS
        if unknown:
            raise ShapeCompileError(f"shape {shape} uses {sorted(map(str, unknown))}")
        target = _targets(shapes, shape)
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            checks.extend(_property_checks(shapes, shape, prop, target))
        for alternatives in shapes.objects(shape, SH["or"]):
            checks.append(_or_check(shapes, shape, alternatives, target))
        for constraint in shapes.objects(shape, SH.sparql):
            checks.append(_sparql_check(shapes, shape, constraint, target))
    return tuple(checks)


def _fill(message: str, row: Any, names: Iterable[str]) -> str:
    for name in names:
        term = row[name]
        if term is not None:
            message = message.replace("{?" + name + "}", term.value)
            message = message.replace("{$" + name + "}", term.value)
    return message


def _rdflib(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(term.value)


def run_checks(store: Any, checks: Iterable[Check] | None = None) -> list[Violation]:
    """Run compiled checks on a pyoxigraph ``Store`` whose default graph holds ontology,
    context and data; return (focus node, path, message, value), sorted."""
    out: set[tuple[URIRef, Node | None, str, Node | None]] = set()
    for check in checks if checks is not None else compile_shapes():
        result = store.query(check.query)
        names = [v.value for v in result.variables]
        for row in result:
            focus = _rdflib(row["this"])
            if not isinstance(focus, URIRef):
                continue
            value = _rdflib(row["value"]) if "value" in names else None
            path = URIRef(check.path) if check.path else None
            out.add((focus, path, _fill(check.message, row, names), value))
    return sorted(out, key=lambda r: (str(r[0]), str(r[1]), r[2], str(r[3])))


def validate_graphs(graphs: Iterable[Graph]) -> list[Violation]:
    """Load rdflib graphs (ontology, context, data) into an in-memory Oxigraph and validate."""
    import pyoxigraph as ox

    store = ox.Store()
    for graph in graphs:
        data = graph.serialize(format="nt", encoding="utf-8")
        if data.strip():
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return run_checks(store)
