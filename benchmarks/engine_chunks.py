"""The engine's bulk loader given a bulk build's own stream whole, or in chunks.

    .venv/bin/python -m benchmarks.engine_chunks 20000 [--chunk-mb 0 16 32 64]
        [--threads 2 [1 ...]] [--results-share 0.02]

Generates N trials (``benchmarks.synthetic``), runs the bulk build with the N-Quads files
its mapping children write copied to one file instead of loaded (so the file holds exactly
the lines the engine would get, in their order), then loads that file into a new store on disk
once per ``--chunk-mb`` value, each in a process of its own, leniently as the build loads:
``0`` in one ``bulk_load`` call, else with :func:`trialkg.bulk.load_in_chunks`,
``--threads`` calls at a time (each count in turn when given several). For each: the
load's seconds and CPU seconds, the ``optimize`` after it, and the process's peak RSS.
Prints one JSON object per load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pyoxigraph as ox

from benchmarks.scale import in_own_process
from benchmarks.synthetic import generate
from trialkg.paths import default_documents_dir, records_dir
from trialkg.rss import own_peak_rss_mb


def capture_stream(trials: int, work: Path, results_share: float = 0.02) -> Path:
    """The N-Quads a bulk build of ``trials`` generated trials gives the engine, as one file
    (the mapping children's files one after the other, as the build loads them)."""
    import trialkg.bulk as bulk

    generate(trials, work / "records", results_share=results_share)
    target = work / "stream.nq"

    def captured(_engine: ox.Store, files: list[Path], *_args: Any) -> None:
        with target.open("wb") as dst:
            for f in files:
                with f.open("rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)

    with patch.object(bulk, "_load_files", captured):
        bulk.bulk_build(records_dir(), default_documents_dir(), [work / "records"], work / "store")
    return target


def _load_worker(nquads: str, folder: str, chunk: int, threads: int, conn: Any) -> None:
    from trialkg.bulk import load_in_chunks

    store = ox.Store(folder)
    start = time.perf_counter()
    if chunk:
        with open(nquads, "rb") as source:
            load_in_chunks(store, source, chunk, lenient=True, threads=threads)
    else:
        store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
    store.flush()
    load_s, cpu = time.perf_counter() - start, os.times()
    start = time.perf_counter()
    store.optimize()
    after = os.times()
    conn.send(
        {
            "load_s": round(load_s, 3),
            "load_cpu_s": round(cpu.user + cpu.system, 2),
            "optimize_s": round(time.perf_counter() - start, 3),
            "optimize_cpu_s": round(after.user + after.system - cpu.user - cpu.system, 2),
            "peak_rss_mb": own_peak_rss_mb(),
            "quads": len(store),
        }
    )


def load(nquads: Path, folder: Path, chunk: int, threads: int) -> dict[str, Any]:
    """Load ``nquads`` into a new store at ``folder`` in a process of its own."""
    result: dict[str, Any] = in_own_process(_load_worker, str(nquads), str(folder), chunk, threads)
    return result


def measure(
    trials: int,
    chunks_mb: list[int],
    threads: tuple[int, ...] = (2,),
    results_share: float = 0.02,
) -> list[dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix=f"trialkg-engine-chunks-{trials}-"))
    try:
        nquads = capture_stream(trials, work, results_share)
        lines = sum(block.count(b"\n") for block in _blocks(nquads))
        out = []
        for mb in chunks_mb:
            for n in threads if mb else threads[:1]:
                folder = work / f"store-{mb}-{n}"
                result = load(nquads, folder, mb << 20, n)
                out.append(
                    {
                        "trials": trials,
                        "lines": lines,
                        "nquads_mb": round(nquads.stat().st_size / 1e6, 1),
                        "chunk_mb": mb,
                        "threads": n if mb else None,
                        **result,
                    }
                )
                print(json.dumps(out[-1], sort_keys=True), file=sys.stderr, flush=True)
                shutil.rmtree(folder)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _blocks(path: Path) -> Any:
    with path.open("rb") as fh:
        while block := fh.read(1 << 24):
            yield block


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials", type=int)
    parser.add_argument("--chunk-mb", type=int, nargs="+", default=[0, 16, 32, 64])
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    parser.add_argument("--results-share", type=float, default=0.02)
    args = parser.parse_args()
    for result in measure(args.trials, args.chunk_mb, tuple(args.threads), args.results_share):
        print(json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
