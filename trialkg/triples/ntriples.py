"""Triples kept as N-Triples lines: the fast sink of the registry mapping.

Adding a triple to an rdflib ``Graph`` indexes it three ways; a record's mapping then pays
again to serialise the graph for the store. :class:`TripleLines` formats each triple once,
as the line the store's loader reads, keeps the lines in insertion order without duplicates,
and remembers the subjects (so that a validation report can be traced back to its record).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL, _XSD_NON_NEGATIVE, _XSD_BOOLEAN = (
    str(XSD.decimal),
    str(XSD.nonNegativeInteger),
    str(XSD.boolean),
)


class TripleSink(Protocol):
    """What the mappings write into: an rdflib ``Graph`` or :class:`TripleLines`."""

    def add(self, triple: tuple[URIRef, URIRef, Node], /) -> object: ...


def iri_term(term: URIRef) -> str:
    """``<iri>``; raises ValueError naming the IRI if N-Triples cannot hold it."""
    value = str(term)
    if ":" not in value or _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not a valid IRI for N-Triples: {value!r}")
    return f"<{value}>"


def _quoted(text: str) -> str:
    return '"{}"'.format(
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )


def literal_term(term: Literal) -> str:
    """A literal in N-Triples syntax (lexical form as rdflib holds it)."""
    if term.language:
        return f"{_quoted(str(term))}@{term.language}"
    if term.datatype is not None and str(term.datatype) != _XSD_STRING:
        return f"{_quoted(str(term))}^^{iri_term(term.datatype)}"
    return _quoted(str(term))


class NTerm(str):
    """A literal already written in N-Triples syntax, which :class:`TripleLines` writes as
    it is. Making one costs a string format; an rdflib ``Literal`` with a datatype also
    parses its lexical form into a Python value, which the mapping never reads."""

    __slots__ = ()


def nt_literal(text: str, datatype: str | None = None) -> NTerm:
    """A plain (``xsd:string``) or typed literal as an :class:`NTerm`; the lexical form is
    taken as given, so the caller supplies it in canonical form."""
    if datatype is None or datatype == _XSD_STRING:
        return NTerm(_quoted(text))
    return NTerm(f"{_quoted(text)}^^{iri_term(URIRef(datatype))}")


def decimal_text(value: Decimal | int) -> str:
    """The canonical lexical form of an xsd:decimal (``44.3``, ``10.0``)."""
    d = Decimal(value)
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    else:
        text += ".0"
    return text


def nt_decimal(value: Decimal | int) -> NTerm:
    """An xsd:decimal in canonical form, as an :class:`NTerm`."""
    return nt_literal(decimal_text(value), _XSD_DECIMAL)


def nt_integer(value: int) -> NTerm:
    """An xsd:nonNegativeInteger, as an :class:`NTerm`."""
    return nt_literal(str(value), _XSD_NON_NEGATIVE)


def nt_boolean(value: bool) -> NTerm:
    """An xsd:boolean, as an :class:`NTerm`."""
    return nt_literal("true" if value else "false", _XSD_BOOLEAN)


def node_term(term: Node | NTerm) -> str:
    """An IRI or a literal in N-Triples syntax; anything else is a TypeError."""
    if isinstance(term, NTerm):
        return str(term)
    if isinstance(term, URIRef):
        return iri_term(term)
    if isinstance(term, Literal):
        return literal_term(term)
    raise TypeError(f"only IRIs and literals are written as N-Triples, not {term!r}")


class TripleLines:
    """A set of triples as N-Triples lines, in the order first added."""

    def __init__(self) -> None:
        self._lines: dict[str, None] = {}
        self._terms: dict[URIRef, str] = {}  # IRI -> its N-Triples form, checked once
        self._subjects: set[URIRef] = set()

    def add(self, triple: tuple[URIRef, URIRef, Node | NTerm], /) -> TripleLines:
        s, p, o = triple
        terms = self._terms
        st = terms.get(s)
        if st is None:
            st = terms[s] = iri_term(s)
        pt = terms.get(p)
        if pt is None:
            pt = terms[p] = iri_term(p)
        if type(o) is NTerm:
            ot: str = o
        elif type(o) is URIRef:
            ot = terms.get(o) or terms.setdefault(o, iri_term(o))
        else:
            ot = node_term(o)
        self._lines[f"{st} {pt} {ot} .\n"] = None
        self._subjects.add(s)
        return self

    @property
    def subjects(self) -> set[str]:
        """The subjects of the triples (so that a validation report can name the record)."""
        return {str(s) for s in self._subjects}

    def __len__(self) -> int:
        return len(self._lines)

    def ntriples(self) -> bytes:
        """The triples as UTF-8 N-Triples, one per line, each line ending in `` .\\n``."""
        return "".join(self._lines).encode("utf-8")

    def graph(self) -> Graph:
        """The same triples in an rdflib graph."""
        g = Graph()
        g.parse(data=self.ntriples(), format="nt")
        return g


def as_quads(nt: bytes, graph: URIRef) -> bytes:
    """N-Triples (from :class:`TripleLines` or rdflib) as N-Quads in ``graph``.

    Line breaks inside literals are escaped, so `` .\\n`` only ever ends a line.
    """
    return nt.replace(b" .\n", f" {iri_term(graph)} .\n".encode())


def with_union(nt: bytes, graph: URIRef) -> bytes:
    """N-Quads stating each triple in ``graph`` and in the union default graph."""
    return as_quads(nt, graph) + nt
