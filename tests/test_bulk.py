"""Bulk build: the same graph as record-by-record import, bad records left out whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import RDF
from typer.testing import CliRunner

from benchmarks.synthetic import generate
from trialkg.bulk import bulk_build
from trialkg.cli import app
from trialkg.importer import import_ctgov
from trialkg.paths import records_dir
from trialkg.query import execute, library, to_rows
from trialkg.store import Store

pytestmark = [pytest.mark.reasoner, pytest.mark.slow]


def answers(store: Store) -> dict[str, list[list[str]]]:
    out = {}
    for q in library():
        if q.slug in ("hazard-ratios", "adverse-events", "source-conflicts", "study-design"):
            out[q.slug] = sorted(to_rows(execute(store, q.text))[1])
    return out


def test_bulk_build_equals_record_by_record_import(
    tmp_path: Path, documents: Path, seed_store_root: Path
) -> None:
    files = generate(12, tmp_path / "records", seed=3)
    bulk_root = tmp_path / "bulk"
    report = bulk_build(records_dir(), documents, [tmp_path / "records"], bulk_root)
    assert report.failed == [] and report.records == len(files) and report.inferred > 0
    one_root = tmp_path / "one"
    shutil.copytree(seed_store_root, one_root)
    writable = Store.open(one_root, read_only=False)
    reports = import_ctgov([tmp_path / "records"], writable, records_dir(), reason=True)
    writable.release()
    assert not [r for r in reports if r.error]
    bulk, one = Store.open(bulk_root), Store.open(one_root)
    assert answers(bulk) == answers(one)
    assert len(answers(bulk)["source-conflicts"]) > len(
        answers(Store.open(seed_store_root))["source-conflicts"]
    )


def test_bad_records_are_left_out_whole(tmp_path: Path, documents: Path) -> None:
    folder = tmp_path / "records"
    files = generate(4, folder, seed=5)
    broken = json.loads(files[0].read_text(encoding="utf-8"))
    measure = broken["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    groups = measure[0]["groups"]
    values = [{"groupId": g["id"], "value": "103.5"} for g in groups]
    cbr = {
        "title": "Clinical Benefit Rate (CBR)",
        "paramType": "NUMBER",
        "type": "SECONDARY",
        "unitOfMeasure": "percentage of participants",
        "timeFrame": "4 years",
        "groups": groups,
        "classes": [{"categories": [{"measurements": values}]}],
    }
    measure.append(cbr)
    files[0].write_text(json.dumps(broken), encoding="utf-8")
    (folder / "NCT0000000X.json").write_text('{"protocolSection": ', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", "--ctgov", str(folder), "--store", str(tmp_path / "store")]
    )
    assert result.exit_code == 1, result.output
    assert f"FAILED {files[0]}" in result.output and "between 0 and 100" in result.output
    assert "NCT0000000X.json" in result.output
    store = Store.open(tmp_path / "store")
    nct = broken["protocolSection"]["identificationModule"]["nctId"].lower()
    graphs = store.named_graphs()
    assert not [g for g in graphs if nct in g and files[0].name[12:22] in g]
    assert len([g for g in graphs if "/source/ctgov-" in g]) == len(files) - 1


def test_mapping_child_failure_stops_the_build_and_loads_nothing(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from trialkg.bulk import BulkError, BulkReport, _stream_records
    from trialkg.rules import compile_rules
    from trialkg.validate import ontology_graph

    files = generate(2, tmp_path / "records", seed=9)
    engine = ox.Store()
    with pytest.raises(BulkError, match="exit status 1"):
        _stream_records(
            engine,
            records_dir(),
            tmp_path / "no-such-base.nt",  # the child cannot read it and fails
            tmp_path / "derived.nt",
            compile_rules(ontology_graph()),
            files,
            BulkReport(),
            lambda done, total, name: None,
        )
    assert len(engine) == 0


def test_mapped_records_stream_as_n_quads_of_their_graphs(tmp_path: Path) -> None:
    import io

    import pyoxigraph as ox

    from trialkg.bulk import map_records
    from trialkg.rules import compile_rules
    from trialkg.validate import ontology_graph

    files = generate(3, tmp_path / "records", seed=11)
    out, derived, messages = io.BytesIO(), io.BytesIO(), []
    base = ontology_graph().serialize(format="nt", encoding="utf-8")
    rules = compile_rules(ontology_graph())
    report = map_records(records_dir(), base, files, out, messages.append, rules.local, derived)
    assert report.records == len(files)
    assert [m["progress"] for m in messages if "progress" in m] == list(range(len(files)))
    engine = ox.Store()
    engine.bulk_load(out.getvalue(), format=ox.RdfFormat.N_QUADS)
    assert 0 < len(engine) <= report.quads  # shared nodes are stated by several records
    graphs = {str(g.value) for g in engine.named_graphs()}
    assert len([g for g in graphs if "/source/ctgov-" in g]) == len(files)
    named = len(engine) - len(list(engine.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    assert named * 2 == report.quads  # each line once in its graph, once in the default graph
    # what the table rules derive from the records: types and object-property links only
    inferred = list(ox.parse(derived.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    assert inferred
    assert all(
        t.predicate.value == str(RDF.type) or t.predicate.value in rules.object_properties
        for t in inferred
    )
