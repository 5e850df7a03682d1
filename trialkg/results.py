"""SPARQL results in the standard formats, with a row limit (used by the endpoint).

SELECT/ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV. CONSTRUCT/DESCRIBE: Turtle,
N-Triples, JSON-LD. Rows are counted while they are read, so an over-limit result stops
early with :class:`RowLimitExceeded` instead of filling memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}
TABLE_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


class RowLimitExceeded(RuntimeError):
    """The result has more rows (or triples) than allowed."""


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _term_xml(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != XSD_STRING:
        attrs = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attrs}>{escape(term.value)}</literal>"


def limited_rows(result: Any, max_rows: int) -> tuple[list[str], list[list[Any]]]:
    """Read at most ``max_rows`` solutions; raise if there are more."""
    names = [v.value for v in result.variables]
    rows: list[list[Any]] = []
    for solution in result:
        if len(rows) >= max_rows:
            raise RowLimitExceeded(
                f"the result has more than {max_rows} rows: add LIMIT to the query"
            )
        rows.append([solution[n] for n in names])
    return names, rows


def render_table(names: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    """Serialise solutions in a SPARQL results format."""
    if fmt == "json":
        bindings = [
            {n: _term_json(t) for n, t in zip(names, row, strict=True) if t is not None}
            for row in rows
        ]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()
    if fmt == "xml":
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>",
            *(f"<variable name={quoteattr(n)}/>" for n in names),
            "</head>",
            "<results>",
        ]
        for row in rows:
            parts.append("<result>")
            parts += [
                f"<binding name={quoteattr(n)}>{_term_xml(t)}</binding>"
                for n, t in zip(names, row, strict=True)
                if t is not None
            ]
            parts.append("</result>")
        parts += ["</results>", "</sparql>"]
        return "\n".join(parts).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if t is None else _csv_value(t) for t in row])
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def _csv_value(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def render_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        text = "true" if value else "false"
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>"
        ).encode()
    return ("_askResult\r\n" + ("true" if value else "false") + "\r\n").encode()


def render_graph(triples: Iterable[Any], fmt: str, max_rows: int) -> bytes:
    """Serialise at most ``max_rows`` triples of a CONSTRUCT/DESCRIBE result."""
    kept: list[Any] = []
    for triple in triples:
        if len(kept) >= max_rows:
            raise RowLimitExceeded(
                f"the graph has more than {max_rows} triples: add LIMIT to the query"
            )
        kept.append(triple)
    nt = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES) or b""
    if fmt == "ntriples":
        return nt
    if fmt == "turtle":
        return ox.serialize(kept, format=ox.RdfFormat.TURTLE) or b""
    if fmt == "jsonld":
        from rdflib import Graph

        g = Graph().parse(data=nt.decode("utf-8"), format="nt")
        return g.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1)
    raise ValueError(f"unknown graph format {fmt!r}")


def render(result: Any, table_fmt: str, graph_fmt: str, max_rows: int) -> tuple[bytes, str]:
    """Serialise any query result; returns (body, media type)."""
    if isinstance(result, ox.QueryBoolean):
        return render_boolean(bool(result), table_fmt), MEDIA_TYPES[table_fmt]
    if isinstance(result, ox.QueryTriples):
        return render_graph(result, graph_fmt, max_rows), MEDIA_TYPES[graph_fmt]
    names, rows = limited_rows(result, max_rows)
    return render_table(names, rows, table_fmt), MEDIA_TYPES[table_fmt]
