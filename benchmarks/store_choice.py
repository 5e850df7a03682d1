"""Store engine choice: rdflib in-memory vs pyoxigraph (memory and disk) on trialkg-shaped data.

Run: ``.venv/bin/python -m benchmarks.store_choice --copies 300``

The seed graph (five sources, built with reasoning) is copied N times with every instance
IRI renamed per copy, so the data keeps the real shape (named graphs, evidence, results).
Prints load time, peak RSS growth and query medians; results are written down in
docs/decisions/0001-store-engine.md.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from trialkg.build import compile_graph
from trialkg.paths import default_documents_dir, records_dir
from trialkg.store import graph_to_nquads

QUERIES = {
    "drug-trials-pfs": """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?study ?arm ?v WHERE {
  ?reg tkg:hasComponent <https://w3id.org/trialkg/id/drug/palbociclib> .
  ?arm tkg:hasRegimen ?reg ; tkg:armOf ?study .
  ?r tkg:forArm ?arm ; tkg:measure tkg:Median ; tkg:value ?v ; tkg:forEndpoint ?e .
  ?e a tkg:ProgressionFreeSurvival .
}""",
    "subclass-path": """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a ?c . ?c rdfs:subClassOf* tkg:Result . }""",
    "figure-conflicts": """
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?node ?p ?v1 ?v2 WHERE {
  GRAPH ?g1 { ?node tkg:percentOfPatients ?v1 }
  GRAPH ?g2 { ?node tkg:percentOfPatients ?v2 }
  FILTER (STR(?g1) < STR(?g2) && ?v1 != ?v2)
}""",
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replicated_nquads(copies: int) -> bytes:
    compiled = compile_graph(records_dir(), default_documents_dir())
    base = b"".join(graph_to_nquads(g, name) for name, g in compiled.graphs)
    shared = [line for line in base.splitlines() if b"/id/" not in line]
    per_copy = [line for line in base.splitlines() if b"/id/" in line]
    out = list(shared)
    for i in range(copies):
        tag = f"/id/c{i}-".encode()
        out.extend(line.replace(b"/id/study/", tag + b"study/") for line in per_copy)
    return b"\n".join(out) + b"\n"


def union_of(nquads: bytes) -> bytes:
    """The named-graph quads as triples in the default graph, each once."""
    triples = {line.rsplit(b" <", 1)[0] + b" ." for line in nquads.splitlines() if line}
    return b"\n".join(sorted(triples)) + b"\n"


def solutions(store: ox.Store, query: str, union: bool = False) -> list[ox.QuerySolution]:
    """The rows of a SELECT ``query``; with ``union``, the default graph is all graphs."""
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, ox.QuerySolutions), query
    return list(result)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0)
    args = parser.parse_args()
    data = replicated_nquads(args.copies)
    n = data.count(b"\n")
    print(f"{n} quads ({args.copies} copies of the seed graph)")

    union = union_of(data)
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    mem = ox.Store()
    mem.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    mem.bulk_load(union, format=ox.RdfFormat.N_QUADS)
    print(
        f"pyoxigraph memory: load {time.perf_counter() - t:.2f} s, RSS +{rss_mb() - before:.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        disk = ox.Store(str(Path(tmp) / "s"))
        disk.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        disk.bulk_load(union, format=ox.RdfFormat.N_QUADS)
        disk.flush()
        print(f"pyoxigraph disk:   load {time.perf_counter() - t:.2f} s (named graphs + union)")
        for name, q in QUERIES.items():
            m = timed(lambda q=q: solutions(mem, q))
            d = timed(lambda q=q: solutions(disk, q))
            u = timed(lambda q=q: solutions(mem, q, union=True), repeat=1)
            rows_u = len(solutions(mem, q, union=True))
            rows_m = len(solutions(mem, q))
            print(
                f"  {name}: materialised union memory {m:.1f} ms, disk {d:.1f} ms "
                f"({rows_m} rows); on-the-fly union {u:.1f} ms ({rows_u} rows)"
            )
    if args.skip_rdflib:
        return
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(data=data.decode("utf-8"), format="nquads")
    ds.parse(data=union.decode("utf-8"), format="nquads")
    print(
        f"rdflib memory:     load {time.perf_counter() - t:.2f} s, RSS +{rss_mb() - before:.0f} MB"
    )
    for name, q in QUERIES.items():
        t = time.perf_counter()
        n_rows = 0
        for _ in ds.query(q):
            n_rows += 1
            if time.perf_counter() - t > args.rdflib_timeout:
                break
        elapsed = time.perf_counter() - t
        note = (
            f" (stopped after {args.rdflib_timeout:.0f} s)" if elapsed > args.rdflib_timeout else ""
        )
        print(f"  {name}: rdflib {elapsed * 1000:.1f} ms, {n_rows} rows{note}")


if __name__ == "__main__":
    main()
