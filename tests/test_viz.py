"""The viz stage on the seed graph: graph model, analytics, views, pages, plots, CLI, server."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
import yaml
from rdflib import OWL, RDF, Graph, URIRef
from typer.testing import CliRunner

from tests.support.hostile import HOSTILE, HOSTILE_QUOTE, hostile_store
from trialkg.cli import app
from trialkg.paths import ontology_file
from trialkg.server import Endpoint, Limits
from trialkg.store import Store, current_data_dir
from trialkg.viz import analytics, plots
from trialkg.viz.model import build_graph, write_graphml
from trialkg.viz.network import network_data, render, script_json
from trialkg.viz.style import StyleError, expand, load_styles, styles_file
from trialkg.viz.views import (
    ViewError,
    focus_view,
    query_view,
    resolve_node,
    trial_view,
    whole_view,
)

pytestmark = pytest.mark.reasoner
ID = "https://w3id.org/trialkg/id/"
TKG = "https://w3id.org/trialkg/ontology#"
PATINA = ID + "study/patina"
PALBOCICLIB = ID + "drug/palbociclib"
GRADE3 = ID + "study/patina/adverse-event/palbociclib/any-adverse-event/grade-3"


@pytest.fixture(scope="module")
def graph(seed_store: Store) -> nx.MultiDiGraph:
    return build_graph(seed_store)


def test_styles_name_only_ontology_classes() -> None:
    onto = Graph().parse(ontology_file())
    data = yaml.safe_load(styles_file().read_text(encoding="utf-8"))
    named = [c["class"] for c in data["classes"]] + data["attribute_classes"]
    named += list(data["trial_view"])
    for curie in named:
        assert (URIRef(expand(curie, "test")), RDF.type, OWL.Class) in onto, curie


def test_bad_styles_file_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "styles.yaml"
    bad.write_text(
        "classes:\n  - {class: tkg:Drug, colour: red, shape: blob, legend: drug}\n"
        "fallback: {colour: grey, shape: dot, legend: other}\n"
    )
    with pytest.raises(StyleError, match=r"classes\[0\]: shape 'blob'"):
        load_styles(bad)
    bad.write_text("classes:\n  - {class: nope:Drug, colour: red, shape: dot, legend: x}\n")
    with pytest.raises(StyleError, match="'nope:Drug' is not a known CURIE"):
        load_styles(bad)


def test_graph_nodes_are_typed_and_styled_by_the_styles_file(graph: nx.MultiDiGraph) -> None:
    drug = graph.nodes[PALBOCICLIB]
    assert drug["label"] == "palbociclib" and drug["cls_label"] == "CDK4/6 inhibitor"
    assert TKG + "CDK46Inhibitor" in drug["types"]  # inferred by the reasoner
    assert graph.nodes[PATINA]["cls_label"] == "randomized controlled trial"
    # provenance machinery is folded into figures, not drawn
    assert not [n for n in graph if "/evidence/" in n]
    assert ("phase", "phase 3") in graph.nodes[PATINA]["attributes"]


def test_figures_carry_sources_quotes_and_conflicts(graph: nx.MultiDiGraph) -> None:
    enrollment = [f for f in graph.nodes[PATINA]["figures"] if f["property"] == "enrollment"]
    assert enrollment == [
        {
            "property": "enrollment",
            "value": "518",
            "sources": ["patina-news-medicaldialogues", "patina-news-summary"],
            "quotes": ["A total of 518 patients were randomized", "Participants: 518 patients"],
            "conflict": False,
        }
    ]
    node = graph.nodes[GRADE3]
    assert node["conflict"]
    pct = {f["value"]: f for f in node["figures"] if f["property"] == "percentage of patients"}
    assert pct["79.9"]["sources"] == ["patina-news-summary"] and pct["79.9"]["conflict"]
    assert pct["79.7"]["sources"] == ["patina-healthday-2026-02-02"]
    assert pct["79.7"]["quotes"][0].startswith("occurred in 79.7 and 10.0 percent")


def test_edges_carry_predicate_labels_and_sources(graph: nx.MultiDiGraph) -> None:
    arm = ID + "study/patina/arm/palbociclib"
    data = graph.get_edge_data(PATINA, arm)[TKG + "hasArm"]
    assert data["label"] == "has arm"
    assert "patina-news-summary" in data["sources"]


def test_graphml_round_trip(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    write_graphml(graph, out)
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    figures = json.loads(back.nodes[PATINA]["figures"])
    assert any(f["value"] == "518" for f in figures)


def test_rankings_paths_and_components(graph: nx.MultiDiGraph) -> None:
    drugs = analytics.rankings(graph, "degree", top=1, cls="CDK4/6 inhibitor")
    assert [(r.label, r.rank) for r in drugs] == [("palbociclib", 1)]
    assert {r.cls for r in analytics.rankings(graph, "pagerank", top=1)} >= {"arm", "endpoint"}
    pfs = ID + "study/patina/endpoint/pfs"
    steps = analytics.shortest_path(graph, PALBOCICLIB, pfs)
    assert steps[0].source == PALBOCICLIB and steps[-1].target == pfs
    for step in steps:  # every step is a real edge, in one direction or the other
        assert graph.has_edge(step.source, step.target) or graph.has_edge(step.target, step.source)
    parts = analytics.components(graph)
    assert sum(c.size for c in parts) == graph.number_of_nodes()
    assert "PATINA" in parts[0].hubs
    with pytest.raises(analytics.AnalyticsError, match="unknown measure"):
        analytics.scores(graph, "closeness")


def test_nodes_are_named_by_label_curie_or_iri(seed_store: Store) -> None:
    assert resolve_node(seed_store, "palbociclib") == PALBOCICLIB
    assert resolve_node(seed_store, "id:drug/palbociclib") == PALBOCICLIB
    assert resolve_node(seed_store, PALBOCICLIB) == PALBOCICLIB
    with pytest.raises(ViewError, match="no node is named 'no such drug'"):
        resolve_node(seed_store, "no such drug")
    with pytest.raises(ViewError, match="is not in the graph"):
        resolve_node(seed_store, "id:drug/not-there")


def test_focus_view_grows_with_depth(seed_store: Store) -> None:
    one = focus_view(seed_store, "palbociclib", 1)
    two = focus_view(seed_store, "palbociclib", 2)
    assert PALBOCICLIB in one.graph and one.graph.nodes[PALBOCICLIB]["focus"]
    assert set(one.graph) < set(two.graph)
    neighbours = set(nx.all_neighbors(whole_view(seed_store).graph, PALBOCICLIB))
    assert set(one.graph) == neighbours | {PALBOCICLIB}
    assert set(one.graph) == set(one.positions)


def test_trial_view_rows(seed_store: Store) -> None:
    view = trial_view(seed_store, "PATINA")
    g, pos = view.graph, view.positions
    arms = [n for n in g if g.nodes[n]["cls_label"] == "arm"]
    assert len(arms) == 2 and not view.physics
    results = [n for n in g if g.nodes[n]["cls_label"] == "arm result"]
    endpoints = [n for n in g if g.nodes[n]["cls_label"] == "endpoint"]
    arm_y, result_y, endpoint_y = pos[arms[0]][1], pos[results[0]][1], pos[endpoints[0]][1]
    assert arm_y < result_y < endpoint_y
    comparison = ID + "study/patina/comparison/pfs/palbociclib-vs-standard-therapy"
    xs = sorted(pos[a][0] for a in arms)
    assert xs[0] < pos[comparison][0] < xs[1]  # the estimate sits between the arms it compares
    assert not [n for n in g if n.startswith(ID + "study/palmira")]
    with pytest.raises(ViewError, match="is not a study"):
        trial_view(seed_store, "palbociclib")


def test_query_views_select_and_construct(seed_store: Store) -> None:
    select = query_view(
        seed_store,
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
        "SELECT ?study ?arm ?n WHERE { ?study tkg:hasArm ?arm . "
        "OPTIONAL { ?arm tkg:numberOfPatients ?n } }",
    )
    assert select.graph.has_edge(PATINA, ID + "study/patina/arm/palbociclib")
    assert select.graph.nodes[PATINA]["label"] == "PATINA"
    construct = query_view(
        seed_store,
        "PREFIX tkg: <https://w3id.org/trialkg/ontology#> "
        "CONSTRUCT { ?s tkg:studiesDrug ?d } WHERE { ?s tkg:studiesDrug ?d }",
    )
    edge = construct.graph.get_edge_data(PATINA, PALBOCICLIB)
    assert edge and next(iter(edge.values()))["label"] == "studies drug"
    with pytest.raises(ViewError, match="not ASK"):
        query_view(seed_store, "ASK { ?s ?p ?o }")
    with pytest.raises(ViewError, match="line 1"):
        query_view(seed_store, "SELECT WHERE {")


def test_large_views_warn(seed_store: Store, tmp_path: Path) -> None:
    small = tmp_path / "styles.yaml"
    text = styles_file().read_text(encoding="utf-8").replace("warn_nodes: 2000", "warn_nodes: 10")
    small.write_text(text, encoding="utf-8")
    view = whole_view(seed_store, load_styles(small))
    assert view.warnings and "--focus" in view.warnings[0]
    assert not whole_view(seed_store).warnings


def test_page_is_self_contained_and_escaped() -> None:
    store = hostile_store()
    page = render(whole_view(store))
    assert HOSTILE not in page and HOSTILE_QUOTE not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    # vis-network, the data, the page's own code: no other script element
    assert len(re.findall(r"^<script", page, re.M)) == 3
    data = json.loads(
        re.search(
            r'<script type="application/json" id="trialkg-data">(.*?)</script>', page, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    labels = {i["label"] for i in data["info"].values()}
    assert HOSTILE in labels and '"study" & <b>bold</b>' in labels
    assert data["conflict"]["count"] == 1
    title = re.search(r"<title>(.*?)</title>", page).group(1)  # type: ignore[union-attr]
    assert title == "trialkg: the whole graph"


def test_script_json_cannot_close_the_script() -> None:
    text = script_json({"a": "</script><!-- \u2028 &"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 &"}


def test_network_data_marks_conflicts_and_legend(seed_store: Store) -> None:
    styles = load_styles()
    data = network_data(whole_view(seed_store), styles)
    conflicted = [n for n in data["nodes"] if n["label"].startswith(styles.conflict_marker)]
    assert len(conflicted) == data["conflict"]["count"] == 3
    assert all(n["color"]["border"] == styles.conflict_border for n in conflicted)
    legend = {item["label"]: item["count"] for item in data["legend"]}
    assert legend["randomized controlled trial"] == 2 and legend["CDK4/6 inhibitor"] == 2
    assert sum(legend.values()) == len(data["nodes"])


def test_forest_rows_and_plot(seed_store: Store) -> None:
    rows = plots.forest_rows(seed_store)
    assert [(r.trial, r.value, r.ci_lower, r.source) for r in rows] == [
        ("PATINA", 0.75, None, "patina-healthday-2026-02-02")
    ]
    assert "HER2-positive" in rows[0].population and "maintenance" in rows[0].population
    pfs = resolve_node(seed_store, "tkg:ProgressionFreeSurvival")
    assert plots.forest_rows(seed_store, pfs) == rows
    assert plots.forest_rows(seed_store, resolve_node(seed_store, "tkg:OverallSurvival")) == []
    with_ci = plots.ForestRow("PFS", "X", "src", "pop", "e", "c", 0.96, 0.81, 1.14, 95.0)
    fig = plots.draw_forest([*rows, with_ci])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    points = sorted(
        (float(line.get_xdata()[0]), float(line.get_ydata()[0]))
        for line in ax.lines
        if line.get_marker() == "s"
    )
    assert points == [(0.75, 1.0), (0.96, 0.0)]
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.lines)  # no-effect line
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("PATINA [patina-healthday-2026-02-02]\n")
    with pytest.raises(plots.PlotError, match="must be positive"):
        plots.draw_forest([plots.ForestRow("e", "t", "s", "p", "a", "b", 0.0, None, None, None)])


def test_tradeoff_rows_and_plot(seed_store: Store, tmp_path: Path) -> None:
    rows = plots.tradeoff_rows(seed_store)
    got = {(r.trial, r.grade, r.source): (r.ae_experimental, r.ae_comparator) for r in rows}
    assert got == {
        ("PALMIRA", "grade 3-4", "palmira-asco-2023-report"): (45.2, 8.3),
        ("PATINA", "grade 3", "patina-healthday-2026-02-02"): (79.7, 30.6),
        ("PATINA", "grade 3", "patina-news-summary"): (79.9, 30.6),
        ("PATINA", "grade 4", "patina-healthday-2026-02-02"): (10.0, 3.6),
        ("PATINA", "grade 4", "patina-news-summary"): (10.0, 3.6),
    }
    fig = plots.draw_tradeoff(rows)
    left, right = fig.axes
    heights = [round(p.get_height(), 3) for p in left.patches]
    assert heights == [r.ae_experimental for r in rows] + [r.ae_comparator for r in rows]
    gains = {
        t.get_text(): round(p.get_width(), 3)
        for t, p in zip(right.get_yticklabels(), right.patches, strict=True)
    }
    assert gains == {"PALMIRA": 0.6, "PATINA": 15.2}
    out = tmp_path / "t.svg"
    plots.save(fig, out)
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(plots.PlotError, match=r"\.png or \.svg, not \.pdf"):
        plots.save(plots.draw_tradeoff(rows), tmp_path / "t.pdf")


def test_cli_viz_plot_and_graph(seed_store_root: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(seed_store_root)]
    out = tmp_path / "focus.html"
    r = runner.invoke(app, ["viz", "--focus", "PATINA", "--depth", "1", "-o", str(out), *store])
    assert r.exit_code == 0, r.output
    assert "nodes" in r.output and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    r = runner.invoke(app, ["viz", "--focus", "nothing here", "-o", str(out), *store])
    assert r.exit_code == 1 and "no node is named 'nothing here'" in r.output
    r = runner.invoke(app, ["viz", "--focus", "PATINA", "--trial", "PATINA", *store])
    assert r.exit_code == 2 and "choose one of" in r.output
    png = tmp_path / "forest.png"
    r = runner.invoke(app, ["plot", "forest", "-o", str(png), *store])
    assert r.exit_code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(app, ["graph", "path", "palbociclib", "PATINA", *store])
    assert r.exit_code == 0 and r.output.splitlines()[0] == "palbociclib"
    gml = tmp_path / "g.graphml"
    r = runner.invoke(app, ["graph", "export", "-o", str(gml), "--focus", "PALMIRA", *store])
    assert r.exit_code == 0 and nx.read_graphml(gml).has_node(ID + "study/palmira")
    r = runner.invoke(app, ["viz", "--gallery", str(tmp_path / "views"), *store])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (tmp_path / "views").iterdir())
    assert names == [
        "forest.svg", "graph.html", "index.html", "tradeoff.svg", "trial-palmira.html",
        "trial-palumbo-real-world.html", "trial-patina.html",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def served(seed_store_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    from trialkg.viz.gallery import write_gallery

    views = tmp_path_factory.mktemp("views")
    write_gallery(Store.open(seed_store_root), views)
    ep = Endpoint(
        current_data_dir(seed_store_root), port=0, limits=Limits(), workers=1, views=views
    )
    ep.start()
    yield ep
    ep.close()


def test_endpoint_links_and_serves_views(served: Endpoint) -> None:
    base = served.url.replace("/sparql", "")
    with urllib.request.urlopen(base + "/", timeout=10) as resp:
        index = resp.read().decode("utf-8")
    assert 'href="/views/trial-patina.html"' in index and 'href="/views/forest.svg"' in index
    with urllib.request.urlopen(base + "/views/trial-patina.html", timeout=10) as resp:
        assert resp.headers["Content-Type"].startswith("text/html")
        assert "trial PATINA" in resp.read().decode("utf-8")
    for bad in ("/views/../store/CURRENT", "/views/%2e%2e%2fCURRENT", "/views/nothing.html"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + bad, timeout=10)
        assert err.value.code == 404
