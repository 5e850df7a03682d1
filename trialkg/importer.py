"""Import ClinicalTrials.gov records into the store, record by record.

Each record version becomes its own source: a named graph with what it states, provenance
(file, checksum, version date, format) and what reasoning adds. A record is validated
(SHACL) and written in one transaction: it is imported whole or not at all, and a bad record
never stops the others. Re-importing a record version that is already in the store is a
no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from trialkg import iri
from trialkg.reason import infer
from trialkg.records.loader import load_reference
from trialkg.sources.ctgov import RegistryStudy, record_files, records_in
from trialkg.store import Store
from trialkg.triples.ctgov import Context, ImportReport, registry_graphs
from trialkg.triples.curated import reference_graph
from trialkg.validate import ontology_graph, shacl_issues

Progress = Callable[[int, int, str], None]


FLUSH_EVERY = 100  # records between flushes of the store's write buffers


def _quiet(done: int, total: int, name: str) -> None:
    return None


def validate_registry_graph(graph: Graph, context: Graph, file: str) -> list[str]:
    """SHACL issues of one registry record's graph (whole-graph checks on Oxigraph)."""
    return [str(i) for i in shacl_issues(graph, context, {}, None, file)]


def import_ctgov(
    paths: list[Path],
    store: Store,
    records_dir: Path,
    reason: bool = True,
    progress: Progress = _quiet,
) -> list[ImportReport]:
    """Import every record file (folders are expanded) into ``store``: one report per
    record (a file may hold a page of them), or per file that cannot be read."""
    ctx = Context.from_records(records_dir)
    ref_path = records_dir / "reference.yaml"
    context = reference_graph(load_reference(ref_path)[0]) if ref_path.is_file() else Graph()
    files = record_files(paths)
    reports: list[ImportReport] = []
    for n, path in enumerate(files, 1):
        progress(n - 1, len(files), path.name)
        records, errors = records_in(path)
        reports += [ImportReport(str(path), error=str(error)) for error in errors]
        for rec in records:
            reports.append(_import_one(rec, store, ctx, context, reason))
            if len(reports) % FLUSH_EVERY == 0:
                store.flush()  # lets the engine write its memory tables out, drop its logs
    progress(len(files), len(files), "")
    store.flush()
    return reports


def _import_one(
    rec: RegistryStudy, store: Store, ctx: Context, context: Graph, reason: bool
) -> ImportReport:
    """Map, validate, reason over and add one record in one transaction; its report."""
    where = rec.place
    report = ImportReport(where, rec.nct_id)
    try:
        sid, graph, prov, built = registry_graphs(rec, ctx)
    except Exception as exc:
        report.error = f"{where}: cannot map the record: {type(exc).__name__}: {exc}"
        return report
    report.__dict__.update({k: v for k, v in built.__dict__.items() if k != "file"})
    name = iri.source_graph(sid)
    if store.has_graph(str(name)):
        report.skipped.append("already imported: this record version is in the store")
        report.triples = 0
        return report
    issues = validate_registry_graph(graph, context, where)
    if issues:
        report.error = f"{len(issues)} SHACL violation(s); first: {issues[0]}"
        return report
    graphs = [(name, graph), (iri.PROVENANCE_GRAPH, prov)]
    if reason:
        try:
            graphs.append((iri.INFERRED_GRAPH, infer(ontology_graph(), [context, graph]).inferred))
        except Exception as exc:
            report.error = f"{where}: reasoning failed: {exc}"
            return report
    report.triples = store.add_graphs_atomically(graphs)
    return report
