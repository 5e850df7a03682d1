"""Write a view as one self-contained HTML page: pyvis network data, vis-network inlined.

The page needs no network: vis-network (shipped inside the pyvis package) is inlined, and
nothing else is loaded. Data reaches the page as JSON inside a ``<script type=
"application/json">`` element with ``<``, ``>`` and ``&`` escaped, and the page writes labels,
figures and quotes into the document with ``textContent`` only, so text from the data is
never interpreted as HTML.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trialkg.display import short
from trialkg.paths import data_dir
from trialkg.viz.style import Styles, load_styles
from trialkg.viz.views import View

LABEL_CHARS = 48


@dataclass(frozen=True)
class PageReport:
    """What a written page holds."""

    path: Path
    nodes: int
    edges: int
    layout: str
    physics: bool
    bytes: int


def vis_network_js() -> str:
    """The vis-network build that pyvis ships (read from the installed package)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    candidates = sorted(lib.glob("vis-*/vis-network.min.js"))
    if not candidates:
        raise FileNotFoundError(f"no vis-network.min.js under {lib}: is pyvis installed whole?")
    return candidates[-1].read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no HTML comments)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _clip(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def network_data(view: View, styles: Styles) -> dict[str, Any]:
    """Nodes, edges and options of the view as pyvis builds them, plus tooltip details."""
    from pyvis.network import Network

    graph = view.graph
    net = Network(directed=True)
    info: dict[str, Any] = {}
    ids = {node: i for i, node in enumerate(sorted(graph.nodes))}
    for node, i in ids.items():
        data = graph.nodes[node]
        style = styles.for_types(set(data["types"]))
        x, y = view.positions.get(node, (0.0, 0.0))
        options: dict[str, Any] = {
            "x": x,
            "y": y,
            "color": {"background": style.colour, "border": "#444444"},
            "borderWidth": 1,
            "size": 16 if data.get("focus") else 11,
        }
        label = _clip(data["label"])
        if data["conflict"]:
            label = f"{styles.conflict_marker} {label}"
            options["color"]["border"] = styles.conflict_border
            options["borderWidth"] = styles.conflict_width
        if view.positions and not view.physics:
            options["physics"] = False
        net.add_node(i, label=label, shape=style.shape, **options)
        info[str(i)] = {
            "iri": data["iri"],
            "curie": short(data["iri"]),
            "label": data["label"],
            "class": data["cls_label"],
            "types": [short(t) for t in data["types"]],
            "figures": data["figures"],
            "attributes": [list(a) for a in data["attributes"]],
            "conflict": data["conflict"],
        }
    edge_labels = graph.number_of_edges() <= styles.edge_label_edges
    for s, o, data in sorted(graph.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]])):
        title = data["label"]
        if data["sources"]:
            title += " (stated by " + ", ".join(data["sources"]) + ")"
        extra = {"label": data["label"]} if edge_labels else {}
        net.add_edge(ids[s], ids[o], title=title, **extra)
    physics: dict[str, Any] = {"enabled": False}
    if view.physics:
        physics = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"springLength": 120, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        }
    big = graph.number_of_nodes() > styles.physics_nodes
    net.set_options(
        json.dumps(
            {
                "layout": {"improvedLayout": False},
                "physics": physics,
                "interaction": {
                    "hover": True,
                    "tooltipDelay": 200,
                    "hideEdgesOnDrag": big,
                    "hideEdgesOnZoom": big,
                },
                "edges": {
                    "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                    "smooth": False,
                    "color": {"color": "#9a9a9a", "highlight": "#333333"},
                    "font": {"size": 9, "align": "middle", "color": "#555555"},
                },
                "nodes": {"font": {"size": 12}},
            }
        )
    )
    counts = Counter(graph.nodes[n]["cls_label"] for n in graph.nodes)
    legend = [
        {"label": s.legend, "colour": s.colour, "shape": s.shape, "count": counts[s.legend]}
        for s in (*styles.classes, styles.fallback)
        if counts.get(s.legend)
    ]
    conflicts = sum(1 for n in graph.nodes if graph.nodes[n]["conflict"])
    return {
        "title": view.title,
        "nodes": net.nodes,
        "edges": net.edges,
        "options": net.options,
        "info": info,
        "legend": legend,
        "conflict": {
            "count": conflicts,
            "marker": styles.conflict_marker,
            "colour": styles.conflict_border,
            "legend": styles.conflict_legend,
        },
        "physics": view.physics,
        "layout": view.layout,
    }


def render(view: View, styles: Styles | None = None) -> str:
    """The HTML page of a view."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    styles = styles or load_styles()
    env = Environment(
        loader=FileSystemLoader(str(data_dir("viz"))),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    template = env.get_template("network.html")
    data = network_data(view, styles)
    return template.render(
        title=view.title,
        node_count=view.graph.number_of_nodes(),
        edge_count=view.graph.number_of_edges(),
        data_json=script_json(data),
        vis_js=vis_network_js(),
    )


def write_page(view: View, path: Path, styles: Styles | None = None) -> PageReport:
    """Write the page atomically (a temporary file, then a rename)."""
    html = render(view, styles)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return PageReport(
        path,
        view.graph.number_of_nodes(),
        view.graph.number_of_edges(),
        view.layout,
        view.physics,
        len(html.encode("utf-8")),
    )
