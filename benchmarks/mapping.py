"""Cost per record of each step of the bulk build's mapping child, in one process.

    .venv/bin/python -m benchmarks.mapping 300 [--results-share 0.02]

Generates N trials of registry records (``benchmarks.synthetic``), then runs the steps the
mapping child runs for each record version (``trialkg.bulk.map_records``), timing each on its
own: read and parse the record, map it to N-Triples lines, validate (the compiled shapes,
once per batch, batched as the build batches: loading the batch into a working store, then
the queries), reasoning over the record (``trialkg.record_rules``), and writing the
N-Quads. Prints one JSON object with milliseconds per record version for each step. This is
the part of the build that competes with the engine's loader for the cores; the whole build
is measured by ``benchmarks.scale``.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.synthetic import generate
from trialkg.paths import default_documents_dir, records_dir


def measure(trials: int, results_share: float = 1.0) -> dict[str, Any]:
    from trialkg import iri
    from trialkg.build import compile_graph
    from trialkg.bulk import Output, _Batch, _Batches
    from trialkg.record_rules import RecordReasoner
    from trialkg.rules import compile_rules
    from trialkg.shacl_sparql import run_checks
    from trialkg.sources.ctgov import read_record
    from trialkg.triples.ctgov import Context, registry_ntriples
    from trialkg.validate import ontology_graph

    work = Path(tempfile.mkdtemp(prefix="trialkg-mapping-"))
    try:
        files = generate(trials, work / "records", results_share=results_share)
        rules = compile_rules(ontology_graph())
        compiled = compile_graph(records_dir(), default_documents_dir(), reason=False)
        context = next(g for name, g in compiled.graphs if name == iri.REFERENCE_GRAPH)
        reasoner = RecordReasoner.build(ontology_graph(), context, rules)
        base = b"".join(
            g.serialize(format="nt", encoding="utf-8") for g in (ontology_graph(), context)
        )
        ctx = Context.from_records(records_dir())
        spent: defaultdict[str, float] = defaultdict(float)
        out, triples, violations = Output(io.BytesIO()), 0, 0

        def lap(step: str, start: float) -> float:
            now = time.perf_counter()
            spent[step] += now - start
            return now

        def validate_and_write(batch: _Batch) -> int:
            t = time.perf_counter()
            store = ox.Store()
            batch._load(store, batch.items)  # as the child: strictly, provenance beside
            t = lap("validate: load the batch", t)
            found = len(run_checks(store))
            lap("validate: shape queries", t)
            for _file, sid, nt, prov_nt, nct in batch.items:
                t = time.perf_counter()
                inferred = "".join(f"{s} {p} {o} .\n" for s, p, o in reasoner.infer(nt))
                t = lap("reasoning", t)
                out.graph(nt, iri.source_graph(sid), str(iri.source(sid)), nct)
                out.shared(prov_nt, iri.PROVENANCE_GRAPH)
                out.shared(inferred.encode("utf-8"), iri.INFERRED_GRAPH)
                lap("write N-Quads", t)
            return found

        batches, sizes = _Batches(base), []
        for path in files:
            t = time.perf_counter()
            rec = read_record(path)
            t = lap("read", t)
            sid, lines, prov, _report = registry_ntriples(rec, ctx)
            nt, prov_nt = lines.ntriples(), prov.ntriples()
            lap("map", t)
            triples += nt.count(b"\n") + prov_nt.count(b"\n")
            full = batches.add(rec.nct_id, str(path), sid, nt, prov_nt, lines.subjects)
            if full is not None:
                violations += validate_and_write(full)
                sizes.append(len(full.items))
        for batch in batches.rest():
            violations += validate_and_write(batch)
            sizes.append(len(batch.items))
        n = len(files)
        per_record = {step: round(s * 1000 / n, 2) for step, s in sorted(spent.items())}
        return {
            "trials": trials,
            "results_share": results_share,
            "records": n,
            "batches": len(sizes),
            "triples_per_record": round(triples / n),
            "violations": violations,
            "ms_per_record": per_record,
            "total_ms_per_record": round(sum(spent.values()) * 1000 / n, 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials", type=int, nargs="?", default=300)
    parser.add_argument("--results-share", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(measure(args.trials, args.results_share), sort_keys=True))


if __name__ == "__main__":
    main()
