"""Query latency of a bulk-built store before and after compaction, against the raw store.

    .venv/bin/python -m benchmarks.optimize_effect 1000 [--repeats 3]

Generates N trials (``benchmarks.synthetic``), bulk-builds them with compaction switched off,
dumps the store and bulk-loads the dump into a raw pyoxigraph store, then times every library
query on both (``benchmarks.scale.time_pair``) before and after ``optimize`` on the built
store. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.scale import LibraryQuery, folder_mb, library_queries
from benchmarks.synthetic import generate
from trialkg.paths import default_documents_dir, records_dir


def ratios(
    ours: Any, raw: Any, queries: list[LibraryQuery], repeats: int, fill_s: float | None = None
) -> dict[str, Any]:
    out = {}
    for q in queries:
        ms_ours, ms_raw, _rows = q.time_on(ours, raw, repeats, fill_s=fill_s)
        out[q.slug] = round(ms_ours / ms_raw, 2) if ms_raw else None
    values = [v for v in out.values() if v is not None]
    return {"ratios": out, "median": statistics.median(values), "max": max(values)}


def measure(trials: int, repeats: int = 3, fill_s: float | None = None) -> dict[str, Any]:
    from trialkg.bulk import bulk_build
    from trialkg.store import Store, current_data_dir

    work = Path(tempfile.mkdtemp(prefix="trialkg-optimize-"))
    try:
        generate(trials, work / "records")
        report = bulk_build(
            records_dir(),
            default_documents_dir(),
            [work / "records"],
            work / "store",
            optimize=False,
        )
        data = current_data_dir(work / "store")
        ours = ox.Store(str(data))
        ours.dump(output=str(work / "all.nq"), format=ox.RdfFormat.N_QUADS)
        raw = ox.Store(str(work / "raw"))
        raw.bulk_load(path=str(work / "all.nq"), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        queries = library_queries(Store(ours, data))
        result: dict[str, Any] = {"trials": trials, "build_stages_s": report.seconds}
        result["before"] = ratios(ours, raw, queries, repeats, fill_s)
        start = time.perf_counter()
        ours.optimize()
        result["optimize_s"] = round(time.perf_counter() - start, 3)
        result["after"] = ratios(ours, raw, queries, repeats, fill_s)
        result["store_mb"], result["raw_store_mb"] = folder_mb(data), folder_mb(work / "raw")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials", type=int)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.trials, args.repeats), sort_keys=True))


if __name__ == "__main__":
    main()
