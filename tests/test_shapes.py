"""SHACL shapes: a valid example conforms; each invalid one fails with a curator's message."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

from trialkg.validate import shacl_report

DATA = Path(__file__).parent / "data" / "shapes"
INVALID = sorted(DATA.glob("invalid-*.ttl"))


def header(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# {key}:' line")


def test_valid_example_conforms() -> None:
    path = DATA / "valid-minimal-trial.ttl"
    assert header(path, "why")
    assert shacl_report(Graph().parse(path), Graph()) == []


def test_there_are_invalid_examples() -> None:
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_fails_with_message(path: Path) -> None:
    assert header(path, "why")
    expected = header(path, "expect")
    report = shacl_report(Graph().parse(path), Graph())
    messages = [message for _, _, message, _ in report]
    assert any(expected in m for m in messages), messages


def _normalised(report: list[tuple[object, object, str, object]]) -> set[tuple[str, str, str]]:
    """Oxigraph writes decimals in canonical form (10.0 -> 10): compare numbers by value."""

    def number(m: re.Match[str]) -> str:
        return format(Decimal(m.group()).normalize(), "f")

    return {(str(f), str(p), re.sub(r"\d+(\.\d+)?", number, m)) for f, p, m, _ in report}


@pytest.mark.parametrize("path", sorted(DATA.glob("*.ttl")), ids=lambda p: p.stem)
def test_compiled_shapes_agree_with_pyshacl(path: Path) -> None:
    graph = Graph().parse(path)
    fast = shacl_report(graph, Graph(), engine="oxigraph")
    reference = shacl_report(graph, Graph(), engine="pyshacl")
    assert _normalised(fast) == _normalised(reference)


def test_compiled_shapes_agree_with_pyshacl_on_all_examples_at_once() -> None:
    graph = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        graph.parse(path)
    fast = _normalised(shacl_report(graph, Graph(), engine="oxigraph"))
    assert len(fast) >= 12
    assert fast == _normalised(shacl_report(graph, Graph(), engine="pyshacl"))


def test_unsupported_shape_feature_is_refused(tmp_path: Path) -> None:
    from trialkg.shacl_sparql import ShapeCompileError, compile_shapes

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        "  sh:property [ sh:path ex:p ; sh:uniqueLang true ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(ShapeCompileError, match="uniqueLang"):
        compile_shapes(shapes)


def test_not_exists_becomes_minus_only_where_equivalent() -> None:
    from trialkg.shacl_sparql import anti_joins

    plain = "SELECT ?this WHERE { ?this ?p ?o . FILTER NOT EXISTS { ?e <x:for> ?this } }"
    assert anti_joins(plain) == "SELECT ?this WHERE { ?this ?p ?o . MINUS { ?e <x:for> ?this } }"
    unshared = "SELECT ?this WHERE { ?this ?p ?o . FILTER NOT EXISTS { ?e <x:for> ?f } }"
    assert anti_joins(unshared) == unshared
    filtered = (
        "SELECT ?this WHERE { ?this ?p ?o . FILTER NOT EXISTS { ?e <x:v> ?v FILTER (?v > ?o) } }"
    )
    assert anti_joins(filtered) == filtered
    optional = (
        "SELECT ?this WHERE { ?this ?p ?o . OPTIONAL { ?this <x:q> ?q } "
        "FILTER NOT EXISTS { ?this <x:r> ?q } }"
    )
    assert anti_joins(optional) == optional


def test_in_filter_becomes_values_only_where_equivalent() -> None:
    from trialkg.shacl_sparql import inline_values

    plain = "SELECT ?this WHERE { ?this ?p ?o . FILTER (?p IN (<x:a>, x:b)) }"
    assert inline_values(plain) == "SELECT ?this WHERE { ?this ?p ?o . VALUES ?p { <x:a> x:b } }"
    literals = 'SELECT ?this WHERE { ?this ?p ?o . FILTER (?o IN (1, "a")) }'
    assert inline_values(literals) == literals
    unbound = "SELECT ?this WHERE { ?this <x:q> ?o . FILTER (?p IN (<x:a>)) }"
    assert inline_values(unbound) == unbound
    only_filtered = (
        'SELECT ?this WHERE { ?this <x:q> ?o . FILTER (STR(?p) != "x") FILTER (?p IN (<x:a>)) }'
    )
    assert inline_values(only_filtered) == only_filtered
    nested = "SELECT ?this WHERE { ?this ?p ?o . MINUS { ?this ?q ?r FILTER (?q IN (<x:a>)) } }"
    assert inline_values(nested) == nested
    twice = (
        "SELECT ?this WHERE { ?this ?p ?o . FILTER (?p IN (<x:a>)) "
        "MINUS { ?this ?p ?r FILTER (?p IN (<x:a>)) } }"
    )
    assert inline_values(twice) == twice.replace(
        "?o . FILTER (?p IN (<x:a>))", "?o . VALUES ?p { <x:a> }"
    )
    optional = "SELECT ?this WHERE { OPTIONAL { ?this ?p ?o } FILTER (?p IN (<x:a>)) }"
    assert inline_values(optional) == optional


def test_the_dispersion_types_the_shapes_allow_are_the_vocabularys() -> None:
    """The importers write ``tkg:dispersionType`` from ``vocab.DISPERSION_TYPES``; the
    shapes' ``sh:in`` list must hold the same names, or valid records would be refused."""
    from rdflib.collection import Collection
    from rdflib.namespace import SH

    from trialkg import vocab
    from trialkg.paths import shapes_file
    from trialkg.terms import TKG

    shapes = Graph().parse(shapes_file())
    (prop,) = shapes.subjects(SH.path, TKG.dispersionType)
    allowed = {str(v) for v in Collection(shapes, shapes.value(prop, SH["in"]))}
    assert allowed == set(vocab.DISPERSION_TYPES.values())


def test_the_hypotheses_a_margin_goes_with_are_the_vocabularys() -> None:
    """The curated model and the shapes allow a non-inferiority margin with the same
    hypotheses (``vocab.MARGIN_HYPOTHESES``)."""
    from trialkg import vocab
    from trialkg.paths import shapes_file

    text = shapes_file().read_text(encoding="utf-8")
    listed = re.search(r"FILTER \(\?h IN \(([^)]*)\)\)", text)
    assert listed is not None
    allowed = {t.strip().removeprefix("tkg:") for t in listed.group(1).split(",")}
    assert allowed == {vocab.HYPOTHESES[h].split("#")[-1] for h in vocab.MARGIN_HYPOTHESES}
