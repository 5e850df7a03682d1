"""How fast a large network view becomes interactive in headless Chromium.

    .venv/bin/python -m benchmarks.viz_browser 5000

Builds a synthetic view of N nodes shaped like the knowledge graph (studies with arms,
results, endpoints and shared drugs), lays it out, writes the page and opens it in Chromium
with the network blocked; prints the layout time, the page size and the time until the page
reports the network drawn (physics off above the styles' threshold: the layout is computed
before the page opens).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from trialkg.viz.layout import force_layout
from trialkg.viz.network import write_page
from trialkg.viz.style import load_styles
from trialkg.viz.views import View

TKG = "https://w3id.org/trialkg/ontology#"
ID = "https://w3id.org/trialkg/id/"


def synthetic_graph(nodes: int, seed: int = 1) -> nx.MultiDiGraph:
    """About ``nodes`` nodes: per study 2 arms, 2 endpoints, 4 arm results; shared drugs."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()

    def add(iri: str, label: str, cls: str, legend: str) -> None:
        g.add_node(
            iri, iri=iri, label=label, cls=TKG + cls, cls_label=legend, types=[TKG + cls],
            figures=[], attributes=[], conflict=False,
        )  # fmt: skip

    drugs = [f"{ID}drug/d{i}" for i in range(max(5, nodes // 60))]
    for i, d in enumerate(drugs):
        add(d, f"drug {i}", "Drug", "drug")
    i = 0
    while g.number_of_nodes() < nodes:
        s = f"{ID}study/s{i}"
        add(s, f"study {i}", "Study", "study")
        eps = [f"{s}/endpoint/e{k}" for k in range(2)]
        for e in eps:
            add(e, f"endpoint {e[-2:]} of {i}", "Endpoint", "endpoint")
            g.add_edge(s, e, key=TKG + "hasEndpoint", label="has endpoint", sources=["x"])
        for a in range(2):
            arm = f"{s}/arm/a{a}"
            add(arm, f"arm {a} of {i}", "Arm", "arm")
            g.add_edge(s, arm, key=TKG + "hasArm", label="has arm", sources=["x"])
            drug = drugs[min(int(rng.paretovariate(1.2)) - 1, len(drugs) - 1)]
            g.add_edge(arm, drug, key=TKG + "studiesDrug", label="studies drug", sources=["x"])
            for e in eps:
                r = f"{s}/result/{e[-2:]}/a{a}"
                add(r, f"result {i}/{a}/{e[-2:]}", "ArmResult", "arm result")
                g.add_edge(r, arm, key=TKG + "forArm", label="for arm", sources=["x"])
                g.add_edge(r, e, key=TKG + "forEndpoint", label="for endpoint", sources=["x"])
        i += 1
    return g


def measure(nodes: int) -> dict[str, float]:
    from tests.support.browser import browser, open_page

    styles = load_styles()
    graph = synthetic_graph(nodes)
    t = time.perf_counter()
    positions, method = force_layout(graph)
    layout_s = time.perf_counter() - t
    view = View(
        "synthetic", graph, positions, method, graph.number_of_nodes() <= styles.physics_nodes
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.html"
        t = time.perf_counter()
        report = write_page(view, path, styles)
        write_s = time.perf_counter() - t
        with browser() as b:
            run, _ = open_page(b, path, timeout=300)
    if run.errors or not run.view.get("ready"):
        raise SystemExit(f"the page did not draw: {run.errors}")
    return {
        "nodes": float(report.nodes),
        "edges": float(report.edges),
        "layout_s": round(layout_s, 2),
        "write_s": round(write_s, 2),
        "page_mb": round(report.bytes / 1e6, 2),
        "drawn_ms": float(run.view["ms"]),
        "load_to_drawn_ms": round(run.wall_ms, 0),
    }


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [5000]:
        print(measure(n))
