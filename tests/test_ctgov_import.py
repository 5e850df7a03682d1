"""Importing ClinicalTrials.gov records into the store: one source each, conflicts kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from trialkg.build import build
from trialkg.cli import app
from trialkg.conflicts import conflicts
from trialkg.paths import default_documents_dir, records_dir
from trialkg.store import Store

pytestmark = pytest.mark.reasoner
CTGOV = default_documents_dir().parent / "ctgov"
SMALL = ["NCT03377387.json", "NCT03377387.xml", "NCT03587740.xml"]


@pytest.fixture(scope="module")
def imported(documents: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Any]:
    root = tmp_path_factory.mktemp("imported") / "store"
    build(records_dir(), documents, root, reason=False)
    bad = tmp_path_factory.mktemp("bad") / "broken.json"
    bad.write_text('{"protocolSection": {', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "ctgov", *(str(CTGOV / f) for f in SMALL), str(bad), "--store", str(root)]
    )
    # Importing the same record version again, before anything opens the store read-only
    # (Oxigraph does not open a store for writing while this process reads it).
    again = runner.invoke(app, ["import", "ctgov", str(CTGOV / SMALL[0]), "--store", str(root)])
    return root, result.output, again


def test_bad_record_is_reported_and_others_imported(imported: tuple[Path, str, Any]) -> None:
    output = imported[1]
    assert "FAILED" in output and "broken.json" in output and "malformed JSON" in output
    assert output.count("ok     ") == 3
    assert "1 of 4 record(s) could not be imported" in output


def test_each_record_is_its_own_source(imported: tuple[Path, str, Any]) -> None:
    store = Store.open(imported[0])
    graphs = [g for g in store.named_graphs() if "/source/ctgov-" in g]
    assert sorted(g.rsplit("/", 1)[1] for g in graphs) == [
        "ctgov-nct03377387-2020-07-24-xml",
        "ctgov-nct03377387-2023-04-18-json",
        "ctgov-nct03587740-2020-07-08-xml",
    ]
    rows = store.select(
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
        "SELECT ?v WHERE { ?s tkg:registryId 'NCT02414646' ; tkg:registryId ?v }"
    )
    assert {r["v"].value for r in rows} == {"NCT02414646", "NCT03587740"}


def test_two_versions_disagree_and_both_are_kept(imported: tuple[Path, str, Any]) -> None:
    store = Store.open(imported[0])
    found = {
        (c.prop.rsplit("#", 1)[1], c.first.value, c.second.value)
        for c in conflicts(store)
        if c.node.endswith("/study/nct03377387")
    }
    assert ("enrollment", "48", "34") in found
    assert ("overallStatus", "RECRUITING", "ACTIVE_NOT_RECRUITING") in found


def test_reimport_is_a_no_op(imported: tuple[Path, str, Any]) -> None:
    again = imported[2]
    assert again.exit_code == 0, again.output
    assert "already imported" in again.output
    assert ", 0 quads" in again.output


PALLAS_GRAPH = "https://w3id.org/trialkg/graph/source/ctgov-nct02513394-2023-06-15-json"
PALLAS = "https://w3id.org/trialkg/id/study/nct02513394"
PREFIXES = (
    "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)


def test_description_after_imports_matches_a_full_recount(
    imported: tuple[Path, str, Any],
) -> None:
    # the CLI updates only the entries of the graphs an import touched
    from trialkg.build import DESCRIPTION_GRAPH, description_of

    store = Store.open(imported[0])
    stored = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store._inner.quads_for_pattern(
            None, None, None, ox.NamedNode(str(DESCRIPTION_GRAPH))
        )
    }
    expected = {(s.n3(), p.n3(), o.n3()) for s, p, o in description_of(store)}
    assert stored == expected
    assert sum(1 for s, p, _o in stored if p.endswith("/terms/source>")) == 5 + 3
    # and the union default graph holds the same description, no stale count left in it
    in_default = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store._inner.quads_for_pattern(
            None, ox.NamedNode("http://rdfs.org/ns/void#triples"), None, ox.DefaultGraph()
        )
    }
    assert in_default == {t for t in stored if t[1].endswith("#triples>")}


@pytest.fixture(scope="module")
def pallas(seed_store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The seed store with the full PALLAS record (results, 4,058 adverse-event rows) added."""
    import shutil

    from trialkg.importer import import_ctgov

    root = tmp_path_factory.mktemp("pallas") / "store"
    shutil.copytree(seed_store_root, root)
    writable = Store.open(root, read_only=False)
    reports = import_ctgov([CTGOV / "NCT02513394.json"], writable, records_dir(), reason=True)
    writable.release()
    assert not reports[0].error, reports[0].error
    return Store.open(root)


def rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return sorted(
        tuple(t.value if t is not None else "" for t in r.values())
        for r in store.select(PREFIXES + query)
    )


@pytest.mark.slow
def test_pallas_hazard_ratio_and_rates_queried_back(pallas: Store) -> None:
    hr = rows(
        pallas,
        f"SELECT ?v ?lo ?hi ?p WHERE {{ GRAPH <{PALLAS_GRAPH}> {{ ?e a tkg:HazardRatio ; "
        f"tkg:forEndpoint <{PALLAS}/endpoint/invasive-disease-free-survival-idfs> ; "
        "tkg:value ?v ; tkg:ciLower ?lo ; tkg:ciUpper ?hi ; tkg:estimateOf ?c . "
        "?c tkg:pValue ?p } }",
    )
    assert hr == [("0.96", "0.81", "1.14", "0.65")]
    rates = rows(
        pallas,
        f"SELECT ?arm ?v ?t WHERE {{ GRAPH <{PALLAS_GRAPH}> {{ ?r tkg:forEndpoint "
        f"<{PALLAS}/endpoint/invasive-disease-free-survival-idfs> ; tkg:measure "
        "tkg:EventFreeRate ; tkg:value ?v ; tkg:timePoint ?t ; tkg:forArm/rdfs:label ?arm } }",
    )
    assert rates == [("Arm A", "84.2", "4"), ("Arm B", "84.5", "4")]
    arms = rows(
        pallas,
        f"SELECT ?arm ?n ?done WHERE {{ GRAPH <{PALLAS_GRAPH}> {{ <{PALLAS}> tkg:hasArm ?a . "
        "?a rdfs:label ?arm ; tkg:numberOfPatients ?n ; tkg:participantsCompleted ?done } }",
    )
    assert arms == [("Arm A", "2896", "2884"), ("Arm B", "2900", "2877")]


@pytest.mark.slow
def test_pallas_adverse_events_all_imported_and_drug_shared(pallas: Store) -> None:
    counts = rows(
        pallas,
        f"SELECT ?serious (COUNT(DISTINCT ?ae) AS ?n) WHERE {{ GRAPH <{PALLAS_GRAPH}> {{ "
        "?ae a tkg:AdverseEventResult ; tkg:seriousEvent ?serious } } GROUP BY ?serious",
    )
    # 341 serious and 1,688 other event terms, each reported for both arms
    assert counts == [("false", str(2 * 1688)), ("true", str(2 * 341))]
    drugs = rows(
        pallas,
        f"SELECT DISTINCT ?drug WHERE {{ GRAPH <{PALLAS_GRAPH}> {{ "
        f"<{PALLAS}/arm/arm-a> tkg:hasRegimen/tkg:hasComponent ?drug }} }}",
    )
    assert ("https://w3id.org/trialkg/id/drug/palbociclib",) in drugs
    # the curated graph's palbociclib is the registry's palbociclib: one node, both sources
    studies = rows(
        pallas,
        "SELECT DISTINCT ?s WHERE { ?s tkg:studiesDrug ?d } "
        "VALUES ?d { <https://w3id.org/trialkg/id/drug/palbociclib> }",
    )
    assert (PALLAS,) in studies and ("https://w3id.org/trialkg/id/study/patina",) in studies


def test_compact_after_an_import_keeps_every_quad(seed_store_root: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "store"
    shutil.copytree(seed_store_root, root)
    result = CliRunner().invoke(
        app, ["import", "ctgov", str(CTGOV / "NCT03377387.json"), "--store", str(root)]
    )
    assert result.exit_code == 0, result.output
    reader = Store.open(root)
    before = reader.sorted_nquads()
    reader.release()
    result = CliRunner().invoke(app, ["compact", "--store", str(root)])
    assert result.exit_code == 0, result.output
    assert f"compacted {root} in " in result.output
    assert Store.open(root).sorted_nquads() == before


def test_compact_names_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["compact", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no graph has been built at" in result.output


def test_a_page_of_search_results_is_imported_study_by_study(
    seed_store_root: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    root = tmp_path / "store"
    shutil.copytree(seed_store_root, root)
    study = json.loads((CTGOV / "NCT03377387.json").read_text(encoding="utf-8"))
    page = tmp_path / "search.json"
    page.write_text(json.dumps({"studies": [{"protocolSection": {}}, study]}), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "ctgov", str(page), "--store", str(root)])
    assert result.exit_code == 1, result.output
    assert f"ok     {page}#/studies/1: ctgov-nct03377387-2023-04-18-json" in result.output
    assert "studies[0].protocolSection.identificationModule.nctId" in result.output
    assert "1 of 2 record(s) could not be imported" in result.output
    rows = Store.open(root).select(
        "SELECT ?v WHERE { GRAPH ?g { ?sel <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v }"
        " FILTER (STRENDS(STR(?g), 'ctgov-nct03377387-2023-04-18-json')) }"
    )
    assert rows and all(r["v"].value.startswith("/studies/1/") for r in rows)
