"""The seed graph: provenance down to the quote, shared IRIs, conflicts, reasoning, exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from trialkg import iri
from trialkg.build import build
from trialkg.cli import app
from trialkg.conflicts import conflicts
from trialkg.export import FORMATS, export
from trialkg.paths import records_dir
from trialkg.stats import stats
from trialkg.store import Store

pytestmark = pytest.mark.reasoner

P = "PREFIX tkg: <https://w3id.org/trialkg/ontology#>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"


def rows(store: Store, query: str) -> list[dict[str, str]]:
    return [
        {k: (v.value if v is not None else None) for k, v in r.items()}
        for r in store.select(P + query)
    ]


def test_every_quote_occurs_verbatim_at_its_position(seed_store: Store, documents: Path) -> None:
    found = rows(
        seed_store,
        """
        SELECT ?quote ?file ?start ?end WHERE {
          ?ev tkg:quote ?quote ; tkg:fromSource ?src ; oa:hasTarget ?t .
          ?src tkg:documentFile ?file .
          ?t oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
        }""",
    )
    assert len(found) >= 100
    texts: dict[str, str] = {}
    for r in found:
        text = texts.setdefault(r["file"], (documents / r["file"]).read_text(encoding="utf-8"))
        assert text[int(r["start"]) : int(r["end"])] == r["quote"]


def test_every_figure_has_evidence_in_its_own_graph(seed_store: Store) -> None:
    missing = rows(
        seed_store,
        """
        SELECT ?g ?s ?p WHERE {
          GRAPH <https://w3id.org/trialkg/graph/ontology> { ?p tkg:isFigure true }
          GRAPH ?g { ?s ?p ?o
            FILTER NOT EXISTS { ?ev tkg:evidenceFor ?s ; tkg:quote ?q ; tkg:aboutProperty ?p } }
        }""",
    )
    assert missing == []


def test_same_trial_gets_the_same_iri_in_every_source(seed_store: Store) -> None:
    graphs = rows(
        seed_store,
        f"""
        SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri.study("patina")}> ?p ?o }} }}""",
    )
    names = {r["g"].rsplit("/", 1)[1] for r in graphs}
    assert {
        "patina-news-summary",
        "patina-news-medicaldialogues",
        "patina-healthday-2026-02-02",
    } <= names
    medians = rows(
        seed_store,
        """
        SELECT ?g ?v WHERE { GRAPH ?g {
          <https://w3id.org/trialkg/id/study/patina/result/pfs/palbociclib/median>
            tkg:value ?v } }""",
    )
    assert {r["v"] for r in medians} == {"44.3"}
    assert len(medians) == 3


def test_default_graph_is_the_union_with_each_triple_once(seed_store: Store) -> None:
    node = "<https://w3id.org/trialkg/id/study/patina/result/pfs/palbociclib/median>"
    assert rows(seed_store, f"SELECT ?v WHERE {{ {node} tkg:value ?v }}") == [{"v": "44.3"}]
    inferred = rows(seed_store, "SELECT ?s WHERE { ?s a tkg:RandomizedControlledTrial }")
    assert len(inferred) == 2


def test_disagreeing_sources_are_both_kept_and_reported(seed_store: Store) -> None:
    node = "https://w3id.org/trialkg/id/study/patina/adverse-event/palbociclib/any-adverse-event/grade-3"
    values = rows(
        seed_store, f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ <{node}> tkg:percentOfPatients ?v }} }}"
    )
    assert sorted(r["v"] for r in values) == ["79.7", "79.9", "80"]
    found = [c for c in conflicts(seed_store) if c.node == node]
    assert len(found) == 1
    c = found[0]
    assert {c.first.value, c.second.value} == {"79.7", "79.9"}
    by_value = {c.first.value: c.first, c.second.value: c.second}
    assert by_value["79.9"].source.endswith("patina-news-summary")
    assert by_value["79.9"].quotes == ("Grade 3 – 79.9% of patients",)
    assert by_value["79.7"].source.endswith("patina-healthday-2026-02-02")
    assert "79.7" in by_value["79.7"].quotes[0]


def test_approximate_figure_is_not_a_conflict(seed_store: Store) -> None:
    for c in conflicts(seed_store):
        assert "80" not in (c.first.value, c.second.value)


def test_reasoning_adds_inferred_types(seed_store: Store) -> None:
    inferred = rows(
        seed_store,
        """
        SELECT ?s ?c WHERE { GRAPH <https://w3id.org/trialkg/graph/inferred> { ?s a ?c } }""",
    )
    pairs = {(r["s"].split("/id/")[1], r["c"].split("#")[1]) for r in inferred}
    assert ("study/patina", "RandomizedControlledTrial") in pairs
    assert ("study/palmira", "RandomizedControlledTrial") in pairs
    assert ("study/palmira/population", "PostCDK46iPopulation") in pairs
    assert ("study/palumbo-real-world/population", "PostCDK46iPopulation") in pairs
    assert ("study/patina/population", "PostCDK46iPopulation") not in pairs
    assert ("study/patina/population", "HER2PositivePopulation") in pairs
    assert ("study/palumbo-real-world", "RandomizedControlledTrial") not in pairs


def test_dataset_description_counts_match(seed_store: Store) -> None:
    counts = rows(
        seed_store,
        """
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?g ?n WHERE { GRAPH <https://w3id.org/trialkg/graph/dataset> {
          <https://w3id.org/trialkg/dataset> void:subset ?g . ?g void:triples ?n } }""",
    )
    assert len(counts) >= 8
    for r in counts:
        assert seed_store.graph_size(r["g"]) == int(r["n"])


def test_description_as_ntriples_is_the_description() -> None:
    from rdflib import URIRef

    from trialkg.build import describe, describe_ntriples

    sizes = [(URIRef(f"https://w3id.org/trialkg/graph/g{i}"), i + 1) for i in range(5)]
    sources = [URIRef(f"https://w3id.org/trialkg/source/s{i}") for i in range(3)]
    pieces = list(describe_ntriples(sizes, sources, chunk=4))
    # the head, then 15 + 3 member lines in pieces of 4 to 6 (a graph's lines stay together)
    assert [piece.count(b"\n") for piece in pieces[1:]] == [6, 6, 4, 2]
    parsed = Graph().parse(data=b"".join(pieces).decode("utf-8"), format="nt")
    assert isomorphic(parsed, describe(sizes, sources))
    # the members alone, and the head alone with the dataset's size: together, the same
    members = b"".join(describe_ntriples(sizes, sources, total=-1)).decode("utf-8")
    head = b"".join(describe_ntriples([], [], total=15)).decode("utf-8")
    assert head.count("\n") == len(describe([], []))
    both = Graph().parse(data=members, format="nt").parse(data=head, format="nt")
    assert isomorphic(both, describe(sizes, sources))


def test_two_builds_give_byte_identical_exports(
    seed_store: Store, documents: Path, tmp_path: Path
) -> None:
    build(records_dir(), documents, tmp_path / "again")
    again = Store.open(tmp_path / "again")
    for fmt in FORMATS:
        assert export(again, fmt) == export(seed_store, fmt), fmt


def test_stats_counts_classes_and_sources(seed_store: Store) -> None:
    s = stats(seed_store)
    classes = dict(s.classes)
    assert classes["tkg:Study"] == 3
    assert classes["tkg:RandomizedControlledTrial"] == 2
    assert classes["tkg:HazardRatio"] == 1
    assert len(s.sources) == 5
    assert all(n > 0 and quotes > 0 for _, _, n, quotes in s.sources)


def test_cli_validate_export_stats_conflicts(
    seed_store_root: Path, documents: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", "--documents", str(documents)])
    assert result.exit_code == 0, result.output
    assert "5 sources" in result.output
    out = tmp_path / "kg.ttl"
    result = runner.invoke(
        app, ["export", "--store", str(seed_store_root), "-f", "turtle", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "tkg:HazardRatio" in out.read_text(encoding="utf-8")
    result = runner.invoke(app, ["export", "--store", str(seed_store_root), "-f", "xml"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["stats", "--store", str(seed_store_root)])
    assert result.exit_code == 0 and "tkg:Study" in result.output
    result = runner.invoke(app, ["conflicts", "--store", str(seed_store_root), "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert any(c["prop"].endswith("percentOfPatients") for c in data)


def test_cli_on_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["stats", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "run 'trialkg build' first" in result.output
