"""Build and query synthetic graphs of N trials; compare with raw pyoxigraph and rdflib.

    .venv/bin/python -m benchmarks.scale 1000 [10000 ...] [--rdflib-max 1000] [--repeats 3]
        [--raw-both] [--after-import] [--build-only] [--chunk-mb MB] [--results-share F]
        [--workers N] [--fill-s S] [--queries SLUG ...]
        [--out FILE]

For each N: generate N trials of registry records (``benchmarks.synthetic``; all with posted
results, or a ``--results-share`` of them, the others protocol only), build them with the
curated records into a new store (``trialkg build --ctgov``: parse, map, SHACL in batches
and reasoning in mapping children, one per core or ``--workers``, each into a file; then the
engine's bulk loader, as the build loads by default or ``--chunk-mb`` MB per load, 0 for one
load per file), and measure the time per stage, the throughput in quads/s, the peak RSS of
the build (this process and the largest mapping child) and the store's size on disk. Then dump
exactly the quads the store holds and load them straight into pyoxigraph (``bulk_load`` on
disk, in a process of its own whose peak RSS is measured too: the engine's own limit), then
compact that raw store as the build compacts its own (``optimize``, timed apart), and, up to
``--rdflib-max`` trials, load them into rdflib's in-memory ``Dataset``; and time every query
of the library (or the ``--queries`` named) on all three (trialkg and raw: a warm-up run
each, then ``--repeats`` runs alternating between the two (more for a query under 0.5 s: as
many as fill 0.5 s, at most 500), median, against the compacted raw store and with
``--raw-both`` against the raw store before compaction too; rdflib: one run, in a process of
its own forked from the one that loaded the graph, stopped after ``--rdflib-timeout``
seconds, after which the next query runs). Then add one more record the incremental way
(``trialkg import ctgov``) and time it; with ``--after-import``, time the queries again on
the store that import left. Prints one JSON object per N (and appends it to
``--out``)."""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import resource
import shutil
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from benchmarks.synthetic import generate
from trialkg.paths import default_documents_dir, records_dir
from trialkg.rss import own_peak_rss_mb

BIND_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "queries"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _raw_worker(nquads: str, folder: str, conn: Any) -> None:
    t = time.perf_counter()
    store = ox.Store(folder)
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    conn.send((time.perf_counter() - t, own_peak_rss_mb()))


def in_own_process(target: Any, *args: Any) -> Any:
    """``target(*args, conn)`` in a new process (spawned, so that its peak RSS is its own);
    return the one thing it sends on ``conn``."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, child))
    proc.start()
    child.close()  # so that recv() fails if the process dies instead of waiting forever
    result = parent.recv()
    proc.join()
    return result


def raw_load(nquads: Path, folder: Path) -> tuple[float, int | None]:
    """Bulk-load ``nquads`` into a new store at ``folder`` in a process of its own; return
    the seconds the load took and that process's peak RSS in MB."""
    seconds, rss = in_own_process(_raw_worker, str(nquads), str(folder))
    return seconds, rss


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


class LibraryQuery(NamedTuple):
    """A library query with the test bindings (SPARQL terms) of its ``.bind`` file."""

    slug: str
    text: str
    bindings: dict[str, str]

    @property
    def bound(self) -> str:
        """The text with the bindings as a VALUES block (for rdflib)."""
        from trialkg.query import bind

        return bind(self.text, self.bindings)

    def on(self, store: Any) -> Any:
        """A function running the query text it is given on ``store`` (ours or a raw engine)
        as ``trialkg query --bind`` runs it: the bindings as the engine's substitutions."""
        from trialkg.query import execute
        from trialkg.store import Store

        handle = store if isinstance(store, Store) else Store(store)
        return lambda text: execute(handle, text, self.bindings)

    def time_on(
        self, ours: Any, raw: Any, repeats: int, warmup: bool = True, fill_s: float | None = None
    ) -> tuple[float, float, int]:
        """:func:`time_pair` of this query on the two stores."""
        return time_pair(self.on(ours), self.on(raw), self.text, repeats, warmup, fill_s)


def library_queries(store: Any) -> list[LibraryQuery]:
    """Every library query with the bindings its test uses, resolved in ``store``."""
    from trialkg.query import library, resolve_term

    out = []
    for q in library():
        bindings = {}
        bind_file = BIND_DIR / f"{q.slug}.bind"
        if bind_file.is_file():
            for line in bind_file.read_text(encoding="utf-8").splitlines():
                name, _, value = line.partition("=")
                bindings[name.strip()] = resolve_term(store, value.strip())
        out.append(LibraryQuery(q.slug, q.text, bindings))
    return out


def time_query(run: Any, text: str, repeats: int = 3) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        result = run(text)
        rows = sum(1 for _ in result) if not isinstance(result, bool) else 1
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, rows


#: a query faster than this is run as often as fills it, on each store (at most
#: ``MAX_REPEATS`` times): three runs of a sub-millisecond query differ by 10-15% from one
#: set of three to the next, far more than the two stores do
FILL_S = 0.5
MAX_REPEATS = 500


def time_pair(
    ours: Any,
    raw: Any,
    text: str,
    repeats: int = 3,
    warmup: bool = True,
    fill_s: float | None = None,
) -> tuple[float, float, int]:
    """Median ms of a query on two stores: one warm-up run each, then runs alternating
    between them, so that neither gets a warmer cache or a quieter machine; at least
    ``repeats`` runs each, more for a fast query (as many as take ``fill_s`` seconds,
    ``FILL_S`` if not given; 0: ``repeats`` runs whatever the query)."""
    fill = FILL_S if fill_s is None else fill_s
    rows = -1
    slowest = 0.0
    for run in (ours, raw) if warmup else ():
        start = time.perf_counter()
        rows = sum(1 for _ in run(text))
        slowest = max(slowest, time.perf_counter() - start)
    if warmup and slowest > 0:
        repeats = max(repeats, min(MAX_REPEATS, math.ceil(fill / slowest)))
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for i, run in enumerate((ours, raw)):
            start = time.perf_counter()
            rows = sum(1 for _ in run(text))
            times[i].append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000, rows


def _rdflib_query(ds: Any, text: str, limit: float, conn: Any) -> None:
    """One query on rdflib's graph, in a process forked from the one that loaded it; the
    process ends itself after ``limit`` seconds (the alarm's default action), so that it
    cannot outlive a parent stopped before it."""
    signal.alarm(math.ceil(limit))
    try:
        ms, rows = time_query(lambda t: ds.query(t), text, repeats=1)
    except Exception as exc:  # an rdflib failure on one query: record it, go on
        conn.send((-1.0, f"{type(exc).__name__}: {exc}"))
        return
    conn.send((ms, rows))


def _rdflib_worker(nquads: str, queries: list[tuple[str, str]], timeout: float, conn: Any) -> None:
    """Load ``nquads`` into rdflib, then run each query in a process forked from this one (the
    graph is shared, not loaded again), stopped after ``timeout`` seconds; a query that
    gives no answer in time does not keep the next ones from running."""
    from rdflib import Dataset

    start = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(nquads, format="nquads")
    conn.send(("load", time.perf_counter() - start, own_peak_rss_mb()))
    fork = mp.get_context("fork")
    for slug, text in queries:
        here, there = fork.Pipe(duplex=False)
        proc = fork.Process(target=_rdflib_query, args=(ds, text, timeout + 30, there))
        proc.start()
        there.close()
        try:
            if here.poll(timeout):
                ms, extra = here.recv()
                conn.send((slug, ms, extra))
            else:
                conn.send((slug, None, f"no answer within {timeout:g} s"))
        except EOFError:  # the query's process died without an answer
            proc.join()
            conn.send((slug, -1.0, f"the query's process ended with code {proc.exitcode}"))
        finally:
            proc.kill()
            proc.join()
    conn.send(("done", 0.0, 0))


def rdflib_side(nquads: Path, queries: list[tuple[str, str]], timeout: float) -> dict[str, Any]:
    """Load into rdflib and run the queries, each stopped after ``timeout`` seconds (the
    load after ten times that), in a child process. Returns the load's seconds and peak
    RSS, the milliseconds of each query answered, the errors, and the queries stopped."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_rdflib_worker, args=(str(nquads), queries, timeout, child))
    proc.start()
    out: dict[str, Any] = {"queries_ms": {}, "errors": {}, "stopped": {}}
    try:
        while True:
            # the worker stops each query itself; the margin covers forking and the answer
            if not parent.poll(timeout + 60 if out.get("load_s") else timeout * 10):
                out["stopped"]["*"] = "the rdflib process gave no answer"
                break
            key, value, extra = parent.recv()
            if key == "load":
                out["load_s"], out["peak_rss_mb"] = round(value, 3), extra  # MB, or None
            elif key == "done":
                break
            elif value is None:
                out["stopped"][key] = extra
            elif value < 0:
                out["errors"][key] = extra
            else:
                out["queries_ms"][key] = round(value, 3)
    finally:
        proc.kill()
        proc.join()
    return out


def measure(
    trials: int,
    rdflib_max: int,
    rdflib_timeout: float,
    repeats: int = 3,
    warmup: bool = True,
    partial: Any = None,
    raw_both: bool = False,
    after_import: bool = False,
    queries_too: bool = True,
    load_chunk: int | None = None,
    results_share: float = 1.0,
    workers: int | None = None,
    fill_s: float | None = None,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """One run at ``trials``; ``partial`` (if given) gets the build and load figures before
    the queries are timed (all of the library's, or those whose slugs ``only`` names).
    Queries are timed on the store as built, against the raw store
    after it is compacted as the bulk build compacts its own, and with ``raw_both`` against
    the raw store as loaded too. Then one more record is added the incremental way; with
    ``after_import`` the queries are timed again on the store it left (``after_import_ms``,
    ``ratio_after_import``: against the same compacted raw store, which lacks that record)."""
    from trialkg.bulk import LOAD_CHUNK, bulk_build
    from trialkg.importer import import_ctgov
    from trialkg.query import library
    from trialkg.store import Store, current_data_dir

    chunk = LOAD_CHUNK if load_chunk is None else load_chunk  # None: as the build does
    unknown = sorted(set(only or ()) - {q.slug for q in library()})
    if unknown:
        raise ValueError(f"no query of the library is named {', '.join(unknown)}")
    work = Path(tempfile.mkdtemp(prefix=f"trialkg-scale-{trials}-"))
    try:
        records = work / "records"
        t = time.perf_counter()
        files = generate(trials, records, results_share=results_share)
        gen_s = time.perf_counter() - t
        root = work / "store"
        t = time.perf_counter()
        report = bulk_build(
            records_dir(),
            default_documents_dir(),
            [records],
            root,
            load_chunk=chunk,
            workers=workers,
        )
        build_s = time.perf_counter() - t
        build_rss = {
            "process": round(peak_rss_mb()),
            "mapper": report.mapper_peak_rss_mb,  # the largest child's
            "mappers": report.mappers,  # how many children mapped the records
        }
        data = current_data_dir(root)
        ours = Store.open(root)
        quads = len(ours)
        nquads = work / "all.nq"
        ours._inner.dump(output=str(nquads), format=ox.RdfFormat.N_QUADS)
        result: dict[str, Any] = {
            "trials": trials,
            "load_chunk_mb": chunk >> 20,
            "results_share": results_share,
            "records": len(files),
            "records_failed": len(report.failed),
            "quads": quads,
            "generate_s": round(gen_s, 1),
            "build_s": round(build_s, 3),
            "build_stages_s": report.seconds,
            "build_quads_per_s": round(quads / build_s),
            "build_peak_rss_mb": build_rss,
            "peak_rss_mb": round(peak_rss_mb()),
            "store_mb": round(folder_mb(data), 1),
        }
        raw_dir = work / "raw"
        raw_s, result["raw_peak_rss_mb"] = raw_load(nquads, raw_dir)
        result["nquads_mb"] = round(nquads.stat().st_size / 1e6, 1)
        if trials > rdflib_max:  # only rdflib reads it again; free the disk for what follows
            nquads.unlink()
        result["raw_oxigraph_load_s"] = round(raw_s, 3)
        raw = ox.Store(str(raw_dir))
        result["raw_store_mb"] = round(folder_mb(raw_dir), 1)
        result["build_vs_raw"] = round(build_s / raw_s, 2)
        queries = library_queries(ours) if queries_too else []
        if only:
            queries = [q for q in queries if q.slug in only]
        per_query: dict[str, dict[str, Any]] = {q.slug: {} for q in queries}
        if raw_both:  # the raw store as loaded, before it is compacted below
            if partial is not None:
                partial(dict(result))
            for q in queries:
                ms_ours, ms_raw, rows = q.time_on(ours, raw, repeats, warmup, fill_s)
                per_query[q.slug]["raw_ms"] = round(ms_raw, 3)
                per_query[q.slug]["ratio"] = round(ms_ours / ms_raw, 2) if ms_raw else None
        t = time.perf_counter()
        raw.optimize()
        raw_optimize_s = time.perf_counter() - t
        result["raw_optimize_s"] = round(raw_optimize_s, 3)
        result["raw_compacted_store_mb"] = round(folder_mb(raw_dir), 1)
        result["build_vs_raw_compacted"] = round(build_s / (raw_s + raw_optimize_s), 2)
        if partial is not None:
            partial(dict(result))
        for q in queries:  # both stores compacted
            ms_ours, ms_raw, rows = q.time_on(ours, raw, repeats, warmup, fill_s)
            per_query[q.slug].update(
                rows=rows,
                trialkg_ms=round(ms_ours, 3),
                raw_compacted_ms=round(ms_raw, 3),
                ratio_compacted=round(ms_ours / ms_raw, 2) if ms_raw else None,
            )
        # one more record, the incremental way, into the store the queries were timed on
        ours.release()
        del ours
        extra = generate(1, work / "one-more", seed=trials + 1, first=trials)[:1]
        writable = Store.open(root, read_only=False)
        t = time.perf_counter()
        added = import_ctgov(extra, writable, records_dir(), reason=True)
        writable.flush()
        result["incremental_one_record_s"] = round(time.perf_counter() - t, 3)
        writable.release()
        del writable
        assert added and added[0].triples > 0 and not added[0].error, added
        if after_import:
            ours = Store.open(root)
            for q in queries:
                ms_ours, ms_raw, _rows = q.time_on(ours, raw, repeats, warmup, fill_s)
                per_query[q.slug].update(
                    after_import_ms=round(ms_ours, 3),
                    ratio_after_import=round(ms_ours / ms_raw, 2) if ms_raw else None,
                )
        if trials <= rdflib_max:
            rd = rdflib_side(nquads, [(q.slug, q.bound) for q in queries], rdflib_timeout)
            result["rdflib_load_s"] = rd.get("load_s")
            result["rdflib_peak_rss_mb"] = rd.get("peak_rss_mb")
            if "*" in rd["stopped"]:
                result["rdflib_stopped"] = rd["stopped"]["*"]
            for slug, error in rd["errors"].items():
                per_query[slug]["rdflib_error"] = error
            for slug, why in rd["stopped"].items():
                if slug in per_query:  # no answer within the limit: at least this much faster
                    per_query[slug]["rdflib_stopped"] = why
                    ours_ms = max(per_query[slug]["trialkg_ms"], 0.01)
                    per_query[slug]["rdflib_vs_trialkg_at_least"] = round(
                        rdflib_timeout * 1000 / ours_ms
                    )
            for slug, ms in rd["queries_ms"].items():
                per_query[slug]["rdflib_ms"] = ms
                ours_ms = max(per_query[slug]["trialkg_ms"], 0.01)
                per_query[slug]["rdflib_vs_trialkg"] = round(ms / ours_ms)
        result["queries"] = per_query
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials", type=int, nargs="*", default=[1000])
    parser.add_argument("--rdflib-max", type=int, default=1000)
    parser.add_argument("--rdflib-timeout", type=float, default=120.0)
    parser.add_argument("--repeats", type=int, default=3, help="runs per query (median)")
    parser.add_argument("--no-warmup", action="store_true", help="no warm-up run per query")
    parser.add_argument(
        "--raw-both",
        action="store_true",
        help="time the queries on the raw store before its compaction as well",
    )
    parser.add_argument(
        "--after-import",
        action="store_true",
        help="time the queries again after one more record is added incrementally",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build, load raw and import one record; time no queries",
    )
    parser.add_argument(
        "--chunk-mb",
        type=int,
        default=None,
        help="the build loads the mapped records this many MB at a time (0: in one load; "
        "default: as trialkg build does)",
    )
    parser.add_argument(
        "--results-share",
        type=float,
        default=1.0,
        help="share of the trials with posted results (the others: protocol only)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="mapping children of the build (default: one per two cores, at most four)",
    )
    parser.add_argument(
        "--fill-s",
        type=float,
        default=FILL_S,
        help="time a fast query as often as fills this many seconds on each store (at most "
        f"{MAX_REPEATS} runs; 0: --repeats runs whatever the query)",
    )
    parser.add_argument(
        "--queries",
        nargs="+",
        metavar="SLUG",
        default=None,
        help="time only these queries of the library (default: every one)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    def write(result: dict[str, Any]) -> None:
        line = json.dumps(result, sort_keys=True)
        print(line, flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    for n in args.trials:
        result = measure(
            n,
            args.rdflib_max,
            args.rdflib_timeout,
            args.repeats,
            not args.no_warmup,
            raw_both=args.raw_both,
            after_import=args.after_import,
            queries_too=not args.build_only,
            load_chunk=None if args.chunk_mb is None else args.chunk_mb << 20,
            workers=args.workers,
            results_share=args.results_share,
            fill_s=args.fill_s,
            only=args.queries,
            partial=lambda r: write({**r, "partial": "build and load; queries follow"}),
        )
        write(result)


if __name__ == "__main__":
    main()
