"""Bulk build: the curated records and many registry records into a new store version at once.

``trialkg import ctgov`` adds records one transaction at a time to a built store; for tens of
thousands of records that costs a transaction, a validation and a reasoning run per record.
This path streams every record's triples into one N-Quads file, loads it with the engine's bulk
loader into a new store version, then validates (the shapes compiled to whole-graph SPARQL)
and reasons (the ontology's rules) once over everything. The version goes live only if all of
it succeeds; a record that cannot be read or mapped is reported and left out, whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, URIRef

from trialkg import iri
from trialkg.store import new_version
from trialkg.triples.ntriples import as_quads

Progress = Callable[[int, int, str], None]


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


def _quiet(done: int, total: int, name: str) -> None:
    return None


def _write_graph(out: IO[bytes], graph: Graph, name: URIRef) -> int:
    """Write a graph's triples into its named graph and into the union default graph."""
    nt = graph.serialize(format="nt", encoding="utf-8")
    suffix = f" <{name}> .\n".encode()
    count = 0
    for line in nt.splitlines():
        if line.strip():
            out.write(line[:-2] + suffix)
            out.write(line + b"\n")
            count += 2
    return count


def _write_lines(out: IO[bytes], nt: bytes, name: URIRef) -> int:
    """Like :func:`_write_graph`, for N-Triples written by ``TripleLines``."""
    out.write(as_quads(nt, name))
    out.write(nt)
    return 2 * nt.count(b"\n")


REASONING_INPUT = """CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ ?s a ?o . BIND (<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> AS ?p)
     FILTER (isIRI(?s) && STRSTARTS(STR(?o), "{tkg}")) }}
  UNION
  {{ VALUES ?p {{ {props} }} ?s ?p ?o . FILTER (isIRI(?o)) }}
}}"""


def bulk_build(
    records_dir: Path,
    documents_dir: Path,
    registry_paths: list[Path],
    store_root: Path,
    progress: Progress = _quiet,
) -> BulkReport:
    """Build curated records and registry records (files or folders) into a new version."""
    from trialkg.build import compile_graph, refresh_description
    from trialkg.rules import compile_rules, infer_in_store
    from trialkg.sources.ctgov import RegistryParseError, read_record, record_files
    from trialkg.triples.ctgov import Context, registry_ntriples
    from trialkg.validate import ontology_graph

    report = BulkReport()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = round(now - clock, 2)
        clock = now

    compiled = compile_graph(records_dir, documents_dir, reason=False)
    ctx = Context.from_records(records_dir)
    files = record_files(registry_paths)
    lap("curated records")
    context = next(g for name, g in compiled.graphs if name == iri.REFERENCE_GRAPH)
    with new_version(store_root) as store:
        assert store.path is not None
        dump = store.path.parent / (store.path.name + ".nq")
        try:
            with dump.open("wb") as out:
                for name, graph in compiled.graphs:
                    if name != iri.INFERRED_GRAPH:
                        report.quads += _write_graph(out, graph, name)
                base = b"".join(
                    g.serialize(format="nt", encoding="utf-8") for g in (ontology_graph(), context)
                )
                batch = _Batch(base)
                for n, path in enumerate(files, 1):
                    progress(n - 1, len(files), path.name)
                    try:
                        rec = read_record(path)
                        sid, lines, prov_lines, _built = registry_ntriples(rec, ctx)
                        nt, prov_nt = lines.ntriples(), prov_lines.ntriples()
                    except RegistryParseError as exc:
                        report.failed.append((str(path), str(exc)))
                        continue
                    except Exception as exc:
                        error = f"cannot map the record: {type(exc).__name__}: {exc}"
                        report.failed.append((str(path), error))
                        continue
                    if not batch.accepts(rec.nct_id):
                        _flush(batch, out, report)
                        batch = _Batch(base)
                    batch.add(rec.nct_id, str(path), sid, nt, prov_nt, lines.subjects)
                _flush(batch, out, report)
                progress(len(files), len(files), "")
            lap("map and write N-Quads")
            store._inner.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
            lap("bulk load")
        finally:
            dump.unlink(missing_ok=True)
        rules = compile_rules(ontology_graph())
        work = ox.Store()
        props = " ".join(f"<{p}>" for p in sorted(rules.object_properties))
        query = REASONING_INPUT.format(tkg=iri.BASE + "ontology#", props=props)
        onto_nt = ontology_graph().serialize(format="nt", encoding="utf-8")
        work.bulk_load(onto_nt, format=ox.RdfFormat.N_TRIPLES)
        triples = store._inner.query(query)
        assert isinstance(triples, ox.QueryTriples)
        nt_format = ox.RdfFormat.N_TRIPLES
        work.bulk_load(triples.serialize(format=nt_format), format=nt_format)
        inferred, _individuals, problems = infer_in_store(work, rules)
        if problems:
            raise BulkError("the records contradict the ontology: " + "; ".join(problems[:20]))
        derived = dump.with_suffix(".inferred.nq")
        try:
            with derived.open("wb") as out:
                report.inferred = _write_graph(out, inferred, iri.INFERRED_GRAPH) // 2
            store._inner.bulk_load(path=str(derived), format=ox.RdfFormat.N_QUADS)
        finally:
            derived.unlink(missing_ok=True)
        report.quads += 2 * report.inferred
        lap("reasoning (rules)")
        refresh_description(store)
        lap("description")
        store.optimize()
        lap("optimize")
    return report


BATCH_RECORDS = 500


class _Batch:
    """Records validated together: at most one version of each trial (versions of one trial
    may disagree, which is kept and reported as a conflict, not a violation)."""

    def __init__(self, base: bytes) -> None:
        # (file, source id, assertions and provenance as N-Triples)
        self.items: list[tuple[str, str, bytes, bytes]] = []
        self.owner: dict[str, str] = {}  # subject -> the first source id that states it
        self.ncts: set[str] = set()
        self.base = base  # ontology and reference graph as N-Triples, serialised once

    def accepts(self, nct: str) -> bool:
        return nct not in self.ncts and len(self.items) < BATCH_RECORDS

    def add(
        self, nct: str, file: str, sid: str, graph: bytes, prov: bytes, subjects: set[str]
    ) -> None:
        self.ncts.add(nct)
        self.items.append((file, sid, graph, prov))
        for s in subjects:
            self.owner.setdefault(s, sid)

    def violations(self) -> dict[str, list[str]]:
        """Violations per source id, from the compiled shapes run once over the batch."""
        from trialkg.shacl_sparql import run_checks

        if not self.items:
            return {}
        work = ox.Store()
        data = b"".join([self.base, *(graph for _file, _sid, graph, _prov in self.items)])
        work.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        out: dict[str, list[str]] = {}
        for focus, path, message, value in run_checks(work):
            sid = self.owner.get(str(focus), "")
            prop = f" ({str(path).rsplit('#', 1)[-1]})" if path else ""
            detail = f" (value {value})" if value is not None else ""
            out.setdefault(sid, []).append(f"<{focus}>{prop}: {message}{detail}")
        return out


def _flush(batch: _Batch, out: IO[bytes], report: BulkReport) -> None:
    bad = batch.violations()
    for file, sid, graph, prov in batch.items:
        if sid in bad:
            issues = bad[sid]
            report.failed.append((file, f"{len(issues)} SHACL violation(s); first: {issues[0]}"))
            continue
        report.quads += _write_lines(out, graph, iri.source_graph(sid))
        report.quads += _write_lines(out, prov, iri.PROVENANCE_GRAPH)
        report.records += 1
    unowned = bad.get("")
    if unowned:
        raise BulkError(f"{len(unowned)} SHACL violation(s) on shared nodes: {unowned[0]}")
