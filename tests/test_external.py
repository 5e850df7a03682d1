"""The same graph on an external SPARQL server (Virtuoso Open Source) gives the same answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from tests.support import virtuoso
from tests.test_queries import EXPECTED, QUERIES, aggregated_columns, compare_rows, normalise
from trialkg.cli import app
from trialkg.conflicts import conflicts
from trialkg.external import RemoteStore, virtuoso_bulk_load
from trialkg.query import bind, resolve_term
from trialkg.store import Store

pytestmark = [pytest.mark.reasoner, pytest.mark.external]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso.Virtuoso]:
    try:
        v = virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}: 'make test' installs it")
        pytest.skip(str(exc))
    yield v
    v.stop()


@pytest.fixture(scope="module")
def remote(server: virtuoso.Virtuoso, seed_store: Store) -> RemoteStore:
    n = virtuoso_bulk_load(seed_store, server.folder / "load", server.isql)
    assert n == len(seed_store.named_graphs()) + 1  # and the union graph
    return RemoteStore(server.url)


def test_every_graph_arrives_whole(remote: RemoteStore, seed_store: Store) -> None:
    assert sorted(remote.named_graphs()) == seed_store.named_graphs()
    for g in seed_store.named_graphs():
        assert remote.graph_size(g) == seed_store.graph_size(g), g


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_library_gives_the_same_answers(
    remote: RemoteStore, seed_store: Store, path: Path
) -> None:
    """The expected rows of each query; a query tested on its own input graph (``.trig``)
    gives on the server what it gives on the seed graph here."""
    slug = path.stem
    text = path.read_text(encoding="utf-8")
    values = {}
    bind_file = EXPECTED / f"{slug}.bind"
    if bind_file.is_file():
        for line in bind_file.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            values[name] = resolve_term(remote, value)  # type: ignore[arg-type]
    kind, result = remote.execute(bind(text, values))
    nt_file = EXPECTED / f"{slug}.nt"
    if nt_file.is_file():
        assert kind == "graph"
        want = set(ox.parse((nt_file.read_bytes()), format=ox.RdfFormat.N_TRIPLES))
        assert set(result) == want
        return
    names, rows = result
    got = [names] + [["" if t is None else t.value for t in row] for row in rows]
    if (EXPECTED / f"{slug}.trig").is_file():
        here = seed_store.query(bind(text, values))
        header = [v.value for v in here.variables]
        want = [["" if t is None else t.value for t in row] for row in here]
        agg = aggregated_columns(text)  # the parts of a GROUP_CONCAT come in any order
        assert got[0] == header
        assert normalise(got[1:], header, agg) == normalise(want, header, agg)
        return
    compare_rows(text, got, EXPECTED / f"{slug}.csv")


def test_conflicts_are_the_same(remote: RemoteStore, seed_store: Store) -> None:
    assert conflicts(remote) == conflicts(seed_store)  # type: ignore[arg-type]
    assert conflicts(remote)


def test_cli_query_on_endpoint(remote: RemoteStore) -> None:
    result = CliRunner().invoke(
        app,
        [
            "query",
            "--endpoint",
            remote.url,
            "-f",
            "csv",
            "-e",
            "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
            "SELECT ?n WHERE { ?s tkg:enrollment ?n } ORDER BY ?n",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["n", "48", "198", "518"]
