"""Figures on which sources disagree: same node, same figure property, different values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from trialkg import vocab
from trialkg.store import Store  # or trialkg.external.RemoteStore: both offer select/query

# only the figures stated with two values anywhere are paired (a pair for every two sources
# of every figure would be read otherwise: 4.5x slower at 10,000 trials)
CANDIDATES = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?node ?label ?prop ?v1 ?g1 ?v2 ?g2 WHERE {
  {
    SELECT DISTINCT ?node ?prop ?v1 ?g1 ?v2 ?g2 WHERE {
      {
        SELECT ?node ?prop WHERE {
          GRAPH <https://w3id.org/trialkg/graph/ontology> { ?prop tkg:isFigure true }
          GRAPH ?g { ?node ?prop ?v }
        } GROUP BY ?node ?prop HAVING (COUNT(DISTINCT ?v) > 1)
      }
      # said again: without it the engine reads each graph's figures before the pairs (9x slower)
      GRAPH <https://w3id.org/trialkg/graph/ontology> { ?prop tkg:isFigure true }
      GRAPH ?g1 { ?node ?prop ?v1 }
      GRAPH ?g2 { ?node ?prop ?v2 }
      FILTER (?v1 != ?v2)
      ?s1 tkg:assertionGraph ?g1 .
      ?s2 tkg:assertionGraph ?g2 .
      FILTER (STR(?g1) < STR(?g2))
      FILTER NOT EXISTS { GRAPH ?g1 { ?node ?prop ?v2 } }
      FILTER NOT EXISTS { GRAPH ?g2 { ?node ?prop ?v1 } }
    }
  }
  OPTIONAL { ?node rdfs:label ?label }
}
"""

# a number in one source, in another why there is none ("not reached"): the same figure
NUMBER_OR_STATUS = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?node ?label ?prop ?v1 ?g1 ?prop2 ?v2 ?g2 WHERE {
  {
    SELECT DISTINCT ?node ?prop ?v1 ?g1 ?prop2 ?v2 ?g2 WHERE {
      VALUES (?prop ?prop2) {
        (tkg:value tkg:valueStatus) (tkg:ciLower tkg:ciLowerStatus) (tkg:ciUpper tkg:ciUpperStatus)
      }
      GRAPH ?g2 { ?node ?prop2 ?v2 }
      ?s2 tkg:assertionGraph ?g2 .
      GRAPH ?g1 { ?node ?prop ?v1 }
      ?s1 tkg:assertionGraph ?g1 .
      FILTER (?g1 != ?g2)
    }
  }
  OPTIONAL { ?node rdfs:label ?label }
}
"""

#: a status as the conflicts name it ("not reached")
STATUS_WORDS = {str(term): key.replace("-", " ") for key, term in vocab.VALUE_STATUSES.items()}

EVIDENCE = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?quote ?source WHERE {
  GRAPH {g} { ?ev tkg:evidenceFor {node} ; tkg:quote ?quote ; tkg:fromSource ?source ;
                  tkg:aboutProperty {prop} }
}
"""

APPROXIMATE = """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
ASK { GRAPH {g} { {node} tkg:approximate true } }
"""


@dataclass(frozen=True, order=True)
class Statement:
    value: str
    graph: str
    source: str
    quotes: tuple[str, ...]
    approximate: bool


@dataclass(frozen=True, order=True)
class Conflict:
    node: str
    label: str
    prop: str
    first: Statement
    second: Statement


def node_ref(iri: str) -> str:
    """An IRI as a SPARQL term; refuses characters that could break out of ``<...>``."""
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def _fill(template: str, bound: dict[str, str]) -> str:
    for key, value in bound.items():
        template = template.replace(key, value)
    return template


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def agree_within_rounding(a: Statement, b: Statement) -> bool:
    """Approximate figures ('nearly 80%') agree with values within one unit of their last digit."""
    if not (a.approximate or b.approximate):
        return False
    da, db = _decimal(a.value), _decimal(b.value)
    if da is None or db is None:
        return False
    approx = da if a.approximate else db
    exponent = approx.normalize().as_tuple().exponent
    step = Decimal(1).scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else Decimal(1)
    return abs(da - db) <= step


def conflicts(store: Store) -> list[Conflict]:
    """Every figure on which two sources disagree, with both values, sources and quotes: two
    values of one figure property, or a number in one source where another says there is
    none ("not reached", "not estimable")."""
    out: dict[tuple[str, ...], Conflict] = {}
    candidates = [(row, row["prop"], row["prop"]) for row in store.select(CANDIDATES)] + [
        (row, row["prop"], row["prop2"]) for row in store.select(NUMBER_OR_STATUS)
    ]
    candidates.sort(key=lambda c: c[0]["label"].value if c[0]["label"] is not None else "")
    for row, prop, prop2 in candidates:
        node = row["node"]
        key = (node.value, prop.value, *(row[k].value for k in ("v1", "g1", "v2", "g2")))
        if key in out:
            continue
        stmts = []
        for v, g, p in ((row["v1"], row["g1"], prop), (row["v2"], row["g2"], prop2)):
            quotes, source = [], ""
            bound = {
                "{node}": node_ref(node.value),
                "{g}": node_ref(g.value),
                "{prop}": node_ref(p.value),
            }
            for ev in store.select(_fill(EVIDENCE, bound)):
                quotes.append(ev["quote"].value)
                source = ev["source"].value
            approx = bool(store.query(_fill(APPROXIMATE, bound)))
            value = STATUS_WORDS.get(v.value, v.value)
            stmts.append(Statement(value, g.value, source, tuple(sorted(set(quotes))), approx))
        if agree_within_rounding(stmts[0], stmts[1]):
            continue
        label = row["label"].value if row["label"] is not None else ""
        out[key] = Conflict(node.value, label, prop.value, stmts[0], stmts[1])
    return sorted(out.values())
