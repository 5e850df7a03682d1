"""The ``trialkg`` command line: thin wrappers around plain, tested functions.

Heavy libraries (rdflib, pyoxigraph, pySHACL, owlready2) are imported inside the commands,
so ``trialkg --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

app = typer.Typer(
    name="trialkg",
    help="A knowledge graph of drugs, clinical trials and their outcomes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: 'trialkg --help' does not load rich
)

RecordsOpt = Annotated[
    Path | None,
    typer.Option("--records", help="Folder of curated records (default: the project's kg/)."),
]
DocumentsOpt = Annotated[
    Path | None,
    typer.Option(
        "--documents",
        help="Folder of source document texts (default: $TRIALKG_DOCUMENTS or ../shared/seeds).",
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint", help="Query an external SPARQL server loaded with 'trialkg load'."),
]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Store folder (default: ./build/store).")
]


def _fail(message: str, code: int = 1) -> NoReturn:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {message}", markup=True
    )
    raise typer.Exit(code)


def _paths(records: Path | None, documents: Path | None) -> tuple[Path, Path]:
    from trialkg.paths import default_documents_dir, records_dir

    rec = records or records_dir()
    docs = documents or default_documents_dir()
    if not rec.is_dir():
        _fail(f"records folder {rec} does not exist")
    if not docs.is_dir():
        _fail(f"documents folder {docs} does not exist: give --documents or set TRIALKG_DOCUMENTS")
    return rec, docs


def _store_root(store: Path | None) -> Path:
    from trialkg.paths import default_store_dir

    return store or default_store_dir()


def _report_build_errors(exc: BaseException) -> NoReturn:
    from trialkg.reason import InconsistentGraph, ReasonerUnavailable
    from trialkg.records.loader import RecordError
    from trialkg.store import StoreError

    if isinstance(exc, RecordError):
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        _fail(f"{len(exc.issues)} problem(s) in the records; nothing was written")
    if isinstance(exc, InconsistentGraph):
        _fail(f"the records contradict the ontology; nothing was written\n{exc.explanation}")
    if isinstance(exc, (ReasonerUnavailable, StoreError)):
        _fail(str(exc))
    raise exc


@app.command()
def build(
    records: RecordsOpt = None,
    documents: DocumentsOpt = None,
    store: StoreOpt = None,
    reason: Annotated[bool, typer.Option(help="Run the OWL reasoner (needs Java).")] = True,
    ctgov: Annotated[
        list[Path] | None,
        typer.Option(
            "--ctgov",
            help="Also build these ClinicalTrials.gov records (files or folders) in bulk: "
            "each mapped, validated and reasoned over in child processes, then given to the "
            "engine's bulk loader.",
        ),
    ] = None,
    chunk_mb: Annotated[
        int | None,
        typer.Option(
            "--chunk-mb",
            min=0,
            help="With --ctgov: the engine loads the mapped records this many MB at a time, "
            "two loads at once (default 16: about 0.6 GB held); 0: in one load (about 2 GB).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="With --ctgov: child processes that map the records (0: one per core, "
            "at most four).",
        ),
    ] = 0,
) -> None:
    """Validate the curated records, reason, and write the graph to the persistent store."""
    from rich.console import Console

    from trialkg.build import build as run_build

    if (chunk_mb is not None or workers) and not ctgov:
        _fail("--chunk-mb and --workers apply to a bulk build: give the records with --ctgov", 2)
    rec, docs = _paths(records, documents)
    if ctgov:
        _bulk(rec, docs, ctgov, _store_root(store), chunk_mb, workers)
        return
    console = Console(stderr=True)
    with console.status("building") as status:
        try:
            report = run_build(
                rec, docs, _store_root(store), reason=reason, progress=lambda m: status.update(m)
            )
        except Exception as exc:
            _report_build_errors(exc)
    typer.echo(
        f"built {report.triples} triples from {len(report.sources)} sources "
        f"({report.inferred} inferred) into {report.store}"
    )


def _bulk(
    rec: Path,
    docs: Path,
    paths: list[Path],
    root: Path,
    chunk_mb: int | None = None,
    workers: int = 0,
) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from trialkg.bulk import LOAD_CHUNK, BulkError, bulk_build

    for p in paths:
        if not p.exists():
            _fail(f"{p} does not exist", 2)
    try:
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("mapping records", total=None)

            def progress(done: int, total: int, what: str) -> None:
                bar.update(task, completed=done, total=total, description=what)

            report = bulk_build(
                rec,
                docs,
                paths,
                root,
                progress,
                load_chunk=LOAD_CHUNK if chunk_mb is None else chunk_mb << 20,
                workers=workers or None,
            )
    except BulkError as exc:
        _fail(str(exc))
    except Exception as exc:
        _report_build_errors(exc)
    for file, error in report.failed:
        typer.echo(f"FAILED {file}: {error}", err=True)
    stages = ", ".join(f"{k} {v:g} s" for k, v in report.seconds.items())
    typer.echo(
        f"built {report.quads} quads ({report.records} registry records, {report.inferred} "
        f"inferred triples) into {root}: {stages}"
    )
    if report.failed:
        _fail(f"{len(report.failed)} record(s) could not be read or mapped; the others were built")


@app.command()
def compact(store: StoreOpt = None) -> None:
    """Compact the store: after incremental imports, queries run as fast as after a build."""
    from trialkg.store import StoreError, compact_store

    root = _store_root(store)
    try:
        seconds = compact_store(root)
    except StoreError as exc:
        _fail(str(exc))
    typer.echo(f"compacted {root} in {seconds:.1f} s")


@app.command()
def validate(records: RecordsOpt = None, documents: DocumentsOpt = None) -> None:
    """Check the records (schema, references, quotes, SHACL, reasoning); write nothing."""
    from trialkg.build import compile_graph

    rec, docs = _paths(records, documents)
    try:
        compiled = compile_graph(rec, docs)
    except Exception as exc:
        _report_build_errors(exc)
    typer.echo(f"ok: {len(compiled.sources)} sources, {compiled.triples} triples, no problems")


def _open(store: Path | None):  # type: ignore[no-untyped-def]
    from trialkg.store import Store, StoreError

    try:
        return Store.open(_store_root(store))
    except StoreError as exc:
        _fail(str(exc))


def _open_any(store: Path | None, endpoint: str | None):  # type: ignore[no-untyped-def]
    if endpoint is None:
        return _open(store)
    from trialkg.external import RemoteStore

    return RemoteStore(endpoint)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="turtle, trig, nquads or jsonld")
    ] = "trig",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Output file (default: stdout).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the whole dataset (deterministic: same records, same bytes)."""
    from trialkg.export import FORMATS
    from trialkg.export import export as run_export

    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    data = run_export(_open(store), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(output)
        typer.echo(f"wrote {len(data)} bytes to {output}", err=True)


@app.command()
def stats(store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Counts per class and per source, as tables."""
    from rich.console import Console
    from rich.table import Table

    from trialkg.stats import stats as run_stats

    s = run_stats(_open_any(store, endpoint))
    console = Console()
    t = Table(title="Nodes per class (asserted and inferred types)")
    t.add_column("class")
    t.add_column("nodes", justify="right")
    for cls, n in s.classes:
        t.add_row(cls, str(n))
    console.print(t)
    t = Table(title="Sources")
    for col, just in (
        ("source", "left"),
        ("title", "left"),
        ("triples", "right"),
        ("quotes", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for sid, label, n, ev in s.sources:
        t.add_row(sid, label, str(n), str(ev))
    console.print(t)
    t = Table(title=f"Named graphs ({s.total} quads in all)")
    t.add_column("graph")
    t.add_column("triples", justify="right")
    for g, n in s.graphs:
        t.add_row(g, str(n))
    console.print(t)


@app.command()
def conflicts(
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    endpoint: EndpointOpt = None,
) -> None:
    """Every figure on which sources disagree: both values, both sources, both quotes."""
    import dataclasses
    import json

    from rich.console import Console
    from rich.table import Table

    from trialkg.conflicts import conflicts as find

    found = find(_open_any(store, endpoint))
    if fmt == "json":
        typer.echo(json.dumps([dataclasses.asdict(c) for c in found], indent=2, sort_keys=True))
        return
    if fmt != "table":
        _fail(f"unknown format {fmt!r}; choose table or json", 2)
    t = Table(title=f"{len(found)} figure(s) on which sources disagree", show_lines=True)
    for col in ("figure", "value", "source", "quote"):
        t.add_column(col)
    for c in found:
        name = f"{c.label or c.node}\n{c.prop.rsplit('#', 1)[-1]}"
        for i, st in enumerate((c.first, c.second)):
            t.add_row(
                name if i == 0 else "",
                st.value + (" (approx.)" if st.approximate else ""),
                st.source.rsplit("/", 1)[-1],
                "\n".join(st.quotes),
            )
    Console().print(t)


@app.command()
def query(
    file: Annotated[Path | None, typer.Argument(help="A .rq file (or use -e).")] = None,
    expression: Annotated[
        str | None, typer.Option("-e", "--expression", help="SPARQL text.")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, csv, tsv, json, xml (SELECT/ASK); turtle, ntriples, jsonld (CONSTRUCT)",
        ),
    ] = "table",
    bindings: Annotated[
        list[str] | None,
        typer.Option("--bind", "-b", help="var=value: an IRI, CURIE, label or literal"),
    ] = None,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
) -> None:
    """Run a SPARQL query on the graph; the default graph is the union of all graphs."""
    import pyoxigraph as ox

    from trialkg.query import QueryError, execute, resolve_term, serialize, to_rows

    if (file is None) == (expression is None):
        _fail("give a query file or -e 'SPARQL', not both", 2)
    if file is not None and not file.is_file():
        _fail(f"query file {file} does not exist", 2)
    text = file.read_text(encoding="utf-8") if file is not None else str(expression)
    if endpoint is not None:
        _query_remote(endpoint, text, bindings or [], fmt)
        return
    st = _open(store)
    try:
        values: dict[str, str] = {}
        for item in bindings or []:
            name, sep, value = item.partition("=")
            if not sep:
                _fail(f"--bind {item!r}: expected var=value", 2)
            values[name.lstrip("?$")] = resolve_term(st, value)
        result = execute(st, text, values)
        if fmt == "table":
            if isinstance(result, ox.QueryTriples):
                fmt = "turtle"
            elif isinstance(result, ox.QueryBoolean):
                typer.echo("true" if result else "false")
                return
            else:
                _print_table(*to_rows(result))
                return
        sys.stdout.buffer.write(serialize(result, fmt))
    except QueryError as exc:
        _fail(str(exc), 2)


def _query_remote(url: str, text: str, bindings: list[str], fmt: str) -> None:
    from trialkg.external import ExternalStoreError, RemoteStore
    from trialkg.query import QueryError, bind, resolve_term
    from trialkg.results import GRAPH_FORMATS, TABLE_FORMATS, render_graph, render_table

    remote = RemoteStore(url)
    try:
        values: dict[str, str] = {}
        for item in bindings:
            name, sep, value = item.partition("=")
            if not sep:
                _fail(f"--bind {item!r}: expected var=value", 2)
            values[name.lstrip("?$")] = resolve_term(remote, value)  # type: ignore[arg-type]
        kind, result = remote.execute(bind(text, values))
    except (ExternalStoreError, QueryError) as exc:
        _fail(str(exc), 2)
    if kind == "bool":
        typer.echo("true" if result else "false")
    elif kind == "graph":
        out_fmt = "turtle" if fmt == "table" else fmt
        if out_fmt not in GRAPH_FORMATS:
            _fail(f"a graph result is written as {', '.join(GRAPH_FORMATS)}", 2)
        sys.stdout.buffer.write(render_graph(result, out_fmt, max_rows=10**9))
    elif fmt == "table":
        names, rows = result
        _print_table(names, [["" if t is None else t.value for t in row] for row in rows])
    elif fmt in TABLE_FORMATS:
        names, rows = result
        sys.stdout.buffer.write(render_table(names, rows, fmt))
    else:
        _fail(f"a result table is written as {', '.join(TABLE_FORMATS)}", 2)


@app.command("load")
def load_external(
    endpoint: Annotated[str, typer.Option(help="SPARQL endpoint URL of the external server.")],
    store: StoreOpt = None,
    isql: Annotated[
        str | None, typer.Option(help="Virtuoso isql address (HOST:PORT): use its bulk loader.")
    ] = None,
    gsp: Annotated[
        str | None, typer.Option(help="Graph Store Protocol URL: PUT each graph there.")
    ] = None,
    user: Annotated[str, typer.Option(help="User for isql or the Graph Store.")] = "dba",
    password: Annotated[str, typer.Option(help="Password for isql or the Graph Store.")] = "dba",
    folder: Annotated[
        Path, typer.Option("--dir", help="Folder the bulk loader reads (in DirsAllowed).")
    ] = Path("build/external-load"),
) -> None:
    """Copy the built graph into an external SPARQL server, then check it answers."""
    from trialkg.external import ExternalStoreError, RemoteStore, gsp_load, virtuoso_bulk_load

    if (isql is None) == (gsp is None):
        _fail("give --isql (Virtuoso bulk loader) or --gsp (Graph Store Protocol)", 2)
    st = _open(store)
    try:
        if isql is not None:
            n = virtuoso_bulk_load(st, folder, isql, user, password)
        else:
            n = gsp_load(st, str(gsp), (user, password))
        remote = RemoteStore(endpoint)
        size = len(remote)
    except ExternalStoreError as exc:
        _fail(str(exc))
    typer.echo(f"loaded {n} graphs ({size} triples in the trialkg graphs) into {endpoint}")


def _print_table(names: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from trialkg.display import short

    t = Table(*names, title=f"{len(rows)} row(s)")
    for row in rows:
        t.add_row(*(short(v) for v in row))
    Console().print(t)


@app.command("queries")
def list_queries() -> None:
    """List the query library with each query's summary."""
    from rich.console import Console
    from rich.table import Table

    from trialkg.query import library

    t = Table("query", "summary", title="queries/ (run: trialkg query queries/<query>.rq)")
    for q in library():
        t.add_row(q.path.name, q.summary)
    Console().print(t)


@app.command()
def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 7878,
    timeout: Annotated[float, typer.Option(help="Query time limit in seconds.")] = 10.0,
    max_rows: Annotated[int, typer.Option(help="Result row (or triple) limit.")] = 10_000,
    workers: Annotated[int, typer.Option(help="Query worker processes.")] = 2,
    allow_service: Annotated[bool, typer.Option(help="Allow federated SERVICE clauses.")] = False,
    views: Annotated[
        Path | None,
        typer.Option(help="Folder of views to serve at /views/ (default: build/views)."),
    ] = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint with the query library at /."""
    from trialkg.server import Endpoint, Limits
    from trialkg.store import StoreError, current_data_dir

    try:
        data = current_data_dir(_store_root(store))
    except StoreError as exc:
        _fail(str(exc))
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: binding to {host} exposes the endpoint beyond this machine", err=True)
    views = views or _store_root(store).parent / "views"
    if not views.is_dir():
        typer.echo(
            f"no views at {views}: write them with 'trialkg viz --gallery {views}'", err=True
        )
    limits = Limits(timeout, max_rows, allow_service)
    endpoint = Endpoint(data, host, port, limits, workers, views)
    typer.echo(f"SPARQL endpoint at {endpoint.url} (query library at /); Ctrl-C to stop")
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.close()


import_app = typer.Typer(
    help="Import records from other sources.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(import_app, name="import")


@import_app.command("ctgov")
def import_ctgov_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Record files (.json API v2: a record, a page of search results or an array "
            "of records; .xml legacy) or folders."
        ),
    ],
    store: StoreOpt = None,
    records: RecordsOpt = None,
    reason: Annotated[bool, typer.Option(help="Run the OWL reasoner (needs Java).")] = True,
) -> None:
    """Import ClinicalTrials.gov records into the built store, each as its own source."""
    from rich.console import Console
    from rich.progress import Progress

    from trialkg import iri
    from trialkg.build import update_description
    from trialkg.importer import import_ctgov
    from trialkg.paths import records_dir
    from trialkg.store import Store, StoreError
    from trialkg.triples.ctgov import ImportReport

    for p in paths:
        if not p.exists():
            _fail(f"{p} does not exist", 2)

    def run() -> list[ImportReport]:
        # The writable store is opened and released here, before any exit below.
        st = Store.open(_store_root(store), read_only=False)
        try:
            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("importing", total=None)

                def progress(done: int, total: int, name: str) -> None:
                    bar.update(task, completed=done, total=total, description=f"importing {name}")

                reports = import_ctgov(paths, st, records or records_dir(), reason, progress)
            added = [r.source_id for r in reports if r.source_id and not r.error]
            if added:
                touched = [str(iri.source_graph(sid)) for sid in added]
                touched += [str(iri.PROVENANCE_GRAPH), str(iri.INFERRED_GRAPH)]
                update_description(st, touched, [str(iri.source(sid)) for sid in added])
        finally:
            st.release()
        return reports

    try:
        reports = run()
    except StoreError as exc:
        _fail(str(exc))
    import gc

    gc.collect()  # release the writable store (its file lock) before anything else opens it
    failed = 0
    for r in reports:
        if r.error:
            failed += 1
            typer.echo(f"FAILED {r.file}: {r.error}", err=True)
            continue
        typer.echo(f"ok     {r.file}: {r.source_id}, {r.triples} quads")
        for name in r.new_drugs:
            typer.echo(f"       new drug (not in kg/reference.yaml): {name}")
        for name in r.new_units:
            typer.echo(f"       new unit (not in the unit vocabulary or kg/reference.yaml): {name}")
        for item in r.not_drugs:
            typer.echo(f"       intervention that is not a drug, left out of regimens: {item}")
        for item in r.skipped:
            typer.echo(f"       note: {item}")
    if failed:
        _fail(f"{failed} of {len(reports)} record(s) could not be imported; the others were")


ViewOut = Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]


def _view_errors() -> tuple[type[Exception], ...]:
    from trialkg.viz.analytics import AnalyticsError
    from trialkg.viz.layout import LayoutError
    from trialkg.viz.plots import PlotError
    from trialkg.viz.style import StyleError
    from trialkg.viz.views import ViewError

    return (AnalyticsError, LayoutError, PlotError, StyleError, ViewError)


def _pick_view(st, focus: str | None, depth: int, trial: str | None, query_file: Path | None):  # type: ignore[no-untyped-def]
    from trialkg.viz.views import focus_view, query_view, trial_view, whole_view

    chosen = [o for o, v in (("--focus", focus), ("--trial", trial), ("--query", query_file)) if v]
    if len(chosen) > 1:
        _fail(f"choose one of {', '.join(chosen)}", 2)
    if focus:
        return focus_view(st, focus, depth)
    if trial:
        return trial_view(st, trial)
    if query_file:
        if not query_file.is_file():
            _fail(f"{query_file} does not exist", 2)
        return query_view(st, query_file.read_text(encoding="utf-8"))
    return whole_view(st)


@app.command()
def viz(
    output: ViewOut = Path("build/views/graph.html"),
    focus: Annotated[
        str | None, typer.Option(help="Draw around this node (IRI, CURIE or label).")
    ] = None,
    depth: Annotated[int, typer.Option(help="Steps around the --focus node.")] = 2,
    trial: Annotated[
        str | None, typer.Option(help="Draw one trial: arms, results, endpoints, estimates.")
    ] = None,
    query_file: Annotated[
        Path | None, typer.Option("--query", help="Draw what a SELECT or CONSTRUCT returns.")
    ] = None,
    gallery: Annotated[
        Path | None,
        typer.Option(help="Write the standard views and plots with an index to this folder."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Write an interactive network view as one self-contained HTML page (works offline)."""
    from trialkg.viz.network import write_page

    st = _open(store)
    try:
        if gallery is not None:
            from trialkg.viz.gallery import write_gallery

            for item in write_gallery(st, gallery):
                typer.echo(f"wrote {gallery / item.file}: {item.title}")
            return
        view = _pick_view(st, focus, depth, trial, query_file)
        for warning in view.warnings:
            typer.echo(f"warning: {warning}", err=True)
        report = write_page(view, output)
    except _view_errors() as exc:
        _fail(str(exc))
    typer.echo(
        f"wrote {report.path}: {report.nodes} nodes, {report.edges} edges, "
        f"{report.layout} layout{', physics until settled' if report.physics else ''}"
    )


plot_app = typer.Typer(
    help="Plots as PNG or SVG (by the output's suffix).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(plot_app, name="plot")
PlotOut = Annotated[Path, typer.Option("--output", "-o", help="A .png or .svg file.")]


@plot_app.command("forest")
def plot_forest(
    output: PlotOut = Path("build/views/forest.svg"),
    endpoint: Annotated[
        str | None,
        typer.Option(help="Kind of endpoint (label, CURIE or IRI of its class); default all."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Forest plot of hazard ratios with CIs, one row per trial, population and source."""
    from trialkg.viz import plots
    from trialkg.viz.views import resolve_node

    st = _open(store)
    try:
        cls = resolve_node(st, endpoint) if endpoint else None
        rows = plots.forest_rows(st, cls)
        plots.save(plots.draw_forest(rows, f"Hazard ratios: {endpoint or 'all endpoints'}"), output)
    except _view_errors() as exc:
        _fail(str(exc))
    typer.echo(f"wrote {output}: {len(rows)} row(s)")


@plot_app.command("tradeoff")
def plot_tradeoff(
    output: PlotOut = Path("build/views/tradeoff.svg"), store: StoreOpt = None
) -> None:
    """Grade 3/4 adverse-event rates by arm and trial beside each trial's median PFS gain."""
    from trialkg.viz import plots

    st = _open(store)
    try:
        rows = plots.tradeoff_rows(st)
        plots.save(plots.draw_tradeoff(rows), output)
    except _view_errors() as exc:
        _fail(str(exc))
    typer.echo(f"wrote {output}: {len(rows)} group(s)")


graph_app = typer.Typer(
    help="Graph analytics on the network of entities.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(graph_app, name="graph")


def _graph(store: Path | None, focus: str | None = None, depth: int = 2):  # type: ignore[no-untyped-def]
    from trialkg.viz.model import build_graph

    st = _open(store)
    if focus:
        from trialkg.viz.views import focus_view

        return st, focus_view(st, focus, depth).graph
    return st, build_graph(st)


@graph_app.command("rank")
def graph_rank(
    measure: Annotated[str, typer.Option(help="degree, betweenness or pagerank")] = "degree",
    cls: Annotated[str | None, typer.Option("--class", help="One class (legend label).")] = None,
    top: Annotated[int, typer.Option(help="Nodes per class.")] = 5,
    store: StoreOpt = None,
) -> None:
    """The most central nodes of each class."""
    from rich.console import Console
    from rich.table import Table

    from trialkg.viz.analytics import rankings

    try:
        _, g = _graph(store)
        ranked = rankings(g, measure, top, cls)
    except _view_errors() as exc:
        _fail(str(exc))
    t = Table(title=f"Nodes by {measure} per class")
    for col in ("class", "rank", measure, "node"):
        t.add_column(col)
    for r in ranked:
        t.add_row(r.cls, str(r.rank), f"{r.score:g}", r.label)
    Console().print(t)


@graph_app.command("path")
def graph_path(
    source: Annotated[str, typer.Argument(help="From (IRI, CURIE or label).")],
    target: Annotated[str, typer.Argument(help="To (IRI, CURIE or label).")],
    store: StoreOpt = None,
) -> None:
    """The shortest chain of relations between two nodes (edges in either direction)."""
    from trialkg.viz.analytics import shortest_path
    from trialkg.viz.views import resolve_node

    try:
        st, g = _graph(store)
        a, b = resolve_node(st, source), resolve_node(st, target)
        steps = shortest_path(g, a, b)
    except _view_errors() as exc:
        _fail(str(exc))
    label = g.nodes
    typer.echo(label[a]["label"])
    for step in steps:
        arrow = f"--{step.predicate}-->" if step.forward else f"<--{step.predicate}--"
        typer.echo(f"  {arrow} {label[step.target]['label']}")


@graph_app.command("components")
def graph_components(store: StoreOpt = None) -> None:
    """Connected components, largest first, with their best-connected nodes."""
    from trialkg.viz.analytics import components

    _, g = _graph(store)
    for c in components(g):
        typer.echo(f"{c.size:6d}  {'; '.join(c.hubs)}")


@graph_app.command("export")
def graph_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="GraphML file.")],
    focus: Annotated[str | None, typer.Option(help="Only around this node.")] = None,
    depth: Annotated[int, typer.Option(help="Steps around --focus.")] = 2,
    store: StoreOpt = None,
) -> None:
    """Write the network of entities as GraphML (lists stored as JSON text)."""
    from trialkg.viz.model import write_graphml

    try:
        _, g = _graph(store, focus, depth)
    except _view_errors() as exc:
        _fail(str(exc))
    write_graphml(g, output)
    typer.echo(f"wrote {output}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")


@app.command()
def show(
    records: RecordsOpt = None,
    documents: DocumentsOpt = None,
    store: StoreOpt = None,
) -> None:
    """Build the graph, show its statistics and the figures sources disagree on, and write
    the standard views and plots (``build/views``, also served by ``trialkg serve``)."""
    build(records=records, documents=documents, store=store, reason=True)
    stats(store=store, endpoint=None)
    conflicts(store=store, fmt="table", endpoint=None)
    viz(gallery=_store_root(store).parent / "views", store=store)


def main() -> None:
    """Entry point of the ``trialkg`` command."""
    app()


if __name__ == "__main__":
    main()
