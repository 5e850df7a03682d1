"""Bulk build: the curated records and many registry records into a new store version at once.

``trialkg import ctgov`` adds records one transaction at a time to a built store; for tens of
thousands of records that costs a transaction, a validation and a reasoning run per record.
This path maps the records in child processes (one per core by default, each with the
records of its share of the trials) that validate them in batches (the shapes compiled to
whole-graph SPARQL), reason over each as the import does (the rules in Python,
:mod:`trialkg.record_rules`), and write the N-Quads of the valid ones to a file of their
own; a last child writes the dataset description once the counts are known. The engine's
bulk loader then builds a new store version from the files, in one load per chunk of them
(to bound the loader's memory) or in one load per file. Nothing is written after the load
but a compaction; the contradiction checks across records then read the store. The version
goes live only if all of it succeeds; a record that cannot be read, mapped or validated is
reported and left out, whole."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol, cast

import pyoxigraph as ox
from rdflib import URIRef

from trialkg import iri
from trialkg.digests import DigestSet, union_size
from trialkg.rss import own_peak_rss_mb
from trialkg.rules import RuleSet, contradictions
from trialkg.store import new_version
from trialkg.triples.ntriples import as_quads, with_union

if TYPE_CHECKING:
    from trialkg.record_rules import RecordReasoner

Progress = Callable[[int, int, str], None]
"""Told how far a stage is: done and total (records mapped, bytes loaded), and what it does
("mapping NCT01234567.json", "loading (14,998 MB)")."""


LOAD_CHUNK = 16 << 20
"""Bytes of N-Quads per engine ``bulk_load`` call in a bulk build, unless told otherwise
(:func:`load_in_chunks`; ``benchmarks/RESULTS.md``)."""
LOAD_THREADS = 2
"""Engine ``bulk_load`` calls at once when loading in chunks."""


class BulkError(RuntimeError):
    """The records violate the shapes or contradict the ontology; nothing was written."""


@dataclass
class BulkReport:
    """What a bulk build did, with the time of each stage in seconds."""

    records: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    quads: int = 0
    inferred: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    mapper_peak_rss_mb: int | None = None  # the largest mapping child's own peak (Linux)
    mappers: int = 0  # mapping children that ran


def _quiet(done: int, total: int, name: str) -> None:
    return None


def _write(out: IO[bytes], nt: bytes, name: URIRef, union: bytes | None = None) -> int:
    """Write N-Triples into the named graph ``name`` and into the union default graph (all
    of ``nt``, or ``union``, its lines the default graph does not have yet); return the
    number of quads written."""
    if union is None:
        out.write(with_union(nt, name))
        return 2 * nt.count(b"\n")
    out.write(as_quads(nt, name) + union)
    return nt.count(b"\n") + union.count(b"\n")


def bulk_build(
    records_dir: Path,
    documents_dir: Path,
    registry_paths: list[Path],
    store_root: Path,
    progress: Progress = _quiet,
    optimize: bool = True,
    load_chunk: int = LOAD_CHUNK,
    workers: int | None = None,
) -> BulkReport:
    """Build curated records and registry records (files or folders) into a new version,
    compacted (``optimize``) before it goes live unless told not to.

    First the curated graphs (reasoned as ``trialkg build`` reasons), then the registry
    records, mapped, validated and reasoned over one by one in ``workers`` child processes
    (:func:`default_workers` if not given; :func:`map_records`), each writing its share to a
    file, then the dataset description (:func:`_map`). Then the engine loads the files
    (:func:`_load_files`): in chunks of ``load_chunk`` bytes, two at a time
    (:func:`load_in_chunks`), which bounds what it holds; with ``load_chunk=0``, in one
    load per file (about 2 GB held, whatever the size of the input).

    Mapping and loading come one after the other, each with every core. Fed while the
    records were mapped, the engine's loader shared the cores with them, and the compaction of
    its files, put off until the load ended, then ran on one core (decision 0005,
    ``benchmarks/RESULTS.md``). The files hold the N-Quads the engine is given (about 400
    bytes a quad, 15 GB at 100,000 synthetic trials); each is deleted once
    the engine has read it.

    Nothing is written after the load; the compaction rewrites the loader's files, which
    overlap (records arrive in no key order), into sorted levels, so that scans read one
    file per level (3x faster on the contradiction checks at 2,000 trials). The checks for
    contradictions across records come last (beside the compaction, on the core it leaves
    free, they slowed it by more than they took: ``benchmarks/RESULTS.md``).
    """
    from trialkg.build import DESCRIPTION_GRAPH, compile_graph
    from trialkg.record_rules import RecordReasoner
    from trialkg.rules import compile_rules
    from trialkg.sources.ctgov import record_files
    from trialkg.validate import ontology_graph

    report = BulkReport()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = round(now - clock, 2)
        clock = now

    compiled = compile_graph(records_dir, documents_dir)
    files = record_files(registry_paths)
    onto = ontology_graph()
    rules = compile_rules(onto)
    context = next(g for name, g in compiled.graphs if name == iri.REFERENCE_GRAPH)
    reasoner = RecordReasoner.build(onto, context, rules)
    lap("curated records")
    with new_version(store_root) as store:
        assert store.path is not None
        work = store.path.parent / (store.path.name + ".work")
        work.mkdir()
        try:
            curated = work / "curated.nq"
            sizes: dict[str, int] = {}
            with curated.open("wb") as out:
                for name, graph in compiled.graphs:
                    if name != DESCRIPTION_GRAPH:
                        nt = graph.serialize(format="nt", encoding="utf-8")
                        report.quads += _write(out, nt, name)
                        sizes[str(name)] = len(graph)
            try:  # parsed strictly once, as the records are (see _load_files)
                ox.Store().bulk_load(path=str(curated), format=ox.RdfFormat.N_QUADS)
            except SyntaxError as exc:
                raise BulkError(
                    f"the curated records give a line the engine refuses: {exc}"
                ) from exc
            base = work / "base.nt"
            base.write_bytes(
                b"".join(g.serialize(format="nt", encoding="utf-8") for g in (onto, context))
            )
            job: dict[str, object] = {
                "records_dir": str(records_dir),
                "base": str(base),
                "curated": str(curated),
                "sizes": sizes,
                "sources": [str(iri.source(sid)) for sid in compiled.sources],
                "rules": rules.as_json(),
                "reasoner": reasoner.as_json(),
                "work": str(work),
            }
            parts = partition(files, workers or default_workers())
            mapped = _map(job, parts, report, progress)
            lap("map, validate and reason")
            _load_files(store._inner, mapped, load_chunk, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        lap("bulk load")
        if optimize:
            store.optimize()
            lap("optimize")
        problems = contradictions(store._inner, rules)
        if problems:
            raise BulkError("the records contradict the ontology: " + "; ".join(problems[:20]))
        lap("contradictions across records")
    return report


def default_workers() -> int:
    """Mapping children for a bulk build: one per core, at least one and at most
    :data:`MAX_WORKERS`.

    The children map before the engine loads (:func:`bulk_build`), so they have every
    core to themselves; each held about 0.3 GB at 100,000 trials (``benchmarks/RESULTS.md``).
    """
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


MAX_WORKERS = 4

_NCT = re.compile(rb"NCT\d{8}", re.IGNORECASE)
_NCT_FIELD = re.compile(rb'"nctId"\s*:\s*"(NCT\d{8})"|<nct_id>\s*(NCT\d{8})\s*</nct_id>')


def trial_key(path: Path) -> str:
    """The NCT number a registry file is about, as cheaply as it can be told: from the file
    name, else from the first 64 KB of the file; else the path itself."""
    named = _NCT.search(path.name.encode("utf-8", "replace"))
    if named is not None:
        return named.group(0).decode("ascii").upper()
    try:
        with path.open("rb") as f:
            stated = _NCT_FIELD.search(f.read(1 << 16))
    except OSError:  # the child that reads it reports why
        return str(path)
    if stated is None:
        return str(path)
    return (stated.group(1) or stated.group(2)).decode("ascii").upper()


def partition(files: list[Path], workers: int) -> list[list[Path]]:
    """The files split among ``workers`` children, all files of one trial in one share (so
    that a record version given twice is found by the child that has both), each share in
    the order of ``files``; no more shares than files, and at least one."""
    n = max(1, min(workers, len(files)))
    parts: list[list[Path]] = [[] for _ in range(n)]
    for f in files:
        parts[zlib.crc32(trial_key(f).encode("utf-8")) % n].append(f)
    return parts


def _child(mode: str) -> subprocess.Popen[bytes]:
    """A child process running :func:`_main` in ``mode`` (its job on stdin, messages on
    stdout)."""
    import trialkg

    env = dict(os.environ)
    package_root = str(Path(trialkg.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "trialkg.bulk", mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def _send(child: subprocess.Popen[bytes], job: dict[str, object]) -> None:
    assert child.stdin is not None
    child.stdin.write(json.dumps(job).encode("utf-8"))
    child.stdin.close()


def _map(
    job: dict[str, object],
    parts: list[list[Path]],
    report: BulkReport,
    progress: Progress,
) -> list[Path]:
    """Map the records of each share of ``parts`` in a child process of its own
    (:func:`_map_worker`), each writing the N-Quads of its share to a file of its own; once
    they are all done, a last child writes the dataset description (:func:`_finish_worker`)
    to one more file. Return the files, to be loaded in their order (:func:`_load_files`).

    ``job``: what every child needs (see :func:`bulk_build`), with ``work``, a folder for
    the children's files. A child that fails stops the others and the build.
    """
    work = Path(cast(str, job["work"]))
    total = sum(len(part) for part in parts)
    messages: queue.Queue[tuple[int, dict[str, object] | None]] = queue.Queue()

    def listen(k: int, child: subprocess.Popen[bytes]) -> None:
        assert child.stdout is not None
        for line in child.stdout:
            messages.put((k, json.loads(line)))
        messages.put((k, None))

    children: list[subprocess.Popen[bytes]] = []
    errors: list[str] = []  # what a child said first, then exit statuses
    said = 0  # how many of ``errors`` a child said
    spooled = [work / f"worker-{k}.nq" for k in range(len(parts))]
    try:
        for k, part in enumerate(parts):
            child = _child("map")
            children.append(child)
            threading.Thread(target=listen, args=(k, child), daemon=True).start()
            _send(
                child,
                {
                    **job,
                    "files": [str(f) for f in part],
                    "curated_too": k == 0,
                    "state": str(work / f"worker-{k}"),
                    "out": str(spooled[k]),
                },
            )
        done: dict[int, dict[str, object]] = {}
        mapped = [0] * len(parts)
        running = len(children)
        while running:
            k, message = messages.get()
            if message is None:
                running -= 1
                code = children[k].wait()
                if code != 0 or k not in done:
                    errors.append(f"mapping the registry records failed (exit status {code})")
                    _stop(children)
            elif "progress" in message:
                mapped[k] = cast(int, message["progress"])
                progress(sum(mapped), total, f"mapping {message['name']}")
            elif "failed" in message:
                file, why = cast(list[str], message["failed"])
                report.failed.append((file, why))
            elif "error" in message:
                errors.insert(said, cast(str, message["error"]))
                said += 1
                _stop(children)
            elif "done" in message:
                done[k] = cast(dict[str, object], message["done"])
        if not errors:
            states = [work / f"worker-{k}" for k in range(len(parts))]
            _no_version_twice(states)
            finisher = _child("finish")
            children.append(finisher)
            record_triples = sum(cast(int, d["record_triples"]) for d in done.values())
            described = work / "description.nq"
            spooled.append(described)
            _send(
                finisher,
                {
                    **job,
                    "states": [str(s) for s in states],
                    "record_triples": record_triples,
                    "out": str(described),
                },
            )
            assert finisher.stdout is not None
            finished = [json.loads(line) for line in finisher.stdout]
            if finisher.wait() != 0 or not finished:
                errors.append(f"describing the dataset failed (exit status {finisher.returncode})")
            else:
                report.quads += cast(int, finished[-1]["quads"])
                report.inferred = cast(int, finished[-1]["inferred"])
        for d in done.values():
            report.records += cast(int, d["records"])
            report.quads += cast(int, d["quads"])
        peaks = [cast(int, d["peak_rss_mb"]) for d in done.values() if d.get("peak_rss_mb")]
        report.mapper_peak_rss_mb = max(peaks) if peaks else None
        report.mappers = len(parts)
    except BaseException:
        _stop(children)
        raise
    finally:
        for child in children:
            child.wait()
    report.failed.sort()
    if errors:  # what a child said comes first
        raise BulkError(errors[0])
    progress(total, total, "mapped")
    return spooled


def _load_files(engine: ox.Store, files: list[Path], load_chunk: int, progress: Progress) -> None:
    """Bulk-load the N-Quads ``files`` into ``engine``, in chunks of ``load_chunk`` bytes
    (:func:`load_in_chunks`), or each file in one load if ``load_chunk`` is 0; each file is
    deleted once it is read.

    The engine loads them leniently: their lines were parsed strictly before they were
    written (the curated graphs by :func:`bulk_build`, each record version's assertions and
    provenance by the child's validation, :meth:`_Batch.violations`), and the rest is made of
    their terms (what reasoning adds) or of IRIs the build mints from checked NCT numbers
    (the description). Checking every IRI again cost the loader a tenth of its time.
    """
    try:
        _load_all(engine, files, load_chunk, progress)
    except (SyntaxError, OSError) as exc:
        raise BulkError(f"the engine could not load the mapped records: {exc}") from exc


def _load_all(engine: ox.Store, files: list[Path], load_chunk: int, progress: Progress) -> None:
    total = sum(f.stat().st_size for f in files)
    what = f"loading ({total / 1e6:,.0f} MB)"
    if not load_chunk:
        read = 0
        for f in files:
            progress(read, total, what)
            engine.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS, lenient=True)
            read += f.stat().st_size
            f.unlink()
        progress(total, total, "loaded")
        return
    source = _Files(files, lambda read: progress(read, total, what))
    try:
        load_in_chunks(engine, source, load_chunk, lenient=True)
    finally:
        source.close()
    progress(total, total, "loaded")


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()


def _no_version_twice(states: list[Path]) -> None:
    """Fail if two children wrote the same record graph (two files of one record version
    whose names and first 64 KB told different NCT numbers)."""
    seen: dict[str, int] = {}
    for k, state in enumerate(states):
        for name in json.loads(state.with_suffix(".json").read_text(encoding="utf-8"))["graphs"]:
            if name in seen:
                raise BulkError(
                    f"the record graph <{name}> came from two files (in shares {seen[name]} "
                    f"and {k}); give each record version once"
                )
            seen[name] = k


class Readable(Protocol):
    """What :func:`load_in_chunks` reads from: a binary file, a pipe, :class:`_Files`."""

    def read(self, size: int, /) -> bytes: ...

    def readline(self) -> bytes: ...


def load_in_chunks(
    engine: ox.Store,
    source: Readable,
    chunk: int,
    lenient: bool = False,
    threads: int = LOAD_THREADS,
) -> int:
    """Bulk-load the N-Quads read from ``source`` into ``engine`` in chunks of about
    ``chunk`` bytes, each ending at a line end, ``threads`` chunks at a time (one engine
    ``bulk_load`` call each, in threads of their own); return the number of lines.

    Given a whole input at once, the engine's loader holds about 2 GB: batches of a million
    quads, two in flight beside the one it fills. Given less than a batch per call, it holds
    about what it is given: two calls of 16 MB at a time held 0.4 GB where one load held
    2.4-2.6 GB, and took as long (``benchmarks.engine_chunks``, ``benchmarks/RESULTS.md``).
    One call at a time would leave the engine's second core idle while the first parses.

    A line the engine refuses raises ``SyntaxError`` naming the line its chunk starts after;
    the chunks not yet loaded then are not, and ``source`` is not read further.
    ``lenient``: IRIs and language tags are not checked (see :func:`_load_files`).
    """
    pending: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def work() -> None:
        while (item := pending.get()) is not None:
            if failed:
                continue  # drain what is queued, load nothing more
            start, data = item
            try:
                engine.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=lenient)
            except SyntaxError as exc:
                refused = SyntaxError(f"after line {start} of the N-Quads: {exc}")
                refused.__cause__ = exc
                failed.append(refused)
            except BaseException as exc:
                failed.append(exc)

    loaders = [threading.Thread(target=work, name=f"bulk-load-{k}") for k in range(max(1, threads))]
    for loader in loaders:
        loader.start()
    lines = 0
    try:
        while not failed:
            data = source.read(chunk)
            if not data:
                break
            if not data.endswith(b"\n"):
                data += source.readline()  # the rest of the line the read cut
            pending.put((lines, data))
            lines += data.count(b"\n")
    finally:
        for _ in loaders:
            pending.put(None)
        for loader in loaders:
            loader.join()
    if failed:
        raise failed[0]
    return lines


class _Files:
    """The bytes of several files, one after the other, as one binary stream (``read`` and
    ``readline``, as :func:`load_in_chunks` reads them), each file deleted once it is read
    to its end; ``read_so_far`` is told the bytes read after each read. Each file ends with
    a line end, so that no line runs from one file into the next."""

    def __init__(self, files: list[Path], read_so_far: Callable[[int], None]) -> None:
        self._files = list(files)
        self._current: IO[bytes] | None = None
        self._read = 0
        self._told = read_so_far

    def _open(self) -> IO[bytes] | None:
        if self._current is None and self._files:
            self._current = self._files[0].open("rb")
        return self._current

    def _next(self) -> None:
        assert self._current is not None
        self._current.close()
        self._current = None
        self._files.pop(0).unlink()

    def _take(self, how: Callable[[IO[bytes]], bytes]) -> bytes:
        while (current := self._open()) is not None:
            data = how(current)
            if data:
                self._read += len(data)
                self._told(self._read)
                return data
            self._next()
        return b""

    def read(self, size: int) -> bytes:
        return self._take(lambda f: f.read(size))

    def readline(self) -> bytes:
        return self._take(lambda f: f.readline())

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None


def _digest(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=16).digest()


class UnionLines:
    """Which lines of a record graph its copy in the union default graph still needs.

    Versions of one trial state mostly the same triples, and many trials the same triples
    about a drug, a sponsor or a condition; the engine's loader keeps one copy of each, but
    parses and encodes every line it is given first (at 20,000 trials 9% of the lines were
    such copies, and cost as much of the loader's time; ``benchmarks/RESULTS.md``). The
    lines of a trial's versions are remembered for the last :attr:`trials` trials (the
    versions of a trial are written a few batches apart at most); lines about nodes of no
    study and no source's evidence (shared nodes) are remembered for the whole build, by
    digest. A line forgotten is written again and the loader drops the copy: no triple is
    ever left out of the default graph.
    """

    def __init__(self, trials: int = 512) -> None:
        self.trials = trials
        self._own = (f"<{iri.ID}study/".encode(), f"<{iri.ID}evidence/".encode())
        self._seen: OrderedDict[str, set[bytes]] = OrderedDict()  # oldest trial first
        self._shared = DigestSet()

    def new(self, nt: bytes, trial: str) -> bytes:
        """The lines of ``nt`` (the graph of a version of ``trial``) not given before."""
        lines = nt.splitlines()
        seen = self._seen.pop(trial, None)
        if seen is None:
            fresh, seen = lines, set(lines)
            if len(self._seen) >= self.trials:
                self._seen.popitem(last=False)
        else:
            fresh = [line for line in lines if line not in seen]
            seen.update(fresh)
        self._seen[trial] = seen
        shared = [line for line in fresh if not line.startswith(self._own)]
        if shared:
            is_new = self._shared.add_new([_digest(line) for line in shared])
            known = {line for line, new in zip(shared, is_new, strict=True) if not new}
            if known:
                fresh = [line for line in fresh if line not in known]
        return b"\n".join(fresh) + b"\n" if fresh else b""


class Output:
    """Where the mapping child writes: N-Quads to ``out``, each triple in its graph and in
    the union default graph, counting the triples of each graph. Triples of the graphs that
    many records add to (provenance, inferred) are written once each, and a record graph's
    triples once each to the default graph (:class:`UnionLines`)."""

    def __init__(
        self,
        out: IO[bytes],
        sizes: dict[str, int] | None = None,
        sources: list[str] | None = None,
        shared: dict[str, bytes] | None = None,
    ) -> None:
        self.out = out
        self.quads = 0
        self.sizes: dict[str, int] = dict(sizes or {})
        self.sources: list[str] = list(sources or [])  # not described yet
        self.records: set[str] = set()  # the record graphs, described as written
        self.union = UnionLines()
        # shared graph -> 128-bit digests of the lines written to it so far (seeded with the
        # curated ones), 16 bytes each; two of 2**32 lines collide with a chance of about
        # 2**-65
        self.seen: dict[str, DigestSet] = {}
        for g, nt in (shared or {}).items():
            self.seen[g] = DigestSet()
            self.seen[g].add_new([_digest(line) for line in nt.splitlines()])

    def graph(self, nt: bytes, name: URIRef, source: str, trial: str) -> None:
        """A graph of its own (a version of the record of ``trial``), all of ``nt``, from
        ``source`` (IRI); then their entries in the description, final now
        (:meth:`description` writes the rest), so that the loader does not get them all at
        the end."""
        from trialkg.build import DESCRIPTION_GRAPH, entry_ntriples

        if str(name) in self.sizes:
            raise ValueError(f"the graph <{name}> was written before")
        n = nt.count(b"\n")
        self.quads += _write(self.out, nt, name, self.union.new(nt, trial))
        self.sizes[str(name)] = n
        self.records.add(str(name))
        self.quads += _write(self.out, entry_ntriples(str(name), n, source), DESCRIPTION_GRAPH)

    def shared(self, nt: bytes, name: URIRef) -> int:
        """The lines of ``nt`` not yet in the shared graph ``name``; return how many."""
        seen = self.seen.setdefault(str(name), DigestSet())
        lines = nt.splitlines()
        fresh = seen.add_new([_digest(line) for line in lines])
        new = [line for line, is_new in zip(lines, fresh, strict=True) if is_new]
        if new:
            self.quads += _write(self.out, b"\n".join(new) + b"\n", name)
        self.sizes[str(name)] = len(seen)
        return len(new)

    def description(self, total: int | None = None) -> None:
        """The rest of the VoID/DCAT description of everything written: the dataset's own
        triples, with its size (``total``, else what this output counted), and the entries
        of the graphs and sources that :meth:`graph` did not describe (curated and shared
        graphs)."""
        from trialkg.build import DESCRIPTION_GRAPH, describe_ntriples

        done = self.records
        sizes = [(URIRef(g), n) for g, n in sorted(self.sizes.items()) if n and g not in done]
        sources = [URIRef(s) for s in sorted(set(self.sources))]
        if total is None:
            total = sum(self.sizes.values())
        for nt in describe_ntriples(sizes, sources, total=total):
            self.quads += _write(self.out, nt, DESCRIPTION_GRAPH)

    def record_triples(self) -> int:
        """The triples of the record graphs written (described as written)."""
        return sum(self.sizes[g] for g in self.records)

    def save_state(self, path: Path) -> None:
        """What the description and the checks across outputs need of this output once
        others wrote beside it: the record graphs (``path`` with ``.json``) and the digests
        of each shared graph (``path`` with ``.npz``)."""
        import numpy as np

        state = {"graphs": sorted(self.records)}
        path.with_suffix(".json").write_text(json.dumps(state), encoding="utf-8")
        arrays: dict[str, Any] = {
            f"g{i}": digests.to_array() for i, digests in enumerate(self.seen.values())
        }
        arrays["names"] = np.array(list(self.seen))
        np.savez(path.with_suffix(".npz"), allow_pickle=False, **arrays)


# Seconds between two progress messages of the mapping child.
PROGRESS_SECONDS = 0.2


def map_records(
    records_dir: Path,
    base: bytes,
    files: list[Path],
    out: Output,
    emit: Callable[[dict[str, object]], None],
    reasoner: RecordReasoner | None = None,
) -> BulkReport:
    """Read, map and validate registry records, writing the accepted ones to ``out``; with
    ``reasoner``, what reasoning adds to each (as ``trialkg import`` reasons, record by
    record) too, into the inferred graph. ``emit`` receives progress and every record left
    out. The report counts the records written and the inferred triples new to ``out``."""
    from trialkg.sources.ctgov import records_in
    from trialkg.triples.ctgov import Context, registry_ntriples

    report = BulkReport()
    ctx = Context.from_records(records_dir)
    batches = _Batches(base)
    shown = -PROGRESS_SECONDS
    for n, path in enumerate(files, 1):
        now = time.monotonic()
        if now - shown >= PROGRESS_SECONDS:  # a message per record cost both processes
            emit({"progress": n - 1, "name": path.name})
            shown = now
        records, errors = records_in(path)
        for error in errors:
            emit({"failed": [str(path), str(error)]})
        for rec in records:  # one, or a page of search results
            try:
                sid, lines, prov_lines, _built = registry_ntriples(rec, ctx)
                nt, prov_nt = lines.ntriples(), prov_lines.ntriples()
            except Exception as exc:
                failure = f"cannot map the record: {type(exc).__name__}: {exc}"
                emit({"failed": [rec.place, failure]})
                continue
            full = batches.add(rec.nct_id, rec.place, sid, nt, prov_nt, lines.subjects)
            if full is not None:
                _flush(full, out, report, emit, reasoner)
    for batch in batches.rest():
        _flush(batch, out, report, emit, reasoner)
    return report


WRITE_BUFFER = 1 << 20
"""Bytes a mapping child buffers before it writes to its file."""


def _emit(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _map_worker() -> int:
    """A mapping child of :func:`_map`: a job (JSON) on stdin, N-Quads into the
    file ``out`` of the job, one JSON message per line on stdout. The first child writes
    the curated graphs first; each then writes its records, and leaves what the description
    needs of them in ``state`` (:meth:`Output.save_state`)."""
    from trialkg.record_rules import RecordReasoner

    job = json.loads(sys.stdin.read())
    with open(job["out"], "wb", buffering=WRITE_BUFFER) as spool:
        try:
            curated = Path(job["curated"]).read_bytes()
            if job.get("curated_too"):
                spool.write(curated)
            out = Output(
                spool,
                job["sizes"],
                job["sources"],
                {str(g): _lines_in(curated, g) for g in (iri.PROVENANCE_GRAPH, iri.INFERRED_GRAPH)},
            )
            rules = RuleSet.from_json(job["rules"])
            report = map_records(
                Path(job["records_dir"]),
                Path(job["base"]).read_bytes(),
                [Path(f) for f in job["files"]],
                out,
                _emit,
                RecordReasoner.from_json(job["reasoner"], rules),
            )
        except BulkError as exc:
            _emit({"error": str(exc)})
            return 1
    out.save_state(Path(job["state"]))
    done = {"records": report.records, "quads": out.quads, "record_triples": out.record_triples()}
    _emit({"done": {**done, "peak_rss_mb": own_peak_rss_mb()}})
    return 0


def _finish_worker() -> int:
    """The last child of :func:`_map`: the dataset description, from the curated
    graphs' sizes, the record graphs' triples and the mapping children's states (the shared
    graphs' digests united), into the file ``out`` of the job; one JSON message on stdout:
    the quads written and the inferred graph's size."""
    import numpy as np
    from numpy.typing import NDArray

    job = json.loads(sys.stdin.read())
    with open(job["out"], "wb") as described:
        out = Output(described, job["sizes"], job["sources"])
        shared: dict[str, list[NDArray[np.uint64]]] = {}
        for state in map(Path, job["states"]):
            with np.load(state.with_suffix(".npz")) as arrays:
                for i, name in enumerate(arrays["names"].tolist()):
                    shared.setdefault(str(name), []).append(arrays[f"g{i}"])
        for name, parts in shared.items():
            out.sizes[name] = union_size(parts)
        out.description(total=sum(out.sizes.values()) + job["record_triples"])
    inferred = out.sizes.get(str(iri.INFERRED_GRAPH), 0)
    _emit({"quads": out.quads, "inferred": inferred})
    return 0


def _lines_in(nquads: bytes, graph: URIRef) -> bytes:
    """The N-Triples lines of ``graph`` in N-Quads as :func:`_write` writes them."""
    tail = f" <{graph}> .".encode()
    return b"".join(
        line[: -len(tail)] + b" .\n" for line in nquads.splitlines() if line.endswith(tail)
    )


# Record versions validated together. Per record version, the shape queries and the batch's
# load cost about the same from 10 to 100 versions (least at 10-25); the child's peak memory
# grows with the batch: 121 MB at 25, 240 MB at 100 (1,000 trials; benchmarks/RESULTS.md).
BATCH_RECORDS = 200
# ... and at most this many N-Triples lines (assertions), so that a batch of small records
# (a registry record without results has about 200 lines, one with results 1,400-2,000)
# pays the batch's fixed costs once for more of them.
BATCH_LINES = 35_000


class _Item(NamedTuple):
    """A mapped record version waiting in a batch."""

    file: str
    sid: str  # source id
    graph: bytes  # assertions, N-Triples
    prov: bytes  # provenance, N-Triples
    trial: str  # NCT number


class _Batch:
    """Records validated together: at most one version of each trial (versions of one trial
    may disagree, which is kept and reported as a conflict, not a violation)."""

    def __init__(self, base: bytes) -> None:
        self.items: list[_Item] = []
        self.owner: dict[str, str] = {}  # subject -> the first source id that states it
        self.ncts: set[str] = set()
        self.lines = 0
        self.base = base  # ontology and reference graph as N-Triples, serialised once
        self.refused: dict[str, str] = {}  # source id -> what the engine said of a line

    def accepts(self, nct: str) -> bool:
        return nct not in self.ncts and not self.full()

    def full(self) -> bool:
        return len(self.items) >= BATCH_RECORDS or self.lines >= BATCH_LINES

    def add(
        self, nct: str, file: str, sid: str, graph: bytes, prov: bytes, subjects: set[str]
    ) -> None:
        self.ncts.add(nct)
        self.items.append(_Item(file, sid, graph, prov, nct))
        self.lines += graph.count(b"\n")
        for s in subjects:
            self.owner.setdefault(s, sid)

    def violations(self) -> dict[str, list[str]]:
        """Violations per source id, from the compiled shapes run once over the batch.

        Each record version's assertions and provenance are parsed strictly here (the
        engine's own checks of IRIs and language tags), so that the build's loader need not
        check them again; a version with a line the engine refuses is left out of the
        shapes and named in :attr:`refused`."""
        from trialkg.shacl_sparql import run_checks

        if not self.items:
            return {}
        work = ox.Store()
        try:
            self._load(work, self.items)
        except SyntaxError:
            good = []
            for item in self.items:
                for part, lines in (("assertions", item.graph), ("provenance", item.prov)):
                    try:
                        ox.Store().bulk_load(lines, format=ox.RdfFormat.N_TRIPLES)
                    except SyntaxError as refused:
                        self.refused[item.sid] = f"in its mapped {part}: {refused}"
                        break
                else:
                    good.append(item)
            if not self.refused:  # no version alone: the ontology or the reference graph
                raise
            work = ox.Store()
            if good:
                self._load(work, good)
        out: dict[str, list[str]] = {}
        for focus, path, message, value in run_checks(work):
            sid = self.owner.get(str(focus), "")
            prop = f" ({str(path).rsplit('#', 1)[-1]})" if path else ""
            detail = f" (value {value})" if value is not None else ""
            out.setdefault(sid, []).append(f"<{focus}>{prop}: {message}{detail}")
        return out

    def _load(self, work: ox.Store, items: list[_Item]) -> None:
        """The assertions of ``items`` (with the ontology and the reference graph) into the
        default graph of ``work``, their provenance into a graph of its own (the shapes read
        the default graph only); both parsed strictly."""
        data = b"".join([self.base, *(item.graph for item in items)])
        work.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        provenance = b"".join(item.prov for item in items)
        if provenance:
            graph = ox.NamedNode(str(iri.PROVENANCE_GRAPH))
            work.bulk_load(provenance, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


class _Batches:
    """The open batches: a record version goes to the first one that has no version of its
    trial yet (the versions of a trial come one after the other), so batches fill up to
    :data:`BATCH_RECORDS` instead of closing at every second version of a trial."""

    def __init__(self, base: bytes) -> None:
        self.base = base
        self.open: list[_Batch] = []

    def add(
        self, nct: str, file: str, sid: str, graph: bytes, prov: bytes, subjects: set[str]
    ) -> _Batch | None:
        """Add a record version; return a batch that is now full (to be validated)."""
        batch = next((b for b in self.open if b.accepts(nct)), None)
        if batch is None:
            batch = _Batch(self.base)
            self.open.append(batch)
        batch.add(nct, file, sid, graph, prov, subjects)
        if not batch.full():
            return None
        self.open.remove(batch)
        return batch

    def rest(self) -> list[_Batch]:
        """The batches still open, in the order they were opened."""
        rest, self.open = self.open, []
        return rest


def _flush(
    batch: _Batch,
    out: Output,
    report: BulkReport,
    emit: Callable[[dict[str, object]], None],
    reasoner: RecordReasoner | None = None,
) -> None:
    bad = batch.violations()
    for file, sid, graph, prov, nct in batch.items:
        if sid in batch.refused:
            emit({"failed": [file, f"a triple the engine refuses, {batch.refused[sid]}"]})
            continue
        if sid in bad:
            issues = bad[sid]
            emit({"failed": [file, f"{len(issues)} SHACL violation(s); first: {issues[0]}"]})
            continue
        if str(iri.source_graph(sid)) in out.sizes:
            emit({"failed": [file, f"the same record version ({sid}) as a file before it"]})
            continue
        out.graph(graph, iri.source_graph(sid), str(iri.source(sid)), nct)
        out.shared(prov, iri.PROVENANCE_GRAPH)
        report.records += 1
        if reasoner is not None:
            inferred = "".join(f"{s} {p} {o} .\n" for s, p, o in reasoner.infer(graph))
            report.inferred += out.shared(inferred.encode("utf-8"), iri.INFERRED_GRAPH)
    unowned = bad.get("")
    if unowned:
        raise BulkError(f"{len(unowned)} SHACL violation(s) on shared nodes: {unowned[0]}")


def _main(argv: list[str]) -> int:
    (mode,) = argv
    return (_map_worker if mode == "map" else _finish_worker)()


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
