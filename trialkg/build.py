"""Build the knowledge graph: records -> checks -> triples -> SHACL -> reasoning -> store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from trialkg import __version__, iri
from trialkg.paths import ontology_file, shapes_file
from trialkg.reason import infer
from trialkg.records.checks import Known, check_across, check_reference, check_source
from trialkg.records.loader import (
    LoadedYaml,
    RecordError,
    RecordIssue,
    load_reference,
    load_source,
    source_files,
)
from trialkg.records.model import ReferenceRecord, SourceRecord
from trialkg.store import Store, load_dataset, new_version
from trialkg.terms import TKG
from trialkg.triples.curated import PROV, SourceGraphs, reference_graph, source_graphs
from trialkg.validate import ontology_graph, shacl_issues

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DESCRIPTION_GRAPH = URIRef(iri.GRAPH + "dataset")
GENID = "https://w3id.org/trialkg/ontology/.well-known/genid/"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class Compiled:
    """Everything a build writes, in memory and checked."""

    graphs: list[tuple[URIRef, Graph]]
    sources: list[str]
    fingerprint: str
    inferred_triples: int = 0
    files: list[Path] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(len(g) for _, g in self.graphs)


def read_records(
    records_dir: Path, documents_dir: Path
) -> tuple[ReferenceRecord, list[tuple[SourceRecord, LoadedYaml, str]]]:
    """Load and check every record file; raise :class:`RecordError` listing all issues."""
    issues: list[RecordIssue] = []
    ref_path = records_dir / "reference.yaml"
    reference = ReferenceRecord()
    if ref_path.is_file():
        try:
            reference, ref_doc = load_reference(ref_path)
            issues += check_reference(reference, ref_doc)
        except RecordError as exc:
            issues += exc.issues
    known = Known.from_reference(reference)
    files = list(source_files(records_dir))
    if not files:
        issues.append(
            RecordIssue(
                str(records_dir / "sources"), 0, "", "no source record files (*.yaml) found"
            )
        )
    loaded: list[tuple[SourceRecord, LoadedYaml, str]] = []
    for path in files:
        try:
            rec, doc = load_source(path)
        except RecordError as exc:
            issues += exc.issues
            continue
        doc_path = documents_dir / rec.source.document
        text: str | None
        try:
            text = doc_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            text = None
            issues.append(
                doc.issue(
                    ("source", "document"), f"cannot read the source document {doc_path}: {exc}"
                )
            )
        issues += check_source(rec, doc, known, text)
        if text is not None:
            loaded.append((rec, doc, text))
    issues += check_across([(rec, doc) for rec, doc, _ in loaded])
    if issues:
        raise RecordError(issues)
    return reference, loaded


def fingerprint(paths: list[Path]) -> str:
    """SHA-256 over the names and contents of the build inputs."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def compile_graph(
    records_dir: Path,
    documents_dir: Path,
    reason: bool = True,
    progress: Progress = _quiet,
) -> Compiled:
    """Check the records and produce every graph of the dataset, without touching a store.

    Raises:
        RecordError: a record file is invalid (all issues are listed).
        trialkg.reason.InconsistentGraph: the data contradicts the ontology.
        trialkg.reason.ReasonerUnavailable: reasoning was asked for and Java is missing.
    """
    progress("reading records")
    reference, loaded = read_records(records_dir, documents_dir)
    ref_graph = reference_graph(reference)
    per_source: list[SourceGraphs] = []
    issues: list[RecordIssue] = []
    for rec, doc, text in loaded:
        progress(f"validating {doc.path.name}")
        sg = source_graphs(rec, doc, text)
        issues += shacl_issues(sg.assertions, ref_graph, sg.origin, doc, str(doc.path))
        per_source.append(sg)
    if issues:
        raise RecordError(issues)

    inputs = [ontology_file(), shapes_file(), *source_files(records_dir)]
    if (records_dir / "reference.yaml").is_file():
        inputs.append(records_dir / "reference.yaml")
    inputs += [documents_dir / rec.source.document for rec, _, _ in loaded]
    fp = fingerprint(inputs)

    ontology = skolemized(ontology_graph())
    graphs: list[tuple[URIRef, Graph]] = [
        (iri.ONTOLOGY_GRAPH, ontology),
        (iri.REFERENCE_GRAPH, ref_graph),
    ]
    graphs += [(iri.source_graph(sg.source_id), sg.assertions) for sg in per_source]
    inferred = Graph()
    if reason:
        progress("reasoning (HermiT)")
        result = infer(ontology_graph(), [ref_graph, *(sg.assertions for sg in per_source)])
        inferred = result.inferred
    graphs.append((iri.INFERRED_GRAPH, inferred))
    graphs.append((iri.PROVENANCE_GRAPH, provenance_graph(per_source, fp, reason)))
    graphs.append((DESCRIPTION_GRAPH, dataset_description(graphs, per_source)))
    return Compiled(graphs, [sg.source_id for sg in per_source], fp, len(inferred), inputs)


def skolemized(graph: Graph) -> Graph:
    """Replace blank nodes by deterministic IRIs (canonical labelling), for stable exports."""
    out = Graph()
    canon = to_canonical_graph(graph)

    def sk(term: Node) -> Node:
        return URIRef(GENID + str(term)) if isinstance(term, BNode) else term

    for s, p, o in canon:
        out.add((sk(s), p, sk(o)))
    return out


def provenance_graph(per_source: list[SourceGraphs], fp: str, reasoned: bool) -> Graph:
    """Source metadata and how each graph was generated."""
    g = Graph()
    for sg in per_source:
        for t in sg.provenance:
            g.add(t)
    build = iri.build(fp)
    g.add((build, RDF.type, TKG.Build))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, RDFS.label, Literal(f"trialkg {__version__} build {fp[:16]}")))
    g.add((build, OWL.versionInfo, Literal(__version__)))
    g.add((build, TKG.sha256, Literal(fp)))
    for sg in per_source:
        graph = iri.source_graph(sg.source_id)
        g.add((graph, PROV.wasGeneratedBy, build))
        g.add((build, PROV.used, iri.source(sg.source_id)))
    if reasoned:
        g.add((iri.INFERRED_GRAPH, PROV.wasGeneratedBy, build))
        g.add((iri.INFERRED_GRAPH, RDFS.label, Literal("what OWL reasoning (HermiT) adds")))
        for sg in per_source:
            g.add((iri.INFERRED_GRAPH, PROV.wasDerivedFrom, iri.source_graph(sg.source_id)))
        g.add((iri.INFERRED_GRAPH, PROV.wasDerivedFrom, iri.ONTOLOGY_GRAPH))
    return g


def dataset_description(
    graphs: list[tuple[URIRef, Graph]], per_source: list[SourceGraphs]
) -> Graph:
    """VoID/DCAT description of a build: triple counts per graph, sources, license, version."""
    return describe(
        [(name, len(graph)) for name, graph in graphs],
        [iri.source(sg.source_id) for sg in per_source],
    )


def _description_head(total: int) -> Graph:
    """The dataset's own triples: kind, title, license, version, vocabulary, size."""
    g = Graph()
    ds = iri.DATASET
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("trialkg knowledge graph", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Drugs, clinical trials, populations, endpoints, results, effect estimates and "
                "adverse events, each figure with its source and exact quote.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCAT.version, Literal(__version__)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, VOID.vocabulary, URIRef("https://w3id.org/trialkg/ontology#")))
    g.add((ds, VOID.triples, Literal(total, datatype=XSD.integer)))
    return g


def _graph_entry(name: URIRef, n: int) -> list[tuple[URIRef, URIRef, Node]]:
    return [
        (iri.DATASET, VOID.subset, name),
        (name, RDF.type, VOID.Dataset),
        (name, VOID.triples, Literal(n, datatype=XSD.integer)),
    ]


def _members(
    sizes: Iterable[tuple[URIRef, int]], sources: Iterable[URIRef]
) -> Iterator[tuple[URIRef, URIRef, Node]]:
    """The description's triples for each graph (a subset with its size) and source."""
    for name, n in sizes:
        yield from _graph_entry(name, n)
    for source in sources:
        yield (iri.DATASET, DCTERMS.source, source)


def describe(sizes: list[tuple[URIRef, int]], sources: list[URIRef]) -> Graph:
    """VoID/DCAT description from graph sizes and source IRIs."""
    g = _description_head(sum(n for _, n in sizes))
    for triple in _members(sizes, sources):
        g.add(triple)
    return g


# :func:`_members` as N-Triples, formatted here (rdflib's ``n3`` cost 0.1 ms per graph):
# every term is an IRI, but the sizes (xsd:integer)
_DS, _SUBSET = f"<{iri.DATASET}>", f"<{VOID.subset}>"
_KIND, _COUNT = f"<{RDF.type}> <{VOID.Dataset}>", f"<{VOID.triples}>"
_INTEGER, _SOURCE = f"<{XSD.integer}>", f"<{DCTERMS.source}>"


def _entry_ntriples(name: str, n: int) -> str:
    """:func:`_graph_entry` as N-Triples."""
    return (
        f"{_DS} {_SUBSET} <{name}> .\n<{name}> {_KIND} .\n"
        f'<{name}> {_COUNT} "{int(n)}"^^{_INTEGER} .\n'
    )


def _source_ntriples(source: str) -> str:
    return f"{_DS} {_SOURCE} <{source}> .\n"


def entry_ntriples(name: str, n: int, source: str) -> bytes:
    """The description's lines for one graph of ``n`` triples (none if empty) and for one
    source, as :func:`describe_ntriples` writes them."""
    return ((_entry_ntriples(name, n) if n else "") + _source_ntriples(source)).encode("utf-8")


def describe_ntriples(
    sizes: list[tuple[URIRef, int]],
    sources: list[URIRef],
    chunk: int = 10_000,
    total: int | None = None,
) -> Iterator[bytes]:
    """:func:`describe` as N-Triples, in pieces of about ``chunk`` lines after the head.

    A 100,000-trial build describes some 130,000 graphs: as an rdflib graph that took over
    a gigabyte; written line by line it takes what the lines take. With ``total`` (the
    dataset's size, where ``sizes`` are only some of its graphs), the head states it;
    with ``total=-1``, there is no head: the members only.
    """
    if total is None:
        total = sum(n for _, n in sizes)
    if total >= 0:
        yield _description_head(total).serialize(format="nt", encoding="utf-8")
    members = chain(
        ((_entry_ntriples(str(name), n), 3) for name, n in sizes),
        ((_source_ntriples(str(src)), 1) for src in sources),
    )
    lines: list[str] = []
    count = 0
    for text, n_lines in members:
        lines.append(text)
        count += n_lines
        if count >= chunk:
            yield "".join(lines).encode("utf-8")
            lines, count = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


def refresh_description(store: Store) -> None:
    """Rewrite the VoID/DCAT description from what the store holds now (after an import)."""
    store.replace_derived_graph(DESCRIPTION_GRAPH, description_of(store))


def description_of(store: Store) -> Graph:
    """The VoID/DCAT description of what the store holds now."""
    sizes = [
        (URIRef(g), store.graph_size(g))
        for g in sorted(store.named_graphs())
        if g != str(DESCRIPTION_GRAPH)
    ]
    sources = [
        URIRef(r["s"].value)
        for r in store.select(
            "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
            "SELECT ?s WHERE { GRAPH <https://w3id.org/trialkg/graph/provenance> "
            "{ ?s tkg:assertionGraph ?g } } ORDER BY ?s"
        )
    ]
    return describe(sizes, sources)


def update_description(store: Store, graphs: Iterable[str], sources: Iterable[str]) -> None:
    """Bring the description up to date after ``graphs`` were added or grew and ``sources``
    were added: their sizes, the dataset's size and sources, in one transaction.

    The entries of the other graphs stay as they are, so the work is that of the graphs
    named, not of the store (:func:`refresh_description` counts every graph: some 130,000
    in a 100,000-trial store). A store without a description gets one in full.
    """
    rows = store.select(
        f"SELECT ?n WHERE {{ GRAPH <{DESCRIPTION_GRAPH}> "
        f"{{ <{iri.DATASET}> <{VOID.triples}> ?n }} }}"
    )
    if len(rows) != 1:
        refresh_description(store)
        return
    old_total = int(rows[0]["n"].value)
    names = sorted({g for g in graphs if g != str(DESCRIPTION_GRAPH)})
    new_sources = sorted(set(sources))
    if not names and not new_sources:
        return
    old: dict[str, int] = {}
    if names:
        listed = " ".join(f"<{URIRef(g)}>" for g in names)
        for row in store.select(
            f"SELECT ?g ?n WHERE {{ VALUES ?g {{ {listed} }} "
            f"GRAPH <{DESCRIPTION_GRAPH}> {{ ?g <{VOID.triples}> ?n }} }}"
        ):
            old[row["g"].value] = int(row["n"].value)
    new = {g: store.graph_size(g) for g in names}
    total = old_total + sum(new[g] - old.get(g, 0) for g in names)
    remove: list[tuple[URIRef, URIRef, Node]] = [
        (iri.DATASET, VOID.triples, Literal(old_total, datatype=XSD.integer))
    ]
    add: list[tuple[URIRef, URIRef, Node]] = [
        (iri.DATASET, VOID.triples, Literal(total, datatype=XSD.integer))
    ]
    for g in names:
        if g in old:
            remove.extend(_graph_entry(URIRef(g), old[g]))
        if new[g]:
            add.extend(_graph_entry(URIRef(g), new[g]))
    add.extend((iri.DATASET, DCTERMS.source, URIRef(s)) for s in new_sources)
    store.change_derived_triples(DESCRIPTION_GRAPH, remove, add)


@dataclass
class BuildReport:
    store: Path
    sources: list[str]
    triples: int
    inferred: int
    graphs: dict[str, int]


def build(
    records_dir: Path,
    documents_dir: Path,
    store_root: Path,
    reason: bool = True,
    progress: Progress = _quiet,
) -> BuildReport:
    """Build the graph into the persistent store at ``store_root`` (atomically)."""
    compiled = compile_graph(records_dir, documents_dir, reason=reason, progress=progress)
    progress("writing the store")
    with new_version(store_root) as store:
        load_dataset(store, compiled.graphs)
    return BuildReport(
        store_root,
        compiled.sources,
        compiled.triples,
        compiled.inferred_triples,
        {str(n): len(g) for n, g in compiled.graphs},
    )


def build_in_memory(records_dir: Path, documents_dir: Path, reason: bool = True) -> Store:
    """Build into an in-memory store (tests, one-off queries)."""
    compiled = compile_graph(records_dir, documents_dir, reason=reason)
    store = Store.in_memory()
    load_dataset(store, compiled.graphs)
    return store
