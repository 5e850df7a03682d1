"""Smoke runs of the synthetic generator and the scale benchmark, so neither can rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from trialkg.query import library


def test_generator_is_deterministic_and_realistic(tmp_path: Path) -> None:
    a = generate(30, tmp_path / "a", seed=7)
    b = generate(30, tmp_path / "b", seed=7)
    c = generate(30, tmp_path / "c", seed=8)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]
    assert len(a) > 30  # some trials have a second record version
    records = [json.loads(p.read_text(encoding="utf-8")) for p in a]
    arms = [len(r["protocolSection"]["armsInterventionsModule"]["armGroups"]) for r in records]
    assert set(arms) <= {2, 3, 4} and len(set(arms)) > 1
    drugs = [
        i["name"]
        for r in records
        for i in r["protocolSection"]["armsInterventionsModule"]["interventions"]
    ]
    top = max(drugs.count(d) for d in set(drugs))
    assert top >= 5 and len(set(drugs)) >= 10  # a few drugs in many trials, many in few
    versions: dict[str, list[int]] = {}
    for r in records:
        ps = r["protocolSection"]
        nct = ps["identificationModule"]["nctId"]
        versions.setdefault(nct, []).append(ps["designModule"]["enrollmentInfo"]["count"])
    assert any(len(set(v)) > 1 for v in versions.values())  # some versions disagree


def test_generator_results_share(tmp_path: Path) -> None:
    """A share of trials without posted results carry their protocol only, through the
    project's own reader; the default draws the same records as before the option."""
    from trialkg.sources.ctgov import read_record

    default = generate(40, tmp_path / "d", seed=3)
    full = generate(40, tmp_path / "f", seed=3, results_share=1.0)
    assert [p.read_bytes() for p in default] == [p.read_bytes() for p in full]
    some = generate(200, tmp_path / "s", seed=3, results_share=0.25)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in some]
    with_results = [r for r in records if r["hasResults"]]
    assert 0.1 < len(with_results) / len(records) < 0.4
    assert all("resultsSection" in r for r in with_results)
    without = [r for r in records if not r["hasResults"]]
    assert all("resultsSection" not in r for r in without)
    for path, r in zip(some, records, strict=True):
        if not r["hasResults"]:
            study = read_record(path)
            assert study.declared_outcomes and not study.outcomes  # planned, none reported
            assert any(kind == "PRIMARY" for kind, _m, _t in study.declared_outcomes)
            break
    none = generate(20, tmp_path / "n", seed=3, results_share=0.0)
    assert not any(json.loads(p.read_text(encoding="utf-8"))["hasResults"] for p in none)
    with pytest.raises(ValueError, match="results_share"):
        generate(1, tmp_path / "x", results_share=1.5)


@pytest.mark.slow
@pytest.mark.reasoner
def test_scale_benchmark_smoke_run() -> None:
    from benchmarks.scale import measure

    result = measure(3, rdflib_max=3, rdflib_timeout=60, raw_both=True, after_import=True, fill_s=0)
    assert result["records_failed"] == 0 and result["quads"] > 10_000
    assert result["raw_oxigraph_load_s"] > 0 and result["store_mb"] > 0
    assert set(result["queries"]) == {q.slug for q in library()}
    assert all(q["raw_ms"] >= 0 for q in result["queries"].values())
    assert all(q["raw_compacted_ms"] >= 0 for q in result["queries"].values())
    assert result["raw_optimize_s"] >= 0 and result["build_vs_raw_compacted"] > 0
    assert result["rdflib_load_s"] > 0
    assert result["incremental_one_record_s"] > 0
    assert all(q["ratio_after_import"] > 0 for q in result["queries"].values())


@pytest.mark.reasoner
def test_mapping_benchmark_smoke_run() -> None:
    from benchmarks.mapping import measure

    result = measure(4)
    assert result["records"] >= 4 and result["violations"] == 0 and result["batches"] >= 1
    assert result["triples_per_record"] > 100
    assert set(result["ms_per_record"]) == {
        "read",
        "map",
        "validate: load the batch",
        "validate: shape queries",
        "reasoning",
        "write N-Quads",
    }
    assert result["total_ms_per_record"] > 0


@pytest.mark.slow
@pytest.mark.reasoner
def test_optimize_effect_smoke_run() -> None:
    from benchmarks.optimize_effect import measure

    result = measure(2, repeats=1, fill_s=0)
    assert "optimize" not in result["build_stages_s"]  # built without compaction
    assert set(result["before"]["ratios"]) == {q.slug for q in library()}
    assert result["after"]["median"] > 0 and result["optimize_s"] >= 0


@pytest.mark.slow
@pytest.mark.reasoner
def test_engine_chunks_benchmark_smoke_run() -> None:
    from benchmarks.engine_chunks import measure

    one, chunked = measure(3, [0, 1])
    assert one["lines"] > 10_000 and one["chunk_mb"] == 0 and chunked["threads"] == 2
    assert one["quads"] == chunked["quads"] > 10_000  # the same store either way
    assert chunked["load_s"] > 0 and chunked["peak_rss_mb"] > 0


SMALL_NQUADS = "".join(f"<urn:s{i}> <urn:p> <urn:o{i % 7}> <urn:g> .\n" for i in range(40))
# 40**5 rows: rdflib gives no answer to it within the tests' limits
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.mark.slow
def test_rdflib_side_goes_on_after_a_query_it_stops(tmp_path: Path) -> None:
    from benchmarks.scale import rdflib_side

    nquads = tmp_path / "small.nq"
    nquads.write_text(SMALL_NQUADS, encoding="utf-8")
    queries = [
        ("count", "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:p> ?o }"),
        ("cross", CROSS_PRODUCT),
        ("broken", "SELECT ?x WHERE { ?x <urn:p> }"),  # not SPARQL
        ("after", "SELECT ?s WHERE { ?s <urn:p> <urn:o3> }"),
    ]
    out = rdflib_side(nquads, queries, timeout=2.0)
    assert out["load_s"] >= 0 and out["peak_rss_mb"] > 0
    assert set(out["queries_ms"]) == {"count", "after"}
    assert out["stopped"] == {"cross": "no answer within 2 s"}
    assert set(out["errors"]) == {"broken"}


@pytest.mark.slow
def test_an_rdflib_query_process_ends_itself_after_its_limit() -> None:
    import multiprocessing as mp
    import signal

    from rdflib import Dataset

    from benchmarks.scale import _rdflib_query

    ds = Dataset(default_union=True)
    ds.parse(data=SMALL_NQUADS, format="nquads")
    fork = mp.get_context("fork")
    here, there = fork.Pipe(duplex=False)
    proc = fork.Process(target=_rdflib_query, args=(ds, CROSS_PRODUCT, 1.0, there))
    proc.start()
    proc.join(60)
    assert proc.exitcode == -signal.SIGALRM  # no one stopped it: its own alarm did
    assert not here.poll(0)


def test_a_fast_query_is_timed_as_often_as_fills_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sub-millisecond query is timed many times on each store (three runs of it differ
    by more than the stores do); a slow one the given number of times."""
    import time

    from benchmarks import scale

    calls: list[str] = []

    def fast(text: str) -> list[int]:
        calls.append(text)
        return [1, 2]

    _ours, _raw, rows = scale.time_pair(fast, fast, "q", repeats=3)
    assert rows == 2 and len(calls) == 2 + 2 * scale.MAX_REPEATS
    calls.clear()
    monkeypatch.setattr(scale, "FILL_S", 0.01)

    def slow(text: str) -> list[int]:
        calls.append(text)
        time.sleep(0.02)
        return [1]

    scale.time_pair(slow, slow, "q", repeats=3)
    assert len(calls) == 2 + 2 * 3


def test_scale_benchmark_refuses_a_query_the_library_lacks() -> None:
    from benchmarks.scale import measure

    with pytest.raises(ValueError, match="no query of the library is named no-such-query"):
        measure(1, 0, 1.0, only=["hazard-ratios", "no-such-query"])
