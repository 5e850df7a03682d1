"""Bulk build: the same graph as record-by-record import, bad records left out whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from typer.testing import CliRunner

from benchmarks.synthetic import generate
from trialkg import iri
from trialkg.build import DESCRIPTION_GRAPH, description_of
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


def graph_of(store: Store, name: URIRef) -> set[tuple[str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store._inner.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))
    }


def test_bulk_build_equals_record_by_record_import(
    tmp_path: Path, documents: Path, seed_store_root: Path
) -> None:
    files = generate(12, tmp_path / "records", seed=3)
    bulk_root = tmp_path / "bulk"
    report = bulk_build(records_dir(), documents, [tmp_path / "records"], bulk_root)
    assert report.failed == [] and report.records == len(files) and report.inferred > 0
    assert report.mapper_peak_rss_mb is not None and 20 < report.mapper_peak_rss_mb < 1000
    one_root = tmp_path / "one"
    shutil.copytree(seed_store_root, one_root)
    writable = Store.open(one_root, read_only=False)
    reports = import_ctgov([tmp_path / "records"], writable, records_dir(), reason=True)
    writable.release()
    assert not [r for r in reports if r.error]
    bulk, one = Store.open(bulk_root), Store.open(one_root)
    assert answers(bulk) == answers(one)
    # reasoning record by record in Python adds what the import's rules add, except what
    # the curated records assert (the import reasons over a record and the reference graph
    # alone, so it infers again what another curated source states)
    inferred = graph_of(bulk, iri.INFERRED_GRAPH)
    assert inferred <= graph_of(one, iri.INFERRED_GRAPH)
    asserted = set().union(
        *(
            graph_of(bulk, URIRef(g.value))
            for g in bulk._inner.named_graphs()
            if "/source/" in g.value
        )
    )
    assert graph_of(one, iri.INFERRED_GRAPH) - inferred <= asserted
    assert report.inferred == len(graph_of(bulk, iri.INFERRED_GRAPH))
    # the description, written before the store could be read, says what it holds
    expected = {(s.n3(), p.n3(), o.n3()) for s, p, o in description_of(bulk)}
    assert graph_of(bulk, DESCRIPTION_GRAPH) == expected
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
        app,
        ["build", "--ctgov", str(folder), "--store", str(tmp_path / "store"), "--chunk-mb", "1"],
    )  # 1 MB chunks: the records reach the engine in several loads
    assert result.exit_code == 1, result.output
    assert f"FAILED {files[0]}" in result.output and "between 0 and 100" in result.output
    assert "NCT0000000X.json" in result.output
    store = Store.open(tmp_path / "store")
    nct = broken["protocolSection"]["identificationModule"]["nctId"].lower()
    graphs = store.named_graphs()
    assert not [g for g in graphs if nct in g and files[0].name[12:22] in g]
    assert len([g for g in graphs if "/source/ctgov-" in g]) == len(files) - 1


@pytest.mark.parametrize("workers", [1, 2])
def test_mapping_child_failure_stops_the_build(tmp_path: Path, workers: int) -> None:
    from trialkg.bulk import BulkError, BulkReport, _map, partition

    files = generate(4, tmp_path / "records", seed=9)
    job = {
        "records_dir": str(records_dir()),
        "curated": str(tmp_path / "no-such-file.nq"),  # the children cannot read it and fail
        "work": str(tmp_path),
    }
    parts = partition(files, workers)
    assert len(parts) == workers
    with pytest.raises(BulkError, match="exit status 1"):
        _map(job, parts, BulkReport(), lambda done, total, name: None)


def test_mapped_records_stream_as_n_quads_of_their_graphs(tmp_path: Path) -> None:
    import io

    from trialkg.bulk import Output, map_records
    from trialkg.record_rules import RecordReasoner
    from trialkg.rules import compile_rules
    from trialkg.validate import ontology_graph

    files = generate(3, tmp_path / "records", seed=11)
    buffer, messages = io.BytesIO(), []
    onto = ontology_graph()
    base = onto.serialize(format="nt", encoding="utf-8")
    reasoner = RecordReasoner.build(onto, Graph(), compile_rules(onto))
    out = Output(buffer)
    with patch("trialkg.bulk.PROGRESS_SECONDS", 0.0):
        report = map_records(records_dir(), base, files, out, messages.append, reasoner)
    out.description()
    assert report.records == len(files) and report.inferred > 0
    assert [m["progress"] for m in messages if "progress" in m] == list(range(len(files)))
    quiet: list[dict[str, object]] = []
    with patch("trialkg.bulk.PROGRESS_SECONDS", 3600.0):
        map_records(records_dir(), base, files, Output(io.BytesIO()), quiet.append, reasoner)
    assert [m["progress"] for m in quiet if "progress" in m] == [0]  # one per 3,600 s
    engine = ox.Store()
    engine.bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
    assert 0 < len(engine) <= out.quads  # shared nodes are stated by several records
    graphs = {str(g.value) for g in engine.named_graphs()}
    assert len([g for g in graphs if "/source/ctgov-" in g]) == len(files)
    default = {
        (q.subject, q.predicate, q.object)
        for q in engine.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    named = [q for q in engine if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert default == {(q.subject, q.predicate, q.object) for q in named}  # the union
    assert out.quads == buffer.getvalue().count(b"\n") < 2 * len(named)  # copies left out
    # the description counts what each graph holds
    for g in graphs - {str(DESCRIPTION_GRAPH)}:
        size = len(list(engine.quads_for_pattern(None, None, None, ox.NamedNode(g))))
        assert out.sizes[g] == size, g
    # what reasoning adds: types and object-property links only
    inferred = list(
        engine.quads_for_pattern(None, None, None, ox.NamedNode(str(iri.INFERRED_GRAPH)))
    )
    assert len(inferred) == report.inferred == out.sizes[str(iri.INFERRED_GRAPH)]
    assert all(
        q.predicate.value == str(RDF.type) or q.predicate.value in reasoner.rules.object_properties
        for q in inferred
    )


def test_a_record_version_given_twice_is_reported_not_written_twice(tmp_path: Path) -> None:
    import io

    from trialkg.bulk import Output, map_records
    from trialkg.validate import ontology_graph

    files = generate(2, tmp_path / "records", seed=5)
    copy = tmp_path / "again" / files[0].name
    copy.parent.mkdir()
    shutil.copy(files[0], copy)
    messages: list[dict[str, object]] = []
    out = Output(io.BytesIO())
    base = ontology_graph().serialize(format="nt", encoding="utf-8")
    report = map_records(records_dir(), base, [*files, copy], out, messages.append)
    assert report.records == len(files)
    failed = [m["failed"] for m in messages if "failed" in m]
    assert failed == [[str(copy), failed[0][1]]]
    assert "same record version" in str(failed[0][1])


@pytest.mark.parametrize("optimize", [True, False])
def test_contradictions_across_records_stop_the_build(
    tmp_path: Path, documents: Path, optimize: bool
) -> None:
    from trialkg.bulk import BulkError

    generate(2, tmp_path / "records", seed=11)
    events: list[str] = []
    compact = Store.optimize

    def compact_and_note(self: Store) -> None:
        compact(self)
        events.append("compacted")

    def found(store: object, rules: object) -> list[str]:
        events.append("checked")
        return ["https://example.org/x is a drug and a study, but these classes are disjoint"]

    root = tmp_path / "store"
    with (
        patch("trialkg.bulk.contradictions", found),
        patch.object(Store, "optimize", compact_and_note),
        pytest.raises(BulkError, match=r"contradict the ontology: https://example\.org/x is a"),
    ):
        bulk_build(records_dir(), documents, [tmp_path / "records"], root, optimize=optimize)
    assert events == (["compacted", "checked"] if optimize else ["checked"])
    assert not (root / "CURRENT").exists() and not list(root.glob("data-*"))


def test_partition_keeps_the_files_of_a_trial_in_one_share(tmp_path: Path) -> None:
    from trialkg.bulk import partition, trial_key

    files = generate(9, tmp_path / "records", seed=4)
    unnamed = tmp_path / "record.json"  # no NCT number in its name: read from the record
    shutil.copy(files[0], unnamed)
    xml = tmp_path / "legacy.xml"
    xml.write_text("<clinical_study><id_info><nct_id>NCT01234567</nct_id></id_info>")
    other = tmp_path / "notes.json"
    other.write_text("{}")
    assert trial_key(unnamed) == trial_key(files[0]) == files[0].name[:11]
    assert trial_key(xml) == "NCT01234567" and trial_key(other) == str(other)
    given = [*files, unnamed, xml, other]
    for workers in (1, 2, 3, 50):
        parts = partition(given, workers)
        assert len(parts) == min(workers, len(given))
        assert sorted(f for part in parts for f in part) == sorted(given)
        for part in parts:
            assert part == [f for f in given if f in part]  # the order of the input
        share = {}
        for k, part in enumerate(parts):
            for f in part:
                assert share.setdefault(trial_key(f), k) == k, f
    assert partition([], 4) == [[]]


def test_several_mapping_children_and_any_load_chunk_build_the_same_store(
    tmp_path: Path, documents: Path
) -> None:
    generate(10, tmp_path / "records", seed=8)
    stores = {}
    # (mapping children, bytes per engine load): the default, three children, one load,
    # and loads far smaller than the stream (it is several MB), two at a time
    for workers, chunk in ((1, None), (3, None), (1, 0), (1, 64 << 10)):
        root = tmp_path / f"store-{workers}-{chunk}"
        options: dict[str, Any] = {"workers": workers}
        if chunk is not None:
            options["load_chunk"] = chunk
        report = bulk_build(records_dir(), documents, [tmp_path / "records"], root, **options)
        store = Store.open(root)
        stores[workers, chunk] = (
            report,
            {str(q) for q in store._inner.quads_for_pattern(None, None, None)},
        )
        store.release()
    one, quads_one = stores[1, None]
    for (workers, _chunk), (other, quads) in stores.items():
        assert quads == quads_one  # the description counts each shared line once
        assert other.mappers == workers
        assert (other.records, other.inferred, other.failed) == (one.records, one.inferred, [])


def test_a_record_version_in_two_shares_stops_the_build(tmp_path: Path, documents: Path) -> None:
    from trialkg.bulk import BulkError, partition

    files = generate(3, tmp_path / "records", seed=6)
    # the same record version under a name that tells another trial: in another share
    for n in range(100):
        copy = tmp_path / "again" / f"NCT{n:08d}.json"
        if all(partition([files[0], copy], 2)):  # both shares hold a file
            break
    else:
        raise AssertionError("no name of another trial fell into the other share")
    copy.parent.mkdir()
    shutil.copy(files[0], copy)
    root = tmp_path / "store"
    paths = [tmp_path / "records", copy.parent]
    with pytest.raises(BulkError, match="came from two files"):
        bulk_build(records_dir(), documents, paths, root, workers=2)
    assert not (root / "CURRENT").exists()
    report = bulk_build(records_dir(), documents, paths, root, workers=1)
    assert [f for f, _why in report.failed] == [str(copy)]


def test_the_union_copy_of_record_graphs_leaves_out_lines_given_before() -> None:
    from trialkg.bulk import UnionLines

    def line(subject: str, label: str) -> bytes:
        return f'<{iri.ID}{subject}> <{RDFS.label}> "{label}" .\n'.encode()

    study_a, arm_a = line("study/nct1", "A"), line("study/nct1/arm/a", "arm")
    drug, evidence = line("drug/d", "D"), line("evidence/src-1/e", "quote")
    union = UnionLines(trials=1)
    assert union.new(study_a + arm_a + drug + evidence, "NCT1") == study_a + arm_a + drug + evidence
    # a second version of the trial: only what is new; the drug is known from any trial
    changed, evidence_2 = line("study/nct1/arm/a", "arm, renamed"), line("evidence/src-2/e", "q")
    assert union.new(study_a + changed + drug + evidence_2, "NCT1") == changed + evidence_2
    assert union.new(evidence_2 + drug, "NCT2") == evidence_2  # evidence: not remembered
    study_b = line("study/nct2", "B")
    assert union.new(study_b + drug + evidence_2, "NCT2") == study_b  # same trial: known
    # the first trial forgotten (one trial remembered): its lines are given again, not lost
    assert union.new(study_a + arm_a, "NCT1") == study_a + arm_a
    assert union.new(b"", "NCT3") == b""


def test_a_record_version_with_a_triple_the_engine_refuses_is_left_out(tmp_path: Path) -> None:
    """The build's loader reads the stream leniently; the child parses strictly first."""
    import io

    from trialkg.bulk import Output, map_records
    from trialkg.triples import ctgov
    from trialkg.validate import ontology_graph

    files = generate(3, tmp_path / "records", seed=5)
    bad_iri = URIRef("http://example.org/%zz")  # a percent sign without two hex digits
    mapped = ctgov.registry_ntriples
    ncts = []

    def mapped_with_a_bad_iri(rec: Any, ctx: Any) -> Any:
        sid, lines, prov, report = mapped(rec, ctx)
        ncts.append(rec.nct_id)
        target = lines if len(ncts) == 1 else prov if len(ncts) == 2 else None
        if target is not None:
            target.add((bad_iri, RDFS.seeAlso, bad_iri))  # written: only the engine refuses it
        return sid, lines, prov, report

    messages: list[dict[str, object]] = []
    buffer = io.BytesIO()
    out = Output(buffer)
    base = ontology_graph().serialize(format="nt", encoding="utf-8")
    with patch("trialkg.triples.ctgov.registry_ntriples", mapped_with_a_bad_iri):
        report = map_records(records_dir(), base, files, out, messages.append)
    failed = {m["failed"][0]: m["failed"][1] for m in messages if "failed" in m}
    assert len(ncts) == len(files) >= 3 and report.records == len(files) - 2
    assert set(failed) == {str(files[0]), str(files[1])}
    assert "in its mapped assertions" in str(failed[str(files[0])])
    assert "in its mapped provenance" in str(failed[str(files[1])])
    assert "Invalid IRI percent encoding" in str(failed[str(files[0])])
    assert b"%zz" not in buffer.getvalue()
    ox.Store().bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)  # strictly: all valid


def test_a_page_of_search_results_maps_as_its_records_one_by_one(tmp_path: Path) -> None:
    """An API v2 search page ({"studies": [...]}) gives the records of its studies, each
    figure's evidence pointing into the page (/studies/N/...); a bad study in it is left
    out alone, named by its place."""
    import io

    from trialkg.bulk import Output, map_records
    from trialkg.validate import ontology_graph

    files = generate(3, tmp_path / "records", seed=7)
    studies = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    page = tmp_path / "page" / "search.json"
    page.parent.mkdir()
    page.write_text(json.dumps({"studies": [*studies, {"hasResults": False}]}), encoding="utf-8")
    base = ontology_graph().serialize(format="nt", encoding="utf-8")
    outputs = {}
    for name, given in (("files", files), ("page", [page])):
        messages: list[dict[str, object]] = []
        sink = io.BytesIO()
        report = map_records(records_dir(), base, given, Output(sink), messages.append)
        assert report.records == len(files)
        outputs[name] = (
            sink.getvalue().decode("utf-8"),
            [m["failed"] for m in messages if "failed" in m],
        )
    assert outputs["files"][1] == []
    assert outputs["page"][1] == [
        [str(page), f"{page}: studies[3].protocolSection: missing: not an API v2 study record"]
    ]
    by_file, by_page = outputs["files"][0], outputs["page"][0]
    pointers = [line for line in by_page.splitlines() if "rdf-syntax-ns#value" in line]
    assert pointers and all('"/studies/' in line for line in pointers)
    strip = lambda text: sorted(  # noqa: E731 - the same lines but for where they point
        line
        for line in text.splitlines()
        if "rdf-syntax-ns#value" not in line and "documentFile" not in line and "sha256" not in line
    )
    assert len(strip(by_page)) == len(strip(by_file))
