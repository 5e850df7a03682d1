"""The query library: every query runs on the seed graph, or on its own small input graph
where the seeds state nothing it finds, and gives its expected rows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialkg.cli import app
from trialkg.paths import queries_dir
from trialkg.query import (
    QueryError,
    bind,
    catalogue,
    execute,
    library,
    read_query_file,
    resolve_term,
    serialize,
    substitutions,
)
from trialkg.store import Store

pytestmark = pytest.mark.reasoner
EXPECTED = Path(__file__).parent / "data" / "queries"
QUERIES = sorted(queries_dir().glob("*.rq"))


def bindings(store: Store, slug: str) -> dict[str, str]:
    path = EXPECTED / f"{slug}.bind"
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        out[name.strip()] = resolve_term(store, value.strip())
    return out


def aggregated_columns(text: str) -> set[str]:
    # the aggregate's argument may hold one call: GROUP_CONCAT(DISTINCT STR(?id); ...)
    return set(re.findall(r"GROUP_CONCAT\((?:[^()]|\([^()]*\))*\)\s+AS\s+\?(\w+)", text))


def normalise(rows: list[list[str]], header: list[str], agg: set[str]) -> list[list[str]]:
    """GROUP_CONCAT order is not defined by SPARQL: compare its parts as a sorted list."""
    idx = [i for i, name in enumerate(header) if name in agg]
    out = []
    for row in rows:
        row = list(row)
        for i in idx:
            row[i] = ", ".join(sorted(row[i].split(", ")))
        out.append(row)
    return out


def test_library_has_at_least_15_documented_queries() -> None:
    queries = library()
    assert len(queries) >= 15
    for q in queries:
        assert q.text.startswith("#+ summary:"), q.path
        assert len(q.description) > 40, q.path


def test_catalogue_is_up_to_date() -> None:
    readme = queries_dir() / "README.md"
    assert readme.read_text(encoding="utf-8") == catalogue(library()), (
        "queries/README.md is out of date: run 'python -m trialkg.query'"
    )


def test_query_without_header_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="missing '#\\+ summary:'"):
        read_query_file(bad)


def input_store(trig: Path) -> Store:
    """A store of the named graphs of ``trig``, with their union as the default graph (as a
    build writes it)."""
    from rdflib import Dataset, URIRef

    from trialkg.triples.ntriples import with_union

    store = Store.in_memory()
    ds = Dataset()
    ds.parse(trig, format="trig")
    for g in ds.graphs():
        if isinstance(g.identifier, URIRef) and len(g):
            store.load_nquads(with_union(g.serialize(format="nt", encoding="utf-8"), g.identifier))
    return store


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_gives_expected_rows(seed_store: Store, path: Path) -> None:
    """On the seed graph, or on the query's own input graph (``<slug>.trig``) where the seeds
    state nothing it finds."""
    slug = path.stem
    csv_file, nt_file = EXPECTED / f"{slug}.csv", EXPECTED / f"{slug}.nt"
    if not csv_file.is_file() and not nt_file.is_file():
        pytest.fail(f"query {slug} has no expected results: add tests/data/queries/{slug}.csv")
    trig = EXPECTED / f"{slug}.trig"
    store = input_store(trig) if trig.is_file() else seed_store
    text = path.read_text(encoding="utf-8")
    result = execute(store, text, bindings(store, slug))
    if nt_file.is_file():
        got = sorted(set(serialize(result, "ntriples").decode("utf-8").splitlines()))
        want = sorted(set(nt_file.read_text(encoding="utf-8").splitlines()))
        assert got == want
        assert got, "a CONSTRUCT test needs a non-empty graph"
        return
    got_rows = list(csv.reader(io.StringIO(serialize(result, "csv").decode("utf-8"))))
    compare_rows(text, got_rows, csv_file)


def compare_rows(text: str, got_rows: list[list[str]], csv_file: Path) -> None:
    """Compare result rows (header first) with an expected CSV file.

    Rows compare as a sorted multiset: row order is asserted only by ORDER BY, and servers
    may break ties differently.
    """
    want_rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert got_rows[0] == want_rows[0], "columns differ"
    assert len(want_rows) > 1, "an expected-results file needs at least one row"
    agg = aggregated_columns(text)
    got = sorted(normalise(got_rows[1:], got_rows[0], agg))
    want = sorted(normalise(want_rows[1:], want_rows[0], agg))
    assert got == want


def test_bind_accepts_label_curie_and_iri(seed_store: Store) -> None:
    iri = "<https://w3id.org/trialkg/id/drug/palbociclib>"
    assert resolve_term(seed_store, "palbociclib") == iri
    assert resolve_term(seed_store, "Ibrance") == iri
    assert resolve_term(seed_store, "id:drug/palbociclib") == iri
    assert resolve_term(seed_store, "https://w3id.org/trialkg/id/drug/palbociclib") == iri
    assert resolve_term(seed_store, "12.5") == "12.5"
    assert resolve_term(seed_store, "no such thing") == '"no such thing"'
    with pytest.raises(QueryError, match="no variable"):
        bind("SELECT ?a WHERE { ?a ?b ?c }", {"drug": iri})


@pytest.mark.parametrize("slug", ["drug-neighbourhood", "drug-trials-pfs"])
def test_values_block_and_substitution_agree(seed_store: Store, slug: str) -> None:
    # a server elsewhere gets the VALUES block; the embedded store, substitutions
    text = (queries_dir() / f"{slug}.rq").read_text(encoding="utf-8")
    values = bindings(seed_store, slug)
    assert values
    fmt = "ntriples" if "CONSTRUCT" in text else "csv"
    as_block = serialize(execute(seed_store, bind(text, values)), fmt)
    substituted = serialize(execute(seed_store, text, values), fmt)
    assert sorted(as_block.splitlines()) == sorted(substituted.splitlines())
    assert len(as_block.splitlines()) > 1


def test_substitutions_take_every_kind_of_term() -> None:
    text = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    subs = substitutions(
        text,
        {"a": "<https://w3id.org/trialkg/id/drug/x>", "b": "12", "c": "-1.5", "d": '"x \\"y\\""'},
    )
    assert str(subs["a"]) == "<https://w3id.org/trialkg/id/drug/x>"
    assert str(subs["b"]) == '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert str(subs["c"]) == '"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert subs["d"].value == 'x "y"'
    with pytest.raises(QueryError, match="no variable"):
        substitutions(text, {"z": "1"})
    with pytest.raises(QueryError, match="not an RDF term"):
        substitutions(text, {"a": "<not closed"})


def test_cli_query_formats_and_errors(seed_store_root: Path) -> None:
    runner = CliRunner()
    base = ["query", "--store", str(seed_store_root)]
    q = str(queries_dir() / "drug-trials-pfs.rq")
    result = runner.invoke(app, [*base, q, "-b", "drug=palbociclib", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"head"' in result.output and "44.3" in result.output
    result = runner.invoke(app, [*base, q, "-f", "tsv"])
    assert result.exit_code == 0 and "?median" in result.output
    result = runner.invoke(app, [*base, q, "-f", "xml"])
    assert result.exit_code == 0 and "<sparql" in result.output
    result = runner.invoke(app, [*base, q])
    assert result.exit_code == 0 and "row(s)" in result.output
    construct = str(queries_dir() / "drug-neighbourhood.rq")
    palbociclib = "https://w3id.org/trialkg/id/drug/palbociclib"
    for fmt, marker in (("turtle", f"<{palbociclib}>"), ("ntriples", "> ."), ("jsonld", "@id")):
        result = runner.invoke(app, [*base, construct, "-b", "drug=palbociclib", "-f", fmt])
        assert result.exit_code == 0, result.output
        assert marker in result.output and "palbociclib" in result.output, fmt
    result = runner.invoke(app, [*base, "-e", "SELECT * WHERE {\n  ?s ?p\n}"])
    assert result.exit_code == 2
    assert "line 3, column" in result.output or "line 2, column" in result.output
    result = runner.invoke(
        app, [*base, "-e", "ASK { ?s a <https://w3id.org/trialkg/ontology#Study> }"]
    )
    assert result.exit_code == 0 and "true" in result.output
    result = runner.invoke(app, ["queries"])
    assert result.exit_code == 0 and "hazard-ratios.rq" in result.output
